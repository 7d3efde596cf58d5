"""How long a new user waits for the first answer: ``mvemo predict`` on one file, cold, end to end.

Target (issue #21): <= 3 s for a 30-s clip and <= 3 s for a small lyrics text, on an idle
2-core machine.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_first_answer.py [--repeat 3]
    # the same for an older commit, e.g. before issue #21:
    git worktree add /tmp/before ed87ebf && \
        PYTHONPATH=src .venv/bin/python benchmarks/bench_first_answer.py --src /tmp/before/src

For each input, each run starts a fresh Python process (nothing imported, no model in
memory; the OS file cache and mvemo's on-disk caches are warm, as on a second use):

* **end to end**: ``mvemo predict FILE --out OUT.jsonl --quiet`` (the CLI's ``main``), wall time;
* **breakdown**: a process that does what the CLI does (:func:`phase_times`; the record it
  writes is the CLI's, which ``tests/predict/test_bench_first_answer.py`` checks), timing each
  phase (wall / CPU): ``imports``
  (CLI + predictor modules and their libraries), ``model load``, ``decode`` (read the file),
  ``features`` (musicnn blocks + harmony; for lyrics, the sentence embeddings), ``heads``
  (the networks and the record) and ``write`` (the JSONL line).

The inputs are made here: the first 30 s of ``examples/audio/joplin_maple_leaf_rag.mp3``
(re-encoded as MP3) and the text of ``examples/lyrics/sunday_parade.lrc`` without time stamps.
The median of ``--repeat`` runs is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def phase_times(kind: str, path: str | Path, out: str | Path) -> dict[str, list[float]]:
    """Do what ``mvemo predict PATH --out OUT`` does for one file, timing each phase.

    Meant to run first thing in a fresh process (:func:`breakdown` starts one), so that
    ``imports`` is the cost of importing the CLI, the predictor and their libraries.

    Parameters
    ----------
    kind : {"audio", "lyrics"}
        The input's kind: audio goes to the music model, lyrics to the lyrics model.
    path : str or Path
        The input file.
    out : str or Path
        The JSONL file written (one record).

    Returns
    -------
    dict
        ``phase -> [wall seconds, CPU seconds]`` for ``imports``, ``model load``, ``decode``,
        ``features``, ``heads`` and ``write``, in that order.  For lyrics, ``features`` is the
        time spent in the sentence encoder (its first call's set-up included) and ``heads`` the
        rest of the prediction.  Works with the record objects of today and with the plain
        dicts of older sources (``--src``).
    """
    if kind not in ("audio", "lyrics"):
        raise ValueError(f"kind must be 'audio' or 'lyrics', got {kind!r}")
    path = str(path)
    t = [time.perf_counter(), time.process_time()]
    marks: dict[str, list[float]] = {}

    def mark(name: str, *, less: tuple[float, float] = (0.0, 0.0)) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        marks[name] = [round(now - t[0] - less[0], 3), round(cpu - t[1] - less[1], 3)]
        t[0], t[1] = now, cpu

    import mvemo.cli.main  # noqa: F401  (what the CLI imports before predicting)
    import mvemo.cli.predict  # noqa: F401
    from mvemo.predict.router import Router

    if kind == "audio":
        import mvemo.predict.music  # noqa: F401
    else:
        import mvemo.predict.lyrics  # noqa: F401
    mark("imports")
    model = Router().model("music" if kind == "audio" else "lyrics")
    if kind == "lyrics":
        _ = model.encoder.model  # MiniLM itself loads on first use
    mark("model load")
    if kind == "audio":
        from mvemo.features.music import TrackFeatures, compute_blocks, compute_harmony, load_track_audio

        y16, y22 = load_track_audio(path)
        mark("decode")
        feats = TrackFeatures(compute_blocks(model.musicnn, y16), compute_harmony(y22))
        mark("features")
        try:  # the record and its checks, as MusicEmotionModel.predict
            rec = model.predict_features(feats, file=path)
        except TypeError:  # older sources: a dict without the file
            rec = {"file": path, **model.predict_features(feats)}
        try:
            from mvemo.features.music import HARMONY_SR
            from mvemo.predict.checks import audio_warnings, with_warnings
        except ImportError:  # older sources: no checks
            pass
        else:
            rec = with_warnings(rec, audio_warnings(path, y22, HARMONY_SR))
        mark("heads")
    else:
        from mvemo.io.lyrics import read_lyrics

        lyrics = read_lyrics(path)
        mark("decode")
        encoder = model.encoder
        encode = encoder.encode
        spent = [0.0, 0.0]

        def timed_encode(texts, *a, **k):
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                return encode(texts, *a, **k)
            finally:
                spent[0] += time.perf_counter() - w0
                spent[1] += time.process_time() - c0

        encoder.encode = timed_encode
        rec = model.predict_lyrics(lyrics, file=path)
        encoder.encode = encode
        try:  # the record's checks, as LyricsEmotionModel.predict
            from mvemo.predict.checks import language_warning, with_warnings
        except ImportError:  # older sources: no checks
            pass
        else:
            rec = with_warnings(rec, [w for w in [language_warning(rec.features["language_hint"])] if w])
        # the encoder's share is "features", the rest "heads"
        marks["features"] = [round(spent[0], 3), round(spent[1], 3)]
        mark("heads", less=(spent[0], spent[1]))
    from mvemo.util import atomic_write

    atomic_write(out, json.dumps(rec.to_dict() if hasattr(rec, "to_dict") else rec) + "\n")
    mark("write")
    return {k: marks[k] for k in ("imports", "model load", "decode", "features", "heads", "write")}


def make_inputs(tmp: Path) -> dict[str, Path]:
    """The 30-s MP3 clip and the plain-text lyrics."""
    import av
    import numpy as np

    sys.path.insert(0, str(REPO / "src"))
    from mvemo.audio.io import load_audio

    y, sr = load_audio(REPO / "examples" / "audio" / "joplin_maple_leaf_rag.mp3", sr=44100)
    y = y[: 30 * sr].astype(np.float32)
    clip = tmp / "clip.mp3"
    with av.open(str(clip), "w", format="mp3") as c:
        s = c.add_stream("mp3", rate=sr, layout="mono")
        s.bit_rate = 128000
        frame = av.AudioFrame.from_ndarray(y[None, :], format="flt", layout="mono")
        frame.sample_rate = sr
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    text = tmp / "lyrics.txt"
    lines = (REPO / "examples" / "lyrics" / "sunday_parade.lrc").read_text(encoding="utf-8").splitlines()
    text.write_text("\n".join(ln.split("]", 1)[-1] for ln in lines if "]" in ln and ln[1:2].isdigit()) + "\n")
    return {"audio": clip, "lyrics": text}


SRC = REPO / "src"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["MVEMO_QUIET"] = "1"
    return env


def end_to_end(path: Path, out: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the child's) of one cold ``mvemo predict``.

    On a busy machine the wall time mostly measures waiting for a core; the CPU time is
    close to what an idle machine's wall time would be (the work is mostly single-threaded).
    """
    cmd = [
        sys.executable,
        "-c",
        "from mvemo.cli.main import main; main()",
        "predict",
        str(path),
        "--out",
        str(out),
        "--quiet",
    ]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=_env(), capture_output=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def breakdown(kind: str, path: Path, out: Path) -> dict[str, list[float]]:
    """:func:`phase_times` in a fresh Python process (mvemo from :data:`SRC`)."""
    res = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phases", kind, str(path), str(out)],
        env=_env(),
        capture_output=True,
        text=True,
    )
    if res.returncode != 0:
        raise RuntimeError(f"the {kind} breakdown failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    global SRC
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument(
        "--src",
        type=Path,
        default=SRC,
        help="mvemo source tree to time (e.g. an older commit's, from git archive), default ./src",
    )
    ap.add_argument("--phases", nargs=3, metavar=("KIND", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phases:  # one breakdown run, in this fresh process
        print(json.dumps(phase_times(*args.phases)))
        return
    SRC = args.src.resolve()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp))
        for kind, path in inputs.items():
            load0 = os.getloadavg()[0]
            runs = [end_to_end(path, Path(tmp) / f"{kind}.jsonl") for _ in range(args.repeat)]
            e2e, cpu = [w for w, _ in runs], [c for _, c in runs]
            parts = [breakdown(kind, path, Path(tmp) / f"{kind}_b.jsonl") for _ in range(args.repeat)]
            med = {k: statistics.median(p[k][0] for p in parts) for k in parts[0]}
            med_cpu = {k: statistics.median(p[k][1] for p in parts) for k in parts[0]}
            results[kind] = {
                "end_to_end_s": round(statistics.median(e2e), 2),
                "runs_s": [round(x, 2) for x in e2e],
                "cpu_s": round(statistics.median(cpu), 2),
                "breakdown_s": med,
                "breakdown_cpu_s": med_cpu,
                "load_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
            }
            line = ", ".join(f"{k} {v:.2f}/{med_cpu[k]:.2f}" for k, v in med.items())
            print(
                f"{kind:<7} end to end {statistics.median(e2e):5.2f} s wall, {statistics.median(cpu):5.2f} s CPU "
                f"(runs {', '.join(f'{x:.2f}' for x in e2e)}); breakdown wall/CPU s: {line}; "
                f"1-min load {load0:.1f} -> {os.getloadavg()[0]:.1f}"
            )
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

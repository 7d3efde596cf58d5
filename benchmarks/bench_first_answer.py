"""How long a new user waits for the first answer: ``mvemo predict`` on one file, cold, end to end.

Target (issue #21): <= 3 s for a 30-s clip and <= 3 s for a small lyrics text, on an idle
2-core machine.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_first_answer.py [--repeat 3]
    # the same for an older commit, e.g. before issue #21:
    git archive ed87ebf src | tar -x -C /tmp/before && \
        PYTHONPATH=src .venv/bin/python benchmarks/bench_first_answer.py --src /tmp/before/src

For each input, each run starts a fresh Python process (nothing imported, no model in
memory; the OS file cache and mvemo's on-disk caches are warm, as on a second use):

* **end to end**: ``mvemo predict FILE --out OUT.jsonl --quiet`` (the CLI's ``main``), wall time;
* **breakdown**: a process that does what the CLI does, timing each phase (wall / CPU): ``imports``
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

_BREAKDOWN = r"""
import json, sys, time
t = [time.perf_counter(), time.process_time()]
kind, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
marks = {}
def mark(name):
    now, cpu = time.perf_counter(), time.process_time()
    marks[name] = [round(now - t[0], 3), round(cpu - t[1], 3)]; t[0], t[1] = now, cpu
import mvemo.cli.main, mvemo.cli.predict
from mvemo.predict.router import Router
if kind == "audio":
    import mvemo.predict.music
else:
    import mvemo.predict.lyrics
mark("imports")
router = Router()
model = router.model("music" if kind == "audio" else "lyrics")
if kind == "lyrics":
    model.encoder.model  # MiniLM itself loads on first use
mark("model load")
if kind == "audio":
    from mvemo.features.music import TrackFeatures, compute_blocks, compute_harmony, load_track_audio
    y16, y22 = load_track_audio(path)
    mark("decode")
    feats = TrackFeatures(compute_blocks(model.musicnn, y16), compute_harmony(y22))
    mark("features")
    rec = {"file": path, **model.predict_features(feats)}
    mark("heads")
else:
    from mvemo.io.lyrics import read_lyrics
    lyr = read_lyrics(path)
    mark("decode")
    model.encoder.encode(["warm-up"])  # the first encode call's one-off setup
    mark("features")
    rec = model.predict_lyrics(lyr, file=path)
    mark("heads")
from mvemo.util import atomic_write
atomic_write(out, json.dumps(rec) + "\n")
mark("write")
print(json.dumps(marks))
"""


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


def breakdown(kind: str, path: Path, out: Path) -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, "-c", _BREAKDOWN, kind, str(path), str(out)],
        check=True,
        env=_env(),
        capture_output=True,
        text=True,
    )
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
    args = ap.parse_args()
    SRC = args.src.resolve()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp))
        for kind, path in inputs.items():
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
            }
            line = ", ".join(f"{k} {v:.2f}/{med_cpu[k]:.2f}" for k, v in med.items())
            print(
                f"{kind:<7} end to end {statistics.median(e2e):5.2f} s wall, {statistics.median(cpu):5.2f} s CPU "
                f"(runs {', '.join(f'{x:.2f}' for x in e2e)}); breakdown wall/CPU s: {line}"
            )
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

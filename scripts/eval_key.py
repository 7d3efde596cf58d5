"""Audio key estimation on rendered scores with known keys: mir_eval weighted score per key profile.

    PYTHONPATH=src .venv/bin/python scripts/eval_key.py [--n 100] [--work DIR] [--json OUT.json]

The set: the first ``--n`` Bach chorales of music21's corpus (``bach/*.mxl``, sorted by name)
whose key is clear from the score: the key signature gives a major tonic and its relative
minor, and the last bass note must be one of them (it is the tonic of the final cadence;
chorales in a church mode, whose last bass note is neither, are skipped).  Each chorale is
written to MIDI with music21 and rendered with fluidsynth and the FluidR3 GM soundfont
(Debian ``fluidsynth`` and ``fluid-soundfont-gm``), cycling through four General MIDI
programs (piano, church organ, strings, flute).  The rendered WAVs are kept in ``--work``
(default: ``<mvemo cache>/eval_key``) and reused.

The audio is analysed as ``mvemo predict`` does (``mvemo.features.music``: decoding at
22.05 kHz, the STFT chroma without HPSS, the sounding frames' mean chroma) and the key taken
with each of :data:`mvemo.features.harmony.KEY_PROFILES` (with the partial model), on the first
30 s and on the first 60 s.  The two examples (``examples/audio``: Maple Leaf Rag, A-flat
major; BWV 66.6, F-sharp minor) are listed on their own.  Scores: ``mir_eval.key.weighted_score``
(1 same, 0.5 fifth, 0.3 relative, 0.2 parallel, 0 other) and the share of exact keys; the even
and odd positions of the list are reported apart (the profiles were chosen on the even ones).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 22050
PROGRAMS = (0, 19, 48, 73)  # acoustic piano, church organ, string ensemble, flute
EXAMPLES = [("joplin_maple_leaf_rag", "Ab major"), ("bach_chorale_bwv66.6", "F# minor")]


def chorale_truth(score) -> tuple[int, str] | None:
    """(tonic pitch class, mode) from the key signature and the last bass note, or None."""
    import music21

    sigs = score.recurse().getElementsByClass(music21.key.KeySignature)
    if not sigs or len(score.parts) < 2:
        return None
    major = (sigs[0].sharps * 7) % 12
    bass = score.parts[-1].flatten().notes
    if not len(bass):
        return None
    last = bass[-1]
    pc = min(last.pitches, key=lambda p: p.ps).pitchClass
    if pc == major:
        return pc, "major"
    if pc == (major + 9) % 12:
        return pc, "minor"
    return None


def build_set(work: Path, n: int) -> list[dict]:
    """Render (or reuse) the chorales; returns [{name, wav, key}]."""
    import music21

    work.mkdir(parents=True, exist_ok=True)
    index = work / "index.json"
    if index.is_file():
        items = json.loads(index.read_text())
        if len(items) >= n and all((work / it["wav"]).is_file() for it in items[:n]):
            return items[:n]
    paths = sorted({str(p) for p in music21.corpus.getComposer("bach") if str(p).endswith(".mxl")})
    items = []
    for p in paths:
        if len(items) >= n:
            break
        try:
            score = music21.corpus.parse(p)
        except Exception:  # noqa: BLE001 (a corpus file music21 cannot read: skipped)
            continue
        truth = chorale_truth(score)
        if truth is None:
            continue
        program = PROGRAMS[len(items) % len(PROGRAMS)]
        for inst in score.recurse().getElementsByClass(music21.instrument.Instrument):
            inst.midiProgram = program
        name = Path(p).stem
        mid, wav = work / f"{name}.mid", work / f"{name}.wav"
        score.write("midi", fp=str(mid))
        subprocess.run(
            ["fluidsynth", "-ni", "-q", "-g", "0.8", "-r", str(SR), "-F", str(wav), str(SOUNDFONT), str(mid)],
            check=True,
            capture_output=True,
        )
        items.append({"name": name, "wav": wav.name, "key": _label(truth[0], truth[1]), "program": program})
    index.write_text(json.dumps(items, indent=1))
    return items


def mean_chromas(path: Path, seconds: tuple[float, ...]) -> list[np.ndarray]:
    """Mean chroma of the sounding frames of the first ``s`` seconds, for each ``s`` (the predictor's chroma)."""
    from mvemo.audio.io import load_audio
    from mvemo.features.chroma import _chroma_bass, resample_for_stft
    from mvemo.features.harmony import _sounding

    y, sr = load_audio(path, sr=SR)
    out = []
    for s in seconds:
        part = y[: int(s * sr)]
        ch, _, level = _chroma_bass(
            part, sr, hop_length=2048, harmonic=False, method="stft", y_stft=resample_for_stft(part, sr)
        )
        out.append(ch[:, _sounding(level)].mean(axis=1))
    return out


def key_of(mean: np.ndarray, profiles: str) -> str:
    from mvemo.features.harmony import key_scores

    best = int(np.argmax(key_scores(mean, profiles=profiles)))
    return _label(best % 12, "major" if best < 12 else "minor")


def _label(pc: int, mode: str) -> str:
    """``"Ab major"``, ``"F# minor"``: spelled by the key's signature, as the records are."""
    from mvemo.features.spelling import spell_key

    return f"{spell_key(pc, mode)} {mode}"


def relation(ref: str, est: str) -> str:
    """same / fifth / relative / parallel / other, as mir_eval scores it."""
    import mir_eval

    w = mir_eval.key.weighted_score(ref, est)
    return {1.0: "same", 0.5: "fifth", 0.3: "relative", 0.2: "parallel"}.get(w, "other")


def main() -> None:
    from mvemo.features.cache import default_cache_dir
    from mvemo.features.harmony import KEY_PROFILES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="number of chorales")
    ap.add_argument("--work", type=Path, default=None, help="rendered audio (default <mvemo cache>/eval_key)")
    ap.add_argument("--json", type=Path, help="also write the per-piece keys as JSON")
    args = ap.parse_args()
    if shutil.which("fluidsynth") is None or not SOUNDFONT.is_file():
        raise SystemExit("needs fluidsynth and fluid-soundfont-gm: apt-get install fluidsynth fluid-soundfont-gm")
    import mir_eval

    work = args.work or default_cache_dir() / "eval_key"
    items = build_set(work, args.n)
    profiles = list(KEY_PROFILES)
    seconds = (30.0, 60.0)
    rows = []
    for it in items:
        means = mean_chromas(work / it["wav"], seconds)
        rows.append({**it, **{f"{p}_{int(s)}": key_of(m, p) for p in profiles for s, m in zip(seconds, means)}})
    majors = sum(r["key"].endswith("major") for r in rows)
    print(f"{len(rows)} chorales ({majors} major, {len(rows) - majors} minor), rendered in {work}\n")
    print(
        "| profiles | excerpt | all: weighted / exact | even (chosen on) | odd (held out) | same / fifth / relative / parallel / other |"
    )
    print("|---|---|---|---|---|---|")
    for p in profiles:
        for s in seconds:
            col = f"{p}_{int(s)}"
            w = np.array([mir_eval.key.weighted_score(r["key"], r[col]) for r in rows])
            rel = [relation(r["key"], r[col]) for r in rows]
            counts = " / ".join(str(rel.count(k)) for k in ("same", "fifth", "relative", "parallel", "other"))
            cells = [
                f"{w[sl].mean():.3f} / {np.mean(w[sl] == 1):.2f}"
                for sl in (slice(None), slice(0, None, 2), slice(1, None, 2))
            ]
            print(f"| {p} | first {int(s)} s | {' | '.join(cells)} | {counts} |")
    print("\n| example | true key | " + " | ".join(f"{p} (45 s)" for p in profiles) + " |")
    print("|---|---|" + "---|" * len(profiles))
    for name, true in EXAMPLES:
        (m,) = mean_chromas(ROOT / "examples" / "audio" / f"{name}.mp3", (45.0,))
        print(f"| {name} | {true} | " + " | ".join(key_of(m, p) for p in profiles) + " |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

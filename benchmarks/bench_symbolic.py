"""Speed of the symbolic predictor: seconds per MIDI file (features + static + dynamic).

Run: ``.venv/bin/python benchmarks/bench_symbolic.py [--seconds 30] [--n 5]``; prints figures.
Uses a synthetic piano MIDI file written here and the shipped weights.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _write_midi(path: Path, seconds: float, seed: int) -> None:
    import pretty_midi

    rng = np.random.default_rng(seed)
    pm = pretty_midi.PrettyMIDI(initial_tempo=110)
    inst = pretty_midi.Instrument(program=0)
    t = 0.0
    while t < seconds:
        root = 48 + int(rng.integers(12))
        for p in (root, root + 4, root + 7):
            inst.notes.append(pretty_midi.Note(70, p, t, t + 1.0))
        for k in range(4):
            inst.notes.append(pretty_midi.Note(90, 72 + int(rng.integers(12)), t + k * 0.25, t + (k + 1) * 0.25))
        t += 1.0
    pm.instruments.append(inst)
    pm.write(str(path))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--n", type=int, default=5)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from mvemo.predict.symbolic import load_symbolic_model

    t0 = time.perf_counter()
    model = load_symbolic_model()
    load_s = time.perf_counter() - t0
    times_f, times_p = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            path = Path(tmp) / f"{i}.mid"
            _write_midi(path, args.seconds, i)
            t0 = time.perf_counter()
            feats = model.features(path)
            t1 = time.perf_counter()
            rec = model.predict_features(feats)
            t2 = time.perf_counter()
            times_f.append(t1 - t0)
            times_p.append(t2 - t1)
    print(f"model load: {load_s:.3f} s")
    print(f"{args.seconds:.0f}-s MIDI, {len(rec['dynamic'])} dynamic frames, {args.n} files:")
    print(f"  features: {np.median(times_f):.3f} s/file (median)")
    print(f"  static + dynamic prediction: {np.median(times_p):.3f} s/file (median)")


if __name__ == "__main__":
    main()

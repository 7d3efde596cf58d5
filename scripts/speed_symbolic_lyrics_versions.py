"""Prediction speed of the old and new symbolic and lyrics models on the same inputs (issue #16).

Run: ``PYTHONPATH=src .venv/bin/python scripts/speed_symbolic_lyrics_versions.py`` (one thread).
Symbolic: static + dynamic prediction of three synthetic 30-s MIDI files (features computed
once, the files of ``benchmarks/bench_symbolic.py``); lyrics: a 45-line, 3-min LRC in memory,
warm model (MiniLM loaded).  Prints the medians.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "src" / "mvemo" / "models" / "weights"


def main() -> None:
    import torch

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_symbolic import _write_midi

    from mvemo.predict.lyrics import load_lyrics_model
    from mvemo.predict.symbolic import load_symbolic_model

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(3):
            paths.append(Path(tmp) / f"{i}.mid")
            _write_midi(paths[-1], 30.0, i)
        for name in ("symbolic-emopia-vgmidi-v3", "symbolic-emopia-vgmidi-v4"):
            m = load_symbolic_model(WEIGHTS / f"{name}.safetensors")
            feats = [m.features(p) for p in paths]
            m.predict_features(feats[0])
            ts = []
            for _ in range(3):
                for f in feats:
                    t0 = time.perf_counter()
                    m.predict_features(f)
                    ts.append(time.perf_counter() - t0)
            print(f"{name}: static+dynamic prediction of a 30-s MIDI {np.median(ts):.3f} s (median of {len(ts)})")
    lrc = "\n".join(
        f"[{i // 60:02d}:{i % 60:02d}.00]line number {i} about love and rain and dancing tonight"
        for i in range(0, 180, 4)
    )
    for name in ("lyrics-minilm-lex-bow-v2", "lyrics-minilm-lex-bow-v3"):
        m = load_lyrics_model(WEIGHTS / f"{name}.safetensors")
        m.predict(lrc)
        ts = []
        for _ in range(5):
            t0 = time.perf_counter()
            rec = m.predict(lrc)
            ts.append(time.perf_counter() - t0)
        print(f"{name}: 45-line LRC ({len(rec['dynamic'])} frames), warm: {np.median(ts):.3f} s (median of 5)")


if __name__ == "__main__":
    main()

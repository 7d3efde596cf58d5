"""Speed of lyrics prediction (static + dynamic) with the shipped lyrics model.

    .venv/bin/python benchmarks/bench_lyrics.py [--minutes 4] [--lines-per-minute 15]

The LRC file is synthetic (generated sentences from a small word list, every fourth line a
repeated chorus line), so the figures need no external data.  Prints the model load time,
the time of the first prediction (MiniLM warm-up included), the time of a second prediction
of the same length with fresh lines, and the number of distinct lines embedded.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

WORDS = ["love", "night", "heart", "dance", "fire", "rain", "light", "alone", "dream", "road", "home", "cold", "sun",
         "tears", "sky", "run", "baby", "forever", "tonight", "broken", "smile", "fall", "hold", "free",
         "wild"]  # fmt: skip


def make_lrc(minutes: float, per_minute: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    n = int(minutes * per_minute)
    step = 60.0 / per_minute
    chorus = "oh baby hold me tonight forever"
    out = ["[ti:benchmark]"]
    for i in range(n):
        t = 5.0 + i * step
        text = chorus if i % 4 == 3 else " ".join(rng.choice(WORDS, size=int(rng.integers(4, 10))))
        out.append(f"[{int(t // 60):02d}:{t % 60:05.2f}]{text}")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--lines-per-minute", type=int, default=15)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    from mvemo.predict.lyrics import load_lyrics_model

    t0 = time.perf_counter()
    model = load_lyrics_model()
    _ = model.encoder.model
    t_load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for seed in (0, 1):
            p = Path(tmp) / f"b{seed}.lrc"
            p.write_text(make_lrc(args.minutes, args.lines_per_minute, seed), encoding="utf-8")
            t0 = time.perf_counter()
            rec = model.predict(p)
            times.append(time.perf_counter() - t0)
    f = rec["features"]
    print(f"model + MiniLM load: {t_load:.2f} s")
    print(
        f"song: {args.minutes:g} min, {f['n_lines']} lines ({f['n_distinct_lines']} distinct), "
        f"{len(rec['dynamic'])} grid labels"
    )
    print(
        f"first prediction: {times[0]:.3f} s; second (fresh lines): {times[1]:.3f} s "
        f"({args.minutes * 60 / times[1]:.0f}x real time), 1 thread"
    )


if __name__ == "__main__":
    main()

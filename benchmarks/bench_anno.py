"""Speed of MVAnno annotation (static with MVAnno_static + dynamic every 0.5 s with MVAnno_dynamic).

Target (issue #17, as `mvemo predict`): a 4-minute track in <= 4 s after the model is loaded.

    .venv/bin/python benchmarks/bench_anno.py                  # shipped mvanno-cpu-v1, 4-minute track
    .venv/bin/python benchmarks/bench_anno.py --weights build/mvanno --minutes 4

The track is the repo's example piece looped to the requested length (a temporary WAV); the
feature cache is pointed at a temporary folder so musicnn really runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--weights", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    import torch
    from bench_predict import make_track

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MVEMO_CACHE"] = str(Path(tmp) / "cache")
        track = make_track(args.minutes, Path(tmp) / "track.wav")
        from mvemo.anno.annotate import Annotator

        t0 = time.perf_counter()
        ann = Annotator(args.weights, cache_dir=str(Path(tmp) / "cache"))
        load = time.perf_counter() - t0
        times, cpu = [], []
        for k in range(args.repeat):
            ann.backend.cache.root = Path(tmp) / f"cache{k}"  # a cold feature cache each time
            t1, c1 = time.perf_counter(), time.process_time()
            rec = ann.annotate(track)
            times.append(time.perf_counter() - t1)
            cpu.append(time.process_time() - c1)
        print(
            f"model load {load:.2f} s; {args.minutes:g}-min track: {min(times):.2f} s best of {args.repeat} "
            f"({args.minutes * 60 / min(times):.0f}x real time), {len(rec['dynamic'])} dynamic frames, "
            f"static {rec['static']['category']} {rec['static']['intensity']}; CPU time {min(cpu):.2f} s "
            f"(wall exceeds it when the machine is shared)"
        )


if __name__ == "__main__":
    main()

"""Time the dynamic-task metrics at MVEmo's scale: 5,673,670 label pairs over 11,764 samples.

Target (issue #2): at most 10 s on a 2-core CPU.  Run:

    .venv/bin/python benchmarks/bench_metrics.py [--repeat 3] [--string-ids]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mvemo.metrics import evaluate_dynamic
from mvemo.representation import INTENSITY_LEVELS, N_CATEGORIES

N_PAIRS = 5_673_670
N_SAMPLES = 11_764


def make_data(seed: int = 0, *, string_ids: bool = False):
    """Synthetic labels with MVEmo's sizes; ~70 % of estimates agree with the reference."""
    rng = np.random.default_rng(seed)
    # Random sample lengths that add up to N_PAIRS, contiguous per sample.
    cuts = np.sort(rng.choice(np.arange(1, N_PAIRS), N_SAMPLES - 1, replace=False))
    lengths = np.diff(np.concatenate(([0], cuts, [N_PAIRS])))
    ids = np.repeat(np.arange(N_SAMPLES), lengths)
    if string_ids:
        ids = np.char.add("mv", ids.astype(str))
    levels = np.asarray(INTENSITY_LEVELS)
    ref_c = rng.integers(0, N_CATEGORIES, N_PAIRS)
    ref_i = levels[rng.integers(0, 11, N_PAIRS)]
    agree = rng.random(N_PAIRS) < 0.7
    est_c = np.where(agree, ref_c, rng.integers(0, N_CATEGORIES, N_PAIRS))
    est_i = np.where(rng.random(N_PAIRS) < 0.6, ref_i, levels[rng.integers(0, 11, N_PAIRS)])
    invalid = rng.random(N_PAIRS) < 0.01
    est_c[invalid] = -1
    est_i[invalid] = np.nan
    return ids, ref_c, ref_i, est_c, est_i


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--string-ids", action="store_true", help="use str sample ids instead of ints")
    args = parser.parse_args()
    data = make_data(string_ids=args.string_ids)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        scores = evaluate_dynamic(*data)
        times.append(time.perf_counter() - t0)
    print(f"pairs: {N_PAIRS:,}  samples: {N_SAMPLES:,}  ids: {'str' if args.string_ids else 'int'}")
    print(
        f"evaluate_dynamic: best {min(times):.2f} s, median {np.median(times):.2f} s over {args.repeat} runs "
        f"(target <= 10 s)"
    )
    print("scores:", {k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()})


if __name__ == "__main__":
    main()

"""Symbolic v4, a static-intensity alternative measured on validation: the mean of the clip's frames.

The static intensity factor is the mean of the level head's distributions over the clip's
0.5-s windows (``t +- 2.5 s`` on the MVEmo grid; the whole clip when it is shorter than 5 s);
the category and quadrant are v4's static answer.  Prints the static intensity spread and the
static D_e against the paper references (docs/symbolic.md, section v4).

Run: ``MVEMO_DATA=../shared/data PYTHONPATH=src .venv/bin/python scripts/symbolic_static_from_frames.py``
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH, grid_times
    from mvemo.conversion.grids import heads_to_grid
    from mvemo.conversion.point import summarize_many
    from mvemo.metrics import evaluate
    from mvemo.predict.symbolic import levels_proba, load_symbolic_model
    from mvemo.representation import CATEGORIES
    from mvemo.train.symbolic.clips import load_clips
    from mvemo.train.symbolic.config import SymbolicTrainConfig

    clips, _ = load_clips(SymbolicTrainConfig(datasets=["emopia", "vgmidi"]), log=lambda *a: None)
    val = [c for c in clips if c.split == "validation"]
    model = load_symbolic_model()
    ints, cats = [], []
    for c in val:
        f = c.features
        s = model._outputs(f, np.array([0.0]), np.array([max(f.duration, 1e-3)]), static=True)
        t = grid_times(f.duration)
        if len(t):
            stats = f.window_stats(t - WINDOW_HALF_WIDTH, t + WINDOW_HALF_WIDTH)
        else:
            stats = f.window_stats(np.array([0.0]), np.array([f.duration]))
        lv = levels_proba(model.levels, stats).mean(0, keepdims=True)
        a = summarize_many(heads_to_grid(s.grid.sum(-1), levels=lv))
        ints.append(float(a.intensity[0]))
        cats.append(CATEGORIES[int(a.category[0])])
    x = np.array(ints)
    d = evaluate([CATEGORIES[c.category] for c in val], [c.intensity for c in val], cats, list(x))
    vals, counts = np.unique(x, return_counts=True)
    print(f"{model.name}, static intensity = mean of the frames' level head ({len(val)} validation clips):")
    print(f"  std {x.std():.3f}, {len(vals)} levels, paper-reference static D_e {d['emotion_distance']:.3f}")
    print("  " + ", ".join(f"{v:.1f}: {n}" for v, n in zip(vals, counts)))


if __name__ == "__main__":
    main()

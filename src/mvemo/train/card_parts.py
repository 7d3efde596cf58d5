"""Pieces shared by the model-card writers of the issue #16 builders (lyrics v3, symbolic v4).

* :func:`intensity_summary`: std, distinct levels and histogram of intensities on the 0.1 grid;
* :func:`fmt_at`, :func:`fmt_ece`, :func:`fmt_levels`, :func:`fmt_histogram`: table cells;
* :data:`ECE_FLOOR_TEXT` and :func:`reliability_lines`: the calibration paragraph and diagrams.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "ECE_FLOOR_TEXT",
    "fmt_at",
    "fmt_ece",
    "fmt_histogram",
    "fmt_levels",
    "intensity_summary",
    "reliability_lines",
]


def intensity_summary(x) -> dict[str, Any]:
    """``std``, ``levels`` (distinct values), ``n_levels`` and ``histogram`` of intensities,
    rounded to the 0.1 grid first.

    Examples
    --------
    >>> s = intensity_summary([0.5, 0.52, 0.7])
    >>> s["levels"], s["n_levels"], s["histogram"]
    ([0.5, 0.7], 2, {'0.5': 2, '0.7': 1})
    """
    r = np.round(np.asarray(x, np.float64), 1)
    vals, counts = np.unique(r, return_counts=True)
    return {
        "std": float(np.std(r)),
        "levels": [float(v) for v in vals],
        "n_levels": len(vals),
        "histogram": {f"{v:.1f}": int(c) for v, c in zip(vals, counts)},
    }


def fmt_at(d: Any, *keys: str) -> str:
    """The number at ``d[k1][k2]...`` with 3 decimals, ``-`` where a key is missing."""
    for k in keys:
        d = d.get(k) if isinstance(d, dict) else None
    return "-" if d is None else f"{d:.3f}"


def fmt_ece(d: dict, key: str) -> str:
    """``d["ece"][key]`` with its calibrated-model floor (mean, 95th percentile) where recorded."""
    e = d["ece"]
    if f"{key}_floor" not in e:
        return f"{e[key]:.3f}"
    m, p95 = e[f"{key}_floor"]
    return f"{e[key]:.3f} (floor {m:.3f}, 95th pct {p95:.3f})"


def fmt_levels(d: dict, key: str) -> str:
    """``std S, N levels`` of an :func:`intensity_summary` stored at ``d[key]``."""
    x = d.get(key)
    if x is None:
        return "-"
    n = x.get("n_levels", len(x.get("levels", [])))
    return f"std {x['std']:.3f}, {n} levels"


def fmt_histogram(d: dict, key: str) -> str:
    """``level: count`` pairs of an :func:`intensity_summary` stored at ``d[key]``."""
    x = d.get(key)
    return "-" if x is None else ", ".join(f"{k}: {v}" for k, v in x.get("histogram", {}).items())


#: How a card explains the ECE floor (``{what}``: "songs", "clips").
ECE_FLOOR_TEXT = (
    "The floor is `mvemo.metrics.calibration.calibrated_ece`: the mean and 95th percentile of the",
    "ECE that a perfectly calibrated model with the same predictions reads on this many {what}",
    "(labels drawn from its own probabilities, 200 draws). An ECE below the 95th percentile is",
    "consistent with calibration at this sample size.",
)


def reliability_lines(name: str, image_dir: str) -> list[str]:
    """The card lines that show a model's two reliability diagrams (quadrant, category)."""
    return [
        "Reliability diagrams (validation):",
        "",
        f"![quadrant]({image_dir}/{name}-reliability-quadrant.png)",
        f"![category]({image_dir}/{name}-reliability-category.png)",
        "",
    ]

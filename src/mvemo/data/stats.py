"""Label distributions of a dataset, and a polar plot of its unified labels (MVEmo Fig. 4a style)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.data.manifest import Item
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, INTENSITY_LEVELS, default_circumplex
from mvemo.util import atomic_path

__all__ = ["label_stats", "polar_plot"]


def _distribution(items: list[Item]) -> dict[str, Any]:
    n = len(items)
    static = [it.static for it in items if it.static is not None]
    cats = Counter(s.category for s in static)
    levels = Counter(s.level for s in static)
    dyn_points = [p for it in items if it.dynamic for p in it.dynamic]
    dyn_cats = Counter(p.category for p in dyn_points if p.category is not None)
    return {
        "n_items": n,
        "n_static": len(static),
        "share_static": len(static) / n if n else 0.0,
        "n_dynamic": sum(1 for it in items if it.dynamic),
        "share_dynamic": sum(1 for it in items if it.dynamic) / n if n else 0.0,
        "n_dynamic_points": len(dyn_points),
        "n_with_problems": sum(1 for it in items if it.problems),
        "category_counts": {c: cats.get(c, 0) for c in CATEGORIES},
        "intensity_histogram": {f"{lv:.1f}": levels.get(int(round(lv * 10)), 0) for lv in INTENSITY_LEVELS},
        "dynamic_category_counts": {c: dyn_cats.get(c, 0) for c in CATEGORIES},
    }


def label_stats(items: Iterable[Item]) -> dict[str, Any]:
    """Distributions of the unified labels, overall and per split.

    Parameters
    ----------
    items : iterable of Item

    Returns
    -------
    dict
        ``n_items``, ``n_static``/``share_static`` (items with a static unified label),
        ``n_dynamic``/``share_dynamic``, ``n_dynamic_points``, ``n_with_problems``,
        ``category_counts`` (all 28 categories, static labels), ``intensity_histogram``
        (levels "0.0".."1.0"), ``dynamic_category_counts`` (grid points), plus
        ``datasets``, ``modalities``, ``label_types`` (item counts) and ``splits``:
        split name -> the same distribution keys for that split's items.
    """
    items = list(items)
    out = _distribution(items)
    out["datasets"] = dict(Counter(it.dataset for it in items))
    out["modalities"] = dict(Counter(it.modality for it in items))
    out["label_types"] = dict(Counter(it.label_type for it in items))
    by_split: dict[str, list[Item]] = {}
    for it in items:
        by_split.setdefault(it.split or "none", []).append(it)
    out["splits"] = {name: _distribution(group) for name, group in by_split.items()}
    return out


def polar_plot(items: Iterable[Item], path: str | Path, *, title: str | None = None) -> Path:
    """Save a PNG with two polar panels of the static unified labels.

    Left: the number of items per category, as a bar at the category's angle (width:
    its sector).  Right: every label as a point at its category's angle (jittered within
    the sector) with the intensity as radius.  0° is pleasure, 90° arousal.

    Parameters
    ----------
    items : iterable of Item
    path : str or Path
        Output ``.png`` (written atomically).
    title : str, optional

    Returns
    -------
    Path
        The written file.
    """
    require("matplotlib", extra="plot")
    figure = require("matplotlib.figure", extra="plot")
    backend_agg = require("matplotlib.backends.backend_agg", extra="plot")
    out = Path(path)
    if out.suffix.lower() != ".png":
        raise ParameterError(f"the plot must be a .png file, got {out.name}")
    static = [it.static for it in items if it.static is not None]
    circ = default_circumplex()
    counts = Counter(s.category for s in static)
    angles = np.deg2rad(circ.angles)
    widths = np.deg2rad(circ.sector_widths)
    heights = np.array([counts.get(c, 0) for c in circ.categories], dtype=float)
    # A bare Figure on the Agg canvas: no pyplot, so no global backend state changes.
    fig = figure.Figure(figsize=(11, 5.5))
    backend_agg.FigureCanvasAgg(fig)
    ax1 = fig.add_subplot(1, 2, 1, projection="polar")
    ax2 = fig.add_subplot(1, 2, 2, projection="polar")
    centers = np.deg2rad(circ.sector_centers)
    ax1.bar(centers, heights, width=widths * 0.95, color="tab:blue", alpha=0.75, edgecolor="white")
    ax1.set_title("items per category")
    for ax in (ax1, ax2):
        ax.set_xticks(angles)
        ax.set_xticklabels(circ.categories, fontsize=6)
    if static:
        rng = np.random.default_rng(0)
        idx = np.array([circ.index(s.category) for s in static])
        jitter = (rng.random(len(idx)) - 0.5) * np.deg2rad(circ.sector_widths[idx]) * 0.8
        ax2.scatter(
            np.deg2rad(circ.sector_centers[idx]) + jitter,
            [s.intensity for s in static],
            s=6,
            alpha=0.35,
            color="tab:red",
        )
    ax2.set_ylim(0, 1.05)
    ax2.set_title("intensity (radius) per label")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return out

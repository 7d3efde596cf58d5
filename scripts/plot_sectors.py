"""Draw the 28 categories and their sectors on the circle: docs/img/sectors.png.

.venv/bin/python scripts/plot_sectors.py [--out docs/img/sectors.png]
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.conversion.quadrant import QUADRANT_CATEGORIES
from mvemo.representation import REFERENCE_ANGLES, default_circumplex

QUADRANT_COLOURS = ("#f4a261", "#e76f51", "#577590", "#43aa8b")  # Q1..Q4


def spread_labels(angles: np.ndarray, *, min_gap: float = 9.0, iterations: int = 500) -> np.ndarray:
    """Label angles (degrees) near ``angles`` but at least ``min_gap`` apart around the circle."""
    order = np.argsort(angles)
    pos = angles[order].astype(float).copy()
    for _ in range(iterations):
        gaps = np.diff(np.append(pos, pos[0] + 360.0))
        push = np.clip(min_gap - gaps, 0.0, None) / 2.0
        if not push.any():
            break
        pos -= push
        pos += np.roll(push, 1)
    out = np.empty_like(pos)
    out[order] = pos
    return out


def draw(out: Path) -> None:
    """Render the figure to ``out`` (PNG)."""
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", extra="plot")
    circ = default_circumplex()
    fig = plt.figure(figsize=(9, 9))
    ax = fig.add_subplot(projection="polar")
    label_at = spread_labels(circ.angles)
    for i, name in enumerate(circ.categories):
        lo, width = np.deg2rad(circ.sector_lower[i]), np.deg2rad(circ.sector_widths[i])
        quadrant = int(np.mod(circ.angles[i], 360) // 90)
        ax.bar(
            lo + width / 2,
            1.0,
            width=width,
            bottom=0.0,
            color=QUADRANT_COLOURS[quadrant],
            alpha=0.35 if i % 2 else 0.55,
            edgecolor="white",
            linewidth=0.8,
        )
        theta = np.deg2rad(circ.angles[i])
        ax.plot([theta, theta], [0, 1.0], color="black", linewidth=0.6)
        ax.plot([np.deg2rad(circ.sector_centers[i])], [1.0], marker="|", color="crimson", markersize=9)
        bold = name in QUADRANT_CATEGORIES.values()
        lab = np.deg2rad(label_at[i])
        ax.plot([theta, lab], [1.0, 1.12], color="gray", linewidth=0.5, clip_on=False)
        ax.text(
            lab,
            1.24,
            f"{name}\n{circ.angles[i]:.1f}°",
            ha="center",
            va="center",
            fontsize=7.5,
            fontweight="bold" if bold else "normal",
        )
    for ref, deg in REFERENCE_ANGLES.items():
        ax.text(np.deg2rad(deg), 0.55, ref, ha="center", va="center", fontsize=8, color="dimgray", style="italic")
    ax.set_ylim(0, 1.12)
    ax.spines["polar"].set_visible(False)
    ax.set_yticks([0.5, 1.0])
    ax.set_yticklabels(["0.5", "1.0"], fontsize=7)
    ax.set_xticks(np.deg2rad(np.arange(0, 360, 45)))
    ax.set_xticklabels([])
    ax.set_title(
        "mvemo unified representation: 28 categories, their word angles (black) and\n"
        "sectors (shaded; red tick = sector centre used by the Emotion Distance).\n"
        "Bold: the categories of the 4Q conversion. Radius = intensity.",
        fontsize=9,
        pad=48,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp.png")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs/img/sectors.png")
    draw(parser.parse_args().out)

"""Figures of a prediction record: the valence-arousal trajectory and the label timeline."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.representation import default_circumplex

__all__ = ["plot_prediction"]


def plot_prediction(record: dict[str, Any], path: str | Path) -> Path:
    """Draw a PNG: left, the VA trajectory on the circumplex (colour = time, star = static);
    right, the category (points) and intensity (line) over time.

    Parameters
    ----------
    record : dict
        A record of :meth:`mvemo.pipeline.predict_music.MusicEmotionModel.predict`.
    path : path
        Output PNG (written atomically).
    """
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", extra="plot")
    circ = default_circumplex()
    dyn = record.get("dynamic", [])
    fig, (ax_va, ax_t) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1, 1.6]})
    # Circumplex: unit square of VA, category directions as spokes.
    ax_va.add_patch(plt.Rectangle((-1, -1), 2, 2, fill=False, color="gray", lw=0.8))
    for name, ang in zip(circ.categories, np.deg2rad(circ.angles)):
        ax_va.plot([0, 1.02 * np.cos(ang)], [0, 1.02 * np.sin(ang)], color="lightgray", lw=0.5, zorder=0)
        ax_va.text(1.12 * np.cos(ang), 1.12 * np.sin(ang), name, fontsize=6.5, ha="center", va="center", color="dimgray")
    ax_va.axhline(0, color="gray", lw=0.5)
    ax_va.axvline(0, color="gray", lw=0.5)
    if dyn:
        t = np.array([d["time"] for d in dyn])
        v = np.array([d["valence"] for d in dyn])
        a = np.array([d["arousal"] for d in dyn])
        ax_va.plot(v, a, color="steelblue", lw=0.8, alpha=0.6)
        sc = ax_va.scatter(v, a, c=t, cmap="viridis", s=14, zorder=3)
        fig.colorbar(sc, ax=ax_va, label="time (s)", fraction=0.046, pad=0.04)
    s = record["static"]
    ax_va.scatter([s["valence"]], [s["arousal"]], marker="*", s=260, color="crimson", zorder=4,
                  label=f"static: {s['category']} {s['intensity']:.1f}")  # fmt: skip
    ax_va.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), xlabel="valence", ylabel="arousal", aspect="equal")
    ax_va.legend(loc="lower left", fontsize=8)
    # Timeline.
    if dyn:
        idx = np.array([circ.index(d["category"]) for d in dyn])
        ax_t.scatter(t, idx, c=[plt.cm.twilight(circ.angles[i] / 360) for i in idx], s=16)
        used = sorted(set(idx.tolist()))
        ax_t.set_yticks(used, [circ.categories[i] for i in used], fontsize=8)
        ax_i = ax_t.twinx()
        ax_i.plot(t, [d["intensity"] for d in dyn], color="darkorange", lw=1.2)
        ax_i.set(ylim=(-0.05, 1.05), ylabel="intensity")
    else:
        ax_t.text(0.5, 0.5, "no dynamic labels (track shorter than 5 s)", ha="center", transform=ax_t.transAxes)
    ax_t.set(xlabel="time (s)", title="category (points) and intensity (line) every 0.5 s")
    fig.suptitle(f"{Path(record['file']).name}: {s['category']} (intensity {s['intensity']:.1f}), "
                 f"{s['quadrant']}; key {record.get('features', {}).get('key', '?')}", fontsize=11)  # fmt: skip
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)
    return out

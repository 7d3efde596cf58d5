"""Figures of a prediction record: the valence-arousal trajectory and the label timeline.

A multimodal record (``"modalities"`` and ``"fused"`` keys) draws every modality's and the
fused trajectory together: VA plane, valence and arousal over time, and the fused labels.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.representation import default_circumplex
from mvemo.util import atomic_write

__all__ = ["plot_prediction", "plot_multimodal"]

_MODALITY_COLOURS = {"music": "tab:blue", "video": "tab:green", "lyrics": "tab:purple", "fused": "black"}


def plot_prediction(record: dict[str, Any], path: str | Path) -> Path:
    """Draw a PNG: left, the VA trajectory on the circumplex (colour = time, star = static);
    right, the category (points) and intensity (line) over time.

    Parameters
    ----------
    record : PredictionRecord or dict
        A prediction record (:class:`mvemo.records.PredictionRecord` or its JSON).
    path : path
        Output PNG (written atomically).
    """
    if hasattr(record, "to_dict"):  # a mvemo.records.PredictionRecord
        record = record.to_dict()
    if "modalities" in record and "fused" in record:
        return plot_multimodal(record, path)
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", extra="plot")
    dyn = record.get("dynamic", [])
    fig, (ax_va, ax_t) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [1, 1.6]})
    _circumplex_axes(ax_va, plt, fontsize=6.5)
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
    ax_va.legend(loc="lower left", fontsize=8)
    _category_timeline(ax_t, dyn, plt, size=16, empty="no dynamic labels (track shorter than 5 s)")
    ax_t.set(xlabel="time (s)", title="category (points) and intensity (line) every 0.5 s")
    fig.suptitle(f"{Path(record['file']).name}: {s['category']} (intensity {s['intensity']:.1f}), "
                 f"{s['quadrant']}; key {record.get('features', {}).get('key', '?')}", fontsize=11)  # fmt: skip
    fig.tight_layout()
    return _save(fig, plt, path)


def _save(fig, plt, path: str | Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return atomic_write(path, buf.getvalue())


def _circumplex_axes(ax, plt, *, fontsize: float = 6) -> None:
    """The VA plane: unit square, axes, and each category's direction as a labelled spoke."""
    circ = default_circumplex()
    ax.add_patch(plt.Rectangle((-1, -1), 2, 2, fill=False, color="gray", lw=0.8))
    for name, ang in zip(circ.categories, np.deg2rad(circ.angles)):
        ax.plot([0, 1.02 * np.cos(ang)], [0, 1.02 * np.sin(ang)], color="lightgray", lw=0.5, zorder=0)
        ax.text(1.12 * np.cos(ang), 1.12 * np.sin(ang), name, fontsize=fontsize, ha="center", va="center",
                color="dimgray")  # fmt: skip
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), xlabel="valence", ylabel="arousal", aspect="equal")


def _category_timeline(ax, dyn: list[dict[str, Any]], plt, *, size: float, empty: str) -> None:
    """Category per grid time (points coloured by angle) and intensity (line, right axis)."""
    if not dyn:
        ax.text(0.5, 0.5, empty, ha="center", transform=ax.transAxes)
        return
    circ = default_circumplex()
    t = np.array([d["time"] for d in dyn])
    idx = np.array([circ.index(d["category"]) for d in dyn])
    ax.scatter(t, idx, c=[plt.cm.twilight(circ.angles[i] / 360) for i in idx], s=size)
    used = sorted(set(idx.tolist()))
    ax.set_yticks(used, [circ.categories[i] for i in used], fontsize=8)
    ax_i = ax.twinx()
    ax_i.plot(t, [d["intensity"] for d in dyn], color="darkorange", lw=1.2)
    ax_i.set(ylim=(-0.05, 1.05), ylabel="intensity")


def plot_multimodal(record: dict[str, Any], path: str | Path) -> Path:
    """Draw a multimodal record: per-modality and fused timelines together.

    Panels: the VA plane with each modality's trajectory (lines) and static point (circle)
    and the fused ones (black, star); valence and arousal over time per modality (thin)
    and fused (thick); the fused category (points, coloured by angle) and intensity (line).
    A missing or failed modality is named in the legend.

    Parameters
    ----------
    record : dict
        A record of :meth:`mvemo.predict.multimodal.MultimodalModel.predict`.
    path : path
        Output PNG (written atomically).
    """
    if hasattr(record, "to_dict"):  # a mvemo.records.PredictionRecord
        record = record.to_dict()
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg")
    plt = require("matplotlib.pyplot", extra="plot")
    fig, axes = plt.subplots(2, 2, figsize=(14, 9), gridspec_kw={"width_ratios": [1, 1.6]})
    ax_va, ax_v, ax_c, ax_a = axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1]
    _circumplex_axes(ax_va, plt)
    series = {m: r for m, r in record["modalities"].items() if "static" in r}
    series["fused"] = record["fused"]
    for m, r in series.items():
        col = _MODALITY_COLOURS.get(m, "gray")
        lw = 2.2 if m == "fused" else 1.0
        dyn = r.get("dynamic", [])
        s = r["static"]
        label = f"{m}: {s['category']} {s['intensity']:.1f}"
        if m != "fused" and "confidence" in r:
            label += f" (conf {r['confidence']:.2f})"
        if dyn:
            t = np.array([d["time"] for d in dyn])
            v = np.array([d["valence"] for d in dyn])
            a = np.array([d["arousal"] for d in dyn])
            ax_va.plot(v, a, color=col, lw=lw * 0.7, alpha=0.7)
            ax_v.plot(t, v, color=col, lw=lw, label=m)
            ax_a.plot(t, a, color=col, lw=lw, label=m)
        ax_va.scatter([s["valence"]], [s["arousal"]], marker="*" if m == "fused" else "o",
                      s=240 if m == "fused" else 70, color=col, zorder=4, edgecolor="white", label=label)  # fmt: skip
    for m, r in record["modalities"].items():
        if "static" not in r:
            why = r.get("error") or r.get("missing") or "?"
            ax_va.plot([], [], " ", label=f"{m}: {'failed' if 'error' in r else 'missing'} ({why[:40]})")
    ax_va.legend(loc="lower left", fontsize=7)
    for ax, what in ((ax_v, "valence"), (ax_a, "arousal")):
        ax.axhline(0, color="gray", lw=0.5)
        ax.set(ylim=(-1.05, 1.05), xlabel="time (s)", ylabel=what, title=f"{what} every 0.5 s: modalities and fused")
        if ax.lines:
            ax.legend(loc="upper right", fontsize=8)
    _category_timeline(ax_c, record["fused"].get("dynamic", []), plt, size=14, empty="no dynamic labels")
    ax_c.set(xlabel="time (s)", title="fused category (points) and intensity (line)")
    s = record["static"]
    weights = ", ".join(f"{m} {w:.2f}" for m, w in record["fused"].get("weights", {}).items())
    fig.suptitle(f"{Path(record['file']).name}: fused {s['category']} (intensity {s['intensity']:.1f}), "
                 f"{s['quadrant']}; weights {weights}", fontsize=11)  # fmt: skip
    fig.tight_layout()
    return _save(fig, plt, path)

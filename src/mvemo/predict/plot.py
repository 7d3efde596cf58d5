"""Figures of a prediction record: the valence-arousal trajectory and the label timeline.

Left, the circumplex: each category's direction as a spoke, its word placed where it
overlaps no other word (the radius is staggered outwards, with a leader line back to the
spoke, when neighbours are close); the trajectory every 0.5 s and the static label.  Right,
the timeline: a *category lane* (categories ordered by their circumplex angle, points coloured
by quadrant) above an *intensity* curve on its own 0..1 axis.  A multimodal record
(``"modalities"`` and ``"fused"``) adds valence and arousal over time per modality (thin,
drawn on top) and fused (thick, translucent, underneath), so that no line hides another.

Output names come from :func:`plot_names`: the input's file name with its suffix
(``song.mp3.png``), its relative path when two inputs share a name, an index as a last resort.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.records import EmotionFrame, StaticPrediction
from mvemo.representation import default_circumplex
from mvemo.util import atomic_write

__all__ = ["plot_prediction", "plot_multimodal", "figure_of", "plot_names", "empty_reason", "QUADRANT_COLOURS"]

_MODALITY_COLOURS = {"music": "tab:blue", "video": "tab:green", "lyrics": "tab:purple", "fused": "black"}
QUADRANT_COLOURS = {"Q1": "#d62728", "Q2": "#ff7f0e", "Q3": "#1f77b4", "Q4": "#2ca02c"}
_LABEL_GID = "circumplex-label"


def plot_names(files: Iterable[str | os.PathLike]) -> dict[str, str]:
    """A unique PNG name per input file: ``name.suffix.png``; for inputs sharing a file name,
    the path relative to the inputs' common folder with ``/`` as ``__``; then an index.

    Examples
    --------
    >>> plot_names(["a/x.mp3", "a/x.mid", "b/y.lrc"])
    {'a/x.mp3': 'x.mp3.png', 'a/x.mid': 'x.mid.png', 'b/y.lrc': 'y.lrc.png'}
    >>> plot_names(["a/x.mp3", "b/x.mp3"])
    {'a/x.mp3': 'a__x.mp3.png', 'b/x.mp3': 'b__x.mp3.png'}
    """
    files = [str(f) for f in files]
    if not files:
        return {}
    by_name: dict[str, list[str]] = {}
    for f in files:
        by_name.setdefault(Path(f).name, []).append(f)
    try:
        common = Path(os.path.commonpath([os.path.abspath(f) for f in files]))
    except ValueError:  # different drives
        common = None
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in files:
        name = Path(f).name
        if len(by_name[name]) > 1 and common is not None:
            rel = Path(os.path.abspath(f)).relative_to(common)
            name = "__".join(rel.parts)
        cand, k = f"{name}.png", 1
        while cand in used:
            k += 1
            cand = f"{name}.{k}.png"
        used.add(cand)
        out[f] = cand
    return out


def empty_reason(record: dict[str, Any]) -> str:
    """Why a record has no dynamic labels, in words a user can act on."""
    file = str(record.get("file", ""))
    dur = record.get("duration")
    if record.get("modality") == "lyrics" or Path(file).suffix.lower() in (".txt", ".lrc"):
        if dur is None:
            return "no dynamic labels: no timing in plain-text lyrics (use .lrc with time stamps)"
    if dur is not None and float(dur) < 5.0:
        return f"no dynamic labels: {float(dur):.1f} s is shorter than the first 5-s window"
    return "no dynamic labels in this record (predicted with --no-dynamic?)"


def _static(value: Any) -> StaticPrediction:
    """A record's ``static`` object, typed."""
    return value if isinstance(value, StaticPrediction) else StaticPrediction.from_dict(value)


def _frames(values: Any) -> list[EmotionFrame]:
    """A record's ``dynamic`` list, typed."""
    return [
        f if isinstance(f, EmotionFrame) else EmotionFrame.from_dict(f, where=f"dynamic[{i}]")
        for i, f in enumerate(values)
    ]


def _pyplot():
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg")
    return require("matplotlib.pyplot", extra="plot")


def plot_prediction(record: dict[str, Any], path: str | Path) -> Path:
    """Draw the PNG of a record (see the module docstring); returns the path.

    Parameters
    ----------
    record : PredictionRecord or dict
        A prediction record (:class:`mvemo.records.PredictionRecord` or its JSON: ``file``,
        ``static``, ``dynamic``; multimodal records also ``modalities`` and ``fused``).
    path : path
        Output PNG (written atomically).
    """
    if hasattr(record, "to_dict"):  # a mvemo.records.PredictionRecord
        record = record.to_dict()
    plt = _pyplot()
    fig = figure_of(record)
    return _save(fig, plt, path)


def plot_multimodal(record: dict[str, Any], path: str | Path) -> Path:
    """Draw a multimodal record (kept for callers of the old name; same as :func:`plot_prediction`)."""
    return plot_prediction(record, path)


def figure_of(record: dict[str, Any]):
    """The matplotlib figure of a record, laid out and with its circumplex words placed."""
    plt = _pyplot()
    if "modalities" in record and "fused" in record:
        fig = _draw_multimodal(record, plt)
    else:
        fig = _draw_single(record, plt)
    fig.tight_layout()
    # words are placed after the layout, in final display coordinates, so none overlap
    for ax in fig.axes:
        if ax.get_gid() == "circumplex":
            _place_labels(ax, fig, plt)
    return fig


def _title_facts(record: dict[str, Any]) -> str:
    feats = record.get("features") or {}
    facts = []
    if feats.get("key"):
        facts.append(f"key {feats['key']}")
    if feats.get("tempo"):
        facts.append(f"{float(feats['tempo']):.0f} BPM")
    return ("; " + ", ".join(facts)) if facts else ""


def _draw_single(record: dict[str, Any], plt):
    dyn = _frames(record.get("dynamic", []))
    fig = plt.figure(figsize=(14, 6))
    gs = fig.add_gridspec(2, 2, width_ratios=[1, 1.5], height_ratios=[1.6, 1])
    ax_va = fig.add_subplot(gs[:, 0])
    ax_c = fig.add_subplot(gs[0, 1])
    ax_i = fig.add_subplot(gs[1, 1], sharex=ax_c)
    _circumplex_axes(ax_va, plt)
    if dyn:
        t = np.array([d.time for d in dyn])
        v = np.array([d.valence for d in dyn])
        a = np.array([d.arousal for d in dyn])
        ax_va.plot(v, a, color="steelblue", lw=0.8, alpha=0.6)
        sc = ax_va.scatter(v, a, c=t, cmap="viridis", s=14, zorder=3)
        fig.colorbar(sc, ax=ax_va, label="time (s)", fraction=0.046, pad=0.02)
    s = _static(record["static"])
    ax_va.scatter(
        [s.valence],
        [s.arousal],
        marker="*",
        s=260,
        color="crimson",
        zorder=4,
        label=f"static: {s.category} {s.intensity:.1f}",
    )
    ax_va.legend(loc="lower left", fontsize=8)
    _timeline(ax_c, ax_i, dyn, empty=empty_reason(record), series={"": (dyn, "darkorange", 1.4)})
    ax_c.set_title("category every 0.5 s (ordered by angle, coloured by quadrant)", fontsize=10)
    fig.suptitle(
        f"{Path(record['file']).name}: {s.category} (intensity {s.intensity:.1f}), {s.quadrant}{_title_facts(record)}",
        fontsize=11,
    )
    return fig


def _draw_multimodal(record: dict[str, Any], plt):
    fig = plt.figure(figsize=(15, 10))
    gs = fig.add_gridspec(4, 2, width_ratios=[1, 1.5], height_ratios=[1, 1, 1.2, 0.8])
    ax_va = fig.add_subplot(gs[0:2, 0])
    ax_v = fig.add_subplot(gs[0, 1])
    ax_a = fig.add_subplot(gs[1, 1], sharex=ax_v)
    ax_c = fig.add_subplot(gs[2, 1], sharex=ax_v)
    ax_i = fig.add_subplot(gs[3, 1], sharex=ax_v)
    ax_note = fig.add_subplot(gs[2:, 0])
    ax_note.axis("off")
    _circumplex_axes(ax_va, plt)
    series = {m: r for m, r in record["modalities"].items() if "static" in r}
    series["fused"] = record["fused"]
    lines = {}
    for m, r in series.items():
        col = _MODALITY_COLOURS.get(m, "gray")
        fused = m == "fused"
        # fused: thick and translucent underneath; modalities: thin, opaque, on top
        lw, alpha, z = (4.0, 0.35, 2) if fused else (1.3, 1.0, 3)
        dyn = _frames(r.get("dynamic", []))
        s = _static(r["static"])
        label = f"{m}: {s.category} {s.intensity:.1f}"
        if not fused and "confidence" in r:
            label += f" (conf {r['confidence']:.2f})"
        if dyn:
            t = np.array([d.time for d in dyn])
            ax_va.plot(
                [d.valence for d in dyn],
                [d.arousal for d in dyn],
                color=col,
                lw=lw * 0.6,
                alpha=alpha * 0.8,
                zorder=z,
            )
            ax_v.plot(t, [d.valence for d in dyn], color=col, lw=lw, alpha=alpha, zorder=z, label=m)
            ax_a.plot(t, [d.arousal for d in dyn], color=col, lw=lw, alpha=alpha, zorder=z, label=m)
            lines[m] = (dyn, col, lw if not fused else 3.0)
        ax_va.scatter(
            [s.valence],
            [s.arousal],
            marker="*" if fused else "o",
            s=240 if fused else 70,
            color=col,
            zorder=5,
            edgecolor="white",
            label=label,
        )
    notes = []
    for m, r in record["modalities"].items():
        if "static" not in r:
            if "error" in r:
                notes.append(f"{m}: failed: {r['error']}")
            else:
                notes.append(f"{m}: missing: {r.get('missing', 'no reason given')}")
    ax_va.legend(loc="lower left", fontsize=7)
    ax_note.text(
        0,
        1,
        "\n".join(notes) if notes else "all modalities present",
        va="top",
        fontsize=9,
        wrap=True,
        transform=ax_note.transAxes,
    )
    for ax, what in ((ax_v, "valence"), (ax_a, "arousal")):
        ax.axhline(0, color="gray", lw=0.5)
        ax.set(ylim=(-1.05, 1.05), ylabel=what)
        ax.set_title(f"{what} every 0.5 s: modalities (thin) and fused (thick)", fontsize=10)
        if ax.lines:
            ax.legend(loc="upper right", fontsize=8, ncol=4)
    fused_dyn = _frames(record["fused"].get("dynamic", []))
    _timeline(ax_c, ax_i, fused_dyn, empty=empty_reason(record), series=lines)
    ax_c.set_title("fused category (ordered by angle, coloured by quadrant)", fontsize=10)
    s = _static(record["static"])
    weights = ", ".join(f"{m} {w:.2f}" for m, w in record["fused"].get("weights", {}).items())
    fig.suptitle(
        f"{Path(record['file']).name}: fused {s.category} (intensity {s.intensity:.1f}), "
        f"{s.quadrant}; weights {weights}",
        fontsize=11,
    )
    return fig


def _save(fig, plt, path: str | Path) -> Path:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return atomic_write(path, buf.getvalue())


def _circumplex_axes(ax, plt) -> None:
    """The VA plane: unit square, axes, and each category's direction as a spoke (words later)."""
    circ = default_circumplex()
    ax.add_patch(plt.Rectangle((-1, -1), 2, 2, fill=False, color="gray", lw=0.8))
    for ang in np.deg2rad(circ.angles):
        ax.plot([0, 1.02 * np.cos(ang)], [0, 1.02 * np.sin(ang)], color="lightgray", lw=0.5, zorder=0)
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    lim = 1.85
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="valence", ylabel="arousal", aspect="equal")
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_gid("circumplex")


def _place_labels(ax, fig, plt, *, fontsize: float = 7.0) -> list:
    """Put each category word at the smallest radius where it overlaps no word placed before
    (in angle order); words pushed out get a leader line to their spoke's tip."""
    circ = default_circumplex()
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    placed: list = []
    texts = []
    radii = 1.1 + 0.11 * np.arange(7)
    for i in np.argsort(circ.angles):
        name, ang = circ.categories[i], np.deg2rad(circ.angles[i])
        c, s = np.cos(ang), np.sin(ang)
        ha = "left" if c > 0.25 else "right" if c < -0.25 else "center"
        va = "bottom" if s > 0.25 else "top" if s < -0.25 else "center"
        for r in radii:
            txt = ax.text(r * c, r * s, name, fontsize=fontsize, ha=ha, va=va, color="dimgray", gid=_LABEL_GID)
            box = txt.get_window_extent(renderer).expanded(1.04, 1.1)
            if not any(box.overlaps(b) for b in placed) or r == radii[-1]:
                break
            txt.remove()
        placed.append(box)
        texts.append(txt)
        if r > radii[0]:
            ax.plot([1.03 * c, r * c], [1.03 * s, r * s], color="silver", lw=0.5, zorder=0)
    return texts


def _timeline(
    ax_c, ax_i, dyn: list[dict[str, Any]], *, empty: str, series: dict[str, tuple[list[dict[str, Any]], str, float]]
) -> None:
    """Category lane (``ax_c``: categories ordered by angle, points coloured by quadrant) and
    intensity curves (``ax_i``, 0..1) of ``series`` ``{name: (dynamic, colour, width)}``."""
    from mvemo.conversion.quadrant import angle_to_quadrant

    ax_i.set(ylim=(-0.05, 1.05), ylabel="intensity", xlabel="time (s)")
    if not dyn:
        ax_c.text(0.5, 0.5, empty, ha="center", va="center", transform=ax_c.transAxes)
        ax_i.text(0.5, 0.5, empty, ha="center", va="center", transform=ax_i.transAxes)
        ax_c.set_yticks([])
        return
    circ = default_circumplex()
    t = np.array([d.time for d in dyn])
    idx = np.array([circ.index(d.category) for d in dyn])
    used = sorted(set(idx.tolist()), key=lambda k: circ.angles[k])
    row = {k: n for n, k in enumerate(used)}
    quads = [f"Q{int(angle_to_quadrant(circ.angles[k]))}" for k in idx]
    ax_c.scatter(t, [row[k] for k in idx], c=[QUADRANT_COLOURS[q] for q in quads], s=18, zorder=3)
    ax_c.set_yticks(range(len(used)), [f"{circ.categories[k]} ({circ.angles[k]:.0f}°)" for k in used], fontsize=8)
    ax_c.set_ylim(-0.7, len(used) - 0.3)
    ax_c.grid(axis="y", color="0.9")
    handles = [_dot(QUADRANT_COLOURS[q], q) for q in QUADRANT_COLOURS]
    ax_c.legend(handles=handles, loc="upper right", fontsize=7, ncol=4)
    ax_c.tick_params(labelbottom=False)
    for name, (d, col, lw) in series.items():
        if not d:
            continue
        fused = name == "fused"
        ax_i.plot(
            [x.time for x in d],
            [x.intensity for x in d],
            color=col,
            lw=lw,
            alpha=0.35 if fused else 1,
            zorder=2 if fused else 3,
            label=name or None,
            drawstyle="steps-mid",
        )
    if any(series):
        ax_i.legend(loc="upper right", fontsize=7, ncol=4)


def _dot(colour: str, label: str):
    """A legend handle: a coloured dot."""
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="o", ls="", color=colour, label=label)

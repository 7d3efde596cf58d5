"""The dataset card (``DIR/README.md``): counts, hours, what was dropped and why, the annotator, the command."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from mvemo._version import __version__
from mvemo.data.manifest import Item
from mvemo.util import atomic_write

__all__ = ["card_text", "write_card"]


def _reason_kind(reason: str | None) -> str:
    """A short class of a drop reason, for the card's table."""
    r = (reason or "").lower()
    for key, label in (
        ("static video", "static (eq. 12)"),
        ("audio-only", "audio-only"),
        ("no audio", "no audio track"),
        ("silent", "silent audio"),
        ("truncated", "truncated"),
        ("enormous", "enormous"),
        ("too short", "too short"),
        ("corrupt", "corrupt"),
        ("not a readable", "unreadable/corrupt"),
        ("worker lost", "worker lost"),
    ):
        if key in r:
            return label
    return "other"


def card_text(
    items: list[Item], dropped: list[dict[str, Any]], *, summary, name: str, annotator: str, command: str | None
) -> str:
    """The card's Markdown."""
    secs = sum(it.duration or 0.0 for it in items)
    splits = Counter(it.split for it in items)
    cats = Counter(it.static.category for it in items if it.static)
    lyr = Counter(it.custom.get("lyrics", {}).get("origin", "none") for it in items)
    ann = next((it.custom.get("annotator") for it in items), {"name": annotator, "version": "?"})
    kinds = Counter((d["status"], _reason_kind(d["reason"])) for d in dropped)
    n_dyn = sum(1 for it in items if it.custom.get("dynamic_subset"))
    out = [
        f"# {name}",
        "",
        "A music-video emotion dataset built by `mvemo dataset build` (mvemo "
        f"{__version__}), following MVEmo section IV.",
        "",
        "## Contents",
        "",
        f"- videos listed: {summary.total}; in the dataset: **{len(items)}** ({secs / 3600:.3f} h, "
        f"{secs / max(len(items), 1) / 60:.2f} min on average)",
        f"- dropped: {summary.filtered} filtered, {summary.failed} failed (see below and `dropped.jsonl`)",
        "- splits (8:1:1, seeded, stratified by static category): "
        + ", ".join(f"{s} {splits.get(s, 0)}" for s in ("train", "validation", "test")),
        f"- dynamic subset (seeded, min(1000, n)): {n_dyn} (`splits/dynamic_subset.txt`)",
        "- lyrics: " + ", ".join(f"{k} {v}" for k, v in sorted(lyr.items())) + " (no lyrics: recorded as such)",
        f"- static categories: {len(cats)} distinct; most common "
        + ", ".join(f"{c} ({n})" for c, n in cats.most_common(5)),
        "",
        "## Files",
        "",
        "- `manifest.parquet`, `manifest.jsonl`: one mvemo `Item` per video (static and dynamic labels,"
        " metadata, features in `custom`); `mvemo bench run --data manifest.parquet ...` reads it",
        "- `media/ID.mp4` (H.264/MPEG-4, 30 fps, AAC), `media/ID.flac` (the sound track)",
        "- `lyrics/ID.lrc` (time-synced) or `lyrics/ID.txt` (plain), cleaned by MVEmo's rule",
        "- `leadsheets/ID.mid` (melody, accompaniment, chords, key, tempo)",
        "- `splits/*.txt`, `dropped.jsonl`, `ledger.sqlite` (status of every video and step)",
        "",
        "## Annotation",
        "",
        f"- annotator: `{ann.get('name')}`, version `{ann.get('version')}`",
        "- labels are model predictions (MVEmo's labels come from its MVAnno annotation), not human ratings",
        "",
        "## Dropped videos",
        "",
        "| status | reason | videos |",
        "|---|---|---|",
        *[f"| {st} | {k} | {n} |" for (st, k), n in sorted(kinds.items())],
        "",
        *[f"- `{d['id']}` ({d['status']}): {d['reason']}" for d in dropped],
        "",
        "## Command",
        "",
        "```",
        command or "(built from Python)",
        "```",
        "",
    ]
    return "\n".join(out)


def write_card(
    root: str | Path,
    items: list[Item],
    dropped: list[dict[str, Any]],
    *,
    summary,
    name: str,
    annotator: str,
    command: str | None,
) -> Path:
    """Write ``README.md`` into the dataset folder."""
    return atomic_write(
        Path(root) / "README.md",
        card_text(items, dropped, summary=summary, name=name, annotator=annotator, command=command),
    )

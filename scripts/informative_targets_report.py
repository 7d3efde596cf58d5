"""Report the informative targets of the real datasets beside the paper-compatible labels.

Per dataset: how many items carry an informative target and by which rule, the
distribution of the informative intensities (mean, standard deviation, number of
distinct levels, histogram over the 0.1 grid) against the paper labels' intensities,
the number of categories used by each, the weights, and, where the dataset has them,
the informative dynamic frames.  Then the word-map coverage of the data's word
occurrences (``scripts/build_word_map.py --coverage``).

Usage::

    PYTHONPATH=src .venv/bin/python scripts/informative_targets_report.py [--data DIR] [--datasets a,b]

The data root is ``--data``, else ``$MVEMO_DATA``, else ``../shared/data``; without it the
script says so and exits 0 (nothing to report).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from mvemo.data import load
from mvemo.errors import MvemoError
from mvemo.util import data_home

REPO = Path(__file__).resolve().parents[1]
DATASETS = ("4q_panda2018", "emotify", "pmemo", "deam", "emomusic", "vgmidi", "emopia", "lyrics",
            "moodylyrics", "muvi", "mtg_jamendo_moodtheme", "soundtracks_eerola2011")  # fmt: skip


def _levels(values: list[float]) -> str:
    c = Counter(round(v, 1) for v in values)
    return " ".join(f"{k:.1f}:{c[k]}" for k in sorted(c))


def _describe(name: str, values: list[float]) -> str:
    a = np.asarray(values, dtype=np.float64)
    return (
        f"{name:12s} mean {a.mean():.3f}  std {a.std():.3f}  levels {len(set(np.round(a, 1).tolist())):2d}  "
        f"[{_levels(values)}]"
    )


def report_dataset(name: str, root: Path) -> list[str]:
    """Lines of the report of one dataset."""
    ds = load(name, data_home=root)
    items = ds.index()
    with_t = [it for it in items if it.informative is not None]
    n_paper = sum(it.static is not None for it in items)
    out = [f"== {name}: {len(items)} items, {len(with_t)} with an informative target, {n_paper} with a paper label"]
    if not with_t:
        return out
    rules = Counter(it.informative["rule"] for it in with_t)
    weights = Counter(it.informative["weight"] for it in with_t)
    out.append(
        "  rules: "
        + ", ".join(f"{r} {n}" for r, n in rules.most_common())
        + "; weights: "
        + ", ".join(f"{w} x{n}" for w, n in sorted(weights.items()))
    )
    paired = [it for it in with_t if it.static is not None]
    out.append("  " + _describe("informative", [it.informative["intensity"] for it in with_t]))
    if paired:
        out.append("  " + _describe("paper", [it.static["intensity"] for it in paired]))
    cats_i = Counter(it.informative["category"] for it in with_t)
    cats_p = Counter(it.static["category"] for it in paired)
    out.append(
        f"  categories used: informative {len(cats_i)}, paper {len(cats_p)}; "
        f"informative top 5: {', '.join(f'{c} {n}' for c, n in cats_i.most_common(5))}"
    )
    if paired:
        same = sum(it.informative["category"] == it.static["category"] for it in paired)
        out.append(f"  same category as the paper label: {same} of {len(paired)}")
    frames = [f for it in with_t for f in it.informative.get("dynamic", [])]
    if frames:
        out.append(
            f"  dynamic frames: {len(frames)} in {sum(bool(it.informative.get('dynamic')) for it in with_t)} items"
        )
        out.append("  " + _describe("frames", [f["intensity"] for f in frames]))
    return out


def report_coverage(root: Path) -> list[str]:
    """Word-map coverage lines (from scripts/build_word_map.py)."""
    spec = importlib.util.spec_from_file_location("build_word_map", REPO / "scripts" / "build_word_map.py")
    bwm = importlib.util.module_from_spec(spec)
    sys.modules["build_word_map"] = bwm
    spec.loader.exec_module(bwm)
    from mvemo.conversion.words import default_word_map

    out = ["== word-map coverage of the word occurrences"]
    for row in bwm.coverage(bwm.word_occurrences(root), default_word_map()):
        out.append(
            f"  {row['vocabulary']}: {row['placed']} of {row['occurrences']} placed "
            f"({100 * row['share']:.1f} %), {row['distinct']} distinct; left out: "
            + (", ".join(f"{w} ({n})" for w, n in row["left_out"]) or "none")
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="data root (default: $MVEMO_DATA or ../shared/data)")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="comma-separated dataset names")
    args = parser.parse_args(argv)
    try:
        root = data_home(args.data, required=False) if args.data is not None else data_home(required=False)
    except MvemoError as exc:
        print(f"no data: {exc}")
        return 0
    if root is None and (REPO.parent / "shared" / "data").is_dir():
        root = REPO.parent / "shared" / "data"
    if root is None or not root.is_dir():
        print("no research data found (set --data or MVEMO_DATA); nothing to report")
        return 0
    for name in [n.strip() for n in args.datasets.split(",") if n.strip()]:
        try:
            lines = report_dataset(name, root)
        except MvemoError as exc:  # a missing or broken dataset: report it, go on
            lines = [f"== {name}: skipped ({exc})"]
        print("\n".join(lines), flush=True)
    try:
        print("\n".join(report_coverage(root)))
    except MvemoError as exc:
        print(f"== word-map coverage: skipped ({exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

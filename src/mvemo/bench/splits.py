"""Benchmark splits: the manifest's own split, or MVEmo's seeded, stratified 8:1:1 split.

MVEmo splits its benchmark 8:1:1 into train, validation and test.  A manifest that
already carries splits (every dataset loader writes one: official where the source
has it, else seeded 8:1:1) is used as it is, so a model trained on a dataset's train
split is never scored on its own training items.  Official names map onto the three
roles: ``development`` is train, ``evaluation`` is test (emoMusic); names that are
none of these (DEAM's years, ``unassigned``) are left out of all three.

The dynamic tasks run, as in the paper, on a seeded random subset of the samples that
have complete dynamic labels (MVEmo uses 1,000).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from mvemo.data.manifest import Item
from mvemo.data.splits import SPLIT_NAMES, SPLIT_RATIOS, stratified_split
from mvemo.errors import ParameterError

__all__ = ["SPLIT_ALIASES", "SplitSource", "assign_splits", "split_items", "seeded_subset"]

SplitSource = Literal["auto", "manifest", "seeded"]

#: Split names found in manifests -> benchmark role.
SPLIT_ALIASES: dict[str, str] = {
    "train": "train", "training": "train", "development": "train",
    "validation": "validation", "valid": "validation", "val": "validation", "dev": "validation",
    "test": "test", "evaluation": "test", "eval": "test",
}  # fmt: skip


def _strat_key(item: Item) -> str:
    return item.static.category if item.static else "unlabelled"


def assign_splits(
    items: Sequence[Item],
    *,
    source: SplitSource = "auto",
    seed: int = 0,
    ratios: Sequence[float] = SPLIT_RATIOS,
) -> dict[str, str]:
    """Benchmark role (``train``/``validation``/``test``) of each item id.

    Parameters
    ----------
    items : sequence of Item
    source : {"auto", "manifest", "seeded"}
        ``"manifest"``: the items' ``split`` field (aliases in :data:`SPLIT_ALIASES`);
        ``"seeded"``: a new seeded 8:1:1 split stratified by the static category,
        keeping items with the same ``custom["group"]`` together; ``"auto"``: the
        manifest's split if some item is in a test split, else seeded.
    seed : int
        Seed of the seeded split.
    ratios : sequence of 3 floats
        Train, validation, test ratios of the seeded split.

    Returns
    -------
    dict of str to str
        id -> role; items in no role (e.g. ``unassigned``) are absent.

    Raises
    ------
    ParameterError
        For an unknown ``source``, or ``"manifest"`` when no item has a known split.
    """
    if source not in ("auto", "manifest", "seeded"):
        raise ParameterError(f"split source must be 'auto', 'manifest' or 'seeded', got {source!r}")
    if len(ratios) != 3:
        raise ParameterError(f"need three split ratios (train, validation, test), got {list(ratios)}")
    roles = {it.id: SPLIT_ALIASES.get((it.split or "").lower()) for it in items}
    has_manifest = any(r == "test" for r in roles.values())
    if source == "manifest" and not any(roles.values()):
        raise ParameterError("split source 'manifest', but no item has a train/validation/test split")
    if source == "manifest" or (source == "auto" and has_manifest):
        return {k: v for k, v in roles.items() if v is not None}
    ids = [it.id for it in items]
    groups = [str(it.custom.get("group", it.id)) for it in items]
    return stratified_split(
        ids, [_strat_key(it) for it in items], groups=groups, seed=seed, ratios=ratios, names=SPLIT_NAMES
    )


def split_items(
    items: Sequence[Item],
    *,
    source: SplitSource = "auto",
    seed: int = 0,
    ratios: Sequence[float] = SPLIT_RATIOS,
) -> dict[str, list[Item]]:
    """Items per role, in input order: ``{"train": [...], "validation": [...], "test": [...]}``.

    Examples
    --------
    >>> from mvemo.data import Item
    >>> items = [Item(f"d:{i}", "d", "audio", static={"category": "sad", "intensity": 0.5}) for i in range(10)]
    >>> {k: len(v) for k, v in split_items(items, source="seeded").items()}
    {'train': 8, 'validation': 1, 'test': 1}
    """
    roles = assign_splits(items, source=source, seed=seed, ratios=ratios)
    out: dict[str, list[Item]] = {name: [] for name in SPLIT_NAMES}
    for it in items:
        role = roles.get(it.id)
        if role is not None:
            out[role].append(it)
    return out


def seeded_subset(items: Sequence[Item], n: int | None, *, seed: int = 0) -> list[Item]:
    """A seeded random subset of ``n`` items (all when ``n`` is None or >= len), in input order.

    The draw depends only on the seed and the sorted ids, so the same manifest in another
    order gives the same subset.

    Examples
    --------
    >>> from mvemo.data import Item
    >>> items = [Item(f"d:{i}", "d", "audio") for i in range(10)]
    >>> a = [it.id for it in seeded_subset(items, 3, seed=1)]
    >>> a == [it.id for it in seeded_subset(items[::-1], 3, seed=1)][::-1]
    True
    """
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 1):
        raise ParameterError(f"subset size must be a positive integer or None, got {n!r}")
    if n is None or n >= len(items):
        return list(items)
    dup = [k for k, c in Counter(it.id for it in items).items() if c > 1]
    if dup:
        raise ParameterError(f"duplicate item ids {dup[:5]}")
    ids = sorted(it.id for it in items)
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, 1000])
    chosen = {ids[j] for j in rng.choice(len(ids), size=int(n), replace=False)}
    return [it for it in items if it.id in chosen]

"""Seeded, stratified, group-aware splits (MVEmo's 8:1:1 ratio) for datasets without official ones."""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from mvemo.errors import ParameterError

__all__ = ["SPLIT_NAMES", "SPLIT_RATIOS", "allocate", "stratified_split"]

SPLIT_NAMES = ("train", "validation", "test")
SPLIT_RATIOS = (0.8, 0.1, 0.1)  # MVEmo's ratio


def allocate(n: int, ratios: Sequence[float]) -> list[int]:
    """Split ``n`` units by ``ratios`` with the largest-remainder method.

    Floors first, then the leftover units go to the largest fractional parts (ties:
    the earlier split), so the counts sum to ``n`` and each is within 1 of ``n * r``.

    Examples
    --------
    >>> allocate(202, (0.8, 0.1, 0.1)), allocate(5, (0.8, 0.1, 0.1)), allocate(1, (0.8, 0.1, 0.1))
    ([162, 20, 20], [4, 1, 0], [1, 0, 0])
    """
    r = np.asarray(ratios, dtype=np.float64)
    exact = n * r / r.sum()
    counts = np.floor(exact + 1e-9).astype(int)
    frac = exact - counts
    for k in sorted(range(len(r)), key=lambda i: (-round(frac[i], 9), i))[: n - int(counts.sum())]:
        counts[k] += 1
    return counts.tolist()


def stratified_split(
    ids: Sequence[str],
    keys: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    seed: int = 0,
    ratios: Sequence[float] = SPLIT_RATIOS,
    names: Sequence[str] = SPLIT_NAMES,
) -> dict[str, str]:
    """Assign each id to a split, stratified by class and keeping groups together.

    Parameters
    ----------
    ids : sequence of str, length N
        Unique item ids.
    keys : sequence of str, length N
        Stratification class of each item (e.g. its quadrant).
    groups : sequence of str, length N, optional
        Items with the same group (e.g. the same song) go to the same split.  A group's
        class is its most frequent key (ties: the smallest).  Default: each item alone.
    seed : int
        Seed of the shuffle; each class is shuffled with its own generator seeded by
        ``(seed, crc32(class))``, so adding a class does not reshuffle the others.
    ratios : sequence of float
        Relative split sizes, counted in groups per class (default 8:1:1).
    names : sequence of str
        Split names, one per ratio.

    Returns
    -------
    dict of str to str
        id -> split name.

    Examples
    --------
    >>> s = stratified_split([f"x{i}" for i in range(10)], ["a"] * 10, seed=1)
    >>> sorted(Counter(s.values()).items())
    [('test', 1), ('train', 8), ('validation', 1)]
    """
    ids, keys = list(ids), [str(k) for k in keys]
    grp = list(ids) if groups is None else [str(g) for g in groups]
    if not (len(ids) == len(keys) == len(grp)):
        raise ParameterError(f"ids, keys and groups differ in length: {len(ids)}, {len(keys)}, {len(grp)}")
    if len(set(ids)) != len(ids):
        raise ParameterError("ids must be unique")
    if len(names) != len(ratios) or not names:
        raise ParameterError(f"need one name per ratio, got {list(names)} and {list(ratios)}")
    if any(not np.isfinite(r) or r < 0 for r in ratios) or sum(ratios) <= 0:
        raise ParameterError(f"ratios must be non-negative with a positive sum, got {list(ratios)}")
    members: dict[str, list[str]] = defaultdict(list)
    group_keys: dict[str, Counter] = defaultdict(Counter)
    for i, k, g in zip(ids, keys, grp):
        members[g].append(i)
        group_keys[g][k] += 1
    by_class: dict[str, list[str]] = defaultdict(list)
    for g, counter in group_keys.items():
        top = max(counter.values())
        by_class[min(k for k, c in counter.items() if c == top)].append(g)
    out: dict[str, str] = {}
    for cls in sorted(by_class):
        gs = sorted(by_class[cls])
        rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(cls.encode("utf-8"))])
        order = [gs[j] for j in rng.permutation(len(gs))]
        start = 0
        for name, count in zip(names, allocate(len(gs), ratios)):
            for g in order[start : start + count]:
                for i in members[g]:
                    out[i] = name
            start += count
    return out

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvemo.data import stratified_split
from mvemo.data.splits import allocate
from mvemo.errors import ParameterError


@given(st.integers(0, 500), st.lists(st.floats(0.01, 10), min_size=1, max_size=5))
def test_allocate_sums_and_is_close(n, ratios):
    counts = allocate(n, ratios)
    assert sum(counts) == n
    total = sum(ratios)
    assert all(abs(c - n * r / total) < 1 + 1e-9 for c, r in zip(counts, ratios))


def _data(n_per_class=(100, 50, 7, 1)):
    ids, keys = [], []
    for k, n in enumerate(n_per_class):
        ids += [f"c{k}-{i}" for i in range(n)]
        keys += [f"class{k}"] * n
    return ids, keys


def test_seeded_and_deterministic():
    ids, keys = _data()
    a = stratified_split(ids, keys, seed=3)
    assert a == stratified_split(list(reversed(ids)), list(reversed(keys)), seed=3)  # order does not matter
    assert a != stratified_split(ids, keys, seed=4)
    assert set(a) == set(ids)


def test_stratified_8_1_1_per_class():
    ids, keys = _data()
    split = stratified_split(ids, keys, seed=0)
    per_class = Counter((k, split[i]) for i, k in zip(ids, keys))
    assert [per_class[("class0", s)] for s in ("train", "validation", "test")] == [80, 10, 10]
    assert [per_class[("class1", s)] for s in ("train", "validation", "test")] == [40, 5, 5]
    for k, n in (("class2", 7), ("class3", 1)):
        for s, r in (("train", 0.8), ("validation", 0.1), ("test", 0.1)):
            assert abs(per_class[(k, s)] - n * r) < 1


def test_adding_a_class_keeps_the_others():
    ids, keys = _data((30, 20))
    a = stratified_split(ids, keys, seed=1)
    ids2, keys2 = ids + ["new-0", "new-1"], keys + ["zzz", "zzz"]
    b = stratified_split(ids2, keys2, seed=1)
    assert all(a[i] == b[i] for i in ids)


def test_groups_stay_together():
    ids = [f"i{k}" for k in range(60)]
    groups = [f"g{k // 3}" for k in range(60)]
    keys = ["a" if k < 30 else "b" for k in range(60)]
    split = stratified_split(ids, keys, groups=groups, seed=0)
    by_group = {}
    for i, g in zip(ids, groups):
        by_group.setdefault(g, set()).add(split[i])
    assert all(len(s) == 1 for s in by_group.values())
    assert Counter(split.values()) == {"train": 48, "validation": 6, "test": 6}


def test_custom_names_and_errors():
    split = stratified_split(["a", "b"], ["x", "x"], ratios=(1, 1), names=("dev", "eval"))
    assert sorted(split.values()) == ["dev", "eval"]
    with pytest.raises(ParameterError, match="unique"):
        stratified_split(["a", "a"], ["x", "x"])
    with pytest.raises(ParameterError, match="length"):
        stratified_split(["a"], ["x", "y"])
    with pytest.raises(ParameterError, match="one name per ratio"):
        stratified_split(["a"], ["x"], ratios=(1, 1), names=("a",))
    with pytest.raises(ParameterError, match="ratios"):
        stratified_split(["a"], ["x"], ratios=(-1, 2, 1))

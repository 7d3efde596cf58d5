import numpy as np
import pytest

from mvemo.metrics import METRIC_NAMES, evaluate, evaluate_dynamic, group_codes


def _random_dynamic(seed, n_samples=30):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 40, n_samples)
    ids = np.repeat([f"s{i}" for i in range(n_samples)], lengths)
    n = len(ids)
    rc = rng.integers(0, 28, n)
    ri = rng.integers(0, 11, n) / 10
    ec = np.where(rng.random(n) < 0.6, rc, rng.integers(0, 28, n))
    ei = np.where(rng.random(n) < 0.5, ri, rng.integers(0, 11, n) / 10)
    bad = rng.random(n) < 0.05
    ec[bad] = -1
    ei[bad] = np.nan
    return ids, rc, ri, ec, ei


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_dynamic_equals_mean_of_per_sample_static_scores(average):
    ids, rc, ri, ec, ei = _random_dynamic(3)
    got, per = evaluate_dynamic(ids, rc, ri, ec, ei, average=average, return_per_sample=True)
    per_static = [
        evaluate(rc[ids == s], ri[ids == s], ec[ids == s], ei[ids == s], average=average) for s in np.unique(ids)
    ]
    for key in METRIC_NAMES:
        assert got[key] == pytest.approx(np.nanmean([p[key] for p in per_static])), key
    assert got["n_samples"] == 30 and list(per["sample_id"]) == [f"s{i}" for i in range(30)]


def test_interleaved_sample_ids_give_the_same_scores():
    ids, rc, ri, ec, ei = _random_dynamic(5)
    order = np.random.default_rng(0).permutation(len(ids))
    a = evaluate_dynamic(ids, rc, ri, ec, ei)
    b = evaluate_dynamic(ids[order], rc[order], ri[order], ec[order], ei[order])
    assert a == pytest.approx(b)


def test_group_codes():
    codes, ids = group_codes(np.array([5, 5, 2, 2, 5]))
    assert ids.tolist() == [2, 5] and codes.tolist() == [1, 1, 0, 0, 1]
    codes, ids = group_codes(np.array([7, 7, 3]))
    assert ids.tolist() == [7, 3] and codes.tolist() == [0, 0, 1]

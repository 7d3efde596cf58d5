import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvemo.errors import ParameterError
from mvemo.metrics import (
    category_prf,
    emotion_distance,
    evaluate,
    intensity_prf,
    label_spread,
    precision_recall_f1,
    validate,
)
from mvemo.representation import CATEGORIES, default_circumplex

CIRC = default_circumplex()
cats = st.integers(0, 27)
levels = st.integers(0, 10)


def test_emotion_distance_equation_11_by_hand():
    happy, sad = CIRC.index("happy"), CIRC.index("sad")
    d = emotion_distance(
        np.array([happy, happy, happy]), np.array([10, 10, 4]), np.array([happy, sad, happy]), np.array([0, 10, 10])
    )
    dtheta = np.deg2rad(CIRC.sector_centers[happy] - CIRC.sector_centers[sad])
    assert d[0] == pytest.approx(1.0)  # same direction, radii 1 and 0
    assert d[1] == pytest.approx(np.sqrt(2 - 2 * np.cos(dtheta)))
    assert d[2] == pytest.approx(0.6)
    assert np.isnan(emotion_distance(np.array([0]), np.array([5]), np.array([-1]), np.array([-1])))[0]


@given(cats, levels, cats, levels)
def test_emotion_distance_properties(c1, l1, c2, l2):
    a = emotion_distance(np.array([c1]), np.array([l1]), np.array([c2]), np.array([l2]))[0]
    b = emotion_distance(np.array([c2]), np.array([l2]), np.array([c1]), np.array([l1]))[0]
    assert a == pytest.approx(b, abs=1e-12)
    assert 0.0 <= a <= 2.0
    assert emotion_distance(np.array([c1]), np.array([l1]), np.array([c1]), np.array([l1]))[0] == 0.0


def test_prf_by_hand_with_invalid_estimates():
    ref = np.array([0, 0, 1, 1, 2])
    est = np.array([0, 1, 1, -1, 3])
    p, r, f = precision_recall_f1(ref, est, n_classes=4, average="macro")
    # classes 0..3 all present; per class P = [1, .5, 0, 0], R = [.5, .5, 0, 0], F = [2/3, .5, 0, 0]
    assert (p[0], r[0], f[0]) == pytest.approx((0.375, 0.25, (2 / 3 + 0.5) / 4))
    p, r, f = precision_recall_f1(ref, est, n_classes=4, average="weighted")
    assert (p[0], r[0]) == pytest.approx(((2 * 1 + 2 * 0.5) / 5, (2 * 0.5 + 2 * 0.5) / 5))
    p, r, f = precision_recall_f1(ref, est, n_classes=4, average="micro")
    assert (p[0], r[0], f[0]) == pytest.approx((2 / 4, 2 / 5, 4 / 9))
    with pytest.raises(ParameterError, match="average"):
        precision_recall_f1(ref, est, n_classes=4, average="samples")  # type: ignore[arg-type]


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_prf_matches_scikit_learn(average):
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(7)
    ref = rng.integers(0, 28, 500)
    est = np.where(rng.random(500) < 0.5, ref, rng.integers(0, 28, 500))
    est[rng.random(500) < 0.05] = -1
    labels = np.union1d(ref, est[est >= 0])
    expected = sk.precision_recall_fscore_support(ref, est, labels=labels, average=average, zero_division=0)[:3]
    got = category_prf(ref, est, average=average)
    assert got == pytest.approx(expected)


def test_validate_encodes_names_and_flags_invalid_pairs():
    rc, rl, ec, el = validate(["Sad", "at_ease"], [0.5, 1], ["sad", "calm"], [None, 0.34])
    assert rc.tolist() == [13, 23] and rl.tolist() == [5, 10]
    assert ec.tolist() == [-1, 20] and el.tolist() == [-1, 3]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((["sad"], [0.5], ["sad", "sad"], [0.5, 0.5]), "lengths differ"),
        (([], [], [], []), "empty"),
        ((["sadd"], [0.5], ["sad"], [0.5]), "unknown emotion category 'sadd'"),
        ((["sad"], [1.5], ["sad"], [0.5]), "ref_intensity"),
        ((["sad"], [None], ["sad"], [0.5]), "missing"),
        (([28], [0.5], [0], [0.5]), "outside 0..27"),
    ],
)
def test_validate_rejects_bad_input(args, match):
    with pytest.raises(ParameterError, match=match):
        validate(*args)


def test_evaluate_perfect_and_all_invalid():
    names = list(CATEGORIES)
    inten = [round(i % 11 / 10, 1) for i in range(28)]
    s = evaluate(names, inten, names, inten)
    for k in ("category_precision", "category_recall", "category_f1", "intensity_f1"):
        assert s[k] == pytest.approx(1.0), k
    assert s["emotion_distance"] == 0.0 and s["error_rate"] == 0.0 and s["n"] == 28
    s = evaluate(["sad", "calm"], [0.5, 0.5], [None, None], [None, None])
    assert s["category_recall"] == 0.0 and s["error_rate"] == 1.0 and np.isnan(s["emotion_distance"])
    assert intensity_prf(np.array([3, 3]), np.array([3, 4])) == pytest.approx((0.5, 0.25, 1 / 3))


def test_label_spread_counts_levels_on_the_grid_and_refuses_mismatched_lengths():
    got = label_spread([3, 3, 5, 7], [0.5, 0.52, 0.7, 0.9])
    assert got["intensity_levels"] == 3  # 0.5 and 0.52 share the 0.5 level
    assert got["categories_used"] == 3
    assert got["intensity_std"] == pytest.approx(np.std([0.5, 0.52, 0.7, 0.9]))
    flat = label_spread(["sad"] * 5, [0.5] * 5)
    assert flat == {"intensity_std": 0.0, "intensity_levels": 1, "categories_used": 1}
    assert label_spread([], [])["categories_used"] == 0
    assert label_spread(None, [0.5, 0.52, 0.7, 0.9]) == {k: v for k, v in got.items() if k != "categories_used"}
    with pytest.raises(ParameterError, match="2 categories but 3 intensities"):
        label_spread(["sad", "happy"], [0.1, 0.2, 0.3])

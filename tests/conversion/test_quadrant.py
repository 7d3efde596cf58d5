import numpy as np
import pytest

from mvemo.conversion import (
    QUADRANTS,
    angle_to_quadrant,
    category_quadrants,
    conform_categories,
    label_to_quadrant,
    normalize_quadrant,
    quadrant_agreement,
    quadrant_to_label,
)
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, EmotionLabel


@pytest.mark.parametrize(
    ("q", "category"), [("Q1", "excited"), ("Q2", "distressed"), ("Q3", "depressed"), ("Q4", "relaxed")]
)
def test_quadrants_map_as_in_the_paper(q, category):
    assert quadrant_to_label(q) == EmotionLabel(category, 0.5)
    assert label_to_quadrant(quadrant_to_label(q)) == q


@pytest.mark.parametrize(("raw", "q"), [(1, "Q1"), ("4", "Q4"), ("q2", "Q2"), ("sad", "Q3"), ("Happy", "Q1")])
def test_quadrant_spellings(raw, q):
    assert normalize_quadrant(raw) == q


@pytest.mark.parametrize("bad", ["Q5", 0, "", "calm", None, True, 2.5])
def test_bad_quadrants_name_the_value(bad):
    with pytest.raises(ParameterError, match="not a quadrant"):
        normalize_quadrant(bad)


def test_angle_to_quadrant_half_open():
    assert angle_to_quadrant([0, 45, 90, 135, 180, 225, 270, 315, 360, -0.1]).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 1, 4]


def test_every_category_has_a_quadrant_and_tense_depends_on_anchor():
    quads = {c: label_to_quadrant(EmotionLabel(c, 0.5)) for c in CATEGORIES}
    assert set(quads.values()) == set(QUADRANTS)
    assert quads["angry"] == "Q2" and quads["sad"] == "Q3" and quads["serene"] == "Q4" and quads["glad"] == "Q4"
    assert quads["tense"] == "Q2"
    assert label_to_quadrant(EmotionLabel("tense", 0.5), anchor="center") == "Q1"


def test_category_quadrants_agree_with_label_to_quadrant():
    q = category_quadrants()
    for k, name in enumerate(CATEGORIES):
        assert QUADRANTS[q[k]] == label_to_quadrant(EmotionLabel(name, 0.5))
    assert QUADRANTS[category_quadrants(anchor="center")[CATEGORIES.index("tense")]] == "Q1"


def test_conform_categories_matches_quadrant_marginal_and_keeps_ratios():
    rng = np.random.default_rng(0)
    cat = rng.dirichlet(np.ones(28), size=5)
    quad = rng.dirichlet(np.ones(4), size=5)
    out = conform_categories(cat, quad)
    member = np.eye(4)[category_quadrants()]
    np.testing.assert_allclose(out @ member, quad, atol=1e-12)
    np.testing.assert_allclose(out.sum(1), 1.0, atol=1e-12)
    # Within a quadrant the categories keep their relative weights.
    idx = np.flatnonzero(category_quadrants() == 2)
    np.testing.assert_allclose(out[:, idx] / out[:, idx[:1]], cat[:, idx] / cat[:, idx[:1]], rtol=1e-9)
    # A 1-D input gives a 1-D output; the argmax moves into the favoured quadrant.
    one = np.full(28, 0.001)
    one[CATEGORIES.index("excited")] = 1 - 0.027
    moved = conform_categories(one, np.array([0.05, 0.05, 0.85, 0.05]))
    assert moved.shape == (28,) and category_quadrants()[moved.argmax()] == 2


def test_conform_categories_spreads_a_quadrant_without_mass():
    cat = np.zeros(28)
    cat[CATEGORIES.index("excited")] = 1.0
    out = conform_categories(cat, np.array([0.4, 0.6, 0.0, 0.0]))
    q2 = np.flatnonzero(category_quadrants() == 1)
    np.testing.assert_allclose(out[q2], 0.6 / len(q2))
    assert out[CATEGORIES.index("excited")] == pytest.approx(0.4)


def test_conform_categories_rejects_bad_shapes():
    with pytest.raises(ParameterError, match=r"\(3, 28\) and \(2, 4\)"):
        conform_categories(np.full((3, 28), 1 / 28), np.full((2, 4), 0.25))


def test_quadrant_agreement_counts_rows_and_checks_shapes():
    cat = np.zeros((3, 28))
    cat[:, CATEGORIES.index("excited")] = 1.0  # Q1
    quad = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.4, 0.3, 0.2, 0.1]])
    assert quadrant_agreement(cat, quad) == pytest.approx(2 / 3)
    assert quadrant_agreement(conform_categories(cat + 0.01, quad), quad) == 1.0
    with pytest.raises(ParameterError, match=r"\(3, 28\) and \(2, 4\)"):
        quadrant_agreement(cat, quad[:2])

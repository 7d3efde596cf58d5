"""One emotion point per distribution: the derived fields always agree with each other."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.conversion.point import (
    GRID_SHAPE,
    category_arcs,
    coherence_problems,
    from_factors,
    normalize_grid,
    summarize,
    summarize_many,
)
from mvemo.conversion.quadrant import QUADRANTS, category_quadrants
from mvemo.conversion.va import label_to_va
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, EmotionLabel, default_circumplex


def _random_grids(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # a mix of peaked and flat distributions
    temp = rng.uniform(0.05, 3.0, size=(n, 1, 1))
    return np.exp(rng.normal(size=(n, *GRID_SHAPE)) / temp)


def test_every_random_distribution_gives_a_coherent_point():
    arr = summarize_many(_random_grids(3000))
    assert arr.category.shape == (3000,)
    for i in range(3000):
        v, a = round(float(arr.valence[i]), 4), round(float(arr.arousal[i]), 4)  # as written in records
        problems = coherence_problems(
            CATEGORIES[arr.category[i]], float(arr.intensity[i]), v, a, QUADRANTS[arr.quadrant[i]]
        )
        assert problems == [], (i, problems)
    assert len(set(arr.intensity.tolist())) >= 6
    assert len(set(arr.category.tolist())) == 28


def test_rules_marginals_and_quadrant():
    p = normalize_grid(_random_grids(1, seed=3)[0])
    pt = summarize(p)
    probs = p.sum(axis=1)
    assert pt.probabilities == pytest.approx(dict(zip(CATEGORIES, probs)))
    q = category_quadrants()
    assert pt.quadrant == QUADRANTS[int(np.argmax([probs[q == k].sum() for k in range(4)]))]
    inside = [c for c in range(28) if q[c] == QUADRANTS.index(pt.quadrant)]
    assert pt.category == CATEGORIES[max(inside, key=lambda c: probs[c])]
    c = CATEGORIES.index(pt.category)
    assert pt.radius == pytest.approx((p[c] * np.arange(11) / 10).sum() / p[c].sum())


def test_category_argmax_outside_the_winning_quadrant_is_not_chosen():
    p = np.zeros(GRID_SHAPE)
    p[CATEGORIES.index("excited"), 9] = 0.3  # the single most probable category, Q1
    for name in ("sad", "gloomy", "depressed"):  # Q3 as a whole is more probable
        p[CATEGORIES.index(name), 4] = 0.2333
    pt = summarize(p)
    assert pt.quadrant == "Q3" and pt.category in ("sad", "gloomy", "depressed")
    assert coherence_problems(pt.category, pt.intensity, pt.valence, pt.arousal, pt.quadrant) == []


def test_peaked_distribution_sits_on_the_word_angle():
    circ = default_circumplex()
    for c in range(28):
        p = np.zeros(GRID_SHAPE)
        p[c, 6] = 1.0
        pt = summarize(p)
        assert pt.category == CATEGORIES[c] and pt.intensity == 0.6
        assert pt.theta == pytest.approx(circ.angles[c], abs=1e-6)


def test_zero_intensity_is_the_origin():
    p = np.zeros(GRID_SHAPE)
    p[4, 0] = 1.0
    pt = summarize(p)
    assert (pt.valence, pt.arousal, pt.intensity) == (0.0, 0.0, 0.0)
    assert coherence_problems(pt.category, 0.0, 0.0, 0.0, pt.quadrant) == []


def test_from_factors_shared_and_per_category_levels():
    c = np.full(28, 1 / 28)
    lv = np.zeros(11)
    lv[3] = 1
    assert from_factors(c, lv).shape == GRID_SHAPE
    per = np.zeros((28, 11))
    per[:, 8] = 1
    assert summarize(from_factors(c, per)).intensity == 0.8
    batch = from_factors(np.tile(c, (5, 1)), np.tile(lv, (5, 1)))
    assert batch.shape == (5, *GRID_SHAPE)
    with pytest.raises(ParameterError, match="28"):
        from_factors(np.ones(27), lv)


def test_bad_distributions_raise():
    with pytest.raises(ParameterError, match="shape"):
        normalize_grid(np.ones((28, 10)))
    with pytest.raises(ParameterError, match="non-negative"):
        normalize_grid(-np.ones(GRID_SHAPE))
    with pytest.raises(ParameterError, match="no probability"):
        normalize_grid(np.zeros(GRID_SHAPE))
    with pytest.raises(ParameterError, match="one distribution"):
        summarize(np.ones((2, *GRID_SHAPE)))


def test_arcs_lie_in_sector_and_quadrant():
    start, width = category_arcs()
    circ = default_circumplex()
    q = category_quadrants()
    for c in range(28):
        for f in (0.01, 0.5, 0.99):
            theta = start[c] + f * width[c]
            assert int(circ.category_index_of(theta)) == c
            assert int(np.floor(np.mod(theta, 360) / 90)) == q[c]


def test_coherence_problems_reports_each_disagreement():
    v, a = label_to_va(EmotionLabel("relaxed", 0.5))
    assert coherence_problems("relaxed", 0.5, round(v, 4), round(a, 4), "Q4") == []
    probs = coherence_problems("relaxed", 0.5, -0.53, -0.2, "Q1")
    assert len(probs) == 2 and "Q4, not Q1" in probs[0] and "sector" in probs[1]
    assert "intensity" in coherence_problems("relaxed", 0.9, round(v, 4), round(a, 4))[0]

"""The certainty rule: intensity from the agreement of a model's own category distribution."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.conversion.grids import certainty, certainty_levels, heads_to_grid
from mvemo.conversion.point import LEVELS, summarize_many
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, default_circumplex


def _one_hot(name: str) -> np.ndarray:
    p = np.zeros(len(CATEGORIES))
    p[CATEGORIES.index(name)] = 1.0
    return p


def test_one_hot_gives_one_and_opposites_give_zero():
    assert certainty(_one_hot("tense")) == pytest.approx(1.0)
    # relaxed (318 deg) and distressed (138 deg) are opposite on the circumplex
    opposite = 0.5 * _one_hot("relaxed") + 0.5 * _one_hot("distressed")
    assert certainty(opposite) == pytest.approx(0.0, abs=1e-6)
    # all 28 equally: the word angles are not uniform on the circle, but far from agreeing
    assert certainty(np.ones(28)) < 0.3


def test_certainty_is_the_mean_resultant_length():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.full(28, 0.3), size=50)
    rad = np.deg2rad(default_circumplex().angles)
    want = np.hypot(p @ np.cos(rad), p @ np.sin(rad))
    np.testing.assert_allclose(certainty(p), want, atol=1e-12)
    # neighbours agree more than a spread over the circle
    near = 0.5 * _one_hot("sad") + 0.5 * _one_hot("gloomy")
    far = 0.5 * _one_hot("sad") + 0.5 * _one_hot("tense")
    assert certainty(near) > 0.99 > certainty(far)
    # unnormalised input is normalised
    assert certainty(3.0 * near) == pytest.approx(certainty(near))


def test_levels_have_mean_r_and_give_that_intensity():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.full(28, 0.5), size=(4, 30))
    lv = certainty_levels(p)
    assert lv.shape == (4, 30, 11)
    np.testing.assert_allclose(lv.sum(-1), 1.0)
    np.testing.assert_allclose(lv @ LEVELS, certainty(p), atol=1e-9)
    # through the grid, the label's intensity is R on the 0.1 grid
    flat = p.reshape(-1, 28)
    a = summarize_many(heads_to_grid(flat, levels=certainty_levels(flat)))
    np.testing.assert_allclose(a.intensity, np.round(certainty(flat) * 10) / 10, atol=1e-9)
    assert len(set(a.intensity.tolist())) >= 3


def test_bad_input_is_refused():
    with pytest.raises(ParameterError, match="28"):
        certainty(np.ones(27))
    with pytest.raises(ParameterError, match="mass"):
        certainty(np.zeros(28))
    with pytest.raises(ParameterError):
        certainty(np.full(28, np.nan))

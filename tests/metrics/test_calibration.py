"""Calibration tooling on synthetic data of known calibration."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.errors import ParameterError
from mvemo.metrics.calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    reliability_diagram,
)


def _sample(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Labels drawn from the given probabilities: these probabilities are calibrated by construction."""
    u = rng.random(len(probs))[:, None]
    return (u > np.cumsum(probs, axis=1)).sum(axis=1)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_a_known_miscalibration(true_t):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(20_000, 5)) * 2.0
    y = _sample(apply_temperature(logits, true_t), rng)  # calibrated at T = true_t
    assert fit_temperature(logits, y) == pytest.approx(true_t, rel=0.05)
    # from probabilities (log-probabilities as logits) the answer is the same
    assert fit_temperature(apply_temperature(logits, 1.0), y, probabilities=True) == pytest.approx(true_t, rel=0.05)


def test_temperature_scaling_lowers_ece_of_overconfident_predictions():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(20_000, 4)) * 3.0
    y = _sample(apply_temperature(logits, 3.0), rng)
    raw = apply_temperature(logits, 1.0)
    t = fit_temperature(logits[:10_000], y[:10_000])  # fit on "validation", score on the rest
    cal = apply_temperature(logits[10_000:], t)
    ece_raw = expected_calibration_error(raw[10_000:], y[10_000:])
    ece_cal = expected_calibration_error(cal, y[10_000:])
    assert ece_raw > 0.15 and ece_cal < 0.02


def test_ece_is_small_for_calibrated_and_known_for_constant_predictions():
    rng = np.random.default_rng(2)
    p = rng.dirichlet(np.ones(3), size=50_000)
    assert expected_calibration_error(p, _sample(p, rng)) < 0.01
    # always 0.8 on class 0, right half of the time: ECE = |0.5 - 0.8|
    q = np.tile([0.8, 0.1, 0.1], (1000, 1))
    y = np.array([0, 1] * 500)
    assert expected_calibration_error(q, y) == pytest.approx(0.3)


def test_bins_are_equal_width_and_right_closed():
    p = np.array([[0.5, 0.5], [0.6, 0.4], [1.0, 0.0], [0.7, 0.3]])
    b = reliability_bins(p, np.array([0, 0, 0, 1]), n_bins=5)
    assert np.allclose(b.edges, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    # 0.5 and 0.6 fall in (0.4, 0.6]; 0.7 in (0.6, 0.8]; 1.0 in (0.8, 1.0]
    assert b.count.tolist() == [0, 0, 2, 1, 1]
    assert b.accuracy[2] == 1.0 and b.accuracy[3] == 0.0 and np.isnan(b.accuracy[0])
    assert b.ece == pytest.approx((2 * abs(1 - 0.55) + abs(0 - 0.7) + abs(1 - 1.0)) / 4)


def test_bad_inputs_raise():
    with pytest.raises(ParameterError):
        expected_calibration_error(np.array([0.5, 0.5]), np.array([0]))
    with pytest.raises(ParameterError):
        expected_calibration_error(np.array([[0.5, 0.5]]), np.array([2]))
    with pytest.raises(ParameterError):
        fit_temperature(np.array([[0.7, 0.7]]), np.array([0]), probabilities=True)
    with pytest.raises(ParameterError):
        apply_temperature(np.zeros((1, 2)), 0.0)
    with pytest.raises(ParameterError):
        reliability_bins(np.array([[0.5, 0.5]]), np.array([0]), n_bins=0)


def test_reliability_diagram_writes_a_figure(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(4) * 0.5, size=500)
    y = _sample(p, rng)
    out = tmp_path / "cards" / "reliability.png"
    ece = reliability_diagram(p, y, out, title="test")
    assert out.is_file() and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ece == pytest.approx(expected_calibration_error(p, y))


def test_calibrated_ece_is_the_sampling_floor_of_a_calibrated_model():
    from mvemo.metrics.calibration import calibrated_ece

    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.full(4, 0.7), size=120)
    small_mean, small_p95 = calibrated_ece(p, n_draws=100)
    # labels drawn from p: the observed ECE of a calibrated model lies around the floor
    observed = [expected_calibration_error(p, _sample(p, rng)) for _ in range(50)]
    assert small_mean < small_p95
    assert abs(np.mean(observed) - small_mean) < 0.02
    # the floor shrinks with the sample size (about 1 / sqrt(N))
    big = rng.dirichlet(np.full(4, 0.7), size=4800)
    assert calibrated_ece(big, n_draws=20)[0] < small_mean / 3
    with pytest.raises(ParameterError, match="n_draws"):
        calibrated_ece(p, n_draws=0)

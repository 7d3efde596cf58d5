import numpy as np
import pytest

from mvemo.conversion import grid_times, resample_to_grid, va_series_to_labels
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES


def test_grid_times():
    assert grid_times(7.0).tolist() == [2.5, 3.0, 3.5, 4.0, 4.5]
    assert grid_times(5.0).tolist() == [2.5]
    assert grid_times(4.9).tolist() == []
    with pytest.raises(ParameterError):
        grid_times(-1)


def test_on_grid_series_is_unchanged_and_ends_are_not_extrapolated():
    t = 15.0 + 0.5 * np.arange(61)  # emoMusic: 2 Hz from 15 s to 45 s
    v = np.sin(t)
    grid, out = resample_to_grid(t, v)
    np.testing.assert_array_equal(grid, t)
    np.testing.assert_allclose(out, v)


def test_linear_interpolation_between_samples_and_gaps_are_missing():
    t = np.array([2.4, 3.1, 3.4, 6.0])
    grid, out = resample_to_grid(t, np.array([0.0, 0.7, 1.0, 1.0]))
    assert grid.tolist() == [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]
    assert out[0] == pytest.approx(0.1)
    assert out[1] == pytest.approx(0.6)
    assert np.isnan(out[2:7]).all()  # 3.4 -> 6.0 is a 2.6 s gap
    assert out[7] == 1.0


def test_nearest_method_and_nan_samples_and_errors():
    t = np.array([2.5, 2.9, 3.6])
    grid, out = resample_to_grid(t, np.array([1.0, 2.0, np.nan]), method="nearest")
    assert grid.tolist() == [2.5] and out.tolist() == [1.0]
    grid, out = resample_to_grid(np.array([2.6, 2.9]), np.array([[1, 2], [3, 4]]), method="nearest")
    assert grid.tolist() == [] and out.shape == (0, 2)
    with pytest.raises(ParameterError, match="repeat"):
        resample_to_grid(np.array([1.0, 1.0]), np.array([0.0, 1.0]))
    with pytest.raises(ParameterError, match="method"):
        resample_to_grid(np.array([1.0]), np.array([0.0]), method="cubic")  # type: ignore[arg-type]


def test_va_series_to_labels_reports_missing():
    t = np.array([15.5, 16.0, 16.5, 19.0])  # PMEmo-style, [0, 1]
    lab = va_series_to_labels(t, np.array([0.9, 0.9, 0.1, 0.1]), np.array([0.9, 0.5, 0.1, 0.1]), scale="0-1")
    assert lab.times.tolist() == [15.5, 16.0, 16.5, 17.0, 17.5, 18.0, 18.5, 19.0]
    assert [CATEGORIES[c] for c in lab.category[:3]] == ["excited", "pleased", "depressed"]
    assert lab.missing.tolist() == [False, False, False, True, True, True, True, False]
    assert np.isnan(lab.intensity[3])

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvemo.conversion import SCALES, Scale, label_to_va, labels_to_va, va_to_arrays, va_to_label, va_to_polar
from mvemo.conversion.va import normalize_to_unit, square_radius
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, INTENSITY_LEVELS, EmotionLabel, default_circumplex

CIRC = default_circumplex()


def test_min_max_normalisation_equation_5():
    assert normalize_to_unit([1, 3, 5, 9], scale=(1, 9)).tolist() == [-1.0, -0.5, 0.0, 1.0]
    assert normalize_to_unit(0.25, scale=SCALES["0-1"]) == -0.5
    assert Scale(0, 100).from_unit(0.0) == 50.0


def test_polar_equations_6_to_10():
    # (6.5, 3.0) on 1-9 -> (0.375, -0.5): theta = atan2(-0.5, 0.375), r = 0.625 / (1/0.8) = 0.5
    theta, r = va_to_polar(6.5, 3.0, scale=(1, 9))
    assert float(theta) == pytest.approx(np.degrees(np.arctan2(-0.5, 0.375)) + 360)
    assert float(r) == pytest.approx(0.5)
    # Corners and edges of the square have radius 1, the diagonal included.
    theta, r = va_to_polar(np.array([1, 1, -1, 0, 0.5]), np.array([1, 0, -1, -1, 1]))
    np.testing.assert_allclose(theta, [45, 0, 225, 270, np.degrees(np.arctan2(1, 0.5))])
    np.testing.assert_allclose(r, 1.0)


def test_axes_and_origin_do_not_divide_by_zero():
    with np.errstate(all="raise"):
        theta, r = va_to_polar(np.array([0.0, 0.0, 0.3]), np.array([0.0, 0.6, 0.0]))
        assert square_radius([90.0, 180.0, 270.0]).tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert theta.tolist() == [0.0, 90.0, 0.0]
    assert r.tolist() == pytest.approx([0.0, 0.6, 0.3])
    assert va_to_label(0.0, 0.0) == EmotionLabel("pleased", 0.0)


@pytest.mark.parametrize(("v", "a"), [(np.nan, 0.0), (0.0, np.inf), (10.0, 5.0), (0.5, 0.0)])
def test_rejects_nan_and_out_of_scale(v, a):
    with pytest.raises(ParameterError, match="valence|arousal"):
        va_to_polar(v, a, scale=(1, 9))


def test_bad_scales():
    with pytest.raises(ParameterError):
        Scale(5, 5)
    with pytest.raises(ParameterError, match="unknown scale"):
        va_to_polar(0, 0, scale="1-7")


def test_known_points_to_categories():
    assert va_to_label(9, 9, scale=(1, 9)) == EmotionLabel("excited", 1.0)
    assert va_to_label(0.0, 0.2, scale="0-1").category == "depressed"
    cat, inten = va_to_arrays([1.0, -1.0, 0.05], [0.0, 0.1, -1.0])
    assert [CATEGORIES[c] for c in cat] == ["pleased", "miserable", "sleepy"]
    assert inten.tolist() == [1.0, 1.0, 1.0]


@given(st.sampled_from(CATEGORIES), st.sampled_from(INTENSITY_LEVELS[1:]), st.sampled_from(["word", "center"]))
def test_label_to_va_round_trips(category, intensity, anchor):
    lab = EmotionLabel(category, intensity)
    v, a = label_to_va(lab, scale=(1, 9), anchor=anchor)
    assert 1 <= v <= 9 and 1 <= a <= 9
    assert va_to_label(v, a, scale=(1, 9)) == lab


@given(st.floats(-1, 1), st.floats(-1, 1))
def test_va_round_trip_within_a_quantisation_step(v, a):
    cat, inten = va_to_arrays(v, a)
    theta, r = va_to_polar(v, a)
    v2, a2 = labels_to_va(np.atleast_1d(cat), np.atleast_1d(inten))
    theta2, r2 = va_to_polar(v2, a2)
    assert abs(float(r2[0]) - float(r)) <= 0.05 + 1e-9
    if float(inten) == 0:  # intensity 0 is the origin: no direction to keep
        assert (abs(float(v2[0])), abs(float(a2[0]))) == (0.0, 0.0)
        return
    # The direction stays inside the category's sector.
    i = int(cat)
    assert (float(theta2[0]) - CIRC.sector_lower[i]) % 360 <= CIRC.sector_widths[i] + 1e-9
    assert (float(theta) - CIRC.sector_lower[i]) % 360 <= CIRC.sector_widths[i] + 1e-9

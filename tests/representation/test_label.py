import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvemo.errors import ParameterError
from mvemo.representation import (
    CATEGORIES,
    INTENSITY_LEVELS,
    EmotionLabel,
    default_circumplex,
    intensity_level,
    quantize_intensity,
)

CIRC = default_circumplex()


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 0.0),
        (0.04999, 0.0),
        (0.05, 0.1),
        (0.15, 0.2),
        (0.25, 0.3),
        (0.35, 0.4),
        (0.849, 0.8),
        (0.95, 1.0),
        (1.0, 1.0),
    ],
)
def test_intensity_rounds_half_up(x, expected):
    assert quantize_intensity(x) == expected


def test_intensity_levels_and_errors():
    assert INTENSITY_LEVELS == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    assert intensity_level([0.3, 0.7]).tolist() == [3, 7]
    for bad in (-0.1, 1.2, float("nan"), float("inf")):
        with pytest.raises(ParameterError, match="intensity"):
            quantize_intensity(bad)
    with pytest.raises(ParameterError, match="0.0, 0.1"):
        intensity_level(0.55, strict=True)


def test_label_is_immutable_and_normalised():
    lab = EmotionLabel("At_Ease", 0.26)
    assert (lab.category, lab.intensity, lab.index, lab.level) == ("at ease", 0.3, 23, 3)
    with pytest.raises(AttributeError):
        lab.intensity = 0.5  # type: ignore[misc]
    with pytest.raises(ParameterError, match="unknown emotion category 'joyous'"):
        EmotionLabel("joyous", 0.5)
    with pytest.raises(ParameterError):
        EmotionLabel("sad", "high")  # type: ignore[arg-type]
    assert lab.to_dict() == {"category": "at ease", "intensity": 0.3, "angle": 321.0}


def test_polar_and_cartesian_forms():
    lab = EmotionLabel("tense", 1.0)
    angle, r = lab.to_polar()
    assert angle == pytest.approx(92.81, abs=0.01) and r == 1.0
    assert lab.to_polar(anchor="center")[0] == pytest.approx(CIRC.sector_centers[5])
    x, y = lab.to_cartesian()
    assert x < 0 < y
    assert EmotionLabel.from_cartesian(x, y) == lab
    assert EmotionLabel.from_cartesian(0.0, 0.0) == EmotionLabel("pleased", 0.0)  # atan2(0, 0) = 0 degrees
    with pytest.raises(ParameterError):
        lab.to_polar(anchor="middle")  # type: ignore[arg-type]


@given(st.sampled_from(CATEGORIES), st.sampled_from(INTENSITY_LEVELS))
def test_label_at_its_sector_centre_converts_back_to_itself(category, intensity):
    lab = EmotionLabel(category, intensity)
    assert EmotionLabel.from_polar(*lab.to_polar(anchor="center")) == lab
    assert EmotionLabel.from_polar(*lab.to_polar(anchor="word")) == lab
    if intensity > 0:  # at the origin the direction is lost
        assert EmotionLabel.from_cartesian(*lab.to_cartesian()) == lab


@given(st.floats(-720, 720), st.floats(0, 1))
def test_from_polar_quantises_within_half_step(angle, radius):
    lab = EmotionLabel.from_polar(angle, radius)
    assert abs(lab.intensity - radius) <= 0.05 + 1e-9
    i = lab.index
    assert (angle - CIRC.sector_lower[i]) % 360 <= CIRC.sector_widths[i] + 1e-9

import pytest

from mvemo.conversion import QUADRANTS, angle_to_quadrant, label_to_quadrant, normalize_quadrant, quadrant_to_label
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

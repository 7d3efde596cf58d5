import csv

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mvemo.errors import DataError, ParameterError
from mvemo.representation import (
    CATEGORIES,
    REFERENCE_ANGLES,
    Circumplex,
    default_circumplex,
    normalize_category_name,
    weighted_circular_mean,
)

CIRC = default_circumplex()


def test_categories_in_paper_order():
    assert len(CATEGORIES) == 28
    assert CATEGORIES[:3] == ("happy", "delighted", "excited")
    assert CATEGORIES[23] == "at ease"
    assert CATEGORIES[-1] == "pleased"
    assert CIRC.categories == CATEGORIES


def test_default_angles_increase_counter_clockwise_and_match_reference_directions():
    assert np.all(np.diff(CIRC.angles) > 0)
    # Published positions lie near Russell's eight reference categories.
    near = {"excited": 45, "distressed": 135, "miserable": 180, "depressed": 225, "sleepy": 270}
    for word, ref in near.items():
        assert abs(CIRC.angles[CIRC.index(word)] - ref) < 15, word
    assert CIRC.angles[CIRC.index("happy")] == pytest.approx(7.8145, abs=1e-3)


def test_sectors_tile_the_circle_and_contain_their_words():
    assert CIRC.sector_widths.sum() == pytest.approx(360.0)
    assert np.all(CIRC.sector_widths > 0)
    assert np.all(CIRC.category_index_of(CIRC.angles) == np.arange(28))
    assert np.all(CIRC.category_index_of(CIRC.sector_centers) == np.arange(28))
    # Boundary between pleased (353.2) and happy (7.8) is their midpoint, through 0 degrees.
    i_happy = CIRC.index("happy")
    assert CIRC.sector_lower[i_happy] == pytest.approx((353.2216 + 7.8145 + 360) / 2 - 360, abs=1e-2)


def test_sector_boundaries_are_half_open_counter_clockwise():
    i = CIRC.index("sad")
    lower = CIRC.sector_lower[i]
    assert CIRC.category_index_of(lower) == i
    assert CIRC.category_index_of(lower - 1e-9) == CIRC.index("miserable")
    assert CIRC.category_index_of(CIRC.sector_upper[i]) == CIRC.index("gloomy")


@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_every_direction_belongs_to_exactly_one_sector(angle):
    a = angle % 360.0
    offset = (a - CIRC.sector_lower) % 360.0
    inside = offset < CIRC.sector_widths - 1e-9
    on_edge = np.abs(offset) < 1e-9
    members = np.flatnonzero(inside | on_edge)
    idx = int(CIRC.category_index_of(angle))
    assert idx in members
    assert len(members) == 1 or np.any(np.abs(offset[members] - CIRC.sector_widths[members]) < 1e-6)


def test_weighted_circular_mean_follows_equations_1_to_4():
    assert list(REFERENCE_ANGLES.values()) == [0, 45, 90, 135, 180, 225, 270, 315]
    assert float(weighted_circular_mean([1, 1, 0, 0, 0, 0, 0, 0])) == pytest.approx(22.5)
    # 2 votes for depression (225) and 1 for misery (180): atan2 of the weighted sum.
    f = np.array([0, 0, 0, 0, 1, 2, 0, 0], dtype=float)
    rad = np.deg2rad([180, 225])
    expected = np.rad2deg(np.arctan2(1 * np.sin(rad[0]) + 2 * np.sin(rad[1]), 1 * np.cos(rad[0]) + 2 * np.cos(rad[1])))
    assert float(weighted_circular_mean(f)) == pytest.approx(expected % 360)
    # Result is always shifted into [0, 360).
    assert float(weighted_circular_mean([1, 0, 0, 0, 0, 0, 0, 3])) == pytest.approx(
        np.rad2deg(np.arctan2(-3 * np.sqrt(0.5), 1 + 3 * np.sqrt(0.5))) + 360
    )


@pytest.mark.parametrize(
    "bad",
    [[1, 0, 0, 0, 1, 0, 0, 0], [-1, 0, 0, 0, 0, 0, 0, 0], [np.nan] * 8, [1, 2, 3], [0] * 8],
)
def test_weighted_circular_mean_rejects_bad_frequencies(bad):
    with pytest.raises(ParameterError):
        weighted_circular_mean(bad)


def test_circumplex_from_frequencies_uses_paper_procedure():
    table = {"joyful": [5, 3, 0, 0, 0, 0, 0, 0], "gloom": [0, 0, 0, 0, 2, 6, 0, 0], "still": [0] * 6 + [1, 4]}
    c = Circumplex.from_frequencies(table)
    assert c.categories == ("joyful", "gloom", "still")
    for i, word in enumerate(table):
        assert c.angles[i] == pytest.approx(float(weighted_circular_mean(table[word])))


def test_circumplex_validation_and_csv(tmp_path):
    with pytest.raises(ParameterError, match="unique"):
        Circumplex(["a", "A"], [0, 90])
    with pytest.raises(ParameterError, match="distinct"):
        Circumplex(["a", "b"], [10, 370])
    path = tmp_path / "angles.csv"
    path.write_text("category,angle_deg\nup,90\ndown,270\nright,0\n")
    c = Circumplex.from_csv(path)
    assert c.categories[int(c.category_index_of(100))] == "up"
    assert c.categories[int(c.category_index_of(-30))] == "right"
    bad = tmp_path / "bad.csv"
    bad.write_text("category,deg\nup,90\n")
    with pytest.raises(DataError, match="bad.csv"):
        Circumplex.from_csv(bad)


def test_unknown_category_suggests_close_matches():
    with pytest.raises(ParameterError, match="did you mean 'relaxed'"):
        CIRC.index("relaxd")
    assert normalize_category_name("AT_EASE") == "at ease"


def test_packaged_angles_match_the_research_table(shared_data):
    rows = list(csv.DictReader(open(shared_data / "russell1980_circumplex/russell28_unit_circle_emostyle_wrapper.csv")))
    published = np.array([float(r["angle_deg_computed"]) for r in rows])
    np.testing.assert_allclose(CIRC.angles, published, atol=0.06)

import pytest

from mvemo.conversion import WordMap
from mvemo.data.labels import dynamic_from_va, static_from_quadrant, static_from_va, static_from_words
from mvemo.representation import default_circumplex

WM = WordMap.from_dict({"joy": "happy", "gloom": "gloomy", "calm": "calm", "aroused": "aroused",
                        "sleepy": "sleepy", "film": None, "party": None})  # fmt: skip


def test_single_word_gives_its_category():
    assert static_from_words({"joy": 1.0}, word_map=WM) == ({"category": "happy", "intensity": 0.5}, [])


def test_weighted_circular_mean_of_categories():
    label, problems = static_from_words({"joy": 0.9, "calm": 0.1}, word_map=WM)
    assert problems == [] and label["category"] in ("happy", "pleased", "glad")
    # weights move the direction: mostly calm stays near calm
    label, _ = static_from_words({"joy": 0.1, "calm": 0.9}, word_map=WM)
    circ = default_circumplex()
    assert abs(circ.angles[circ.index(label["category"])] - circ.angles[circ.index("calm")]) < 40


def test_non_emotional_words_are_ignored_or_reported():
    assert static_from_words({"joy": 1, "film": 1}, word_map=WM)[0]["category"] == "happy"
    assert static_from_words({"film": 1, "party": 1}, word_map=WM) == (
        None,
        ["only words without emotional meaning: film, party"],
    )


def test_unknown_words_block_the_label():
    label, problems = static_from_words({"joy": 1, "zzz": 1, "aaa": 0.5}, word_map=WM)
    assert label is None and problems == ["unknown word(s) not in the word table: aaa, zzz"]
    # a word with zero weight does not count
    assert static_from_words({"joy": 1, "zzz": 0}, word_map=WM)[1] == []


def test_cancelling_and_empty():
    aroused_sleepy = static_from_words({"aroused": 1, "sleepy": 1}, word_map=WM)
    circ = default_circumplex()
    opposite = abs(abs(circ.angles[circ.index("aroused")] - circ.angles[circ.index("sleepy")]) - 180) < 1e-6
    if opposite:
        assert aroused_sleepy[0] is None and "cancel" in aroused_sleepy[1][0]
    assert static_from_words({"joy": 0}, word_map=WM) == (None, ["no word with a positive weight"])


def test_quadrant_and_va():
    assert static_from_quadrant("Q2") == ({"category": "distressed", "intensity": 0.5}, [])
    assert static_from_quadrant(None) == (None, ["missing 4Q class"])
    assert static_from_quadrant("Q7")[0] is None
    assert static_from_va(None, 3, scale="1-9") == (None, ["missing valence"])
    label, problems = static_from_va(6.5, 3.0, scale="1-9")
    assert label == {"category": "calm", "intensity": 0.5} and problems == []
    label, problems = static_from_va(10, 3, scale="1-9")
    assert label is None and "outside the scale" in problems[0]


def test_dynamic_gaps_are_reported():
    points, problems = dynamic_from_va(
        [15.0, 15.5, 16.0, 18.0], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], scale="-1-1"
    )
    assert [p["time"] for p in points] == [15.0, 15.5, 16.0, 16.5, 17.0, 17.5, 18.0]
    assert points[3] == {"time": 16.5, "category": None, "intensity": None}
    assert problems == ["dynamic: 3 of 7 grid times have no label (gaps)"]
    assert dynamic_from_va([1.0], [0.0], [0.0], scale="-1-1") == (None, ["dynamic series gives no grid times"])
    assert dynamic_from_va([3.0, 3.5], [2.0, 0.0], [0.0, 0.0], scale="-1-1")[0] is None
    assert dynamic_from_va([3.0, 3.5], [None, 0.0], [0.0, 0.0], scale="-1-1")[0] == [
        {"time": 3.5, "category": "pleased", "intensity": 0.0}
    ]


@pytest.mark.parametrize("max_gap,n_missing", [(1.0, 3), (2.5, 0)])
def test_dynamic_max_gap(max_gap, n_missing):
    points, _ = dynamic_from_va([3.0, 5.0], [0.2, 0.4], [0.2, 0.4], scale="-1-1", max_gap=max_gap)
    assert sum(p["category"] is None for p in points) == n_missing

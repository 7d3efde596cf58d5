"""The reviewed emotion-word table and the WordMap API (mvemo.conversion.words)."""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest

from mvemo.conversion.words import (
    UnknownWordError,
    WordMap,
    default_word_map,
    normalize_word,
    word_map_vocabularies,
    word_to_label,
)
from mvemo.errors import DataError, ParameterError
from mvemo.representation import CATEGORIES, EmotionLabel, default_circumplex

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_word_map.py"
DATA = Path(os.environ.get("MVEMO_DATA") or REPO.parent / "shared" / "data")

COLUMNS = ["vocabulary", "word", "proposed", "final", "reason"]
EXPECTED_COUNTS = {
    "mtg-jamendo": 59,
    "emotify-gems9": 9,
    "muvi": 27,
    "xlm-emo": 4,
    "mirex-clusters": 29,
    "allmusic-4q": 208,
}
GEMS9 = {"amazement", "solemnity", "tenderness", "nostalgia", "calmness", "power",
         "joyful activation", "tension", "sadness"}  # fmt: skip
XLM_EMO = {"anger", "fear", "joy", "sadness"}
MIREX = {
    "passionate", "rousing", "confident", "boisterous", "rowdy",
    "rollicking", "cheerful", "fun", "sweet", "amiable/good natured",
    "literate", "poignant", "wistful", "bittersweet", "autumnal", "brooding",
    "humorous", "silly", "campy", "quirky", "whimsical", "witty", "wry",
    "aggressive", "fiery", "tense/anxious", "intense", "volatile", "visceral",
}  # fmt: skip


def _quadrant(category: str) -> int:
    """Quadrant 1-4 of a category's angle."""
    circ = default_circumplex()
    return int(circ.angles[circ.index(category)] // 90) + 1


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    ref = resources.files("mvemo.conversion").joinpath("data/word_map.csv")
    with ref.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _load_script():
    spec = importlib.util.spec_from_file_location("build_word_map", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_word_map"] = module
    spec.loader.exec_module(module)
    return module


# -- the packaged table ---------------------------------------------------------------
def test_packaged_table_loads(rows):
    wm = default_word_map()
    assert len(wm) == len({r["word"] for r in rows})
    assert len(wm) > 250
    assert wm.source.endswith("word_map.csv")


def test_categories_are_valid(rows):
    valid = set(CATEGORIES) | {""}
    bad = [(r["word"], r["final"]) for r in rows if r["final"] not in valid]
    assert not bad
    assert not [(r["word"], r["proposed"]) for r in rows if r["proposed"] not in valid]


def test_words_are_normalised_and_unique(rows):
    assert all(normalize_word(r["word"]) == r["word"] for r in rows)
    keys = [(r["vocabulary"], r["word"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_every_row_has_a_reason(rows):
    assert all(r["reason"].strip() for r in rows)
    # A changed proposal must say why, not "norms agree".
    assert not [r["word"] for r in rows if r["final"] != r["proposed"] and r["reason"] == "norms agree"]


def test_counts_per_vocabulary(rows):
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["vocabulary"]] += 1
    assert dict(counts) == EXPECTED_COUNTS
    assert set(word_map_vocabularies()) == set(EXPECTED_COUNTS)


def test_vocabulary_contents(rows):
    by_vocab: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_vocab[r["vocabulary"]].add(r["word"])
    assert by_vocab["emotify-gems9"] == GEMS9
    assert by_vocab["xlm-emo"] == XLM_EMO
    assert by_vocab["mirex-clusters"] == MIREX
    assert {"christmas", "melancholic", "happy", "soundscape"} <= by_vocab["mtg-jamendo"]
    assert {"filled with wonder", "feeling of transcendence", "agitated"} <= by_vocab["muvi"]
    assert {"calm/peaceful", "amiable/good-natured", "tense/anxious"} <= by_vocab["allmusic-4q"]


def test_same_word_same_final_across_vocabularies(rows):
    finals: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        finals[r["word"]].add(r["final"])
    assert {w: f for w, f in finals.items() if len(f) > 1} == {}
    shared = [w for w in finals if sum(r["word"] == w for r in rows) > 1]
    assert len(shared) > 20  # the check above is not vacuous
    wm = default_word_map()
    assert wm.category("amiable/good natured") == wm.category("amiable/good-natured")


def test_vocabulary_filter():
    muvi = default_word_map("muvi")
    assert len(muvi) == 27
    assert "filled_with_wonder" in muvi and "christmas" not in muvi
    with pytest.raises(ParameterError, match="unknown vocabulary"):
        default_word_map("no-such-vocabulary")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("anger", "angry"),
        ("calmness", "calm"),
        ("fear", "afraid"),
        ("sadness", "sad"),
        ("tension", "tense"),
        ("amazement", "astonished"),
        ("mood/theme---sad", "sad"),
        ("Relaxing", "relaxed"),
        ("blue", "sad"),
    ],
)
def test_spot_checks(word, expected):
    assert default_word_map().category(word) == expected


def test_spot_check_quadrants():
    wm = default_word_map()
    assert wm.category("melancholic") in {"sad", "gloomy", "depressed", "miserable"}
    assert _quadrant(wm.category("melancholic")) == 3
    assert _quadrant(wm.category("joy")) == 1
    assert _quadrant(wm.category("joyful_activation")) == 1
    assert _quadrant(wm.category("tense/anxious")) == 2
    assert _quadrant(wm.category("calm/peaceful")) == 4
    assert _quadrant(wm.category("serene")) == 4


@pytest.mark.parametrize("word", ["christmas", "film", "advertising", "sport", "mood/theme---corporate"])
def test_words_without_emotional_meaning(word):
    assert default_word_map().category(word) is None
    assert word_to_label(word) is None


def test_word_to_label_default():
    assert word_to_label("mood/theme---happy") == EmotionLabel("happy", 0.5)
    assert word_to_label("anger", intensity=0.8) == EmotionLabel("angry", 0.8)


# -- errors and user mappings ----------------------------------------------------------
def test_unknown_word_suggests_close_matches():
    with pytest.raises(UnknownWordError, match="melancholic") as info:
        word_to_label("melancolic")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ParameterError)
    assert "close matches" in str(info.value)


def test_unknown_word_without_close_match():
    with pytest.raises(UnknownWordError) as info:
        default_word_map().category("xyzzyq")
    assert "close matches" not in str(info.value)


def test_user_dict_mapping():
    mapping = {"Gloom_Core": "gloomy", "noise": None}
    assert word_to_label("gloom core", mapping=mapping) == EmotionLabel("gloomy", 0.5)
    assert word_to_label("noise", mapping=mapping) is None
    wm = WordMap.from_dict(mapping, source="mine")
    assert wm.words() == ("gloom core", "noise")
    assert wm.category("GLOOM_CORE") == "gloomy"
    with pytest.raises(UnknownWordError, match="mine"):
        word_to_label("sad", mapping=wm)


def test_user_dict_bad_category():
    with pytest.raises(ParameterError, match="melancholy"):
        WordMap.from_dict({"blue": "melancholy"})
    with pytest.raises(ParameterError):
        word_to_label("blue", mapping={"blue": "sadd"})


def test_user_dict_conflicting_duplicates():
    with pytest.raises(ParameterError, match="mapped twice"):
        WordMap.from_dict({"Sad": "sad", "sad": "happy"})
    # The same category twice is fine.
    assert len(WordMap.from_dict({"Sad": "sad", "sad": "sad"})) == 1


def test_csv_mapping(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("vocabulary,word,final\nmine,Doom,gloomy\nmine,jingle,\nother,party,excited\n", encoding="utf-8")
    wm = WordMap.from_csv(path)
    assert wm.category("doom") == "gloomy"
    assert wm.category("jingle") is None
    assert wm.source == str(path)
    assert len(WordMap.from_csv(path, vocabulary="mine")) == 2
    assert word_to_label("doom", mapping=wm) == EmotionLabel("gloomy", 0.5)


def test_csv_mapping_category_column(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text("word,category\nmoody,gloomy\n", encoding="utf-8")
    assert WordMap.from_csv(path).category("moody") == "gloomy"


def test_csv_missing_columns(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("term,label\ndoom,gloomy\n", encoding="utf-8")
    with pytest.raises(DataError, match="broken.csv") as info:
        WordMap.from_csv(path)
    assert "word" in str(info.value)


def test_csv_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad_cat.csv"
    bad.write_text("word,final\ndoom,doomy\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad_cat.csv"):
        WordMap.from_csv(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("word,final\ndoom,gloomy\nDoom,happy\n", encoding="utf-8")
    with pytest.raises(DataError, match="twice.csv.*mapped twice"):
        WordMap.from_csv(twice)
    empty = tmp_path / "empty.csv"
    empty.write_text("word,final\n", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        WordMap.from_csv(empty)
    with pytest.raises(DataError, match="missing.csv"):
        WordMap.from_csv(tmp_path / "missing.csv")


# -- the proposal script, without data ---------------------------------------------------
def test_script_proposal_rule_on_a_toy_lexicon():
    bwm = _load_script()
    toy = bwm.Lexicon(
        "toy",
        (1.0, 9.0),
        {"glad": (8.0, 4.0), "calm": (7.0, 1.0), "angry": (4.2, 9.0), "good-natured": (7.5, 3.5), "wonder": (7.0, 7.0)},
    )
    assert bwm.propose("angry", (toy,)) == ("toy", "angry")  # (-0.2, 1): 101 deg
    assert bwm.propose("calmness", (toy,))[0] == "toy"  # lemma: calmness -> calm
    assert bwm.lookup("good natured", toy) == (7.5, 3.5)  # hyphen/space variant
    assert bwm.lookup("filled_with_wonder", toy) == (7.0, 7.0)  # parts found: "wonder"
    assert bwm.lookup("glad/calm", toy) == pytest.approx((7.5, 2.5))
    assert bwm.propose("unheard-of", (toy,)) == ("none", "")
    # Circular distance wraps through 0: pleased at 353 deg, happy at 8 deg.
    assert bwm.nearest_category(359.0) == "pleased"
    assert bwm.nearest_category(2.0) == "happy"
    assert "melancholy" in bwm.lemma_candidates("melancholic")


# -- regeneration from the research data ----------------------------------------------
@pytest.mark.shared_data
def test_proposals_match_regeneration(rows):
    if not (DATA / "warriner2013").is_dir():
        pytest.skip(f"research data not found at {DATA} (set MVEMO_DATA)")
    bwm = _load_script()
    regenerated = bwm.build_proposals(DATA)
    assert [(r["vocabulary"], r["word"], r["proposed"]) for r in rows] == [
        (r["vocabulary"], r["word"], r["proposed"]) for r in regenerated
    ]
    # Every AllMusic mood of the metadata is covered.
    moods = set()
    with open(DATA / "4q_panda2018" / "metadata.csv", newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            moods.update(normalize_word(w) for w in rec["MoodsStr"].split(";") if w.strip())
    wm = default_word_map("allmusic-4q")
    assert moods and not sorted(m for m in moods if m not in wm)

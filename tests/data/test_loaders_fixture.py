"""Loaders on tiny synthetic datasets written in tmp_path (no research data needed)."""

import pytest

from mvemo.conversion import va_to_label
from mvemo.data import load
from mvemo.errors import ParameterError
from mvemo.representation import EmotionLabel

from .fixtures import make_4q, make_deam, make_emomusic, make_emopia, make_emotify, make_mtg, make_soundtracks, write


def test_4q(tmp_path):
    make_4q(tmp_path, n_per_quadrant=10)
    ds = load("4q_panda2018", data_home=tmp_path)
    items = ds.index()
    assert len(items) == 40
    it = ds["MT100000"]
    assert it.static == EmotionLabel("excited", 0.5)
    assert it.media == {"audio": "audio/4q_panda2018/Q1/MT100000.opus"}
    assert it.labels["moods"] == ["Happy", "Calm"] and it.labels["quadrant"] == "Q1"
    assert it.duration == pytest.approx(0.5, abs=0.05) and it.modality == "audio"
    assert {ds[i].labels["quadrant"] for i in ds.splits()["test"]} == {"Q1", "Q2", "Q3", "Q4"}
    assert [len(v) for v in ds.splits().values()] == [32, 4, 4]
    samples, rate = it.audio()
    assert rate == 48000 and samples.size > 0


def test_4q_metadata_disagreement_is_reported(tmp_path):
    make_4q(tmp_path, n_per_quadrant=1, audio=False)
    path = tmp_path / "4q_panda2018" / "metadata.csv"
    path.write_text(
        path.read_text().replace('"MT100000","Artist 0","Title 0","Q1"', '"MT100000","Artist 0","Title 0","Q2"')
    )
    it = load("4q_panda2018", data_home=tmp_path)["MT100000"]
    assert it.static is not None and it.problems == ["metadata.csv says Q2, annotations.csv says Q1"]


def test_emotify_shares_and_word_rule(tmp_path, word_map):
    make_emotify(tmp_path)
    ds = load("emotify", data_home=tmp_path, word_map=word_map)
    a, b, c = ds.index()
    assert a.labels["gems"]["calmness"] == 1.0 and a.labels["gems"]["tenderness"] == 0.5
    assert a.labels["n_raters"] == 2 and a.labels["liked"] == 0.5
    assert b.labels["gems"]["power"] == 0.75 and b.labels["gems"]["tension"] == 0.25
    assert b.media == {"audio": "audio/emotify/rock/101.opus"} and b.custom["genre"] == "rock"
    assert c.static == EmotionLabel("excited", 0.5)  # one term: its category
    assert a.static["category"] in ("calm", "relaxed", "satisfied", "at ease", "content", "serene")
    assert ds.validate().ok
    # an unknown term with votes blocks the label and is reported
    ds = load("emotify", data_home=tmp_path, word_map={k: v for k, v in word_map.items() if k != "power"})
    b = ds["101"]
    assert b.static is None and b.problems == ["unknown word(s) not in the word table: power"]


def test_emotify_genre_range_is_checked(tmp_path, word_map):
    make_emotify(tmp_path)
    path = tmp_path / "emotify" / "data.csv"
    path.write_text(path.read_text().replace("301,pop", "301,rock"))
    it = load("emotify", data_home=tmp_path, word_map=word_map)["301"]
    assert any("outside the rock range 101-200" in p for p in it.problems)
    assert any("track_index.csv says genre pop" in p for p in it.problems)


def test_emopia_official_splits(tmp_path):
    make_emopia(tmp_path)
    ds = load("emopia", data_home=tmp_path)
    assert {k: len(v) for k, v in ds.splits().items()} == {"train": 7, "validation": 2, "test": 1}
    it = ds["Q3_d_x_Y_0"]
    assert it.custom == {"song_id": "d_x_Y", "segment": "0"} and it.labels["quadrant"] == 3
    assert it.static["category"] == "depressed" and it.media["midi"] == "emopia/midis/Q3_d_x_Y_0.mid"
    assert ds.validate(decode=True).ok


def test_mtg_tags_splits_and_non_emotional(tmp_path, word_map):
    make_mtg(tmp_path)
    ds = load("mtg_jamendo_moodtheme", data_home=tmp_path, word_map=word_map)
    assert ds["track_4"].labels["tags"] == ["happy", "calm", "film"]
    assert ds["track_1"].static == EmotionLabel("happy", 0.5)
    assert ds["track_3"].static is None
    assert ds["track_3"].problems == ["only words without emotional meaning: film"]
    assert ds["track_2"].static["category"] == "sad"  # film is ignored
    assert ds["track_1"].split == "train" and ds["track_5"].split == "unassigned"
    assert ds["track_1"].duration == 200.5 and ds["track_1"].modality == "none"
    ds1 = load("mtg_jamendo_moodtheme", data_home=tmp_path, word_map=word_map, split_index=1)
    assert ds1["track_1"].split == "validation"
    with pytest.raises(ParameterError, match="0..4"):
        load("mtg_jamendo_moodtheme", data_home=tmp_path, split_index=7)
    assert "mellow" in ds.words()


def test_deam_column_rule_and_id_splits(tmp_path):
    make_deam(tmp_path)
    ds = load("deam", data_home=tmp_path)
    assert {k: len(v) for k, v in ds.splits().items()} == {"2013": 1, "2014": 1, "2015": 1}
    old, new = ds["5"], ds["1500"]
    assert (
        old.labels == new.labels == {"valence_mean": 8.0, "valence_std": 1.0, "arousal_mean": 2.0, "arousal_std": 1.0}
    )
    assert old.custom["va_columns"] == "swapped (emoMusic naming)" and new.custom["va_columns"] == "as named"
    assert old.static != new.static  # the same numbers read differently, as documented
    assert ds["2001"].labels["valence_max_mean"] == 5.0


def test_emomusic_static_dynamic_and_tabs(tmp_path):
    make_emomusic(tmp_path)
    ds = load("emomusic", data_home=tmp_path)
    a, b = ds["2"], ds["3"]
    assert a.split == "development" and b.split == "evaluation"
    assert a.custom["genre"] == "Blues" and a.custom["title"] == "T"
    label = va_to_label(8, 3, scale=(1, 9))  # mean_valence 8, mean_arousal 3 (emoMusic naming)
    assert a.static == EmotionLabel(label.category, label.intensity)
    assert [p["time"] for p in a.dynamic] == [15.0, 15.5, 16.0, 16.5, 17.0]
    assert a.modality == "audio" and b.modality == "none" and b.media == {}
    assert b.duration == 45.0
    assert b.static is None and "outside the scale" in b.problems[0]  # arousal 9.5 on 1-9
    assert a.labels["dynamic_va"]["valence"] == [0.5] * 5


def test_soundtracks_bom_and_links(tmp_path):
    make_soundtracks(tmp_path)
    ds = load("soundtracks_eerola2011", data_home=tmp_path)
    assert [it.id for it in ds] == [
        "soundtracks_eerola2011:set1-001",
        "soundtracks_eerola2011:set1-002",
        "soundtracks_eerola2011:set2-001",
    ]
    assert ds["set1-001"].labels["valence"] == 7.0 and ds["set1-001"].labels["target"] == "HAPPY"
    assert ds["set2-001"].split == ds["set1-002"].split
    assert ds["set1-001"].duration == 15.0
    assert ds["set2-001"].labels["beauty"] == 5.0


def test_missing_required_column_in_tsv(tmp_path, word_map):
    make_mtg(tmp_path)
    write(tmp_path / "mtg_jamendo_moodtheme/data/autotagging_moodtheme.tsv", "TRACK_ID\tTAGS\nt\tx\n")
    with pytest.raises(Exception, match="autotagging_moodtheme.tsv.*ARTIST_ID"):
        load("mtg_jamendo_moodtheme", data_home=tmp_path, word_map=word_map).index()

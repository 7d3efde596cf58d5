"""Per-dataset checks of real values against the data README (skip without the research data)."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from mvemo.conversion import label_to_quadrant
from mvemo.data import load

from .conftest import SHARED, shared_available, shared_dataset

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not shared_available(), reason=f"research data not found at {SHARED} (set MVEMO_DATA)"),
]

ds = shared_dataset


def _count(name, key):
    return Counter(key(it) for it in ds(name).index())


def _splits(name):
    return {k: len(v) for k, v in ds(name).splits().items()}


def test_4q():
    assert len(ds("4q_panda2018")) == 808
    assert _count("4q_panda2018", lambda it: it.labels["quadrant"]) == {f"Q{q}": 202 for q in range(1, 5)}
    assert _count("4q_panda2018", lambda it: label_to_quadrant(it.static_label)) == {f"Q{q}": 202 for q in range(1, 5)}
    assert _splits("4q_panda2018") == {"train": 648, "validation": 80, "test": 80}
    short = {it.id.split(":")[1] for it in ds("4q_panda2018") if it.duration < 20}
    assert short == {"MT0013621344", "MT0013914319"}
    assert not any(it.problems for it in ds("4q_panda2018"))


def test_emotify_shares_match_track_labels():
    items = {it.id.split(":")[1]: it for it in ds("emotify")}
    assert len(items) == 360
    genres = ("classical", "rock", "electronic", "pop")
    assert _count("emotify", lambda it: it.custom["genre"]) == {g: 90 for g in genres}
    with open(SHARED / "emotify" / "track_labels.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 360
    for r in rows:
        it = items[r["track_id"]]
        assert it.labels["n_raters"] == int(r["n_raters"]) and it.custom["genre"] == r["genre"]
        for term, share in it.labels["gems"].items():
            assert share == pytest.approx(float(r[term]), abs=5.1e-5), (r["track_id"], term)
        assert it.labels["liked"] == pytest.approx(float(r["liked"]), abs=5.1e-5)
    assert sum(it.labels["n_raters"] for it in items.values()) == 7621
    assert not any("range" in p or "genre" in p for it in items.values() for p in it.problems)
    assert all(it.media["audio"] == f"audio/emotify/{it.custom['genre']}/{k}.opus" for k, it in items.items())
    short = {k for k, it in items.items() if it.duration < 59}
    assert short <= {"16", "40", "57", "66", "73"} and all(items[k].custom["genre"] == "classical" for k in short)


def test_emomusic():
    assert len(ds("emomusic")) == 744
    assert _splits("emomusic") == {"development": 619, "evaluation": 125}
    with_audio = {it.id.split(":")[1] for it in ds("emomusic") if it.media}
    assert with_audio == {"2", "3", "4", "5", "7", "8", "10", "12", "13", "17"}
    # the values as emoMusic's header names them (no claim about which naming is right)
    with open(SHARED / "emomusic/annotations/static_annotations.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            labels = ds("emomusic")[r["song_id"]].labels
            expected = (float(r["mean_arousal"]), float(r["mean_valence"]))
            assert (labels["arousal_mean"], labels["valence_mean"]) == expected
    song = ds("emomusic")["2"]
    assert song.custom["genre"] == "Blues"
    assert not any("\t" in str(v) for it in ds("emomusic") for v in it.custom.values())  # stray tabs stripped
    assert all(
        len(it.dynamic) == 61 and it.dynamic[0]["time"] == 15.0 and it.dynamic[-1]["time"] == 45.0
        for it in ds("emomusic")
    )
    assert song.duration == pytest.approx(45.0, abs=0.1)
    assert _count("emomusic", lambda it: it.custom["genre"])["Classical"] == 116


def test_pmemo():
    items = ds("pmemo").index()
    assert len(items) == 767
    full = {it.id.split(":")[1]: it for it in items if it.dynamic}
    assert set(full) == {"108", "372", "634", "683"} == {it.id.split(":")[1] for it in items if it.media}
    for sid, q in (("108", "Q1"), ("372", "Q2"), ("634", "Q3"), ("683", "Q4")):
        it = full[sid]
        assert it.labels["sample"]["quadrant"].startswith(q)
        assert label_to_quadrant(it.static_label) == q
        assert it.dynamic[0]["time"] == 15.5
        assert all(b["time"] - a["time"] == pytest.approx(0.5) for a, b in zip(it.dynamic, it.dynamic[1:]))
    with open(SHARED / "pmemo/data/scatter.json", encoding="utf-8") as fh:
        scatter = json.load(fh)
    for r in scatter:
        labels = ds("pmemo")[str(r["id"])].labels
        assert (labels["valence"], labels["arousal"]) == (r["v"], r["a"])


def test_deam():
    assert len(ds("deam")) == 1802
    assert _splits("deam") == {"2013": 744, "2014": 1000, "2015": 58}
    assert _count("deam", lambda it: it.custom["source_file"]).most_common()[0][1] == 1744
    ids_2013 = {it.id.split(":")[1] for it in ds("deam") if it.split == "2013"}
    assert ids_2013 == {it.id.split(":")[1] for it in ds("emomusic")}
    assert all(
        it.custom["va_columns"] == ("swapped (emoMusic naming)" if it.split == "2013" else "as named")
        for it in ds("deam")
    )
    # both files hold the same numbers for song 2 under swapped names (README table)
    assert ds("deam")["2"].labels["valence_mean"] == ds("emomusic")["2"].labels["arousal_mean"]


def test_mtg_jamendo():
    assert len(ds("mtg_jamendo_moodtheme")) == 18486
    assert _splits("mtg_jamendo_moodtheme") == {"train": 9949, "validation": 3802, "test": 4231, "unassigned": 504}
    tags = {t for it in ds("mtg_jamendo_moodtheme") for t in it.labels["tags"]}
    assert len(tags) == 59 and len(ds("mtg_jamendo_moodtheme").words()) == 59
    assigned = {t for it in ds("mtg_jamendo_moodtheme") if it.split != "unassigned" for t in it.labels["tags"]}
    assert tags - assigned == set() and len(tags) == 59  # dropped tags also occur on split tracks
    other = load("mtg_jamendo_moodtheme", data_home=SHARED, split_index=3)
    assert {k: len(v) for k, v in other.splits().items()} == {
        "train": 10920,
        "validation": 3500,
        "test": 3562,
        "unassigned": 504,
    }
    for it in ds("mtg_jamendo_moodtheme"):
        assert (it.static is None) == bool(it.problems)


def test_muvi():
    items = ds("muvi").index()
    assert len(items) == 243 and len({it.custom["media_id"] for it in items}) == 81
    per = Counter()
    for it in items:
        per[it.labels["condition"]] += it.labels["n_ratings"]
    assert per == {"music": 493, "video": 510, "muted_video": 491}
    split_of = {}
    for it in items:
        assert split_of.setdefault(it.custom["media_id"], it.split) == it.split


def test_vgmidi():
    assert len(ds("vgmidi")) == 204
    assert _count("vgmidi", lambda it: (it.labels["valence"], it.labels["arousal"])) == {
        (1, 1): 76,
        (1, -1): 62,
        (-1, 1): 39,
        (-1, -1): 27,
    }
    assert all(it.dynamic and it.custom["dynamic_media"] == "piece" for it in ds("vgmidi"))
    assert ds("vgmidi")["8144_2"].media["piece"].endswith("Fairy of the Peace.mid")
    split_of = {}
    for it in ds("vgmidi"):
        assert split_of.setdefault(it.custom["piece_file"], it.split) == it.split


def test_emopia():
    assert len(ds("emopia")) == 1078
    assert _splits("emopia") == {"train": 876, "validation": 114, "test": 88}
    assert _count("emopia", lambda it: it.labels["quadrant"]) == {1: 250, 2: 265, 3: 253, 4: 310}
    songs = {}
    for it in ds("emopia"):
        songs.setdefault(it.custom["song_id"], set()).add(it.split)
    assert len(songs) == 387 and all(len(s) == 1 for s in songs.values())  # official split is by song
    assert not any(it.problems for it in ds("emopia"))


def test_lyrics():
    lyr = ds("lyrics")
    assert len(lyr) == 1761
    sources = {"MoodyLyrics4Q": 1668, "PMEmo2019": 92, "emoMusic": 1}
    assert _count("lyrics", lambda it: it.custom["source_dataset"]) == sources
    classes = {"happy": 507, "angry": 435, "sad": 415, "relaxed": 404}
    assert _count("lyrics", lambda it: it.labels["emotion_4Q"]) == classes
    assert _count("lyrics", lambda it: it.label_type) == {"4q": 1668, "va": 93}
    text = lyr.lyrics(lyr.index()[0])
    assert isinstance(text, str) and len(text) > 20


def test_moodylyrics():
    assert len(ds("moodylyrics")) == 2000
    classes = ("happy", "angry", "sad", "relaxed")
    assert _count("moodylyrics", lambda it: it.labels["MoodQ4"]) == {w: 500 for w in classes}
    assert all(it.custom["weak_labels"] for it in ds("moodylyrics"))


def test_soundtracks():
    items = ds("soundtracks_eerola2011").index()
    assert _count("soundtracks_eerola2011", lambda it: it.custom["set"]) == {1: 360, 2: 110}
    assert Counter(it.labels["target"] for it in items if it.custom["set"] == 1) == {
        t: 30
        for t in (
            "HAPPY",
            "SAD",
            "TENDER",
            "FEAR",
            "ANGER",
            "SURPRISE",
            "HIGH VALENCE",
            "LOW VALENCE",
            "HIGH ENERGY",
            "LOW ENERGY",
            "HIGH TENSION",
            "LOW TENSION",
        )
    }
    with open(SHARED / "soundtracks_eerola2011/mean_ratings_set1.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:  # the BOM does not leak into the first column name
        it = ds("soundtracks_eerola2011")[f"set1-{r['number']}"]
        assert (it.labels["valence"], it.labels["energy"]) == (float(r["valence"]), float(r["energy"]))
    assert ds("soundtracks_eerola2011")["set1-001"].duration == 15.0
    split_of = {it.custom["number"]: it.split for it in items if it.custom["set"] == 1}
    assert all(it.split == split_of[it.custom["link"]] for it in items if it.custom["set"] == 2)

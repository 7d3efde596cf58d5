"""Lyrics predictor: record contract, dynamic grid over LRC lines, gaps, non-English, errors."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mvemo.conversion.dynamic import grid_times
from mvemo.conversion.quadrant import conform_categories
from mvemo.errors import DataError, ParameterError
from mvemo.features.lyrics import EMBEDDING_DIM, LEXICON_FEATURES
from mvemo.io.lyrics import parse_lrc, parse_plain
from mvemo.models.lyrics import (
    LyricsHeads,
    LyricsHeadsConfig,
    load_lyrics_heads,
    save_lyrics_heads,
)
from mvemo.predict.lyrics import (
    LyricsEmotionModel,
    line_windows,
    load_lyrics_model,
)
from mvemo.representation import CATEGORIES

LRC = """[ar:Tester]
[ti:Grid song]
[00:00.50]Happy sunny morning, I love you
[00:04.00][00:20.00]Dancing all night long with joy
[00:08.00]
[00:15.00]Tears fall down, I miss you so
[00:24.00]Goodbye my love
"""


class CountingEncoder:
    """Deterministic stand-in for MiniLM (hash-seeded unit vectors); counts the texts it sees."""

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        out = np.zeros((len(texts), EMBEDDING_DIM), np.float32)
        for i, t in enumerate(texts):
            if t.strip():
                rng = np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16))
                v = rng.standard_normal(EMBEDDING_DIM)
                out[i] = v / np.linalg.norm(v)
        return out


@pytest.fixture
def model(tmp_path):
    torch.manual_seed(0)
    net = LyricsHeads(LyricsHeadsConfig(input_dim=EMBEDDING_DIM + len(LEXICON_FEATURES), hidden=8))
    path = tmp_path / "heads.pt"
    save_lyrics_heads(net, {"name": "test-lyrics", "max_words": 32, "static_from": "head"}, path)
    m = load_lyrics_model(path)
    m.encoder = CountingEncoder()
    return m


def _check_record(rec):
    assert set(rec.to_dict()) == {"file", "model", "modality", "duration", "static", "dynamic", "features"}
    assert rec["modality"] == "lyrics"
    st = rec["static"]
    assert st["category"] in CATEGORIES
    assert 0 <= st["intensity"] <= 1 and abs(st["intensity"] * 10 - round(st["intensity"] * 10)) < 1e-6
    assert list(st["probabilities"]) == list(CATEGORIES)
    assert sum(st["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert -1 <= st["valence"] <= 1 and -1 <= st["arousal"] <= 1
    assert st["quadrant"] in ("Q1", "Q2", "Q3", "Q4")
    assert sum(st["quadrant_probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    for fr in rec["dynamic"]:
        assert set(fr) == {"time", "category", "intensity", "valence", "arousal"}
        assert fr["category"] in CATEGORIES
    json.dumps(rec.to_dict())  # JSON-serialisable


def test_lrc_record_and_grid(model, tmp_path):
    p = tmp_path / "song.lrc"
    p.write_text(LRC, encoding="utf-8")
    rec = model.predict(p)
    _check_record(rec)
    assert rec["file"] == str(p) and rec["model"] == "test-lyrics"
    assert rec["duration"] == 24.0  # the last LRC time
    assert [f["time"] for f in rec["dynamic"]] == grid_times(24.0).tolist()
    f = rec["features"]
    assert f["n_lines"] == 5 and f["n_distinct_lines"] == 4 and f["synced"]
    assert f["metadata"] == {"ar": "Tester", "ti": "Grid song"}
    # Grid times 10.5..12.5 see no sung line (end marker at 8 s, next line at 15 s): gap frames.
    assert f["dynamic_gap_frames"] == 5
    # Each distinct line embedded once for the dynamic part (+ the static chunks).
    dyn_calls = [t for t in model.encoder.seen if t in {"Dancing all night long with joy", "Goodbye my love"}]
    assert dyn_calls.count("Dancing all night long with joy") == 1


def test_gap_frames_copy_the_preceding_line(model):
    lyr = parse_lrc("[00:01.00]Line one is sung here\n[00:04.00]\n[00:30.00]Line two at the end\n[00:40.00]\n")
    rec = model.predict_lyrics(lyr)
    frames = {f["time"]: f for f in rec["dynamic"]}
    solo = model.predict_lyrics(parse_lrc("[00:01.00]Line one is sung here\n[00:09.00]\n"), dynamic=False)
    # 15 s is deep in the 4..30 s gap: its label is line one's.
    assert frames[15.0]["valence"] == pytest.approx(solo["static"]["valence"], abs=1e-4)
    assert frames[15.0]["category"] == solo["static"]["category"]
    assert rec["duration"] == 40.0 and rec["dynamic"][-1]["time"] == 37.5


def test_duration_argument_and_dynamic_off(model):
    lyr = parse_lrc(LRC)
    rec = model.predict_lyrics(lyr, duration=60.0)
    assert rec["duration"] == 60.0 and rec["dynamic"][-1]["time"] == 57.5
    assert model.predict_lyrics(lyr, dynamic=False).dynamic == ()
    with pytest.raises(ParameterError, match="duration"):
        model.predict_lyrics(lyr, duration=-1.0)


def test_plain_text_has_no_time(model, tmp_path):
    p = tmp_path / "song.txt"
    p.write_text("[Chorus]\nSun is shining\nWe are dancing\n", encoding="utf-8")
    rec = model.predict(p)
    _check_record(rec)
    assert rec["duration"] is None and rec.dynamic == ()
    assert rec["features"]["n_lines"] == 2 and not rec["features"]["synced"]
    rec2 = model.predict_lyrics("Sun is shining\nWe are dancing", duration=30.0)
    assert rec2.dynamic == () and rec2["duration"] == 30.0
    assert rec2["static"] == rec["static"]


def test_non_english_does_not_crash(model):
    rec = model.predict_lyrics("君の名前を呼んでいる\n夜空の下で 一人で")
    _check_record(rec)
    hint = rec["features"]["language_hint"]
    assert hint["likely_english"] is False and hint["ascii_letter_share"] == 0.0


def test_errors_name_the_file(model, tmp_path):
    p = tmp_path / "blob.lrc"
    p.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DataError, match="blob.lrc"):
        model.predict(p)
    with pytest.raises(DataError, match="missing.pt"):
        load_lyrics_model(tmp_path / "missing.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(DataError, match="bad.pt"):
        load_lyrics_heads(bad)


def test_line_windows_overlap_and_intro():
    s, e = np.array([5.0, 7.0]), np.array([7.0, 8.0])
    w, gap = line_windows(s, e, np.array([2.5, 6.0, 20.0]))
    assert gap.tolist() == [True, False, True]
    np.testing.assert_allclose(w[0], [1.0, 0.0])  # window [0, 5] ends as line one starts: intro rule
    np.testing.assert_allclose(w[1], [2.0, 1.0])
    np.testing.assert_allclose(w[2], [0.0, 1.0])  # nearest preceding line
    w, gap = line_windows(np.array([30.0]), np.array([35.0]), np.array([2.5]))
    assert gap.tolist() == [True] and w.tolist() == [[1.0]]  # intro: the first line


def test_shipped_model_separates_happy_and_sad():
    pytest.importorskip("sentence_transformers")
    try:
        m = load_lyrics_model()
    except DataError:
        pytest.skip("no shipped lyrics weights")
    assert isinstance(m, LyricsEmotionModel) and m.name.startswith("lyrics-")
    happy = m.predict_lyrics("I love you, baby, what a happy sunny day\nWe dance and laugh together, joy is here")
    sad = m.predict_lyrics("I cry alone in the cold dark night\nYou left me, my heart is broken, I want to die")
    _check_record(happy)
    assert happy["static"]["valence"] > sad["static"]["valence"]


# -- bag-of-words blend ------------------------------------------------------------------
def _bow(beta):
    """A hand-made channel: 'joy' -> Q1/excited, 'tears' -> Q3/depressed (no scikit-learn)."""
    from mvemo.features.bow import BowClassifier, TfidfTransform
    from mvemo.models.lyrics import LyricsBow

    cats = list(CATEGORIES)
    exc, dep = cats.index("excited"), cats.index("depressed")
    tfidf = TfidfTransform({"joy": 0, "tears": 1, "tears fall": 2}, np.array([1.0, 1.5, 2.0]))
    q = BowClassifier(np.array([[20.0, -5, -5], [0, 0, 0], [-5, 20, 20], [0, 0, 0]]), np.zeros(4), [0, 1, 2, 3], 4)
    c = BowClassifier(np.array([[20.0, -20, -20], [-20, 20, 20]]), np.zeros(2), [exc, dep], len(cats))
    return LyricsBow(tfidf, q, c, beta, {"C": 1.0})


@pytest.fixture
def bow_model(tmp_path):
    torch.manual_seed(0)
    net = LyricsHeads(LyricsHeadsConfig(input_dim=EMBEDDING_DIM + len(LEXICON_FEATURES), hidden=8))
    path = tmp_path / "heads-bow.pt"
    save_lyrics_heads(net, {"name": "test-lyrics-bow", "max_words": 32, "static_from": "head"}, path, bow=_bow(1.0))
    return path


def test_bow_channel_round_trip(bow_model, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # prediction must not need scikit-learn
    m = load_lyrics_model(bow_model)
    assert m.bow is not None and m.bow.beta == 1.0 and m.bow.info == {"C": 1.0}
    ref = _bow(1.0)
    assert m.bow.tfidf.vocabulary == ref.tfidf.vocabulary
    np.testing.assert_allclose(m.bow.quadrant.coef, ref.quadrant.coef)  # float16-exact values
    m.encoder = CountingEncoder()
    rec = m.predict_lyrics("Tears fall, tears fall, I cry")
    _check_record(rec)
    assert rec["static"]["quadrant"] == "Q3" and rec["static"]["category"] == "depressed"
    assert {k for k, p in rec["static"]["probabilities"].items() if p > 0} <= {"excited", "depressed"}


def _static_input(m, text):
    """The static input row of one plain text, as predict_lyrics builds it."""
    from mvemo.features.lyrics import chunk_text, combine_lexicon, lexicon_stats

    chunks = chunk_text([c for c in parse_plain(text).cleaned_lines() if c], max_words=m.max_words)
    return np.concatenate([m.encoder.encode(chunks).mean(0), combine_lexicon(lexicon_stats(chunks))])[None]


def test_static_blend_is_the_weighted_mean(bow_model):
    m = load_lyrics_model(bow_model)
    m.encoder = CountingEncoder()
    text = "Tears fall down in joy"
    pb = m.bow.predict([text])
    heads = LyricsEmotionModel("h", m.network, m.meta, encoder=CountingEncoder())  # no bow: heads only
    ph = heads.predict_lyrics(text)["static"]
    heads_c = heads._heads(_static_input(heads, text))["category"][0]  # before the quadrant prior
    for beta in (0.0, 0.25, 0.5):
        m.bow.beta = beta
        st = m.predict_lyrics(text)["static"]
        # the record's answer is one grid: blended categories conformed to the blended quadrant
        want_q = (1 - beta) * np.array(list(ph["quadrant_probabilities"].values())) + beta * pb["quadrant"][0]
        want_c = conform_categories((1 - beta) * heads_c + beta * pb["category"][0], want_q)
        np.testing.assert_allclose(list(st["quadrant_probabilities"].values()), want_q, atol=2e-5)
        np.testing.assert_allclose(list(st["probabilities"].values()), want_c, atol=2e-5)
        assert st["intensity"] == ph["intensity"]  # intensity: the heads'
    m.bow.beta = 0.0
    assert m.predict_lyrics(text)["static"] == ph


def test_dynamic_blend_uses_the_window_lines(bow_model):
    m = load_lyrics_model(bow_model)
    m.encoder = CountingEncoder()
    lrc = "[00:00.00]Dancing with joy\n[00:10.00]\n[00:20.00]Tears fall down\n[00:30.00]\n"
    rec = m.predict_lyrics(parse_lrc(lrc))
    frames = {f["time"]: f["category"] for f in rec["dynamic"]}
    assert frames[3.0] == "excited" and frames[14.0] == "excited"  # 14 s: gap, the preceding line
    assert frames[25.0] == "depressed" and frames[27.5] == "depressed"


def test_v3_temperatures_and_certainty_rule(model):
    """v3: temperatures act on the blended probabilities; the intensity is the certainty of the answer."""
    from mvemo.conversion.grids import certainty

    text = "Dancing all night long with joy\nGoodbye my love"
    base = model.predict_lyrics(text)
    model.meta.update({"quadrant_temperature": 3.0, "category_temperature": 2.0, "intensity_rule": "certainty"})
    rec = model.predict_lyrics(text)
    _check_record(rec)
    qb, qv = base["static"]["quadrant_probabilities"], rec["static"]["quadrant_probabilities"]
    assert max(qv.values()) < max(qb.values())  # T > 1 softens
    p = np.array(list(rec["static"]["probabilities"].values()))
    # the record's probabilities are rounded: the intensity is R on the 0.1 grid, up to that rounding
    assert abs(rec["static"]["intensity"] - float(certainty(p))) <= 0.05 + 1e-3
    model.meta["intensity_rule"] = "bogus"
    with pytest.raises(ParameterError, match="intensity_rule"):
        model.predict_lyrics(text)

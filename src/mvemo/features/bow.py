"""Bag-of-words channel: a TF-IDF transform and linear softmax classifiers in plain numpy.

The lyrics model blends its heads' probabilities with those of TF-IDF + logistic
regression models fitted (with scikit-learn) at training time.  Prediction must not need
scikit-learn (it lives in an optional extra), so the fitted vocabulary, idf vector and
coefficients are stored in the model file and applied here:

* **Tokens:** the text is lower-cased and split with scikit-learn's default
  ``token_pattern`` ``(?u)\\b\\w\\w+\\b`` (runs of two or more word characters); the terms
  are the tokens and, for ``ngram_range=(1, 2)``, the space-joined pairs of consecutive
  tokens (:func:`word_ngrams`).
* **TF-IDF:** raw counts of the known terms, ``1 + log(tf)`` with ``sublinear_tf``, times
  the fitted idf, then each row scaled to unit L2 norm (a row with no known term stays 0).
  This is ``sklearn.feature_extraction.text.TfidfVectorizer(ngram_range=(1, 2),
  sublinear_tf=True, norm="l2")`` with its fitted ``vocabulary_`` and ``idf_``.
* **Classifiers:** ``softmax(X @ coef.T + intercept)`` (multinomial logistic regression);
  a two-class model (one coefficient row) gives ``[1 - s, s]`` with ``s = sigmoid(z)``,
  as scikit-learn does.  Classes are indices into a fixed output set (e.g. the 28 unified
  categories); classes the model never saw get probability 0.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mvemo.errors import DataError, ParameterError

__all__ = [
    "BLENDED_OUTPUTS",
    "TOKEN_PATTERN",
    "BowClassifier",
    "TfidfTransform",
    "blend_outputs",
    "blend_probabilities",
    "tokenize",
    "word_ngrams",
]

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)


def tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Word tokens of ``text``: scikit-learn's default ``token_pattern`` after lower-casing.

    Examples
    --------
    >>> tokenize("I'm so HAPPY, a-ha!")
    ['so', 'happy', 'ha']
    """
    if not isinstance(text, str):
        raise ParameterError(f"text must be a string, got {type(text).__name__}")
    return _TOKEN.findall(text.lower() if lowercase else text)


def word_ngrams(tokens: Sequence[str], *, ngram_range: tuple[int, int] = (1, 2)) -> list[str]:
    """The n-grams of ``tokens`` for ``n`` in ``ngram_range`` (inclusive), space-joined.

    Same order and content as scikit-learn's ``_word_ngrams`` (no stop words).

    Examples
    --------
    >>> word_ngrams(["a", "b", "c"])
    ['a', 'b', 'c', 'a b', 'b c']
    """
    lo, hi = (int(n) for n in ngram_range)
    if not 1 <= lo <= hi:
        raise ParameterError(f"ngram_range must be (min_n, max_n) with 1 <= min_n <= max_n, got {ngram_range!r}")
    tokens = list(tokens)
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


@dataclass
class TfidfTransform:
    """A fitted TF-IDF transform (vocabulary + idf), applied without scikit-learn.

    Parameters
    ----------
    vocabulary : Mapping[str, int]
        Term -> column, columns ``0 .. V-1`` each used once.
    idf : np.ndarray, shape (V,)
        Inverse document frequency per column, as fitted.
    ngram_range : tuple of int
        Smallest and largest n-gram length.
    sublinear_tf : bool
        Use ``1 + log(tf)`` instead of the raw count.
    lowercase : bool
        Lower-case before tokenising.

    Examples
    --------
    >>> t = TfidfTransform({"love": 0, "you": 1, "love you": 2}, np.ones(3))
    >>> np.round(t.transform(["love you, love"]), 3).tolist()
    [[0.767, 0.453, 0.453]]
    """

    vocabulary: Mapping[str, int]
    idf: np.ndarray
    ngram_range: tuple[int, int] = (1, 2)
    sublinear_tf: bool = True
    lowercase: bool = True

    def __post_init__(self) -> None:
        self.idf = np.asarray(self.idf, dtype=np.float64).reshape(-1)
        self.vocabulary = {str(k): int(v) for k, v in dict(self.vocabulary).items()}
        cols = sorted(self.vocabulary.values())
        if cols != list(range(len(self.idf))):
            raise DataError(
                f"TF-IDF vocabulary columns must be 0..{len(self.idf) - 1}, once each "
                f"(got {len(cols)} terms for {len(self.idf)} idf values)"
            )
        self.ngram_range = (int(self.ngram_range[0]), int(self.ngram_range[1]))

    @property
    def n_features(self) -> int:
        """Number of columns (terms)."""
        return len(self.idf)

    def terms(self) -> list[str]:
        """The terms in column order."""
        out = [""] * self.n_features
        for t, j in self.vocabulary.items():
            out[j] = t
        return out

    def transform_sparse(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per text, ``(columns, values)`` of its non-zero TF-IDF entries (columns sorted)."""
        if isinstance(texts, str):
            raise ParameterError("texts must be a sequence of strings, not one string")
        rows = []
        for text in texts:
            counts = Counter(
                j
                for g in word_ngrams(tokenize(text, lowercase=self.lowercase), ngram_range=self.ngram_range)
                if (j := self.vocabulary.get(g)) is not None
            )
            cols = np.array(sorted(counts), dtype=np.int64)
            tf = np.array([counts[j] for j in cols], dtype=np.float64)
            if self.sublinear_tf and len(tf):
                tf = 1.0 + np.log(tf)
            val = tf * self.idf[cols]
            norm = np.sqrt(np.sum(val**2))
            rows.append((cols, val / norm if norm > 0 else val))
        return rows

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Dense TF-IDF matrix, shape (len(texts), n_features), float64."""
        rows = self.transform_sparse(texts)
        out = np.zeros((len(rows), self.n_features))
        for i, (cols, val) in enumerate(rows):
            out[i, cols] = val
        return out

    @classmethod
    def from_sklearn(cls, vectorizer) -> TfidfTransform:
        """The transform of a fitted ``TfidfVectorizer`` (word analyser, default token pattern).

        Raises
        ------
        ParameterError
            If the vectorizer uses settings this transform does not reproduce.
        """
        p = vectorizer.get_params()
        unsupported = {
            k: p[k]
            for k, ok in (
                ("analyzer", "word"),
                ("token_pattern", TOKEN_PATTERN),
                ("norm", "l2"),
                ("stop_words", None),
                ("strip_accents", None),
                ("preprocessor", None),
                ("tokenizer", None),
                ("use_idf", True),
                ("binary", False),
            )
            if p.get(k) != ok
        }
        if unsupported:
            raise ParameterError(f"TfidfVectorizer settings not supported by TfidfTransform: {unsupported}")
        return cls(
            dict(vectorizer.vocabulary_),
            np.asarray(vectorizer.idf_),
            tuple(p["ngram_range"]),
            bool(p["sublinear_tf"]),
            bool(p["lowercase"]),
        )


@dataclass
class BowClassifier:
    """A linear softmax classifier over TF-IDF rows, with outputs in a fixed class set.

    Parameters
    ----------
    coef : np.ndarray, shape (K, V) or (1, V)
        Coefficients (one row per class; one row for a two-class model).
    intercept : np.ndarray, shape (K,) or (1,)
    classes : np.ndarray of int, shape (K,)
        Output index of each class the model knows (``K >= 2``).
    n_outputs : int
        Size of the output set (e.g. 4 quadrants, 28 categories).
    """

    coef: np.ndarray
    intercept: np.ndarray
    classes: np.ndarray
    n_outputs: int

    def __post_init__(self) -> None:
        self.coef = np.atleast_2d(np.asarray(self.coef, dtype=np.float64))
        self.intercept = np.asarray(self.intercept, dtype=np.float64).reshape(-1)
        self.classes = np.asarray(self.classes, dtype=np.int64).reshape(-1)
        k = len(self.classes)
        rows = 1 if k == 2 and len(self.coef) == 1 else k
        if k < 2 or len(self.coef) != rows or len(self.intercept) != rows:
            raise DataError(
                f"BoW classifier: {k} classes need {k} (or, for 2, 1) coefficient rows, got "
                f"coef {self.coef.shape} and intercept {self.intercept.shape}"
            )
        if self.classes.min() < 0 or self.classes.max() >= self.n_outputs or len(set(self.classes)) != k:
            raise DataError(
                f"BoW classifier classes {self.classes.tolist()} must be distinct indices below {self.n_outputs}"
            )

    def predict_proba(self, rows: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Probabilities, shape (len(rows), n_outputs), for rows of :meth:`TfidfTransform.transform_sparse`."""
        z = np.stack([self.coef[:, cols] @ val for cols, val in rows]) if rows else np.zeros((0, len(self.coef)))
        z = z + self.intercept
        if len(self.coef) == 1:
            s = 1.0 / (1.0 + np.exp(-z[:, 0]))
            p = np.stack([1.0 - s, s], axis=1)
        else:
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
        out = np.zeros((len(rows), self.n_outputs))
        out[:, self.classes] = p
        return out

    @classmethod
    def from_sklearn(cls, model, *, n_outputs: int) -> BowClassifier:
        """The classifier of a fitted ``LogisticRegression`` whose ``classes_`` are output indices."""
        return cls(
            np.asarray(model.coef_),
            np.asarray(model.intercept_),
            np.asarray(model.classes_, dtype=np.int64),
            int(n_outputs),
        )


def blend_probabilities(p_heads: np.ndarray, p_bow: np.ndarray | None, beta: float) -> np.ndarray:
    """``(1 - beta) * p_heads + beta * p_bow`` (``p_heads`` alone when ``p_bow`` is None or ``beta`` 0).

    Raises
    ------
    ParameterError
        If ``beta`` is outside [0, 1] or the shapes differ.

    Examples
    --------
    >>> blend_probabilities(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), 0.25).tolist()
    [[0.75, 0.25]]
    """
    beta = float(beta)
    if not 0.0 <= beta <= 1.0:
        raise ParameterError(f"blend weight beta must be in [0, 1], got {beta!r}")
    p_heads = np.asarray(p_heads, dtype=np.float64)
    if p_bow is None or beta == 0.0:
        return p_heads
    p_bow = np.asarray(p_bow, dtype=np.float64)
    if p_bow.shape != p_heads.shape:
        raise ParameterError(f"probability shapes differ: heads {p_heads.shape}, bag-of-words {p_bow.shape}")
    return (1.0 - beta) * p_heads + beta * p_bow


#: Outputs that the bag-of-words channel blends into; intensity and VA stay the heads'.
BLENDED_OUTPUTS = ("quadrant", "category")


def blend_outputs(p_heads: Mapping[str, np.ndarray], p_bow: Mapping[str, np.ndarray], beta: float) -> Any:
    """A copy of the heads' outputs with :data:`BLENDED_OUTPUTS` replaced by
    ``(1 - beta) * heads + beta * bag-of-words`` (:func:`blend_probabilities`).

    Parameters
    ----------
    p_heads : HeadOutputs or dict of str to np.ndarray
        The heads' outputs (``quadrant`` (N, 4), ``category`` (N, 28) probabilities, ...): a
        :class:`~mvemo.models.outputs.HeadOutputs` (the answer is one too) or a dict.
    p_bow : dict of str to np.ndarray
        The bag-of-words channel's ``quadrant`` and ``category`` probabilities
        (:meth:`mvemo.models.lyrics.LyricsBow.predict`).
    beta : float
        Blend weight in [0, 1].
    """
    blended = {k: blend_probabilities(p_heads[k], p_bow[k], beta) for k in BLENDED_OUTPUTS}
    return p_heads.replace(**blended) if hasattr(p_heads, "replace") else {**p_heads, **blended}

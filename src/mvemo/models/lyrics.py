"""The lyrics emotion heads: standardised features -> (optional hidden layer) -> four heads.

Input: a MiniLM embedding (384) concatenated with the lexicon features
(:data:`mvemo.features.lyrics.LEXICON_FEATURES`).  Outputs (logits / values):

* ``category`` (28): the unified category (softmax);
* ``intensity`` (1): the unified intensity in [0, 1] (sigmoid);
* ``va`` (2): valence and arousal in [-1, 1] (tanh);
* ``quadrant`` (4): Q1..Q4 (softmax).

A model file may also hold a bag-of-words channel (:class:`LyricsBow`: TF-IDF vocabulary,
idf and logistic-regression coefficients for the quadrant and the category, and the blend
weight ``beta``): the quadrant and category probabilities are then
``(1 - beta) * heads + beta * bag-of-words``; intensity and VA stay the heads'.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError
from mvemo.features.bow import BowClassifier, TfidfTransform, blend_outputs
from mvemo.models.checkpoint import load_checkpoint, save_checkpoint
from mvemo.models.outputs import HeadOutputs

torch = require("torch", extra="torch")
nn = torch.nn

__all__ = [
    "LyricsBow",
    "LyricsHeads",
    "LyricsHeadsConfig",
    "load_lyrics_checkpoint",
    "load_lyrics_heads",
    "save_lyrics_heads",
]


@dataclass
class LyricsHeadsConfig:
    """Shape of the heads."""

    input_dim: int
    hidden: int = 0
    dropout: float = 0.2
    n_categories: int = 28
    n_quadrants: int = 4


class LyricsHeads(nn.Module):
    """Feature standardisation + a linear (``hidden == 0``) or one-hidden-layer trunk + heads."""

    def __init__(self, cfg: LyricsHeadsConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("mean", torch.zeros(cfg.input_dim))
        self.register_buffer("std", torch.ones(cfg.input_dim))
        if cfg.hidden > 0:
            self.trunk = nn.Sequential(
                nn.Dropout(cfg.dropout), nn.Linear(cfg.input_dim, cfg.hidden), nn.GELU(), nn.Dropout(cfg.dropout)
            )
            width = cfg.hidden
        else:
            self.trunk = nn.Dropout(cfg.dropout)
            width = cfg.input_dim
        self.category = nn.Linear(width, cfg.n_categories)
        self.intensity = nn.Linear(width, 1)
        self.va = nn.Linear(width, 2)
        self.quadrant = nn.Linear(width, cfg.n_quadrants)

    def set_standardization(self, x: np.ndarray) -> None:
        """Set the feature mean and std from training features, shape (N, input_dim)."""
        self.mean.copy_(torch.from_numpy(np.asarray(x.mean(0), dtype=np.float32)))
        self.std.copy_(torch.from_numpy(np.asarray(np.maximum(x.std(0), 1e-6), dtype=np.float32)))

    def forward(self, x):
        """``x`` (B, input_dim) -> :class:`HeadOutputs` of ``category`` (B, 28) and ``quadrant`` (B, 4)
        logits, ``intensity`` (B,) in [0, 1], ``va`` (B, 2) in [-1, 1]."""
        h = self.trunk((x - self.mean) / self.std)
        return HeadOutputs(
            category=self.category(h),
            quadrant=self.quadrant(h),
            intensity=torch.sigmoid(self.intensity(h)[:, 0]),
            va=torch.tanh(self.va(h)),
        )


@dataclass
class LyricsBow:
    """The bag-of-words channel of a lyrics model: TF-IDF + two linear classifiers + blend weight.

    Attributes
    ----------
    tfidf : TfidfTransform
    quadrant : BowClassifier
        Outputs the 4 quadrants.
    category : BowClassifier
        Outputs the 28 unified categories (those unseen in training get 0).
    beta : float
        Blend weight of the bag-of-words probabilities, in [0, 1].
    info : dict
        JSON-safe training facts (e.g. the chosen ``C``), stored with the channel.
    """

    tfidf: TfidfTransform
    quadrant: BowClassifier
    category: BowClassifier
    beta: float = 0.0
    info: dict | None = None

    def predict(self, texts: list[str]) -> HeadOutputs:
        """``quadrant`` (N, 4) and ``category`` (N, 28) probabilities of cleaned texts."""
        rows = self.tfidf.transform_sparse(list(texts))
        return HeadOutputs(quadrant=self.quadrant.predict_proba(rows), category=self.category.predict_proba(rows))

    def blend(self, p_heads: HeadOutputs, texts: list[str], *, beta: float | None = None) -> HeadOutputs:
        """The heads' outputs with ``quadrant``/``category`` blended with this channel's."""
        b = self.beta if beta is None else beta
        if b == 0:
            return p_heads if isinstance(p_heads, HeadOutputs) else dict(p_heads)
        return blend_outputs(p_heads, self.predict(texts), b)

    def to_checkpoint(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(meta, tensors)``: JSON-safe metadata (terms in column order) and torch tensors
        (idf and intercepts float32, coefficients float16)."""
        meta = {
            "terms": self.tfidf.terms(),
            "ngram_range": list(self.tfidf.ngram_range),
            "sublinear_tf": self.tfidf.sublinear_tf,
            "lowercase": self.tfidf.lowercase,
            "norm": "l2",
            "beta": float(self.beta),
            "quadrant_classes": self.quadrant.classes.tolist(),
            "category_classes": self.category.classes.tolist(),
            "info": dict(self.info or {}),
        }
        t = {"idf": torch.from_numpy(self.tfidf.idf.astype(np.float32))}
        for k in ("quadrant", "category"):
            clf = getattr(self, k)
            t[f"{k}_coef"] = torch.from_numpy(clf.coef.astype(np.float16))
            t[f"{k}_intercept"] = torch.from_numpy(clf.intercept.astype(np.float32))
        return meta, t

    @classmethod
    def from_checkpoint(
        cls, meta: dict[str, Any], tensors: dict[str, Any], *, n_quadrants: int = 4, n_categories: int = 28
    ) -> LyricsBow:
        """Inverse of :meth:`to_checkpoint`.

        Raises
        ------
        DataError
            If an entry is missing or inconsistent.
        """
        try:
            arr = {
                k: (v.float().numpy() if hasattr(v, "numpy") else np.asarray(v, np.float32)) for k, v in tensors.items()
            }
            tfidf = TfidfTransform(
                {t: j for j, t in enumerate(meta["terms"])},
                arr["idf"],
                tuple(meta["ngram_range"]),
                bool(meta["sublinear_tf"]),
                bool(meta["lowercase"]),
            )
            q = BowClassifier(arr["quadrant_coef"], arr["quadrant_intercept"], meta["quadrant_classes"], n_quadrants)
            c = BowClassifier(arr["category_coef"], arr["category_intercept"], meta["category_classes"], n_categories)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"bad bag-of-words channel in a lyrics model file: {exc!r}") from exc
        if q.coef.shape[1] != tfidf.n_features or c.coef.shape[1] != tfidf.n_features:
            raise DataError(
                f"bag-of-words coefficients have {q.coef.shape[1]}/{c.coef.shape[1]} columns for "
                f"{tfidf.n_features} terms"
            )
        return cls(tfidf, q, c, float(meta.get("beta", 0.0)), dict(meta.get("info") or {}))


def save_lyrics_heads(net: LyricsHeads, meta: dict, path: str | Path, *, bow: LyricsBow | None = None) -> None:
    """Write weights (float32: the heads are small), metadata and, if given, the bag-of-words
    channel (``meta["bow"]`` + tensors ``bow``) atomically to a ``.pt`` file."""
    extra: dict[str, Any] = {}
    meta = {**meta, "config": asdict(net.cfg)}
    if bow is not None:
        bmeta, extra["bow"] = bow.to_checkpoint()
        meta["bow"] = bmeta
    save_checkpoint(meta, path, state_dict=net.state_dict(), **extra)


def load_lyrics_checkpoint(path) -> tuple[LyricsHeads, dict, LyricsBow | None]:
    """Read a file written by :func:`save_lyrics_heads`; returns ``(network in eval mode, meta,
    bag-of-words channel or None)``.

    Raises
    ------
    DataError
        If the file cannot be read or does not hold lyrics heads.
    """
    blob = load_checkpoint(path, what="lyrics model weights")
    meta = blob["meta"]
    try:
        net = LyricsHeads(LyricsHeadsConfig(**meta["config"]))
        net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    except (RuntimeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"cannot load lyrics model weights {path}: {exc}") from exc
    net.eval()
    bow = None
    if "bow" in meta:
        if not isinstance(blob.get("bow"), dict):
            raise DataError(f"{path}: meta names a bag-of-words channel but the file has no 'bow' tensors")
        cfg = net.cfg
        bow = LyricsBow.from_checkpoint(
            meta["bow"], blob["bow"], n_quadrants=cfg.n_quadrants, n_categories=cfg.n_categories
        )
    return net, meta, bow


def load_lyrics_heads(path) -> tuple[LyricsHeads, dict]:
    """Read a file written by :func:`save_lyrics_heads`; returns ``(network in eval mode, meta)``
    (see :func:`load_lyrics_checkpoint` for the bag-of-words channel too).

    Raises
    ------
    DataError
        If the file cannot be read or does not hold lyrics heads.
    """
    net, meta, _ = load_lyrics_checkpoint(path)
    return net, meta

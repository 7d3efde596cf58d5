"""Calibration of class probabilities: temperature scaling, expected calibration error, reliability diagrams.

* :func:`fit_temperature`: one scalar ``T > 0`` that minimises the negative
  log-likelihood of validation labels under ``softmax(logits / T)`` (Guo et al. 2017,
  "On calibration of modern neural networks").  Probabilities are accepted too: their
  logarithms are the logits (softmax is invariant to the per-row constant).
* :func:`expected_calibration_error`: the **top-label** ECE with ``n_bins``
  **equal-width** bins of the top probability on [0, 1]:
  ``ECE = sum_b (n_b / N) * |acc_b - conf_b|``, where ``acc_b`` is the share of correct
  top predictions and ``conf_b`` the mean top probability in bin ``b``.  Bins are
  ``(k/B, (k+1)/B]``; a confidence of exactly 0 goes to the first.  Empty bins count 0.
* :func:`calibrated_ece`: the ECE a *perfectly calibrated* model with the same
  predictions would show on a sample of this size -- labels drawn from the predicted
  probabilities themselves ("consistency resampling", Broecker and Smith 2007, "Increasing
  the reliability of reliability diagrams").  On small validation sets the ECE estimate is
  biased upwards by sampling noise (with 100 items in 15 bins, a calibrated model reads
  about 0.1); this is that floor, reported beside the ECE, and used to read it.
* :func:`reliability_diagram`: accuracy against confidence per bin, with bin counts,
  for model cards (matplotlib, imported only when called; extra ``plot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError

__all__ = [
    "ReliabilityBins",
    "apply_temperature",
    "calibrated_ece",
    "expected_calibration_error",
    "fit_temperature",
    "reliability_bins",
    "reliability_diagram",
]

_T_BOUNDS = (1e-2, 1e2)


def _check(scores: np.ndarray, labels: np.ndarray | None, *, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] < 2:
        raise ParameterError(f"{name} must have shape (N, K) with N >= 1 and K >= 2, got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ParameterError(f"{name} must be finite")
    if labels is None:
        return s, None
    y = np.asarray(labels)
    if y.shape != (s.shape[0],) or not np.issubdtype(y.dtype, np.integer) or np.any(y < 0) or np.any(y >= s.shape[1]):
        raise ParameterError(f"labels must be {s.shape[0]} integers in [0, {s.shape[1]}), got shape {y.shape}")
    return s, y.astype(np.int64)


def _as_logits(scores: np.ndarray, *, probabilities: bool) -> np.ndarray:
    if not probabilities:
        return scores
    if np.any(scores < 0) or not np.allclose(scores.sum(axis=1), 1.0, atol=1e-4):
        raise ParameterError("probabilities must be non-negative and sum to 1 per row")
    return np.log(np.clip(scores, 1e-12, 1.0))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def apply_temperature(scores: np.ndarray, temperature: float, *, probabilities: bool = False) -> np.ndarray:
    """``softmax(logits / T)``, shape (N, K).

    Parameters
    ----------
    scores : np.ndarray, shape (N, K)
        Logits, or probabilities with ``probabilities=True``.
    temperature : float
        ``T > 0``; ``T > 1`` softens, ``T < 1`` sharpens.

    Examples
    --------
    >>> apply_temperature(np.array([[2.0, 0.0]]), 2.0).round(3).tolist()
    [[0.731, 0.269]]
    """
    if not (temperature > 0 and np.isfinite(temperature)):
        raise ParameterError(f"temperature must be positive and finite, got {temperature}")
    s, _ = _check(scores, None, name="scores")
    return np.exp(_log_softmax(_as_logits(s, probabilities=probabilities) / temperature))


def fit_temperature(scores: np.ndarray, labels: np.ndarray, *, probabilities: bool = False) -> float:
    """The scalar temperature that minimises the validation negative log-likelihood.

    Parameters
    ----------
    scores : np.ndarray, shape (N, K)
        Validation logits, or probabilities with ``probabilities=True``.
    labels : np.ndarray of int, shape (N,)
        True classes.

    Returns
    -------
    float
        ``T`` in [0.01, 100] (bounded search on ``log T`` with scipy).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(2000, 4)) * 3
    >>> y = np.array([rng.choice(4, p=p) for p in apply_temperature(z, 3.0)])
    >>> abs(fit_temperature(z, y) - 3.0) < 0.3  # the logits are 3x too sharp
    True
    """
    from scipy.optimize import minimize_scalar

    s, y = _check(scores, labels, name="scores")
    z = _as_logits(s, probabilities=probabilities)
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        return float(-_log_softmax(z / np.exp(log_t))[rows, y].mean())

    res = minimize_scalar(nll, bounds=tuple(np.log(_T_BOUNDS)), method="bounded", options={"xatol": 1e-5})
    return float(np.exp(res.x))


@dataclass(frozen=True)
class ReliabilityBins:
    """Per-bin statistics of the top-label predictions.

    Attributes
    ----------
    edges : np.ndarray, shape (B + 1,)
    count : np.ndarray of int, shape (B,)
    confidence : np.ndarray, shape (B,)
        Mean top probability per bin (NaN where empty).
    accuracy : np.ndarray, shape (B,)
        Share of correct top predictions per bin (NaN where empty).
    """

    edges: np.ndarray
    count: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error of these bins."""
        n = self.count.sum()
        gap = np.where(self.count > 0, np.abs(np.nan_to_num(self.accuracy) - np.nan_to_num(self.confidence)), 0.0)
        return float((self.count * gap).sum() / n) if n else 0.0


def reliability_bins(probabilities: np.ndarray, labels: np.ndarray, *, n_bins: int = 15) -> ReliabilityBins:
    """Top-label confidence and accuracy in ``n_bins`` equal-width bins (see the module docstring)."""
    if int(n_bins) != n_bins or n_bins < 1:
        raise ParameterError(f"n_bins must be a positive integer, got {n_bins}")
    p, y = _check(probabilities, labels, name="probabilities")
    if np.any(p < 0) or np.any(p > 1 + 1e-9):
        raise ParameterError("probabilities must lie in [0, 1]")
    conf = p.max(axis=1)
    correct = (p.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    idx = np.clip(np.ceil(conf * n_bins).astype(np.int64) - 1, 0, n_bins - 1)  # (k/B, (k+1)/B]
    count = np.bincount(idx, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(idx, weights=conf, minlength=n_bins) / count
        accuracy = np.bincount(idx, weights=correct, minlength=n_bins) / count
    return ReliabilityBins(edges=edges, count=count, confidence=confidence, accuracy=accuracy)


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, *, n_bins: int = 15) -> float:
    """Top-label expected calibration error with equal-width bins.

    Parameters
    ----------
    probabilities : np.ndarray, shape (N, K)
        Predicted class probabilities (rows sum to 1).
    labels : np.ndarray of int, shape (N,)
    n_bins : int
        Number of equal-width bins of the top probability (default 15, as Guo et al.).

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    >>> round(expected_calibration_error(p, np.array([0, 1, 0, 0]), n_bins=10), 3)  # |0.5-0.9|, |1-0.6|
    0.4
    """
    return reliability_bins(probabilities, labels, n_bins=n_bins).ece


def calibrated_ece(
    probabilities: np.ndarray, *, n_bins: int = 15, n_draws: int = 200, seed: int = 0
) -> tuple[float, float]:
    """The sampling floor of the ECE: what a perfectly calibrated model with these predictions reads.

    Each draw replaces the labels by classes sampled from each row's own probabilities (so
    the model is calibrated by construction) and computes :func:`expected_calibration_error`.

    Parameters
    ----------
    probabilities : np.ndarray, shape (N, K)
    n_bins : int
        As in :func:`expected_calibration_error`.
    n_draws : int
        Number of resampled label sets.
    seed : int

    Returns
    -------
    (float, float)
        The mean and the 95th percentile of the ECE over the draws.  An observed ECE below the
        95th percentile is consistent with calibration at this sample size.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> p = rng.dirichlet(np.ones(4), size=100)
    >>> mean, p95 = calibrated_ece(p)
    >>> 0.05 < mean < p95 < 0.3  # 100 items: a calibrated model reads about 0.1
    True
    """
    if int(n_draws) != n_draws or n_draws < 1:
        raise ParameterError(f"n_draws must be a positive integer, got {n_draws}")
    p, _ = _check(probabilities, None, name="probabilities")
    if np.any(p < 0) or np.any(p > 1 + 1e-9):
        raise ParameterError("probabilities must lie in [0, 1]")
    rng = np.random.default_rng(seed)
    cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    eces = []
    for _ in range(int(n_draws)):
        u = rng.random((len(p), 1))
        y = np.minimum((u > cum).sum(axis=1), p.shape[1] - 1)
        eces.append(expected_calibration_error(p, y, n_bins=n_bins))
    return float(np.mean(eces)), float(np.percentile(eces, 95))


def reliability_diagram(
    probabilities: np.ndarray,
    labels: np.ndarray,
    path: str | Path,
    *,
    n_bins: int = 15,
    title: str = "Reliability diagram",
) -> float:
    """Save a reliability diagram (PNG/SVG/PDF by suffix) and return the ECE.

    Bars: accuracy per bin; the diagonal is perfect calibration; the lower panel shows
    how many predictions fall in each bin.  The figure is written atomically.
    """
    from mvemo.util import atomic_open

    require("matplotlib", extra="plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    b = reliability_bins(probabilities, labels, n_bins=n_bins)
    width = 1.0 / n_bins
    centers = b.edges[:-1] + width / 2
    fig, (ax, axn) = plt.subplots(2, 1, figsize=(4.5, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.bar(centers, np.nan_to_num(b.accuracy), width=width * 0.95, color="#4477aa", label="accuracy")
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    filled = b.count > 0
    ax.plot(centers[filled], b.confidence[filled], "o", color="#cc6677", ms=3, label="mean confidence")
    ax.set_ylabel("accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(f"{title}\nECE = {b.ece:.3f} ({n_bins} equal-width bins, N = {int(b.count.sum())})", fontsize=9)
    ax.legend(loc="upper left", fontsize=7)
    axn.bar(centers, b.count, width=width * 0.95, color="#999999")
    axn.set_xlabel("top-label confidence")
    axn.set_ylabel("count")
    fig.tight_layout()
    p = Path(path)
    fmt = p.suffix.lstrip(".").lower() or "png"
    try:
        with atomic_open(p, "wb") as fh:
            fig.savefig(fh, format=fmt, dpi=120)
    finally:
        plt.close(fig)
    return b.ece

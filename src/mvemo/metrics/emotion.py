"""MVEmo-Bench metrics for unified emotion labels (MVEmo section V-C), mir_eval style.

Call :func:`validate` on reference and estimated labels, then the metric functions,
or :func:`evaluate` for all of them at once.  Static tasks score the whole set;
dynamic tasks (:func:`evaluate_dynamic`) score each sample's time series, then
average over samples.

Conventions
-----------
* Labels are given as category indices (``0..27``, the order of
  :data:`~mvemo.representation.CATEGORIES`) or names, and intensities in [0, 1]
  (rounded to the 0.1 grid, halves up).
* An *invalid* estimate (a response that failed the parser, or a missing one) has
  category ``-1`` / intensity ``NaN`` (or ``None``).  It counts as wrong: a false
  negative for the reference class, a false positive for no class.  The Emotion
  Distance is averaged over valid pairs only; the Error Rate reports the invalid share.
* Precision, recall and F1 are computed per class over the classes that occur in the
  reference or in the valid estimates, then averaged: ``"macro"`` (default; the paper
  does not say, and macro is the usual choice for imbalanced emotion classes),
  ``"weighted"`` by reference support, or ``"micro"``.  A class with no estimates
  has precision 0; with no references, recall 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from mvemo.errors import ParameterError
from mvemo.representation import (
    N_CATEGORIES,
    N_INTENSITY_LEVELS,
    default_circumplex,
    intensity_level,
)

__all__ = [
    "METRIC_NAMES",
    "validate",
    "emotion_distance",
    "precision_recall_f1",
    "category_prf",
    "intensity_prf",
    "evaluate",
    "label_spread",
    "LABEL_SPREAD_KEYS",
]

Average = Literal["macro", "weighted", "micro"]

#: Keys of :func:`evaluate`'s result, in order.
METRIC_NAMES: tuple[str, ...] = (
    "category_precision",
    "category_recall",
    "category_f1",
    "intensity_precision",
    "intensity_recall",
    "intensity_f1",
    "emotion_distance",
    "error_rate",
)


def _category_codes(values: Sequence | np.ndarray, *, name: str, allow_invalid: bool) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64)
    elif arr.dtype.kind == "f" and np.all(np.isnan(arr) | (arr == np.round(arr))):
        codes = np.where(np.isnan(arr), -1, np.nan_to_num(arr)).astype(np.int64)
    else:
        circ = default_circumplex()
        codes = np.fromiter(
            (
                -1 if v is None or (isinstance(v, float) and np.isnan(v)) or v == "" else circ.index(str(v))
                for v in arr.tolist()
            ),
            dtype=np.int64,
            count=len(arr),
        )
    lo = -1 if allow_invalid else 0
    bad = (codes < lo) | (codes >= N_CATEGORIES)
    if np.any(bad):
        raise ParameterError(
            f"{name} has values outside 0..{N_CATEGORIES - 1}"
            f"{' (or -1 for invalid)' if allow_invalid else ''}: {arr[bad][:5].tolist()}"
        )
    return codes


def _intensity_codes(values: Sequence | np.ndarray, *, name: str, allow_invalid: bool) -> np.ndarray:
    arr = np.asarray(
        [np.nan if v is None else v for v in values] if not isinstance(values, np.ndarray) else values, dtype=np.float64
    )
    if arr.ndim != 1:
        raise ParameterError(f"{name} must be one-dimensional, got shape {arr.shape}")
    missing = np.isnan(arr)
    if np.any(missing) and not allow_invalid:
        raise ParameterError(f"{name} has missing (NaN) values at positions {np.flatnonzero(missing)[:5].tolist()}")
    codes = np.full(arr.shape, -1, dtype=np.int64)
    try:
        codes[~missing] = intensity_level(arr[~missing])
    except ParameterError as exc:
        raise ParameterError(f"{name}: {exc}") from None
    return codes


def validate(
    ref_category: Sequence | np.ndarray,
    ref_intensity: Sequence | np.ndarray,
    est_category: Sequence | np.ndarray,
    est_intensity: Sequence | np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Check and encode reference and estimated labels.

    Parameters
    ----------
    ref_category, est_category : array_like, shape (N,)
        Category names or indices; estimates may be ``None``/-1 for invalid.
    ref_intensity, est_intensity : array_like, shape (N,)
        Intensities in [0, 1]; estimates may be ``None``/NaN for invalid.

    Returns
    -------
    ref_cat, ref_level, est_cat, est_level : np.ndarray of int64, shape (N,)
        Category indices and intensity levels 0..10.  An estimate is invalid (-1 in
        both) if either of its parts is invalid.

    Raises
    ------
    ParameterError
        On length mismatch, empty input, unknown categories, out-of-range or missing
        reference values.
    """
    rc = _category_codes(ref_category, name="ref_category", allow_invalid=False)
    rl = _intensity_codes(ref_intensity, name="ref_intensity", allow_invalid=False)
    ec = _category_codes(est_category, name="est_category", allow_invalid=True)
    el = _intensity_codes(est_intensity, name="est_intensity", allow_invalid=True)
    if not (len(rc) == len(rl) == len(ec) == len(el)):
        raise ParameterError(
            f"reference and estimate lengths differ: ref_category {len(rc)}, ref_intensity {len(rl)}, "
            f"est_category {len(ec)}, est_intensity {len(el)}"
        )
    if len(rc) == 0:
        raise ParameterError("no labels to evaluate (empty reference)")
    invalid = (ec < 0) | (el < 0)
    ec = np.where(invalid, -1, ec)
    el = np.where(invalid, -1, el)
    return rc, rl, ec, el


def emotion_distance(
    ref_category: np.ndarray, ref_level: np.ndarray, est_category: np.ndarray, est_level: np.ndarray
) -> np.ndarray:
    """Emotion Distance D_e of each valid pair (MVEmo eq. 11).

    ``D_e = sqrt(r_o^2 + r_p^2 - 2 r_o r_p cos(theta_o - theta_p))``: the Euclidean
    distance between the two labels on the polar plane, where theta is the centre
    angle of the category's sector and r the intensity.  Range [0, 2].

    Parameters
    ----------
    ref_category, est_category : np.ndarray of int, shape (N,)
        Category indices (as returned by :func:`validate`); invalid estimates (-1)
        give NaN.
    ref_level, est_level : np.ndarray of int, shape (N,)
        Intensity levels 0..10.

    Returns
    -------
    np.ndarray of float, shape (N,)

    Examples
    --------
    >>> emotion_distance(np.array([0, 0]), np.array([10, 5]), np.array([0, 13]), np.array([10, 5])).round(3)
    array([0.   , 0.992])
    """
    centers = np.deg2rad(default_circumplex().sector_centers)
    valid = est_category >= 0
    r_o = ref_level / 10.0
    r_p = np.where(valid, est_level, 0) / 10.0
    dtheta = centers[ref_category] - centers[np.where(valid, est_category, 0)]
    d2 = r_o**2 + r_p**2 - 2.0 * r_o * r_p * np.cos(dtheta)
    return np.where(valid, np.sqrt(np.clip(d2, 0.0, 4.0)), np.nan)


def _grouped_counts(
    ref: np.ndarray, est: np.ndarray, n_classes: int, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True positives, reference and estimate counts per (group, class), shape (G, K)."""
    size = n_groups * n_classes
    valid = est >= 0
    ref_key = groups * n_classes + ref
    tp = np.bincount(ref_key[valid & (ref == est)], minlength=size)
    n_ref = np.bincount(ref_key, minlength=size)
    n_est = np.bincount((groups * n_classes + est)[valid], minlength=size)
    shape = (n_groups, n_classes)
    return tp.reshape(shape), n_ref.reshape(shape), n_est.reshape(shape)


def precision_recall_f1(
    ref: np.ndarray,
    est: np.ndarray,
    *,
    n_classes: int,
    average: Average = "macro",
    groups: np.ndarray | None = None,
    n_groups: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Averaged precision, recall and F1 of class codes, optionally per group.

    Parameters
    ----------
    ref : np.ndarray of int, shape (N,)
        Reference classes ``0..n_classes-1``.
    est : np.ndarray of int, shape (N,)
        Estimated classes; -1 marks an invalid estimate (always wrong).
    n_classes : int
    average : {"macro", "weighted", "micro"}
    groups : np.ndarray of int, shape (N,), optional
        Group (sample) code ``0..n_groups-1`` of each pair; metrics are computed per group.
    n_groups : int, optional
        Number of groups (default ``groups.max() + 1``).

    Returns
    -------
    precision, recall, f1 : np.ndarray, shape (G,)
        One value per group (``G = 1`` without groups).
    """
    if average not in ("macro", "weighted", "micro"):
        raise ParameterError(f"average must be 'macro', 'weighted' or 'micro', got {average!r}")
    if groups is None:
        groups, n_groups = np.zeros(len(ref), dtype=np.int64), 1
    elif n_groups is None:
        n_groups = int(groups.max()) + 1 if len(groups) else 0
    tp, n_ref, n_est = _grouped_counts(ref, est, n_classes, groups, n_groups)
    if average == "micro":
        tps, refs, ests = tp.sum(1), n_ref.sum(1), n_est.sum(1)
        p = np.divide(tps, ests, out=np.zeros(n_groups), where=ests > 0)
        r = np.divide(tps, refs, out=np.zeros(n_groups), where=refs > 0)
        f = np.divide(2.0 * tps, ests + refs, out=np.zeros(n_groups), where=(ests + refs) > 0)
        return p, r, f
    p_k = np.divide(tp, n_est, out=np.zeros(tp.shape), where=n_est > 0)
    r_k = np.divide(tp, n_ref, out=np.zeros(tp.shape), where=n_ref > 0)
    f_k = np.divide(2.0 * tp, n_ref + n_est, out=np.zeros(tp.shape), where=(n_ref + n_est) > 0)
    if average == "macro":
        w = ((n_ref + n_est) > 0).astype(np.float64)
    else:
        w = n_ref.astype(np.float64)
    w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    return (p_k * w).sum(1), (r_k * w).sum(1), (f_k * w).sum(1)


def category_prf(
    ref_category: np.ndarray, est_category: np.ndarray, *, average: Average = "macro"
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the category over the 28 classes.

    Examples
    --------
    >>> category_prf(np.array([0, 0, 13, 13]), np.array([0, 13, 13, -1]))
    (0.75, 0.5, 0.5833333333333333)
    """
    p, r, f = precision_recall_f1(ref_category, est_category, n_classes=N_CATEGORIES, average=average)
    return float(p[0]), float(r[0]), float(f[0])


def intensity_prf(
    ref_level: np.ndarray, est_level: np.ndarray, *, average: Average = "macro"
) -> tuple[float, float, float]:
    """Precision, recall and F1 of the intensity over the 11 levels 0.0..1.0."""
    p, r, f = precision_recall_f1(ref_level, est_level, n_classes=N_INTENSITY_LEVELS, average=average)
    return float(p[0]), float(r[0]), float(f[0])


def evaluate(
    ref_category: Sequence | np.ndarray,
    ref_intensity: Sequence | np.ndarray,
    est_category: Sequence | np.ndarray,
    est_intensity: Sequence | np.ndarray,
    *,
    average: Average = "macro",
) -> dict[str, float]:
    """All static-task metrics over the whole set.

    Parameters
    ----------
    ref_category, ref_intensity, est_category, est_intensity : array_like, shape (N,)
        See :func:`validate`.
    average : {"macro", "weighted", "micro"}
        Class averaging for precision, recall and F1.

    Returns
    -------
    dict
        :data:`METRIC_NAMES` (``emotion_distance`` is NaN if no estimate is valid;
        ``error_rate`` is the share of invalid estimates), plus ``n`` and ``n_invalid``.

    Examples
    --------
    >>> scores = evaluate(["sad", "calm", "happy"], [0.5, 0.3, 1.0],
    ...                   ["sad", "relaxed", None], [0.5, 0.3, None])
    >>> scores["category_recall"], scores["intensity_f1"], round(scores["error_rate"], 3)
    (0.25, 0.6666666666666666, 0.333)
    """
    rc, rl, ec, el = validate(ref_category, ref_intensity, est_category, est_intensity)
    cp, cr, cf = category_prf(rc, ec, average=average)
    ip, ir, i_f = intensity_prf(rl, el, average=average)
    dist = emotion_distance(rc, rl, ec, el)
    n_invalid = int(np.sum(ec < 0))
    return {
        "category_precision": cp,
        "category_recall": cr,
        "category_f1": cf,
        "intensity_precision": ip,
        "intensity_recall": ir,
        "intensity_f1": i_f,
        "emotion_distance": float(np.nanmean(dist)) if n_invalid < len(rc) else float("nan"),
        "error_rate": n_invalid / len(rc),
        "n": len(rc),
        "n_invalid": n_invalid,
    }


#: Keys of :func:`label_spread`'s result, in order.
LABEL_SPREAD_KEYS: tuple[str, ...] = ("intensity_std", "intensity_levels", "categories_used")


def label_spread(
    categories: Sequence | np.ndarray | None, intensities: Sequence | np.ndarray
) -> dict[str, float | int]:
    """How much of the label space a set of predicted labels uses.

    Parameters
    ----------
    categories : array_like, shape (N,), or None
        Predicted categories (names or indices; only their distinct values are counted).
        None: intensities only (no ``categories_used`` in the result).
    intensities : array_like, shape (N,)
        Predicted intensities in [0, 1].

    Returns
    -------
    dict
        ``intensity_std`` (population standard deviation), ``intensity_levels`` (distinct values
        on the 0.1 grid) and ``categories_used`` (distinct categories); NaN / 0 for an empty set.

    Examples
    --------
    >>> s = label_spread(["sad", "sad", "happy"], [0.5, 0.5, 0.8])
    >>> round(s["intensity_std"], 4), s["intensity_levels"], s["categories_used"]
    (0.1414, 2, 2)
    """
    x = np.asarray(intensities, dtype=np.float64).reshape(-1)
    out: dict[str, float | int] = {
        "intensity_std": float(x.std()) if x.size else float("nan"),
        "intensity_levels": int(len(np.unique(np.round(x, 1)))),
    }
    if categories is None:
        return out
    cats = list(np.asarray(categories).reshape(-1).tolist())
    if len(cats) != x.size:
        raise ParameterError(f"{len(cats)} categories but {x.size} intensities")
    out["categories_used"] = int(len(set(cats)))
    return out

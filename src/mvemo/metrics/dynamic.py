"""Dynamic-task metrics: each sample's labels on the 0.5 s grid are scored, then the
per-sample scores are averaged over samples (MVEmo section V-C).

The computation is vectorised over all pairs at once (one ``bincount`` per count),
so MVEmo's scale (about 5.7 million pairs over 11,764 samples) takes a few seconds;
``benchmarks/bench_metrics.py`` prints the time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mvemo.errors import ParameterError
from mvemo.metrics.emotion import Average, emotion_distance, precision_recall_f1, validate
from mvemo.representation import N_CATEGORIES, N_INTENSITY_LEVELS

__all__ = ["group_codes", "evaluate_dynamic"]


def group_codes(sample_ids: Sequence | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer code per pair and the distinct sample ids.

    Pairs of one sample are usually contiguous; then this is linear time (runs are
    found with one comparison pass, and only the run ids are checked for repeats).
    Otherwise it falls back to ``np.unique``.

    Returns
    -------
    codes : np.ndarray of int64, shape (N,)
        ``0..G-1``.
    ids : np.ndarray, shape (G,)
        The sample id of each code.

    Examples
    --------
    >>> codes, ids = group_codes(["a", "a", "b", "b", "b"])
    >>> codes.tolist(), ids.tolist()
    ([0, 0, 1, 1, 1], ['a', 'b'])
    """
    arr = np.asarray(sample_ids)
    if arr.ndim != 1:
        raise ParameterError(f"sample_ids must be one-dimensional, got shape {arr.shape}")
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64), arr
    starts = np.concatenate(([True], arr[1:] != arr[:-1]))
    run_ids = arr[starts]
    if len(np.unique(run_ids)) == len(run_ids):
        return np.cumsum(starts, dtype=np.int64) - 1, run_ids
    ids, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64), ids


def evaluate_dynamic(
    sample_ids: Sequence | np.ndarray,
    ref_category: Sequence | np.ndarray,
    ref_intensity: Sequence | np.ndarray,
    est_category: Sequence | np.ndarray,
    est_intensity: Sequence | np.ndarray,
    *,
    average: Average = "macro",
    return_per_sample: bool = False,
) -> dict[str, float] | tuple[dict[str, float], dict[str, np.ndarray]]:
    """Dynamic-task metrics: per sample, then averaged over samples.

    Parameters
    ----------
    sample_ids : array_like, shape (N,)
        The sample (media item) each pair belongs to.
    ref_category, ref_intensity, est_category, est_intensity : array_like, shape (N,)
        One pair per grid time; see :func:`mvemo.metrics.emotion.validate`.
    average : {"macro", "weighted", "micro"}
        Class averaging within each sample.
    return_per_sample : bool
        Also return the per-sample arrays (keyed like the result, plus ``sample_id``).

    Returns
    -------
    scores : dict
        The keys of :data:`~mvemo.metrics.emotion.METRIC_NAMES`, each the mean over
        samples (``emotion_distance`` over samples with at least one valid pair), plus
        ``n`` (pairs), ``n_samples`` and ``n_invalid``.

    Examples
    --------
    >>> s = evaluate_dynamic(["a", "a", "b"], ["sad", "sad", "calm"], [0.5, 0.5, 0.2],
    ...                      ["sad", "gloomy", "calm"], [0.5, 0.5, 0.2])
    >>> s["category_recall"], s["intensity_f1"], s["n_samples"]
    (0.625, 1.0, 2)
    """
    rc, rl, ec, el = validate(ref_category, ref_intensity, est_category, est_intensity)
    codes, ids = group_codes(sample_ids)
    if len(codes) != len(rc):
        raise ParameterError(f"sample_ids has {len(codes)} entries but there are {len(rc)} label pairs")
    g = len(ids)
    cp, cr, cf = precision_recall_f1(rc, ec, n_classes=N_CATEGORIES, average=average, groups=codes, n_groups=g)
    ip, ir, i_f = precision_recall_f1(rl, el, n_classes=N_INTENSITY_LEVELS, average=average, groups=codes, n_groups=g)
    dist = emotion_distance(rc, rl, ec, el)
    valid = ~np.isnan(dist)
    n_pairs = np.bincount(codes, minlength=g)
    n_valid = np.bincount(codes[valid], minlength=g)
    dist_sum = np.bincount(codes[valid], weights=dist[valid], minlength=g)
    per_dist = np.divide(dist_sum, n_valid, out=np.full(g, np.nan), where=n_valid > 0)
    per_err = (n_pairs - n_valid) / n_pairs
    per_sample = {
        "sample_id": ids,
        "category_precision": cp,
        "category_recall": cr,
        "category_f1": cf,
        "intensity_precision": ip,
        "intensity_recall": ir,
        "intensity_f1": i_f,
        "emotion_distance": per_dist,
        "error_rate": per_err,
    }
    scores: dict[str, float] = {
        k: float(np.nanmean(v)) if k == "emotion_distance" and np.any(n_valid > 0) else float(np.mean(v))
        for k, v in per_sample.items()
        if k != "sample_id"
    }
    scores.update(n=len(rc), n_samples=g, n_invalid=int(len(rc) - valid.sum()))
    return (scores, per_sample) if return_per_sample else scores

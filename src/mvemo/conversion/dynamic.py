"""Dynamic labels: time series resampled onto the MVEmo grid (one label every 0.5 s from 2.5 s).

MVEmo annotates a label at t = 2.5, 3.0, 3.5, ... s, each describing the media within
±2.5 s of t.  Datasets sample their continuous annotations differently (emoMusic at
2 Hz from 15 s, PMEmo every 0.5 s from 15.5 s, raw traces at irregular times), so
:func:`resample_to_grid` brings any series onto the grid with these rules:

* **Ends:** no extrapolation.  Only grid times inside the span of the source samples
  ``[t_first, t_last]`` (with 1e-6 s tolerance) are returned; the grid itself always
  starts at ``start`` (2.5 s), so a source that begins at 15 s yields grid times from
  15.0 s on.
* **Interior:** ``method="linear"`` interpolates between the two neighbouring source
  samples; ``method="nearest"`` (for categorical series) takes the nearest sample.
* **Gaps:** where the two source samples around a grid time are more than ``max_gap``
  seconds apart (default 1.0 s, twice the grid step), the value is missing (NaN) and
  reported, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mvemo.conversion.va import Scale, va_to_arrays
from mvemo.errors import ParameterError

__all__ = [
    "GRID_START",
    "GRID_STEP",
    "WINDOW_HALF_WIDTH",
    "grid_times",
    "resample_to_grid",
    "DynamicLabels",
    "va_series_to_labels",
]

GRID_START = 2.5  #: seconds: the first grid time
GRID_STEP = 0.5  #: seconds between grid times
WINDOW_HALF_WIDTH = 2.5  #: seconds of media on each side of a grid time
_TIME_TOL = 1e-6


def grid_times(
    duration: float, *, start: float = GRID_START, step: float = GRID_STEP, margin: float = WINDOW_HALF_WIDTH
) -> np.ndarray:
    """Grid times for media of ``duration`` seconds: ``start, start + step, ...`` up to
    ``duration - margin`` (so each ±``margin`` window lies inside the media).

    Returns an empty array for media shorter than ``start + margin``.

    Examples
    --------
    >>> grid_times(7.0).tolist()
    [2.5, 3.0, 3.5, 4.0, 4.5]
    """
    if not np.isfinite(duration) or duration < 0:
        raise ParameterError(f"duration must be a finite number >= 0 seconds, got {duration!r}")
    if step <= 0:
        raise ParameterError(f"step must be > 0 seconds, got {step!r}")
    last = duration - margin
    n = int(np.floor((last - start) / step + _TIME_TOL)) + 1 if last >= start - _TIME_TOL else 0
    return start + step * np.arange(max(n, 0), dtype=np.float64)


def resample_to_grid(
    times: np.ndarray,
    values: np.ndarray,
    *,
    start: float = GRID_START,
    step: float = GRID_STEP,
    max_gap: float = 2 * GRID_STEP,
    method: Literal["linear", "nearest"] = "linear",
) -> tuple[np.ndarray, np.ndarray]:
    """Resample a time series onto the MVEmo grid.

    Parameters
    ----------
    times : np.ndarray, shape (N,)
        Sample times in seconds, strictly increasing after sorting (duplicates are an
        error).
    values : np.ndarray, shape (N,) or (N, D)
        Sample values; NaN marks a missing sample.
    start, step : float
        The grid: ``start + k * step`` seconds.
    max_gap : float
        Longest span in seconds between two valid samples that may be bridged.
    method : {"linear", "nearest"}

    Returns
    -------
    grid : np.ndarray, shape (M,)
        Grid times within the span of the valid samples.
    resampled : np.ndarray, shape (M,) or (M, D)
        Values on the grid; NaN where the grid time falls in a gap.

    Examples
    --------
    >>> t = np.array([15.0, 15.5, 16.0, 18.0])
    >>> grid, v = resample_to_grid(t, np.array([0.0, 0.5, 1.0, 1.0]))
    >>> grid.tolist(), v.tolist()
    ([15.0, 15.5, 16.0, 16.5, 17.0, 17.5, 18.0], [0.0, 0.5, 1.0, nan, nan, nan, 1.0])
    """
    t = np.asarray(times, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if t.ndim != 1 or v.shape[:1] != t.shape or v.ndim > 2:
        raise ParameterError(f"times must be (N,) and values (N,) or (N, D); got {t.shape} and {v.shape}")
    if not np.all(np.isfinite(t)):
        raise ParameterError("times must be finite")
    if method not in ("linear", "nearest"):
        raise ParameterError(f"method must be 'linear' or 'nearest', got {method!r}")
    if step <= 0 or max_gap < 0:
        raise ParameterError(f"need step > 0 and max_gap >= 0, got step={step!r}, max_gap={max_gap!r}")
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    if np.any(np.diff(t) <= 0):
        raise ParameterError(f"times must not repeat; repeated: {np.unique(t[1:][np.diff(t) <= 0])[:5].tolist()}")
    v2 = v.reshape(len(t), -1)
    valid = np.all(np.isfinite(v2), axis=1)
    t, v2 = t[valid], v2[valid]
    if len(t) == 0:
        empty = np.empty((0,) + v.shape[1:])
        return np.empty(0), empty
    k0 = int(np.ceil((max(t[0], start) - start) / step - _TIME_TOL))
    k1 = int(np.floor((t[-1] - start) / step + _TIME_TOL))
    grid = start + step * np.arange(k0, max(k1 + 1, k0), dtype=np.float64)
    if len(grid) == 0:
        return grid, np.empty((0,) + v.shape[1:])
    # Right neighbour index j: t[j-1] <= g < t[j]; snap grid times onto samples within tolerance.
    j = np.searchsorted(t, grid + _TIME_TOL, side="right")
    left = np.clip(j - 1, 0, len(t) - 1)
    right = np.clip(j, 0, len(t) - 1)
    on_sample = np.abs(t[left] - grid) <= _TIME_TOL
    span = t[right] - t[left]
    out = np.full((len(grid), v2.shape[1]), np.nan)
    out[on_sample] = v2[left[on_sample]]
    inner = ~on_sample & (right > left) & (span <= max_gap + _TIME_TOL)
    if method == "linear":
        w = ((grid - t[left]) / np.where(span > 0, span, 1.0))[:, None]
        interp = v2[left] * (1 - w) + v2[right] * w
    else:
        nearer_right = (t[right] - grid) < (grid - t[left])
        interp = np.where(nearer_right[:, None], v2[right], v2[left])
    out[inner] = interp[inner]
    return grid, out.reshape((len(grid),) + v.shape[1:])


@dataclass(frozen=True)
class DynamicLabels:
    """Unified labels on the MVEmo grid.

    Attributes
    ----------
    times : np.ndarray, shape (M,)
        Grid times in seconds.
    category : np.ndarray of int, shape (M,)
        Category indices; -1 where the label is missing.
    intensity : np.ndarray of float, shape (M,)
        Intensities on the 0.1 grid; NaN where missing.
    """

    times: np.ndarray
    category: np.ndarray
    intensity: np.ndarray

    @property
    def missing(self) -> np.ndarray:
        """Boolean mask of grid times without a label, shape (M,)."""
        return self.category < 0

    def __len__(self) -> int:
        return len(self.times)


def va_series_to_labels(
    times: np.ndarray,
    valence: np.ndarray,
    arousal: np.ndarray,
    *,
    scale: Scale | tuple[float, float] | str,
    max_gap: float = 2 * GRID_STEP,
) -> DynamicLabels:
    """Resample a valence-arousal time series onto the grid and convert it to unified labels.

    Values are interpolated in VA space (``method="linear"``) before conversion.

    Examples
    --------
    >>> lab = va_series_to_labels(np.array([2.5, 3.0]), np.array([0.8, 0.2]),
    ...                           np.array([0.8, 0.2]), scale="0-1")
    >>> lab.category.tolist(), lab.intensity.tolist()
    ([2, 15], [0.6, 0.6])
    """
    va = np.column_stack([np.asarray(valence, dtype=np.float64), np.asarray(arousal, dtype=np.float64)])
    grid, res = resample_to_grid(times, va, max_gap=max_gap, method="linear")
    ok = np.all(np.isfinite(res), axis=1)
    category = np.full(len(grid), -1, dtype=np.int64)
    intensity = np.full(len(grid), np.nan)
    if np.any(ok):
        category[ok], intensity[ok] = va_to_arrays(res[ok, 0], res[ok, 1], scale=scale)
    return DynamicLabels(grid, category, intensity)

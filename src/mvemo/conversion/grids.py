"""Building, conforming and fusing emotion distributions on the (28 x 11) grid.

Helpers for predictors whose networks do not (yet) answer with a grid directly
(:mod:`mvemo.conversion.point` derives every record field from a grid):

* :func:`level_distribution`: an intensity in [0, 1] as a distribution over the 11 levels
  (the two nearest levels, linearly), so its expected level is the intensity itself;
* :func:`conform_grid`: rescale a grid so that its quadrant marginals equal given quadrant
  probabilities (a quadrant *prior*, e.g. music's linear 4Q channel), keeping the relative
  weights inside each quadrant -- :func:`mvemo.conversion.quadrant.conform_categories`
  applied to every intensity level alike;
* :func:`grid_of_label`: the grid of a record's label (its 28 probabilities, or one-hot on
  its category, times the level distribution of its valence-arousal radius);
* :func:`mix_grids`: a weighted mixture of grids (late fusion).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mvemo.conversion.point import GRID_SHAPE, from_factors, normalize_grid
from mvemo.conversion.quadrant import category_quadrants, conform_categories
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, N_INTENSITY_LEVELS

__all__ = ["level_distribution", "heads_to_grid", "conform_grid", "grid_of_label", "mix_grids"]


def level_distribution(intensity: np.ndarray | float) -> np.ndarray:
    """Distribution over the 11 intensity levels whose mean is ``intensity``.

    The mass goes to the two levels around the intensity, in proportion to its closeness,
    so ``sum_i p_i * i/10 == clip(intensity, 0, 1)``.

    Parameters
    ----------
    intensity : float or np.ndarray, shape S
        Unquantised intensities (clipped to [0, 1]; NaN is refused).

    Returns
    -------
    np.ndarray, shape S + (11,)

    Examples
    --------
    >>> level_distribution(0.64).round(2).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6, 0.4, 0.0, 0.0, 0.0]
    """
    x = np.asarray(intensity, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ParameterError("intensities must be finite")
    pos = np.clip(x, 0.0, 1.0) * (N_INTENSITY_LEVELS - 1)
    lo = np.minimum(np.floor(pos).astype(int), N_INTENSITY_LEVELS - 2)
    frac = pos - lo
    eye = np.eye(N_INTENSITY_LEVELS)
    return eye[lo] * (1.0 - frac)[..., None] + eye[lo + 1] * frac[..., None]


def conform_grid(grid: np.ndarray, quadrant: np.ndarray) -> np.ndarray:
    """Rescale grids so that their quadrant marginals equal ``quadrant``.

    ``P'[c, i] = P[c, i] * Q[q(c)] / sum_{c' in q(c), j} P[c', j]``; a quadrant without mass
    spreads its probability evenly over its categories and levels.

    Parameters
    ----------
    grid : np.ndarray, shape (..., 28, 11)
    quadrant : np.ndarray, shape (..., 4)
        Quadrant probabilities Q1..Q4 (normalised here).

    Returns
    -------
    np.ndarray, shape (..., 28, 11)

    Examples
    --------
    >>> g = conform_grid(np.ones((28, 11)), np.array([0.7, 0.1, 0.1, 0.1]))
    >>> round(float(g[category_quadrants() == 0].sum()), 6)
    0.7
    """
    p = normalize_grid(grid)
    q = np.asarray(quadrant, dtype=np.float64)
    if q.shape != p.shape[:-2] + (4,) or not np.all(np.isfinite(q)) or np.any(q < 0) or np.any(q.sum(-1) <= 0):
        raise ParameterError(
            f"quadrant probabilities need shape {p.shape[:-2] + (4,)}, finite and non-negative, got {q.shape}"
        )
    q = q / q.sum(axis=-1, keepdims=True)
    member = np.eye(4)[category_quadrants()]  # (28, 4)
    mass = p.sum(axis=-1) @ member  # (..., 4)
    empty = mass <= 1e-12
    ratio = np.where(empty, 0.0, q / np.where(empty, 1.0, mass)) @ member.T  # (..., 28)
    out = p * ratio[..., None]
    spread = (np.where(empty, q, 0.0) / member.sum(0)) @ member.T  # (..., 28)
    out += spread[..., None] / N_INTENSITY_LEVELS
    return normalize_grid(out)


def grid_of_label(
    probabilities: Mapping[str, float] | Sequence[float] | np.ndarray | None,
    category: str,
    valence: float,
    arousal: float,
) -> np.ndarray:
    """The grid of one written label: category distribution x the levels of its VA radius.

    Parameters
    ----------
    probabilities : dict or array of 28, optional
        The label's category probabilities; None or empty: one-hot on ``category``.
    category : str
    valence, arousal : float
        The label's point; its relative radius (the unquantised intensity) gives the levels.

    Returns
    -------
    np.ndarray, shape (28, 11)
    """
    from mvemo.conversion.va import va_to_polar

    p = None
    if probabilities is not None and len(probabilities):
        vals = (
            [float(probabilities.get(c, 0.0)) for c in CATEGORIES]
            if isinstance(probabilities, Mapping)
            else list(probabilities)
        )
        p = np.asarray(vals, dtype=np.float64)
        if p.shape != (len(CATEGORIES),) or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
            p = None
    if p is None:
        p = np.eye(len(CATEGORIES))[CATEGORIES.index(category)]
    _, r = va_to_polar(float(np.clip(valence, -1, 1)), float(np.clip(arousal, -1, 1)))
    return from_factors(p / p.sum(), level_distribution(float(r)))


def mix_grids(grids: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """``sum_m w_m P_m`` with the weights normalised (equal weights when they are all 0).

    Examples
    --------
    >>> a, b = np.zeros((28, 11)), np.zeros((28, 11)); a[0, 5] = 1; b[1, 9] = 1
    >>> float(mix_grids([a, b], [3, 1])[0, 5])
    0.75
    """
    if not len(grids) or len(grids) != len(weights):
        raise ParameterError(f"mix_grids needs as many weights as grids (>= 1), got {len(grids)} and {len(weights)}")
    w = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
    out = np.zeros(GRID_SHAPE)
    for wm, g in zip(w, grids):
        out += wm * normalize_grid(g)
    return out


def _probabilities(p: np.ndarray, *, normalize: bool) -> np.ndarray:
    p = np.asarray(p, dtype=np.float64)
    if not normalize:
        return p
    p = np.clip(np.nan_to_num(p), 0.0, None)
    return p / np.maximum(p.sum(axis=-1, keepdims=True), 1e-12)


def heads_to_grid(
    category: np.ndarray,
    intensity: np.ndarray | None = None,
    *,
    quadrant: np.ndarray | None = None,
    levels: np.ndarray | None = None,
    normalize: bool = True,
) -> np.ndarray:
    """One emotion distribution per window from category/quadrant/intensity outputs.

    Parameters
    ----------
    category : np.ndarray, shape (W, 28)
        Category probabilities.
    intensity : np.ndarray, shape (W,), optional
        Intensity in [0, 1] (NaN reads as 0.5; spread over the two nearest levels by
        :func:`mvemo.conversion.grids.level_distribution`); needed unless ``levels`` is given.
    quadrant : np.ndarray, shape (W, 4), optional
        Quadrant probabilities used as a prior on the grid's quadrant marginals: the
        category probabilities are rescaled to them
        (:func:`mvemo.conversion.quadrant.conform_categories`).
    levels : np.ndarray, shape (W, 11) or (W, 28, 11), optional
        Intensity-level distributions (an 11-level head), used instead of ``intensity``.
    normalize : bool
        Clip the category and quadrant outputs to >= 0 (NaN to 0) and rescale them to sum
        to 1 (the default).  False takes them as given, bit for bit (probabilities from a
        softmax, as the music, video and fusion predictors pass).

    Returns
    -------
    np.ndarray, shape (W, 28, 11)
        :func:`mvemo.conversion.point.from_factors` of the two.
    """
    cat = _probabilities(category, normalize=normalize)
    if quadrant is not None:
        cat = conform_categories(cat, _probabilities(quadrant, normalize=normalize))
    if levels is None:
        if intensity is None:
            raise ParameterError("heads_to_grid needs intensity or levels")
        x = np.nan_to_num(np.asarray(intensity, dtype=np.float64).reshape(-1), nan=0.5)
        levels = level_distribution(np.clip(x, 0.0, 1.0))
    return from_factors(cat, levels)

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
* :func:`mix_grids`: a weighted mixture of grids (late fusion);
* :func:`certainty` / :func:`certainty_levels` / :func:`certainty_grid`: the "certainty rule" -- an intensity for a
  model without a trained intensity, from the agreement of its own category distribution.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from mvemo.conversion.point import GRID_SHAPE, from_factors, normalize_grid
from mvemo.conversion.quadrant import category_quadrants, conform_categories
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, N_INTENSITY_LEVELS

__all__ = [
    "certainty",
    "certainty_grid",
    "certainty_levels",
    "conform_grid",
    "grid_of_label",
    "heads_to_grid",
    "level_distribution",
    "mix_grids",
]


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


def certainty(probabilities: np.ndarray) -> np.ndarray:
    """The agreement of category distributions: their mean resultant length on the circumplex.

    ``R = |sum_c p_c (cos theta_c, sin theta_c)|`` with ``theta_c`` the 28 word angles
    (:func:`mvemo.representation.default_circumplex`).  MVEmo defines intensity as the
    *certainty* of the emotion, and the informative targets
    (:mod:`mvemo.conversion.informative`) measure it as the agreement of a source's words or
    raters; this is the same statistic of a model's own predictive distribution: 1 when all
    mass is on one category, near 0 when the mass is spread around the circle (e.g. evenly
    over opposite categories), and in between when it is spread over neighbouring ones.

    Parameters
    ----------
    probabilities : np.ndarray, shape (..., 28)
        Category probabilities (clipped to >= 0 and normalised here).

    Returns
    -------
    np.ndarray, shape (...)
        ``R`` in [0, 1].

    Raises
    ------
    ParameterError
        For another last dimension, non-finite values or a row without mass.

    Examples
    --------
    >>> p = np.zeros(28); p[CATEGORIES.index("happy")] = 1.0
    >>> round(float(certainty(p)), 6)
    1.0
    """
    from mvemo.representation import default_circumplex

    p = np.asarray(probabilities, dtype=np.float64)
    if p.shape[-1:] != (len(CATEGORIES),) or not np.all(np.isfinite(p)):
        raise ParameterError(f"category probabilities must be finite with shape (..., 28), got {p.shape}")
    p = np.clip(p, 0.0, None)
    total = p.sum(axis=-1)
    if np.any(total <= 0):
        raise ParameterError("category probabilities have no mass")
    rad = np.deg2rad(default_circumplex().angles)
    x, y = p @ np.cos(rad), p @ np.sin(rad)
    return np.clip(np.hypot(x, y) / total, 0.0, 1.0)


def certainty_levels(probabilities: np.ndarray) -> np.ndarray:
    """Intensity-level distributions of the certainty rule, shape ``(..., 11)``.

    :func:`certainty` of each category distribution, spread over the 11 levels with
    :func:`mvemo.conversion.informative.level_distribution` (the rule of the informative
    targets: mean exactly ``R``), so the label's intensity is ``R`` on the 0.1 grid.

    Examples
    --------
    >>> p = np.zeros(28); p[CATEGORIES.index("sad")] = 1.0
    >>> int(certainty_levels(p).argmax())
    10
    """
    from mvemo.conversion.informative import level_distribution as informative_levels

    r = certainty(probabilities)
    flat = r.reshape(-1)
    out = np.stack([informative_levels(float(v)) for v in flat]) if flat.size else np.zeros((0, N_INTENSITY_LEVELS))
    return out.reshape(r.shape + (N_INTENSITY_LEVELS,))


def certainty_grid(grid: np.ndarray) -> np.ndarray:
    """Grids whose intensity factor is replaced by the certainty rule.

    ``P'[c, i] = p(c) * l_R(i)``: the grid's own category marginal ``p`` times
    :func:`certainty_levels` of ``p`` (the same levels for every category).  The category,
    quadrant and both probability tables of the label are unchanged; its intensity becomes
    :func:`certainty` of its category distribution, on the 0.1 grid.

    Parameters
    ----------
    grid : np.ndarray, shape (..., 28, 11)

    Returns
    -------
    np.ndarray, shape (..., 28, 11)

    Examples
    --------
    >>> g = np.zeros((28, 11)); g[CATEGORIES.index("relaxed"), 5] = 0.5; g[CATEGORIES.index("distressed"), 5] = 0.5
    >>> float(certainty_grid(g)[:, 0].sum().round(3))  # opposite categories: no certainty
    1.0
    """
    p = normalize_grid(grid).sum(axis=-1)
    return from_factors(p, certainty_levels(p))

"""One emotion point per prediction: a distribution on the plane and the label fields it gives.

Every model answer (static, or one 0.5-s frame) is one probability distribution over the
*grid* of the unified representation: the 28 categories x the 11 intensity levels
0.0, 0.1, ..., 1.0 (``P``, shape ``(28, 11)``, summing to 1).  All record fields derive
from it, and only from it, by these rules:

1. ``probabilities[c] = sum_i P[c, i]``: the 28 category probabilities.
2. ``quadrant_probabilities[q] = sum of probabilities[c]`` over the categories whose word
   angle lies in quadrant ``q``; ``quadrant`` is the most probable quadrant.
3. ``category`` is the most probable category *inside* that quadrant.
4. ``radius = sum_i P[c, i] * i/10 / probabilities[c]``: the expected intensity of that
   category; ``intensity`` is the radius on the 0.1 grid.
5. The direction ``theta`` is the circular mean of the 28 word angles weighted by
   ``probabilities``, clamped into the category's *arc*: its sector intersected with its
   quadrant, less a small margin so that rounding keeps it inside.  With all mass on one
   category it is that category's word angle.
6. ``(valence, arousal) = radius * r_max(theta) * (cos theta, sin theta)``, the inverse of
   MVEmo's eq. 6-10 (``r_max`` is the square's edge, eq. 9).

So by construction the category lies in the quadrant, the valence-arousal point lies in the
category's sector, and the intensity is that point's relative radius on the 0.1 grid
(:func:`coherence_problems` checks a record for exactly this).  At intensity 0 the point is
(nearly) the origin, whose direction is undefined: it is coherent with any category.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo.conversion.quadrant import QUADRANTS, category_quadrants
from mvemo.conversion.va import square_radius, va_to_polar
from mvemo.errors import ParameterError
from mvemo.representation import (
    CATEGORIES,
    INTENSITY_LEVELS,
    N_CATEGORIES,
    N_INTENSITY_LEVELS,
    default_circumplex,
    quantize_intensity,
)

__all__ = [
    "GRID_SHAPE",
    "LEVELS",
    "EmotionPoint",
    "PointArrays",
    "normalize_grid",
    "from_factors",
    "summarize",
    "summarize_many",
    "category_arcs",
    "coherence_problems",
]

#: Shape of one distribution: categories x intensity levels.
GRID_SHAPE = (N_CATEGORIES, N_INTENSITY_LEVELS)
#: The intensity of each level, shape (11,).
LEVELS = np.asarray(INTENSITY_LEVELS, dtype=np.float64)
_MARGIN_DEG = 0.5  # how far inside its arc's edges a clamped direction stays (at most)


def normalize_grid(p: np.ndarray) -> np.ndarray:
    """Check and normalise distributions of shape ``(..., 28, 11)`` to sum to 1.

    Raises
    ------
    ParameterError
        For another shape, negative or non-finite values, or a distribution with no mass.

    Examples
    --------
    >>> float(normalize_grid(np.ones((28, 11))).sum().round(6))
    1.0
    """
    p = np.asarray(p, dtype=np.float64)
    if p.ndim < 2 or p.shape[-2:] != GRID_SHAPE:
        raise ParameterError(f"an emotion distribution has shape (..., 28, 11), got {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ParameterError("an emotion distribution must be finite and non-negative")
    total = p.sum(axis=(-2, -1), keepdims=True)
    if np.any(total <= 0):
        raise ParameterError("an emotion distribution has no probability mass")
    return p / total


def from_factors(category: np.ndarray, level: np.ndarray) -> np.ndarray:
    """The joint grid of a category distribution and intensity-level distributions.

    Parameters
    ----------
    category : np.ndarray, shape (..., 28)
        Category probabilities.
    level : np.ndarray, shape (..., 11) or (..., 28, 11)
        Intensity-level probabilities: one for all categories, or one per category.

    Returns
    -------
    np.ndarray, shape (..., 28, 11)
        ``P[c, i] = category[c] * level[(c,) i]``, normalised.

    Examples
    --------
    >>> c = np.zeros(28); c[2] = 1.0
    >>> lv = np.zeros(11); lv[7] = 1.0
    >>> summarize(from_factors(c, lv)).category, summarize(from_factors(c, lv)).intensity
    ('excited', 0.7)
    """
    c = np.asarray(category, dtype=np.float64)
    lv = np.asarray(level, dtype=np.float64)
    if c.shape[-1:] != (N_CATEGORIES,):
        raise ParameterError(f"category probabilities have shape (..., 28), got {c.shape}")
    if lv.shape[-1:] != (N_INTENSITY_LEVELS,):
        raise ParameterError(f"intensity-level probabilities have shape (..., 11) or (..., 28, 11), got {lv.shape}")
    if lv.ndim >= 2 and lv.shape[-2] == N_CATEGORIES and lv.shape[:-2] == c.shape[:-1]:
        joint = c[..., :, None] * lv
    else:
        joint = c[..., :, None] * lv[..., None, :]
    return normalize_grid(joint)


def _arc_bounds() -> tuple[np.ndarray, np.ndarray]:
    """Counter-clockwise start and width (degrees) of each category's sector within its quadrant."""
    circ = default_circumplex()
    quads = category_quadrants()
    start, width = np.empty(N_CATEGORIES), np.empty(N_CATEGORIES)
    for c in range(N_CATEGORIES):
        lo, w = circ.sector_lower[c], circ.sector_widths[c]
        q_lo = 90.0 * quads[c]
        # offsets of the sector ends relative to the quadrant start, unwrapped to the quadrant's side
        a = (lo - q_lo + 180.0) % 360.0 - 180.0
        b = a + w
        a2, b2 = max(a, 0.0), min(b, 90.0)
        start[c], width[c] = (q_lo + a2) % 360.0, b2 - a2
    return start, width


_ARC_START, _ARC_WIDTH = _arc_bounds()


def category_arcs() -> tuple[np.ndarray, np.ndarray]:
    """Where each category's direction may lie: ``(start, width)`` in degrees, shape (28,) each.

    The arc is the category's sector intersected with the quadrant of its word angle.

    Examples
    --------
    >>> start, width = category_arcs()
    >>> bool(np.all(width > 0)), bool(width.sum() <= 360.0)
    (True, True)
    """
    return _ARC_START.copy(), _ARC_WIDTH.copy()


def _clamp_to_arc(theta: np.ndarray, cat: np.ndarray) -> np.ndarray:
    start, width = _ARC_START[cat], _ARC_WIDTH[cat]
    margin = np.minimum(_MARGIN_DEG, width / 4.0)
    off = np.mod(theta - start, 360.0)
    inside = (off >= margin) & (off <= width - margin)
    # outside: to the nearer edge, measured around the circle
    to_low = np.mod(start + margin - theta, 360.0)
    to_high = np.mod(theta - (start + width - margin), 360.0)
    clamped = np.where(to_low < to_high, start + margin, start + width - margin)
    return np.mod(np.where(inside, theta, clamped), 360.0)


@dataclass(frozen=True)
class PointArrays:
    """The fields of many distributions (leading shape ``S``), from :func:`summarize_many`.

    Attributes
    ----------
    category : np.ndarray of int, shape S
    intensity : np.ndarray, shape S (0.1 grid)
    radius : np.ndarray, shape S (the unquantised intensity)
    theta : np.ndarray, shape S (degrees)
    valence, arousal : np.ndarray, shape S (in [-1, 1])
    quadrant : np.ndarray of int, shape S (0 = Q1 .. 3 = Q4)
    probabilities : np.ndarray, shape S + (28,)
    quadrant_probabilities : np.ndarray, shape S + (4,)
    """

    category: np.ndarray
    intensity: np.ndarray
    radius: np.ndarray
    theta: np.ndarray
    valence: np.ndarray
    arousal: np.ndarray
    quadrant: np.ndarray
    probabilities: np.ndarray
    quadrant_probabilities: np.ndarray


def summarize_many(p: np.ndarray) -> PointArrays:
    """Apply the rules of this module's docstring to distributions of shape ``(..., 28, 11)``."""
    p = normalize_grid(p)
    probs = p.sum(axis=-1)  # (..., 28)
    quads = category_quadrants()
    qprobs = np.stack([probs[..., quads == q].sum(axis=-1) for q in range(4)], axis=-1)
    quadrant = qprobs.argmax(axis=-1)
    masked = np.where(quads == quadrant[..., None], probs, -1.0)
    cat = masked.argmax(axis=-1)
    pc = np.take_along_axis(p, cat[..., None, None], axis=-2)[..., 0, :]  # (..., 11)
    radius = np.clip((pc * LEVELS).sum(axis=-1) / np.maximum(pc.sum(axis=-1), 1e-300), 0.0, 1.0)
    intensity = np.asarray(quantize_intensity(radius), dtype=np.float64)
    rad = np.deg2rad(default_circumplex().angles)
    x, y = probs @ np.cos(rad), probs @ np.sin(rad)
    theta = _clamp_to_arc(np.mod(np.rad2deg(np.arctan2(y, x)), 360.0), cat)
    dist = radius * square_radius(theta)
    t = np.deg2rad(theta)
    valence, arousal = np.clip(dist * np.cos(t), -1, 1), np.clip(dist * np.sin(t), -1, 1)
    return PointArrays(
        category=cat,
        intensity=intensity,
        radius=radius,
        theta=theta,
        valence=valence,
        arousal=arousal,
        quadrant=quadrant,
        probabilities=probs,
        quadrant_probabilities=qprobs,
    )


@dataclass(frozen=True)
class EmotionPoint:
    """The label fields of one distribution (see the module docstring for the rules).

    Examples
    --------
    >>> p = np.zeros((28, 11)); p[CATEGORIES.index("sad"), 8] = 0.7; p[CATEGORIES.index("gloomy"), 6] = 0.3
    >>> pt = summarize(p)
    >>> pt.category, pt.intensity, pt.quadrant
    ('sad', 0.8, 'Q3')
    >>> coherence_problems(pt.category, pt.intensity, pt.valence, pt.arousal, pt.quadrant)
    []
    """

    category: str
    intensity: float
    valence: float
    arousal: float
    quadrant: str
    probabilities: dict[str, float]
    quadrant_probabilities: dict[str, float]
    radius: float
    theta: float


def summarize(p: np.ndarray) -> EmotionPoint:
    """The :class:`EmotionPoint` of one distribution of shape ``(28, 11)``."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape != GRID_SHAPE:
        raise ParameterError(f"summarize takes one distribution of shape (28, 11), got {p.shape}")
    a = summarize_many(p)
    return EmotionPoint(
        category=CATEGORIES[int(a.category)],
        intensity=float(a.intensity),
        valence=float(a.valence),
        arousal=float(a.arousal),
        quadrant=QUADRANTS[int(a.quadrant)],
        probabilities={c: float(v) for c, v in zip(CATEGORIES, a.probabilities)},
        quadrant_probabilities={q: float(v) for q, v in zip(QUADRANTS, a.quadrant_probabilities)},
        radius=float(a.radius),
        theta=float(a.theta),
    )


def coherence_problems(
    category: str, intensity: float, valence: float, arousal: float, quadrant: str | None = None, *, tol: float = 1e-6
) -> list[str]:
    """What is incoherent in one label: ``[]`` when the category lies in ``quadrant``, the
    valence-arousal point in the category's sector, and ``intensity`` is the point's relative
    radius on the 0.1 grid.

    Parameters
    ----------
    category : str
    intensity : float
    valence, arousal : float
        In [-1, 1].
    quadrant : str, optional
        ``"Q1"``..``"Q4"``; not checked when None (dynamic frames carry no quadrant).
    tol : float
        Slack for the radius (rounded record values).

    Examples
    --------
    >>> coherence_problems("relaxed", 0.5, -0.53, -0.2, "Q4")
    ['valence-arousal (-0.53, -0.2) lies in the sector of sad, not relaxed']
    >>> coherence_problems("excited", 0.5, 0.3, 0.3, "Q4")
    ['category excited lies in Q1, not Q4', 'radius 0.30 gives intensity 0.3, not 0.5']
    """
    circ = default_circumplex()
    c = circ.index(category)
    out = []
    if quadrant is not None:
        q = QUADRANTS[int(category_quadrants()[c])]
        if q != quadrant:
            out.append(f"category {category} lies in {q}, not {quadrant}")
    theta, r = va_to_polar(valence, arousal)
    r = float(r)
    if float(quantize_intensity(r)) > 0.0:  # at intensity 0 the point is the origin: no direction
        got = int(circ.category_index_of(float(theta)))
        if got != c:
            out.append(
                f"valence-arousal ({valence}, {arousal}) lies in the sector of {circ.categories[got]}, not {category}"
            )
    level = float(quantize_intensity(r))
    if abs(level - float(intensity)) > 1e-9:
        lo, hi = quantize_intensity(max(r - tol, 0.0)), quantize_intensity(min(r + tol, 1.0))
        if not (abs(float(lo) - intensity) < 1e-9 or abs(float(hi) - intensity) < 1e-9):
            out.append(f"radius {r:.2f} gives intensity {level}, not {intensity}")
    return out

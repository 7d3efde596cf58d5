"""4-quadrant (4Q) labels <-> the unified representation (MVEmo section III-A).

Q1 = +valence +arousal, Q2 = -valence +arousal, Q3 = -valence -arousal,
Q4 = +valence -arousal (Russell quadrants, counter-clockwise from pleasure).
"""

from __future__ import annotations

import numpy as np

from mvemo.errors import ParameterError
from mvemo.representation import EmotionLabel, anchor_angles, default_circumplex
from mvemo.representation.label import Anchor

__all__ = [
    "QUADRANTS",
    "QUADRANT_CATEGORIES",
    "DEFAULT_INTENSITY",
    "normalize_quadrant",
    "quadrant_to_label",
    "angle_to_quadrant",
    "label_to_quadrant",
    "category_quadrants",
    "conform_categories",
    "quadrant_agreement",
]

QUADRANTS: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")
#: MVEmo's mapping of each quadrant to one category.
QUADRANT_CATEGORIES: dict[str, str] = {
    "Q1": "excited",
    "Q2": "distressed",
    "Q3": "depressed",
    "Q4": "relaxed",
}
#: Intensity given to labels converted from classes or words (MVEmo uses 0.5).
DEFAULT_INTENSITY = 0.5

# Spellings that datasets use for the quadrants (EMOPIA integers, MoodyLyrics words, ...).
_ALIASES = {
    "q1": "Q1", "1": "Q1", "happy": "Q1",
    "q2": "Q2", "2": "Q2", "angry": "Q2",
    "q3": "Q3", "3": "Q3", "sad": "Q3",
    "q4": "Q4", "4": "Q4", "relaxed": "Q4",
}  # fmt: skip


def normalize_quadrant(quadrant: str | int) -> str:
    """Canonical quadrant name ``"Q1"``..``"Q4"``.

    Accepts ``"Q1"``/``"q1"``, integers 1-4 (EMOPIA) and the class words that
    MoodyLyrics uses (happy, angry, sad, relaxed).

    Examples
    --------
    >>> normalize_quadrant(3), normalize_quadrant(" q2 "), normalize_quadrant("relaxed")
    ('Q3', 'Q2', 'Q4')
    """
    if isinstance(quadrant, (bool, np.bool_)):
        raise ParameterError(f"not a quadrant: {quadrant!r} (expected Q1, Q2, Q3 or Q4)")
    if isinstance(quadrant, (int, np.integer)):
        key = str(int(quadrant))
    elif isinstance(quadrant, str):
        key = quadrant.strip().lower()
    else:
        raise ParameterError(f"not a quadrant: {quadrant!r} (expected Q1, Q2, Q3 or Q4)")
    try:
        return _ALIASES[key]
    except KeyError:
        raise ParameterError(f"not a quadrant: {quadrant!r} (expected Q1, Q2, Q3 or Q4)") from None


def quadrant_to_label(quadrant: str | int, *, intensity: float = DEFAULT_INTENSITY) -> EmotionLabel:
    """Unified label of a 4Q class: Q1 excited, Q2 distressed, Q3 depressed, Q4 relaxed.

    Examples
    --------
    >>> quadrant_to_label("Q2")
    EmotionLabel(category='distressed', intensity=0.5)
    """
    return EmotionLabel(QUADRANT_CATEGORIES[normalize_quadrant(quadrant)], intensity)


def angle_to_quadrant(angle: float | np.ndarray) -> np.ndarray:
    """Quadrant number 1..4 of directions in degrees.

    Quadrants are half-open counter-clockwise: Q1 = [0°, 90°), Q2 = [90°, 180°),
    Q3 = [180°, 270°), Q4 = [270°, 360°); so a direction on an axis goes to the
    quadrant counter-clockwise of it.

    Examples
    --------
    >>> angle_to_quadrant([0.0, 89.9, 90.0, 200.0, -10.0]).tolist()
    [1, 1, 2, 3, 4]
    """
    a = np.asarray(angle, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ParameterError("angles must be finite")
    return (np.floor(np.mod(a, 360.0) / 90.0).astype(np.int64) % 4) + 1


def label_to_quadrant(label: EmotionLabel, *, anchor: Anchor = "word") -> str:
    """Quadrant of a unified label, from its category's angle.

    ``anchor="word"`` (default) uses the word's own angle; ``"center"`` uses the
    centre of its sector.  They differ for one category: 'tense' lies at 92.8°
    (Q2) but its sector centre is at 89.0° (Q1).

    Examples
    --------
    >>> label_to_quadrant(EmotionLabel("calm", 0.7))
    'Q4'
    """
    angles = anchor_angles(default_circumplex(), anchor)
    return QUADRANTS[int(angle_to_quadrant(angles[label.index])) - 1]


def category_quadrants(*, anchor: Anchor = "word") -> np.ndarray:
    """Quadrant index (0 = Q1 .. 3 = Q4) of each of the 28 unified categories, shape ``(28,)``.

    Examples
    --------
    >>> q = category_quadrants()
    >>> q.shape, sorted(set(q.tolist()))
    ((28,), [0, 1, 2, 3])
    """
    return angle_to_quadrant(anchor_angles(default_circumplex(), anchor)) - 1


def conform_categories(category: np.ndarray, quadrant: np.ndarray, *, anchor: Anchor = "word") -> np.ndarray:
    """Rescale category probabilities so that their mass per quadrant equals ``quadrant``.

    ``p'(c) = p(c) * P(q(c)) / sum_{c' in q(c)} p(c')``: within each quadrant the categories
    keep their relative weights, and the quadrant marginal becomes the given quadrant
    probabilities.  Used where a model's quadrant comes from a better channel than its
    category head (a linear 4Q model), so that the category agrees with the quadrant.  A
    quadrant whose categories have no mass spreads its probability evenly over them.

    Parameters
    ----------
    category : np.ndarray, shape (W, 28) or (28,)
        Category probabilities (rows sum to 1).
    quadrant : np.ndarray, shape (W, 4) or (4,)
        Quadrant probabilities Q1..Q4 (rows sum to 1).
    anchor : {"word", "center"}
        Which angle of a category decides its quadrant (:func:`label_to_quadrant`).

    Returns
    -------
    np.ndarray, shape like ``category``

    Examples
    --------
    >>> p = np.full(28, 1 / 28)
    >>> out = conform_categories(p, np.array([0.7, 0.1, 0.1, 0.1]))
    >>> q = category_quadrants()
    >>> round(float(out[q == 0].sum()), 6), round(float(out.sum()), 6)
    (0.7, 1.0)
    """
    cat = np.asarray(category, dtype=np.float64)
    quad = np.asarray(quadrant, dtype=np.float64)
    if cat.shape[-1] != 28 or quad.shape[-1] != 4 or cat.shape[:-1] != quad.shape[:-1]:
        raise ParameterError(
            f"need category (..., 28) and quadrant (..., 4) probabilities with the same "
            f"leading shape, got {cat.shape} and {quad.shape}"
        )
    member = np.eye(4)[category_quadrants(anchor=anchor)]  # (28, 4)
    mass = cat @ member  # (..., 4)
    empty = mass <= 1e-12
    ratio = np.where(empty, 0.0, quad / np.where(empty, 1.0, mass))
    out = cat * (ratio @ member.T)
    # Quadrants without category mass: their probability spread evenly over their categories.
    out += (np.where(empty, quad, 0.0) / member.sum(0)) @ member.T
    return out


def quadrant_agreement(category: np.ndarray, quadrant: np.ndarray, *, anchor: Anchor = "word") -> float:
    """Share of rows whose most probable category lies in the most probable quadrant.

    Parameters
    ----------
    category : np.ndarray, shape (W, 28)
        Category probabilities (or scores) per row.
    quadrant : np.ndarray, shape (W, 4)
        Quadrant probabilities Q1..Q4 per row.
    anchor : {"word", "center"}
        Which angle of a category decides its quadrant (:func:`label_to_quadrant`).

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> p = np.zeros((2, 28)); p[:, 0] = 1.0  # category 0 lies in Q1
    >>> quadrant_agreement(p, np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1]]))
    0.5
    """
    cat = np.asarray(category)
    quad = np.asarray(quadrant)
    if cat.ndim != 2 or quad.ndim != 2 or cat.shape[1] != 28 or quad.shape[1] != 4 or len(cat) != len(quad):
        raise ParameterError(f"need category (W, 28) and quadrant (W, 4) arrays, got {cat.shape} and {quad.shape}")
    return float(np.mean(category_quadrants(anchor=anchor)[cat.argmax(1)] == quad.argmax(1)))

"""Informative unified targets: labels whose intensity is the agreement of the source.

MVEmo's conversions (``quadrant_to_label``, ``word_to_label``, ``va_to_label``) stay the
paper-compatible references.  They give every 4Q clip one of four words at intensity
0.5 and every bag of words its circular mean at 0.5, so the intensity says nothing.
Here the intensity is the *certainty* of the emotion, measured as the agreement of the
source's words, raters or ratings, and each target also gives a soft distribution on
the grid of :mod:`mvemo.conversion.point` (28 categories x 11 intensity levels) for
training.  The rules (see ``docs/representation.md``, "Informative labels"):

**Agreement.**  Each observation ``i`` (one word of a clip, one rater of a track) is a
vector ``u_i`` on the plane: a word is the unit vector at its category's angle
(through the reviewed word map), a rater the mean of the unit vectors of the terms they
ticked.  With weights ``w_i``, the direction is ``theta = atan2(sum w u)``, the mean
resultant length ``R = |sum w u| / sum w``, and the agreement is the bias-corrected
estimate of the population's resultant length::

    rho^2 = (|sum w_i u_i|^2 - sum w_i^2 |u_i|^2) / ((sum w_i)^2 - sum w_i^2)

the weighted mean over *pairs of different observations* of ``u_i . u_j`` (for unit
vectors and equal weights, ``(n R^2 - 1) / (n - 1)``: the pairwise phase consistency
of Vinck et al. 2010).  ``R`` of ``n`` random directions is about ``1/sqrt(n)``; ``rho``
of random directions is 0 on average, whatever ``n``.  Negative estimates clip to 0.

**Valence-arousal with a rating spread.**  Individual ratings are modelled as
``N(mu, sigma^2 I)`` around the mean (``sigma^2`` the mean of the valence and arousal
variances, on [-1, 1]); the agreement is the mean resultant length of the raters'
directions, in closed form ``rho = sqrt(pi)/2 * a * (I0e(a^2/2) + I1e(a^2/2))`` with
``a = |mu| / (sigma sqrt 2)`` (``I0e``, ``I1e``: exponentially scaled Bessel functions).
It grows from 0 at the neutral point to 1 when the spread is small against the
distance from neutral, so certainty shrinks as the spread grows.

**Soft target.**  ``P[c, i] = p(c) * l(i)``: ``p(c) ~ exp(kappa cos(theta_c - theta))``,
a von Mises density evaluated at the 28 word angles with ``kappa = A1^-1(rho)`` (the
concentration whose mean resultant length is ``rho``; Fisher 1993, eq. 4.40), so its
mode is the label's category; ``l`` spreads the intensity ``x`` over the 11 levels with
mean exactly ``x`` (half linear interpolation between the two nearest levels, half
``Binomial(10, x) / 10``).  A target may fix its quadrant's share (4Q: ``PQuad``;
quadrant-only labels: 1); otherwise the label's quadrant is scaled up only if needed
to be the most probable one.  So :func:`mvemo.conversion.point.summarize` of the soft
target gives back the label's category, quadrant and intensity.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from mvemo.conversion.point import GRID_SHAPE
from mvemo.conversion.quadrant import (
    QUADRANT_CATEGORIES,
    QUADRANTS,
    category_quadrants,
    normalize_quadrant,
)
from mvemo.conversion.va import as_scale, va_to_polar
from mvemo.conversion.words import WordMap, default_word_map
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, default_circumplex, quantize_intensity

__all__ = [
    "RULES",
    "WEIGHTS",
    "Agreement",
    "InformativeTarget",
    "agreement",
    "category_distribution",
    "dynamic_from_va",
    "from_4q_words",
    "from_quadrant",
    "from_va",
    "from_votes",
    "from_words",
    "kappa_from_rho",
    "level_distribution",
    "rho_from_va_spread",
    "soft_target",
    "soft_targets",
]

#: Training weight of each rule: full for labels with agreement information, less for
#: a valence-arousal point without its spread, half for a bare quadrant.
WEIGHTS: dict[str, float] = {
    "words": 1.0,
    "votes": 1.0,
    "4q-words": 1.0,
    "va-spread": 1.0,
    "va": 0.75,
    "quadrant": 0.5,
}
RULES = tuple(WEIGHTS)
KAPPA_MAX = 50.0  # concentration cap (rho -> 1); exp(50 cos) already puts ~all mass on the mode
KAPPA_MIN = 0.01  # keeps the mode at the label's category when rho is 0
LEVEL_SMOOTHING = 0.5  # share of the Binomial(10, x) part of the level distribution
_ROUND = 4  # decimals kept in manifests


# -- agreement ----------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """Circular statistics of weighted vectors (see the module docstring).

    Attributes
    ----------
    theta : float
        Direction of the weighted resultant, degrees in [0, 360).
    resultant : float
        ``R``, the mean resultant length, in [0, 1].
    rho : float
        The bias-corrected agreement in [0, 1]; ``nan`` when ``n_eff <= 1`` (one
        observation says nothing about agreement).
    n_eff : float
        Effective number of observations ``(sum w)^2 / sum w^2``.
    """

    theta: float
    resultant: float
    rho: float
    n_eff: float


def agreement(vectors: np.ndarray, weights: Sequence[float] | np.ndarray | None = None) -> Agreement:
    """Direction, mean resultant length and bias-corrected agreement of observations.

    Parameters
    ----------
    vectors : np.ndarray, shape (n, 2)
        One vector per observation, length <= 1 (``(cos, sin)`` of a word's angle, or
        a rater's mean of such vectors).
    weights : array_like, shape (n,), optional
        Non-negative weights; default 1 each.

    Raises
    ------
    ParameterError
        For a bad shape, negative or non-finite weights, no positive weight, or
        vectors that cancel out (no direction).

    Examples
    --------
    >>> u = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> a = agreement(u)
    >>> round(a.theta, 2), round(a.resultant, 3), round(a.rho, 3), a.n_eff
    (26.57, 0.745, 0.577, 3.0)
    """
    u = np.asarray(vectors, dtype=np.float64)
    if u.ndim != 2 or u.shape[1] != 2 or u.shape[0] == 0:
        raise ParameterError(f"agreement needs vectors of shape (n, 2), got {u.shape}")
    w = np.ones(len(u)) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (len(u),) or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.all(np.isfinite(u)):
        raise ParameterError("agreement needs finite vectors and one finite non-negative weight per vector")
    sw, sw2 = float(w.sum()), float((w * w).sum())
    if sw <= 0:
        raise ParameterError("agreement needs at least one positive weight")
    s = w @ u
    norm = float(np.hypot(*s))
    if norm <= 1e-12 * sw:
        raise ParameterError("the vectors cancel out: the mean direction is undefined")
    theta = float(np.mod(np.rad2deg(np.arctan2(s[1], s[0])), 360.0))
    n_eff = sw * sw / sw2
    denom = sw * sw - sw2
    if denom <= 1e-12 * sw * sw:
        rho = float("nan")
    else:
        rho2 = (norm * norm - float((w * w) @ (u * u).sum(axis=1))) / denom
        rho = math.sqrt(min(max(rho2, 0.0), 1.0))
    return Agreement(theta=theta % 360.0, resultant=min(norm / sw, 1.0), rho=rho, n_eff=n_eff)


def kappa_from_rho(rho: float | np.ndarray) -> np.ndarray | float:
    """Von Mises concentration with mean resultant length ``rho`` (``A1^-1``).

    Fisher's (1993, eq. 4.40) piecewise approximation, capped at :data:`KAPPA_MAX`
    and floored at :data:`KAPPA_MIN`.

    Examples
    --------
    >>> [round(float(kappa_from_rho(r)), 3) for r in (0.0, 0.5, 0.9)]
    [0.01, 1.151, 5.291]
    """
    r = np.clip(np.asarray(rho, dtype=np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = 2 * r + r**3 + 5 * r**5 / 6
        mid = -0.4 + 1.39 * r + 0.43 / (1 - r)
        high = 1 / (r**3 - 4 * r**2 + 3 * r)
    k = np.where(r < 0.53, low, np.where(r < 0.85, mid, high))
    k = np.where(r >= 1.0, KAPPA_MAX, k)
    k = np.clip(np.nan_to_num(k, nan=KAPPA_MAX, posinf=KAPPA_MAX), KAPPA_MIN, KAPPA_MAX)
    return float(k) if k.ndim == 0 else k


def rho_from_va_spread(distance: float | np.ndarray, sigma: float | np.ndarray) -> np.ndarray | float:
    """Mean resultant length of the directions of ``N(mu, sigma^2 I)`` points, ``|mu| = distance``.

    Both on the [-1, 1] plane.  ``sigma = 0`` gives 1 (0 at the origin).

    Examples
    --------
    >>> [round(float(rho_from_va_spread(d, 0.3)), 3) for d in (0.0, 0.3, 1.0)]
    [0.0, 0.557, 0.951]
    """
    from scipy.special import ive

    d = np.asarray(distance, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    if np.any(d < 0) or np.any(s < 0) or not (np.all(np.isfinite(d)) and np.all(np.isfinite(s))):
        raise ParameterError("distance and sigma must be finite and non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        a = d / (s * math.sqrt(2.0))
        z = a * a / 2.0
        rho = math.sqrt(math.pi) / 2.0 * a * (ive(0, z) + ive(1, z))
    rho = np.where(s <= 0, np.where(d > 0, 1.0, 0.0), rho)
    rho = np.clip(np.nan_to_num(rho, nan=1.0), 0.0, 1.0)  # a -> inf: rho -> 1 (ive underflow)
    return float(rho) if rho.ndim == 0 else rho


# -- soft targets -------------------------------------------------------------------
def level_distribution(x: float) -> np.ndarray:
    """Distribution over the 11 intensity levels with mean exactly ``x``, shape (11,).

    Half linear interpolation between the two nearest levels, half ``Binomial(10, x)``.

    Examples
    --------
    >>> lv = level_distribution(0.73)
    >>> round(float(lv @ (np.arange(11) / 10)), 6), int(lv.argmax())
    (0.73, 7)
    """
    if not (0.0 <= x <= 1.0) or not math.isfinite(x):
        raise ParameterError(f"an intensity must lie in [0, 1], got {x}")
    pos = x * 10.0
    lo = min(math.floor(pos), 9)
    frac = pos - lo
    two = np.zeros(11)
    two[lo], two[lo + 1] = 1.0 - frac, frac
    k = np.arange(11)
    binom = np.array([math.comb(10, int(i)) for i in k], dtype=np.float64) * x**k * (1.0 - x) ** (10 - k)
    return (1.0 - LEVEL_SMOOTHING) * two + LEVEL_SMOOTHING * binom / binom.sum()


def category_distribution(
    theta: float, kappa: float, category: int, *, quadrant_share: float | None = None
) -> np.ndarray:
    """Soft category distribution of a target, shape (28,) (see the module docstring).

    Parameters
    ----------
    theta : float
        Direction in degrees.
    kappa : float
        Von Mises concentration.
    category : int
        The label's category; its quadrant ends up the most probable one.
    quadrant_share : float, optional
        Fix the probability of the label's quadrant to this (in (0, 1]); the other
        quadrants share the rest in their von Mises proportions.
    """
    circ = default_circumplex()
    quads = category_quadrants()
    logits = kappa * np.cos(np.deg2rad(circ.angles - theta))
    logits[category] += 1e-9  # a direction on a sector edge is equally near two words: the label's wins
    p = np.exp(logits - logits.max())
    p /= p.sum()
    q = quads[category]
    inside = quads == q
    s = float(p[inside].sum())
    if quadrant_share is not None:
        if not (0.0 < quadrant_share <= 1.0):
            raise ParameterError(f"quadrant_share must lie in (0, 1], got {quadrant_share}")
        target = float(quadrant_share)
    else:
        others = max(float(p[quads == k].sum()) for k in range(4) if k != q)
        m = 1.02 * others / max(1.0 - s, 1e-300)  # the largest other quadrant, as a share of the rest
        target = s if s > others else m / (1.0 + m)
    out = np.where(inside, p * target / max(s, 1e-300), p * (1.0 - target) / max(1.0 - s, 1e-300))
    return out / out.sum()


def soft_target(
    theta: float, intensity: float, kappa: float, category: int, *, quadrant_share: float | None = None
) -> np.ndarray:
    """The (28, 11) training distribution ``p(c) * l(i)`` of a target.

    ``intensity`` is the unrounded agreement (the level distribution's mean).
    """
    p = category_distribution(theta, kappa, category, quadrant_share=quadrant_share)
    grid = p[:, None] * level_distribution(float(intensity))[None, :]
    return grid / grid.sum()


# -- the target type ----------------------------------------------------------------
@dataclass(frozen=True)
class InformativeTarget:
    """An informative unified target: label, soft-target parameters and training weight.

    Attributes
    ----------
    category : str
        One of the 28.
    intensity : float
        On the 0.1 grid: ``quantize(agreement)``.
    theta : float
        Direction in degrees (the circular mean, or the valence-arousal angle).
    agreement : float
        The unrounded certainty in [0, 1] (mean of the soft target's levels).
    kappa : float
        Von Mises concentration of the soft target's categories.
    weight : float
        Training weight (:data:`WEIGHTS` of the rule).
    rule : str
        One of :data:`RULES`.
    n : float or None
        Effective number of observations (words, raters), where counted.
    quadrant_share : float or None
        Fixed probability of the category's quadrant in the soft target.
    """

    category: str
    intensity: float
    theta: float
    agreement: float
    kappa: float
    weight: float
    rule: str
    n: float | None = None
    quadrant_share: float | None = None

    def __post_init__(self) -> None:
        if self.rule not in WEIGHTS:
            raise ParameterError(f"unknown informative rule {self.rule!r}; known: {', '.join(RULES)}")
        default_circumplex().index(self.category)
        for name in ("intensity", "agreement"):
            x = getattr(self, name)
            if not (0.0 <= x <= 1.0):
                raise ParameterError(f"informative target {name} must lie in [0, 1], got {x}")
        if not (self.kappa > 0 and math.isfinite(self.kappa)) or not (self.weight >= 0):
            raise ParameterError(f"bad kappa {self.kappa} or weight {self.weight}")

    @property
    def category_index(self) -> int:
        """Index of :attr:`category` in :data:`~mvemo.representation.CATEGORIES`."""
        return CATEGORIES.index(self.category)

    @property
    def quadrant(self) -> str:
        """Quadrant of the category's word angle."""
        return QUADRANTS[int(category_quadrants()[self.category_index])]

    def soft(self) -> np.ndarray:
        """The soft training target, shape (28, 11), summing to 1."""
        return soft_target(
            self.theta, self.agreement, self.kappa, self.category_index, quadrant_share=self.quadrant_share
        )

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON-ready dict (floats rounded to 4 decimals; None fields left out)."""
        out = {}
        for k, v in asdict(self).items():
            if v is None:
                continue
            out[k] = round(v, _ROUND) if isinstance(v, float) else v
        return out

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> InformativeTarget:
        """Inverse of :meth:`to_dict` (extra keys such as ``dynamic`` are ignored)."""
        names = ("category", "intensity", "theta", "agreement", "kappa", "weight", "rule", "n", "quadrant_share")
        missing = [k for k in names[:7] if k not in record]
        if missing:
            raise ParameterError(f"informative target lacks field(s) {missing}")
        return cls(**{k: record[k] for k in names if k in record and record[k] is not None})


def _make(
    theta: float,
    rho: float,
    rule: str,
    *,
    category: int | None = None,
    n: float | None = None,
    quadrant_share: float | None = None,
) -> InformativeTarget:
    circ = default_circumplex()
    c = int(circ.category_index_of(theta)) if category is None else int(category)
    rho = float(min(max(rho, 0.0), 1.0))
    return InformativeTarget(
        category=CATEGORIES[c],
        intensity=float(quantize_intensity(rho)),
        theta=float(theta) % 360.0,
        agreement=rho,
        kappa=float(kappa_from_rho(rho)),
        weight=WEIGHTS[rule],
        rule=rule,
        n=n,
        quadrant_share=quadrant_share,
    )


# -- words and votes ----------------------------------------------------------------
def _word_map(mapping: WordMap | Mapping[str, str | None] | None) -> WordMap:
    if mapping is None:
        return default_word_map()
    return mapping if isinstance(mapping, WordMap) else WordMap.from_dict(mapping)


def _unit(category: str) -> np.ndarray:
    circ = default_circumplex()
    t = np.deg2rad(circ.angles[circ.index(category)])
    return np.array([math.cos(t), math.sin(t)])


def _pairs(words: Mapping[str, float] | Iterable[str] | Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    if isinstance(words, Mapping):
        return [(str(w), float(x)) for w, x in words.items()]
    out = []
    for entry in words:
        if isinstance(entry, str):
            out.append((entry, 1.0))
        else:
            w, x = entry
            out.append((str(w), float(x)))
    return out


def _map_words(pairs: list[tuple[str, float]], wm: WordMap) -> tuple[list[str], list[float], list[str]]:
    """Mapped categories and weights; the words left out (unknown or without meaning)."""
    cats, weights, left = [], [], []
    for word, weight in pairs:
        if not math.isfinite(weight) or weight < 0:
            raise ParameterError(f"word {word!r} has a bad weight {weight}")
        if weight == 0:
            continue
        cat = wm.category(word) if word in wm else None
        if cat is None:
            left.append(word)
        else:
            cats.append(cat)
            weights.append(weight)
    return cats, weights, left


def _single(theta: float, rule: str, n: float) -> InformativeTarget:
    # One observation says nothing about agreement: the paper's word intensity 0.5.
    return _make(theta, 0.5, rule, n=n)


def from_words(
    words: Mapping[str, float] | Iterable[str] | Iterable[tuple[str, float]],
    *,
    mapping: WordMap | Mapping[str, str | None] | None = None,
) -> InformativeTarget | None:
    """Target of a bag of weighted emotion words (each word one observation).

    Parameters
    ----------
    words : mapping word -> weight, iterable of words (weight 1), or of (word, weight)
    mapping : WordMap or dict, optional
        Word table; default: the reviewed one.  Unknown words and words without
        emotional meaning are left out.

    Returns
    -------
    InformativeTarget or None
        None when no word is mapped or the words cancel out.  With one word (or
        ``n_eff <= 1``) the agreement is unknown and the intensity is the paper's 0.5.

    Examples
    --------
    >>> t = from_words(["sad", "gloomy", "melancholic"])
    >>> t.category, t.intensity, t.rule
    ('sad', 1.0, 'words')
    >>> from_words(["sad", "gloomy", "melancholic", "happy"]).intensity  # one word disagrees
    0.2
    """
    cats, weights, _ = _map_words(_pairs(words), _word_map(mapping))
    if not cats:
        return None
    try:
        ag = agreement(np.stack([_unit(c) for c in cats]), weights)
    except ParameterError:
        return None
    if math.isnan(ag.rho):
        return _single(ag.theta, "words", ag.n_eff)
    return _make(ag.theta, ag.rho, "words", n=ag.n_eff)


def from_votes(
    raters: Iterable[Iterable[str]], *, mapping: WordMap | Mapping[str, str | None] | None = None
) -> InformativeTarget | None:
    """Target of per-rater votes (each rater ticks one or more terms, e.g. GEMS-9).

    Each rater is one observation: the mean of the unit vectors of their mapped terms
    (so a rater who ticks two opposite terms counts as uncertain).  Raters with no
    mapped term are left out.

    Examples
    --------
    >>> t = from_votes([["sadness"], ["sadness", "nostalgia"], ["tenderness"], ["sadness"]])
    >>> t.category, t.intensity, t.rule, t.n
    ('bored', 0.4, 'votes', 4.0)
    """
    wm = _word_map(mapping)
    vecs = []
    for terms in raters:
        cats, weights, _ = _map_words(_pairs(terms), wm)
        if cats:
            w = np.asarray(weights)
            vecs.append((w / w.sum()) @ np.stack([_unit(c) for c in cats]))
    if not vecs:
        return None
    try:
        ag = agreement(np.stack(vecs))
    except ParameterError:
        return None
    if math.isnan(ag.rho):
        return _single(ag.theta, "votes", ag.n_eff)
    return _make(ag.theta, ag.rho, "votes", n=ag.n_eff)


def _nearest_in_quadrant(theta: float, quadrant: int) -> int:
    """The category of ``quadrant`` whose word angle is circularly nearest ``theta``."""
    circ = default_circumplex()
    quads = category_quadrants()
    diff = np.abs(np.mod(circ.angles - theta + 180.0, 360.0) - 180.0)
    diff = np.where(quads == quadrant, diff, np.inf)
    return int(np.argmin(diff))


def from_4q_words(
    words: Iterable[str],
    quadrant: str | int,
    pquad: float | None,
    *,
    mapping: WordMap | Mapping[str, str | None] | None = None,
) -> InformativeTarget:
    """Target of a 4Q clip from its mood words, its labelled quadrant and ``PQuad``.

    * The words whose mapped category lies in the labelled quadrant give the direction
      (their circular mean) and the category: the sector it falls in, or, where that
      sector's word lies across the quadrant edge, the quadrant's category nearest to it.
    * The intensity is ``PQuad * rho_q``: the share of the clip's words inside the
      quadrant (between-quadrant agreement, from the source) times the bias-corrected
      agreement of the words inside (with one such word, ``rho_q`` is unknown and the
      intensity is ``PQuad * 0.5``, the paper's word intensity).  Without ``PQuad``,
      the share of the clip's mapped words in the quadrant is used.
    * The soft target keeps the quadrant's share at that same share.
    * No mapped word in the quadrant: :func:`from_quadrant` (the paper conversion).

    Examples
    --------
    >>> t = from_4q_words(["Sad", "Gloomy", "Melancholy", "Cheerful"], "Q3", 0.75)
    >>> t.category, t.quadrant, t.rule, t.quadrant_share
    ('sad', 'Q3', '4q-words', 0.75)
    """
    q = QUADRANTS.index(normalize_quadrant(quadrant))
    cats, _, _ = _map_words(_pairs(words), _word_map(mapping))
    quads = category_quadrants()
    inside = [c for c in cats if quads[CATEGORIES.index(c)] == q]
    if not inside:
        return from_quadrant(quadrant)
    share = float(pquad) if pquad is not None else len(inside) / len(cats)
    if not (0.0 < share <= 1.0):
        raise ParameterError(f"PQuad must lie in (0, 1], got {pquad}")
    ag = agreement(np.stack([_unit(c) for c in inside]))  # inside one quadrant: cannot cancel
    circ = default_circumplex()
    c = int(circ.category_index_of(ag.theta))
    if quads[c] != q:
        c = _nearest_in_quadrant(ag.theta, q)
    rho_q = 0.5 if math.isnan(ag.rho) else ag.rho
    t = _make(ag.theta, share * rho_q, "4q-words", category=c, n=float(len(cats)), quadrant_share=share)
    # kappa describes the spread inside the quadrant, not the reduced intensity
    return InformativeTarget(**{**asdict(t), "kappa": float(kappa_from_rho(rho_q))})


# -- valence-arousal ----------------------------------------------------------------
def from_va(
    valence: float,
    arousal: float,
    *,
    scale: str | tuple[float, float],
    valence_std: float | None = None,
    arousal_std: float | None = None,
) -> InformativeTarget:
    """Target of a mean valence-arousal rating, with the raters' spread where known.

    With both standard deviations (of the individual ratings, on ``scale``), the
    intensity is :func:`rho_from_va_spread` of the mean's distance from neutral and
    ``sigma = sqrt((sd_v^2 + sd_a^2) / 2)`` rescaled to [-1, 1] (rule ``va-spread``).
    Without them, the paper's radius (rule ``va``, lower weight).  The category is the
    paper's (the sector of the mean's angle).

    Examples
    --------
    >>> t = from_va(7.0, 6.0, scale="1-9", valence_std=1.0, arousal_std=1.0)
    >>> t.category, t.intensity, t.rule
    ('delighted', 0.9, 'va-spread')
    >>> from_va(7.0, 6.0, scale="1-9", valence_std=3.0, arousal_std=3.0).intensity
    0.4
    """
    theta, r = va_to_polar(valence, arousal, scale=scale)
    theta, r = float(theta), float(r)
    if valence_std is None or arousal_std is None:
        return _make(theta, r, "va")
    sd = np.asarray([valence_std, arousal_std], dtype=np.float64)
    if not np.all(np.isfinite(sd)) or np.any(sd < 0):
        raise ParameterError(f"rating standard deviations must be finite and >= 0, got {sd.tolist()}")
    sc = as_scale(scale)
    unit = 2.0 / (sc.high - sc.low)
    v, a = float(sc.to_unit(valence)), float(sc.to_unit(arousal))
    sigma = math.sqrt(float((sd * sd).mean())) * unit
    return _make(theta, float(rho_from_va_spread(math.hypot(v, a), sigma)), "va-spread")


def dynamic_from_va(
    times: Sequence[float],
    valence: Sequence[float],
    arousal: Sequence[float],
    *,
    scale: str | tuple[float, float],
    valence_std: Sequence[float] | None = None,
    arousal_std: Sequence[float] | None = None,
) -> list[dict[str, Any]]:
    """Informative frame targets of a valence-arousal series already on the 0.5-s grid.

    Returns
    -------
    list of dict
        ``{"time", "category", "intensity", "agreement", "kappa"}`` per sample (NaN
        samples are left out); the rule of :func:`from_va` frame by frame.
    """
    out = []
    n = len(times)
    if len(valence) != n or len(arousal) != n:
        raise ParameterError("times, valence and arousal must have the same length")
    for k in range(n):
        v, a = valence[k], arousal[k]
        sv = None if valence_std is None else valence_std[k]
        sa = None if arousal_std is None else arousal_std[k]
        if v is None or a is None or not (math.isfinite(v) and math.isfinite(a)):
            continue
        if sv is not None and sa is not None and not (math.isfinite(sv) and math.isfinite(sa)):
            sv = sa = None
        t = from_va(v, a, scale=scale, valence_std=sv, arousal_std=sa)
        out.append(
            {
                "time": round(float(times[k]), 3),
                "category": t.category,
                "intensity": t.intensity,
                "agreement": round(t.agreement, _ROUND),
                "kappa": round(t.kappa, _ROUND),
            }
        )
    return out


# -- quadrants ----------------------------------------------------------------------
def from_quadrant(quadrant: str | int) -> InformativeTarget:
    """Target of a bare 4Q class: the paper conversion at half weight.

    The label is the paper's (Q1 excited, Q2 distressed, Q3 depressed, Q4 relaxed,
    intensity 0.5); the soft target puts all mass in the quadrant, spread around that
    category with the concentration of agreement 0.5.

    Examples
    --------
    >>> t = from_quadrant("Q2")
    >>> t.category, t.intensity, t.weight
    ('distressed', 0.5, 0.5)
    """
    q = normalize_quadrant(quadrant)
    circ = default_circumplex()
    c = circ.index(QUADRANT_CATEGORIES[q])
    return _make(float(circ.angles[c]), 0.5, "quadrant", category=c, quadrant_share=1.0)


def soft_targets(targets: Sequence[InformativeTarget | Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Stack soft targets and weights for training.

    Returns
    -------
    grids : np.ndarray, shape (N, 28, 11)
    weights : np.ndarray, shape (N,)
    """
    ts = [t if isinstance(t, InformativeTarget) else InformativeTarget.from_dict(t) for t in targets]
    if not ts:
        return np.zeros((0, *GRID_SHAPE)), np.zeros(0)
    return np.stack([t.soft() for t in ts]), np.asarray([t.weight for t in ts], dtype=np.float64)

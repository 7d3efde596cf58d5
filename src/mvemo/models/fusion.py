"""Late fusion of per-modality predictions (music, video, lyrics) in the unified representation.

Default: **confidence-weighted late fusion.**  Each modality's static prediction has a
*confidence* ``c = 1 - H(p) / log(28)``, one minus the normalised entropy of its
28-category distribution ``p`` (1 for a one-hot prediction, 0 for a uniform one).  The
weights are ``w_m = c_m / sum c`` (equal weights when every confidence is 0), and

* each modality's label becomes one emotion distribution on the 28 x 11 grid
  (:func:`mvemo.conversion.grids.grid_of_label`: its 28 probabilities -- or one-hot on its
  category where a dynamic frame gives none -- times the level distribution of its
  valence-arousal radius);
* static, and dynamic per grid time over the modalities that have a label there (weights
  renormalised): the fused grid is the mixture ``P = sum w_m P_m``, and every fused field
  (category, intensity, valence-arousal, quadrant, both probability tables) derives from it
  by :mod:`mvemo.conversion.point`'s rules, so the fused label is coherent by construction.

Optional: a trained **fusion head** (:class:`FusionHead`): a small MLP from, per modality,
``[present, confidence, valence, arousal, intensity, cos(theta), sin(theta)]`` (``theta``
the angle of the predicted category; zeros when absent) to category logits,
valence-arousal and intensity; its category probabilities times the level distribution of
its intensity make the grid that every field derives from.  The same input exists for static and per-window labels,
so one head serves both.  Train it with ``mvemo train fusion``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mvemo.conversion.quadrant import QUADRANTS, label_to_quadrant
from mvemo.errors import ParameterError
from mvemo.models.outputs import HeadOutputs
from mvemo.records import EmotionFrame, StaticPrediction
from mvemo.representation import CATEGORIES, EmotionLabel, default_circumplex, quantize_intensity

__all__ = [
    "FUSION_MODALITIES",
    "N_FUSION_INPUTS",
    "confidence",
    "category_distribution",
    "quadrant_distribution",
    "static_from_distribution",
    "static_from_grid",
    "fuse_static",
    "fuse_dynamic",
    "modality_vector",
    "fusion_input",
    "FusionHead",
]

FUSION_MODALITIES: tuple[str, ...] = ("music", "video", "lyrics")
_PER_MODALITY = 7
N_FUSION_INPUTS = _PER_MODALITY * len(FUSION_MODALITIES)
_KAPPA = 8.0  # concentration of category_distribution at radius 1


def confidence(probabilities: Mapping[str, float] | Sequence[float] | np.ndarray) -> float:
    """``1 - H(p) / log(K)``: 1 for a certain prediction, 0 for a uniform one.

    Examples
    --------
    >>> confidence([1.0, 0.0, 0.0, 0.0]), confidence([0.25] * 4)
    (1.0, 0.0)
    """
    p = np.asarray(
        list(probabilities.values()) if isinstance(probabilities, Mapping) else probabilities, dtype=np.float64
    )
    if p.ndim != 1 or len(p) < 2 or not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise ParameterError(f"probabilities must be a finite, non-negative, non-zero vector, got {p[:5].tolist()}...")
    p = p / p.sum()
    nz = p[p > 0]
    h = float(-(nz * np.log(nz)).sum())
    return float(np.clip(round(1.0 - h / math.log(len(p)), 12), 0.0, 1.0))  # round away float dust


def category_distribution(
    valence: np.ndarray | float, arousal: np.ndarray | float, *, kappa: float = _KAPPA
) -> np.ndarray:
    """A distribution over the 28 categories around a valence-arousal point.

    ``p_k ∝ exp(kappa r cos(theta - theta_k))``: a von Mises bump at the point's angle
    ``theta`` whose concentration grows with its relative radius ``r`` (the unified
    intensity before quantisation), so a point near the origin gives a nearly uniform,
    low-confidence distribution.

    Returns
    -------
    np.ndarray, shape (..., 28)

    Examples
    --------
    >>> p = category_distribution(0.0, 0.9)
    >>> CATEGORIES[int(p.argmax())], round(float(p.sum()), 6)
    ('tense', 1.0)
    """
    from mvemo.conversion.va import va_to_polar

    theta, r = va_to_polar(np.clip(valence, -1, 1), np.clip(arousal, -1, 1))
    ang = np.deg2rad(default_circumplex().angles)
    logits = kappa * np.asarray(r)[..., None] * np.cos(np.deg2rad(np.asarray(theta))[..., None] - ang)
    logits -= logits.max(axis=-1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def _category_quadrants() -> np.ndarray:
    return np.array([QUADRANTS.index(label_to_quadrant(EmotionLabel(c, 0.5))) for c in CATEGORIES])


def quadrant_distribution(p: np.ndarray) -> np.ndarray:
    """4Q distribution of a 28-category distribution (each word's own angle decides its quadrant).

    Returns
    -------
    np.ndarray, shape (..., 4)
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.zeros(p.shape[:-1] + (4,))
    for k, quad in enumerate(_category_quadrants()):
        q[..., quad] += p[..., k]
    return q


def static_from_distribution(
    p: np.ndarray,
    valence: float,
    arousal: float,
    intensity: float,
    *,
    quadrants: np.ndarray | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """The contract's ``static`` dict from a category distribution, VA and an intensity."""
    p = np.asarray(p, dtype=np.float64)
    q = quadrant_distribution(p) if quadrants is None else np.asarray(quadrants, dtype=np.float64)
    return {
        "category": category or CATEGORIES[int(p.argmax())],
        "intensity": float(quantize_intensity(float(np.clip(intensity, 0, 1)))),
        "probabilities": {c: round(float(x), 5) for c, x in zip(CATEGORIES, p)},
        "valence": round(float(np.clip(valence, -1, 1)), 4),
        "arousal": round(float(np.clip(arousal, -1, 1)), 4),
        "quadrant": QUADRANTS[int(q.argmax())],
        "quadrant_probabilities": {k: round(float(x), 5) for k, x in zip(QUADRANTS, q)},
    }


def static_from_grid(grid: np.ndarray) -> dict[str, Any]:
    """The contract's ``static`` dict with every field derived from one (28, 11) grid
    (:func:`mvemo.conversion.point.summarize`)."""
    from mvemo.conversion.point import summarize

    pt = summarize(grid)
    return {
        "category": pt.category,
        "intensity": pt.intensity,
        "probabilities": {c: round(x, 5) for c, x in pt.probabilities.items()},
        "valence": round(pt.valence, 4),
        "arousal": round(pt.arousal, 4),
        "quadrant": pt.quadrant,
        "quadrant_probabilities": {k: round(x, 5) for k, x in pt.quadrant_probabilities.items()},
    }


def _grid(entry: Label) -> np.ndarray:
    from mvemo.conversion.grids import grid_of_label

    return grid_of_label(_probs(entry), entry.category, float(entry.valence), float(entry.arousal))


Label = StaticPrediction | EmotionFrame


def _typed(entry: Label | Mapping[str, Any]) -> Label:
    """A static label or dynamic frame, from its record JSON where given as a dict."""
    if isinstance(entry, (StaticPrediction, EmotionFrame)):
        return entry
    return EmotionFrame.from_dict(entry) if "time" in entry else StaticPrediction.from_dict(entry)


def _probs(static: Label) -> np.ndarray:
    pr = static.probabilities
    if isinstance(pr, Mapping) and pr:
        p = np.array([float(pr.get(c, 0.0)) for c in CATEGORIES])
        if p.sum() > 0:
            return p / p.sum()
    return np.eye(len(CATEGORIES))[CATEGORIES.index(static.category)]


def _normalised(weights: Mapping[str, float], names: Sequence[str]) -> dict[str, float]:
    w = {n: max(float(weights.get(n, 0.0)), 0.0) for n in names}
    total = sum(w.values())
    if total <= 0:
        return {n: 1.0 / len(names) for n in names}
    return {n: v / total for n, v in w.items()}


def fuse_static(
    statics: Mapping[str, StaticPrediction | Mapping[str, Any]], weights: Mapping[str, float]
) -> dict[str, Any]:
    """Confidence-weighted fusion of static predictions (see the module docstring).

    Parameters
    ----------
    statics : dict
        ``modality -> StaticPrediction`` (or its JSON; ``probabilities`` may be missing).
    weights : dict
        ``modality -> non-negative weight`` (renormalised).
    """
    if not statics:
        raise ParameterError("fuse_static needs at least one modality")
    statics = {m: _typed(s) for m, s in statics.items()}
    w = _normalised(weights, list(statics))
    return static_from_grid(sum(w[m] * _grid(s) for m, s in statics.items()))


def fuse_dynamic(
    dynamics: Mapping[str, Sequence[EmotionFrame | Mapping[str, Any]]],
    weights: Mapping[str, float],
) -> list[dict[str, Any]]:
    """Per-grid-time confidence-weighted fusion of dynamic labels.

    Times are matched on the 0.5-s grid (rounded to 1 ms); at each time only the
    modalities with a label there take part.
    """
    by_time: dict[float, dict[str, EmotionFrame]] = {}
    for m, entries in dynamics.items():
        for e in map(_typed, entries):
            if e.label is None:
                continue
            by_time.setdefault(round(float(e.time), 3), {})[m] = e
    out = []
    for t in sorted(by_time):
        present = by_time[t]
        w = _normalised(weights, list(present))
        f = static_from_grid(sum(w[m] * _grid(e) for m, e in present.items()))
        keys = ("category", "intensity", "valence", "arousal")
        out.append({"time": t, **{k: f[k] for k in keys}, "modalities": sorted(present)})
    return out


# --------------------------------------------------------------------------- fusion head
def modality_vector(entry: Label | Mapping[str, Any] | None, conf: float) -> np.ndarray:
    """The head's 7 inputs for one modality's label (static or dynamic, typed or its JSON); zeros if absent."""
    entry = None if entry is None else _typed(entry)
    if entry is None or entry.category is None:
        return np.zeros(_PER_MODALITY)
    ang = np.deg2rad(default_circumplex().angles[CATEGORIES.index(entry.category)])
    return np.array(
        [1.0, conf, float(entry.valence), float(entry.arousal), float(entry.intensity), math.cos(ang), math.sin(ang)]
    )


def fusion_input(entries: Mapping[str, Mapping[str, Any] | None], confidences: Mapping[str, float]) -> np.ndarray:
    """Head input, shape (21,): :func:`modality_vector` of music, video and lyrics in turn."""
    unknown = set(entries) - set(FUSION_MODALITIES)
    if unknown:
        raise ParameterError(f"unknown modalities {sorted(unknown)}; known: {FUSION_MODALITIES}")
    return np.concatenate([modality_vector(entries.get(m), float(confidences.get(m, 0.0))) for m in FUSION_MODALITIES])


def _torch():
    from mvemo._extras import require

    return require("torch", extra="torch")


def FusionHead(hidden: int = 32):  # noqa: N802 - a factory that returns a torch module
    """The fusion MLP: 21 inputs -> ``hidden`` (ReLU) -> 28 category logits + 2 VA (tanh) + 1 intensity (sigmoid).

    Returns
    -------
    torch.nn.Module
        ``forward(x) ->`` :class:`~mvemo.models.outputs.HeadOutputs` with ``category`` (N, 28),
        ``va`` (N, 2), ``intensity`` (N,).
    """
    torch = _torch()
    nn = torch.nn

    class _Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(
                nn.Linear(N_FUSION_INPUTS, hidden), nn.ReLU(), nn.Dropout(0.1), nn.Linear(hidden, len(CATEGORIES) + 3)
            )

        def forward(self, x):
            y = self.body(x)
            k = len(CATEGORIES)
            return HeadOutputs(category=y[:, :k], va=torch.tanh(y[:, k : k + 2]), intensity=torch.sigmoid(y[:, k + 2]))

    return _Head()

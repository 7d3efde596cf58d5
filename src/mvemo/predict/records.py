"""Prediction records from network outputs: the ``static`` label and the ``dynamic`` 0.5-s labels.

The music and symbolic models share one output layout (per window: 28 category
probabilities, 4 quadrant probabilities, intensity in [0, 1], valence-arousal in [-1, 1]);
these helpers turn it into the typed record parts of :mod:`mvemo.records`
(``docs/predict.md`` gives their JSON).

The outputs are a :class:`~mvemo.models.outputs.HeadOutputs` of arrays.  A model that
answers with one emotion distribution per window, ``grid`` of shape
``(W, 28, 11)`` (:mod:`mvemo.conversion.point`), gets every field from it and only from it:
category, intensity, valence-arousal, quadrant and both probability tables then agree by
construction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH, grid_times
from mvemo.conversion.point import summarize_many
from mvemo.conversion.quadrant import QUADRANTS
from mvemo.models.outputs import HeadOutputs
from mvemo.records import EmotionFrame, StaticPrediction
from mvemo.representation import EmotionLabel, default_circumplex, quantize_intensity

__all__ = ["static_label", "dynamic_labels", "frame"]

# outputs(start (W,), stop (W,)) -> HeadOutputs with category (W, 28), quadrant (W, 4),
# intensity (W,), va (W, 2), or with grid (W, 28, 11): one emotion distribution per window
Outputs = Callable[[np.ndarray, np.ndarray], HeadOutputs]


def _fields(out: HeadOutputs) -> tuple[HeadOutputs, np.ndarray]:
    """``category`` (W, 28), ``quadrant`` (W, 4), ``intensity`` (W,) on the grid, ``va`` (W, 2),
    and the category index (W,)."""
    if out.grid is not None:
        a = summarize_many(out.grid)
        va = np.stack([a.valence, a.arousal], axis=-1)
        heads = HeadOutputs(category=a.probabilities, quadrant=a.quadrant_probabilities, intensity=a.intensity, va=va)
        return heads, a.category
    intensity = np.asarray(quantize_intensity(np.clip(out.intensity, 0, 1)))
    heads = HeadOutputs(category=out.category, quadrant=out.quadrant, intensity=intensity, va=out.va)
    return heads, out.category.argmax(axis=-1)


def static_label(out: HeadOutputs | Mapping[str, np.ndarray], i: int = 0, **extra: Any) -> StaticPrediction:
    """The ``static`` part of window ``i`` of the outputs (``extra``: e.g. ``gems``).

    Examples
    --------
    >>> p = np.full((1, 28), 0.01); p[0, 3] = 0.73
    >>> out = HeadOutputs(category=p, quadrant=np.array([[0.1, 0.6, 0.2, 0.1]]),
    ...                   intensity=np.array([0.64]), va=np.array([[-0.5, 0.7]]))
    >>> s = static_label(out)
    >>> s.category, s.intensity, s.quadrant, s.valence
    ('astonished', 0.6, 'Q2', -0.5)
    """
    cats = default_circumplex().categories
    out = HeadOutputs.of(out)
    window = HeadOutputs(
        **{k: getattr(out, k)[i : i + 1] for k in ("grid", "category", "quadrant", "intensity", "va") if out.has(k)}
    )
    f, index = _fields(window)
    probs, quads = f.category[0], f.quadrant[0]
    return StaticPrediction(
        EmotionLabel(cats[int(index[0])], float(f.intensity[0])),
        probabilities={c: round(float(p), 5) for c, p in zip(cats, probs)},
        valence=round(float(f.va[0, 0]), 4),
        arousal=round(float(f.va[0, 1]), 4),
        quadrant=QUADRANTS[int(quads.argmax())],
        quadrant_probabilities={q: round(float(p), 5) for q, p in zip(QUADRANTS, quads)},
        **extra,
    )


def frame(time: float, category: str, intensity: float, valence: float, arousal: float) -> EmotionFrame:
    """One dynamic label: ``time`` in seconds, valence and arousal rounded to 4 decimals."""
    return EmotionFrame(
        float(time),
        EmotionLabel(category, float(intensity)),
        valence=round(float(valence), 4),
        arousal=round(float(arousal), 4),
    )


def dynamic_labels(outputs: Outputs, duration: float) -> list[EmotionFrame]:
    """One frame ``{time, category, intensity, valence, arousal}`` per MVEmo grid time of ``duration``,
    each from the window ``time ± 2.5 s`` (all windows in one call of ``outputs``)."""
    times = grid_times(duration)
    if not len(times):
        return []
    d, index = _fields(HeadOutputs.of(outputs(times - WINDOW_HALF_WIDTH, times + WINDOW_HALF_WIDTH)))
    cats = default_circumplex().categories
    return [frame(t, cats[int(index[i])], d.intensity[i], d.va[i, 0], d.va[i, 1]) for i, t in enumerate(times)]

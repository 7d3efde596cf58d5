"""Dataset labels -> unified labels for manifests, with every failure reported, never hidden.

Each helper returns ``(value, problems)``: the unified label(s) as JSON-ready dicts
(or None) and a list of strings that say why something could not be converted.

Combining several words (GEMS vote shares, MuVi terms, MTG-Jamendo tags) follows one
rule, :func:`static_from_words`:

1. each word is mapped with the word table (:func:`~mvemo.conversion.word_to_label`);
   words the table marks as having no emotional meaning are ignored;
2. if any word with positive weight is **unknown** to the table, no label is made
   (a partial mix would be a different label) and the unknown words are reported;
3. otherwise the direction is the weight-weighted circular mean of the mapped
   categories' angles (MVEmo eq. 1-4 applied to the word angles), the category is the
   sector containing it, and the intensity is 0.5, as MVEmo gives word labels;
4. an item with only non-emotional words, or whose words cancel out (opposite
   directions with equal weight), gets no label and a problem.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from mvemo.conversion import quadrant_to_label, va_series_to_labels, va_to_label
from mvemo.conversion.words import WordMap, default_word_map
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, EmotionLabel, default_circumplex, weighted_circular_mean

__all__ = [
    "WORD_INTENSITY",
    "label_dict",
    "as_word_map",
    "static_from_quadrant",
    "static_from_va",
    "static_from_words",
    "dynamic_from_va",
    "informative",
]

#: Intensity of labels made from words (MVEmo gives word labels 0.5).
WORD_INTENSITY = 0.5

Result = tuple[Any, list[str]]


def label_dict(label: EmotionLabel) -> dict[str, Any]:
    """``{"category", "intensity"}`` of a unified label."""
    return {"category": label.category, "intensity": label.intensity}


def as_word_map(mapping: WordMap | Mapping[str, str | None] | None) -> WordMap:
    """The word table to use: the given one, or the reviewed default."""
    if mapping is None:
        return default_word_map()
    if isinstance(mapping, WordMap):
        return mapping
    return WordMap.from_dict(mapping)


def static_from_quadrant(quadrant: str | int | None) -> Result:
    """Unified label of a 4Q class (Q1 excited, Q2 distressed, Q3 depressed, Q4 relaxed; 0.5)."""
    if quadrant is None or str(quadrant).strip() == "":
        return None, ["missing 4Q class"]
    try:
        return label_dict(quadrant_to_label(quadrant)), []
    except ParameterError as exc:
        return None, [f"4Q class not convertible: {exc}"]


def static_from_va(valence: float | None, arousal: float | None, *, scale: str) -> Result:
    """Unified label of a valence-arousal point on ``scale`` (MVEmo eq. 5-10)."""
    missing = [n for n, x in (("valence", valence), ("arousal", arousal)) if x is None]
    if missing:
        return None, [f"missing {' and '.join(missing)}"]
    try:
        return label_dict(va_to_label(float(valence), float(arousal), scale=scale)), []
    except ParameterError as exc:
        return None, [f"valence/arousal not convertible on scale {scale}: {exc}"]


def static_from_words(weights: Mapping[str, float], *, word_map: WordMap, intensity: float = WORD_INTENSITY) -> Result:
    """One unified label from weighted words (see the module docstring for the rule).

    Parameters
    ----------
    weights : mapping of str to float
        Word -> non-negative weight (a vote share, or 1 per tag).
    word_map : WordMap
        The word table.
    intensity : float
        Intensity of the label.

    Returns
    -------
    label : dict or None
    problems : list of str
    """
    positive = {w: float(x) for w, x in weights.items() if x is not None and float(x) > 0}
    if not positive:
        return None, ["no word with a positive weight"]
    unknown, neutral = [], []
    by_category: dict[str, float] = defaultdict(float)
    for word, weight in positive.items():
        if word not in word_map:  # cheaper than catching UnknownWordError (no close-match search)
            unknown.append(word)
            continue
        category = word_map.category(word)
        if category is None:
            neutral.append(word)
        else:
            by_category[category] += weight
    if unknown:
        return None, [f"unknown word(s) not in the word table: {', '.join(sorted(unknown))}"]
    if not by_category:
        return None, [f"only words without emotional meaning: {', '.join(sorted(neutral))}"]
    circ = default_circumplex()
    cats = sorted(by_category)
    angles = circ.angles[[circ.index(c) for c in cats]]
    try:
        theta = float(weighted_circular_mean([by_category[c] for c in cats], angles=angles))
    except ParameterError:
        return None, [f"the words' directions cancel out: {dict(sorted(by_category.items()))}"]
    return label_dict(EmotionLabel.from_polar(theta, intensity)), []


def informative(rule: Callable[..., Any], *args: Any, **kwargs: Any) -> Result:
    """An informative target (:mod:`mvemo.conversion.informative`) as a JSON-ready dict.

    ``rule`` is one of its ``from_*`` functions, called with the arguments given.

    Returns
    -------
    target : dict or None
        None when the rule finds nothing to convert (e.g. only words without meaning).
    problems : list of str
        Why the rule failed (a bad value), else empty.
    """
    try:
        target = rule(*args, **kwargs)
    except ParameterError as exc:
        return None, [f"informative target not convertible: {exc}"]
    return (None if target is None else target.to_dict()), []


def dynamic_from_va(
    times: Sequence[float],
    valence: Sequence[float],
    arousal: Sequence[float],
    *,
    scale: str,
    max_gap: float = 1.0,
) -> Result:
    """Unified labels on the 0.5 s grid from a valence-arousal time series.

    Returns
    -------
    points : list of dict or None
        ``{"time", "category", "intensity"}``; category/intensity None where the
        grid time falls in a gap of the source.
    problems : list of str
    """
    try:
        t, v, a = (
            np.asarray([np.nan if x is None else x for x in s], dtype=np.float64) for s in (times, valence, arousal)
        )
    except (TypeError, ValueError) as exc:
        return None, [f"dynamic series is not numeric: {exc}"]
    try:
        dyn = va_series_to_labels(t, v, a, scale=scale, max_gap=max_gap)
    except ParameterError as exc:
        return None, [f"dynamic valence/arousal not convertible on scale {scale}: {exc}"]
    if len(dyn) == 0:
        return None, ["dynamic series gives no grid times"]
    points = [
        {"time": round(float(t), 3), "category": CATEGORIES[int(c)], "intensity": float(i)}
        if c >= 0
        else {"time": round(float(t), 3), "category": None, "intensity": None}
        for t, c, i in zip(dyn.times, dyn.category, dyn.intensity)
    ]
    n_missing = int(dyn.missing.sum())
    problems = [f"dynamic: {n_missing} of {len(dyn)} grid times have no label (gaps)"] if n_missing else []
    return points, problems

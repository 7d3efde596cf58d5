"""Conversion strategies that bring dataset labels into the unified representation.

* 4-quadrant classes (:mod:`~mvemo.conversion.quadrant`),
* emotion words and tags (:mod:`~mvemo.conversion.words`),
* valence-arousal values (:mod:`~mvemo.conversion.va`),
* time series onto the 0.5 s grid (:mod:`~mvemo.conversion.dynamic`).
"""

from mvemo.conversion.dynamic import (
    GRID_START,
    GRID_STEP,
    DynamicLabels,
    grid_times,
    resample_to_grid,
    va_series_to_labels,
)
from mvemo.conversion.quadrant import (
    QUADRANT_CATEGORIES,
    QUADRANTS,
    angle_to_quadrant,
    category_quadrants,
    conform_categories,
    label_to_quadrant,
    normalize_quadrant,
    quadrant_agreement,
    quadrant_to_label,
)
from mvemo.conversion.va import (
    SCALES,
    Scale,
    as_scale,
    label_to_va,
    labels_to_va,
    va_to_arrays,
    va_to_label,
    va_to_polar,
)
from mvemo.conversion.words import UnknownWordError, WordMap, default_word_map, word_to_label

__all__ = [
    "GRID_START",
    "GRID_STEP",
    "QUADRANTS",
    "QUADRANT_CATEGORIES",
    "SCALES",
    "DynamicLabels",
    "Scale",
    "UnknownWordError",
    "WordMap",
    "angle_to_quadrant",
    "category_quadrants",
    "conform_categories",
    "as_scale",
    "default_word_map",
    "grid_times",
    "label_to_quadrant",
    "label_to_va",
    "labels_to_va",
    "normalize_quadrant",
    "quadrant_agreement",
    "quadrant_to_label",
    "resample_to_grid",
    "va_series_to_labels",
    "va_to_arrays",
    "va_to_label",
    "va_to_polar",
    "word_to_label",
]

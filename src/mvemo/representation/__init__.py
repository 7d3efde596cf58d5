"""The unified emotion representation of MVEmo (section III-A).

28 categories of Russell's circumplex placed on a polar plane, each with a sector,
plus an intensity in 0..1 in steps of 0.1.
"""

from mvemo.representation.circumplex import (
    CATEGORIES,
    N_CATEGORIES,
    REFERENCE_ANGLES,
    Circumplex,
    default_circumplex,
    normalize_category_name,
    weighted_circular_mean,
)
from mvemo.representation.label import (
    INTENSITY_LEVELS,
    N_INTENSITY_LEVELS,
    EmotionLabel,
    anchor_angles,
    intensity_level,
    quantize_intensity,
)

__all__ = [
    "CATEGORIES",
    "N_CATEGORIES",
    "REFERENCE_ANGLES",
    "INTENSITY_LEVELS",
    "N_INTENSITY_LEVELS",
    "Circumplex",
    "EmotionLabel",
    "anchor_angles",
    "default_circumplex",
    "intensity_level",
    "normalize_category_name",
    "quantize_intensity",
    "weighted_circular_mean",
]

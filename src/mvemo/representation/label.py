"""The unified emotion label: one of the categories plus an intensity in 0..1 (steps of 0.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from mvemo.errors import ParameterError
from mvemo.representation.circumplex import Circumplex, default_circumplex

__all__ = [
    "INTENSITY_LEVELS",
    "N_INTENSITY_LEVELS",
    "EmotionLabel",
    "quantize_intensity",
    "intensity_level",
    "anchor_angles",
]

#: The 11 allowed intensities 0.0, 0.1, ..., 1.0.
INTENSITY_LEVELS: tuple[float, ...] = tuple(round(i / 10, 1) for i in range(11))
N_INTENSITY_LEVELS = len(INTENSITY_LEVELS)

Anchor = Literal["word", "center"]

# Values within this distance of a half step round up (absorbs float error in x*10).
_HALF_STEP_TOL = 1e-9


def intensity_level(intensity: float | np.ndarray, *, strict: bool = False) -> np.ndarray:
    """Integer intensity level 0..10 of intensities in [0, 1].

    Rounding rule: to the nearest 0.1, halves rounded **up** (0.05 -> 0.1, 0.25 -> 0.3,
    0.95 -> 1.0); a value within 1e-9 of a half step counts as the half step.

    Parameters
    ----------
    intensity : float or np.ndarray
        Intensities; values in [-1e-9, 1 + 1e-9] are accepted.
    strict : bool
        If True, require values already on the 0.1 grid (within 1e-6).

    Returns
    -------
    np.ndarray of int64, same shape, values in 0..10

    Raises
    ------
    ParameterError
        For NaN, infinite or out-of-range values (and off-grid values if ``strict``).

    Examples
    --------
    >>> intensity_level([0.0, 0.049, 0.05, 0.35, 1.0]).tolist()
    [0, 0, 1, 4, 10]
    """
    x = np.asarray(intensity, dtype=np.float64)
    bad = ~np.isfinite(x) | (x < -_HALF_STEP_TOL) | (x > 1.0 + _HALF_STEP_TOL)
    if np.any(bad):
        raise ParameterError(
            f"intensity must be a number in [0, 1], got {np.atleast_1d(x)[np.atleast_1d(bad)][:5].tolist()}"
        )
    scaled = x * 10.0
    level = np.floor(scaled + 0.5 + _HALF_STEP_TOL).astype(np.int64)
    if strict:
        off = np.abs(scaled - level) > 1e-5
        if np.any(off):
            raise ParameterError(
                f"intensity must be one of 0.0, 0.1, ..., 1.0, got {np.atleast_1d(x)[np.atleast_1d(off)][:5].tolist()}"
            )
    return np.clip(level, 0, 10)


def quantize_intensity(intensity: float | np.ndarray) -> np.ndarray | float:
    """Round intensities in [0, 1] to the 0.1 grid (halves up); see :func:`intensity_level`.

    Examples
    --------
    >>> quantize_intensity(0.25)
    0.3
    >>> quantize_intensity([0.04, 0.86]).tolist()
    [0.0, 0.9]
    """
    level = intensity_level(intensity)
    out = np.round(level / 10.0, 1)
    return float(out) if out.ndim == 0 else out


def anchor_angles(circumplex: Circumplex, anchor: Anchor) -> np.ndarray:
    """Angle that represents each category: its word angle or its sector centre, shape (K,)."""
    if anchor == "word":
        return circumplex.angles
    if anchor == "center":
        return circumplex.sector_centers
    raise ParameterError(f"anchor must be 'word' or 'center', got {anchor!r}")


@dataclass(frozen=True, slots=True)
class EmotionLabel:
    """A unified emotion label: a category and an intensity.

    Parameters
    ----------
    category : str
        One of the 28 categories (case, ``_`` and ``-`` are folded:
        ``"At_Ease"`` becomes ``"at ease"``).
    intensity : float
        In [0, 1]; rounded to the 0.1 grid (halves up, see :func:`intensity_level`).

    Examples
    --------
    >>> lab = EmotionLabel("Excited", 0.46)
    >>> lab
    EmotionLabel(category='excited', intensity=0.5)
    >>> angle, radius = lab.to_polar()
    >>> round(angle, 1), radius
    (48.6, 0.5)
    >>> EmotionLabel.from_polar(50.0, 0.5) == lab
    True
    """

    category: str
    intensity: float

    def __post_init__(self) -> None:
        circ = default_circumplex()
        name = circ.categories[circ.index(self.category)]
        if isinstance(self.intensity, bool) or not isinstance(self.intensity, (int, float, np.number)):
            raise ParameterError(f"intensity must be a number in [0, 1], got {self.intensity!r}")
        object.__setattr__(self, "category", name)
        object.__setattr__(self, "intensity", quantize_intensity(float(self.intensity)))

    # -- properties ---------------------------------------------------------------
    @property
    def index(self) -> int:
        """Category index 0..27 (the order of :data:`~mvemo.representation.CATEGORIES`)."""
        return default_circumplex().index(self.category)

    @property
    def level(self) -> int:
        """Intensity level 0..10."""
        return int(intensity_level(self.intensity))

    # -- conversions --------------------------------------------------------------
    def to_polar(self, *, anchor: Anchor = "word") -> tuple[float, float]:
        """``(angle_deg, radius)``: the category's angle (word angle, or sector centre
        with ``anchor="center"``) and the intensity as radius."""
        return float(anchor_angles(default_circumplex(), anchor)[self.index]), self.intensity

    def to_cartesian(self, *, anchor: Anchor = "word") -> tuple[float, float]:
        """``(x, y)`` = radius * (cos, sin) of :meth:`to_polar`; x is valence, y arousal."""
        angle, radius = self.to_polar(anchor=anchor)
        rad = np.deg2rad(angle)
        return float(radius * np.cos(rad)), float(radius * np.sin(rad))

    @classmethod
    def from_polar(cls, angle: float, radius: float) -> EmotionLabel:
        """The label whose sector contains ``angle`` (degrees), with intensity ``radius``."""
        circ = default_circumplex()
        return cls(circ.categories[int(circ.category_index_of(angle))], radius)

    @classmethod
    def from_cartesian(cls, x: float, y: float) -> EmotionLabel:
        """Inverse of :meth:`to_cartesian`; the radius must be at most 1.

        At the origin the direction is undefined; atan2's convention (0°) gives 'pleased'
        with intensity 0.
        """
        if not (np.isfinite(x) and np.isfinite(y)):
            raise ParameterError(f"coordinates must be finite, got ({x!r}, {y!r})")
        return cls.from_polar(float(np.rad2deg(np.arctan2(y, x))), float(np.hypot(x, y)))

    # Transitional: read by key like the {"category", "intensity"} dicts that labels replaced
    # (manifests' Item.static); new code uses the attributes.
    def __getitem__(self, key: str) -> str | float:
        if key not in ("category", "intensity"):
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: object = None) -> object:
        """``self[key]`` for ``"category"``/``"intensity"``, else ``default``."""
        return getattr(self, key) if key in ("category", "intensity") else default

    def to_dict(self) -> dict[str, float | str]:
        """``{"category", "intensity", "angle"}`` (word angle in degrees, 0.1° precision)."""
        return {
            "category": self.category,
            "intensity": self.intensity,
            "angle": round(self.to_polar()[0], 1),
        }

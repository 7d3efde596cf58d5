"""Valence-arousal values <-> the unified representation (MVEmo equations 5-10).

A point ``(v, a)`` on a dataset's scale is min-max normalised to [-1, 1] (eq. 5),
then ``theta = atan2(a, v)`` in [0°, 360°) gives the category by sector, and the
radius relative to the square's edge in that direction,
``r = sqrt(v^2 + a^2) / min(1/|cos theta|, 1/|sin theta|)``, gives the intensity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo.errors import ParameterError
from mvemo.representation import EmotionLabel, anchor_angles, default_circumplex, quantize_intensity
from mvemo.representation.label import Anchor

__all__ = [
    "Scale",
    "SCALES",
    "as_scale",
    "normalize_to_unit",
    "denormalize_from_unit",
    "square_radius",
    "va_to_polar",
    "va_to_arrays",
    "va_to_label",
    "label_to_va",
    "labels_to_va",
]

# Values this far outside a scale are still accepted (and clipped): rounding noise.
_SCALE_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class Scale:
    """A rating scale ``[low, high]`` for valence and arousal.

    Examples
    --------
    >>> Scale(1, 9).to_unit(7.0)
    0.5
    """

    low: float
    high: float

    def __post_init__(self) -> None:
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or not self.high > self.low:
            raise ParameterError(f"a scale needs finite bounds with low < high, got ({self.low!r}, {self.high!r})")

    def to_unit(self, x: float | np.ndarray, *, name: str = "value") -> np.ndarray | float:
        """Min-max normalise onto [-1, 1] (MVEmo eq. 5); see :func:`normalize_to_unit`."""
        return normalize_to_unit(x, scale=self, name=name)

    def from_unit(self, x: float | np.ndarray) -> np.ndarray | float:
        """Inverse of :meth:`to_unit`."""
        return denormalize_from_unit(x, scale=self)

    def __str__(self) -> str:
        return f"[{self.low:g}, {self.high:g}]"


#: Named scales of the datasets mvemo knows.
SCALES: dict[str, Scale] = {
    "1-9": Scale(1.0, 9.0),  # SAM-style: emoMusic static, DEAM, Soundtracks, Warriner, ANEW
    "0-1": Scale(0.0, 1.0),  # PMEmo, NRC-VAD
    "-1-1": Scale(-1.0, 1.0),  # emoMusic dynamic, VGMIDI traces, the unified square
}
UNIT = SCALES["-1-1"]


def as_scale(scale: Scale | tuple[float, float] | str) -> Scale:
    """A :class:`Scale` from a Scale, a ``(low, high)`` pair or a name in :data:`SCALES`."""
    if isinstance(scale, Scale):
        return scale
    if isinstance(scale, str):
        try:
            return SCALES[scale]
        except KeyError:
            raise ParameterError(
                f"unknown scale {scale!r}; use one of {sorted(SCALES)} or a (low, high) pair"
            ) from None
    try:
        low, high = scale
    except (TypeError, ValueError):
        raise ParameterError(f"a scale is a (low, high) pair, got {scale!r}") from None
    return Scale(float(low), float(high))


def _scalar_or_array(x: np.ndarray) -> np.ndarray | float:
    return float(x) if x.ndim == 0 else x


def normalize_to_unit(
    x: float | np.ndarray, *, scale: Scale | tuple[float, float] | str, name: str = "value"
) -> np.ndarray | float:
    """Min-max normalise values on ``scale`` to [-1, 1]: ``2 (x - low) / (high - low) - 1``.

    Raises
    ------
    ParameterError
        For NaN or infinite values, or values outside the scale (beyond 1e-9).

    Examples
    --------
    >>> normalize_to_unit([1, 5, 9], scale=(1, 9)).tolist()
    [-1.0, 0.0, 1.0]
    """
    sc = as_scale(scale)
    arr = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(
            f"{name} must be finite, got {np.atleast_1d(arr)[~np.isfinite(np.atleast_1d(arr))][:5].tolist()}"
        )
    span = sc.high - sc.low
    tol = _SCALE_TOL * max(1.0, span)
    out_of = (arr < sc.low - tol) | (arr > sc.high + tol)
    if np.any(out_of):
        raise ParameterError(f"{name} outside the scale {sc}: {np.atleast_1d(arr)[np.atleast_1d(out_of)][:5].tolist()}")
    unit = np.clip(2.0 * (arr - sc.low) / span - 1.0, -1.0, 1.0)
    return _scalar_or_array(unit)


def denormalize_from_unit(x: float | np.ndarray, *, scale: Scale | tuple[float, float] | str) -> np.ndarray | float:
    """Map values in [-1, 1] back onto ``scale`` (inverse of :func:`normalize_to_unit`)."""
    sc = as_scale(scale)
    arr = np.asarray(x, dtype=np.float64)
    return _scalar_or_array(sc.low + (arr + 1.0) * (sc.high - sc.low) / 2.0)


def square_radius(theta_deg: float | np.ndarray) -> np.ndarray:
    """Distance from the origin to the edge of the square [-1, 1]^2 in direction theta.

    ``r_max = min(1/|cos theta|, 1/|sin theta|)`` (MVEmo eq. 9); on the axes, where
    one term is infinite, it is 1.

    Examples
    --------
    >>> square_radius([0.0, 45.0, 90.0]).round(4).tolist()
    [1.0, 1.4142, 1.0]
    """
    rad = np.deg2rad(np.asarray(theta_deg, dtype=np.float64))
    # 1 / max(|cos|, |sin|) equals min(1/|cos|, 1/|sin|) and never divides by zero.
    return 1.0 / np.maximum(np.abs(np.cos(rad)), np.abs(np.sin(rad)))


def va_to_polar(
    valence: float | np.ndarray,
    arousal: float | np.ndarray,
    *,
    scale: Scale | tuple[float, float] | str = UNIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Angle and relative radius of valence-arousal points (MVEmo eq. 5-10).

    Parameters
    ----------
    valence, arousal : float or np.ndarray, broadcastable
        Values on ``scale``.
    scale : Scale, (low, high) or str
        The dataset's rating scale, e.g. ``(1, 9)``; default [-1, 1].

    Returns
    -------
    theta : np.ndarray
        Angle in degrees in [0, 360); 0 at the origin (atan2's convention).
    r : np.ndarray
        ``sqrt(v^2 + a^2) / r_max(theta)`` in [0, 1]: 1 on the square's edge.

    Examples
    --------
    >>> theta, r = va_to_polar(6.5, 3.0, scale=(1, 9))
    >>> round(float(theta), 2), round(float(r), 3)
    (306.87, 0.5)
    """
    v = np.asarray(normalize_to_unit(valence, scale=scale, name="valence"))
    a = np.asarray(normalize_to_unit(arousal, scale=scale, name="arousal"))
    theta = np.mod(np.rad2deg(np.arctan2(a, v)), 360.0)
    theta = np.where(theta >= 360.0, 0.0, theta)
    r = np.clip(np.hypot(v, a) / square_radius(theta), 0.0, 1.0)
    return theta, r


def va_to_arrays(
    valence: float | np.ndarray,
    arousal: float | np.ndarray,
    *,
    scale: Scale | tuple[float, float] | str = UNIT,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised VA -> unified labels: category indices and quantised intensities.

    Returns
    -------
    category : np.ndarray of int
        Indices into :data:`~mvemo.representation.CATEGORIES`.
    intensity : np.ndarray of float
        On the 0.1 grid.

    Examples
    --------
    >>> cat, inten = va_to_arrays([0.9, -0.5], [0.1, -0.5])
    >>> cat.tolist(), inten.tolist()
    ([0, 15], [0.9, 0.5])
    """
    theta, r = va_to_polar(valence, arousal, scale=scale)
    return default_circumplex().category_index_of(theta), np.asarray(quantize_intensity(r))


def va_to_label(valence: float, arousal: float, *, scale: Scale | tuple[float, float] | str = UNIT) -> EmotionLabel:
    """Unified label of one valence-arousal point.

    Examples
    --------
    >>> va_to_label(6.5, 3.0, scale=(1, 9))
    EmotionLabel(category='calm', intensity=0.5)
    """
    theta, r = va_to_polar(valence, arousal, scale=scale)
    if theta.ndim != 0:
        raise ParameterError("va_to_label takes one point; use va_to_arrays for many")
    return EmotionLabel.from_polar(float(theta), float(r))


def labels_to_va(
    category: np.ndarray,
    intensity: np.ndarray,
    *,
    scale: Scale | tuple[float, float] | str = UNIT,
    anchor: Anchor = "word",
) -> tuple[np.ndarray, np.ndarray]:
    """Valence-arousal points of unified labels (inverse of eq. 6-10).

    The direction is the category's angle (``anchor="word"``, default) or its sector
    centre; the distance is ``intensity * r_max(theta)``, so an intensity-1 label lies
    on the edge of the square.  Converting the result back gives the same label.

    Parameters
    ----------
    category : np.ndarray of int, shape (N,)
    intensity : np.ndarray of float, shape (N,)
    scale : target scale, default [-1, 1]
    """
    cat = np.asarray(category, dtype=np.int64)
    inten = np.asarray(intensity, dtype=np.float64)
    theta = anchor_angles(default_circumplex(), anchor)[cat]
    rad = np.deg2rad(theta)
    dist = inten * square_radius(theta)
    sc = as_scale(scale)
    return sc.from_unit(np.clip(dist * np.cos(rad), -1, 1)), sc.from_unit(np.clip(dist * np.sin(rad), -1, 1))


def label_to_va(
    label: EmotionLabel,
    *,
    scale: Scale | tuple[float, float] | str = UNIT,
    anchor: Anchor = "word",
) -> tuple[float, float]:
    """Valence-arousal point of one unified label; see :func:`labels_to_va`.

    Examples
    --------
    >>> v, a = label_to_va(EmotionLabel("calm", 0.5), scale=(1, 9))
    >>> round(v, 2), round(a, 2)
    (7.0, 3.08)
    """
    v, a = labels_to_va(np.array([label.index]), np.array([label.intensity]), scale=scale, anchor=anchor)
    return float(v[0]), float(a[0])

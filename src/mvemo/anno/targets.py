"""Training targets of MVAnno's unified head: soft distributions over the (28, 11) grid.

Two kinds of target (the curriculum's ``targets`` setting, :mod:`mvemo.anno.config`):

* ``informative`` (the default): an item's informative soft target
  (``item.informative``, :class:`mvemo.conversion.informative.InformativeTarget`, issue #16;
  :func:`informative_static_target`, and :func:`informative_frame_target` for the 0.5-s
  frames of its ``dynamic`` list), with its training weight; items or frames without one fall
  back to :func:`label_targets`.
* ``paper``: :func:`label_targets` of the paper-compatible unified label for everything.

The target of a label ``(category c, intensity i)`` spreads a little mass around
its cell: over the categories of the label's quadrant by a Gaussian of the angular distance
between word angles (``sigma_deg``), over levels by a Gaussian of the level distance (``sigma_level``); the
label's own cell keeps the most mass, so :func:`mvemo.conversion.point.summarize` of a
target gives back the label.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mvemo.conversion.point import GRID_SHAPE, LEVELS
from mvemo.conversion.quadrant import category_quadrants
from mvemo.errors import ParameterError
from mvemo.representation import default_circumplex, intensity_level

__all__ = [
    "SIGMA_DEG",
    "SIGMA_LEVEL",
    "TARGET_MODES",
    "informative_frame_target",
    "informative_static_target",
    "label_targets",
]

#: Values of the curriculum's ``targets`` setting.
TARGET_MODES = ("informative", "paper")

SIGMA_DEG = 8.0  # spread over neighbouring categories' word angles, degrees
SIGMA_LEVEL = 0.6  # spread over intensity levels, in levels (0.1 each)


def label_targets(
    categories: Sequence,
    intensities: Sequence[float],
    *,
    sigma_deg: float = SIGMA_DEG,
    sigma_level: float = SIGMA_LEVEL,
) -> tuple[np.ndarray, np.ndarray]:
    """Soft grid targets and their weights for unified labels.

    Parameters
    ----------
    categories : sequence of str or int, length N
        Category names or indices (0..27).
    intensities : sequence of float, length N
        Intensities in [0, 1].
    sigma_deg, sigma_level : float
        Spreads (see the module docstring); 0 gives one-hot cells.

    Returns
    -------
    targets : np.ndarray, shape (N, 28, 11), float32
        Each sums to 1.
    weights : np.ndarray, shape (N,), float32
        Per-target loss weight (1 for every manifest label).

    Examples
    --------
    >>> from mvemo.conversion.point import summarize
    >>> t, w = label_targets(["sad"], [0.8])
    >>> pt = summarize(t[0]); (pt.category, pt.intensity, float(w[0]))
    ('sad', 0.8, 1.0)
    """
    circ = default_circumplex()
    cats = np.array([c if isinstance(c, (int, np.integer)) else circ.index(str(c)) for c in categories], dtype=np.int64)
    levels = np.asarray(intensity_level(np.asarray(intensities, dtype=np.float64)), dtype=np.int64).reshape(-1)
    if len(cats) != len(levels):
        raise ParameterError(f"{len(cats)} categories but {len(levels)} intensities")
    if np.any((cats < 0) | (cats >= GRID_SHAPE[0])):
        raise ParameterError(f"category indices must be in 0..27, got {cats[(cats < 0) | (cats >= 28)][:5].tolist()}")
    ang = np.asarray(circ.angles, dtype=np.float64)
    d = np.abs((ang[None, :] - ang[cats][:, None] + 180.0) % 360.0 - 180.0)  # (N, 28)
    pc = np.exp(-0.5 * (d / sigma_deg) ** 2) if sigma_deg > 0 else (d == 0).astype(np.float64)
    quads = category_quadrants()
    pc = np.where(quads[None, :] == quads[cats][:, None], pc, 0.0)  # spread within the label's quadrant only
    pc[np.arange(len(cats)), cats] = np.maximum(pc[np.arange(len(cats)), cats], 1.0)
    lv = np.arange(len(LEVELS))[None, :] - levels[:, None]  # (N, 11)
    pl = np.exp(-0.5 * (lv / sigma_level) ** 2) if sigma_level > 0 else (lv == 0).astype(np.float64)
    grid = pc[:, :, None] * pl[:, None, :]
    grid /= grid.sum(axis=(1, 2), keepdims=True)
    return grid.astype(np.float32), np.ones(len(cats), dtype=np.float32)


def informative_static_target(record: dict | None) -> tuple[np.ndarray, float, int, int] | None:
    """Soft target, weight, category index and intensity level of an ``item.informative`` dict.

    Returns None for an item without one (``record`` empty or None).

    Examples
    --------
    >>> from mvemo.conversion.informative import from_quadrant
    >>> t, w, c, lv = informative_static_target(from_quadrant("Q3").to_dict())
    >>> t.shape, w, lv
    ((28, 11), 0.5, 5)
    """
    if not record:
        return None
    from mvemo.conversion.informative import InformativeTarget

    inf = InformativeTarget.from_dict(record)
    level = int(np.asarray(intensity_level(np.float64(inf.intensity))).reshape(-1)[0])
    return inf.soft().astype(np.float32), float(inf.weight), inf.category_index, level


def informative_frame_target(frame: dict | None) -> tuple[np.ndarray, float, int, int] | None:
    """The same for one frame of ``item.informative["dynamic"]``
    (``{"time", "category", "intensity", "agreement", "kappa"}``, rule of
    :func:`mvemo.conversion.informative.dynamic_from_va`); weight 1, direction the category's
    word angle (frames keep no angle).  None for a missing frame.
    """
    if not frame:
        return None
    from mvemo.conversion.informative import soft_target

    circ = default_circumplex()
    c = circ.index(str(frame["category"]))
    t = soft_target(float(circ.angles[c]), float(frame["agreement"]), float(frame["kappa"]), c)
    level = int(np.asarray(intensity_level(np.float64(frame["intensity"]))).reshape(-1)[0])
    return t.astype(np.float32), 1.0, c, level

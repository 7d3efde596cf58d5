"""Training targets of MVAnno's unified head: soft distributions over the (28, 11) grid.

:func:`label_targets` is the ONE place that turns a unified label into a target, so the
informative targets (``mvemo.conversion.informative``, issue #16) can replace it at merge.

Until then the target of a label ``(category c, intensity i)`` spreads a little mass around
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

__all__ = ["SIGMA_DEG", "SIGMA_LEVEL", "label_targets"]

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

"""MVEmo's frame-sampling policy for music videos (section III-B2) and the static-video score (eq. 12).

MVEmo samples a music video two ways:

* **static**: one frame every 5 s (t = 0, 5, 10, ...), at most 64 frames; a longer
  video keeps 64 of those times, evenly spread (:func:`static_times`);
* **dynamic**: for every grid time t (2.5, 3.0, ... s, see
  :func:`mvemo.conversion.dynamic.grid_times`) 11 frames at 0.5-s steps from t - 2.5 to
  t + 2.5 s (:func:`window_frame_times`).  Neighbouring windows share 10 of their 11
  frames, so the frames are taken once on the 0.5-s grid 0, 0.5, 1.0, ... s
  (:func:`dynamic_frame_times`) and each window pools its 11.

:func:`static_score` is the static-video filter (eq. 12).  Decoding the frames at these
times is :mod:`mvemo.io.video`'s job.
"""

from __future__ import annotations

import math

import numpy as np

from mvemo.conversion.dynamic import GRID_STEP, WINDOW_HALF_WIDTH, grid_times
from mvemo.errors import ParameterError

__all__ = [
    "STATIC_STEP",
    "STATIC_MAX_FRAMES",
    "STATIC_THRESHOLD",
    "WINDOW_FRAMES",
    "static_times",
    "dynamic_frame_times",
    "window_frame_times",
    "window_frame_indices",
    "static_score",
]

STATIC_STEP = 5.0  #: seconds between static frames
STATIC_MAX_FRAMES = 64  #: at most this many static frames
STATIC_THRESHOLD = 2.0  #: mean inter-frame MSE at or below which a video is static (eq. 12)
WINDOW_FRAMES = 11  #: frames per dynamic window (t - 2.5 ... t + 2.5 s at 0.5-s steps)
_TOL = 1e-6


# --------------------------------------------------------------------------- sampling times
def static_times(duration: float, *, step: float = STATIC_STEP, max_frames: int = STATIC_MAX_FRAMES) -> np.ndarray:
    """Static sampling times: ``0, step, 2 step, ...`` below ``duration``; at most
    ``max_frames`` of them, evenly spread over the video when there are more.

    Examples
    --------
    >>> static_times(12.0).tolist()
    [0.0, 5.0, 10.0]
    >>> t = static_times(600.0)
    >>> len(t), float(t[0]), float(t[-1])
    (64, 0.0, 595.0)
    """
    if not np.isfinite(duration) or duration < 0:
        raise ParameterError(f"duration must be a finite number >= 0 seconds, got {duration!r}")
    if step <= 0 or max_frames < 1:
        raise ParameterError(f"need step > 0 and max_frames >= 1, got step={step!r}, max_frames={max_frames!r}")
    n = max(int(math.ceil(duration / step - _TOL)), 1)
    times = step * np.arange(n, dtype=np.float64)
    if n > max_frames:
        times = times[np.unique(np.round(np.linspace(0, n - 1, max_frames)).astype(np.int64))]
    return times


def dynamic_frame_times(duration: float) -> np.ndarray:
    """The shared 0.5-s frame grid ``0, 0.5, ...`` that covers every dynamic window.

    Empty when the video is too short for a dynamic label (under 5 s).

    Examples
    --------
    >>> dynamic_frame_times(6.2).tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0]
    """
    g = grid_times(duration)
    if len(g) == 0:
        return np.zeros(0)
    n = int(round((g[-1] + WINDOW_HALF_WIDTH) / GRID_STEP)) + 1
    return GRID_STEP * np.arange(n, dtype=np.float64)


def window_frame_indices(n_windows: int) -> np.ndarray:
    """Indices into :func:`dynamic_frame_times` of each window's 11 frames, shape (n_windows, 11).

    Window ``i`` (grid time ``2.5 + 0.5 i``) takes frames ``i .. i + 10``.
    """
    return np.arange(n_windows)[:, None] + np.arange(WINDOW_FRAMES)[None, :]


def window_frame_times(t: float) -> np.ndarray:
    """The 11 frame times of the window at grid time ``t``: ``t - 2.5, t - 2.0, ..., t + 2.5``.

    Examples
    --------
    >>> window_frame_times(2.5).tolist()[:3], len(window_frame_times(2.5))
    ([0.0, 0.5, 1.0], 11)
    """
    return t - WINDOW_HALF_WIDTH + GRID_STEP * np.arange(WINDOW_FRAMES, dtype=np.float64)


# --------------------------------------------------------------------------- static filter
def static_score(frames: np.ndarray) -> float:
    """MVEmo eq. 12: mean MSE between consecutive frames, ``M = 1/(N-1) sum MSE(f_i, f_i+1)``.

    Parameters
    ----------
    frames : np.ndarray, shape (N, H, W, C), pixel values 0..255
        The static (5-s) frame sequence.

    Returns
    -------
    float
        ``M`` in squared grey levels; ``M <= 2`` (:data:`STATIC_THRESHOLD`) marks a
        visually static video.  0 for fewer than two frames.

    Examples
    --------
    >>> f = np.zeros((3, 4, 4, 3), np.uint8); f[2] += 3
    >>> static_score(f)
    4.5
    """
    f = np.asarray(frames)
    if f.ndim < 2:
        raise ParameterError(f"frames must be (N, ...) with N frames, got shape {f.shape}")
    if len(f) < 2:
        return 0.0
    mse = [float(np.mean((f[i + 1].astype(np.float32) - f[i].astype(np.float32)) ** 2)) for i in range(len(f) - 1)]
    return float(np.mean(mse))

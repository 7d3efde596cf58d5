"""Tempo and beats with librosa's dynamic-programming beat tracker.

librosa's global tempo is read off a tempogram whose lags are whole frames, so at a
hop of 512 samples (23 ms at 22050 Hz) neighbouring candidates near 120 BPM are 5 BPM
apart (117.5 and 123.0).  :func:`estimate_tempo` therefore refines the tempo from
the tracked beats: a least-squares line through beat time versus beat index, whose
slope is the beat period.  With fewer than four beats it keeps librosa's estimate.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError

__all__ = ["Tempo", "estimate_tempo"]

_MIN_BEATS = 4


class Tempo(NamedTuple):
    """Tempo estimate.

    Attributes
    ----------
    bpm : float
        Tempo in beats per minute (0.0 when no beats were found).
    beat_times : np.ndarray
        Beat times in seconds, shape ``(n_beats,)``.
    """

    bpm: float
    beat_times: np.ndarray


def estimate_tempo(
    y: np.ndarray, sr: int, *, hop_length: int = 512, start_bpm: float = 120.0
) -> Tempo:
    """Estimate the tempo (BPM) and beat times of a signal.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Onset-envelope hop in samples (512 = 23 ms at 22050 Hz).
    start_bpm : float
        Prior tempo centre for librosa's tempo estimate, in BPM.

    Returns
    -------
    Tempo
        ``bpm`` refined from the beat times (see the module docstring) and
        ``beat_times`` in seconds.

    Raises
    ------
    ParameterError
        Bad ``y``, ``sr``, ``hop_length`` or ``start_bpm``.
    """
    if not (isinstance(sr, (int, np.integer)) and sr > 0):
        raise ParameterError(f"sr must be a positive integer, got {sr!r}")
    if isinstance(hop_length, bool) or not isinstance(hop_length, (int, np.integer)) or hop_length <= 0:
        raise ParameterError(f"hop_length must be a positive integer, got {hop_length!r}")
    if not (start_bpm > 0):
        raise ParameterError(f"start_bpm must be > 0, got {start_bpm!r}")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y)):
        raise ParameterError(f"y must be a non-empty finite mono signal of shape (n,), got {y.shape}")
    librosa = require("librosa", extra="audio")
    tempo, beats = librosa.beat.beat_track(
        y=y, sr=sr, hop_length=int(hop_length), start_bpm=float(start_bpm), units="time"
    )
    beats = np.asarray(beats, dtype=float)
    bpm = float(np.atleast_1d(tempo)[0])
    if beats.size >= _MIN_BEATS:
        period = np.polyfit(np.arange(beats.size), beats, 1)[0]
        if period > 0:
            bpm = 60.0 / float(period)
    return Tempo(bpm, beats)

"""MIDI notes as arrays: reading a file, the non-drum notes, and window bounds.

The base of :mod:`mvemo.features.midi` (statistics, chords, frames) and
:mod:`mvemo.features.midi_valence` (valence features).  pretty_midi is imported inside
:func:`read_midi` (the ``symbolic`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError

__all__ = ["Notes", "notes_from_midi", "read_midi", "window_bounds"]


def read_midi(path: str | Path):
    """Read a MIDI file with pretty_midi.

    Raises
    ------
    DataError
        The file is missing or cannot be parsed (the message names the file).
    """
    pretty_midi = require("pretty_midi", extra="symbolic")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such MIDI file")
    try:
        return pretty_midi.PrettyMIDI(str(p))
    except (OSError, ValueError, EOFError, KeyError, IndexError) as exc:
        raise DataError(f"{p}: cannot parse MIDI ({type(exc).__name__}: {exc})") from exc


@dataclass(frozen=True)
class Notes:
    """Notes as parallel arrays, sorted by onset: ``start, end`` (s), ``pitch``, ``velocity``."""

    start: np.ndarray
    end: np.ndarray
    pitch: np.ndarray
    velocity: np.ndarray

    def __len__(self) -> int:
        return int(self.start.size)

    def select(self, mask: np.ndarray) -> Notes:
        """The notes where ``mask`` is True."""
        return Notes(self.start[mask], self.end[mask], self.pitch[mask], self.velocity[mask])


def notes_from_midi(pm) -> Notes:
    """All non-drum notes of a ``pretty_midi.PrettyMIDI`` object (zero-length notes dropped)."""
    rows = [
        (n.start, n.end, n.pitch, n.velocity)
        for inst in pm.instruments
        if not inst.is_drum
        for n in inst.notes
        if n.end > n.start
    ]
    if not rows:
        empty = np.zeros(0)
        return Notes(empty, empty, empty.astype(np.int64), empty.astype(np.int64))
    a = np.asarray(rows, dtype=np.float64)
    order = np.lexsort((a[:, 2], a[:, 0]))
    a = a[order]
    return Notes(a[:, 0], a[:, 1], a[:, 2].astype(np.int64), a[:, 3].astype(np.int64))


def window_bounds(start, stop) -> tuple[np.ndarray, np.ndarray]:
    """Window bounds as 1-d float arrays; ParameterError unless same shape and stop > start."""
    start = np.atleast_1d(np.asarray(start, dtype=np.float64))
    stop = np.atleast_1d(np.asarray(stop, dtype=np.float64))
    if start.shape != stop.shape or start.ndim != 1:
        raise ParameterError(f"start and stop must be 1-d of one shape, got {start.shape} and {stop.shape}")
    if np.any(stop <= start):
        raise ParameterError("every window needs stop > start")
    return start, stop

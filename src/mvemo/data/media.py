"""Reading and checking media files; nothing here runs before it is called."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError

__all__ = ["AUDIO_SUFFIXES", "MIDI_SUFFIXES", "read_audio", "audio_duration", "check_file"]

AUDIO_SUFFIXES = (".opus", ".ogg", ".wav", ".flac", ".mp3", ".m4a")
MIDI_SUFFIXES = (".mid", ".midi")


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    sf = require("soundfile", extra="audio")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, TypeError, OSError) as exc:
        raise DataError(f"{path}: cannot decode audio ({exc})") from exc
    return data, int(rate)


def read_audio(path: str | Path, *, backend: str | None = None) -> tuple[np.ndarray, int]:
    """Decode an audio file.

    Parameters
    ----------
    path : str or Path
    backend : {"av", "soundfile"} or None
        Default (``"av"``): :func:`mvemo.audio.load_audio` (soundfile where it can, else
        PyAV; Opus decodes at 48 kHz); ``"soundfile"``: libsndfile only.

    Returns
    -------
    samples : np.ndarray, float32, shape (n_samples,) for mono, else (n_samples, n_channels)
    sample_rate : int
        Hz.

    Raises
    ------
    DataError
        If the file is missing or cannot be decoded; names the file.
    MissingExtraError
        If the backend is not installed (extra ``audio``).
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: audio file not found")
    if backend in (None, "av"):
        from mvemo.audio.io import load_audio

        y, sr = load_audio(p, mono=False)  # (channels, n), native rate
        return (y[0] if y.shape[0] == 1 else y.T), sr
    if backend == "soundfile":
        return _read_soundfile(p)
    raise ParameterError(f"backend must be 'av' or 'soundfile', got {backend!r}")


def audio_duration(path: str | Path) -> float | None:
    """Duration in seconds from the file's metadata, or None if it cannot be read."""
    from mvemo.audio.io import audio_duration as _duration

    try:
        return _duration(path)
    except (DataError, ImportError):
        return None


def check_file(path: Path, *, decode: bool = False) -> str | None:
    """Why a media file is unusable, or None if it is fine.

    Checks that it exists, is a file and is not empty; with ``decode``, audio is
    decoded completely and MIDI must start with the ``MThd`` header.
    """
    if not path.exists():
        return "missing"
    if not path.is_file():
        return "not a file"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if size == 0:
        return "empty file"
    if not decode:
        return None
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        try:
            samples, _ = read_audio(path)
        except DataError as exc:
            return f"does not decode ({exc})"
        return "decodes to no samples" if samples.size == 0 else None
    if suffix in MIDI_SUFFIXES:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            return f"unreadable ({exc.strerror or exc})"
        return None if head == b"MThd" else "not a MIDI file (no MThd header)"
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None

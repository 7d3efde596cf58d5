"""Warnings about inputs that are read fine but whose prediction deserves doubt.

A record gets ``warnings: [...]`` (only when there is at least one, so ordinary records are
unchanged) and ``mvemo predict`` prints each on stderr:

* **truncated audio**: the decoded audio is shorter than the container claims (by more than
  0.5 s and 2 %), or an Ogg stream (Opus, Vorbis) ends without its end-of-stream page, as a
  file cut in half does (its container then claims the cut length);
* **no tonal content**: the median spectral flatness of the frames is above
  :data:`NOISE_FLATNESS` (white noise: about 0.56; pink noise about 0.13; music about 0.001);
* **lyrics not in English**: the lyrics model (MiniLM embeddings, English lexicons, English
  training lyrics) was trained on English only (:func:`mvemo.features.lyrics.language_hint`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "NOISE_FLATNESS",
    "spectral_flatness",
    "ogg_is_complete",
    "audio_warnings",
    "language_warning",
    "with_warnings",
]

NOISE_FLATNESS = 0.3  #: median spectral flatness above which audio counts as noise, not music
_TRUNCATION_SECONDS = 0.5
_TRUNCATION_SHARE = 0.02


def spectral_flatness(y: np.ndarray, *, n_fft: int = 2048, hop: int = 1024) -> float:
    """Median over non-silent frames of the spectral flatness (geometric / arithmetic mean of the power).

    Parameters
    ----------
    y : np.ndarray, shape (N,)
        Mono samples.

    Returns
    -------
    float
        In [0, 1]: about 0.56 for white noise, near 0 for tones; 0.0 when there is no non-silent frame.

    Examples
    --------
    >>> t = np.arange(22050) / 22050
    >>> spectral_flatness(np.sin(2 * np.pi * 440 * t)) < 0.01
    True
    >>> spectral_flatness(np.random.default_rng(0).normal(size=22050)) > 0.4
    True
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    if len(y) < n_fft:
        return 0.0
    k = (len(y) - n_fft) // hop + 1
    flat = []
    win = np.hanning(n_fft)
    for start in range(0, k * hop, hop * 64):  # blocks of 64 frames: bounded memory
        idx = np.arange(n_fft)[None, :] + (start + hop * np.arange(min(64, k - start // hop)))[:, None]
        frames = y[idx] * win
        loud = np.sqrt(np.mean(frames**2, axis=1)) > 1e-4
        p = np.abs(np.fft.rfft(frames[loud], axis=1)) ** 2 + 1e-12
        flat.append(np.exp(np.mean(np.log(p), axis=1)) / np.mean(p, axis=1))
    values = np.concatenate(flat) if flat else np.zeros(0)
    return float(np.median(values)) if len(values) else 0.0


def ogg_is_complete(path: str | Path) -> bool | None:
    """For an Ogg file: whether its last page is whole and marks the end of the stream; None if not Ogg."""
    p = Path(path)
    with p.open("rb") as fh:
        if fh.read(4) != b"OggS":
            return None
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    i = len(tail)
    while (i := tail.rfind(b"OggS", 0, i)) >= 0:  # the last page that ends exactly at the end of the file
        if len(tail) - i >= 27:
            nseg = tail[i + 26]
            if len(tail) - i >= 27 + nseg and i + 27 + nseg + sum(tail[i + 27 : i + 27 + nseg]) == len(tail):
                return bool(tail[i + 5] & 0x04)
    return False


def audio_warnings(path: str | Path, y: np.ndarray, sr: int) -> list[str]:
    """Warnings about decoded audio ``y`` (mono, ``sr`` Hz) of ``path``: truncation, no tonal content."""
    from mvemo.audio.io import audio_duration
    from mvemo.errors import DataError

    out = []
    decoded = len(y) / float(sr)
    try:
        claimed = audio_duration(path)
    except DataError:
        claimed = None
    if claimed is not None and claimed - decoded > max(_TRUNCATION_SECONDS, _TRUNCATION_SHARE * claimed):
        out.append(f"truncated: {decoded:.1f} s of audio decoded, but the file claims {claimed:.1f} s")
    elif ogg_is_complete(path) is False:
        out.append(
            f"truncated: the Ogg stream ends without its end-of-stream page ({decoded:.1f} s decoded); "
            "the file looks cut"
        )
    flat = spectral_flatness(y)
    if flat > NOISE_FLATNESS:
        out.append(
            f"no tonal content: the audio is noise-like (spectral flatness {flat:.2f} > {NOISE_FLATNESS}); "
            "the emotion label is of little value"
        )
    return out


def language_warning(hint: dict[str, Any]) -> str | None:
    """A warning when :func:`~mvemo.features.lyrics.language_hint` says the lyrics are not English."""
    if hint.get("likely_english", True):
        return None
    return (
        f"lyrics do not look English (ASCII letters {hint.get('ascii_letter_share', 0):.0%}, English function "
        f"words {hint.get('english_stopword_share', 0):.0%}); the lyrics model was trained on English lyrics "
        "only, so its label is of little value"
    )


def with_warnings(record: Any, warnings: list[str]) -> Any:
    """``record`` (a :class:`~mvemo.records.PredictionRecord` or its JSON dict) with ``warnings``
    added when there is any; records without warnings stay as they were."""
    if not warnings:
        return record
    if isinstance(record, dict):
        record["warnings"] = list(record.get("warnings", [])) + list(warnings)
        return record
    return dataclasses.replace(record, warnings=(*record.warnings, *warnings))

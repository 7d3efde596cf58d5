"""Inputs in memory for the predictors: audio samples (lyrics are a ``str``, MIDI a ``pretty_midi.PrettyMIDI``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.errors import ParameterError

__all__ = ["AudioInput", "names_lyrics_file"]


@dataclass(frozen=True)
class AudioInput:
    """Audio samples in memory, for :meth:`mvemo.predict.music.MusicEmotionModel.predict`.

    Parameters
    ----------
    waveform : np.ndarray
        Samples in [-1, 1], shape ``(n,)`` or ``(channels, n)`` (as :func:`mvemo.audio.load_audio`
        returns them); channels are averaged.
    sample_rate : int
        Hz.
    name : str
        What the record's ``file`` says.

    Examples
    --------
    >>> a = AudioInput.of((np.zeros(16000, np.float32), 16000))
    >>> a.duration, a.name
    (1.0, '<audio>')
    """

    waveform: np.ndarray
    sample_rate: int
    name: str = "<audio>"

    def __post_init__(self) -> None:
        y = np.asarray(self.waveform)
        if y.ndim not in (1, 2) or y.shape[-1] == 0 or not np.issubdtype(y.dtype, np.floating):
            raise ParameterError(
                f"{self.name}: waveform must be float samples of shape (n,) or (channels, n), got {y.dtype} {y.shape}"
            )
        if (
            isinstance(self.sample_rate, bool)
            or not isinstance(self.sample_rate, (int, np.integer))
            or self.sample_rate <= 0
        ):
            raise ParameterError(f"{self.name}: sample_rate must be a positive integer (Hz), got {self.sample_rate!r}")

    @classmethod
    def of(cls, value: Any) -> AudioInput:
        """An :class:`AudioInput`, or a ``(waveform, sample_rate)`` pair made into one."""
        if isinstance(value, cls):
            return value
        if isinstance(value, tuple) and len(value) == 2:
            return cls(value[0], int(value[1]) if isinstance(value[1], (int, np.integer)) else value[1])
        raise ParameterError(
            f"audio input must be a path, an AudioInput or a (waveform, sample_rate) pair, got {type(value).__name__}"
        )

    @property
    def duration(self) -> float:
        """Seconds."""
        return np.asarray(self.waveform).shape[-1] / float(self.sample_rate)

    def mono(self) -> np.ndarray:
        """The channels' mean, float32, shape ``(n,)``."""
        y = np.asarray(self.waveform, dtype=np.float32)
        return np.ascontiguousarray(y.mean(axis=0) if y.ndim == 2 else y, dtype=np.float32)

    def track_audio(self) -> tuple[np.ndarray, np.ndarray]:
        """Mono audio at 16 kHz (musicnn) and 22.05 kHz (harmony), resampled as for a decoded file.

        Raises
        ------
        DataError
            For audio that is silent or shorter than 1 s.
        """
        from mvemo._extras import require
        from mvemo.audio.io import _resample, check_audio
        from mvemo.features.music import HARMONY_SR

        y = self.mono()
        y22 = y if self.sample_rate == HARMONY_SR else _resample(y, int(self.sample_rate), HARMONY_SR)
        check_audio(y22, HARMONY_SR, path=self.name, min_duration=1.0)
        librosa = require("librosa", extra="audio")
        y16 = librosa.resample(y22, orig_sr=HARMONY_SR, target_sr=16000, res_type="soxr_hq")
        return y16.astype(np.float32), y22


def names_lyrics_file(text: str) -> bool:
    """Whether a string given as lyrics is a file's path rather than the lyrics' text: one line
    that ends in ``.lrc``/``.txt`` or names an existing file.

    Examples
    --------
    >>> names_lyrics_file("song.lrc"), names_lyrics_file("la la la\\nla la")
    (True, False)
    """
    if "\n" in text or len(text) > 4096:
        return False
    if text.strip().lower().endswith((".lrc", ".txt")):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False

"""Load audio from audio and video files, and check it before feature extraction.

Decoding goes through PyAV (FFmpeg): mp3, wav, flac, ogg (Vorbis, Opus), m4a/aac and
the audio track of mp4, mkv, webm and other containers.  wav, flac, ogg and aiff try
soundfile (libsndfile) first, which is faster, and fall back to PyAV.  Resampling uses
soxr (a librosa dependency) in its high-quality mode.

Time 0 is the first decoded sample: encoder priming that the container declares
(mp3 LAME/Xing headers, mp4 edit lists, Opus pre-skip) is already removed by FFmpeg.
Padding at the end is not always removed: AAC in mp4/m4a can decode up to one codec
frame (1024 samples) longer than the original.

All heavy imports happen inside the functions, so importing this module is cheap; they
need the ``audio`` extra (``pip install 'mvemo[audio]'``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.util import codec_threads

__all__ = [
    "SILENCE_DBFS",
    "audio_duration",
    "check_audio",
    "load_audio",
    "pad_to",
    "rms_dbfs",
]

#: RMS level (dBFS, full scale = 1.0) below which :func:`check_audio` calls input silent.
SILENCE_DBFS = -60.0

# libsndfile reads these reliably; anything else goes straight to PyAV.
_SOUNDFILE_SUFFIXES = frozenset({".wav", ".flac", ".ogg", ".oga", ".aif", ".aiff"})
# PyAV decodes from the start (sample-exact) unless the offset is at least this far
# in (s); then it seeks to _SEEK_PREROLL s before the offset and trims by timestamp,
# which is exact to the container's timestamp resolution (1 ms for Matroska/WebM).
_SEEK_MIN_OFFSET = 20.0
_SEEK_PREROLL = 1.0


class _Overshoot(Exception):
    """A seek landed after the requested offset."""


# --------------------------------------------------------------------------- helpers
def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: no such file")
    if not p.is_file():
        raise DataError(f"{p}: not a regular file")
    if p.stat().st_size == 0:
        raise DataError(f"{p}: empty file (0 bytes)")
    return p


def _check_args(sr: int | None, offset: float, duration: float | None) -> None:
    if sr is not None and (isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0):
        raise ParameterError(f"sr must be a positive integer or None, got {sr!r}")
    if not (isinstance(offset, (int, float)) and math.isfinite(offset) and offset >= 0):
        raise ParameterError(f"offset must be a finite number of seconds >= 0, got {offset!r}")
    if duration is not None and not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration > 0):
        raise ParameterError(f"duration must be a positive number of seconds or None, got {duration!r}")


def _read_soundfile(path: Path, offset: float, duration: float | None) -> tuple[np.ndarray, int] | None:
    """Read with libsndfile as ``(channels, n)`` float32; None if libsndfile cannot."""
    sf = require("soundfile", extra="audio")
    try:
        with sf.SoundFile(str(path)) as f:
            native_sr = int(f.samplerate)
            start = int(round(offset * native_sr))
            if f.frames > 0 and start >= f.frames:
                return np.zeros((f.channels, 0), dtype=np.float32), native_sr
            if start:
                f.seek(start)
            frames = -1 if duration is None else int(round(duration * native_sr))
            data = f.read(frames, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError):
        # libsndfile could not parse it (e.g. an unsupported codec in a .wav): let FFmpeg try
        return None
    return np.ascontiguousarray(data.T), native_sr


def _read_pyav(path: Path, offset: float, duration: float | None) -> tuple[np.ndarray, int]:
    """Decode the first audio stream with PyAV as ``(channels, n)`` float32."""
    try:
        return _decode_pyav(path, offset, duration, seek=offset >= _SEEK_MIN_OFFSET)
    except _Overshoot:
        return _decode_pyav(path, offset, duration, seek=False)


def _open_pyav(path: Path):
    """Open ``path`` with PyAV; return ``(av, container, audio_stream)``."""
    av = require("av", extra="audio")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError) as exc:
        raise DataError(f"{path}: not a readable audio or video file ({_reason(exc)})") from None
    if not container.streams.audio:
        what = "video file" if container.streams.video else "file"
        container.close()
        raise DataError(f"{path}: {what} has no audio track")
    stream = container.streams.audio[0]
    n = codec_threads()
    if n is not None:  # the process's thread budget (decoded samples do not depend on it)
        stream.codec_context.thread_count = n
    return av, container, stream


def _decode_pyav(path: Path, offset: float, duration: float | None, *, seek: bool) -> tuple[np.ndarray, int]:
    av, container, stream = _open_pyav(path)
    with container:
        native_sr = int(stream.codec_context.sample_rate or stream.rate or 0)
        if native_sr <= 0:
            raise DataError(f"{path}: audio track has no sample rate")
        tb = stream.time_base
        origin = stream.start_time if stream.start_time is not None else 0
        start = int(round(offset * native_sr))
        stop = None if duration is None else start + int(round(duration * native_sr))
        seek = seek and tb is not None
        if seek:
            # land well before the offset so the decoder has converged (mp3 bit
            # reservoir, Opus pre-roll) by then; the first frame's pts places it
            try:
                target = origin + int(Fraction(offset - _SEEK_PREROLL) / tb)
                container.seek(target, stream=stream, backward=True, any_frame=False)
            except av.error.FFmpegError:
                raise _Overshoot from None  # unseekable: decode from the start
        resampler = av.AudioResampler(format="fltp")
        chunks: list[np.ndarray] = []
        pos = None  # index of the next decoded sample, counted from the stream start
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    if pos is None:  # after the first frame, count: robust to pts jitter
                        pos = _frame_pos(frame, origin, tb, native_sr) if seek else 0
                        if pos > start:
                            raise _Overshoot
                    for out in resampler.resample(frame):
                        pos = _keep(out.to_ndarray(), pos, start, stop, chunks)
                if stop is not None and pos is not None and pos >= stop:
                    break
            for out in resampler.resample(None):
                pos = _keep(out.to_ndarray(), pos or 0, start, stop, chunks)
        except av.error.FFmpegError as exc:
            raise DataError(f"{path}: corrupt audio data ({_reason(exc)})") from None
        n_ch = max(len(stream.layout.channels), 1) if stream.layout is not None else 1
    if not chunks:
        return np.zeros((n_ch, 0), dtype=np.float32), native_sr
    return np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32), native_sr


def _frame_pos(frame, origin: int, tb, native_sr: int) -> int:
    """Sample index of a frame's first sample, counted from the stream start."""
    if frame.pts is None or tb is None:
        return 0
    return int(round((frame.pts - origin) * tb * native_sr))


def _keep(block: np.ndarray, pos: int, start: int, stop: int | None, chunks: list) -> int:
    """Append the part of ``block`` (channels, n) that lies in [start, stop); return next pos."""
    n = block.shape[1]
    lo = max(start - pos, 0)
    hi = n if stop is None else min(stop - pos, n)
    if hi > lo:
        chunks.append(block[:, lo:hi])
    return pos + n


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _resample(y: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    soxr = require("soxr", extra="audio")
    out = soxr.resample(np.ascontiguousarray(y.T), sr_in, sr_out, quality="HQ")
    return np.ascontiguousarray(out.T, dtype=np.float32)


# --------------------------------------------------------------------------- public
def load_audio(
    path: str | Path,
    *,
    sr: int | None = None,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
) -> tuple[np.ndarray, int]:
    """Decode an audio file, or the first audio track of a video file.

    Parameters
    ----------
    path : str or Path
        Audio (mp3, wav, flac, ogg/opus, m4a, ...) or video (mp4, mkv, webm, ...) file.
    sr : int, optional
        Target sample rate in Hz; None keeps the file's own rate.
    mono : bool
        Average the channels into one (default).  With False the result keeps them.
    offset : float
        Start reading this many seconds into the audio.
    duration : float, optional
        Read at most this many seconds; None reads to the end.

    Returns
    -------
    y : np.ndarray, float32
        Samples in [-1, 1], shape ``(n,)`` when ``mono``, else ``(channels, n)``.
    sr : int
        Sample rate of ``y`` in Hz.

    Raises
    ------
    DataError
        The file is missing, empty, not audio, corrupt, a video without an audio
        track, or holds no samples in the requested range; the message names it.
    ParameterError
        ``sr``, ``offset`` or ``duration`` is out of range.
    MissingExtraError
        The ``audio`` extra is not installed.
    """
    _check_args(sr, offset, duration)
    p = _check_path(path)
    got = None
    if p.suffix.lower() in _SOUNDFILE_SUFFIXES:
        got = _read_soundfile(p, offset, duration)
    if got is None:
        got = _read_pyav(p, offset, duration)
    y, native_sr = got
    if y.shape[1] == 0:
        if offset > 0:
            raise DataError(f"{p}: no audio samples at offset {offset:g} s (past the end?)")
        raise DataError(f"{p}: audio track is empty (0 samples)")
    if mono:
        y = y.mean(axis=0)
    if sr is not None and int(sr) != native_sr:
        y = _resample(y, native_sr, int(sr))
        native_sr = int(sr)
    return np.ascontiguousarray(y, dtype=np.float32), native_sr


def audio_duration(path: str | Path) -> float:
    """Duration of the audio in seconds, from container metadata (no full decode).

    wav/flac/ogg/aiff use the libsndfile header; other files the audio stream's
    duration, or the container's when the stream has none (mkv, webm).  Only when
    neither is stored (e.g. raw ADTS streams) is the audio decoded and counted.

    Parameters
    ----------
    path : str or Path
        Audio or video file.

    Returns
    -------
    float
        Duration in seconds.  Metadata may differ from the decoded length by up to a
        codec frame (e.g. 1024 samples for AAC).

    Raises
    ------
    DataError
        The file is missing, empty, unreadable or has no audio track.
    """
    p = _check_path(path)
    if p.suffix.lower() in _SOUNDFILE_SUFFIXES:
        sf = require("soundfile", extra="audio")
        try:
            info = sf.info(str(p))
        except (sf.SoundFileError, RuntimeError):
            info = None
        if info is not None and info.frames > 0 and info.samplerate > 0:
            return info.frames / info.samplerate
    av, container, stream = _open_pyav(p)
    with container:
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
    y, rate = load_audio(p, mono=True)
    return y.shape[-1] / rate


def rms_dbfs(y: np.ndarray) -> float:
    """RMS level of ``y`` in dB relative to full scale (1.0); ``-inf`` for digital silence.

    Parameters
    ----------
    y : np.ndarray
        Samples, any shape.

    Returns
    -------
    float
        ``20 * log10(sqrt(mean(y ** 2)))``.

    Examples
    --------
    >>> round(rms_dbfs(np.full(100, 0.1)), 1)
    -20.0
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0:
        return -math.inf
    rms = math.sqrt(float(np.mean(np.square(y))))
    return 20.0 * math.log10(rms) if rms > 0 else -math.inf


def check_audio(
    y: np.ndarray,
    sr: int,
    *,
    path: str | Path | None = None,
    min_duration: float = 0.0,
    silence_db: float = SILENCE_DBFS,
) -> float:
    """Reject audio that features cannot be computed from.

    Parameters
    ----------
    y : np.ndarray
        Samples, shape ``(n,)`` or ``(channels, n)``.
    sr : int
        Sample rate in Hz.
    path : str or Path, optional
        Where ``y`` came from; error messages name it.
    min_duration : float
        Shortest acceptable duration in seconds.
    silence_db : float
        RMS level in dBFS below which the input counts as silent (default -60).

    Returns
    -------
    float
        The RMS level in dBFS.

    Raises
    ------
    DataError
        ``y`` is empty, shorter than ``min_duration``, holds NaN/inf, or is silent.
    ParameterError
        ``sr`` is not positive or ``y`` has more than two dimensions.

    Examples
    --------
    >>> check_audio(np.zeros(8000), 8000, path="quiet.wav")
    Traceback (most recent call last):
    ...
    mvemo.errors.DataError: quiet.wav: audio is silent (RMS -inf dBFS < -60 dBFS)
    """
    name = str(path) if path is not None else "audio array"
    if not (isinstance(sr, (int, np.integer)) and sr > 0):
        raise ParameterError(f"sr must be a positive integer, got {sr!r}")
    y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ParameterError(f"y must have shape (n,) or (channels, n), got {y.shape}")
    n = y.shape[-1]
    if n == 0:
        raise DataError(f"{name}: audio is empty (0 samples)")
    if n / sr < min_duration:
        raise DataError(f"{name}: audio is too short ({n / sr:.3f} s < {min_duration:g} s)")
    if not np.all(np.isfinite(y)):
        raise DataError(f"{name}: audio holds NaN or infinite samples")
    level = rms_dbfs(y)
    if level < silence_db:
        raise DataError(f"{name}: audio is silent (RMS {level:.1f} dBFS < {silence_db:g} dBFS)")
    return level


def pad_to(y: np.ndarray, n: int, *, mode: Literal["zeros", "repeat"] = "zeros") -> np.ndarray:
    """Pad audio at the end to at least ``n`` samples.

    Policy: short clips are padded with **zeros** (silence) at the end by default, so
    that no musical content is invented (repetition would add a spurious period to
    rhythm features).  ``mode="repeat"`` tiles the clip instead, for models trained on
    looped input.  Input that is already ``n`` samples or longer is returned unchanged
    (this function never truncates; slice for that).

    Parameters
    ----------
    y : np.ndarray
        Samples, shape ``(n_samples,)`` or ``(channels, n_samples)``; padding is on
        the last axis.
    n : int
        Target number of samples.
    mode : {"zeros", "repeat"}
        Padding policy.

    Returns
    -------
    np.ndarray
        Shape ``(..., max(n, n_samples))``, same dtype as ``y``.

    Examples
    --------
    >>> pad_to(np.array([1.0, 2.0]), 5)
    array([1., 2., 0., 0., 0.])
    >>> pad_to(np.array([1.0, 2.0]), 5, mode="repeat")
    array([1., 2., 1., 2., 1.])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ParameterError(f"n must be a non-negative integer, got {n!r}")
    if mode not in ("zeros", "repeat"):
        raise ParameterError(f"mode must be 'zeros' or 'repeat', got {mode!r}")
    y = np.asarray(y)
    have = y.shape[-1]
    if have >= n:
        return y
    if mode == "repeat":
        if have == 0:
            raise ParameterError("cannot repeat an empty signal; use mode='zeros'")
        reps = -(-n // have)
        return np.tile(y, (1,) * (y.ndim - 1) + (reps,))[..., :n]
    width = [(0, 0)] * (y.ndim - 1) + [(0, n - have)]
    return np.pad(y, width)

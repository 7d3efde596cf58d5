"""The few signal-processing steps of the music path, without importing librosa.

Importing librosa pulls numba and its compiled-kernel machinery (about 0.8 s of CPU on a
cold start, several seconds on a loaded machine) although prediction needs only a
resampler, an STFT, mel filters and frame RMS.  These functions give librosa's results
(``tests/audio/test_dsp.py`` compares them):

* :func:`resample`: the soxr resampler librosa calls (``res_type="soxr_hq"``/``"soxr_mq"``),
  with librosa's output length ``ceil(n * sr_out / sr_in)``;
* :func:`power_spectrogram`: centred (zero-padded) periodic-Hann frames, ``|rfft|**2``, as
  ``librosa.stft`` + ``abs(.)**2``;
* :func:`mel_filterbank`: ``librosa.filters.mel``, computed by librosa once and then kept
  on disk under :func:`mvemo.util.cache_root` (``filters/``), so later runs load an array;
* :func:`frame_rms`: ``librosa.feature.rms`` (centred, zero padding);
* :func:`decimate`: ``scipy.signal.resample_poly(x, 1, down)`` for float32 signals, bit for
  bit, without importing ``scipy.signal`` (0.8-1.3 s of a cold start: it pulls
  ``scipy.stats`` and builds hundreds of docstrings).
"""

from __future__ import annotations

import io
import math

import numpy as np

from mvemo._extras import require
from mvemo.util import atomic_write, cache_root

__all__ = ["resample", "decimate", "power_spectrogram", "mel_filterbank", "melspectrogram", "frame_rms"]


def resample(y: np.ndarray, sr_in: int, sr_out: int, *, quality: str = "soxr_hq") -> np.ndarray:
    """``y`` (1-D) resampled from ``sr_in`` to ``sr_out`` Hz, same dtype, librosa's length.

    Examples
    --------
    >>> resample(np.zeros(22050, np.float32), 22050, 16000).shape
    (16000,)
    """
    if sr_in == sr_out:
        return y
    soxr = require("soxr", extra="audio")
    out = soxr.resample(np.ascontiguousarray(y), int(sr_in), int(sr_out), quality=quality)
    n = int(math.ceil(y.shape[-1] * float(sr_out) / sr_in))
    if out.shape[-1] > n:
        out = out[..., :n]
    elif out.shape[-1] < n:
        out = np.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, n - out.shape[-1])])
    return np.asarray(out, dtype=y.dtype)


def _kaiser_lowpass(numtaps: int, cutoff: float, beta: float = 5.0) -> np.ndarray:
    """``scipy.signal.firwin(numtaps, cutoff, window=("kaiser", beta))`` (cutoff relative to Nyquist)."""
    m = np.arange(numtaps) - 0.5 * (numtaps - 1)
    h = cutoff * np.sinc(cutoff * m) * np.kaiser(numtaps, beta)
    return h / np.sum(h)  # unit gain at 0 Hz, as firwin's scale=True


def decimate(x: np.ndarray, down: int) -> np.ndarray:
    """``scipy.signal.resample_poly(x, 1, down)`` of a 1-D float32 signal, the same bits.

    The same anti-aliasing filter (Kaiser window, beta 5, ``20 * down + 1`` taps, cast to
    float32 as scipy does for float32 input) and the same sums: each output sample
    accumulates its products in float32 from the oldest input sample to the newest, as
    scipy's ``upfirdn`` does; zero padding at both ends.

    Parameters
    ----------
    x : np.ndarray
        1-D signal (converted to float32).
    down : int
        Decimation factor, >= 1.

    Returns
    -------
    np.ndarray, float32, shape ``(ceil(len(x) / down),)``

    Examples
    --------
    >>> decimate(np.ones(10, np.float32), 4).shape
    (3,)
    """
    from mvemo.errors import ParameterError

    if isinstance(down, bool) or not isinstance(down, (int, np.integer)) or down < 1:
        raise ParameterError(f"down must be an integer >= 1, got {down!r}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    if x.ndim != 1:
        raise ParameterError(f"decimate takes a 1-D signal, got shape {x.shape}")
    if down == 1:
        return x.copy()
    half = 10 * down
    pre = down - half % down  # scipy's zero padding in front of the filter (centres the output)
    h = np.concatenate([np.zeros(pre, np.float32), _kaiser_lowpass(2 * half + 1, 1.0 / down).astype(np.float32)])
    n_out = -(-len(x) // down)
    first = (half + pre) // down * down  # index in the full convolution of the first output sample
    taps = len(h)
    # xp[j + taps - 1] = x[j]: zeros before (the filter's start) and after (its end)
    xp = np.zeros(taps - 1 + max(len(x), first + down * (n_out - 1) + 1), np.float32)
    xp[taps - 1 : taps - 1 + len(x)] = x
    y = np.zeros(n_out, np.float32)
    for k in range(taps - 1, -1, -1):  # oldest sample first, as upfirdn
        start = first - k + taps - 1
        y += h[k] * xp[start : start + down * (n_out - 1) + 1 : down]
    return y


def power_spectrogram(y: np.ndarray, *, n_fft: int, hop_length: int) -> np.ndarray:
    """``|STFT|**2`` of centred, zero-padded periodic-Hann frames, shape ``(1 + n_fft // 2, T)``
    float32, ``T = 1 + len(y) // hop_length``."""
    y = np.asarray(y, dtype=np.float32)
    x = np.pad(y, n_fft // 2)
    n = 1 + (len(x) - n_fft) // hop_length
    frames = np.lib.stride_tricks.as_strided(x, (n, n_fft), (x.strides[0] * hop_length, x.strides[0]), writeable=False)
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)  # periodic Hann, float64 as scipy's
    z = np.fft.rfft(frames * win, axis=1).astype(np.complex64)
    return (np.abs(z) ** 2).T


def mel_filterbank(sr: int, n_fft: int, n_mels: int, *, htk: bool = False, norm: str = "slaney") -> np.ndarray:
    """``librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm)`` (float32,
    ``(n_mels, 1 + n_fft // 2)``), from the on-disk cache after its first computation."""
    key = f"mel_sr{sr}_fft{n_fft}_m{n_mels}_htk{int(htk)}_{norm}"
    path = cache_root() / "filters" / f"{key}.npy"
    if path.is_file():
        try:
            fb = np.load(path, allow_pickle=False)
            if fb.shape == (n_mels, 1 + n_fft // 2) and fb.dtype == np.float32:
                return fb
        except (OSError, ValueError):
            pass
    librosa = require("librosa", extra="audio")
    fb = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=norm).astype(np.float32)
    try:
        buf = io.BytesIO()
        np.save(buf, fb, allow_pickle=False)
        atomic_write(path, buf.getvalue())
    except OSError:  # a read-only cache only costs the next run the computation
        pass
    return fb


def melspectrogram(y: np.ndarray, *, sr: int, n_fft: int, hop_length: int, n_mels: int) -> np.ndarray:
    """Mel power spectrogram ``(n_mels, T)`` float32, as ``librosa.feature.melspectrogram(..., window="hann",
    center=True, pad_mode="constant", power=2.0, htk=False, norm="slaney")``."""
    S = power_spectrogram(y, n_fft=n_fft, hop_length=hop_length)
    return np.einsum("ft,mf->mt", S, mel_filterbank(sr, n_fft, n_mels), optimize=True)


def frame_rms(y: np.ndarray, *, frame_length: int, hop_length: int) -> np.ndarray:
    """RMS of centred, zero-padded frames, shape ``(1 + len(y) // hop_length,)`` float32."""
    y = np.asarray(y, dtype=np.float32)
    x = np.pad(y, frame_length // 2)
    n = 1 + (len(x) - frame_length) // hop_length
    frames = np.lib.stride_tricks.as_strided(
        x, (frame_length, n), (x.strides[0], x.strides[0] * hop_length), writeable=False
    )
    return np.sqrt(np.mean(np.square(frames), axis=0))

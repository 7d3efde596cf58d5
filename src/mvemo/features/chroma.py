"""Chroma of audio for the chord and key analysis of :mod:`mvemo.features.harmony` (its step 1).

Two front ends compute a 12 x T chroma, a bass chroma and the frame level in dB:

* ``method="cqt"``: a constant-Q transform (7 octaves from C1, 3 bins per semitone,
  tuning estimated) of the harmonic component of librosa's HPSS, peak-normalised,
  log-compressed (``log(1 + 100 x)``) and folded into 12 pitch classes;
* ``method="stft"`` (what the music model uses; about 10x cheaper): three STFTs of the
  signal resampled to 11025 Hz, with the median over an octave of pitches subtracted per
  frame instead of HPSS (see ``docs/harmony.md``).

librosa is imported inside the functions (the ``audio`` extra).
"""

from __future__ import annotations

import warnings

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError

__all__ = ["CHROMA_METHODS", "STFT_SR", "chroma", "resample_for_stft"]

# Analysis constants (see the module docstring).
_MIN_SR = 11025
_BINS_PER_OCTAVE = 36
_N_OCTAVES = 7
_COMPRESSION = 100.0  # log(1 + gamma * x) on the peak-normalised CQT magnitude
_BASS_OCTAVES = 2  # C1-B2 make the bass chroma
_SILENCE_REL_DB = -40.0
_SILENCE_ABS_DB = -60.0
# The fast STFT chroma (``method="stft"``): the signal at 11025 Hz, three bands.
STFT_SR = 11025
# (decimation of the 11025-Hz signal, n_fft, first MIDI pitch, stop): C1-B2 at 2756 Hz
# (0.74-s window, 1.35-Hz bins), C3-B4 with a 0.37-s window, C5-B7 with 0.19 s.
_STFT_BANDS = ((4, 2048, 24, 48), (1, 4096, 48, 72), (1, 2048, 72, 108))
_TUNING_PEAK_REL = 0.1  # spectral peaks above this share of the frame maximum vote for the tuning
CHROMA_METHODS = ("cqt", "stft")


def _check_signal(y: np.ndarray, sr: int) -> np.ndarray:
    if not (isinstance(sr, (int, np.integer)) and sr >= _MIN_SR):
        raise ParameterError(
            f"sr must be an integer >= {_MIN_SR} Hz (the CQT reaches C8 = 4186 Hz), got {sr!r}; "
            "resample with load_audio(..., sr=22050)"
        )
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ParameterError(f"y must be a non-empty mono signal of shape (n,), got {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ParameterError("y holds NaN or infinite samples")
    return y


def _check_hop(hop_length: int) -> int:
    step = 2 ** (_N_OCTAVES - 1)
    if (
        isinstance(hop_length, bool)
        or not isinstance(hop_length, (int, np.integer))
        or hop_length <= 0
        or hop_length % step
    ):
        raise ParameterError(f"hop_length must be a positive multiple of {step}, got {hop_length!r}")
    return int(hop_length)


def chroma(y: np.ndarray, sr: int, *, hop_length: int = 2048, harmonic: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Log-compressed CQT chroma and frame level.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz, at least 11025 (22050 is typical; the CQT tops out at
        C8 = 4186 Hz).
    hop_length : int
        Hop in samples, a multiple of 64 (2048 at 22050 Hz = 93 ms).
    harmonic : bool
        Analyse the harmonic component of an HPSS split (suppresses drums; most
        of the run time).

    Returns
    -------
    chroma : np.ndarray
        Shape ``(12, T)``, rows C..B, each frame scaled to a maximum of 1 (silent
        frames are all zero).
    level_db : np.ndarray
        Shape ``(T,)``: RMS level of each frame of ``y`` in dBFS.
    """
    ch, _, level_db = _chroma_bass(y, sr, hop_length=hop_length, harmonic=harmonic)
    return ch, level_db


def _chroma_bass(
    y: np.ndarray, sr: int, *, hop_length: int, harmonic: bool, method: str = "cqt", y_stft: np.ndarray | None = None
):
    """Chroma ``(12, T)``, bass chroma ``(12, T)`` (C1-B2 only) and level ``(T,)`` in dBFS.

    ``y_stft`` optionally gives ``y`` already resampled to :data:`STFT_SR` (method "stft").
    """
    y = _check_signal(y, sr)
    hop_length = _check_hop(hop_length)
    if method not in CHROMA_METHODS:
        raise ParameterError(f"method must be one of {CHROMA_METHODS}, got {method!r}")
    from mvemo.audio.dsp import frame_rms

    level = frame_rms(y, frame_length=2 * hop_length, hop_length=hop_length)  # = librosa.feature.rms
    level_db = 20 * np.log10(np.maximum(level, 1e-10))
    if not np.any(level_db >= _SILENCE_ABS_DB):  # silent throughout: nothing to analyse
        zeros = np.zeros((12, level_db.shape[0]))
        return zeros, zeros.copy(), level_db
    librosa = require("librosa", extra="audio") if harmonic or method != "stft" else None
    x = librosa.effects.harmonic(y, margin=2.0) if harmonic else y
    if method == "stft":
        if y_stft is None or harmonic:
            y_stft = resample_for_stft(x, sr)
        pitch = _stft_pitchgram(y_stft, hop=max(1, int(round(hop_length * STFT_SR / sr))))
        pitch = np.log1p(_COMPRESSION * pitch / max(float(pitch.max()), 1e-10))
        n = min(pitch.shape[1], level_db.shape[0])
        fold = np.zeros((12, pitch.shape[0]))
        fold[np.arange(pitch.shape[0]) % 12, np.arange(pitch.shape[0])] = 1.0  # row 0 = MIDI 24 = C1
        bass = fold[:, : _BASS_OCTAVES * 12] @ pitch[: _BASS_OCTAVES * 12, :n]
        return _peak_normalize(fold @ pitch[:, :n]), _peak_normalize(bass), level_db[:n]
    fmin = librosa.note_to_hz("C1")
    tuning = librosa.estimate_tuning(y=x, sr=sr, bins_per_octave=_BINS_PER_OCTAVE)
    with warnings.catch_warnings():
        # clips of a few seconds are shorter than the lowest octaves' FFTs: harmless
        warnings.filterwarnings("ignore", message=r"n_fft=\d+ is too large", category=UserWarning)
        cqt = np.abs(
            librosa.cqt(
                x,
                sr=sr,
                hop_length=hop_length,
                fmin=fmin,
                n_bins=_N_OCTAVES * _BINS_PER_OCTAVE,
                bins_per_octave=_BINS_PER_OCTAVE,
                tuning=tuning,
            )
        )
    cqt = np.log1p(_COMPRESSION * cqt / max(float(cqt.max()), 1e-10))
    fold = librosa.filters.cq_to_chroma(cqt.shape[0], bins_per_octave=_BINS_PER_OCTAVE, fmin=fmin)
    n = min(cqt.shape[1], level_db.shape[0])
    bass = fold[:, : _BASS_OCTAVES * _BINS_PER_OCTAVE] @ cqt[: _BASS_OCTAVES * _BINS_PER_OCTAVE, :n]
    return _peak_normalize(fold @ cqt[:, :n]), _peak_normalize(bass), level_db[:n]


def resample_for_stft(y: np.ndarray, sr: int) -> np.ndarray:
    """``y`` resampled to :data:`STFT_SR` (11025 Hz) for the STFT chroma and the onset envelope."""
    y = np.asarray(y, dtype=np.float32)
    if sr == STFT_SR:
        return y
    from mvemo.audio.dsp import resample  # librosa's soxr_mq resampling, without importing librosa

    return resample(y, sr, STFT_SR, quality="soxr_mq").astype(np.float32)


def _stft_power(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Power spectrogram ``(bins, T)`` of centred Hann frames, scaled so a sinusoid's lobe sums to a constant."""
    from scipy import fft

    x = np.pad(np.asarray(x, dtype=np.float32), n_fft // 2)
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    n = 1 + (len(x) - n_fft) // hop
    frames = np.lib.stride_tricks.as_strided(x, (n, n_fft), (x.strides[0] * hop, x.strides[0]), writeable=False)
    win = np.hanning(n_fft + 1)[:-1].astype(np.float32)
    z = fft.rfft(frames * win, axis=1)
    return ((z.real**2 + z.imag**2) / np.float32(win.sum() ** 2)).T


def _stft_tuning(power: np.ndarray, n_fft: int) -> float:
    """Tuning offset in semitones, [-0.5, 0.5): circular mean of spectral peaks' deviations."""
    mag = np.sqrt(power[1:-1])  # bins 1..n-2 have both neighbours
    left, right = np.sqrt(power[:-2]), np.sqrt(power[2:])
    peak = (mag > left) & (mag >= right) & (mag > _TUNING_PEAK_REL * mag.max(axis=0, keepdims=True))
    k, t = np.nonzero(peak)
    if k.size == 0:
        return 0.0
    a, b, c = left[k, t], mag[k, t], right[k, t]
    denom = a - 2 * b + c
    delta = np.divide(0.5 * (a - c), denom, out=np.zeros_like(b), where=denom < 0)
    freq = (k + 1 + delta) * STFT_SR / n_fft
    ok = (freq > 60.0) & (freq < 4200.0)
    if not ok.any():
        return 0.0
    dev = 12 * np.log2(freq[ok] / 440.0)
    phase = np.exp(2j * np.pi * dev)
    return float(np.angle(np.sum(b[ok] * phase)) / (2 * np.pi))


def _pitch_filterbank(n_fft: int, sr: float, lo: int, hi: int, tuning: float) -> np.ndarray:
    """Triangular weights ``(hi - lo, bins)`` from FFT bins to MIDI pitches (zero half a semitone away)."""
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    with np.errstate(divide="ignore"):
        midi = 69 + 12 * np.log2(freqs / 440.0) - tuning
    return np.maximum(0.0, 1.0 - 2.0 * np.abs(midi[None, :] - np.arange(lo, hi)[:, None])).astype(np.float32)


def _stft_pitchgram(x: np.ndarray, *, hop: int) -> np.ndarray:
    """Magnitude per MIDI pitch C1-B7 ``(84, T)`` of an 11025-Hz signal.

    Three bands share one frame grid (see ``_STFT_BANDS``): the bass octaves from the
    signal decimated by 4 with a long window, the upper octaves with shorter ones.
    """
    from mvemo.audio.dsp import decimate  # scipy.signal.resample_poly(x, 1, dec), without importing scipy.signal

    x = np.asarray(x, dtype=np.float32)
    signals = {1: x}
    powers = {}
    for dec, n_fft, _, _ in _STFT_BANDS:
        if dec not in signals:
            signals[dec] = decimate(x, dec)
        powers[dec, n_fft] = _stft_power(signals[dec], n_fft, max(1, hop // dec))
    tuning = _stft_tuning(powers[1, 2048], 2048) if (1, 2048) in powers else 0.0
    rows = []
    for dec, n_fft, lo, hi in _STFT_BANDS:
        fb = _pitch_filterbank(n_fft, STFT_SR / dec, lo, hi, tuning)
        used = np.flatnonzero(fb.any(axis=0))
        rows.append(fb[:, used] @ powers[dec, n_fft][used])
    n = min(r.shape[1] for r in rows)
    pitch = np.sqrt(np.concatenate([r[:, :n] for r in rows]))
    return _suppress_broadband(pitch)


_WHITEN_PITCHES = 13  # the median over this many neighbouring pitches (an octave) is subtracted
_TIME_MEDIAN = 0  # median over this many frames (0 = off; measured no better)


def _suppress_broadband(pitch: np.ndarray) -> np.ndarray:
    """Attenuate drums and noise in a pitchgram ``(84, T)``."""
    from scipy.ndimage import median_filter

    if _TIME_MEDIAN > 1:
        pitch = median_filter(pitch, size=(1, _TIME_MEDIAN), mode="nearest")
    if _WHITEN_PITCHES > 1:
        pitch = np.maximum(pitch - median_filter(pitch, size=(_WHITEN_PITCHES, 1), mode="nearest"), 0.0)
    return pitch


def _peak_normalize(ch: np.ndarray) -> np.ndarray:
    peak = ch.max(axis=0, keepdims=True)
    return np.divide(ch, peak, out=np.zeros_like(ch), where=peak > 1e-8)

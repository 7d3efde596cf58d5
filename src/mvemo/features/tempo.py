"""Tempo and beats: spectral-flux onset envelope, autocorrelation tempo, dynamic-programming beats.

Our own implementation of the classic pipeline (Ellis 2007, as in librosa's
``beat_track``), in plain numpy, because it is about 10x cheaper than librosa's on long
tracks and does not depend on numba's compiled-function cache (which crashed in our
environment):

1. **Onset envelope** — the signal is resampled to 11025 Hz; a 1024-point STFT every
   256 samples (23 ms, the frame rate of librosa's default 512-sample hop at 22050 Hz)
   gives a 64-band mel spectrogram in dB (floor 80 dB below the peak); the envelope is
   the mean positive first difference over bands, minus its 1-s moving average, and
   scaled to unit standard deviation.
2. **Tempo** — the envelope's autocorrelation (through the FFT) over lags of 30-300
   BPM.  Each lag is scored by a *metrical comb*: the mean of the autocorrelation peaks
   at 1/2, 1, 2 and 4 times the lag (the beat's subdivision, the beat, and the two- and
   four-beat groups), weighted by a log-normal prior centred on ``start_bpm`` (1 octave
   standard deviation, as librosa); the best lag is refined by parabolic interpolation.
   The comb is what handles octave and metrical errors: a syncopated rag's 3+3+2
   sixteenths make the autocorrelation peak at 3/2 of the beat (80 instead of 120 BPM for
   the Maple Leaf Rag), but only the true beat also has peaks at its half and its double.
3. **Beats** — dynamic programming: each frame's score is its onset strength plus the
   best score of a predecessor 0.5-2 periods earlier, penalised by
   ``100 * log(gap / period) ** 2``; the path is read back from the best-scoring frame
   of the last period, and beats weaker than half the median onset strength are
   trimmed at both ends.
4. **Refinement** — a least-squares line through beat time versus beat index; its
   slope is the beat period (the autocorrelation lag grid is 23 ms coarse).  With
   fewer than four beats the autocorrelation tempo is kept.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mvemo.errors import ParameterError

__all__ = [
    "ONSET_SR",
    "Tempo",
    "estimate_tempo",
    "onset_envelope",
    "tempo_from_onsets",
    "tempo_from_note_onsets",
    "tempo_agreement",
]

_MIN_BEATS = 4
ONSET_SR = 11025  # Hz, rate of the onset analysis
_ONSET_FFT = 1024
_ONSET_HOP = 256  # 23.2 ms
_ONSET_MELS = 64
_MIN_BPM, _MAX_BPM = 30.0, 300.0
_TIGHTNESS = 100.0
_METRICAL_MULTIPLES = (0.5, 1.0, 2.0, 4.0)  # subdivision, beat, two and four beats


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


def _frames(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """Centred (zero-padded), Hann-windowed frames ``(T, n_fft)`` of ``x``."""
    x = np.pad(x, n_fft // 2)
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    n = 1 + (len(x) - n_fft) // hop
    view = np.lib.stride_tricks.as_strided(x, (n, n_fft), (x.strides[0] * hop, x.strides[0]), writeable=False)
    return view * np.hanning(n_fft + 1)[:-1].astype(x.dtype)


def onset_envelope(y: np.ndarray, sr: int) -> tuple[np.ndarray, float]:
    """Spectral-flux onset strength of a mono signal.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono signal.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    envelope : np.ndarray, shape (T,) float64
        Onset strength per frame (zero mean locally, unit standard deviation; zeros for
        silence).
    frame_rate : float
        Frames per second (11025 / 256 = 43.07).
    """
    from scipy import fft

    from mvemo.audio.dsp import mel_filterbank, resample  # librosa's, without importing librosa

    x = np.asarray(y, dtype=np.float32)
    if sr != ONSET_SR:
        x = resample(x, sr, ONSET_SR, quality="soxr_mq")
    z = fft.rfft(_frames(x, _ONSET_FFT, _ONSET_HOP), axis=1)  # (T, bins) complex64
    spec = z.real**2 + z.imag**2
    mel = mel_filterbank(ONSET_SR, _ONSET_FFT, _ONSET_MELS)
    db = 10 * np.log10(np.maximum(spec @ mel.T, 1e-10))
    db = np.maximum(db, db.max() - 80.0)
    flux = np.zeros(len(db))
    flux[1:] = np.maximum(np.diff(db, axis=0), 0).mean(axis=1)
    rate = ONSET_SR / _ONSET_HOP
    k = max(1, int(round(rate)))
    local = np.convolve(flux, np.ones(k) / k, mode="same")
    env = np.maximum(flux - local, 0)
    sd = env.std()
    return (env / sd if sd > 1e-10 else np.zeros_like(env)), rate


def _autocorr_tempo(env: np.ndarray, rate: float, start_bpm: float) -> float:
    """Global tempo (BPM) from the prior-weighted autocorrelation of the envelope."""
    n = len(env)
    spec = np.fft.rfft(env - env.mean(), n=2 * n)
    ac = np.fft.irfft(np.abs(spec) ** 2)[:n]
    lo = max(1, int(np.floor(60.0 * rate / _MAX_BPM)))
    hi = min(n - 2, int(np.ceil(60.0 * rate / _MIN_BPM)))
    if hi <= lo or ac[0] <= 0:
        return 0.0
    lags = np.arange(lo, hi + 1)
    bpm = 60.0 * rate / lags
    prior = np.exp(-0.5 * np.log2(bpm / start_bpm) ** 2)
    acp = np.maximum(ac, 0) / ac[0]

    def peak(lag: np.ndarray) -> np.ndarray:  # the autocorrelation's largest value within ±1 frame of lag
        i = np.rint(lag).astype(np.int64)
        out = np.zeros(len(lag))
        for d in (-1, 0, 1):
            j = i + d
            ok = (j >= 1) & (j < n)
            out[ok] = np.maximum(out[ok], acp[j[ok]])
        return out

    comb = sum(peak(m * lags) for m in _METRICAL_MULTIPLES) / len(_METRICAL_MULTIPLES)
    score = comb * prior
    i = int(np.argmax(score))
    lag = float(lags[i])
    if 0 < i < len(lags) - 1:  # parabolic refinement
        a, b, c = score[i - 1], score[i], score[i + 1]
        denom = a - 2 * b + c
        if denom < 0:
            lag += 0.5 * (a - c) / denom
    return 60.0 * rate / lag


def _track_beats(env: np.ndarray, period: float) -> np.ndarray:
    """Beat frames by dynamic programming (Ellis 2007) for a beat period in frames."""
    n = len(env)
    lo, hi = max(1, int(round(period / 2))), max(2, int(round(2 * period)))
    gaps = np.arange(lo, hi + 1)
    penalty = -_TIGHTNESS * np.log(gaps / period) ** 2
    # Smoothed local score, as librosa does (a Gaussian of a quarter period).
    w = np.exp(-0.5 * (np.arange(-period, period + 1) * 32.0 / period) ** 2)
    local = np.convolve(env, w, mode="same")
    score = local.copy()
    back = np.full(n, -1, dtype=np.int64)
    # Every predecessor of frames [t, t + lo) lies before t, so blocks of ``lo`` frames
    # are scored at once.
    for t0 in range(lo, n, lo):
        t = np.arange(t0, min(n, t0 + lo))
        cand = t[:, None] - gaps[None, :]  # (B, G)
        vals = np.where(cand >= 0, score[np.maximum(cand, 0)] + penalty[None, :], -np.inf)
        j = np.argmax(vals, axis=1)
        best = vals[np.arange(len(t)), j]
        link = best > 0
        score[t[link]] = local[t[link]] + best[link]
        back[t[link]] = cand[np.arange(len(t)), j][link]
    tail = max(0, n - int(np.ceil(period)))
    t = tail + int(np.argmax(score[tail:]))
    beats = [t]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    beats = np.array(beats[::-1], dtype=np.int64)
    if beats.size:  # trim weak beats at both ends (silence before and after the music)
        strong = local[beats] >= 0.5 * np.median(local[beats])
        idx = np.flatnonzero(strong)
        beats = beats[idx[0] : idx[-1] + 1] if idx.size else beats[:0]
    return beats


def tempo_from_onsets(env: np.ndarray, rate: float, *, start_bpm: float = 120.0) -> Tempo:
    """Tempo and beats of an onset envelope (steps 2-4 of the module docstring).

    Parameters
    ----------
    env : np.ndarray, shape (T,)
        Onset strength, e.g. from :func:`onset_envelope`.
    rate : float
        Frames per second.
    start_bpm : float
        Centre of the tempo prior, BPM.

    Returns
    -------
    Tempo
    """
    env = np.asarray(env, dtype=np.float64)
    if not np.any(env > 0):
        return Tempo(0.0, np.zeros(0))
    bpm = _autocorr_tempo(env, rate, start_bpm)
    if bpm <= 0:
        return Tempo(0.0, np.zeros(0))
    beats = _track_beats(env, 60.0 * rate / bpm) / rate
    if beats.size >= _MIN_BEATS:
        period = np.polyfit(np.arange(beats.size), beats, 1)[0]
        if period > 0:
            bpm = 60.0 / float(period)
    return Tempo(float(bpm), beats.astype(float))


def estimate_tempo(y: np.ndarray, sr: int, *, hop_length: int = 512, start_bpm: float = 120.0) -> Tempo:
    """Estimate the tempo (BPM) and beat times of a signal.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz.
    hop_length : int
        Kept for compatibility and validated; the onset analysis always runs at 11025 Hz
        with a 256-sample hop (23 ms, the same frame rate as 512 samples at 22050 Hz).
    start_bpm : float
        Prior tempo centre, in BPM.

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
    env, rate = onset_envelope(y, int(sr))
    return tempo_from_onsets(env, rate, start_bpm=float(start_bpm))


def tempo_from_note_onsets(onsets: np.ndarray, weights: np.ndarray | None = None, *, start_bpm: float = 120.0) -> Tempo:
    """Tempo and beats of note onsets (a MIDI file's notes, a transcription) by the same
    estimator as audio, so that a piece and its MIDI get comparable tempi.

    The onsets become an envelope at the audio envelope's frame rate (43.07 frames/s): an
    impulse per distinct onset time, as high as the summed ``weights`` (e.g. velocities) of
    the notes starting there, smoothed by a 2-frame Gaussian; then steps 2-4 of the module
    docstring.  The file's tempo map is not used: it may not match the notes.

    Parameters
    ----------
    onsets : np.ndarray, shape (n,)
        Note start times in seconds.
    weights : np.ndarray, shape (n,), optional
        Per-note weights (default 1).
    start_bpm : float
        Centre of the tempo prior, BPM.

    Returns
    -------
    Tempo
        ``Tempo(0.0, [])`` when there are fewer than two distinct onsets.

    Examples
    --------
    >>> t = tempo_from_note_onsets(np.arange(0, 30, 0.5))  # a note every half second
    >>> round(t.bpm)
    120
    """
    onsets = np.asarray(onsets, dtype=np.float64).ravel()
    w = np.ones_like(onsets) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if onsets.shape != w.shape:
        raise ParameterError(f"onsets {onsets.shape} and weights {w.shape} must have the same shape")
    ok = np.isfinite(onsets) & (onsets >= 0)
    onsets, w = onsets[ok], w[ok]
    if np.unique(np.round(onsets, 3)).size < 2:
        return Tempo(0.0, np.zeros(0))
    rate = ONSET_SR / _ONSET_HOP
    n = int(np.ceil(onsets.max() * rate)) + int(2 * rate)
    env = np.zeros(n)
    np.add.at(env, np.rint(onsets * rate).astype(np.int64), w)
    g = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    env = np.convolve(env, g / g.sum(), mode="same")
    sd = env.std()
    return tempo_from_onsets(env / sd if sd > 0 else env, rate, start_bpm=start_bpm)


def tempo_agreement(estimate: float, reference: float, *, tolerance: float = 0.04) -> str:
    """How two tempi agree: ``"same"`` (within ``tolerance``, relative), ``"octave"`` (one
    is 2x or 1/2x the other), ``"metrical"`` (3x, 1/3x, 3/2x or 2/3x) or ``"no"``.

    Examples
    --------
    >>> tempo_agreement(72.0, 72.5), tempo_agreement(144, 72), tempo_agreement(80, 120), tempo_agreement(90, 120)
    ('same', 'octave', 'metrical', 'no')
    """
    if not (estimate > 0 and reference > 0):
        return "no"
    for name, ratios in (("same", (1.0,)), ("octave", (2.0, 0.5)), ("metrical", (3.0, 1 / 3, 1.5, 2 / 3))):
        if any(abs(estimate / (reference * r) - 1) <= tolerance for r in ratios):
            return name
    return "no"

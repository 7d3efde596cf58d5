"""Expressive, melodic, dynamic and tonal descriptors of a music recording.

After the "novel" descriptors of Panda, Malheiro & Paiva (2018, "Novel audio features for
music emotion recognition", IEEE TAFFC), which come from a predominant-melody transcription,
computed here with our own simple estimators (see ``docs/music_model.md``):

1. **Analysis signal**: mono audio resampled to 11025 Hz; at most ``max_duration`` seconds
   from the middle of the track are analysed (the cost is bounded for long tracks).  One STFT
   (1024 samples, hop 256 = 23.2 ms) feeds librosa's median-filtering HPSS (7 frames in time,
   17 bins in frequency).
2. **Pitch track**: probabilistic YIN (``librosa.pyin``, 65-1047 Hz, 0.2-semitone states) on
   the harmonic part gives voicing and a Viterbi-smoothed pitch; where plain YIN agrees with
   it within 60 cents, YIN's continuous (interpolated) value is used instead of the state
   grid.  In polyphonic music this is the most salient periodic line, a proxy for the melody
   (Panda et al. used MELODIA; substituted because it is not on PyPI).
3. **Notes**: voiced frames outside glides are cut where the pitch, smoothed over 170 ms
   (one 6-Hz vibrato cycle, so vibrato does not split notes), changes its nearest semitone;
   notes shorter than 70 ms are dropped; a note ends at its last frame within 20 dB of its
   peak (harmonic part's RMS).
4. **Descriptors**, :data:`EXPRESSIVE_NAMES` (documented in :func:`expressive_features`).

Everything is numpy + librosa (the ``audio`` extra).
"""

from __future__ import annotations

import math

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.features.harmony import KRUMHANSL_MAJOR, KRUMHANSL_MINOR

__all__ = [
    "EXPRESSIVE_KIND",
    "EXPRESSIVE_NAMES",
    "EXPRESSIVE_SR",
    "HOP",
    "LOGMEL_KIND",
    "Notes",
    "PitchTrack",
    "TIMBRE_NAMES",
    "dynamics_descriptors",
    "expressive_arrays",
    "expressive_features",
    "glides",
    "logmel_arrays",
    "melody_descriptors",
    "notes_from_pitch",
    "pitch_track",
    "roughness",
    "timbre_descriptors",
    "tonal_descriptors",
    "tremolo",
    "vibrato",
]

#: Sample rate of the analysis (Hz) and STFT hop (samples): 43.07 frames per second.
EXPRESSIVE_SR = 11025
HOP = 256
N_FFT = 1024
FPS = EXPRESSIVE_SR / HOP
#: Feature-cache kind of :func:`expressive_features` (bump when a definition changes).
EXPRESSIVE_KIND = "expressive-v1"

MELODY_NAMES = (
    "voiced_fraction", "pitch_mean", "pitch_std", "pitch_range",
    "note_density", "note_dur_mean", "note_dur_std", "ioi_mean", "ioi_std",
    "articulation_mean", "legato_share", "staccato_share",
    "interval_mean", "interval_unison", "interval_step", "interval_third", "interval_fourth_fifth",
    "interval_leap", "contour_up", "contour_down", "contour_turns",
    "vibrato_rate", "vibrato_extent", "vibrato_coverage",
    "glissando_coverage", "glissando_extent", "glissando_direction", "glissando_rate",
)  # fmt: skip
DYNAMICS_NAMES = ("rms_mean_db", "rms_std_db", "rms_range_db", "crescendo_share", "decrescendo_share",
                  "tremolo_rate", "tremolo_depth", "tremolo_coverage")  # fmt: skip
TONAL_NAMES = ("mode_strength", "key_clarity", "roughness_mean", "roughness_std")
#: Names of the entries of :func:`expressive_features`' vector, in order.
EXPRESSIVE_NAMES = MELODY_NAMES + DYNAMICS_NAMES + TONAL_NAMES

_FMIN, _FMAX = 65.0, 1047.0  # C2 .. C6
_PITCH_FRAME = 384  # 35 ms: short enough to follow a 6-Hz vibrato (longer frames average it away)
_SMOOTH_S = 0.17  # pitch smoothing for note cutting and glides: one 6-Hz vibrato cycle
_MIN_NOTE_S = 0.07
_VIBRATO_BAND = (3.0, 10.0)  # Hz
_VIBRATO_MIN_NOTE_S = 0.3
_VIBRATO_MIN_CENTS = 15.0
_GLIDE_MIN_S = 0.25
_GLIDE_MIN_SLOPE = 2.0  # semitones per second
_GLIDE_MIN_SEMITONES = 1.0
_TREMOLO_BAND = (2.5, 10.0)  # Hz
_TREMOLO_WIN_S, _TREMOLO_HOP_S = 2.0, 1.0
_TREMOLO_MIN_DEPTH = 0.1
_PERIODIC_SHARE = 0.5  # share of a segment's variance a sinusoid must explain to count as vibrato/tremolo
_DYN_SLOPE = 3.0  # dB per second for crescendo / decrescendo


def _with_overtones(profile: np.ndarray, n: int = 6, decay: float = 0.6) -> np.ndarray:
    """A pitch-class profile as audio chroma sees it: each pitch class adds its first ``n``
    harmonics (weights ``decay ** (h - 1)``) at their pitch classes."""
    out = np.zeros(12)
    for h in range(1, n + 1):
        out += decay ** (h - 1) * np.roll(profile, round(12 * math.log2(h)) % 12)
    return out


_KK_MAJOR = _with_overtones(KRUMHANSL_MAJOR)
_KK_MINOR = _with_overtones(KRUMHANSL_MINOR)


class PitchTrack:
    """A frame-wise pitch track.

    Attributes
    ----------
    midi : np.ndarray, shape (T,)
        Pitch in MIDI numbers (fractional; 69 = A4 = 440 Hz), NaN where unvoiced.
    fps : float
        Frames per second.
    """

    def __init__(self, midi: np.ndarray, fps: float) -> None:
        self.midi = np.asarray(midi, dtype=np.float64)
        self.fps = float(fps)

    @property
    def voiced(self) -> np.ndarray:
        """Boolean mask of voiced frames, shape (T,)."""
        return np.isfinite(self.midi)


class Notes:
    """Note events: ``onset``, ``offset`` (s) and ``pitch`` (median MIDI number), each shape (N,)."""

    def __init__(self, onset: np.ndarray, offset: np.ndarray, pitch: np.ndarray) -> None:
        self.onset, self.offset, self.pitch = (np.asarray(a, dtype=np.float64) for a in (onset, offset, pitch))

    def __len__(self) -> int:
        return len(self.onset)


# --------------------------------------------------------------------------- helpers
def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` index pairs of the runs of True in a boolean array."""
    m = np.r_[False, np.asarray(mask, bool), False].astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centred moving average over ``n`` samples (edges: shorter windows)."""
    if n <= 1 or len(x) == 0:
        return x.copy()
    c = np.cumsum(np.r_[0.0, x])
    half = n // 2
    lo = np.clip(np.arange(len(x)) - half, 0, len(x))
    hi = np.clip(np.arange(len(x)) + n - half, 0, len(x))
    return (c[hi] - c[lo]) / (hi - lo)


def _sinusoid(x: np.ndarray, fps: float, band: tuple[float, float]) -> tuple[float, float, float]:
    """Best sinusoid in ``band`` of a zero-mean segment: ``(frequency Hz, amplitude, explained share)``.

    The frequency is the peak of the zero-padded spectrum in the band; amplitude and share
    come from a least-squares fit of a sine and cosine at that frequency.
    """
    n = len(x)
    nfft = max(1024, 1 << int(math.ceil(math.log2(8 * n))))
    spec = np.abs(np.fft.rfft(x * np.hanning(n), nfft))
    freqs = np.fft.rfftfreq(nfft, 1.0 / fps)
    sel = (freqs >= band[0]) & (freqs <= band[1])
    if not sel.any():
        return 0.0, 0.0, 0.0
    f = float(freqs[sel][np.argmax(spec[sel])])
    t = np.arange(n) / fps
    basis = np.column_stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)])
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    fit = basis @ coef
    var = float(np.sum(x**2))
    return f, float(np.hypot(*coef)), float(np.sum(fit**2) / var) if var > 0 else 0.0


def _detrend(x: np.ndarray) -> np.ndarray:
    """``x`` minus its least-squares line."""
    t = np.arange(len(x), dtype=np.float64)
    return x - np.polyval(np.polyfit(t, x, 1), t)


# --------------------------------------------------------------------------- pitch
def pitch_track(harmonic: np.ndarray, sr: int = EXPRESSIVE_SR) -> PitchTrack:
    """Predominant pitch of a (harmonic) signal, one frame per :data:`HOP` samples.

    Parameters
    ----------
    harmonic : np.ndarray, shape (n,)
        Mono audio at ``sr`` Hz (the harmonic part of HPSS in :func:`expressive_features`).
    sr : int

    Returns
    -------
    PitchTrack
        pyin's voicing; the pitch is YIN's interpolated value where it lies within 60 cents
        of pyin's (0.2-semitone grid), else pyin's.
    """
    librosa = require("librosa", extra="audio")
    y = np.asarray(harmonic, dtype=np.float64)
    kw = dict(fmin=_FMIN, fmax=_FMAX, sr=sr, frame_length=_PITCH_FRAME, hop_length=HOP)
    f0, voiced, _ = librosa.pyin(y, resolution=0.2, **kw)
    fy = librosa.yin(y, **kw)
    n = min(len(f0), len(fy))
    f0, voiced, fy = f0[:n], voiced[:n], fy[:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        midi = 69.0 + 12.0 * np.log2(f0 / 440.0)
        midi_yin = 69.0 + 12.0 * np.log2(fy / 440.0)
    close = np.abs(midi_yin - midi) < 0.6
    midi = np.where(close, midi_yin, midi)
    midi[~(voiced & np.isfinite(midi))] = np.nan
    return PitchTrack(midi, sr / HOP)


def glides(track: PitchTrack) -> list[tuple[int, int, float]]:
    """Glissando / portamento segments of a pitch track.

    A glide is a run of at least 250 ms of voiced frames in which the pitch, smoothed over
    170 ms, moves monotonically at 2 semitones per second or more and by at least one
    semitone in all.

    Returns
    -------
    list of (start, stop, semitones)
        Frame range ``[start, stop)`` and the signed pitch change (semitones).
    """
    out = []
    smooth_n = max(1, int(round(_SMOOTH_S * track.fps)))
    for a, b in _runs(track.voiced):
        p = _moving_average(track.midi[a:b], smooth_n)
        if len(p) < 2:
            continue
        slope = np.gradient(p) * track.fps
        for sign in (1.0, -1.0):
            for s, e in _runs(sign * slope >= _GLIDE_MIN_SLOPE):
                change = p[e - 1] - p[s]
                if (e - s) / track.fps >= _GLIDE_MIN_S and abs(change) >= _GLIDE_MIN_SEMITONES:
                    out.append((a + s, a + e, float(change)))
    return sorted(out)


def notes_from_pitch(
    track: PitchTrack, *, exclude: np.ndarray | None = None, envelope: np.ndarray | None = None
) -> Notes:
    """Note events of a pitch track (module docstring, step 3).

    A stretch of under 120 ms that the smoothing passes through between two notes (61
    between 60 and 62) is split between its neighbours.

    Parameters
    ----------
    track : PitchTrack
    exclude : np.ndarray of bool, shape (T,), optional
        Frames that belong to no note (glides).
    envelope : np.ndarray, shape (T,), optional
        Amplitude per frame: a note then ends at its last frame within 20 dB of its peak (the
        pitch tracker's voicing lingers over a decaying note; this keeps staccato short).
    """
    voiced = track.voiced & (True if exclude is None else ~np.asarray(exclude, bool))
    smooth_n = max(1, int(round(_SMOOTH_S * track.fps)))
    min_len = max(1, int(round(_MIN_NOTE_S * track.fps)))
    trans_len = int(round(0.12 * track.fps))
    on, off, pitch = [], [], []
    for a, b in _runs(voiced):
        seg = track.midi[a:b]
        q = np.round(_moving_average(seg, smooth_n))
        cuts = np.r_[0, np.flatnonzero(np.diff(q) != 0) + 1, len(seg)]
        cuts = list(cuts)
        i = 1
        while i < len(cuts) - 2:  # segment i = [cuts[i], cuts[i + 1]) with neighbours on both sides
            s, e = cuts[i], cuts[i + 1]
            lo, hi = sorted((np.median(q[cuts[i - 1] : s]), np.median(q[e : cuts[i + 2]])))
            if e - s < trans_len and lo < np.median(q[s:e]) < hi:
                cuts[i : i + 2] = [(s + e) // 2]
            else:
                i += 1
        for s, e in zip(cuts[:-1], cuts[1:]):
            if e - s >= min_len:
                if envelope is not None:
                    env = np.asarray(envelope[a + s : a + e], np.float64)
                    if len(env) == e - s and env.max() > 0:
                        e = s + int(np.flatnonzero(env >= env.max() * 0.1)[-1]) + 1
                on.append((a + s) / track.fps)
                off.append((a + e) / track.fps)
                pitch.append(float(np.median(seg[s:e])))
    return Notes(np.array(on), np.array(off), np.array(pitch))


def vibrato(track: PitchTrack, notes: Notes) -> tuple[float, float, float]:
    """Vibrato of the notes of a pitch track.

    Each note of at least 300 ms is detrended (its least-squares line removed, in cents) and
    the best sinusoid between 3 and 10 Hz is fitted; the note has vibrato when that sinusoid's
    amplitude is at least 15 cents and it explains at least half of the detrended variance.

    Returns
    -------
    rate : float
        Mean vibrato frequency of the vibrato notes (Hz); 0 if none.
    extent : float
        Mean semi-extent (amplitude, cents: a ±50-cent vibrato has extent 50); 0 if none.
    coverage : float
        Share of the total note duration that lies in vibrato notes (0..1).
    """
    rates, extents, covered, total = [], [], 0.0, 0.0
    for on, off in zip(notes.onset, notes.offset):
        a, b = int(round(on * track.fps)), int(round(off * track.fps))
        total += off - on
        if off - on < _VIBRATO_MIN_NOTE_S:
            continue
        cents = 100.0 * _detrend(track.midi[a:b])
        f, amp, share = _sinusoid(cents, track.fps, _VIBRATO_BAND)
        if amp >= _VIBRATO_MIN_CENTS and share >= _PERIODIC_SHARE:
            rates.append(f)
            extents.append(amp)
            covered += off - on
    if not rates:
        return 0.0, 0.0, 0.0
    return float(np.mean(rates)), float(np.mean(extents)), covered / total


def melody_descriptors(track: PitchTrack, envelope: np.ndarray | None = None) -> np.ndarray:
    """The :data:`MELODY_NAMES` of a pitch track (definitions in :func:`expressive_features`).

    ``envelope`` (amplitude per frame of the track) refines note offsets, see :func:`notes_from_pitch`.
    """
    out = dict.fromkeys(MELODY_NAMES, 0.0)
    voiced = track.voiced
    n_frames = len(track.midi)
    duration = n_frames / track.fps if n_frames else 0.0
    out["voiced_fraction"] = float(voiced.mean()) if n_frames else 0.0
    gl = glides(track)
    glide_mask = np.zeros(n_frames, bool)
    for a, b, _ in gl:
        glide_mask[a:b] = True
    notes = notes_from_pitch(track, exclude=glide_mask, envelope=envelope)
    if voiced.any():
        p = track.midi[voiced]
        out["pitch_mean"] = float(p.mean())
        out["pitch_std"] = float(p.std())
        out["pitch_range"] = float(np.percentile(p, 95) - np.percentile(p, 5))
        voiced_s = voiced.sum() / track.fps
        out["glissando_coverage"] = float(glide_mask.sum() / voiced.sum())
        out["glissando_rate"] = len(gl) / voiced_s
    if gl:
        ch = np.array([c for _, _, c in gl])
        out["glissando_extent"] = float(np.abs(ch).mean())
        out["glissando_direction"] = float(np.sign(ch).mean())
    if len(notes):
        dur = notes.offset - notes.onset
        out["note_density"] = len(notes) / max(duration, 1e-9)
        out["note_dur_mean"], out["note_dur_std"] = float(dur.mean()), float(dur.std())
    if len(notes) > 1:
        ioi = np.diff(notes.onset)
        phrase = ioi <= 2.0  # pairs inside a phrase
        if phrase.any():
            ioi_p = ioi[phrase]
            art = np.clip((notes.offset[:-1] - notes.onset[:-1])[phrase] / ioi_p, 0.0, 1.0)
            out["ioi_mean"], out["ioi_std"] = float(ioi_p.mean()), float(ioi_p.std())
            out["articulation_mean"] = float(art.mean())
            out["legato_share"] = float(np.mean(art >= 0.9))
            out["staccato_share"] = float(np.mean(art < 0.5))
        step = np.round(np.diff(notes.pitch))
        a = np.abs(step)
        out["interval_mean"] = float(a.mean())
        out["interval_unison"] = float(np.mean(a == 0))
        out["interval_step"] = float(np.mean((a >= 1) & (a <= 2)))
        out["interval_third"] = float(np.mean((a >= 3) & (a <= 4)))
        out["interval_fourth_fifth"] = float(np.mean((a >= 5) & (a <= 7)))
        out["interval_leap"] = float(np.mean(a >= 8))
        out["contour_up"] = float(np.mean(step > 0))
        out["contour_down"] = float(np.mean(step < 0))
        moves = np.sign(step[step != 0])
        out["contour_turns"] = float(np.mean(moves[1:] != moves[:-1])) if len(moves) > 1 else 0.0
    out["vibrato_rate"], out["vibrato_extent"], out["vibrato_coverage"] = vibrato(track, notes)
    return np.array([out[k] for k in MELODY_NAMES])


# --------------------------------------------------------------------------- dynamics
def tremolo(envelope: np.ndarray, fps: float) -> tuple[float, float, float]:
    """Tremolo (periodic amplitude modulation) of an amplitude envelope.

    The envelope is cut into 2-s windows every 1 s; in each window the relative envelope
    ``e / mean(e) - 1`` (detrended) gets the best sinusoid between 2.5 and 10 Hz.  A window
    has tremolo when the sinusoid's amplitude (the modulation depth ``m`` of
    ``1 + m sin(2 pi f t)``) is at least 0.1 and it explains at least half of the variance.
    Windows whose mean is 40 dB or more below the loudest window are skipped.

    Parameters
    ----------
    envelope : np.ndarray, shape (T,)
        Linear amplitude (RMS) per frame.
    fps : float
        Frames per second.

    Returns
    -------
    rate : float
        Mean modulation frequency of the tremolo windows (Hz); 0 if none.
    depth : float
        Mean modulation depth ``m`` of the tremolo windows; 0 if none.
    coverage : float
        Share of the analysed windows with tremolo (0..1).
    """
    env = np.asarray(envelope, dtype=np.float64)
    win, hop = int(round(_TREMOLO_WIN_S * fps)), int(round(_TREMOLO_HOP_S * fps))
    starts = range(0, max(1, len(env) - win + 1), hop) if len(env) >= win else []
    means = [env[s : s + win].mean() for s in starts]
    if not means:
        return 0.0, 0.0, 0.0
    floor = max(means) * 10 ** (-40 / 20)
    rates, depths, n = [], [], 0
    for s, m in zip(starts, means):
        if m <= floor or m <= 0:
            continue
        n += 1
        f, amp, share = _sinusoid(_detrend(env[s : s + win] / m - 1.0), fps, _TREMOLO_BAND)
        if amp >= _TREMOLO_MIN_DEPTH and share >= _PERIODIC_SHARE:
            rates.append(f)
            depths.append(amp)
    if not rates:
        return 0.0, 0.0, 0.0
    return float(np.mean(rates)), float(np.mean(depths)), len(rates) / n


def dynamics_descriptors(y: np.ndarray, harmonic: np.ndarray | None = None) -> np.ndarray:
    """The :data:`DYNAMICS_NAMES` of a signal at :data:`EXPRESSIVE_SR` (see :func:`expressive_features`).

    ``harmonic`` (default ``y``) is the signal whose envelope is searched for tremolo.
    """
    rms = _frame_rms(y)
    db = 20 * np.log10(np.maximum(rms, 1e-5))
    loud = db > db.max() - 60
    d = db[loud] if loud.any() else db
    # dB envelope smoothed over 0.5 s; its slope in dB/s
    slope = np.gradient(_moving_average(db, int(round(0.5 * FPS)))) * FPS
    s = slope[loud] if loud.any() else slope
    trem = tremolo(_frame_rms(y if harmonic is None else harmonic), FPS)
    return np.array(
        [
            d.mean(),
            d.std(),
            np.percentile(d, 95) - np.percentile(d, 5),
            np.mean(s > _DYN_SLOPE),
            np.mean(s < -_DYN_SLOPE),
            *trem,
        ]
    )


def _frame_rms(y: np.ndarray) -> np.ndarray:
    """RMS of consecutive non-overlapping :data:`HOP`-sample frames (23 ms: follows tremolo up to 10 Hz)."""
    n = len(y) // HOP
    if n == 0:
        return np.sqrt(np.mean(np.square(y), keepdims=True))
    return np.sqrt(np.mean(np.square(np.asarray(y[: n * HOP], np.float64)).reshape(n, HOP), axis=1))


# --------------------------------------------------------------------------- tonal
def roughness(freqs: np.ndarray, amps: np.ndarray) -> float:
    """Sensory roughness of a set of partials (Plomp & Levelt 1965, as parametrised by Sethares 1993).

    ``sum_{i<j} a_i a_j (exp(-3.5 s df) - exp(-5.75 s df)) / sum_i a_i^2`` with
    ``df = |f_i - f_j|`` and ``s = 0.24 / (0.0207 min(f_i, f_j) + 18.96)``: level-invariant,
    0 for a single partial, largest for partials about a quarter of a critical band apart.

    Parameters
    ----------
    freqs, amps : np.ndarray, shape (P,)
        Partial frequencies (Hz) and linear amplitudes.
    """
    f, a = np.asarray(freqs, np.float64), np.asarray(amps, np.float64)
    if len(f) < 2 or not np.sum(a**2) > 0:
        return 0.0
    i, j = np.triu_indices(len(f), 1)
    df = np.abs(f[i] - f[j])
    s = 0.24 / (0.0207 * np.minimum(f[i], f[j]) + 18.96)
    d = np.exp(-3.5 * s * df) - np.exp(-5.75 * s * df)
    return float(np.sum(a[i] * a[j] * d) / np.sum(a**2))


def _key_correlations(chroma_mean: np.ndarray) -> tuple[float, float]:
    """Best Pearson correlation of a mean chroma with the 12 major and the 12 minor KK profiles."""
    c = np.asarray(chroma_mean, np.float64)
    if np.ptp(c) == 0:
        return 0.0, 0.0
    best = []
    for prof in (_KK_MAJOR, _KK_MINOR):
        best.append(max(float(np.corrcoef(c, np.roll(prof, k))[0, 1]) for k in range(12)))
    return best[0], best[1]


def tonal_descriptors(harmonic: np.ndarray, sr: int = EXPRESSIVE_SR, *, mag: np.ndarray | None = None) -> np.ndarray:
    """The :data:`TONAL_NAMES` of a (harmonic) signal (see :func:`expressive_features`).

    ``mag`` is its magnitude STFT (``N_FFT``, ``HOP``) if already computed.
    """
    librosa = require("librosa", extra="audio")
    h = np.asarray(harmonic, np.float64)
    if mag is None:
        mag = np.abs(librosa.stft(h, n_fft=N_FFT, hop_length=HOP))
    chroma = librosa.feature.chroma_stft(S=mag**2, sr=sr, n_fft=N_FFT, hop_length=HOP, tuning=0.0)
    energy = mag.sum(0)
    loud = energy > energy.max() * 1e-2 if energy.size and energy.max() > 0 else np.ones(mag.shape[1], bool)
    major, minor = _key_correlations(chroma[:, loud].mean(1) if loud.any() else chroma.mean(1))
    # roughness on 4 long frames per second (4096 samples: 2.7-Hz bins resolve a semitone above 100 Hz)
    n_long, step = 4096, int(sr / 4)
    window = np.hanning(n_long)
    freqs = np.fft.rfftfreq(n_long, 1.0 / sr)
    values = []
    for s in range(0, max(1, len(h) - n_long + 1), step):
        seg = h[s : s + n_long]
        if len(seg) < n_long:
            seg = np.pad(seg, (0, n_long - len(seg)))
        spec = np.abs(np.fft.rfft(seg * window))
        if spec.max() <= 0:
            continue
        peaks = np.flatnonzero((spec[1:-1] > spec[:-2]) & (spec[1:-1] >= spec[2:])) + 1
        peaks = peaks[(spec[peaks] > spec.max() * 10 ** (-30 / 20)) & (freqs[peaks] >= 50)]
        peaks = peaks[np.argsort(spec[peaks])[::-1][:12]]
        if len(peaks):
            values.append(roughness(freqs[peaks], spec[peaks]))
    r = np.array(values) if values else np.zeros(1)
    return np.array([major - minor, max(major, minor), r.mean(), r.std()])


# --------------------------------------------------------------------------- all
def expressive_features(y: np.ndarray, sr: int, *, max_duration: float = 30.0) -> np.ndarray:
    """Fixed-length vector of expressive, melodic, dynamic and tonal descriptors.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Mono audio.
    sr : int
        Its sample rate (Hz); resampled to :data:`EXPRESSIVE_SR` (11025 Hz).
    max_duration : float
        Seconds analysed at most (the middle of a longer track), > 0.

    Returns
    -------
    np.ndarray, shape (len(EXPRESSIVE_NAMES),) = (40,), float64
        In the order of :data:`EXPRESSIVE_NAMES`; a descriptor that is undefined (no notes,
        no vibrato, ...) is 0.  Definitions (pitch in MIDI numbers, durations in seconds):

        *Melody* (pitch track of the harmonic part, its notes and glides; module docstring):

        - ``voiced_fraction``: share of frames with a pitch;
        - ``pitch_mean`` (register), ``pitch_std``, ``pitch_range`` (95th - 5th percentile,
          semitones) of the voiced frames' pitch;
        - ``note_density``: notes per second of analysed audio; ``note_dur_mean``, ``note_dur_std``;
        - ``ioi_mean``, ``ioi_std``: inter-onset intervals of consecutive notes up to 2 s apart;
        - ``articulation_mean``: mean of ``duration / IOI`` over those pairs (1 = legato);
          ``legato_share`` (ratio >= 0.9) and ``staccato_share`` (ratio < 0.5);
        - interval histogram of consecutive notes' pitch differences (rounded semitones):
          ``interval_unison`` (0), ``interval_step`` (1-2), ``interval_third`` (3-4),
          ``interval_fourth_fifth`` (5-7), ``interval_leap`` (>= 8), and ``interval_mean``
          (mean absolute interval);
        - ``contour_up`` / ``contour_down``: share of rising / falling intervals;
          ``contour_turns``: share of changes of direction between consecutive moves;
        - ``vibrato_rate`` (Hz), ``vibrato_extent`` (semi-extent, cents), ``vibrato_coverage``
          (share of note time): :func:`vibrato`;
        - ``glissando_coverage`` (share of voiced frames in glides), ``glissando_extent`` (mean
          absolute pitch change of a glide, semitones), ``glissando_direction`` (mean sign:
          +1 all rising, -1 all falling), ``glissando_rate`` (glides per voiced second):
          :func:`glides`.

        *Dynamics* (RMS of 23-ms frames, in dB re full scale):

        - ``rms_mean_db``, ``rms_std_db``, ``rms_range_db`` (95th - 5th percentile) over the
          frames within 60 dB of the loudest;
        - ``crescendo_share`` / ``decrescendo_share``: share of those frames where the dB
          envelope, smoothed over 0.5 s, rises / falls faster than 3 dB/s;
        - ``tremolo_rate`` (Hz), ``tremolo_depth`` (modulation depth), ``tremolo_coverage``
          (share of 2-s windows): :func:`tremolo` on the harmonic part's envelope.

        *Tonal* (harmonic part):

        - ``mode_strength``: best correlation of the mean chroma with the 12 major
          Krumhansl-Kessler profiles minus the best with the 12 minor ones (> 0 major); the
          profiles first get six harmonics per pitch class (weights ``0.6 ** (h - 1)``), as
          audio chroma holds overtones;
        - ``key_clarity``: the best of the 24 correlations;
        - ``roughness_mean``, ``roughness_std``: :func:`roughness` of the 12 strongest
          spectral peaks (within 30 dB of the frame's maximum, >= 50 Hz) of 4 frames per second.

    Raises
    ------
    ParameterError
        ``y`` is not 1-D, has fewer than 0.5 s of samples, or ``max_duration`` is not positive.
    """
    y, stft = _prepare(y, sr, max_duration=max_duration)
    return _expressive(y, stft)


def _prepare(y: np.ndarray, sr: int, *, max_duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Checked, cropped signal at :data:`EXPRESSIVE_SR` and its STFT."""
    librosa = require("librosa", extra="audio")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ParameterError(f"y must be mono (1-D), got shape {y.shape}")
    if not max_duration > 0:
        raise ParameterError(f"max_duration must be positive, got {max_duration!r}")
    if len(y) < 0.5 * sr:
        raise ParameterError(f"need at least 0.5 s of audio, got {len(y) / sr:.2f} s")
    keep = int(max_duration * sr)
    if len(y) > keep:
        start = (len(y) - keep) // 2
        y = y[start : start + keep]
    if sr != EXPRESSIVE_SR:
        y = librosa.resample(y, orig_sr=sr, target_sr=EXPRESSIVE_SR, res_type="soxr_hq")
    return y, librosa.stft(y, n_fft=N_FFT, hop_length=HOP)


def _expressive(y: np.ndarray, stft: np.ndarray) -> np.ndarray:
    librosa = require("librosa", extra="audio")
    # harmonic median over 7 frames (160 ms): a 100-ms staccato note stays harmonic
    harm_stft, _ = librosa.decompose.hpss(stft, kernel_size=(7, 17))
    h = librosa.istft(harm_stft, hop_length=HOP, length=len(y))
    track = pitch_track(h)
    env = _frame_rms(h)
    env = np.pad(env, (0, max(0, len(track.midi) - len(env))))[: len(track.midi)]
    return np.concatenate(
        [melody_descriptors(track, env), dynamics_descriptors(y, h), tonal_descriptors(h, mag=np.abs(harm_stft))]
    )


#: Names of :func:`timbre_descriptors`' vector, in order.
TIMBRE_NAMES = (
    tuple(f"mfcc{i}_mean" for i in range(20))
    + tuple(f"mfcc{i}_std" for i in range(20))
    + (
        "centroid_mean",
        "centroid_std",
        "bandwidth_mean",
        "bandwidth_std",
        "rolloff_mean",
        "rolloff_std",
        "flatness_mean",
        "flatness_std",
    )
    + tuple(f"contrast{i}_mean" for i in range(7))
)
#: Mel bands of :func:`expressive_arrays`' log-mel spectrogram.
N_MELS = 64


def timbre_descriptors(mag: np.ndarray, sr: int = EXPRESSIVE_SR) -> np.ndarray:
    """Standard timbre statistics of a magnitude STFT (``N_FFT``, ``HOP``), :data:`TIMBRE_NAMES`.

    Mean and standard deviation over frames of 20 MFCCs (64 mel bands), of the spectral
    centroid, bandwidth and 85 % roll-off (Hz) and of the spectral flatness; mean of the 7
    spectral-contrast bands (dB).  Shape ``(55,)``.
    """
    librosa = require("librosa", extra="audio")
    power = np.asarray(mag, np.float64) ** 2
    mel = librosa.feature.melspectrogram(S=power, sr=sr, n_mels=N_MELS)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=20)
    feats = [
        librosa.feature.spectral_centroid(S=mag, sr=sr)[0],
        librosa.feature.spectral_bandwidth(S=mag, sr=sr)[0],
        librosa.feature.spectral_rolloff(S=mag, sr=sr)[0],
        librosa.feature.spectral_flatness(S=mag)[0],
    ]
    contrast = librosa.feature.spectral_contrast(S=mag, sr=sr, fmin=100.0, n_bands=6)
    return np.concatenate([mfcc.mean(1), mfcc.std(1), np.ravel([[f.mean(), f.std()] for f in feats]), contrast.mean(1)])


def expressive_arrays(y: np.ndarray, sr: int, *, max_duration: float = 30.0) -> dict[str, np.ndarray]:
    """Everything the 4Q research channels use from one analysis (one STFT).

    Returns
    -------
    dict
        ``"expressive"``: :func:`expressive_features` (40,); ``"timbre"``:
        :func:`timbre_descriptors` (55,); ``"logmel"``: the log-mel spectrogram (dB,
        :data:`N_MELS` bands x frames at 43.07 frames/s, float16) of the analysed excerpt,
        the input of a spectrogram network.
    """
    y11, stft = _prepare(y, sr, max_duration=max_duration)
    mag = np.abs(stft)
    return {"expressive": _expressive(y11, stft), "timbre": timbre_descriptors(mag), "logmel": _logmel(mag)}


def _logmel(mag: np.ndarray) -> np.ndarray:
    librosa = require("librosa", extra="audio")
    mel = librosa.feature.melspectrogram(S=mag**2, sr=EXPRESSIVE_SR, n_mels=N_MELS)
    return librosa.power_to_db(mel, ref=1.0, top_db=None).astype(np.float16)


#: Feature-cache kind of :func:`logmel_arrays` (the log-mel alone, without the slow pitch tracking).
LOGMEL_KIND = "logmel-v1"


def logmel_arrays(y: np.ndarray, sr: int, *, max_duration: float = 30.0) -> dict[str, np.ndarray]:
    """The ``"logmel"`` entry of :func:`expressive_arrays` alone: no HPSS, no pitch tracking.

    The same excerpt (the central ``max_duration`` seconds), resampling, STFT and mel bands as
    :func:`expressive_arrays`, so the two caches hold identical spectrograms; it takes a
    fraction of a second per 30-s clip instead of many seconds.

    Returns
    -------
    dict
        ``{"logmel": (N_MELS, frames) float16}``, dB at 43.07 frames/s.

    Examples
    --------
    >>> y = np.sin(2 * np.pi * 440 * np.arange(22050) / 22050).astype(np.float32)
    >>> logmel_arrays(y, 22050)["logmel"].shape
    (64, 44)
    """
    _, stft = _prepare(y, sr, max_duration=max_duration)
    return {"logmel": _logmel(np.abs(stft))}

"""Valence features of MIDI notes in time windows (:func:`valence_features`).

Windowed (4 s / 8 s) major- vs minor-key correlation, the interval-class vector of
simultaneous notes, top-voice melodic steps, dynamics, articulation and the register of
the outer voices; used by :meth:`mvemo.features.midi.MidiFeatures.valence_features` and
the symbolic model's linear valence factor.
"""

from __future__ import annotations

import numpy as np

from mvemo.features.harmony import KRUMHANSL_MAJOR, KRUMHANSL_MINOR
from mvemo.features.notes import Notes
from mvemo.features.notes import window_bounds as _window_bounds

__all__ = ["VALENCE_FEATURE_NAMES", "VALENCE_KEY_WINDOWS", "valence_features"]


#: Lengths (s) of the sub-windows of the windowed key correlation in :func:`valence_features`.
VALENCE_KEY_WINDOWS: tuple[float, ...] = (4.0, 8.0)
_ROLL_FPS = 10.0  # frame rate of the piano roll behind the interval-class and voice features
_ONSET_TOL = 0.03  # onsets closer than this (s) form one chord onset (melody, articulation)
_LEAP = 7  # semitones: a melodic step of at least a fifth is a leap

#: Names of the :func:`valence_features` columns, in order (see there for their definitions).
VALENCE_FEATURE_NAMES: tuple[str, ...] = (
    *[f"key{int(w)}_{s}" for w in VALENCE_KEY_WINDOWS
      for s in ("major_mean", "minor_mean", "diff_mean", "diff_std", "major_frac")],
    *[f"ic{k}" for k in range(1, 7)], "log_pairs",
    "mel_step_mean", "mel_step_std", "mel_up_frac", "mel_down_frac", "mel_repeat_frac", "mel_leap_frac",
    "dyn_velocity_mean", "dyn_velocity_std", "dyn_velocity_range", "dyn_bin_std", "dyn_bin_range", "dyn_top_accent",
    "art_log_ratio", "art_legato_frac", "art_staccato_frac",
    "reg_top_mean", "reg_bottom_mean", "reg_spread_mean", "reg_spread_std",
)  # fmt: skip


def _key_profiles() -> np.ndarray:
    """The 24 rotated Krumhansl-Kessler profiles (major C..B, minor C..B), z-scored, shape ``(24, 12)``."""
    p = np.stack([np.roll(prof, k) for prof in (KRUMHANSL_MAJOR, KRUMHANSL_MINOR) for k in range(12)])
    return (p - p.mean(1, keepdims=True)) / p.std(1, keepdims=True)


_PROFILES = _key_profiles()


def _windowed_key(notes: Notes, t0: float, t1: float, size: float) -> np.ndarray:
    """Five statistics of the Krumhansl-Schmuckler correlations over sub-windows of ``size`` s."""
    length = t1 - t0
    if length <= size:
        a = np.array([t0])
    else:
        a = t0 + np.arange(0.0, length - size + 1e-9, size / 2)
    b = np.minimum(a + size, t1)
    overlap = np.clip(
        np.minimum(notes.end[None, :], b[:, None]) - np.maximum(notes.start[None, :], a[:, None]), 0.0, None
    )
    hist = np.zeros((a.size, 12))
    pc = notes.pitch % 12
    for k in range(12):
        hist[:, k] = overlap[:, pc == k].sum(1)
    sd = hist.std(1)
    ok = sd > 1e-9
    if not ok.any():
        return np.zeros(5)
    z = (hist[ok] - hist[ok].mean(1, keepdims=True)) / sd[ok, None]
    r = z @ _PROFILES.T / 12.0  # Pearson correlations, (S, 24)
    major, minor = r[:, :12].max(1), r[:, 12:].max(1)
    diff = major - minor
    return np.array([major.mean(), minor.mean(), diff.mean(), diff.std(), float(np.mean(diff > 0))])


def _roll(notes: Notes, t0: float, t1: float) -> np.ndarray:
    """Binary piano roll ``(T, 128)`` sampled at :data:`_ROLL_FPS` inside ``[t0, t1)``."""
    t = max(1, int(np.ceil((t1 - t0) * _ROLL_FPS)))
    first = np.clip(np.ceil((notes.start - t0) * _ROLL_FPS - 1e-9).astype(np.int64), 0, t)
    last = np.clip(np.ceil((notes.end - t0) * _ROLL_FPS - 1e-9).astype(np.int64), 0, t)
    keep = last > first
    diff = np.zeros((t + 1, 128))
    np.add.at(diff, (first[keep], notes.pitch[keep]), 1.0)
    np.add.at(diff, (last[keep], notes.pitch[keep]), -1.0)
    return (np.cumsum(diff, 0)[:t] > 0.5).astype(np.float64)


def valence_features(notes: Notes, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Valence-oriented features of the notes in windows ``[start, stop)`` (names :data:`VALENCE_FEATURE_NAMES`).

    Per window, from the notes sounding in it (clipped to the window):

    * ``key{4,8}_*`` -- Krumhansl-Schmuckler on the duration-weighted pitch-class histograms of
      sub-windows of 4 s and 8 s (half-overlapping; one sub-window = the window when it is
      shorter): mean of the best major-key correlation, of the best minor-key correlation, mean
      and standard deviation of their difference, and the fraction of sub-windows where the best
      major key wins;
    * ``ic1..ic6`` -- the interval-class vector of simultaneously sounding notes: over the frames
      of a 10 frames/s piano roll, every pair of distinct sounding pitches counts for its interval
      class (min(d mod 12, 12 - d mod 12); octaves and unisons are left out), normalised to sum
      1; ``log_pairs`` = log(1 + mean number of such pairs per sounding frame);
    * ``mel_*`` -- the top voice (highest pitch of each onset, onsets within 30 ms merged): mean
      and standard deviation of the absolute step (semitones / 12), fractions of upward,
      downward and repeated steps and of leaps (>= 7 semitones);
    * ``dyn_*`` -- velocities / 127: mean, standard deviation and range over the notes starting
      in the window, standard deviation and range of the mean velocity per 1-s bin, and the top
      voice's mean velocity minus the mean of all onsets (melodic accent);
    * ``art_*`` -- articulation: per onset, the longest note starting there over the time to the
      next onset: median of its log, the fraction >= 0.9 (legato) and < 0.5 (staccato);
    * ``reg_*`` -- register from the piano roll: mean highest and lowest sounding pitch (/127)
      and mean and standard deviation of their distance (/48) over sounding frames.

    Parameters
    ----------
    notes : Notes
    start, stop : np.ndarray
        Window bounds in seconds, shape ``(W,)``.

    Returns
    -------
    np.ndarray
        Shape ``(W, len(VALENCE_FEATURE_NAMES))``, float32; a window without notes is all
        zeros (as are the parts that need at least two onsets).
    """
    start, stop = _window_bounds(start, stop)
    out = np.zeros((start.size, len(VALENCE_FEATURE_NAMES)), dtype=np.float64)
    for i, (t0, t1) in enumerate(zip(start, stop)):
        w = notes.select((notes.start < t1) & (notes.end > t0))
        if len(w):
            out[i] = _valence_row(w, float(t0), float(min(t1, w.end.max())))
    return out.astype(np.float32)


def _valence_row(w: Notes, t0: float, t1: float) -> np.ndarray:
    f = dict.fromkeys(VALENCE_FEATURE_NAMES, 0.0)
    t1 = max(t1, t0 + 1e-3)
    for size in VALENCE_KEY_WINDOWS:
        vals = _windowed_key(w, t0, t1, size)
        for name, v in zip(("major_mean", "minor_mean", "diff_mean", "diff_std", "major_frac"), vals):
            f[f"key{int(size)}_{name}"] = float(v)
    # interval classes and outer voices from the piano roll
    roll = _roll(w, t0, t1)
    gram = roll.T @ roll
    d = np.arange(1, 128)
    counts = np.array([np.trace(gram, offset=k) for k in d])
    ic = np.minimum(d % 12, 12 - d % 12)
    hist = np.bincount(ic, weights=counts, minlength=7)[1:7]
    busy = roll.sum(1) > 0
    if hist.sum() > 0:
        for k in range(6):
            f[f"ic{k + 1}"] = float(hist[k] / hist.sum())
    if busy.any():
        f["log_pairs"] = float(np.log1p(counts.sum() / busy.sum()))
        top = 127 - np.argmax(roll[busy, ::-1] > 0, axis=1)
        low = np.argmax(roll[busy] > 0, axis=1)
        spread = (top - low) / 48.0
        f.update(
            reg_top_mean=top.mean() / 127,
            reg_bottom_mean=low.mean() / 127,
            reg_spread_mean=spread.mean(),
            reg_spread_std=spread.std(),
        )
    # onsets inside the window: top voice, dynamics, articulation
    on = (w.start >= t0) & (w.start < t1)
    s, p, v = w.start[on], w.pitch[on], w.velocity[on] / 127.0
    dur = w.end[on] - w.start[on]
    if s.size:
        f.update(dyn_velocity_mean=v.mean(), dyn_velocity_std=v.std(), dyn_velocity_range=v.max() - v.min())
        bins = np.floor(s - t0).astype(np.int64)
        n_bin = np.bincount(bins)
        bin_mean = np.bincount(bins, weights=v)[n_bin > 0] / n_bin[n_bin > 0]
        f["dyn_bin_std"], f["dyn_bin_range"] = float(bin_mean.std()), float(bin_mean.max() - bin_mean.min())
        group = np.concatenate([[0], np.cumsum(np.diff(s) > _ONSET_TOL)])
        heads = np.flatnonzero(np.r_[True, np.diff(group) > 0])
        top = np.maximum.reduceat(p, heads)
        # velocity of the highest note of each onset group
        order = np.lexsort((p, group))  # within a group, the last is the highest
        last = np.r_[heads[1:] - 1, s.size - 1]
        f["dyn_top_accent"] = float(v[order[last]].mean() - v.mean())
        if heads.size >= 2:
            step = np.diff(top).astype(np.float64)
            a = np.abs(step)
            f.update(
                mel_step_mean=a.mean() / 12,
                mel_step_std=a.std() / 12,
                mel_up_frac=np.mean(step > 0),
                mel_down_frac=np.mean(step < 0),
                mel_repeat_frac=np.mean(step == 0),
                mel_leap_frac=np.mean(a >= _LEAP),
            )
            longest = np.maximum.reduceat(dur, heads)
            ioi = np.diff(s[heads])
            ratio = np.log(np.clip(longest[:-1], 1e-3, None) / np.clip(ioi, 1e-3, None))
            f.update(
                art_log_ratio=float(np.median(ratio)),
                art_legato_frac=float(np.mean(ratio >= np.log(0.9))),
                art_staccato_frac=float(np.mean(ratio < np.log(0.5))),
            )
    return np.array([f[k] for k in VALENCE_FEATURE_NAMES], dtype=np.float64)

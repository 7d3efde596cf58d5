"""Symbolic-music features from MIDI: note statistics, key, tempo and a chord sequence.

Everything is computed from the notes of the non-drum instruments of a MIDI file:

* **Note statistics** of any time window (:meth:`MidiFeatures.window_stats`): pitch
  range and distribution (mean, spread, quantiles, a key-normalised pitch-class
  histogram), inter-onset intervals, note density and polyphony, note durations,
  velocity statistics, plus the global key mode/confidence and tempo.
* **Valence features** of any time window (:func:`valence_features`, names
  :data:`VALENCE_FEATURE_NAMES`; computed in :mod:`mvemo.features.midi_valence`, the notes
  themselves in :mod:`mvemo.features.notes`, both re-exported here): windowed (4 s / 8 s)
  major- vs minor-key correlation, the interval-class vector of simultaneous notes, top-voice melodic steps, dynamics,
  articulation and register of the outer voices.
* **Key** — Krumhansl-Schmuckler on the duration-weighted pitch-class histogram
  (textbook profiles, no partial model: MIDI has no overtones), through
  :func:`mvemo.features.harmony.key_from_chroma`.
* **Tempo** — the first tempo of the MIDI file's tempo map (``set_tempo`` events;
  120 BPM when there is none).
* **Chords** — one chord per half bar (two beats of the file's beat grid): the
  duration-weighted pitch-class histogram of the notes sounding in the segment is
  matched by cosine similarity against binary chord-tone templates of
  :data:`mvemo.features.harmony.DEFAULT_QUALITIES` (small bonuses go to chords whose
  root is the segment's lowest note, 0.05, and to major/minor triads, 0.02); segments
  without notes are ``N``.  Equal
  neighbours are merged.  The chords are then key-normalised to C major / A minor and
  encoded as root and quality indices with :func:`~mvemo.features.harmony.normalize_chords`
  and :func:`~mvemo.features.harmony.encode_chords`, exactly the encoding of the
  audio model's chord input, so they go through the same chord Transformer.

pretty_midi is imported inside the functions (the ``midi`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.errors import DataError, ParameterError
from mvemo.features.harmony import (
    CHORD_INTERVALS,
    DEFAULT_QUALITIES,
    NO_CHORD,
    PITCH_CLASSES,
    ChordSegment,
    Key,
    encode_chords,
    key_from_chroma,
    key_scores,
    normalize_chords,
    parse_key,
)
from mvemo.features.midi_valence import VALENCE_FEATURE_NAMES, valence_features
from mvemo.features.notes import Notes, notes_from_midi, read_midi
from mvemo.features.notes import window_bounds as _window_bounds
from mvemo.features.spelling import spell_chords

__all__ = [
    "FRAME_CHANNELS",
    "FRAME_RATE",
    "STAT_NAMES",
    "VALENCE_FEATURE_NAMES",
    "MidiFeatures",
    "Notes",
    "chords_from_notes",
    "midi_features",
    "notes_from_midi",
    "read_midi",
    "valence_features",
]

_BASS_BONUS = 0.05  # cosine bonus for a chord whose root is the segment's lowest pitch class
_TRIAD_BONUS = 0.02  # cosine bonus for major and minor triads
_MIN_CHORD_WEIGHT = 1e-6
_BEATS_PER_CHORD = 2  # half a 4/4 bar

#: Frame rate (frames/s) of :meth:`MidiFeatures.frames`.
FRAME_RATE = 8.0
#: Names of the :meth:`MidiFeatures.frames` channels, in order.
FRAME_CHANNELS: tuple[str, ...] = (
    *[f"sounding_pc_{i}" for i in range(12)], *[f"onset_pc_{i}" for i in range(12)],
    *[f"bass_pc_{i}" for i in range(12)],
    "log_onsets", "onset_velocity", "pitch_mean", "pitch_high", "pitch_low", "n_sounding",
)  # fmt: skip

#: Names of the :meth:`MidiFeatures.window_stats` columns, in order.
STAT_NAMES: tuple[str, ...] = (
    "pitch_mean", "pitch_std", "pitch_min", "pitch_max", "pitch_range", "pitch_q10", "pitch_q90",
    "top_pitch_mean", "bass_pitch_mean",
    *[f"pc_{i}" for i in range(12)],  # key-normalised (0 = tonic of the relative major)
    "log_density", "polyphony_mean", "polyphony_max", "log_ioi_mean", "log_ioi_std", "log_ioi_median",
    "log_dur_mean", "log_dur_std", "articulation",
    "velocity_mean", "velocity_std", "velocity_min", "velocity_max", "velocity_range",
    "mode", "key_confidence", "mode_strength", "local_mode_strength", "log_tempo",
    "major_chord_share", "minor_chord_share", "dim_chord_share", "seventh_chord_share", "chord_changes",
    "silence_share",
)  # fmt: skip


def _pc_histogram(notes: Notes, t0: float = -np.inf, t1: float = np.inf) -> np.ndarray:
    """Duration-weighted pitch-class histogram of the parts of notes inside ``[t0, t1)``."""
    overlap = np.clip(np.minimum(notes.end, t1) - np.maximum(notes.start, t0), 0.0, None)
    return np.bincount(notes.pitch % 12, weights=overlap, minlength=12)[:12]


def _binary_templates(qualities) -> tuple[list[tuple[int, str]], np.ndarray]:
    chords, rows = [], []
    for q in qualities:
        base = np.zeros(12)
        base[list(CHORD_INTERVALS[q])] = 1.0
        for r in range(12):
            chords.append((r, q))
            rows.append(np.roll(base, r))
    t = np.asarray(rows)
    return chords, t / np.linalg.norm(t, axis=1, keepdims=True)


def chords_from_notes(
    notes: Notes, boundaries: np.ndarray, *, qualities=DEFAULT_QUALITIES, merge: bool = True
) -> list[ChordSegment]:
    """Template-matched chords of the segments between consecutive ``boundaries``.

    Parameters
    ----------
    notes : Notes
    boundaries : np.ndarray
        Increasing segment boundaries in seconds, shape ``(S + 1,)``.
    qualities : sequence of str
        Chord qualities to match (keys of :data:`~mvemo.features.harmony.CHORD_INTERVALS`).
    merge : bool
        Merge neighbouring segments with the same label.

    Returns
    -------
    list of ChordSegment
        mir_eval labels (``"C:maj"``, ``"N"`` for segments without notes).
    """
    b = np.asarray(boundaries, dtype=np.float64)
    if b.ndim != 1 or b.size < 2 or np.any(np.diff(b) <= 0):
        raise ParameterError(f"boundaries must be an increasing 1-d array of >= 2 times, got shape {b.shape}")
    for q in qualities:
        if q not in CHORD_INTERVALS:
            raise ParameterError(f"unknown chord quality {q!r}; choose from {list(CHORD_INTERVALS)}")
    chords, templates = _binary_templates(qualities)
    # ties between chords of the same pitch classes (C6 = Am7, Csus2 = Gsus4) go to triads
    prior = np.array([_TRIAD_BONUS if q in ("maj", "min") else 0.0 for _, q in chords])
    out: list[ChordSegment] = []
    for t0, t1 in zip(b[:-1], b[1:]):
        hist = _pc_histogram(notes, t0, t1)
        if hist.sum() <= _MIN_CHORD_WEIGHT:
            label = NO_CHORD
        else:
            score = templates @ (hist / np.linalg.norm(hist))
            sounding = (notes.start < t1) & (notes.end > t0)
            bass_pc = int(notes.pitch[sounding].min() % 12)
            score = score + _BASS_BONUS * np.array([r == bass_pc for r, _ in chords]) + prior
            r, q = chords[int(np.argmax(score))]
            label = f"{PITCH_CLASSES[r]}:{q}"
        if merge and out and out[-1].label == label:
            out[-1] = ChordSegment(out[-1].start, float(t1), label)
        else:
            out.append(ChordSegment(float(t0), float(t1), label))
    return out


def _chord_boundaries(beats: np.ndarray, duration: float, beats_per_chord: int) -> np.ndarray:
    beats = np.asarray(beats, dtype=np.float64)
    beats = beats[beats < duration]
    if beats.size < 2:
        step = max(duration, 1e-3)
        return np.array([0.0, step])
    b = beats[::beats_per_chord]
    period = float(np.median(np.diff(beats))) * beats_per_chord
    if b[0] > 1e-6:
        b = np.concatenate([[0.0], b])
    if duration - b[-1] > 1e-6:
        b = np.concatenate([b, [min(duration, b[-1] + period) if duration - b[-1] > period else duration]])
    while duration - b[-1] > 1e-6:
        b = np.concatenate([b, [min(duration, b[-1] + period)]])
    return b


@dataclass(frozen=True)
class MidiFeatures:
    """Notes, key, tempo and chords of one MIDI file, with window statistics.

    Attributes
    ----------
    notes : Notes
    duration : float
        End of the last note in seconds.
    key : Key
    tempo : float
        BPM: the first tempo of the file's tempo map (pretty_midi assumes 120 BPM
        when the file has no tempo event).
    chords : list of ChordSegment
        Chords as found (mir_eval labels).
    normalized : list of ChordSegment
        ``chords`` transposed to C major / A minor.
    roots, qualities : np.ndarray of int64
        Encoding of ``normalized`` (see :func:`mvemo.features.harmony.encode_chords`).
    """

    notes: Notes
    duration: float
    key: Key
    tempo: float
    chords: list
    normalized: list
    roots: np.ndarray
    qualities: np.ndarray

    @property
    def performed_tempo(self) -> float:
        """BPM estimated from the notes by the audio estimator
        (:func:`mvemo.features.tempo.tempo_from_note_onsets`); ``tempo`` (the tempo map,
        which the symbolic model was trained on) when that finds no beat."""
        from mvemo.features.tempo import tempo_from_note_onsets

        bpm = tempo_from_note_onsets(self.notes.start, self.notes.velocity).bpm
        return float(bpm) if bpm > 0 else float(self.tempo)

    @property
    def mode(self) -> float:
        """0.0 for major, 1.0 for minor."""
        return 1.0 if self.key.mode == "minor" else 0.0

    @property
    def chord_start(self) -> np.ndarray:
        """Chord segment starts in seconds, shape ``(n,)``."""
        return np.array([c.start for c in self.chords], dtype=np.float64)

    @property
    def chord_end(self) -> np.ndarray:
        """Chord segment ends in seconds, shape ``(n,)``."""
        return np.array([c.end for c in self.chords], dtype=np.float64)

    def _shift(self) -> int:
        tonic, mode = parse_key(self.key)
        return tonic if mode == "major" else (tonic - 9) % 12

    def window_stats(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Note statistics of windows ``[start, stop)`` in seconds.

        Parameters
        ----------
        start, stop : np.ndarray
            Window bounds in seconds, shape ``(W,)``.

        Returns
        -------
        np.ndarray
            Shape ``(W, len(STAT_NAMES))``, float32 (see :data:`STAT_NAMES`); a window
            without notes gets zeros for the note statistics.
        """
        start, stop = _window_bounds(start, stop)
        out = np.zeros((start.size, len(STAT_NAMES)), dtype=np.float64)
        shift = self._shift()
        cs, ce = self.chord_start, self.chord_end
        quals = [c.label.partition(":")[2] for c in self.chords]
        for i, (t0, t1) in enumerate(zip(start, stop)):
            out[i] = self._stats(t0, t1, shift, cs, ce, quals)
        return out.astype(np.float32)

    def _stats(self, t0, t1, shift, cs, ce, quals) -> np.ndarray:
        n = self.notes
        length = max(min(t1, max(self.duration, t0 + 1e-3)) - t0, 1e-3)
        sounding = (n.start < t1) & (n.end > t0)
        onset_in = (n.start >= t0) & (n.start < t1)
        w = n.select(sounding)
        f = dict.fromkeys(STAT_NAMES, 0.0)
        f["mode"], f["key_confidence"] = self.mode, float(self.key.confidence)
        f["mode_strength"] = _mode_strength(_pc_histogram(n))
        f["log_tempo"] = float(np.log(max(self.tempo, 1.0)))
        if len(w):
            p = w.pitch.astype(np.float64)
            f.update(
                pitch_mean=p.mean() / 127,
                pitch_std=p.std() / 24,
                pitch_min=p.min() / 127,
                pitch_max=p.max() / 127,
                pitch_range=(p.max() - p.min()) / 48,
                pitch_q10=np.quantile(p, 0.1) / 127,
                pitch_q90=np.quantile(p, 0.9) / 127,
            )
            hist = _pc_histogram(w, t0, t1)
            f["local_mode_strength"] = _mode_strength(hist)
            hist = np.roll(hist / max(hist.sum(), 1e-9), -shift)
            for k in range(12):
                f[f"pc_{k}"] = hist[k]
            # outer voices: highest and lowest sounding pitch, sampled every 0.1 s
            ts = np.arange(t0, min(t1, self.duration), 0.1)
            on = (w.start[None, :] <= ts[:, None]) & (w.end[None, :] > ts[:, None])
            busy = on.any(1)
            if busy.any():
                f["top_pitch_mean"] = np.where(on, p[None, :], -1).max(1)[busy].mean() / 127
                f["bass_pitch_mean"] = np.where(on, p[None, :], 999).min(1)[busy].mean() / 127
            dur = np.minimum(w.end, t1) - np.maximum(w.start, t0)
            covered = _union_length(np.maximum(w.start, t0), np.minimum(w.end, t1))
            f["polyphony_mean"] = float(dur.sum() / max(covered, 1e-6)) / 4
            f["polyphony_max"] = _max_overlap(w.start, w.end) / 8
            f["silence_share"] = 1.0 - min(covered / length, 1.0)
            d = np.log(np.clip(w.end - w.start, 1e-3, None))
            f["log_dur_mean"], f["log_dur_std"] = d.mean(), d.std()
            v = w.velocity.astype(np.float64) / 127
            f.update(
                velocity_mean=v.mean(),
                velocity_std=v.std(),
                velocity_min=v.min(),
                velocity_max=v.max(),
                velocity_range=v.max() - v.min(),
            )
        n_on = int(onset_in.sum())
        f["log_density"] = float(np.log1p(n_on / length))
        ons_all = np.unique(np.round(n.start[onset_in], 3))
        if ons_all.size >= 2:
            ioi = np.log(np.clip(np.diff(ons_all), 1e-3, None))
            f["log_ioi_mean"], f["log_ioi_std"], f["log_ioi_median"] = ioi.mean(), ioi.std(), np.median(ioi)
            # articulation: mean note length over the median inter-onset interval
            f["articulation"] = float(
                np.log(np.mean(n.end[onset_in] - n.start[onset_in]) / max(float(np.median(np.diff(ons_all))), 1e-3))
            )
        inside = (cs < t1) & (ce > t0)
        q = [quals[j] for j in np.flatnonzero(inside) if quals[j]]
        if q:
            f["major_chord_share"] = np.mean([x in ("maj", "maj7", "7", "maj6") for x in q])
            f["minor_chord_share"] = np.mean([x in ("min", "min7", "min6", "minmaj7") for x in q])
            f["dim_chord_share"] = np.mean([x in ("dim", "dim7", "hdim7", "aug") for x in q])
            f["seventh_chord_share"] = np.mean([x.endswith("7") for x in q])
            f["chord_changes"] = float(np.log1p(len(q) / length * 10))
        return np.array([f[k] for k in STAT_NAMES], dtype=np.float64)

    def valence_features(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Valence-oriented features of windows ``[start, stop)``: :func:`valence_features` of the notes.

        Returns
        -------
        np.ndarray
            Shape ``(W, len(VALENCE_FEATURE_NAMES))`` float32 (zeros for windows without notes).
        """
        return valence_features(self.notes, start, stop)

    def window_chords(self, start: np.ndarray, stop: np.ndarray, *, max_chords: int = 256):
        """Encoded chords overlapping each window.

        Returns
        -------
        roots, qualities : np.ndarray of int64, shape ``(W, L)``
            Padded with 12 / 0.
        mask : np.ndarray of bool, shape ``(W, L)``
            True where a chord is present.
        """
        start = np.atleast_1d(np.asarray(start, dtype=np.float64))
        stop = np.atleast_1d(np.asarray(stop, dtype=np.float64))
        cs, ce = self.chord_start, self.chord_end
        inside = (cs[None, :] < stop[:, None]) & (ce[None, :] > start[:, None])
        length = max(1, min(max_chords, int(inside.sum(1).max()) if inside.size else 1))
        w = start.size
        roots = np.full((w, length), 12, dtype=np.int64)
        quals = np.zeros((w, length), dtype=np.int64)
        mask = np.zeros((w, length), dtype=bool)
        for i in range(w):
            idx = np.flatnonzero(inside[i])[:length]
            roots[i, : idx.size] = self.roots[idx]
            quals[i, : idx.size] = self.qualities[idx]
            mask[i, : idx.size] = True
        return roots, quals, mask

    def frames(self, *, fps: float = FRAME_RATE) -> np.ndarray:
        """A frame sequence of the whole file for the sequence encoder.

        Channels (:data:`FRAME_CHANNELS`): three pitch-class blocks in absolute pitch
        classes (C = 0) -- sounding notes at the frame centre (count, capped at 1 after
        /2), onsets in the frame (velocity-weighted) and the lowest sounding note (one-hot)
        -- then six scalars: log(1 + onsets), mean onset velocity, mean / highest / lowest
        sounding pitch (/127) and the number of sounding notes (/8).

        Parameters
        ----------
        fps : float
            Frames per second.

        Returns
        -------
        np.ndarray
            Shape ``(T, 42)`` float32, ``T = ceil(duration * fps)``.
        """
        if not fps > 0:
            raise ParameterError(f"fps must be positive, got {fps!r}")
        n = self.notes
        t = max(1, int(np.ceil(self.duration * fps)))
        centres = (np.arange(t) + 0.5) / fps
        roll = np.zeros((t, 128), dtype=np.float32)
        first = np.searchsorted(centres, n.start, side="left")
        last = np.searchsorted(centres, n.end, side="left")
        for a, b, p in zip(first, last, n.pitch):
            roll[a:b, p] += 1.0
        out = np.zeros((t, 42), dtype=np.float32)
        pcs = np.arange(128) % 12
        for k in range(12):
            out[:, k] = roll[:, pcs == k].sum(1)
        out[:, :12] = np.minimum(out[:, :12] / 2.0, 1.0)
        on_idx = np.minimum((n.start * fps).astype(np.int64), t - 1)
        vel = n.velocity.astype(np.float32) / 127
        np.add.at(out, (on_idx, 12 + n.pitch % 12), vel)
        busy = roll.sum(1) > 0
        low = np.where(busy, np.argmax(roll > 0, axis=1), 0)
        high = np.where(busy, 127 - np.argmax(roll[:, ::-1] > 0, axis=1), 0)
        out[busy, 24 + low[busy] % 12] = 1.0
        count = np.bincount(on_idx, minlength=t)[:t].astype(np.float32)
        vsum = np.bincount(on_idx, weights=vel, minlength=t)[:t]
        out[:, 36] = np.log1p(count)
        out[:, 37] = np.where(count > 0, vsum / np.maximum(count, 1), 0.0)
        nsound = roll.sum(1)
        out[:, 38] = np.where(busy, (roll * np.arange(128)).sum(1) / np.maximum(nsound, 1) / 127, 0.0)
        out[:, 39] = high / 127
        out[:, 40] = low / 127
        out[:, 41] = nsound / 8
        return out

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (numbers and unicode, no objects) for :class:`mvemo.features.cache.FeatureCache`;
        :meth:`from_arrays` rebuilds an equal object."""
        out = {f"notes_{k}": getattr(self.notes, k) for k in ("start", "end", "pitch", "velocity")}
        for name, segs in (("chords", self.chords), ("normalized", self.normalized)):
            out[f"{name}_time"] = np.array([[c.start, c.end] for c in segs], dtype=np.float64).reshape(-1, 2)
            out[f"{name}_label"] = np.array([c.label for c in segs], dtype=np.str_)
        out["key"] = np.array([self.key.tonic, self.key.mode], dtype=np.str_)
        out["scalars"] = np.array([self.duration, self.tempo, self.key.confidence], dtype=np.float64)
        out["roots"], out["qualities"] = self.roots, self.qualities
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> MidiFeatures:
        """The inverse of :meth:`to_arrays`.

        Raises
        ------
        DataError
            When an array is missing or malformed (e.g. a cache entry of another version).
        """
        try:
            notes = Notes(*(arrays[f"notes_{k}"] for k in ("start", "end", "pitch", "velocity")))
            segs = {
                name: [
                    ChordSegment(float(s), float(e), str(lab))
                    for (s, e), lab in zip(arrays[f"{name}_time"], arrays[f"{name}_label"])
                ]
                for name in ("chords", "normalized")
            }
            tonic, mode = (str(x) for x in arrays["key"])
            duration, tempo, conf = (float(x) for x in arrays["scalars"])
            return cls(
                notes,
                duration,
                Key(tonic, mode, conf),
                tempo,
                segs["chords"],
                segs["normalized"],
                arrays["roots"],
                arrays["qualities"],
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise DataError(f"malformed MIDI feature arrays ({type(exc).__name__}: {exc})") from exc

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable key, tempo, chords and whole-file note statistics."""
        stats = self.window_stats(np.array([0.0]), np.array([max(self.duration, 1e-3)]))[0]
        n = self.notes
        return {
            "key": self.key.label,
            "key_confidence": round(float(self.key.confidence), 4),
            "tempo": round(self.performed_tempo, 2),  # from the notes, as for audio
            "tempo_map": round(float(self.tempo), 2),  # the file's first tempo (a model input)
            "n_notes": len(n),
            "pitch_range": [int(n.pitch.min()), int(n.pitch.max())] if len(n) else None,
            "note_density": round(float(np.expm1(stats[STAT_NAMES.index("log_density")])), 3),
            "velocity_mean": round(float(n.velocity.mean()), 2) if len(n) else None,
            "velocity_std": round(float(n.velocity.std()), 2) if len(n) else None,
            "ioi_median": (round(float(np.exp(stats[STAT_NAMES.index("log_ioi_median")])), 4) if len(n) > 1 else None),
            "chords": [{"start": round(c.start, 3), "end": round(c.end, 3), "label": c.label} for c in self.chords],
        }


def _mode_strength(hist: np.ndarray) -> float:
    """Best major-key minus best minor-key Krumhansl correlation of a pitch-class histogram."""
    scores = key_scores(hist, partials=False)
    return float(scores[:12].max() - scores[12:].max())


def _union_length(a: np.ndarray, b: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    order = np.argsort(a)
    total, cur_s, cur_e = 0.0, a[order[0]], b[order[0]]
    for i in order[1:]:
        if a[i] > cur_e:
            total += cur_e - cur_s
            cur_s, cur_e = a[i], b[i]
        else:
            cur_e = max(cur_e, b[i])
    return float(total + cur_e - cur_s)


def _max_overlap(a: np.ndarray, b: np.ndarray) -> float:
    ev = np.concatenate([np.stack([a, np.ones_like(a)], 1), np.stack([b, -np.ones_like(b)], 1)])
    ev = ev[np.lexsort((ev[:, 1], ev[:, 0]))]
    return float(np.cumsum(ev[:, 1]).max()) if ev.size else 0.0


def midi_features(source, *, beats_per_chord: int = _BEATS_PER_CHORD) -> MidiFeatures:
    """Compute :class:`MidiFeatures` of a MIDI file path or a ``pretty_midi.PrettyMIDI``.

    Parameters
    ----------
    source : str, Path or pretty_midi.PrettyMIDI
    beats_per_chord : int
        Beats of the file's beat grid per chord segment (2 = half a 4/4 bar).

    Raises
    ------
    DataError
        Unreadable file, no (non-drum) notes, or a last note ending past
        :data:`mvemo.limits.MAX_TIMELINE_SECONDS`.
    """
    from mvemo.limits import MAX_TIMELINE_SECONDS

    if isinstance(beats_per_chord, bool) or not isinstance(beats_per_chord, int) or beats_per_chord < 1:
        raise ParameterError(f"beats_per_chord must be a positive integer, got {beats_per_chord!r}")
    name = str(source) if isinstance(source, (str, Path)) else "<PrettyMIDI>"
    pm = read_midi(source) if isinstance(source, (str, Path)) else source
    notes = notes_from_midi(pm)
    if len(notes) == 0:
        raise DataError(f"{name}: the MIDI file has no notes")
    duration = float(notes.end.max())
    if duration > MAX_TIMELINE_SECONDS:  # before the beat grid and chords, whose work grows with it
        raise DataError(
            f"{name}: the MIDI lasts {duration:.0f} s (the end of its last note), past the maximum of "
            f"{MAX_TIMELINE_SECONDS:g} s (mvemo.limits.MAX_TIMELINE_SECONDS)"
        )
    key = key_from_chroma(_pc_histogram(notes), partials=False)
    _, tempi = pm.get_tempo_changes()
    tempo = float(tempi[0]) if len(tempi) else 120.0
    beats = pm.get_beats()
    boundaries = _chord_boundaries(beats, duration, beats_per_chord)
    chords = spell_chords(chords_from_notes(notes, boundaries), key.tonic, key.mode)  # names by key
    normalized = normalize_chords(chords, key)
    roots, quals = encode_chords(normalized)
    return MidiFeatures(notes, duration, key, tempo, chords, normalized, roots, quals)

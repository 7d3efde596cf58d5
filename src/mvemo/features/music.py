"""Per-track music features for the Music2Emo model, computed once per track.

* ``blocks``: musicnn frame features summarised per 0.5-s block
  (:mod:`mvemo.features.blocks`), at 16 kHz.
* ``harmony``: key, chords normalised to C major / A minor and their encoding, and
  tempo (:mod:`mvemo.features.harmony`, :mod:`mvemo.features.tempo`), at 22.05 kHz.

Training extraction and prediction decode audio the same way, through
:func:`load_track_audio` (decode at 22.05 kHz, then resample to 16 kHz for musicnn), so
the model sees the same features in both.

:class:`TrackFeatures` gives the model inputs of any window of the track, so static and
dynamic prediction share one encoding pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mvemo.errors import ParameterError
from mvemo.features.blocks import (
    BlockFeatures,
    musicnn_blocks,
    pool_blocks,
    pool_blocks_std,
    segment_spread,
    window_embeddings,
)

__all__ = [
    "BLOCKS_KIND",
    "HARMONY_KIND",
    "blocks_kind",
    "HARMONY_SR",
    "Harmony",
    "TrackFeatures",
    "compute_blocks",
    "compute_harmony",
    "WindowInputs",
    "TRACK_BLOCKS",
]

#: Whole-track feature blocks of :meth:`TrackFeatures.track_blocks` (the linear quadrant channel's inputs).
TRACK_BLOCKS = ("embedding", "segment_spread")

#: Cache kinds (v2: audio decoded by :func:`load_track_audio`, blocks carry ``block_meansq``;
#: harmony v3: the audio key from the Albrecht-Shanahan profiles, :data:`~mvemo.features.harmony.AUDIO_KEY_PROFILES`).
BLOCKS_KIND = "musicnn-mtt-blocks-v2"
HARMONY_KIND = "harmony-v3"
HARMONY_SR = 22050


def blocks_kind(backbone: str) -> str:
    """Cache kind of the blocks of a musicnn backbone (``"MTT_musicnn"`` -> ``"musicnn-mtt-blocks-v2"``)."""
    short = {"MTT_musicnn": "mtt", "MSD_musicnn": "msd", "MSD_musicnn_big": "msd-big"}.get(backbone)
    if short is None:
        raise ParameterError(f"unknown musicnn backbone {backbone!r}")
    return f"musicnn-{short}-blocks-v2"


@dataclass(frozen=True)
class Harmony:
    """Key, key-normalised chord segments (encoded) and tempo of a track."""

    key_tonic: str
    key_mode: str
    key_confidence: float
    chord_start: np.ndarray  # (n,) seconds
    chord_end: np.ndarray  # (n,) seconds
    chord_labels: tuple[str, ...]  # original (not normalised) labels, mir_eval syntax
    roots: np.ndarray  # (n,) 0-11, 12 = N (normalised)
    qualities: np.ndarray  # (n,) index into CHORD_QUALITIES
    tempo: float  # BPM

    @property
    def mode(self) -> float:
        """0.0 for major, 1.0 for minor."""
        return 1.0 if self.key_mode == "minor" else 0.0

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for the cache."""
        return {
            "key": np.array([self.key_tonic, self.key_mode]),
            "key_confidence": np.array(self.key_confidence),
            "chord_start": self.chord_start,
            "chord_end": self.chord_end,
            "chord_labels": np.array(self.chord_labels, dtype=str),
            "roots": self.roots,
            "qualities": self.qualities,
            "tempo": np.array(self.tempo),
        }

    @classmethod
    def from_arrays(cls, a) -> Harmony:
        """Inverse of :meth:`to_arrays`."""
        return cls(
            str(a["key"][0]),
            str(a["key"][1]),
            float(a["key_confidence"]),
            np.asarray(a["chord_start"], float),
            np.asarray(a["chord_end"], float),
            tuple(str(x) for x in a["chord_labels"]),
            np.asarray(a["roots"], np.int64),
            np.asarray(a["qualities"], np.int64),
            float(a["tempo"]),
        )


def compute_blocks(model, y16: np.ndarray) -> BlockFeatures:
    """musicnn blocks of 16-kHz mono audio."""
    return musicnn_blocks(model, y16, 16000)


def compute_harmony(y: np.ndarray, sr: int = HARMONY_SR) -> Harmony:
    """Key, chords and tempo of mono audio.

    Fast settings (see ``docs/harmony.md``): no harmonic/percussive separation, the STFT
    chroma, and the signal resampled once to 11025 Hz for both the chroma and the onset
    envelope of the tempo estimate.
    """
    from mvemo.features.chroma import _check_signal, resample_for_stft
    from mvemo.features.harmony import analyze_harmony
    from mvemo.features.tempo import ONSET_SR, onset_envelope, tempo_from_onsets

    y = _check_signal(y, sr)
    y11 = resample_for_stft(y, sr)
    h = analyze_harmony(y, sr, harmonic=False, method="stft", y_stft=y11)
    env, rate = onset_envelope(y11, ONSET_SR)
    tempo = tempo_from_onsets(env, rate)
    return Harmony(
        h.key.tonic,
        h.key.mode,
        float(h.key.confidence),
        np.array([s.start for s in h.normalized], float),
        np.array([s.end for s in h.normalized], float),
        tuple(s.label for s in h.chords),
        h.roots,
        h.qualities,
        float(tempo.bpm),
    )


@dataclass(frozen=True)
class WindowInputs:
    """Model inputs for W windows: ``embedding (W, D)``, ``roots/qualities/mask (W, L)``, ``mode (W,)``."""

    embedding: np.ndarray
    roots: np.ndarray
    qualities: np.ndarray
    mask: np.ndarray
    mode: np.ndarray


@dataclass(frozen=True)
class TrackFeatures:
    """Everything the music model needs from one track."""

    blocks: BlockFeatures
    harmony: Harmony

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.blocks.duration

    def window_inputs(
        self, model, start: np.ndarray, stop: np.ndarray, *, max_chords: int = 256, std: bool = False
    ) -> WindowInputs:
        """Inputs of windows ``[start, stop)`` in seconds (clipped to the track).

        The embedding pools the blocks inside each window (``std``: the frame-level
        standard deviation of the 753 channels is appended); the chord sequence holds
        the chords that overlap it.
        """
        start = np.asarray(start, dtype=np.float64)
        stop = np.asarray(stop, dtype=np.float64)
        bs = self.blocks.block_seconds
        b0 = np.clip(np.floor(start / bs + 1e-9).astype(np.int64), 0, self.blocks.n_blocks - 1)
        b1 = np.maximum(np.ceil(stop / bs - 1e-9).astype(np.int64), b0 + 1)
        mean, mx = pool_blocks(self.blocks, b0, b1)
        emb = window_embeddings(model, mean, mx)
        if std:
            emb = np.concatenate([emb, pool_blocks_std(self.blocks, b0, b1)], axis=1)
        return self._with_chords(emb, start, stop, max_chords=max_chords)

    def track_blocks(self, model) -> dict[str, np.ndarray]:
        """Whole-track feature blocks, each shape ``(1, D)`` (names in :data:`TRACK_BLOCKS`).

        ``embedding`` is musicnn's back end on the whole track's pooled blocks (the
        network's embedding without std pooling); ``segment_spread`` is the standard
        deviation of that embedding over 3-s segments every 1.5 s
        (:func:`~mvemo.features.blocks.segment_spread`): how much the track changes.
        """
        n = self.blocks.n_blocks
        mean, mx = pool_blocks(self.blocks, np.array([0]), np.array([n]))
        return {
            "embedding": window_embeddings(model, mean, mx),
            "segment_spread": segment_spread(model, self.blocks, 0, n)[None],
        }

    def _with_chords(self, emb: np.ndarray, start: np.ndarray, stop: np.ndarray, *, max_chords: int) -> WindowInputs:
        h = self.harmony
        w = len(start)
        if w == 0:
            raise ParameterError("no windows")
        inside = (h.chord_start[None, :] < stop[:, None]) & (h.chord_end[None, :] > start[:, None])  # (W, n)
        length = max(1, min(max_chords, int(inside.sum(1).max()) if inside.size else 1))
        roots = np.full((w, length), 12, dtype=np.int64)
        quals = np.zeros((w, length), dtype=np.int64)
        mask = np.zeros((w, length), dtype=bool)
        for i in range(w):
            idx = np.flatnonzero(inside[i])[:length]
            roots[i, : len(idx)] = h.roots[idx]
            quals[i, : len(idx)] = h.qualities[idx]
            mask[i, : len(idx)] = True
        return WindowInputs(emb.astype(np.float32), roots, quals, mask, np.full(w, h.mode, dtype=np.float32))


def load_track_audio(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Mono audio at 16 kHz (musicnn) and 22.05 kHz (harmony) of a file."""
    from mvemo.audio.io import check_audio, load_audio

    y22, _ = load_audio(path, sr=HARMONY_SR)
    check_audio(y22, HARMONY_SR, path=path, min_duration=1.0)
    from mvemo.audio.dsp import resample  # librosa's soxr_hq resampling, without importing librosa

    y16 = resample(y22, HARMONY_SR, 16000, quality="soxr_hq")
    return y16.astype(np.float32), y22

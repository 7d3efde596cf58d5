"""Predict the emotion of audio files with the shipped Music2Emo model: static and every 0.5 s.

Each track is decoded once and encoded once (musicnn blocks + harmony); the static label
pools the whole track, each dynamic label pools the blocks within ±2.5 s of its grid time
(``2.5, 3.0, ...`` up to ``duration - 2.5``).  Tracks shorter than 5 s get a static label
and an empty dynamic list; musicnn repeat-pads audio shorter than its 3-s patch.

Every window's answer is one emotion distribution over 28 categories x 11 intensity levels
(:mod:`mvemo.conversion.point`), and every record field derives from it: the category
probabilities times the intensity levels (v4's 11-level head; before v4 the scalar
intensity as the two levels around it).  From v3 the weights carry a linear quadrant channel
(a logistic regression on the whole-track embedding and its spread over 3-s segments,
:meth:`TrackFeatures.track_blocks`): its blend with the network's quadrant probabilities is a
prior on the static grid, which is rescaled so that its quadrant marginals follow it
(:func:`mvemo.conversion.grids.conform_grid`; ``docs/music_model.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.grids import conform_grid, heads_to_grid
from mvemo.features.music import (
    TrackFeatures,
    compute_blocks,
    compute_harmony,
    load_track_audio,
)
from mvemo.models.outputs import HeadOutputs
from mvemo.models.registry import model_entry, version_of
from mvemo.predict.inputs import AudioInput
from mvemo.predict.records import dynamic_labels, static_label
from mvemo.records import PredictionRecord
from mvemo.representation import default_circumplex

__all__ = ["MODEL_NAME", "AudioInput", "MusicEmotionModel", "load_music_model", "music_model_backbone"]

_ENTRY = model_entry("music")
MODEL_NAME = _ENTRY.model_name


@dataclass
class MusicEmotionModel:
    """The shipped music model: musicnn (MSD) + Music2Emo heads, with its metadata.

    Attributes
    ----------
    name : str
    sample_rate : int
        musicnn's rate, 16000 Hz (audio is resampled as needed).
    categories : tuple of str
    gems_terms : tuple of str
    quadrant_channel : mvemo.models.linear.LinearChannel or None
        The weights' linear quadrant channel (v3 on): its blend with the network's quadrant
        probabilities conforms the static grid (the dynamic labels have no quadrant).
    """

    name: str
    network: Any
    musicnn: Any
    meta: dict
    quadrant_channel: Any = None

    sample_rate: int = 16000

    @property
    def categories(self) -> tuple[str, ...]:
        """The 28 categories, in output order."""
        return default_circumplex().categories

    @property
    def version(self) -> str:
        """The model's version (``"v3"``), from its name."""
        return version_of(self.name)

    @property
    def gems_terms(self) -> tuple[str, ...]:
        """GEMS-9 terms of the ``gems`` head."""
        return tuple(self.meta["gems_terms"])

    # -- features ---------------------------------------------------------------------
    def features(self, path: str | Path | AudioInput | tuple) -> TrackFeatures:
        """Decode (a file) and encode once; audio in memory is resampled instead of decoded."""
        if isinstance(path, (str, Path)):
            y16, y22 = load_track_audio(path)
        else:
            y16, y22 = AudioInput.of(path).track_audio()
        return TrackFeatures(compute_blocks(self.musicnn, y16), compute_harmony(y22))

    def _outputs(self, feats: TrackFeatures, start: np.ndarray, stop: np.ndarray) -> HeadOutputs:
        torch = require("torch", extra="torch")
        w = feats.window_inputs(self.musicnn, start, stop, std=bool(self.meta.get("std_pooling", False)))
        with torch.no_grad():
            out = self.network(
                torch.from_numpy(w.embedding),
                torch.from_numpy(w.roots),
                torch.from_numpy(w.qualities),
                torch.from_numpy(w.mask),
                torch.from_numpy(w.mode),
            )
        temp = float(self.meta.get("temperature", 1.0))  # calibration (v4 on); 1 before
        cat = torch.softmax(out.category / temp, -1).numpy().astype(np.float64)
        intensity = out.intensity.numpy()
        # v4 on: an 11-level intensity head; before v4 the scalar intensity as a level
        # distribution with that mean (heads_to_grid)
        levels = torch.softmax(out.levels, -1).numpy().astype(np.float64) if out.has("levels") else None
        return HeadOutputs(
            category=cat,
            quadrant=torch.softmax(out.quadrant, -1).numpy(),
            gems=torch.sigmoid(out.gems).numpy(),
            va=out.va.numpy(),
            intensity=intensity,
            grid=heads_to_grid(cat, intensity, levels=levels, normalize=False),
        )

    # -- prediction ---------------------------------------------------------------------
    def predict_features(self, feats: TrackFeatures, *, dynamic: bool = True, file: str = "") -> PredictionRecord:
        """The record of already computed features (``file``: the record's ``file``)."""
        s = self._outputs(feats, np.array([0.0]), np.array([feats.duration]))
        # the quadrant channel (v3 on: its blend with the network's quadrant head; before, the
        # head alone) is a prior on the grid: the grid's quadrant marginals follow it
        quad = s.quadrant
        if self.quadrant_channel is not None:
            quad = self.quadrant_channel.blend(quad, feats.track_blocks(self.musicnn))
        s = s.replace(grid=conform_grid(s.grid, quad))
        gems = {t: round(float(p), 4) for t, p in zip(self.gems_terms, s.gems[0])}
        frames = dynamic_labels(lambda a, b: self._outputs(feats, a, b), feats.duration) if dynamic else []
        h = feats.harmony
        from mvemo.features.spelling import spell_chord, spell_key  # cached features may predate spelling

        tonic = spell_key(h.key_tonic, h.key_mode)
        return PredictionRecord(
            file=file,
            model=self.name,
            modality="music",
            duration=round(feats.duration, 3),
            static=static_label(s, gems=gems),
            dynamic=frames,
            features={
                "key": f"{tonic} {h.key_mode}",
                "tempo": round(h.tempo, 2),
                "chords": [
                    {
                        "start": round(float(a), 3),
                        "end": round(float(b), 3),
                        "label": spell_chord(lab, tonic, h.key_mode),
                    }
                    for a, b, lab in zip(h.chord_start, h.chord_end, h.chord_labels)
                ],
            },
        )

    def predict(self, path: str | Path | AudioInput | tuple, *, dynamic: bool = True) -> PredictionRecord:
        """The record of one audio file, or of audio in memory (``(waveform, sample_rate)`` or
        an :class:`AudioInput`; its ``file`` is the input's ``name``).

        ``warnings`` (only when there is any) flags truncated or noise-like audio
        (:mod:`mvemo.predict.checks`).

        Raises
        ------
        DataError
            For unreadable, empty, silent or too-short audio (the message names the file).
        """
        from mvemo.features.music import HARMONY_SR
        from mvemo.predict.checks import audio_warnings, with_warnings

        if isinstance(path, (str, Path)):
            y16, y22 = load_track_audio(path)
            name, source = str(path), path
        else:
            audio = AudioInput.of(path)
            (y16, y22), name, source = audio.track_audio(), audio.name, None
        feats = TrackFeatures(compute_blocks(self.musicnn, y16), compute_harmony(y22))
        rec = self.predict_features(feats, dynamic=dynamic, file=name)
        return with_warnings(rec, audio_warnings(source, y22, HARMONY_SR) if source is not None else [])


def load_music_model(weights: str | Path | None = None) -> MusicEmotionModel:
    """Load the Music2Emo weights shipped with mvemo (or ``weights``) and the musicnn backbone."""
    from mvemo.features.musicnn import load_musicnn
    from mvemo.models.checkpoint import load_checkpoint
    from mvemo.models.linear import LinearChannel
    from mvemo.models.music2emo import Music2Emo, Music2EmoConfig

    blob = load_checkpoint(weights, packaged=_ENTRY.weights)
    meta = blob["meta"]
    net = Music2Emo(Music2EmoConfig(**meta["config"]))
    net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    net.eval()
    channel = LinearChannel.from_dict(blob["quadrant_linear"]) if blob.get("quadrant_linear") is not None else None
    return MusicEmotionModel(meta["name"], net, load_musicnn(meta["backbone"]), meta, channel)


def music_model_backbone(weights: str | Path | None = None) -> str:
    """Name of the musicnn backbone that the shipped music weights (or ``weights``) were trained on.

    Read from the weights' metadata, without building the networks.

    Examples
    --------
    >>> music_model_backbone()  # doctest: +SKIP
    'MSD_musicnn'
    """
    from mvemo.models.checkpoint import load_checkpoint

    return load_checkpoint(weights, packaged=_ENTRY.weights)["meta"]["backbone"]


def save_music_model(network, meta: dict, path: str | Path, *, quadrant_channel=None) -> None:
    """Write weights (float16), metadata and the optional linear quadrant channel (float64 arrays) atomically."""
    from mvemo.models.checkpoint import half_state, save_checkpoint

    extra = {} if quadrant_channel is None else {"quadrant_linear": quadrant_channel.to_dict()}
    save_checkpoint(meta, path, state_dict=half_state(network.state_dict()), **extra)

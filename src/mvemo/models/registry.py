"""The one registry of mvemo's models: name -> loader, shipped weights, modality, features, version.

The router (``mvemo predict``), the benchmark (``mvemo bench``), ``mvemo train`` and
``mvemo predict --weights`` all read it, so a model is declared once.  Importing this
module is cheap (no torch); a model's loader is imported by :func:`load_model`.

=============  ==================================  ======================================
name           loader                              shipped weights
=============  ==================================  ======================================
music          mvemo.predict.music                 music2emo-musicnn-msd-v4.safetensors
symbolic       mvemo.predict.symbolic              symbolic-emopia-vgmidi-v4.safetensors
lyrics         mvemo.predict.lyrics                lyrics-minilm-lex-bow-v3.safetensors
video          mvemo.predict.video                 none (colour prior; trained heads load)
multimodal     mvemo.predict.multimodal            none (late fusion; trained heads load)
=============  ==================================  ======================================

Every loader takes ``weights`` (None: the shipped model) and returns a :class:`Predictor`.
The previous versions' files stay in the package (``music2emo-musicnn-msd-v3``, the v3 music
model the v4 tables compare with; ``symbolic-emopia-vgmidi-v3``, ``lyrics-minilm-lex-bow-v2``:
the bases that symbolic v4 and lyrics v3 are built from); load them by path
(``mvemo predict --weights symbolic=PATH``).

Examples
--------
>>> from mvemo.models.registry import model_entry, list_model_entries
>>> [e.name for e in list_model_entries()]
['music', 'symbolic', 'lyrics', 'video', 'multimodal']
>>> e = model_entry("symbolic")
>>> e.model_name, e.version, e.weights
('symbolic-emopia-vgmidi-v4', 'v4', 'weights/symbolic-emopia-vgmidi-v4.safetensors')
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mvemo.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from mvemo.records import PredictionRecord

__all__ = ["ModelEntry", "Predictor", "MODELS", "model_entry", "list_model_entries", "load_model", "version_of"]


@dataclass(frozen=True)
class ModelEntry:
    """One model of the registry.

    Attributes
    ----------
    name : str
        Registry key, also the ``--weights NAME=PATH`` name (``music``, ``symbolic``, ...).
    loader : str
        ``"module:function"``; ``function(weights=None)`` returns a :class:`Predictor`.
    model_name : str
        The shipped (or default) model's name, with its version (``music2emo-musicnn-msd-v4``).
    weights : str or None
        The shipped weights file, relative to the ``mvemo.models`` package (None: none shipped).
    modality : str
        The records' ``modality``.
    feature_kind : str
        What :meth:`Predictor.predict_features` takes.
    routed : bool
        Whether ``mvemo predict`` sends files to it directly (video goes through multimodal).
    trainer : str or None
        ``"module:attribute"`` of its ``mvemo train`` subcommand.
    train_command : str or None
        That subcommand's name (``fusion`` trains the multimodal head).
    bench_name : str or None
        The model's name in ``mvemo bench`` (its ``-va`` twin converts its valence-arousal).
    bench_tasks : tuple of str
        The bench tasks it runs.
    description : str
    """

    name: str
    loader: str
    model_name: str
    weights: str | None
    modality: str
    feature_kind: str
    routed: bool = True
    trainer: str | None = None
    train_command: str | None = None
    bench_name: str | None = None
    bench_tasks: tuple[str, ...] = ()
    description: str = ""

    @property
    def version(self) -> str:
        """The shipped model's version (``"v3"``)."""
        return version_of(self.model_name)

    def weights_path(self) -> Path | None:
        """Where the shipped weights are in this installation (None: none shipped)."""
        if self.weights is None:
            return None
        from importlib import resources

        return Path(str(resources.files("mvemo.models").joinpath(self.weights)))

    def load(self, weights: str | Path | None = None, **options: Any) -> Predictor:
        """The predictor, with the shipped weights or ``weights``."""
        module, attr = self.loader.split(":")
        return getattr(importlib.import_module(module), attr)(weights, **options)


def _weights(model_name: str) -> str:
    return f"weights/{model_name}.safetensors"


#: name -> entry, in the order the docs list them.
MODELS: dict[str, ModelEntry] = {
    e.name: e
    for e in (
        ModelEntry(
            "music",
            "mvemo.predict.music:load_music_model",
            "music2emo-musicnn-msd-v4",
            _weights("music2emo-musicnn-msd-v4"),
            "music",
            "mvemo.features.music.TrackFeatures (musicnn blocks + harmony)",
            trainer="mvemo.cli.train:music",
            train_command="music",
            bench_name="music2emo",
            bench_tasks=("music-static", "music-dynamic"),
            description="our music model (Music2Emo design, musicnn backbone; shipped weights)",
        ),
        ModelEntry(
            "symbolic",
            "mvemo.predict.symbolic:load_symbolic_model",
            "symbolic-emopia-vgmidi-v4",
            _weights("symbolic-emopia-vgmidi-v4"),
            "symbolic",
            "mvemo.features.midi.MidiFeatures",
            trainer="mvemo.cli.train_symbolic:command",
            train_command="symbolic",
            bench_name="symbolic",
            bench_tasks=("symbolic-static",),
            description="our symbolic-music model (mvemo.predict.symbolic)",
        ),
        ModelEntry(
            "lyrics",
            "mvemo.predict.lyrics:load_lyrics_model",
            "lyrics-minilm-lex-bow-v3",
            _weights("lyrics-minilm-lex-bow-v3"),
            "lyrics",
            "mvemo.io.lyrics.Lyrics or lyrics text",
            trainer="mvemo.cli.train_lyrics:command",
            train_command="lyrics",
            bench_name="lyrics",
            bench_tasks=("lyrics-static",),
            description="our lyrics model (mvemo.predict.lyrics)",
        ),
        ModelEntry(
            "video",
            "mvemo.predict.video:load_video_model",
            "video-colour-prior-v1",
            None,
            "video",
            "mvemo.features.visual.VisualFeatures",
            routed=False,
            trainer="mvemo.cli.train_video:command",
            train_command="video",
            bench_name="video",
            bench_tasks=("video-static", "video-dynamic"),
            description="our video model on frames (and faces), no sound (mvemo.predict.video)",
        ),
        ModelEntry(
            "multimodal",
            "mvemo.predict.multimodal:load_multimodal_model",
            "mvemo-late-fusion-v1",
            None,
            "multimodal",
            "modality -> record JSON (MultimodalModel.modality_records)",
            trainer="mvemo.cli.train_fusion:command",
            train_command="fusion",
            bench_name="multimodal",
            bench_tasks=("video-static", "video-dynamic", "multimodal-static", "multimodal-dynamic"),
            description="our fused model on music videos (mvemo.predict.multimodal; video tasks: frames and "
            "sound, no lyrics)",
        ),
    )
}


def model_entry(name: str) -> ModelEntry:
    """The entry of a registered model.

    Raises
    ------
    ParameterError
        For an unknown name (the message lists the known ones).
    """
    if name not in MODELS:
        raise ParameterError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name]


def list_model_entries() -> list[ModelEntry]:
    """All entries, in registry order."""
    return list(MODELS.values())


def load_model(name: str, weights: str | Path | None = None, **options: Any) -> Predictor:
    """Load a registered model (the shipped weights, or ``weights``)."""
    return model_entry(name).load(weights, **options)


def version_of(model_name: str) -> str:
    """The version suffix of a model name (``"...-v3"`` -> ``"v3"``; ``""`` when it has none).

    Examples
    --------
    >>> version_of("music2emo-musicnn-msd-v3"), version_of("my-model")
    ('v3', '')
    """
    m = re.search(r"-(v\d+(?:\.\d+)*)$", model_name)
    return m.group(1) if m else ""


@runtime_checkable
class Predictor(Protocol):
    """What every mvemo predictor offers (the shipped ones and any loaded by the registry).

    ``predict`` takes a file path or the modality's input in memory (music: a
    ``(waveform, sample_rate)`` pair or :class:`mvemo.predict.inputs.AudioInput`; lyrics: the
    text; symbolic: a ``pretty_midi.PrettyMIDI``); ``predict_features`` takes already computed
    features (:attr:`ModelEntry.feature_kind`).  Both return a
    :class:`~mvemo.records.PredictionRecord`.
    """

    @property
    def name(self) -> str:
        """The model's name, with its version."""

    @property
    def version(self) -> str:
        """The model's version (``"v3"``)."""

    def predict(self, path_or_input: Any, *, dynamic: bool = True) -> PredictionRecord:
        """The record of one input."""

    def predict_features(self, features: Any, *, dynamic: bool = True) -> PredictionRecord:
        """The record of already computed features."""

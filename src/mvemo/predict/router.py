"""Which model predicts a file: by its suffix, and by whether lyrics come with it.

=================  ==========================================================
input              predictor
=================  ==========================================================
audio              music (:func:`mvemo.predict.music.load_music_model`)
MIDI               symbolic (:func:`mvemo.predict.symbolic.load_symbolic_model`)
LRC / text         lyrics (:func:`mvemo.predict.lyrics.load_lyrics_model`)
video              multimodal: music + video (+ lyrics)
audio + lyrics     multimodal: music + lyrics
=================  ==========================================================

Lyrics come with a media file when given explicitly (``lyrics=``) or as a *sidecar*: a
``.lrc`` (preferred) or ``.txt`` file with the same stem in the same folder.  When a folder
is collected, sidecar lyrics are used by their media file and not predicted on their own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvemo.errors import DataError, ParameterError
from mvemo.models.registry import list_model_entries
from mvemo.records import PredictionRecord

__all__ = [
    "AUDIO_SUFFIXES",
    "VIDEO_SUFFIXES",
    "MIDI_SUFFIXES",
    "LYRICS_SUFFIXES",
    "MEDIA_SUFFIXES",
    "LOADERS",
    "modality_of",
    "sidecar_lyrics",
    "collect_inputs",
    "Router",
]

AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".aiff", ".aif"})
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm"})
MIDI_SUFFIXES = frozenset({".mid", ".midi"})
LYRICS_SUFFIXES = frozenset({".lrc", ".txt"})
MEDIA_SUFFIXES = AUDIO_SUFFIXES | VIDEO_SUFFIXES | MIDI_SUFFIXES | LYRICS_SUFFIXES

# modality -> "module:loader" of the models files are routed to, from the model registry
# (mvemo.models.registry); each loader(weights=None) returns a Predictor.
LOADERS: dict[str, str] = {e.name: e.loader for e in list_model_entries() if e.routed}


def modality_of(path: str | Path, *, lyrics: str | Path | None = None) -> str:
    """The predictor a file goes to: ``"music"``, ``"symbolic"``, ``"lyrics"`` or ``"multimodal"``.

    Examples
    --------
    >>> modality_of("song.mp3"), modality_of("clip.mp4"), modality_of("piece.mid")
    ('music', 'multimodal', 'symbolic')
    >>> modality_of("song.mp3", lyrics="song.lrc")
    'multimodal'
    """
    suffix = Path(path).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "multimodal"
    if suffix in AUDIO_SUFFIXES:
        return "multimodal" if lyrics is not None else "music"
    if lyrics is not None:
        raise ParameterError(f"lyrics can be given only with audio or video, not with {Path(path).name!r}")
    if suffix in MIDI_SUFFIXES:
        return "symbolic"
    if suffix in LYRICS_SUFFIXES:
        return "lyrics"
    raise DataError(
        f"{path}: unsupported file type {suffix or '(no suffix)'!r}; "
        f"expected one of {', '.join(sorted(MEDIA_SUFFIXES))}"
    )


def sidecar_lyrics(path: str | Path) -> Path | None:
    """The ``.lrc`` or ``.txt`` lyrics file beside an audio/video file with the same stem, if any."""
    p = Path(path)
    if p.suffix.lower() not in AUDIO_SUFFIXES | VIDEO_SUFFIXES:
        return None
    for suffix in (".lrc", ".LRC", ".txt", ".TXT"):
        cand = p.with_suffix(suffix)
        if cand.is_file():
            return cand
    return None


def collect_inputs(
    inputs: Iterable[str | Path], *, sidecars: bool = True, problems: list[tuple[str, str]] | None = None
) -> list[tuple[Path, Path | None]]:
    """``(file, lyrics)`` pairs to predict: files named directly, and media files found
    recursively in folders (sorted).  With ``sidecars``, media files pick up their sidecar
    lyrics and, inside folders, those lyrics files are not listed on their own.

    With ``problems`` (a list), an input that is not a regular file (a FIFO, a socket, a
    dangling link), named directly or found in a folder with a media suffix, is appended to it
    as ``(path, reason)`` instead of raising (directly named) or being skipped (in a folder).

    Raises
    ------
    DataError
        For a path that does not exist or is not a regular file (without ``problems``).
    """
    from mvemo.predict.batch import not_regular

    pairs: list[tuple[Path, Path | None]] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            if problems is not None:
                problems += [
                    (str(f), why)
                    for f in sorted(p.rglob("*"))
                    if f.suffix.lower() in MEDIA_SUFFIXES and not f.is_dir() and (why := not_regular(f)) is not None
                ]
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in MEDIA_SUFFIXES)
            used: set[Path] = set()
            media = []
            for f in found:
                side = sidecar_lyrics(f) if sidecars else None
                if side is not None:
                    used.add(side)
                media.append((f, side))
            pairs += [(f, side) for f, side in media if f not in used]
        elif p.is_file():
            pairs.append((p, sidecar_lyrics(p) if sidecars else None))
        elif problems is not None and (os.path.lexists(p)):
            problems.append((str(p), not_regular(p) or "not a regular file"))
        elif os.path.lexists(p):
            raise DataError(f"{p}: {not_regular(p) or 'not a regular file'}")
        else:
            raise DataError(f"no such file or directory: {p}")
    return pairs


@dataclass
class Router:
    """Loads each modality's model on first use and sends every file to the right one.

    Parameters
    ----------
    weights : dict, optional
        ``modality -> weights path`` for models other than the shipped ones.
    dynamic : bool
        Also predict the 0.5-s labels.

    Examples
    --------
    >>> router = Router()
    >>> router.loaded
    []
    """

    weights: dict[str, str | Path] = field(default_factory=dict)
    dynamic: bool = True
    _models: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(LOADERS)
        if unknown:
            raise ParameterError(f"weights given for unknown modalities {sorted(unknown)}; known: {sorted(LOADERS)}")

    @property
    def loaded(self) -> list[str]:
        """Modalities whose models are loaded."""
        return sorted(self._models)

    def model(self, modality: str) -> Any:
        """The model of ``modality``, loaded once."""
        if modality not in LOADERS:
            raise ParameterError(f"unknown modality {modality!r}; known: {sorted(LOADERS)}")
        if modality not in self._models:
            module, attr = LOADERS[modality].split(":")
            loader = getattr(importlib.import_module(module), attr)
            if modality == "multimodal":
                # the fused predictor shares this router's music and lyrics models
                shared = {m: (lambda m=m: self.model(m)) for m in ("music", "lyrics")}
                self._models[modality] = loader(self.weights.get(modality), loaders=shared)
            else:
                self._models[modality] = loader(self.weights.get(modality))
        return self._models[modality]

    def predict(self, path: str | Path, *, lyrics: str | Path | None = None) -> PredictionRecord:
        """The prediction record of one file (``to_dict()`` gives the JSON of ``docs/predict.md``)."""
        modality = modality_of(path, lyrics=lyrics)
        model = self.model(modality)
        if modality == "multimodal":
            rec = model.predict(path, dynamic=self.dynamic, lyrics=lyrics)
        else:
            rec = model.predict(path, dynamic=self.dynamic)
        if not isinstance(rec, PredictionRecord):  # a predictor outside mvemo answering with the JSON
            rec = PredictionRecord.from_dict({"modality": modality, **rec})
        return rec

"""Adapters from mvemo's predictors to the benchmark interface.

* :class:`MusicModelAdapter`: the shipped music model; features come from (and go to)
  the shared feature cache, so a rerun decodes nothing.
* :class:`RecordModelAdapter`: a model of :mod:`mvemo.models.registry` (the symbolic,
  lyrics, video and multimodal models) or any :class:`~mvemo.models.registry.Predictor`
  named by its loader; it is imported only when the model is created.  Lyrics that a
  dataset keeps in a table go to the predictor as text (:func:`lyrics_input`), not as files.

Both read the unified label from the record (``representation="unified"``) or convert
the record's valence and arousal with MVEmo eq. 5-10 (``representation="va"``), which
is what Table V compares.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mvemo.bench.registry import Prediction, align_dynamic
from mvemo.bench.tasks import Task, media_role
from mvemo.conversion.va import va_to_label
from mvemo.data.manifest import Item
from mvemo.errors import DataError, MvemoError, ParameterError
from mvemo.progress import track
from mvemo.records import EmotionFrame, PredictionRecord, StaticPrediction

__all__ = [
    "MusicModelAdapter",
    "RecordModelAdapter",
    "record_to_prediction",
    "lyrics_path",
    "music_model",
    "symbolic_model",
    "lyrics_model",
    "video_model",
    "multimodal_model",
    "registry_model",
    "lyrics_input",
]


def _check_representation(representation: str) -> str:
    if representation not in ("unified", "va"):
        raise ParameterError(f"representation must be 'unified' or 'va', got {representation!r}")
    return representation


def _label(entry: StaticPrediction | EmotionFrame, representation: str) -> tuple[str | None, float | None]:
    if representation == "va":
        v, a = entry.valence, entry.arousal
        if v is None or a is None:
            return None, None
        lab = va_to_label(max(-1.0, min(1.0, float(v))), max(-1.0, min(1.0, float(a))))
        return lab.category, lab.intensity
    return (entry.category, entry.intensity) if entry.category is not None else (None, None)


def record_to_prediction(
    item: Item,
    record: PredictionRecord,
    task: Task,
    *,
    representation: str = "unified",
) -> Prediction:
    """A :class:`Prediction` from a prediction record.

    Parameters
    ----------
    item : Item
    record : PredictionRecord
    task : Task
    representation : {"unified", "va"}
        Take the record's unified label, or convert its valence-arousal.
    """
    cat, inten = _label(record.static, representation)
    pred = Prediction(item.id, cat, inten, valence=record.static.valence, arousal=record.static.arousal)
    if task.dynamic:
        frames = []
        for f in record.dynamic:
            c, i = _label(f, representation)
            frames.append({"time": f.time, "category": c, "intensity": i})
        pred.dynamic = align_dynamic([p.time for p in item.dynamic or []], frames)
    return pred


# -- lyrics text of an item --------------------------------------------------------------
_LOADED: dict[tuple[str, str], Any] = {}


def _dataset_of(item: Item) -> Any:
    key = (item.dataset, str(item.root))
    if key not in _LOADED:
        from mvemo.data import load

        _LOADED[key] = load(item.dataset, data_home=item.root)
    return _LOADED[key]


def lyrics_input(item: Item) -> Path | str:
    """The item's lyrics for a predictor: the media file itself (``.txt``/``.lrc``), or the
    text a dataset loader reads on demand (the ``lyrics`` dataset keeps all texts in one
    CSV), in memory: nothing is written.

    Raises
    ------
    DataError
        If the lyrics are neither a text file nor readable from the item's dataset.
    """
    p = item.path("lyrics")
    if p.suffix.lower() in (".txt", ".lrc"):
        return p
    ds = _dataset_of(item)
    if not hasattr(ds, "lyrics"):
        raise DataError(f"{p}: item {item.id}'s lyrics are not a .txt/.lrc file and its dataset has no lyrics reader")
    return ds.lyrics(item)


def lyrics_path(item: Item, workdir: str | Path) -> Path:
    """A text file with the item's lyrics: the media file itself (``.txt``/``.lrc``), or
    :func:`lyrics_input`'s text written under ``workdir`` (for readers that need a file; the
    predictors take the text itself).
    """
    text = lyrics_input(item)
    if isinstance(text, Path):
        return text
    out = Path(workdir) / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', item.id)}.txt"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return out


# -- the music model ---------------------------------------------------------------------
class MusicModelAdapter:
    """The shipped music model on the music tasks (no training here; it ships trained).

    Parameters
    ----------
    representation : {"unified", "va"}
    weights : str, optional
        Other weights than the shipped ones.
    cache_dir : str, optional
        Feature cache (default: the shared default cache).
    compute : bool
        Compute features missing from the cache (else such items are invalid).
    """

    trains = False

    def __init__(
        self,
        *,
        representation: str = "unified",
        weights: str | None = None,
        cache_dir: str | None = None,
        compute: bool = True,
    ) -> None:
        from mvemo.features.cache import FeatureCache, default_cache_dir
        from mvemo.predict.music import load_music_model

        self.representation = _check_representation(representation)
        self.weights = weights
        self.model = load_music_model(weights)
        self.cache = FeatureCache(cache_dir or default_cache_dir())
        self.compute = compute
        self.name = self.model.name + ("-va" if representation == "va" else "")

    def config(self) -> dict[str, Any]:
        return {
            "model": self.model.name,
            "representation": self.representation,
            "weights": self.weights,
            "cache_dir": str(self.cache.root),
            "compute": self.compute,
        }

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """No-op: the shipped model is already trained (on the train splits of 4Q, Emotify, ...)."""

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        from mvemo.bench.cache import cached_track_features

        out = []
        for item in track(items, desc=f"bench {self.name}", unit="item"):
            try:
                feats = cached_track_features(
                    item.path(media_role(task, item)), self.model.musicnn, cache=self.cache, compute=self.compute
                )
                record = self.model.predict_features(feats, dynamic=task.dynamic)
            except MvemoError as exc:
                out.append(
                    Prediction(item.id, error=str(exc), dynamic=_invalid_dynamic(item) if task.dynamic else None)
                )
                continue
            out.append(record_to_prediction(item, record, task, representation=self.representation))
        return out


def _invalid_dynamic(item: Item) -> list[dict[str, Any]]:
    return [{"time": p.time, "category": None, "intensity": None} for p in item.dynamic or []]


# -- contract predictors -------------------------------------------------------------------
class RecordModelAdapter:
    """A :class:`~mvemo.models.registry.Predictor`: a model of the registry by name, or any
    predictor by ``"module:loader"`` (imported when the adapter is made).

    Parameters
    ----------
    model : str, optional
        A name in :mod:`mvemo.models.registry` (``symbolic``, ``lyrics``, ``video``, ``multimodal``).
    loader : str, optional
        ``"module:function"`` instead of ``model``; the function takes ``weights`` and returns the predictor.
    representation : {"unified", "va"}
    weights : str, optional
    workdir : str, optional
        Unused (lyrics kept in a dataset's table go to the predictor as text); kept for old configs.
    """

    trains = False

    def __init__(
        self,
        *,
        model: str | None = None,
        loader: str | None = None,
        representation: str = "unified",
        weights: str | None = None,
        workdir: str | None = None,
    ) -> None:
        if (model is None) == (loader is None):
            raise ParameterError("give a registered model name (model=...) or a loader (loader=...), not both")
        if model is not None:
            from mvemo.models.registry import model_entry

            loader = model_entry(model).loader
        self.loader = loader
        self.representation = _check_representation(representation)
        self.weights = weights
        module, attr = loader.split(":")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ParameterError(f"the model loader {loader} is not available in this installation ({exc})") from exc
        self.predictor = fn(weights)
        self.workdir = workdir
        self.name = str(getattr(self.predictor, "name", attr)) + ("-va" if representation == "va" else "")

    def config(self) -> dict[str, Any]:
        return {
            "loader": self.loader,
            "model": getattr(self.predictor, "name", None),
            "representation": self.representation,
            "weights": self.weights,
        }

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """No-op: the predictor ships trained."""

    def _call(self, item: Item, task: Task) -> PredictionRecord:
        role = media_role(task, item)
        path = lyrics_input(item) if role == "lyrics" else item.path(role)
        kwargs: dict[str, Any] = {"dynamic": task.dynamic}
        if "lyrics" in task.optional_inputs and "lyrics" in item.media:
            kwargs["lyrics"] = lyrics_input(item)
        record = self.predictor.predict(path, **kwargs)
        # a predictor outside mvemo may still answer with the record's JSON: checked here
        return record if isinstance(record, PredictionRecord) else PredictionRecord.from_dict(record)

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        out = []
        for item in track(items, desc=f"bench {self.name}", unit="item"):
            try:
                record = self._call(item, task)
            except (MvemoError, OSError) as exc:
                out.append(
                    Prediction(item.id, error=str(exc), dynamic=_invalid_dynamic(item) if task.dynamic else None)
                )
                continue
            out.append(record_to_prediction(item, record, task, representation=self.representation))
        return out


# -- factories used by the registry ----------------------------------------------------------
def music_model(
    *, representation: str = "unified", weights: str | None = None, cache_dir: str | None = None, compute: bool = True
) -> MusicModelAdapter:
    """The shipped music model; see :class:`MusicModelAdapter`."""
    return MusicModelAdapter(representation=representation, weights=weights, cache_dir=cache_dir, compute=compute)


def registry_model(
    *, model: str, representation: str = "unified", weights: str | None = None, workdir: str | None = None
) -> RecordModelAdapter:
    """A model of :mod:`mvemo.models.registry` by name (``symbolic``, ``lyrics``, ``video``, ``multimodal``)."""
    return RecordModelAdapter(model=model, representation=representation, weights=weights, workdir=workdir)


def symbolic_model(*, representation: str = "unified", weights: str | None = None) -> RecordModelAdapter:
    """The registry's ``symbolic`` model."""
    return registry_model(model="symbolic", representation=representation, weights=weights)


def lyrics_model(
    *, representation: str = "unified", weights: str | None = None, workdir: str | None = None
) -> RecordModelAdapter:
    """The registry's ``lyrics`` model."""
    return registry_model(model="lyrics", representation=representation, weights=weights, workdir=workdir)


def video_model(*, representation: str = "unified", weights: str | None = None) -> RecordModelAdapter:
    """The registry's ``video`` model."""
    return registry_model(model="video", representation=representation, weights=weights)


def multimodal_model(
    *, representation: str = "unified", weights: str | None = None, workdir: str | None = None
) -> RecordModelAdapter:
    """The registry's ``multimodal`` model."""
    return registry_model(model="multimodal", representation=representation, weights=weights, workdir=workdir)

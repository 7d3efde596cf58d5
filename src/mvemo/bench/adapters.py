"""Adapters from mvemo's predictors to the benchmark interface.

* :class:`MusicModelAdapter`: the shipped music model; features come from (and go to)
  the shared feature cache, so a rerun decodes nothing.
* :class:`RecordModelAdapter`: any predictor that follows the prediction-record contract
  (``load_<x>_model(weights=None)`` returning an object with ``.predict(path, *,
  dynamic=True)``): the symbolic, lyrics, video and multimodal models.  The loader is imported
  only when the model is created.

Both read the unified label from the record (``representation="unified"``) or convert
the record's valence and arousal with MVEmo eq. 5-10 (``representation="va"``), which
is what Table V compares.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from pathlib import Path
from typing import Any, Sequence

from mvemo.bench.registry import Prediction, align_dynamic
from mvemo.bench.tasks import Task, media_role
from mvemo.conversion.va import va_to_label
from mvemo.data.manifest import Item
from mvemo.errors import DataError, MvemoError, ParameterError
from mvemo.progress import track

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
]


def _check_representation(representation: str) -> str:
    if representation not in ("unified", "va"):
        raise ParameterError(f"representation must be 'unified' or 'va', got {representation!r}")
    return representation


def _label(entry: dict[str, Any], representation: str) -> tuple[str | None, float | None]:
    if representation == "va":
        v, a = entry.get("valence"), entry.get("arousal")
        if v is None or a is None:
            return None, None
        lab = va_to_label(max(-1.0, min(1.0, float(v))), max(-1.0, min(1.0, float(a))))
        return lab.category, lab.intensity
    cat, inten = entry.get("category"), entry.get("intensity")
    return (cat, None if inten is None else float(inten)) if cat is not None else (None, None)


def record_to_prediction(item: Item, record: dict[str, Any], task: Task, *, representation: str = "unified",
                         ) -> Prediction:  # fmt: skip
    """A :class:`Prediction` from a prediction record (see the team contract).

    Parameters
    ----------
    item : Item
    record : dict
        ``{"static": {...}, "dynamic": [...], ...}``.
    task : Task
    representation : {"unified", "va"}
        Take the record's unified label, or convert its valence-arousal.
    """
    static = record.get("static") or {}
    cat, inten = _label(static, representation)
    pred = Prediction(item.id, cat, inten, valence=static.get("valence"), arousal=static.get("arousal"))
    if task.dynamic:
        frames = []
        for f in record.get("dynamic") or []:
            c, i = _label(f, representation)
            frames.append({"time": f["time"], "category": c, "intensity": i})
        pred.dynamic = align_dynamic([p["time"] for p in item.dynamic or []], frames)
    return pred


# -- lyrics text of an item --------------------------------------------------------------
_LOADED: dict[tuple[str, str], Any] = {}


def lyrics_path(item: Item, workdir: str | Path) -> Path:
    """A text file with the item's lyrics: the media file itself (``.txt``/``.lrc``), or the
    text a dataset loader reads on demand (the ``lyrics`` dataset keeps all texts in one CSV),
    written under ``workdir`` (outside the repository; a temporary folder by default).
    """
    p = item.path("lyrics")
    if p.suffix.lower() in (".txt", ".lrc"):
        return p
    key = (item.dataset, str(item.root))
    if key not in _LOADED:
        from mvemo.data import load

        _LOADED[key] = load(item.dataset, data_home=item.root)
    ds = _LOADED[key]
    if not hasattr(ds, "lyrics"):
        raise DataError(f"{p}: item {item.id}'s lyrics are not a .txt/.lrc file and its dataset has no lyrics reader")
    out = Path(workdir) / f"{re.sub(r'[^A-Za-z0-9._-]+', '_', item.id)}.txt"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(ds.lyrics(item), encoding="utf-8")
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

    def __init__(self, *, representation: str = "unified", weights: str | None = None,
                 cache_dir: str | None = None, compute: bool = True) -> None:  # fmt: skip
        from mvemo.features.cache import FeatureCache, default_cache_dir
        from mvemo.predict.music import load_music_model

        self.representation = _check_representation(representation)
        self.weights = weights
        self.model = load_music_model(weights)
        self.cache = FeatureCache(cache_dir or default_cache_dir())
        self.compute = compute
        self.name = self.model.name + ("-va" if representation == "va" else "")

    def config(self) -> dict[str, Any]:
        return {"model": self.model.name, "representation": self.representation, "weights": self.weights,
                "cache_dir": str(self.cache.root), "compute": self.compute}  # fmt: skip

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """No-op: the shipped model is already trained (on the train splits of 4Q, Emotify, ...)."""

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        from mvemo.bench.cache import cached_track_features

        out = []
        for item in track(items, desc=f"bench {self.name}", unit="item"):
            try:
                feats = cached_track_features(item.path(media_role(task, item)), self.model.musicnn,
                                              cache=self.cache, compute=self.compute)  # fmt: skip
                record = self.model.predict_features(feats, dynamic=task.dynamic)
            except MvemoError as exc:
                out.append(Prediction(item.id, error=str(exc),
                                      dynamic=_invalid_dynamic(item) if task.dynamic else None))  # fmt: skip
                continue
            out.append(record_to_prediction(item, record, task, representation=self.representation))
        return out


def _invalid_dynamic(item: Item) -> list[dict[str, Any]]:
    return [{"time": p["time"], "category": None, "intensity": None} for p in item.dynamic or []]


# -- contract predictors -------------------------------------------------------------------
class RecordModelAdapter:
    """A predictor following the prediction-record contract, loaded lazily by ``"module:loader"``.

    Parameters
    ----------
    loader : str
        ``"module:function"``; the function takes ``weights`` and returns the predictor.
    representation : {"unified", "va"}
    weights : str, optional
    workdir : str, optional
        Where texts read from a dataset (lyrics CSVs) are written as files for the
        predictor; default a temporary folder.
    """

    trains = False

    def __init__(self, *, loader: str, representation: str = "unified", weights: str | None = None,
                 workdir: str | None = None) -> None:  # fmt: skip
        self.loader = loader
        self.representation = _check_representation(representation)
        self.weights = weights
        module, attr = loader.split(":")
        try:
            fn = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ParameterError(f"the model loader {loader} is not available in this installation ({exc})") from exc
        self.predictor = fn(weights)
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="mvemo-bench-"))
        self.name = str(getattr(self.predictor, "name", attr)) + ("-va" if representation == "va" else "")

    def config(self) -> dict[str, Any]:
        return {"loader": self.loader, "model": getattr(self.predictor, "name", None),
                "representation": self.representation, "weights": self.weights}  # fmt: skip

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """No-op: the predictor ships trained."""

    def _call(self, item: Item, task: Task) -> dict[str, Any]:
        role = media_role(task, item)
        path = lyrics_path(item, self.workdir) if role == "lyrics" else item.path(role)
        kwargs: dict[str, Any] = {"dynamic": task.dynamic}
        if "lyrics" in task.optional_inputs and "lyrics" in item.media:
            kwargs["lyrics"] = lyrics_path(item, self.workdir)
        return self.predictor.predict(path, **kwargs)

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        out = []
        for item in track(items, desc=f"bench {self.name}", unit="item"):
            try:
                record = self._call(item, task)
            except (MvemoError, OSError) as exc:
                out.append(Prediction(item.id, error=str(exc),
                                      dynamic=_invalid_dynamic(item) if task.dynamic else None))  # fmt: skip
                continue
            out.append(record_to_prediction(item, record, task, representation=self.representation))
        return out


# -- factories used by the registry ----------------------------------------------------------
def music_model(*, representation: str = "unified", weights: str | None = None, cache_dir: str | None = None,
                compute: bool = True) -> MusicModelAdapter:  # fmt: skip
    """The shipped music model; see :class:`MusicModelAdapter`."""
    return MusicModelAdapter(representation=representation, weights=weights, cache_dir=cache_dir, compute=compute)


def symbolic_model(*, representation: str = "unified", weights: str | None = None) -> RecordModelAdapter:
    """``mvemo.predict.symbolic:load_symbolic_model``."""
    return RecordModelAdapter(loader="mvemo.predict.symbolic:load_symbolic_model",
                              representation=representation, weights=weights)  # fmt: skip


def lyrics_model(*, representation: str = "unified", weights: str | None = None,
                 workdir: str | None = None) -> RecordModelAdapter:  # fmt: skip
    """``mvemo.predict.lyrics:load_lyrics_model``."""
    return RecordModelAdapter(loader="mvemo.predict.lyrics:load_lyrics_model",
                              representation=representation, weights=weights, workdir=workdir)  # fmt: skip


def video_model(*, representation: str = "unified", weights: str | None = None) -> RecordModelAdapter:
    """``mvemo.predict.video:load_video_model``."""
    return RecordModelAdapter(loader="mvemo.predict.video:load_video_model",
                              representation=representation, weights=weights)  # fmt: skip


def multimodal_model(*, representation: str = "unified", weights: str | None = None,
                     workdir: str | None = None) -> RecordModelAdapter:  # fmt: skip
    """``mvemo.predict.multimodal:load_multimodal_model``."""
    return RecordModelAdapter(loader="mvemo.predict.multimodal:load_multimodal_model",
                              representation=representation, weights=weights, workdir=workdir)  # fmt: skip

"""The registry of dataset loaders: ``list_datasets()`` and ``load(name)``.

Loader modules are imported only when a dataset is used.
"""

from __future__ import annotations

import difflib
import importlib
import os
from typing import Any

from mvemo.data.dataset import Dataset
from mvemo.errors import ParameterError

__all__ = ["list_datasets", "dataset_class", "load", "register"]

# name -> "module:class"
_REGISTRY: dict[str, str] = {
    "4q_panda2018": "mvemo.data.datasets.fourq_panda2018:Panda4Q",
    "emotify": "mvemo.data.datasets.emotify:Emotify",
    "emomusic": "mvemo.data.datasets.emomusic:EmoMusic",
    "pmemo": "mvemo.data.datasets.pmemo:PMEmo",
    "deam": "mvemo.data.datasets.deam:DEAM",
    "mtg_jamendo_moodtheme": "mvemo.data.datasets.mtg_jamendo:MTGJamendoMoodTheme",
    "muvi": "mvemo.data.datasets.muvi:MuVi",
    "vgmidi": "mvemo.data.datasets.vgmidi:VGMIDI",
    "emopia": "mvemo.data.datasets.emopia:EMOPIA",
    "lyrics": "mvemo.data.datasets.lyrics:Lyrics",
    "moodylyrics": "mvemo.data.datasets.moodylyrics:MoodyLyrics",
    "soundtracks_eerola2011": "mvemo.data.datasets.soundtracks:Soundtracks",
}


def list_datasets() -> list[str]:
    """Names of the registered datasets, in registration order.

    Examples
    --------
    >>> "emopia" in list_datasets()
    True
    """
    return list(_REGISTRY)


def register(name: str, target: str | type[Dataset]) -> None:
    """Register a loader: a :class:`Dataset` subclass or its ``"module:Class"`` path."""
    if not isinstance(name, str) or not name:
        raise ParameterError(f"a dataset name must be a non-empty string, got {name!r}")
    if isinstance(target, type):
        if not issubclass(target, Dataset):
            raise ParameterError(f"{target!r} is not a Dataset subclass")
        target = f"{target.__module__}:{target.__qualname__}"
    _REGISTRY[name] = target


def dataset_class(name: str) -> type[Dataset]:
    """The loader class of a registered dataset.

    Raises
    ------
    ParameterError
        For an unknown name (with close matches).
    """
    if name not in _REGISTRY:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ParameterError(f"unknown dataset {name!r}{hint} (known: {', '.join(_REGISTRY)})")
    module, attr = _REGISTRY[name].split(":")
    return getattr(importlib.import_module(module), attr)


def load(name: str, *, data_home: str | os.PathLike | None = None, **options: Any) -> Dataset:
    """A loader instance for a registered dataset.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.
    data_home : str or Path, optional
        Data root; default ``$MVEMO_DATA``, then ``../shared/data`` (:func:`mvemo.util.data_home`).
    **options
        ``seed``, ``word_map`` and the dataset's own options (``Dataset.OPTIONS``),
        e.g. ``split_index`` for MTG-Jamendo.

    Raises
    ------
    DataError
        If the data root or the dataset's folder is missing (says how to set it).
    """
    cls = dataset_class(name)
    allowed = {"seed", "word_map", *cls.OPTIONS}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(f"{name}: unknown option(s) {unknown}; allowed: {sorted(allowed)}")
    return cls(data_home=data_home, **options)

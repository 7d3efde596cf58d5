"""Declarative dataset base class (mirdata style): metadata, index, validation, splits.

A loader subclasses :class:`Dataset`, fills in the class attributes (name, citation,
licence as the source states it, source, modality, label type, scale, folder) and
implements :meth:`Dataset._load_items`.  The base class adds caching, splits
(official where the source has them, else seeded 8:1:1 stratified by label class),
validation of the media files and lazy media access through the items.

The data root is the ``data_home`` argument, else the ``MVEMO_DATA`` environment
variable, else ``../shared/data`` (:func:`mvemo.util.data_home`); it is the folder that
holds ``README.md`` and one folder per dataset.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from mvemo.conversion import label_to_quadrant
from mvemo.conversion.words import WordMap
from mvemo.data.labels import as_word_map
from mvemo.data.manifest import Item
from mvemo.data.media import check_file
from mvemo.data.splits import SPLIT_NAMES, stratified_split
from mvemo.errors import DataError, ParameterError
from mvemo.util import _HOW, DATA_ENV_VAR
from mvemo.util import data_home as data_home_of

__all__ = ["ENV_VAR", "Dataset", "ValidationReport", "resolve_data_home", "UNASSIGNED"]

ENV_VAR = DATA_ENV_VAR
#: Split of items that a source's official split leaves out.
UNASSIGNED = "unassigned"


def resolve_data_home(data_home: str | os.PathLike | None = None) -> Path:
    """The data root: ``data_home``, else ``$MVEMO_DATA``, else ``../shared/data``
    (:func:`mvemo.util.data_home`, the one place this precedence lives).

    Raises
    ------
    DataError
        If none is set, or the path is not an existing folder; the message says
        how to set it.
    """
    return data_home_of(data_home)


@dataclass
class ValidationReport:
    """What :meth:`Dataset.validate` found.

    Attributes
    ----------
    dataset : str
    root : str
        The data root.
    n_items : int
    n_files : int
        Distinct media files checked.
    problems : list of dict
        ``{"item": id or None, "path": path relative to the root, "problem": str}``
        for each missing, empty or unreadable file (or unreadable label file).
    n_label_problems : int
        Items with a label conversion problem (informational; see ``Item.problems``).
    decoded : bool
        Whether media were decoded.
    """

    dataset: str
    root: str
    n_items: int = 0
    n_files: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    n_label_problems: int = 0
    decoded: bool = False

    @property
    def ok(self) -> bool:
        """True when no file problem was found."""
        return not self.problems

    def summary(self) -> str:
        """One line, e.g. ``"emopia: 1078 items, 1078 files checked, 0 problem(s)"``."""
        how = "decoded" if self.decoded else "checked"
        return (
            f"{self.dataset}: {self.n_items} items, {self.n_files} files {how}, "
            f"{len(self.problems)} problem(s); {self.n_label_problems} item(s) with label problems"
        )


class Dataset:
    """Base class of the dataset loaders.

    Parameters
    ----------
    data_home : str or Path, optional
        Data root (the folder with one sub-folder per dataset); default ``$MVEMO_DATA``.
    seed : int
        Seed of the 8:1:1 split for datasets without an official split.
    word_map : WordMap or dict, optional
        Word table for word/tag labels; default: the reviewed table shipped with mvemo.

    Raises
    ------
    DataError
        If the data root is missing or does not hold the dataset's folder.
    """

    #: Registry name.
    name: ClassVar[str] = ""
    #: Human-readable title.
    title: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    #: Licence as the source states it.
    license: ClassVar[str] = ""
    #: Where the data come from.
    homepage: ClassVar[str] = ""
    #: Modality of the items that have media ("none": label-only).
    modality: ClassVar[str] = "none"
    label_type: ClassVar[str] = ""
    scale: ClassVar[str | None] = None
    #: Folder with the labels, relative to the data root.
    folder: ClassVar[str] = ""
    #: What of the source is not indexed or not available here, and why.
    exclusions: ClassVar[str] = ""
    #: Whether the splits come from the source.
    official_splits: ClassVar[bool] = False
    #: Extra constructor options: name -> (type, help).
    OPTIONS: ClassVar[dict[str, tuple[type, str]]] = {}

    def __init__(
        self,
        *,
        data_home: str | os.PathLike | None = None,
        seed: int = 0,
        word_map: WordMap | Mapping[str, str | None] | None = None,
    ) -> None:
        self.root = resolve_data_home(data_home)
        self.seed = int(seed)
        self._word_map = word_map
        if not (self.root / self.folder).is_dir():
            raise DataError(
                f"dataset {self.name!r} not found: no folder {self.folder!r} under the data root "
                f"{self.root}. Point the root at the curated data: {_HOW}"
            )
        self._items: list[Item] | None = None
        self._by_id: dict[str, Item] = {}

    # -- to implement ---------------------------------------------------------------
    def _load_items(self) -> list[Item]:
        """Read the label files and build the items (without splits)."""
        raise NotImplementedError

    def _official_split(self, items: list[Item]) -> dict[str, str] | None:
        """id -> official split name, or None when the source has none."""
        return None

    def _stratify_key(self, item: Item) -> str:
        """Class used to stratify the seeded split; default: quadrant of the static label."""
        label = item.static_label
        return "unlabelled" if label is None else label_to_quadrant(label)

    def _group_key(self, item: Item) -> str:
        """Items with the same key stay in the same split; default: the item itself."""
        return item.id

    # -- helpers for loaders --------------------------------------------------------
    @property
    def word_map(self) -> WordMap:
        """The word table used for word and tag labels."""
        return as_word_map(self._word_map)

    def words(self) -> list[str] | None:
        """The label words/tags this dataset uses, or None for non-word labels."""
        return None

    def file(self, *parts: str) -> Path:
        """Path of a file under the dataset's folder."""
        return self.root.joinpath(self.folder, *parts)

    def optional_audio(self, rel: str, duration: float | None) -> tuple[dict[str, str], str, float | None]:
        """``(media, modality, duration)`` for an audio file that may be absent from the data root.

        If ``rel`` (relative to the root) exists, the item gets it as ``audio`` and the
        duration read from the file (``duration`` when unreadable); otherwise no media,
        modality ``"none"`` and ``duration`` unchanged.
        """
        if not (self.root / rel).is_file():
            return {}, "none", duration
        from mvemo.data.media import audio_duration

        return {"audio": rel}, "audio", audio_duration(self.root / rel) or duration

    def item(self, local_id: str, **fields: Any) -> Item:
        """An :class:`Item` of this dataset with id ``"<name>:<local_id>"``."""
        fields.setdefault("label_type", self.label_type)
        fields.setdefault("scale", self.scale)
        return Item(id=f"{self.name}:{local_id}", dataset=self.name, root=self.root, **fields)

    # -- public API -----------------------------------------------------------------
    def index(self) -> list[Item]:
        """All items, with splits (built on first call, then cached).

        Raises
        ------
        DataError
            If a label file is missing or malformed; the message names the file.
        """
        if self._items is None:
            items = self._load_items()
            ids = [it.id for it in items]
            dup = [k for k, c in Counter(ids).items() if c > 1]
            if dup:
                raise DataError(f"{self.name}: duplicate item ids {dup[:5]}")
            official = self._official_split(items)
            if official is None:
                official = stratified_split(
                    ids,
                    [self._stratify_key(it) for it in items],
                    groups=[self._group_key(it) for it in items],
                    seed=self.seed,
                )
            for it in items:
                it.split = official.get(it.id, UNASSIGNED)
            self._items = items
            self._by_id = {it.id: it for it in items}
        return list(self._items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.index())

    def __len__(self) -> int:
        return len(self.index())

    def __getitem__(self, item_id: str) -> Item:
        """The item with this id (``"<name>:<local>"`` or just the local id)."""
        key = item_id if item_id.startswith(f"{self.name}:") else f"{self.name}:{item_id}"
        self.index()
        if key not in self._by_id:
            raise KeyError(item_id)
        return self._by_id[key]

    def splits(self) -> dict[str, list[str]]:
        """Split name -> item ids (index order); train/validation/test first."""
        out: dict[str, list[str]] = {}
        for it in self.index():
            out.setdefault(it.split or UNASSIGNED, []).append(it.id)
        order = {n: i for i, n in enumerate(SPLIT_NAMES)}
        return dict(sorted(out.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))

    def items(self, *, split: str | None = None) -> list[Item]:
        """Items, optionally of one split."""
        items = self.index()
        if split is None:
            return items
        known = self.splits()
        if split not in known:
            raise ParameterError(f"{self.name} has no split {split!r}; it has {list(known)}")
        return [it for it in items if it.split == split]

    def validate(self, *, decode: bool = False) -> ValidationReport:
        """Check that every media file exists and is non-empty (and decodes, with ``decode``).

        Label files that cannot be read are reported too (instead of raised).
        """
        report = ValidationReport(dataset=self.name, root=str(self.root), decoded=decode)
        try:
            items = self.index()
        except DataError as exc:
            report.problems.append({"item": None, "path": self.folder, "problem": str(exc)})
            return report
        report.n_items = len(items)
        report.n_label_problems = sum(1 for it in items if it.problems)
        seen: dict[str, str | None] = {}
        for it in items:
            for rel in it.media.values():
                if rel not in seen:
                    seen[rel] = check_file(self.root / rel, decode=decode)
                if seen[rel] is not None:
                    report.problems.append({"item": it.id, "path": rel, "problem": seen[rel]})
        report.n_files = len(seen)
        return report

    @classmethod
    def info(cls) -> dict[str, Any]:
        """The declared metadata as a dict."""
        return {
            "name": cls.name,
            "title": cls.title,
            "modality": cls.modality,
            "label_type": cls.label_type,
            "scale": cls.scale,
            "folder": cls.folder,
            "official_splits": cls.official_splits,
            "exclusions": cls.exclusions,
            "license": cls.license,
            "homepage": cls.homepage,
            "citation": cls.citation,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, root={str(self.root)!r})"

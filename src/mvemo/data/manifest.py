"""One manifest record per item (lhotse style), with JSONL and Parquet input/output.

An :class:`Item` is what every loader yields: where the media are (paths relative to
the data root), the labels as the source gives them, and the same labels in MVEmo's
unified representation (``static``: one label; ``dynamic``: labels on the 0.5 s grid).
A label that could not be converted is left empty and the reason goes to ``problems``.

Writes are atomic: the manifest goes to a temporary file beside the target, which
then replaces it (``os.replace``), so an interrupted run never leaves half a file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.io import iter_jsonl_lines
from mvemo.records import EmotionFrame
from mvemo.representation import EmotionLabel
from mvemo.util import atomic_path

__all__ = [
    "MODALITIES",
    "Item",
    "iter_jsonl",
    "read_jsonl",
    "write_jsonl",
    "read_parquet",
    "write_parquet",
    "read_manifest",
    "write_manifest",
]

#: Allowed values of :attr:`Item.modality`; ``"none"`` marks a label-only item.
MODALITIES = ("audio", "midi", "lyrics", "video", "none")
MANIFEST_VERSION = "1"
_FIELDS = ("id", "dataset", "modality", "media", "duration", "labels", "label_type", "scale",
           "static", "dynamic", "split", "problems", "custom", "informative")  # fmt: skip
#: Optional fields: left out of a record (and a Parquet file) when no item has them.
_OPTIONAL = ("informative",)


@dataclass(slots=True)
class Item:
    """One item of a dataset: media, original labels and unified labels.

    Attributes
    ----------
    id : str
        Unique across datasets: ``"<dataset>:<id in the source>"``.
    dataset : str
        Registered dataset name.
    modality : str
        One of :data:`MODALITIES`; ``"none"`` when no media is available here.
    media : dict of str to str
        Role -> path relative to the data root, e.g. ``{"audio": "audio/emomusic/2.opus"}``.
    duration : float or None
        Seconds of the (original) media, where known.
    labels : dict
        The labels as the source gives them (JSON types only).
    label_type : str
        ``"4q"``, ``"va"``, ``"gems"``, ``"tags"``, ``"terms"``, ...
    scale : str or None
        Rating scale of the labels (``"1-9"``, ``"0-1"``, ``"-1-1"``), None for classes.
    static : EmotionLabel or None
        The unified label; written as ``{"category": str, "intensity": float}`` (a dict in
        that form is accepted and converted).
    dynamic : list of EmotionFrame or None
        Labels on the 0.5 s grid, written as ``{"time": s, "category": str or None,
        "intensity": float or None}`` (such dicts are accepted and converted); frames whose
        ``label`` is None mark grid times without a label.  They refer to
        ``media[custom["dynamic_media"]]`` when that key is set, else to the item's media.
    split : str or None
        ``"train"``, ``"validation"``, ``"test"``, or the source's official names.
    problems : list of str
        Why (part of) a label could not be converted.
    custom : dict
        Free, loader-specific fields.
    informative : dict or None
        The informative training target beside the paper-compatible ``static``
        (:meth:`mvemo.conversion.informative.InformativeTarget.to_dict`: category,
        intensity, theta, agreement, kappa, weight, rule, ...; optionally ``dynamic``, a
        list of frame targets).  Optional: items without it are written as before.
    root : Path or None
        Data root used to resolve ``media`` (not written to manifests).
    """

    id: str
    dataset: str
    modality: str
    media: dict[str, str] = field(default_factory=dict)
    duration: float | None = None
    labels: dict[str, Any] = field(default_factory=dict)
    label_type: str = ""
    scale: str | None = None
    static: EmotionLabel | None = None
    dynamic: list[EmotionFrame] | None = None
    split: str | None = None
    problems: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    informative: dict[str, Any] | None = None
    root: Path | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ParameterError(f"an item needs a non-empty string id, got {self.id!r}")
        if self.modality not in MODALITIES:
            raise ParameterError(f"item {self.id}: modality must be one of {MODALITIES}, got {self.modality!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # labels given as their manifest JSON become EmotionLabel / EmotionFrame, here and on assignment
        if name == "static" and value is not None and not isinstance(value, EmotionLabel):
            value = _checked(self, _static_label, value)
        elif name == "dynamic" and value is not None:
            value = [
                f if isinstance(f, EmotionFrame) else _checked(self, EmotionFrame.from_dict, f, where=f"dynamic[{i}]")
                for i, f in enumerate(value)
            ]
        object.__setattr__(self, name, value)

    # -- labels -------------------------------------------------------------------
    @property
    def static_label(self) -> EmotionLabel | None:
        """The static unified label as an :class:`~mvemo.representation.EmotionLabel`."""
        return self.static

    # -- media --------------------------------------------------------------------
    def path(self, role: str | None = None) -> Path:
        """Absolute path of a media file (default: the first role in ``media``).

        Raises
        ------
        DataError
            If the item has no such media or its data root is unknown.
        """
        if not self.media:
            raise DataError(f"item {self.id} has no media (label-only)")
        role = role or next(iter(self.media))
        if role not in self.media:
            raise DataError(f"item {self.id} has no media role {role!r}; it has {sorted(self.media)}")
        if self.root is None:
            raise DataError(
                f"item {self.id}: the data root is unknown; read the manifest with data_home=... "
                "or set MVEMO_DATA=/path/to/shared/data"
            )
        return Path(self.root) / self.media[role]

    def audio(self, role: str = "audio", *, backend: str | None = None):
        """Decode the item's audio now (nothing is read before this call).

        Returns
        -------
        samples : np.ndarray, shape (n_samples,) or (n_samples, n_channels), float32
        sample_rate : int
            Hz; Opus files decode at 48 kHz with PyAV, at their header rate with soundfile.
        """
        from mvemo.data.media import read_audio

        return read_audio(self.path(role), backend=backend)

    def read_bytes(self, role: str | None = None) -> bytes:
        """Raw bytes of a media file (e.g. a MIDI file), read now."""
        p = self.path(role)
        try:
            return p.read_bytes()
        except OSError as exc:
            raise DataError(f"{p}: cannot read ({exc.strerror or exc})") from exc

    # -- serialisation ------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the manifest fields (``root`` and unset optional fields left out)."""
        d = {name: getattr(self, name) for name in _FIELDS if name not in _OPTIONAL or getattr(self, name) is not None}
        if self.static is not None:
            d["static"] = {"category": self.static.category, "intensity": self.static.intensity}
        if self.dynamic is not None:
            d["dynamic"] = [f.to_dict() for f in self.dynamic]
        return d

    @classmethod
    def from_dict(cls, record: dict[str, Any], *, root: str | Path | None = None) -> Item:
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        unknown = set(record) - set(_FIELDS)
        if unknown:
            raise ParameterError(f"unknown manifest field(s) {sorted(unknown)}")
        missing = [k for k in ("id", "dataset", "modality") if k not in record]
        if missing:
            raise ParameterError(f"manifest record lacks field(s) {missing}")
        kwargs = {k: record[k] for k in _FIELDS if k in record and record[k] is not None}
        for name in ("media", "labels", "custom"):
            kwargs.setdefault(name, {})
        kwargs.setdefault("problems", [])
        return cls(**kwargs, root=Path(root) if root is not None else None)


def _checked(item: Item, convert: Any, value: Any, **kwargs: Any) -> Any:
    """``convert(value)``, its errors as a ParameterError naming the item."""
    try:
        return convert(value, **kwargs)
    except (DataError, ParameterError) as exc:
        raise ParameterError(f"item {getattr(item, 'id', '?')}: {exc}") from None


def _static_label(value: Any) -> EmotionLabel:
    """An :class:`EmotionLabel` from a manifest's ``{"category", "intensity"}``."""
    if not isinstance(value, dict):
        raise ParameterError(f"static must be a label or {{'category', 'intensity'}}, got {type(value).__name__}")
    unknown = set(value) - {"category", "intensity"}
    if unknown or "category" not in value or "intensity" not in value:
        raise ParameterError(f"static must have exactly 'category' and 'intensity', got {sorted(value)}")
    return EmotionLabel(value["category"], value["intensity"])


def _json_line(item: Item) -> str:
    try:
        return json.dumps(item.to_dict(), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"item {item.id} is not JSON-serialisable: {exc}") from exc


# -- JSONL --------------------------------------------------------------------------
def write_jsonl(items: Iterable[Item], path: str | Path) -> int:
    """Write items as JSON Lines, atomically; returns the number written."""
    p = Path(path)
    n = 0
    with atomic_path(p) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for item in items:
            fh.write(_json_line(item) + "\n")
            n += 1
    return n


def iter_jsonl(path: str | Path, *, data_home: str | Path | None = None) -> Iterator[Item]:
    """Yield the items of a JSONL manifest one at a time (the file is read lazily).

    Parameters
    ----------
    path : str or Path
    data_home : str or Path, optional
        Data root for the items' media (for :meth:`Item.audio`).

    Raises
    ------
    DataError
        Naming the file and line of a record that is not a valid item.
    """
    p = Path(path)
    for lineno, rec in iter_jsonl_lines(p):
        try:
            yield Item.from_dict(rec, root=data_home)
        except (ParameterError, TypeError) as exc:
            raise DataError(f"{p}:{lineno}: not a manifest item ({exc})") from None


def read_jsonl(path: str | Path, *, data_home: str | Path | None = None) -> list[Item]:
    """All items of a JSONL manifest; see :func:`iter_jsonl`."""
    return list(iter_jsonl(path, data_home=data_home))


# -- Parquet ------------------------------------------------------------------------
def _parquet_schema(pa, *, optional: tuple[str, ...] = ()):
    label = pa.struct([("category", pa.string()), ("intensity", pa.float64())])
    point = pa.struct([("time", pa.float64()), ("category", pa.string()), ("intensity", pa.float64())])
    return pa.schema(
        [
            ("id", pa.string()),
            ("dataset", pa.string()),
            ("modality", pa.string()),
            ("media", pa.string()),
            ("duration", pa.float64()),
            ("labels", pa.string()),
            ("label_type", pa.string()),
            ("scale", pa.string()),
            ("static", label),
            ("dynamic", pa.list_(point)),
            ("split", pa.string()),
            ("problems", pa.list_(pa.string())),
            ("custom", pa.string()),
        ]
        + [(name, pa.string()) for name in optional],
        metadata={"mvemo_manifest_version": MANIFEST_VERSION},
    )


_JSON_COLUMNS = ("media", "labels", "custom", "informative")


def write_parquet(items: Iterable[Item], path: str | Path) -> int:
    """Write items as a Parquet table, atomically; returns the number written.

    ``media``, ``labels``, ``custom`` and ``informative`` (free dicts) are stored as JSON
    text; ``static`` and ``dynamic`` as typed structs.  The ``informative`` column is
    written only when some item has it.
    """
    pa = require("pyarrow", extra="data")
    pq = require("pyarrow.parquet", extra="data")
    rows = []
    for item in items:
        rec = item.to_dict()
        _json_line(item)  # same validation as JSONL (no NaN, JSON types)
        for name in _JSON_COLUMNS:
            if name in rec:
                rec[name] = None if rec[name] is None else json.dumps(rec[name], ensure_ascii=False)
        rows.append(rec)
    optional = tuple(name for name in _OPTIONAL if any(name in r for r in rows))
    table = pa.Table.from_pylist(rows, schema=_parquet_schema(pa, optional=optional))
    p = Path(path)
    with atomic_path(p) as tmp:
        pq.write_table(table, tmp)
    return len(rows)


def _clean_float(x: Any) -> Any:
    return None if isinstance(x, float) and math.isnan(x) else x


def read_parquet(path: str | Path, *, data_home: str | Path | None = None) -> list[Item]:
    """All items of a Parquet manifest written by :func:`write_parquet`."""
    pq = require("pyarrow.parquet", extra="data")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: file not found")
    pa = require("pyarrow", extra="data")
    try:
        table = pq.read_table(p)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataError(f"{p}: cannot read as Parquet ({exc})") from exc
    missing = [c for c in ("id", "dataset", "modality") if c not in table.column_names]
    if missing:
        raise DataError(f"{p}: not an mvemo manifest, missing column(s) {missing}")
    items = []
    for i, rec in enumerate(table.to_pylist()):
        try:
            for name in _JSON_COLUMNS:
                if rec.get(name) is not None:
                    rec[name] = json.loads(rec[name])
            rec["duration"] = _clean_float(rec.get("duration"))
            items.append(Item.from_dict({k: v for k, v in rec.items() if k in _FIELDS}, root=data_home))
        except (json.JSONDecodeError, ParameterError, TypeError) as exc:
            raise DataError(f"{p}: row {i}: not a manifest item ({exc})") from None
    return items


# -- by suffix ----------------------------------------------------------------------
def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ParameterError(f"{path}: unsupported manifest format {suffix!r}; use .jsonl or .parquet")


def write_manifest(items: Iterable[Item], path: str | Path) -> int:
    """Write a manifest; the format follows the suffix (``.jsonl`` or ``.parquet``)."""
    p = Path(path)
    return write_jsonl(items, p) if _format(p) == "jsonl" else write_parquet(items, p)


def read_manifest(path: str | Path, *, data_home: str | Path | None = None) -> list[Item]:
    """Read a manifest written by :func:`write_manifest`."""
    p = Path(path)
    return read_jsonl(p, data_home=data_home) if _format(p) == "jsonl" else read_parquet(p, data_home=data_home)


def _field_names() -> tuple[str, ...]:  # for tests: the dataclass and _FIELDS agree
    return tuple(f.name for f in fields(Item) if f.name != "root")

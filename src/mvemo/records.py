"""Typed records: the prediction record of ``docs/predict.md``, its parts, and a training report.

Every class is a frozen dataclass with ``to_dict()`` (the JSON object ``mvemo predict``
writes, keys in the documented order) and ``from_dict()`` (its inverse: it checks every
field and raises :class:`~mvemo.errors.DataError` naming a missing or bad one).

=======================  ===============================================================
class                    JSON
=======================  ===============================================================
:class:`EmotionFrame`    one dynamic label ``{time, category, intensity, valence, arousal}``
                         (manifests: ``{time, category, intensity}``, category null when unlabelled)
:class:`StaticPrediction`  the ``static`` object
:class:`ModalityPrediction`  one entry of a multimodal record's ``modalities``
:class:`FusedPrediction`  a multimodal record's ``fused``
:class:`PredictionRecord`  one line of ``mvemo predict --out results.jsonl``
:class:`Report`          a trainer's ``report.json``
=======================  ===============================================================

The unified label inside is a :class:`~mvemo.representation.EmotionLabel`
(``frame.label``, ``static.label``; ``.category`` and ``.intensity`` are shortcuts).
Keys that a record has beyond the documented ones are kept in ``extra`` and written back
after them, so that ``from_dict(d).to_dict() == d`` for every record mvemo writes.

One module on purpose (issue #15: every record type in one place); its length is mostly
docstrings and field-by-field validation.

Transitional: the records can also be *read* like the dicts they replace
(``rec["static"]``, ``frame.get("valence")``) so that code not yet moved to
attributes keeps working; new code uses attributes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from mvemo.errors import DataError, MvemoError
from mvemo.representation import EmotionLabel

__all__ = [
    "QUADRANT_NAMES",
    "EmotionFrame",
    "StaticPrediction",
    "ModalityPrediction",
    "FusedPrediction",
    "PredictionRecord",
    "Report",
    "record_fields",
    "label_cells",
]

#: The four valence-arousal quadrants (as in :data:`mvemo.conversion.quadrant.QUADRANTS`).
QUADRANT_NAMES: tuple[str, ...] = ("Q1", "Q2", "Q3", "Q4")


# -- validation helpers ----------------------------------------------------------------------
def _where(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _require(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, Mapping):
        raise DataError(f"{where or 'record'}: expected a JSON object, got {type(d).__name__}")
    if key not in d:
        raise DataError(f"{where or 'record'}: missing field {key!r}")
    return d[key]


def _number(value: Any, name: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataError(f"{name}: expected a finite number, got {value!r}")
    return value


def _string(value: Any, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise DataError(f"{name}: expected a string, got {value!r}")
    return value


def _object(value: Any, name: str, *, optional: bool = False) -> dict | None:
    if value is None and optional:
        return None
    if not isinstance(value, Mapping):
        raise DataError(f"{name}: expected a JSON object, got {type(value).__name__}")
    return dict(value)


def _list(value: Any, name: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise DataError(f"{name}: expected a JSON array, got {type(value).__name__}")
    return list(value)


def _probabilities(value: Any, name: str) -> dict[str, float] | None:
    if value is None:
        return None
    d = _object(value, name)
    for k, v in d.items():
        _number(v, f"{name}.{k}")
    return d


@lru_cache(maxsize=4096)
def _cached_label(category: str, intensity: float) -> EmotionLabel:
    # labels are immutable and few (28 x 11 on the grid): a manifest's many frames share them
    return EmotionLabel(category, intensity)


def _label(category: Any, intensity: Any, where: str) -> EmotionLabel:
    _string(category, _where(where, "category"))
    _number(intensity, _where(where, "intensity"))
    try:
        return _cached_label(category, intensity)
    except MvemoError as exc:
        raise DataError(f"{where or 'label'}: bad label ({exc})") from None


def _extra(d: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in known}


class _ReadByKey:
    """Transitional read access by the JSON key (``rec["static"]``, ``rec.get("dynamic", [])``)."""

    _KEYS: tuple[str, ...] = ()

    def _value(self, key: str) -> Any:
        return getattr(self, key)

    def _present(self) -> list[str]:
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        if key in self._present():
            return self._value(key) if key in self._KEYS else self.extra[key]  # type: ignore[attr-defined]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of JSON key ``key``, or ``default`` where the record has none."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return key in self._present()

    def keys(self) -> list[str]:
        """The JSON keys this record writes, in order."""
        return self._present()

    def __iter__(self) -> Iterator[str]:
        return iter(self._present())


def label_cells(row: Mapping[str, Any]) -> tuple[Any, Any]:
    """The raw ``(category, intensity)`` cells of a label row (a CSV row or a JSON object).

    For readers of label tables that check the cells themselves (blank cells, numbers as
    text); a :class:`KeyError` names a missing column.

    Examples
    --------
    >>> label_cells({"id": "a", "category": "sad", "intensity": "0.4"})
    ('sad', '0.4')
    """
    return row["category"], row["intensity"]


# -- one label in time -------------------------------------------------------------------------
@dataclass(frozen=True)
class EmotionFrame(_ReadByKey):
    """One dynamic label: the unified label at ``time`` and, for predictions, its valence-arousal.

    Parameters
    ----------
    time : float
        Seconds from the start of the input (a grid time 2.5, 3.0, ...).
    label : EmotionLabel or None
        None for a grid time without a label (manifests).
    valence, arousal : float, optional
        In [-1, 1] (predictions; manifests have none).
    probabilities : dict, optional
        Category -> probability, where a producer gives them.
    extra : dict
        Further keys, e.g. ``modalities`` (the modalities fused at this time).

    Examples
    --------
    >>> f = EmotionFrame.from_dict({"time": 2.5, "category": "sad", "intensity": 0.4,
    ...                             "valence": -0.5, "arousal": -0.2})
    >>> f.category, f.intensity, f.to_dict()["valence"]
    ('sad', 0.4, -0.5)
    """

    time: float
    label: EmotionLabel | None
    valence: float | None = None
    arousal: float | None = None
    probabilities: dict[str, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = ("time", "category", "intensity", "valence", "arousal", "probabilities")

    @property
    def category(self) -> str | None:
        """The label's category (None: no label)."""
        return None if self.label is None else self.label.category

    @property
    def intensity(self) -> float | None:
        """The label's intensity (None: no label)."""
        return None if self.label is None else self.label.intensity

    def _present(self) -> list[str]:
        keys = ["time", "category", "intensity"]
        keys += [k for k in ("valence", "arousal", "probabilities") if getattr(self, k) is not None]
        return keys + list(self.extra)

    def to_dict(self) -> dict[str, Any]:
        """``{time, category, intensity[, valence, arousal][, probabilities], ...extra}``."""
        d: dict[str, Any] = {"time": self.time, "category": self.category, "intensity": self.intensity}
        if self.valence is not None:
            d["valence"] = self.valence
        if self.arousal is not None:
            d["arousal"] = self.arousal
        if self.probabilities is not None:
            d["probabilities"] = dict(self.probabilities)
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, where: str = "frame") -> EmotionFrame:
        """Inverse of :meth:`to_dict`; ``where`` names the frame in error messages."""
        time = _number(_require(d, "time", where), _where(where, "time"))
        cat = _require(d, "category", where)
        if cat is None:
            if d.get("intensity") is not None:
                raise DataError(f"{_where(where, 'intensity')}: given without a category")
            label = None
        else:
            label = _label(cat, _require(d, "intensity", where), where)
        return cls(
            time,
            label,
            valence=_number(d.get("valence"), _where(where, "valence"), optional=True),
            arousal=_number(d.get("arousal"), _where(where, "arousal"), optional=True),
            probabilities=_probabilities(d.get("probabilities"), _where(where, "probabilities")),
            extra=_extra(d, cls._KEYS),
        )


def _frames(value: Any, where: str) -> tuple[EmotionFrame, ...]:
    if not isinstance(value, (list, tuple)):
        raise DataError(f"{where}: expected a list, got {type(value).__name__}")
    return tuple(
        f if isinstance(f, EmotionFrame) else EmotionFrame.from_dict(f, where=f"{where}[{i}]")
        for i, f in enumerate(value)
    )


# -- the static label ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StaticPrediction(_ReadByKey):
    """The ``static`` object of a record: the label of the whole input.

    Parameters
    ----------
    label : EmotionLabel
    probabilities : dict
        The 28 categories' probabilities (rounded to 5 decimals).
    valence, arousal : float
        In [-1, 1].
    quadrant : str
        ``Q1``-``Q4``.
    quadrant_probabilities : dict
        ``Q1``-``Q4`` -> probability.
    gems : dict, optional
        GEMS-9 term -> probability (the music model).
    extra : dict
        Further keys.
    """

    label: EmotionLabel
    probabilities: dict[str, float] | None
    valence: float
    arousal: float
    quadrant: str
    quadrant_probabilities: dict[str, float] | None
    gems: dict[str, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    #: JSON keys in order (``category`` and ``intensity`` come from ``label``).
    _KEYS = (
        "category",
        "intensity",
        "probabilities",
        "valence",
        "arousal",
        "quadrant",
        "quadrant_probabilities",
        "gems",
    )

    @property
    def category(self) -> str:
        """The label's category."""
        return self.label.category

    @property
    def intensity(self) -> float:
        """The label's intensity (0.0-1.0 in steps of 0.1)."""
        return self.label.intensity

    def _present(self) -> list[str]:
        return [k for k in self._KEYS if k in ("category", "intensity") or getattr(self, k) is not None] + list(
            self.extra
        )

    def to_dict(self) -> dict[str, Any]:
        """The documented ``static`` object."""
        d: dict[str, Any] = {"category": self.category, "intensity": self.intensity}
        if self.probabilities is not None:
            d["probabilities"] = dict(self.probabilities)
        d["valence"], d["arousal"], d["quadrant"] = self.valence, self.arousal, self.quadrant
        if self.quadrant_probabilities is not None:
            d["quadrant_probabilities"] = dict(self.quadrant_probabilities)
        if self.gems is not None:
            d["gems"] = dict(self.gems)
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, where: str = "static") -> StaticPrediction:
        """Inverse of :meth:`to_dict`; ``where`` names the object in error messages."""
        label = _label(_require(d, "category", where), _require(d, "intensity", where), where)
        quadrant = _string(_require(d, "quadrant", where), _where(where, "quadrant"))
        if quadrant not in QUADRANT_NAMES:
            raise DataError(f"{_where(where, 'quadrant')}: expected one of {QUADRANT_NAMES}, got {quadrant!r}")
        return cls(
            label,
            probabilities=_probabilities(d.get("probabilities"), _where(where, "probabilities")),
            valence=_number(_require(d, "valence", where), _where(where, "valence")),
            arousal=_number(_require(d, "arousal", where), _where(where, "arousal")),
            quadrant=quadrant,
            quadrant_probabilities=_probabilities(
                d.get("quadrant_probabilities"), _where(where, "quadrant_probabilities")
            ),
            gems=_probabilities(d.get("gems"), _where(where, "gems")),
            extra=_extra(d, cls._KEYS),
        )


def _static(value: Any, where: str) -> StaticPrediction:
    return value if isinstance(value, StaticPrediction) else StaticPrediction.from_dict(value, where=where)


# -- multimodal parts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModalityPrediction(_ReadByKey):
    """One modality of a multimodal record: its own prediction, or why it has none.

    Parameters
    ----------
    model : str or None
    static : StaticPrediction or None
        None when the modality is ``missing`` or failed (``error``).
    dynamic : tuple of EmotionFrame
    features : dict
    duration : float or None
    file : str, optional
        The lyrics file (lyrics only).
    confidence : float, optional
        The fusion weight's basis (set by fusion).
    error, missing : str, optional
        Why the modality has no prediction: it failed, or the input lacks it.
    extra : dict
    """

    model: str | None = None
    static: StaticPrediction | None = None
    dynamic: tuple[EmotionFrame, ...] = ()
    features: dict[str, Any] = field(default_factory=dict)
    duration: float | None = None
    file: str | None = None
    confidence: float | None = None
    error: str | None = None
    missing: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = ("model", "static", "dynamic", "features", "duration", "file", "confidence", "error", "missing")

    @property
    def ok(self) -> bool:
        """Whether the modality gave a prediction."""
        return self.static is not None

    def _present(self) -> list[str]:
        if self.static is None:
            keys = [k for k in ("error", "missing") if getattr(self, k) is not None]
        else:
            keys = ["model", "static", "dynamic", "features", "duration"]
            keys += [k for k in ("file", "confidence") if getattr(self, k) is not None]
        return keys + list(self.extra)

    def to_dict(self) -> dict[str, Any]:
        """``{model, static, dynamic, features, duration[, file][, confidence]}`` or ``{error|missing}``."""
        if self.static is None:
            d: dict[str, Any] = {k: getattr(self, k) for k in ("error", "missing") if getattr(self, k) is not None}
        else:
            d = {
                "model": self.model,
                "static": self.static.to_dict(),
                "dynamic": [f.to_dict() for f in self.dynamic],
                "features": self.features,
                "duration": self.duration,
            }
            if self.file is not None:
                d["file"] = self.file
            if self.confidence is not None:
                d["confidence"] = self.confidence
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, where: str = "modality") -> ModalityPrediction:
        """Inverse of :meth:`to_dict`."""
        _object(d, where)
        if "static" not in d:
            error = _string(d.get("error"), _where(where, "error"), optional=True)
            missing = _string(d.get("missing"), _where(where, "missing"), optional=True)
            if error is None and missing is None:
                raise DataError(f"{where}: missing field 'static' (or 'error'/'missing' saying why there is none)")
            return cls(error=error, missing=missing, extra=_extra(d, cls._KEYS))
        return cls(
            model=_string(d.get("model"), _where(where, "model"), optional=True),
            static=_static(d["static"], _where(where, "static")),
            dynamic=_frames(d.get("dynamic", []), _where(where, "dynamic")),
            features=_object(d.get("features", {}), _where(where, "features")),
            duration=_number(d.get("duration"), _where(where, "duration"), optional=True),
            file=_string(d.get("file"), _where(where, "file"), optional=True),
            confidence=_number(d.get("confidence"), _where(where, "confidence"), optional=True),
            extra=_extra(d, cls._KEYS),
        )


@dataclass(frozen=True)
class FusedPrediction(_ReadByKey):
    """A multimodal record's ``fused``: how the modalities were combined, and the result.

    Parameters
    ----------
    method : str
        ``"confidence-weighted late fusion"`` or ``"fusion head"``.
    weights : dict
        Modality -> weight (late fusion) or confidence (head).
    static : StaticPrediction
    dynamic : tuple of EmotionFrame
        Each with ``extra["modalities"]``, the modalities fused at that time.
    """

    method: str
    weights: dict[str, float]
    static: StaticPrediction
    dynamic: tuple[EmotionFrame, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = ("method", "weights", "static", "dynamic")

    def _present(self) -> list[str]:
        return list(self._KEYS) + list(self.extra)

    def to_dict(self) -> dict[str, Any]:
        """``{method, weights, static, dynamic}``."""
        return {
            "method": self.method,
            "weights": dict(self.weights),
            "static": self.static.to_dict(),
            "dynamic": [f.to_dict() for f in self.dynamic],
            **self.extra,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, where: str = "fused") -> FusedPrediction:
        """Inverse of :meth:`to_dict`."""
        return cls(
            method=_string(_require(d, "method", where), _where(where, "method")),
            weights=_probabilities(_require(d, "weights", where), _where(where, "weights")),
            static=_static(_require(d, "static", where), _where(where, "static")),
            dynamic=_frames(_require(d, "dynamic", where), _where(where, "dynamic")),
            extra=_extra(d, cls._KEYS),
        )


# -- the record -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PredictionRecord(_ReadByKey):
    """One prediction: what ``mvemo predict`` writes per input (``docs/predict.md``).

    Parameters
    ----------
    file : str
        The input path as given.
    model : str
        The model's name (and version).
    modality : str
        ``music``, ``symbolic``, ``lyrics``, ``video`` or ``multimodal``.
    duration : float or None
        Seconds; None for plain-text lyrics.
    static : StaticPrediction
    dynamic : tuple of EmotionFrame
        One per grid time 2.5, 3.0, ... (empty when the input has no time or is under 5 s).
    features : dict
        Modality-specific.
    modalities : dict of str to ModalityPrediction, optional
        Multimodal records: music, video, lyrics.
    fused : FusedPrediction, optional
        Multimodal records: the fusion (its static and dynamic are the record's).
    warnings : tuple of str
        Doubts about the input (truncated, noise, language; :mod:`mvemo.predict.checks`);
        written only when there is any.
    extra : dict
        Further keys.

    Examples
    --------
    >>> rec = PredictionRecord.from_dict({"file": "a.txt", "model": "m", "modality": "lyrics", "duration": None,
    ...     "static": {"category": "calm", "intensity": 0.3, "valence": 0.4, "arousal": -0.3, "quadrant": "Q4"},
    ...     "dynamic": [], "features": {}})
    >>> rec.static.category, rec.static.label.intensity, rec.to_dict()["static"]["quadrant"]
    ('calm', 0.3, 'Q4')
    """

    file: str
    model: str
    modality: str
    duration: float | None
    static: StaticPrediction
    dynamic: tuple[EmotionFrame, ...] = ()
    features: dict[str, Any] = field(default_factory=dict)
    modalities: dict[str, ModalityPrediction] | None = None
    fused: FusedPrediction | None = None
    warnings: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    _KEYS = (
        "file",
        "model",
        "modality",
        "duration",
        "static",
        "dynamic",
        "features",
        "modalities",
        "fused",
        "warnings",
    )

    def __post_init__(self) -> None:
        # predictors may hand in lists and plain dicts: store the typed, immutable forms
        object.__setattr__(self, "static", _static(self.static, "static"))
        object.__setattr__(self, "dynamic", _frames(self.dynamic, "dynamic"))
        if self.modalities is not None:
            object.__setattr__(
                self,
                "modalities",
                {
                    m: r
                    if isinstance(r, ModalityPrediction)
                    else ModalityPrediction.from_dict(r, where=f"modalities.{m}")
                    for m, r in self.modalities.items()
                },
            )
        if self.fused is not None and not isinstance(self.fused, FusedPrediction):
            object.__setattr__(self, "fused", FusedPrediction.from_dict(self.fused))
        object.__setattr__(self, "warnings", tuple(_string(w, "warnings[]") for w in self.warnings))

    def _present(self) -> list[str]:
        keys = list(self._KEYS[:7]) + [k for k in ("modalities", "fused") if getattr(self, k) is not None]
        return keys + (["warnings"] if self.warnings else []) + list(self.extra)

    def replace(self, **changes: Any) -> PredictionRecord:
        """A copy with some fields changed (e.g. ``file``)."""
        from dataclasses import replace

        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``docs/predict.md`` (plain dicts and lists)."""
        d: dict[str, Any] = {
            "file": self.file,
            "model": self.model,
            "modality": self.modality,
            "duration": self.duration,
            "static": self.static.to_dict(),
            "dynamic": [f.to_dict() for f in self.dynamic],
            "features": self.features,
        }
        if self.modalities is not None:
            d["modalities"] = {m: r.to_dict() for m, r in self.modalities.items()}
        if self.fused is not None:
            d["fused"] = self.fused.to_dict()
        if self.warnings:
            d["warnings"] = list(self.warnings)
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PredictionRecord:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            Naming the first missing or bad field (``static.quadrant``, ``dynamic[3].time``, ...).
        """
        mods = d.get("modalities")
        if mods is not None:
            mods = {
                m: ModalityPrediction.from_dict(r, where=f"modalities.{m}")
                for m, r in _object(mods, "modalities").items()
            }
        fused = d.get("fused")
        return cls(
            file=_string(_require(d, "file", ""), "file"),
            model=_string(_require(d, "model", ""), "model"),
            modality=_string(_require(d, "modality", ""), "modality"),
            duration=_number(_require(d, "duration", ""), "duration", optional=True),
            static=StaticPrediction.from_dict(_require(d, "static", "")),
            dynamic=_frames(_require(d, "dynamic", ""), "dynamic"),
            features=_object(_require(d, "features", ""), "features"),
            modalities=mods,
            fused=None if fused is None else FusedPrediction.from_dict(fused),
            warnings=tuple(_list(d.get("warnings", []), "warnings")),
            extra=_extra(d, cls._KEYS),
        )


# -- training ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report(_ReadByKey):
    """A trainer's JSON report: the model, its configuration and whatever it measured.

    Parameters
    ----------
    model : str or None
        The trained model's name (None: the trainer does not name it).
    config : dict or None
        The training configuration.
    metrics : dict
        Everything else, in the trainer's order: split sizes, per-split scores, baselines,
        ``seconds``, ...

    Examples
    --------
    >>> r = Report.from_dict({"model": "m-v1", "config": {"seed": 0}, "n_train": 10, "test": {"f1": 0.5}})
    >>> r.model, r.metrics["test"]["f1"], list(r.to_dict())
    ('m-v1', 0.5, ['model', 'config', 'n_train', 'test'])
    """

    model: str | None = None
    config: dict[str, Any] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)

    _KEYS = ("model", "config")

    @property
    def extra(self) -> dict[str, Any]:  # for _ReadByKey: the metrics are the other keys
        return self.metrics

    def _present(self) -> list[str]:
        return [k for k in self._KEYS if getattr(self, k) is not None] + list(self.metrics)

    def to_dict(self) -> dict[str, Any]:
        """``{model, config, ...metrics}`` (model and config left out when None)."""
        d: dict[str, Any] = {k: getattr(self, k) for k in self._KEYS if getattr(self, k) is not None}
        d.update(self.metrics)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        """Inverse of :meth:`to_dict`."""
        _object(d, "report")
        return cls(
            model=_string(d.get("model"), "model", optional=True),
            config=_object(d.get("config"), "config", optional=True),
            metrics=_extra(d, cls._KEYS),
        )

    @classmethod
    def read(cls, path: str | Path) -> Report:
        """Read a ``report.json``.

        Raises
        ------
        DataError
            If the file is missing, not JSON, or not a report.
        """
        p = Path(path)
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{p}: cannot read a JSON report ({exc})") from None
        try:
            return cls.from_dict(d)
        except DataError as exc:
            raise DataError(f"{p}: {exc}") from None

    def write(self, path: str | Path) -> Path:
        """Write the report as indented JSON, atomically (numpy scalars become floats)."""
        from mvemo.util import atomic_write

        p = Path(path)
        atomic_write(p, json.dumps(self.to_dict(), indent=2, default=float) + "\n")
        return p


def record_fields(cls: type) -> tuple[str, ...]:
    """The JSON keys a record class documents, in the order it writes them.

    Examples
    --------
    >>> record_fields(EmotionFrame)
    ('time', 'category', 'intensity', 'valence', 'arousal', 'probabilities')
    """
    return tuple(cls._KEYS) if cls is not Report else ("model", "config")

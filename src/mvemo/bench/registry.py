"""The benchmark's model interface and the registry of models.

Every model, trained or zero-shot, is used the same way by the runner::

    model = create_model("music2emo")
    model.fit(train_items, task=task)          # a no-op for models that do not train
    predictions = model.predict(test_items, task=task)

``predict`` returns one :class:`Prediction` per item: the unified static label, or the
labels at the item's reference grid times for a dynamic task, plus the raw text for
models that generate text (the LLM adapter).  An estimate that is missing or failed
is ``None`` and counts as invalid (in the Error Rate and as wrong in P/R/F1).

Models are registered by name with a factory that imports its dependencies only
when the model is created.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from mvemo.bench.tasks import Task
from mvemo.data.manifest import Item
from mvemo.errors import ParameterError

__all__ = [
    "Prediction",
    "BenchModel",
    "ModelSpec",
    "register_model",
    "list_models",
    "model_spec",
    "create_model",
    "align_dynamic",
]

_TIME_TOL = 0.26  # s: a predicted frame matches a reference time within half a grid step


@dataclass
class Prediction:
    """A model's estimate for one item.

    Attributes
    ----------
    item_id : str
    category : str or None
        Static category (None: invalid or not predicted).
    intensity : float or None
        Static intensity on the 0.1 grid.
    dynamic : list of dict or None
        ``{"time", "category", "intensity"}`` at the item's reference grid times
        (dynamic tasks); None entries are invalid.
    valence, arousal : float or None
        The model's own VA estimate in [-1, 1], where it gives one (static).
    raw : str or None
        Raw generated text (text-generating models), for the Error-Rate audit.
    error : str or None
        Why the estimate is invalid (parser message, failed request, unreadable file).
    """

    item_id: str
    category: str | None = None
    intensity: float | None = None
    dynamic: list[dict[str, Any]] | None = None
    valence: float | None = None
    arousal: float | None = None
    raw: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (None fields kept)."""
        return asdict(self)


class BenchModel(Protocol):
    """What the runner needs from a model."""

    name: str
    #: Whether :meth:`fit` learns from the training split.
    trains: bool

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """Learn from training items (a no-op for models that do not train)."""

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        """One prediction per item, in order."""

    def config(self) -> dict[str, Any]:
        """The options that define the model (JSON-ready; never secrets)."""


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes
    ----------
    name : str
    factory : str or callable
        ``"module:function"`` or a callable ``(**options) -> BenchModel``.
    description : str
    tasks : tuple of str or None
        The tasks the model can run (None: any).
    representation : str
        ``"unified"`` (predicts unified labels directly) or ``"va"`` (predicts valence
        and arousal, converted with MVEmo eq. 5-10): Table V compares the two.
    pair : str or None
        The name of the same model with the other representation, for Table V.
    """

    name: str
    factory: str | Callable[..., Any]
    description: str
    tasks: tuple[str, ...] | None = None
    representation: str = "unified"
    pair: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


_MODELS: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> None:
    """Add (or replace) a model in the registry."""
    if not isinstance(spec.name, str) or not spec.name:
        raise ParameterError(f"a model name must be a non-empty string, got {spec.name!r}")
    if spec.representation not in ("unified", "va"):
        raise ParameterError(f"representation must be 'unified' or 'va', got {spec.representation!r}")
    _MODELS[spec.name] = spec


def list_models() -> list[str]:
    """Registered model names."""
    return list(_MODELS)


def model_spec(name: str) -> ModelSpec:
    """The spec of a registered model.

    Raises
    ------
    ParameterError
        For an unknown name.
    """
    if name not in _MODELS:
        raise ParameterError(f"unknown model {name!r}; known: {', '.join(_MODELS)}")
    return _MODELS[name]


def create_model(name: str, **options: Any) -> BenchModel:
    """Instantiate a registered model; ``options`` override the spec's defaults."""
    spec = model_spec(name)
    factory = spec.factory
    if isinstance(factory, str):
        module, attr = factory.split(":")
        factory = getattr(importlib.import_module(module), attr)
    merged = {**spec.options, **options}
    try:
        inspect.signature(factory).bind(**merged)
    except TypeError as exc:
        raise ParameterError(f"model {name!r}: bad option(s) {sorted(merged)} ({exc})") from None
    return factory(**merged)


def align_dynamic(ref_times: Sequence[float], frames: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Predicted frames at the reference grid times (nearest within a quarter second, else None).

    Parameters
    ----------
    ref_times : sequence of float, shape (T,)
        Seconds.
    frames : sequence of dict
        ``{"time", "category", "intensity"}`` as in a prediction record.

    Returns
    -------
    list of dict, length T
        ``{"time", "category", "intensity"}`` with None where no frame is close enough.

    Examples
    --------
    >>> align_dynamic([2.5, 3.0, 9.0], [{"time": 2.5, "category": "sad", "intensity": 0.5},
    ...                                 {"time": 3.0, "category": "calm", "intensity": 0.2}])[2]
    {'time': 9.0, 'category': None, 'intensity': None}
    """
    times = np.array([float(f["time"]) for f in frames], dtype=np.float64)
    out = []
    for t in ref_times:
        j = int(np.argmin(np.abs(times - t))) if len(times) else -1
        if j >= 0 and abs(times[j] - t) <= _TIME_TOL:
            out.append(
                {"time": float(t), "category": frames[j].get("category"), "intensity": frames[j].get("intensity")}
            )
        else:
            out.append({"time": float(t), "category": None, "intensity": None})
    return out


# -- the registry ---------------------------------------------------------------------
_STATIC_ANY = None


def _shipped_specs() -> list[ModelSpec]:
    """mvemo's own models, from the model registry (:mod:`mvemo.models.registry`): each with
    its unified-label spec and its ``-va`` twin (labels converted from its valence-arousal)."""
    from mvemo.models.registry import list_model_entries

    specs = []
    for e in list_model_entries():
        if e.bench_name is None:
            continue
        factory = "mvemo.bench.adapters:music_model" if e.name == "music" else "mvemo.bench.adapters:registry_model"
        options = {} if e.name == "music" else {"model": e.name}
        va = f"{e.bench_name}-va"
        specs.append(
            ModelSpec(
                e.bench_name,
                factory,
                f"{e.description}, unified labels from its category and intensity outputs",
                e.bench_tasks,
                "unified",
                va,
                options,
            )
        )
        specs.append(
            ModelSpec(
                va,
                factory,
                f"{e.description}, labels converted from its valence-arousal (MVEmo eq. 5-10)",
                e.bench_tasks,
                "va",
                e.bench_name,
                {**options, "representation": "va"},
            )
        )
    return specs


for _spec in (
    *_shipped_specs(),
    ModelSpec(
        "majority",
        "mvemo.bench.baselines:MajorityBaseline",
        "baseline: the most frequent training category and intensity",
        _STATIC_ANY,
    ),
    ModelSpec(
        "prior",
        "mvemo.bench.baselines:PriorBaseline",
        "baseline: labels drawn (seeded) from the training labels' joint distribution",
        _STATIC_ANY,
    ),
    ModelSpec(
        "logreg-music",
        "mvemo.bench.baselines:LogRegMusic",
        "baseline: multinomial logistic regression "
        "(category, intensity level) on the music model's pooled musicnn features",
        ("music-static", "music-dynamic"),
        "unified",
        "ridge-music-va",
    ),
    ModelSpec(
        "ridge-music-va",
        "mvemo.bench.baselines:RidgeMusicVA",
        "baseline: ridge regression of valence and arousal on the same features, converted (MVEmo eq. 5-10)",
        ("music-static", "music-dynamic"),
        "va",
        "logreg-music",
    ),
    ModelSpec(
        "llm",
        "mvemo.bench.llm:LLMModel",
        "any OpenAI-compatible chat endpoint (vLLM, llama.cpp, "
        "Ollama, hosted APIs), answers in MVEmo's fixed format, parsed",
        _STATIC_ANY,
    ),
):
    register_model(_spec)

"""Run one (task, model, data) of MVEmo-Bench and write its record.

A run loads the items (a manifest, or a registered dataset), keeps those the task can
score, splits them (the manifest's split, or seeded 8:1:1), fits the model on the train
split where it trains, predicts the evaluated split (for dynamic tasks a seeded subset
of it, 1,000 samples by default as in MVEmo), scores the predictions with
:mod:`mvemo.metrics` and writes one JSON record, atomically, with everything needed to
regenerate the table row exactly: the configuration, the seed, the package versions,
the manifest's hash, the timing and every prediction (with raw text for LLMs).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import json
import math
import platform
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from mvemo.bench.registry import Prediction, create_model, model_spec
from mvemo.bench.splits import SplitSource, seeded_subset, split_items
from mvemo.bench.tasks import Task, get_task
from mvemo.data.manifest import Item, read_manifest
from mvemo.errors import DataError, ParameterError
from mvemo.io import atomic_write
from mvemo.metrics import evaluate, evaluate_dynamic
from mvemo.util import data_home as resolve_data_home

__all__ = [
    "RECORD_KIND",
    "RunConfig",
    "DEFAULT_DATA",
    "load_items",
    "score",
    "run_bench",
    "record_path",
    "package_versions",
]

RECORD_KIND = "mvemo-bench-run"
RECORD_VERSION = 1

#: Dataset used when ``--data`` is not given (None: the task needs a manifest).
DEFAULT_DATA: dict[str, str | None] = {
    "lyrics-static": "lyrics",
    "music-static": "4q_panda2018",
    "music-dynamic": "emomusic",
    "video-static": None,
    "video-dynamic": None,
    "multimodal-static": None,
    "multimodal-dynamic": None,
    "symbolic-static": "emopia",
}

EvalSplit = Literal["test", "validation", "all"]


@dataclass
class RunConfig:
    """Everything that defines a run (written into its record).

    Attributes
    ----------
    task, model : str
        Registered names.
    data : str or None
        A manifest path (``.jsonl``/``.parquet``) or a registered dataset name; None: the
        task's default dataset (:data:`DEFAULT_DATA`).
    data_home : str or None
        Root of the media (default: a manifest's own folder; for a dataset ``$MVEMO_DATA``, then
        ``../shared/data``; see :func:`mvemo.util.data_home`).
    seed : int
        Seed of the split, the dynamic subset and seeded models.
    split_source : {"auto", "manifest", "seeded"}
    eval_split : {"test", "validation", "all"}
        Which split is scored; ``"all"`` (every eligible item) only for models that do not train.
    subset : int or None
        Dynamic tasks: size of the seeded subset of the scored split (MVEmo: 1000).
    limit : int or None
        Score at most this many items (a seeded subset; for quick runs).
    average : {"macro", "weighted", "micro"}
    model_options : dict
        Passed to the model's factory (secrets are not recorded: see the model's config).
    """

    task: str
    model: str
    data: str | None = None
    data_home: str | None = None
    seed: int = 0
    split_source: SplitSource = "auto"
    eval_split: EvalSplit = "test"
    subset: int | None = 1000
    limit: int | None = None
    average: str = "macro"
    model_options: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The config without secret model options (keys, tokens)."""
        d = asdict(self)
        d["model_options"] = {
            k: ("***" if re.search(r"key|token|secret|password", k, re.I) else v)
            for k, v in self.model_options.items()
            if k != "sleep"
        }
        return d


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_items(data: str, *, data_home: str | None = None) -> tuple[list[Item], dict[str, Any]]:
    """Items of a manifest file or a registered dataset, and a description of the source.

    Parameters
    ----------
    data : str
        A path ending in ``.jsonl``/``.ndjson``/``.parquet``/``.pq``, or a dataset name.
    data_home : str, optional
        Media root.  Default (:func:`mvemo.util.data_home`): a manifest's own folder; for a
        registered dataset ``$MVEMO_DATA``, then ``../shared/data``.

    Returns
    -------
    items : list of Item
    source : dict
        ``{"kind": "manifest"|"dataset", "name", "path"?, "sha256"?}``.

    Raises
    ------
    DataError, ParameterError
        For a missing file or an unknown dataset.
    """
    p = Path(data)
    if p.suffix.lower() in (".jsonl", ".ndjson", ".parquet", ".pq") or p.is_file():
        if not p.is_file():
            raise DataError(f"{p}: manifest not found")
        root = str(resolve_data_home(data_home, manifest=p))
        items = read_manifest(p, data_home=root)
        return items, {"kind": "manifest", "name": p.stem, "path": str(p), "sha256": _sha256(p), "data_home": root}
    from mvemo.data import load

    ds = load(data, data_home=data_home)
    return ds.index(), {"kind": "dataset", "name": data, "data_home": str(ds.root)}


def package_versions() -> dict[str, str | None]:
    """Versions of Python, mvemo and the packages that affect the scores."""
    out: dict[str, str | None] = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in ("mvemo", "numpy", "scipy", "torch", "librosa", "click"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return x


def score(
    items: Sequence[Item],
    predictions: Sequence[Prediction],
    task: Task,
    *,
    average: str = "macro",
) -> dict[str, Any]:
    """MVEmo-Bench scores of predictions against the items' unified labels.

    Static: :func:`mvemo.metrics.evaluate` over the items; dynamic:
    :func:`mvemo.metrics.evaluate_dynamic` over the grid times of each item, then averaged.
    A missing or failed estimate is invalid (wrong in P/R/F1, counted in the Error Rate).
    """
    by_id = {p.item_id: p for p in predictions}
    if not items:
        raise ParameterError(f"no items to score for {task.name}")
    if not task.dynamic:
        ref_c = [it.static.category for it in items]
        ref_i = [float(it.static.intensity) for it in items]
        est = [by_id.get(it.id) for it in items]
        est_c = [p.category if p else None for p in est]
        est_i = [p.intensity if p and p.category is not None else None for p in est]
        return evaluate(ref_c, ref_i, est_c, est_i, average=average)
    ids, rc, ri, ec, ei = [], [], [], [], []
    for it in items:
        p = by_id.get(it.id)
        frames = {round(float(f["time"]), 3): f for f in (p.dynamic or [])} if p else {}
        for ref in it.dynamic or []:
            f = frames.get(round(float(ref.time), 3))  # an estimate: {"time", "category", "intensity"}
            ids.append(it.id)
            rc.append(ref.category)
            ri.append(float(ref.intensity))
            ok = f is not None and f.get("category") is not None and f.get("intensity") is not None
            ec.append(f.get("category") if ok else None)
            ei.append(f.get("intensity") if ok else None)
    return evaluate_dynamic(ids, rc, ri, ec, ei, average=average)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name)


def record_path(out_dir: str | Path, *, task: str, model_name: str, data_name: str, seed: int) -> Path:
    """Where a run's record goes: ``<out>/<task>__<model>__<data>__seed<seed>.json``."""
    return Path(out_dir) / f"{_safe(task)}__{_safe(model_name)}__{_safe(data_name)}__seed{int(seed)}.json"


def run_bench(config: RunConfig, *, out_dir: str | Path | None = None, log=None) -> dict[str, Any]:
    """Run one benchmark configuration; returns the record (and writes it when ``out_dir`` is given).

    Parameters
    ----------
    config : RunConfig
    out_dir : str or Path, optional
        Folder of the run records (written atomically; the LLM's raw responses go to a
        ``.responses.jsonl`` beside the record).
    log : callable, optional
        ``log(str)`` for progress lines.

    Raises
    ------
    ParameterError
        For an unknown task or model, a model that cannot run the task, or nothing to score.
    """
    log = log or (lambda *_: None)
    t_start = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    task = get_task(config.task)
    spec = model_spec(config.model)
    if spec.tasks is not None and task.name not in spec.tasks:
        raise ParameterError(f"model {spec.name!r} cannot run task {task.name!r}; it runs {', '.join(spec.tasks)}")
    if config.eval_split not in ("test", "validation", "all"):
        raise ParameterError(f"eval_split must be 'test', 'validation' or 'all', got {config.eval_split!r}")
    data = config.data or DEFAULT_DATA.get(task.name)
    if data is None:
        raise ParameterError(
            f"task {task.name} has no default dataset here: pass --data MANIFEST "
            "(a manifest of music videos, e.g. one built for MVEmo)"
        )

    items, source = load_items(data, data_home=config.data_home)
    eligible = [it for it in items if task.eligible(it)]
    if not eligible:
        raise ParameterError(
            f"{source['name']}: none of its {len(items)} items has what {task.name} needs "
            f"(media {' or '.join(task.roles)} and {task.labels} labels"
            f"{', complete' if task.dynamic else ''})"
        )
    splits = split_items(eligible, source=config.split_source, seed=config.seed)
    t_load = time.perf_counter()

    options = dict(config.model_options)
    factory_params = _factory_params(spec)
    if "seed" in factory_params and "seed" not in options:
        options["seed"] = config.seed
    path = None
    if out_dir is not None:
        probe = record_path(
            out_dir, task=task.name, model_name=config.model, data_name=source["name"], seed=config.seed
        )
        if "log_path" in factory_params or spec.name == "llm":
            options.setdefault("log_path", str(probe.with_suffix(".responses.jsonl")))
    model = create_model(config.model, **options)
    trains = bool(getattr(model, "trains", False))
    if config.eval_split == "all" and trains:
        raise ParameterError(f"eval_split 'all' would score {config.model}'s own training items; use 'test'")
    scored = eligible if config.eval_split == "all" else splits[config.eval_split]
    if task.dynamic:
        scored = seeded_subset(scored, config.subset, seed=config.seed)
    if config.limit is not None:
        scored = seeded_subset(scored, config.limit, seed=config.seed)
    if not scored:
        raise ParameterError(f"{source['name']}: the {config.eval_split} split has no item for {task.name}")

    t0 = time.perf_counter()
    if trains:
        if not splits["train"]:
            raise ParameterError(f"{source['name']}: no training items for {config.model} on {task.name}")
        log(f"fit {model.name} on {len(splits['train'])} items")
        model.fit(splits["train"], task=task)
    t_fit = time.perf_counter()
    if "log_path" in options:  # the raw-response log holds the latest run only (resumes come from the cache)
        Path(options["log_path"]).unlink(missing_ok=True)
    log(f"predict {len(scored)} items with {model.name}")
    predictions = model.predict(scored, task=task)
    t_pred = time.perf_counter()
    scores = score(scored, predictions, task, average=config.average)

    by_id = {p.item_id: p for p in predictions}
    rows = []
    for it in scored:
        p = by_id.get(it.id)
        row: dict[str, Any] = {"item_id": it.id, "dataset": it.dataset}
        if task.dynamic:
            row["ref"] = [{"time": r.time, "category": r.category, "intensity": r.intensity} for r in it.dynamic or []]
        else:
            row["ref"] = {"category": it.static.category, "intensity": it.static.intensity}
        row["est"] = p.to_dict() if p else None
        rows.append(row)
    record = {
        "kind": RECORD_KIND,
        "record_version": RECORD_VERSION,
        "task": task.name,
        "task_labels": task.labels,
        "paper_task": task.paper,
        "model": config.model,
        "model_name": model.name,
        "representation": spec.representation,
        "pair": spec.pair,
        "data": {
            **source,
            "n_items": len(items),
            "n_eligible": len(eligible),
            "datasets": sorted({it.dataset for it in scored}),
        },
        "config": config.public(),
        "model_config": model.config(),
        "seed": config.seed,
        "split": {
            "source": config.split_source,
            "scored": config.eval_split,
            "counts": {k: len(v) for k, v in splits.items()},
            "n_scored": len(scored),
            "n_train": len(splits["train"]) if trains else 0,
        },
        "versions": package_versions(),
        "timing": {
            "started": started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_s": round(t_load - t_start, 3),
            "fit_s": round(t_fit - t0, 3),
            "predict_s": round(t_pred - t_fit, 3),
            "total_s": round(time.perf_counter() - t_start, 3),
        },
        "scores": _nan_to_none(scores),
        "predictions": rows,
    }
    if getattr(model, "stats", None):
        record["llm_stats"] = dict(model.stats)
    if "log_path" in options:
        record["raw_responses"] = Path(options["log_path"]).name
    if callable(getattr(model, "secrets", None)) and model.secrets():  # e.g. an API key echoed in an answer
        from mvemo.bench.llm import redact

        record = redact(record, model.secrets())
    if out_dir is not None:
        path = record_path(out_dir, task=task.name, model_name=config.model, data_name=source["name"], seed=config.seed)
        atomic_write(path, json.dumps(_nan_to_none(record), ensure_ascii=False, indent=1, allow_nan=False) + "\n")
        record["path"] = str(path)
    return record


def _factory_params(spec) -> set[str]:
    factory = spec.factory
    if isinstance(factory, str):
        module, attr = factory.split(":")
        factory = getattr(importlib.import_module(module), attr)
    return set(inspect.signature(factory).parameters)

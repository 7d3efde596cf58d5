"""The MVAnno curriculum runner (framework-agnostic; the model lives in a backend).

For each stage in order (:meth:`CurriculumConfig.order`):

1. The backend prepares the stage's data (:meth:`Backend.prepare`); absent data (no dataset
   found, too few items) skips the stage with a message, recorded as ``skipped`` with the
   reason.  A skipped stage passes its parent's weights on unchanged.
2. The model starts from the parent stage's final checkpoint (a fresh model for the first
   stage); the dynamic branch's first stage starts from ``fork_from``.
3. It trains for the stage's steps (or epochs), saving ``partial.safetensors`` (weights and
   optimizer state) every ``checkpoint_every`` steps and when interrupted between steps.
   Batches and dropout depend only on (seed, stage, step), so a resumed stage continues
   exactly where it stopped.
4. The final weights go to ``stages/<name>/model.safetensors``; the model is then evaluated
   on the validation data of every trained stage of its lineage (D_e per dataset, against
   the paper reference ``D_e`` and the informative reference ``D_e_informative``), which
   gives the Table II row and the forgetting matrix (:mod:`mvemo.anno.report`).

Progress and results are kept in ``state.json``; a rerun skips finished stages.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mvemo.anno.checkpoint import (
    load_tensors,
    read_json,
    save_tensors,
    stage_dir,
    write_json,
)
from mvemo.anno.config import CurriculumConfig, StageConfig
from mvemo.errors import DataError, ParameterError

__all__ = ["STATE_FILE", "Backend", "Prepared", "Trainer", "run_curriculum", "stage_weights_path"]

STATE_FILE = "state.json"


@dataclass
class Prepared:
    """A stage's data as a backend prepared it.

    Attributes
    ----------
    n_train : int
        Training examples (windows for the dynamic branch).
    train : object
        Backend-specific training data.
    val : dict of str to object
        Backend-specific validation data per dataset.
    notes : list of str
        What the backend wants recorded (items without features, caps applied, ...).
    """

    n_train: int
    train: Any
    val: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class Trainer(Protocol):
    """One stage's optimisation, stepped by the runner."""

    def step(self, index: int) -> float:
        """Run training step ``index`` (0-based); returns its loss."""

    def state(self) -> dict[str, np.ndarray]:
        """Optimizer state as named arrays."""

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore :meth:`state`."""


class Backend(Protocol):
    """What the runner needs from a model backend."""

    name: str

    def prepare(self, stage: StageConfig, cfg: CurriculumConfig, *, log: Callable[[str], None]) -> Prepared | str:
        """The stage's data, or a string saying why it is absent."""

    def new_model(self, *, seed: int) -> Any:
        """A freshly initialised model."""

    def weights(self, model: Any) -> dict[str, np.ndarray]:
        """The model's weights as named arrays."""

    def load_weights(self, model: Any, arrays: dict[str, np.ndarray]) -> None:
        """Load :meth:`weights`."""

    def trainer(self, model: Any, stage: StageConfig, data: Prepared, *, seed: int, replay: list[Prepared]) -> Trainer:
        """The stage's trainer (only the stage's ``train`` parts receive updates)."""

    def evaluate(self, model: Any, val: Any) -> dict[str, float]:
        """Scores on one validation set: at least ``D_e`` and ``n``."""


def stage_weights_path(cfg: CurriculumConfig, state: dict[str, Any], name: str | None) -> Path | None:
    """The weights a stage left: its own, or (skipped) its parent's; None for a fresh model."""
    while name is not None:
        rec = state["stages"].get(name, {})
        if rec.get("status") == "done":
            return stage_dir(cfg.out_dir, name) / "model.safetensors"
        name = cfg.parent(name)
    return None


def _load_state(cfg: CurriculumConfig) -> dict[str, Any]:
    path = Path(cfg.out_dir) / STATE_FILE
    if path.is_file():
        state = read_json(path)
        if state.get("backend") != cfg.backend:
            raise DataError(
                f"{path} was written by backend {state.get('backend')!r}, not {cfg.backend!r}; use another out_dir"
            )
        if state.get("targets", cfg.targets) != cfg.targets:
            raise DataError(
                f"{path} was trained on {state['targets']!r} targets, the config says {cfg.targets!r}; use another out_dir"
            )
        state.setdefault("targets", cfg.targets)
        return state
    return {
        "backend": cfg.backend,
        "config": cfg.source,
        "targets": cfg.targets,
        "stages": {},
        "order": [s.name for s in cfg.order()],
    }


def _save_state(cfg: CurriculumConfig, state: dict[str, Any]) -> None:
    write_json(Path(cfg.out_dir) / STATE_FILE, state)


def _steps(stage: StageConfig, n_train: int) -> int:
    if stage.steps is not None:
        return int(stage.steps)
    return int(stage.epochs) * max(1, math.ceil(n_train / int(stage.optimizer.batch_size)))


def _split(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}


def _pool(per: dict[str, dict[str, Any]], key: str, n: int) -> float | None:
    """n-weighted mean of ``key`` over datasets (datasets without it count with their paper D_e)."""
    if not n:
        return None
    return sum(s.get(key, s["D_e"]) * s["n"] for s in per.values() if s["n"]) / n


def run_curriculum(
    cfg: CurriculumConfig,
    backend: Backend,
    *,
    log: Callable[[str], None] = print,
    on_step: Callable[[str, int, float], None] | None = None,
    only: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Run (or resume) a curriculum; returns the final state (also in ``out_dir/state.json``).

    Parameters
    ----------
    cfg : CurriculumConfig
    backend : Backend
    log : callable
        Progress lines.
    on_step : callable, optional
        ``on_step(stage, completed_steps, loss)`` after every step (a ``KeyboardInterrupt``
        raised there stops the run after saving a resumable checkpoint).
    only : tuple of str, optional
        Run only these stages (their parents must be finished).

    Raises
    ------
    ParameterError
        ``only`` names an unknown stage, or a stage whose parent has not run.
    """
    Path(cfg.out_dir).mkdir(parents=True, exist_ok=True)
    state = _load_state(cfg)
    names = [s.name for s in cfg.stages]
    for n in only or ():
        if n not in names:
            raise ParameterError(f"no stage {n!r} (stages: {names})")
    prepared: dict[str, Prepared] = {}

    def prep(stage: StageConfig) -> Prepared | str:
        if stage.name not in prepared:
            got = backend.prepare(stage, cfg, log=log)
            if isinstance(got, str):
                return got
            prepared[stage.name] = got
        return prepared[stage.name]

    t_run = time.perf_counter()
    order = cfg.order()
    for k, stage in enumerate(order):
        rec = state["stages"].get(stage.name, {})
        if rec.get("status") in ("done", "skipped"):
            log(f"[{k + 1}/{len(order)}] {stage.name}: {rec['status']} earlier, kept")
            continue
        if only is not None and stage.name not in only:
            continue
        parent = cfg.parent(stage.name)
        if parent is not None and state["stages"].get(parent, {}).get("status") not in ("done", "skipped"):
            raise ParameterError(f"stage {stage.name!r} needs stage {parent!r} first")
        t0 = time.perf_counter()
        data = prep(stage)
        if isinstance(data, str):
            log(f"[{k + 1}/{len(order)}] {stage.name} ({stage.branch}): SKIPPED: {data}")
            state["stages"][stage.name] = {
                "status": "skipped",
                "reason": data,
                "branch": stage.branch,
                "parent": parent,
            }
            _save_state(cfg, state)
            continue
        model = backend.new_model(seed=cfg.seed)
        start_from = stage_weights_path(cfg, state, parent)
        if start_from is not None:
            backend.load_weights(model, load_tensors(start_from))
        replay = []
        if stage.replay > 0:
            for name in cfg.lineage(stage.name)[:-1]:
                if state["stages"].get(name, {}).get("status") == "done":
                    got = prep(cfg.stage(name))
                    if not isinstance(got, str):
                        replay.append(got)
        total = _steps(stage, data.n_train)
        trainer = backend.trainer(model, stage, data, seed=cfg.seed + 1000 * names.index(stage.name), replay=replay)
        sdir = stage_dir(cfg.out_dir, stage.name)
        partial, partial_meta = sdir / "partial.safetensors", sdir / "partial.json"
        first = 0
        if partial.is_file() and partial_meta.is_file():
            arrays = load_tensors(partial)
            backend.load_weights(model, _split(arrays, "model/"))
            trainer.load_state(_split(arrays, "optim/"))
            first = int(read_json(partial_meta)["step"])
            log(f"[{k + 1}/{len(order)}] {stage.name}: resuming at step {first}/{total}")
        else:
            src = f"from {start_from.parent.name}" if start_from is not None else "from a fresh model"
            log(
                f"[{k + 1}/{len(order)}] {stage.name} ({stage.branch}, {data.n_train} training examples, "
                f"{total} steps, trains {', '.join(stage.train)}) {src}"
            )
        for note in data.notes:
            log(f"    {note}")
        state["stages"][stage.name] = {
            "status": "running",
            "branch": stage.branch,
            "parent": parent,
            "steps": total,
            "steps_done": first,
        }
        _save_state(cfg, state)

        def save_partial(
            done: int, model=model, trainer=trainer, partial=partial, partial_meta=partial_meta, name=stage.name
        ) -> None:
            arrays = {f"model/{n}": v for n, v in backend.weights(model).items()}
            arrays.update({f"optim/{n}": v for n, v in trainer.state().items()})
            save_tensors(partial, arrays)
            write_json(partial_meta, {"stage": name, "step": done})

        in_step, done, losses = False, first, []
        every = max(1, total // 10)
        try:
            for i in range(first, total):
                in_step = True
                loss = trainer.step(i)
                in_step, done = False, i + 1
                losses.append(loss)
                if done % every == 0 or done == total:
                    log(
                        f"    {stage.name}: step {done}/{total} loss {np.mean(losses[-every:]):.4f} "
                        f"({time.perf_counter() - t0:.0f} s)"
                    )
                if done % int(cfg.checkpoint_every) == 0 and done < total:
                    save_partial(done)
                if on_step is not None:
                    on_step(stage.name, done, loss)
        except KeyboardInterrupt:
            if not in_step and done > first:
                save_partial(done)
                log(f"interrupted: {stage.name} saved at step {done}/{total}; rerun to resume")
            state["stages"][stage.name]["steps_done"] = done
            _save_state(cfg, state)
            raise
        save_tensors(sdir / "model.safetensors", backend.weights(model))
        scores = {}
        for name in cfg.lineage(stage.name):
            if name != stage.name and state["stages"].get(name, {}).get("status") != "done":
                continue
            got = prep(cfg.stage(name))
            if isinstance(got, str):
                continue
            per = {ds: backend.evaluate(model, v) for ds, v in got.val.items()}
            n = sum(s["n"] for s in per.values())
            scores[name] = {"D_e": _pool(per, "D_e", n), "n": n, "datasets": per}
            if any("D_e_informative" in s for s in per.values()):
                scores[name]["D_e_informative"] = _pool(per, "D_e_informative", n)
        seconds = time.perf_counter() - t0
        meta = {
            "stage": stage.name,
            "branch": stage.branch,
            "parent": parent,
            "steps": total,
            "n_train": data.n_train,
            "seconds": round(seconds, 1),
            "config": asdict(stage),
            "eval": scores,
            "notes": data.notes,
            "backend_options": cfg.backend_options,
        }
        write_json(sdir / "meta.json", meta)
        partial.unlink(missing_ok=True)
        partial_meta.unlink(missing_ok=True)
        state["stages"][stage.name] = {
            "status": "done",
            "branch": stage.branch,
            "parent": parent,
            "steps": total,
            "steps_done": total,
            "n_train": data.n_train,
            "seconds": round(seconds, 1),
            "eval": scores,
        }
        _save_state(cfg, state)
        own = scores.get(stage.name, {}).get("D_e")
        log(
            f"    {stage.name}: done in {seconds:.0f} s; val D_e (paper / informative) "
            + ", ".join(
                f"{n} {s['D_e']:.4f} / {s.get('D_e_informative', float('nan')):.4f}"
                for n, s in scores.items()
                if s["D_e"] is not None
            )
            + ("" if own is not None else " (no validation data)")
        )
    state["wall_seconds_last_run"] = round(time.perf_counter() - t_run, 1)
    _save_state(cfg, state)
    return state

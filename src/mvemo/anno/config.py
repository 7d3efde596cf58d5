"""MVAnno curriculum configs: a TOML file of stages, read into checked dataclasses.

Layout of the TOML file (``configs/mvanno.toml`` is the shipped example)::

    backend = "mvanno-cpu"          # or "phi4mm"
    out_dir = "build/mvanno"
    seed = 0
    fork_from = "video_static"      # the static stage the dynamic branch starts from
    targets = "informative"         # or "paper": what the head trains on (mvemo.anno.targets)

    [optimizer]                     # overrides of the paper's defaults, for every stage
    lr = 1e-3
    reason = "why the paper's values are not used"   # required when anything is overridden

    [[stage]]
    name = "music"
    branch = "static"               # or "dynamic"
    modalities = ["music"]          # image, video, music, lyrics, midi
    datasets = ["4q_panda2018", "emotify"]   # registered names or manifest paths
    train = ["encoders", "projectors", "lora_m"]   # also "lora_v", "trunk", "head"
    steps = 400                     # or epochs = 3
    [stage.optimizer]               # per-stage overrides (optional)

A stage's parent is the previous stage of its branch; the first dynamic stage's parent is
``fork_from`` (MVEmo section III-B: MVAnno_dynamic forks from MVAnno_static after the
static video stage).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from mvemo.errors import DataError, ParameterError

__all__ = ["BRANCHES", "MODALITIES", "PARTS", "CurriculumConfig", "OptimConfig", "StageConfig", "load_config"]

BRANCHES = ("static", "dynamic")
MODALITIES = ("image", "video", "music", "lyrics", "midi")
#: Trainable parts: the paper's four plus ``trunk`` and ``head`` (our CPU trunk starts untrained).
PARTS = ("encoders", "projectors", "lora_v", "lora_m", "trunk", "head")


@dataclass(frozen=True)
class OptimConfig:
    """AdamW settings; the defaults are the paper's (MVEmo section III-B).

    Attributes
    ----------
    lr : float
        Learning rate (paper 4e-5).
    beta1, beta2 : float
        AdamW betas (paper 0.9, 0.95).
    eps : float
        AdamW epsilon (paper 1e-7).
    batch_size : int
        Paper 4.
    weight_decay : float
        Paper 0.01.
    """

    lr: float = 4e-5
    beta1: float = 0.9
    beta2: float = 0.95
    eps: float = 1e-7
    batch_size: int = 4
    weight_decay: float = 0.01

    def __post_init__(self) -> None:
        if not (
            self.lr > 0
            and 0 <= self.beta1 < 1
            and 0 <= self.beta2 < 1
            and self.eps > 0
            and self.weight_decay >= 0
            and int(self.batch_size) >= 1
        ):
            raise ParameterError(f"invalid optimizer settings {asdict(self)}")

    def merged(self, overrides: dict[str, Any], *, where: str) -> OptimConfig:
        """A copy with ``overrides`` applied (unknown keys are an error naming ``where``)."""
        known = {f.name for f in fields(self)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise DataError(f"{where}: unknown optimizer setting(s) {bad}; known: {sorted(known)}")
        return replace(self, **overrides)


@dataclass(frozen=True)
class StageConfig:
    """One curriculum stage.

    Attributes
    ----------
    name : str
    branch : {"static", "dynamic"}
    modalities : tuple of str
        Inputs the stage feeds (subset of :data:`MODALITIES`).
    datasets : tuple of str
        Registered dataset names or manifest paths.
    train : tuple of str
        Parts that train (subset of :data:`PARTS`); the rest are frozen.
    steps, epochs : int or None
        Length of the stage: exactly one is given.
    optimizer : OptimConfig
    max_items : int or None
        Cap on training items per dataset (validation items are never capped).
    min_items : int
        Fewer usable training items than this counts as absent data (stage skipped).
    replay : float
        Share of each batch drawn from earlier stages' training data (0 = none, as in the paper).
    distill : float
        Weight of the parent model's own predictions in the replayed examples' targets
        (``(1 - distill) * label + distill * parent``; knowledge distillation from the stage's
        starting weights, as in learning without forgetting); needs ``replay > 0``.
    l2sp : float
        Strength of an L2 pull of the trainable weights towards the stage's starting weights
        (L2-SP): ``l2sp / 2 * ||w - w_start||^2`` is added to the loss (0 = none); the
        projectors of the stage's own encoders are left free (mvanno-cpu).
    """

    name: str
    branch: str
    modalities: tuple[str, ...]
    datasets: tuple[str, ...]
    train: tuple[str, ...]
    steps: int | None = None
    epochs: int | None = None
    optimizer: OptimConfig = field(default_factory=OptimConfig)
    max_items: int | None = None
    min_items: int = 8
    replay: float = 0.0
    distill: float = 0.0
    l2sp: float = 0.0

    def __post_init__(self) -> None:
        where = f"stage {self.name!r}"
        if not self.name or not str(self.name).replace("_", "").replace("-", "").isalnum():
            raise ParameterError(f"{where}: a stage name is letters, digits, '_' or '-'")
        if self.branch not in BRANCHES:
            raise ParameterError(f"{where}: branch must be one of {BRANCHES}, got {self.branch!r}")
        bad = [m for m in self.modalities if m not in MODALITIES]
        if not self.modalities or bad:
            raise ParameterError(
                f"{where}: modalities must be a non-empty subset of {MODALITIES}, got {self.modalities!r}"
            )
        bad = [p for p in self.train if p not in PARTS]
        if bad:
            raise ParameterError(f"{where}: unknown trainable part(s) {bad}; known: {PARTS}")
        if (self.steps is None) == (self.epochs is None):
            raise ParameterError(f"{where}: give exactly one of steps or epochs")
        n = self.steps if self.steps is not None else self.epochs
        if int(n) < 0:
            raise ParameterError(f"{where}: steps/epochs must be >= 0, got {n}")
        if not 0.0 <= self.replay < 1.0:
            raise ParameterError(f"{where}: replay must be in [0, 1), got {self.replay}")
        if not 0.0 <= self.distill <= 1.0:
            raise ParameterError(f"{where}: distill must be in [0, 1], got {self.distill}")
        if self.distill > 0 and self.replay <= 0:
            raise ParameterError(f"{where}: distill = {self.distill} needs replayed examples (replay > 0)")
        if not self.l2sp >= 0.0:
            raise ParameterError(f"{where}: l2sp must be >= 0, got {self.l2sp}")


@dataclass(frozen=True)
class CurriculumConfig:
    """A whole curriculum: backend, output folder and the ordered stages."""

    stages: tuple[StageConfig, ...]
    backend: str = "mvanno-cpu"
    out_dir: str = "build/mvanno"
    seed: int = 0
    fork_from: str = "video_static"
    data_home: str | None = None
    checkpoint_every: int = 100
    optimizer: OptimConfig = field(default_factory=OptimConfig)
    optimizer_reason: str = ""
    backend_options: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    targets: str = "informative"

    def __post_init__(self) -> None:
        names = [s.name for s in self.stages]
        if not names:
            raise ParameterError("a curriculum needs at least one [[stage]]")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ParameterError(f"duplicate stage name(s) {dup}")
        if any(s.branch == "dynamic" for s in self.stages) and self.fork_from not in names:
            raise ParameterError(f"fork_from = {self.fork_from!r} names no stage (stages: {names})")
        if self.fork_from in names and self.stage(self.fork_from).branch != "static":
            raise ParameterError(f"fork_from = {self.fork_from!r} must be a static stage")
        from mvemo.anno.targets import TARGET_MODES

        if self.targets not in TARGET_MODES:
            raise ParameterError(f"targets must be one of {TARGET_MODES}, got {self.targets!r}")
        if int(self.checkpoint_every) < 1:
            raise ParameterError(f"checkpoint_every must be >= 1, got {self.checkpoint_every}")

    def stage(self, name: str) -> StageConfig:
        """The stage called ``name``."""
        for s in self.stages:
            if s.name == name:
                return s
        raise ParameterError(f"no stage {name!r} (stages: {[s.name for s in self.stages]})")

    def parent(self, name: str) -> str | None:
        """The stage whose checkpoint ``name`` starts from (None: a fresh model)."""
        idx = [s.name for s in self.stages].index(name)
        me = self.stages[idx]
        for s in reversed(self.stages[:idx]):
            if s.branch == me.branch:
                return s.name
        return self.fork_from if me.branch == "dynamic" else None

    def lineage(self, name: str) -> list[str]:
        """The stages from the first to ``name`` along its parents (inclusive)."""
        out, cur = [], name
        while cur is not None:
            out.append(cur)
            cur = self.parent(cur)
        return out[::-1]

    def order(self) -> list[StageConfig]:
        """Stages in run order: each after its parent (list order, with the fork respected)."""
        done: list[str] = []
        pending = list(self.stages)
        while pending:
            for s in pending:
                p = self.parent(s.name)
                if p is None or p in done:
                    done.append(s.name)
                    pending.remove(s)
                    break
            else:  # pragma: no cover - parents always precede in a valid config
                raise ParameterError("the stage order has a cycle")
        return [self.stage(n) for n in done]


_TOP = {
    "backend",
    "out_dir",
    "seed",
    "fork_from",
    "data_home",
    "checkpoint_every",
    "optimizer",
    "stage",
    "backend_options",
    "targets",
}
_STAGE = {
    "name",
    "branch",
    "modalities",
    "datasets",
    "train",
    "steps",
    "epochs",
    "optimizer",
    "max_items",
    "min_items",
    "replay",
    "distill",
    "l2sp",
}


def _as_tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (list, tuple)) else (v,)


def load_config(path: str | Path, **overrides: Any) -> CurriculumConfig:
    """Read a curriculum TOML file.

    Parameters
    ----------
    path : path
    **overrides
        Top-level settings that replace the file's (e.g. ``out_dir``, ``data_home``).

    Raises
    ------
    DataError
        Unreadable file, unknown keys (all listed), or optimizer overrides without a ``reason``.
    ParameterError
        Invalid values.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read curriculum config {path}: {exc}") from exc
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise DataError(f"{path}: unknown setting(s) {unknown}; known: {sorted(_TOP)}")
    opt_raw = dict(raw.get("optimizer", {}))
    reason = str(opt_raw.pop("reason", "")).strip()
    if opt_raw and not reason:
        raise DataError(
            f"{path}: [optimizer] overrides the paper's settings {sorted(opt_raw)}; "
            'give the reason in `reason = "..."`'
        )
    base = OptimConfig().merged(opt_raw, where=f"{path} [optimizer]")
    stages = []
    for i, st in enumerate(raw.get("stage", [])):
        where = f"{path} [[stage]] #{i + 1} ({st.get('name', '?')})"
        bad = sorted(set(st) - _STAGE)
        if bad:
            raise DataError(f"{where}: unknown key(s) {bad}; known: {sorted(_STAGE)}")
        missing = [k for k in ("name", "branch", "modalities", "train") if k not in st]
        if missing:
            raise DataError(f"{where}: missing {missing}")
        st = dict(st)
        opt = base.merged(dict(st.pop("optimizer", {})), where=where)
        stages.append(
            StageConfig(
                name=str(st["name"]),
                branch=str(st["branch"]),
                modalities=_as_tuple(st["modalities"]),
                datasets=_as_tuple(st.get("datasets", ())),
                train=_as_tuple(st["train"]),
                steps=st.get("steps"),
                epochs=st.get("epochs"),
                optimizer=opt,
                max_items=st.get("max_items"),
                min_items=int(st.get("min_items", 8)),
                replay=float(st.get("replay", 0.0)),
                distill=float(st.get("distill", 0.0)),
                l2sp=float(st.get("l2sp", 0.0)),
            )
        )
    # every top-level key but the tables read above is a CurriculumConfig field of the same name
    top = {k: raw[k] for k in sorted(_TOP - {"optimizer", "stage"}) if k in raw}
    top.update({k: v for k, v in overrides.items() if v is not None})
    return CurriculumConfig(stages=tuple(stages), optimizer=base, optimizer_reason=reason, source=str(path), **top)

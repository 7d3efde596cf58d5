"""Train the Music2Emo model across datasets with different label types.

Recipe (Music2Emo, adapted to the data we can ship from):

1. Features of every track are computed once and cached (musicnn blocks, harmony).
2. Targets per dataset: 4Q audio -> ``quadrant`` (4 classes); Emotify -> ``gems`` (9 vote
   shares, weighted BCE); emoMusic and PMEmo -> ``va`` (MSE on their valence-arousal,
   static and, for windows, dynamic); every item -> the unified ``category`` and
   ``intensity`` of its manifest.  Items without VA ratings get the VA point of their
   unified label as a weak ``va`` target (documented in the model card).
3. Per-dataset teachers (one model per dataset with enough items, trained on that dataset's
   own heads only), then the student on all datasets: batches come from one dataset at a
   time, so each updates only the heads its dataset has labels for (selective updates),
   with knowledge distillation from that dataset's teacher (KL on softened outputs).
4. Augmentation: each epoch a track contributes the average of a random run of
   consecutive 0.5-s blocks (at least ``min_segment`` seconds), not always the whole clip.

Size: about 770 lines, over the ~600 guide, kept as one module on purpose: examples,
window banks, batches, the teacher/student loop, evaluation and cross-validation are
one recipe whose parts share :class:`TrackExample` and :class:`TrainConfig` and change
together.  The model card is :mod:`mvemo.train.music_card`; shared metrics and report
writing are :mod:`mvemo.train.common`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
from mvemo.conversion.va import as_scale, labels_to_va
from mvemo.errors import DataError, ParameterError
from mvemo.features.blocks import BlockFeatures
from mvemo.features.cache import FeatureCache
from mvemo.features.music import (
    HARMONY_KIND,
    TRACK_BLOCKS,
    Harmony,
    TrackFeatures,
    blocks_kind,
)
from mvemo.io.config import read_toml_config
from mvemo.models.outputs import HeadOutputs
from mvemo.progress import track
from mvemo.representation import default_circumplex
from mvemo.train.common import quadrant_scores, write_report
from mvemo.train.music_card import model_card  # re-exported: callers import it from here

torch = require("torch", extra="torch")

__all__ = [
    "GEMS_TERMS",
    "TrackExample",
    "TrainConfig",
    "WindowBank",
    "build_bank",
    "cross_validate",
    "evaluate_model",
    "extract_features",
    "calibrate_quadrant_channel",
    "fit_quadrant_channel",
    "load_examples",
    "run_training",
    "stack_track_blocks",
    "stratified_folds",
    "train_model",
]

GEMS_TERMS = ("amazement", "solemnity", "tenderness", "nostalgia", "calmness", "power",
              "joyful_activation", "tension", "sadness")  # fmt: skip


@dataclass
class TrainConfig:
    """Training settings (a TOML file gives any of them)."""

    seed: int = 0
    data_home: str | None = None
    cache_dir: str | None = None
    datasets: tuple[str, ...] = ("4q_panda2018", "emotify", "emomusic", "pmemo")
    teacher_datasets: tuple[str, ...] = ("4q_panda2018", "emotify")
    epochs: int = 60
    teacher_epochs: int = 40
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-3
    dropout: float = 0.3
    kd_weight: float = 0.5
    temperature: float = 2.0
    min_segment: float = 5.0
    n_random: int = 15
    std_pooling: bool = False  # append the frame-level std of musicnn's 753 channels to the embedding
    backbone: str = "MTT_musicnn"  # musicnn model whose blocks feed the heads ("MTT_musicnn" or "MSD_musicnn")
    model_name: str | None = None  # name of the written weights; default the shipped model's name
    out_dir: str = "build/music2emo"
    head_weights: dict[str, float] = field(default_factory=lambda: {"category": 0.5, "intensity": 0.5, "va": 1.0})
    # Linear quadrant channel (docs/music_model.md): quadrant_linear_c > 0 fits a standardised logistic
    # regression with that C on the 4Q training tracks' whole-track `quadrant_linear_inputs`
    # (TrackFeatures.track_blocks); the static quadrant is weight * linear + (1 - weight) * network.
    quadrant_linear_c: float = 0.0
    quadrant_linear_weight: float = 1.0
    quadrant_linear_inputs: tuple[str, ...] = TRACK_BLOCKS
    # With a channel: rescale the network's static category probabilities to the channel's quadrant
    # (mvemo.conversion.quadrant.conform_categories); the report scores both settings.
    conform_categories: bool = False
    # v4: train the category head on the informative soft targets (cross-entropy with the soft
    # category distribution) and an 11-level intensity head on their level distribution, each
    # weighted by the target's weight; then fit a temperature on validation
    # (mvemo.train.music_v4, docs/music_model.md "v4").
    informative: bool = False

    def __post_init__(self) -> None:
        unknown = [b for b in self.quadrant_linear_inputs if b not in TRACK_BLOCKS]
        if not self.quadrant_linear_inputs or unknown:
            raise ParameterError(
                f"quadrant_linear_inputs must be a non-empty subset of {TRACK_BLOCKS}, "
                f"got {self.quadrant_linear_inputs!r}"
            )
        if not 0.0 <= self.quadrant_linear_weight <= 1.0 or self.quadrant_linear_c < 0:
            raise ParameterError(
                f"quadrant_linear_weight must be in [0, 1] and quadrant_linear_c >= 0, got "
                f"{self.quadrant_linear_weight!r}, {self.quadrant_linear_c!r}"
            )
        if self.conform_categories and self.quadrant_linear_c <= 0:
            raise ParameterError(
                "conform_categories = true needs the linear quadrant channel "
                "(quadrant_linear_c > 0), got quadrant_linear_c = "
                f"{self.quadrant_linear_c!r}"
            )

    @classmethod
    def from_toml(cls, path: str | Path) -> TrainConfig:
        """Read a TOML config; unknown keys are an error."""
        return read_toml_config(cls, path, tuple_keys=("datasets", "teacher_datasets", "quadrant_linear_inputs"))


@dataclass
class TrackExample:
    """One track with its cached features and targets (``None`` where unlabelled)."""

    id: str
    dataset: str
    split: str
    features: TrackFeatures
    quadrant: int | None = None
    gems: np.ndarray | None = None
    va: np.ndarray | None = None  # (2,) in [-1, 1]
    va_weak: bool = True
    category: int | None = None
    intensity: float | None = None
    dynamic: tuple[np.ndarray, np.ndarray] | None = None  # times (n,), va (n, 2) in [-1, 1]
    bank: WindowBank | None = None  # precomputed windows, see build_bank
    track_blocks: dict[str, np.ndarray] | None = None  # TrackFeatures.track_blocks, computed on first use
    informative: Any = None  # InformativeTarget of the item, where the loader gives one
    soft: np.ndarray | None = None  # (28, 11) informative soft target (cfg.informative only)
    soft_weight: float | None = None  # its training weight


def _va_of(item) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    labels, scale = item.labels, item.scale
    if item.label_type != "va" or scale is None:
        return None, None
    sc = as_scale(scale)
    v = labels.get("valence_mean", labels.get("valence"))
    a = labels.get("arousal_mean", labels.get("arousal"))
    static = None if v is None or a is None else np.array([sc.to_unit(float(v)), sc.to_unit(float(a))])
    dyn = None
    series = labels.get("dynamic_va")
    if series:
        # Dynamic series have their own scale: [-1, 1] for emoMusic, [0, 1] for PMEmo.
        dsc = as_scale("-1-1") if item.dataset == "emomusic" else sc
        t = np.asarray(series["time"], float)
        vv = np.clip(np.asarray(series["valence"], float), dsc.low, dsc.high)
        aa = np.clip(np.asarray(series["arousal"], float), dsc.low, dsc.high)
        dyn = (t, np.column_stack([dsc.to_unit(vv), dsc.to_unit(aa)]))
    return static, dyn


def load_examples(cfg: TrainConfig) -> tuple[list[TrackExample], list[str]]:
    """Examples of every audio item whose features are cached; returns (examples, problems)."""
    from mvemo.data import load

    cache = FeatureCache(cfg.cache_dir) if cfg.cache_dir else None
    if cache is None:
        from mvemo.features.cache import default_cache_dir

        cache = FeatureCache(default_cache_dir())
    circ = default_circumplex()
    examples, problems = [], []
    for name in cfg.datasets:
        ds = load(name, data_home=cfg.data_home)
        for item in ds.index():
            if "audio" not in item.media:
                continue
            path = ds.root / item.media["audio"]
            blocks, harmony = cache.get(path, blocks_kind(cfg.backbone)), cache.get(path, HARMONY_KIND)
            if blocks is None or harmony is None:
                problems.append(f"{item.id}: features not cached (run `mvemo train music --extract`)")
                continue
            ex = TrackExample(
                item.id,
                name,
                item.split or "train",
                TrackFeatures(BlockFeatures.from_arrays(blocks), Harmony.from_arrays(harmony)),
            )
            if item.static:
                ex.category = circ.index(item.static.category)
                ex.intensity = float(item.static.intensity)
            if item.informative:
                from mvemo.conversion.informative import InformativeTarget

                ex.informative = InformativeTarget.from_dict(item.informative)
                if cfg.informative:
                    ex.soft = ex.informative.soft().astype(np.float32)
                    ex.soft_weight = float(ex.informative.weight)
            if item.label_type == "4q":
                ex.quadrant = QUADRANTS.index(normalize_quadrant(item.labels["quadrant"]))
            if item.label_type == "gems":
                ex.gems = np.array([item.labels["gems"][t] for t in GEMS_TERMS], dtype=np.float32)
            va, dyn = _va_of(item)
            if va is not None:
                ex.va, ex.va_weak, ex.dynamic = va.astype(np.float32), False, dyn
            elif ex.category is not None:
                v, a = labels_to_va(np.array([ex.category]), np.array([ex.intensity]))
                ex.va = np.array([v[0], a[0]], dtype=np.float32)
            examples.append(ex)
    return examples, problems


# --------------------------------------------------------------------------- batches
@dataclass
class WindowBank:
    """Precomputed model inputs of windows of one track (row 0 = the whole track).

    musicnn's back end is frozen, so a window's embedding never changes: each track gets
    its whole-track window, ``n_random`` random consecutive segments (the augmentation)
    and, where it has dynamic VA labels, windows of ±2.5 s around labelled times.
    """

    embedding: np.ndarray  # (W, D)
    roots: np.ndarray  # (W, L)
    qualities: np.ndarray  # (W, L)
    mask: np.ndarray  # (W, L)
    mode: np.ndarray  # (W,)
    va: np.ndarray  # (W, 2); NaN = use the track's own target
    n_segments: int  # rows 1..n_segments are random segments; after them, dynamic windows


def build_bank(
    ex: TrackExample,
    musicnn,
    rng: np.random.Generator,
    *,
    n_random: int,
    min_segment: float,
    n_dynamic: int = 12,
    std: bool = False,
) -> WindowBank:
    """The :class:`WindowBank` of one example."""
    starts, stops = [0.0], [ex.features.duration]
    for _ in range(n_random):
        a, b = _random_window(ex, rng, min_segment)
        starts.append(a)
        stops.append(b)
    va = [np.full(2, np.nan)] * (1 + n_random)
    if ex.dynamic is not None:
        times, dyn = ex.dynamic
        for i in rng.choice(len(times), size=min(n_dynamic, len(times)), replace=False):
            starts.append(times[i] - 2.5)
            stops.append(times[i] + 2.5)
            va.append(dyn[i])
    w = ex.features.window_inputs(musicnn, np.array(starts), np.array(stops), std=std)
    return WindowBank(w.embedding, w.roots, w.qualities, w.mask, w.mode, np.array(va, dtype=np.float32), n_random)


def _random_window(ex: TrackExample, rng: np.random.Generator, min_segment: float) -> tuple[float, float]:
    """Random consecutive run of whole blocks, at least ``min_segment`` seconds (or the whole track)."""
    bs = ex.features.blocks.block_seconds
    n = ex.features.blocks.n_blocks
    k_min = min(n, max(1, int(round(min_segment / bs))))
    k = int(rng.integers(k_min, n + 1))
    s = int(rng.integers(0, n - k + 1))
    return s * bs, (s + k) * bs


_TARGETS = {"quadrant": ((), torch.long), "gems": ((9,), torch.float32), "va": ((2,), torch.float32),
            "category": ((), torch.long), "intensity": ((), torch.float32),
            "soft": ((28, 11), torch.float32), "soft_weight": ((), torch.float32)}  # fmt: skip


def make_batch(rows: list[tuple[TrackExample, int]]):
    """Tensors for ``(example, bank row)`` pairs: ``(inputs, targets, masks)``.

    ``masks[head]`` marks the rows labelled for that head; dynamic rows carry only VA.
    """
    banks = [ex.bank for ex, _ in rows]
    length = max(b.roots.shape[1] for b in banks)

    def pad(name, fill):
        out = np.full((len(rows), length), fill, dtype=getattr(banks[0], name).dtype)
        for i, ((_, r), b) in enumerate(zip(rows, banks)):
            row = getattr(b, name)[r]
            out[i, : len(row)] = row
        return torch.from_numpy(out)

    inputs = (
        torch.from_numpy(np.stack([b.embedding[r] for (_, r), b in zip(rows, banks)])),
        pad("roots", 12),
        pad("qualities", 0),
        pad("mask", False),
        torch.from_numpy(np.array([b.mode[r] for (_, r), b in zip(rows, banks)], dtype=np.float32)),
    )
    targets, masks = {}, {}
    for head, (shape, dtype) in _TARGETS.items():
        values, mask = [], []
        for (ex, r), b in zip(rows, banks):
            dynamic_row = r > b.n_segments
            if head == "va" and dynamic_row:
                v = b.va[r]
            else:
                v = None if dynamic_row else _heads_of(ex)[head]
            mask.append(v is not None)
            values.append(np.zeros(shape) if v is None else np.asarray(v))
        targets[head] = torch.tensor(np.stack(values), dtype=dtype)
        masks[head] = torch.tensor(mask)
    return inputs, targets, masks


def _heads_of(ex: TrackExample) -> dict[str, Any]:
    return {
        "quadrant": ex.quadrant,
        "gems": ex.gems,
        "va": ex.va,
        "category": ex.category,
        "intensity": ex.intensity,
        "soft": ex.soft,
        "soft_weight": ex.soft_weight,
    }


def _epoch_rows(examples, rng):
    """Per dataset: one random bank row per track, plus its dynamic rows."""
    by_ds: dict[str, list] = {}
    for ex in examples:
        rows = by_ds.setdefault(ex.dataset, [])
        rows.append((ex, int(rng.integers(0, ex.bank.n_segments + 1))))
        rows += [(ex, r) for r in range(ex.bank.n_segments + 1, len(ex.bank.mode))]
    return by_ds


def _pos_weights(examples) -> dict[str, Any]:
    gems = (
        np.stack([ex.gems for ex in examples if ex.gems is not None])
        if any(ex.gems is not None for ex in examples)
        else None
    )
    if gems is None:
        return {}
    p = np.clip(gems.mean(0), 1e-3, 1 - 1e-3)
    return {"gems": torch.tensor((1 - p) / p, dtype=torch.float32)}


def train_model(
    examples: list[TrackExample],
    cfg: TrainConfig,
    *,
    heads: tuple[str, ...] | None = None,
    teachers: dict[str, Any] | None = None,
    epochs: int | None = None,
    log=print,
):
    """Train one Music2Emo model on ``examples`` (their own splits are not looked at).

    Parameters
    ----------
    heads : tuple of str, optional
        Only these heads are trained (teachers); default all.
    teachers : dict dataset -> model, optional
        Distillation targets for the batches of each dataset.
    """
    from mvemo.models.losses import multitask_loss
    from mvemo.models.music2emo import DEFAULT_HEADS, Music2Emo, Music2EmoConfig

    specs = DEFAULT_HEADS if heads is None else tuple(h for h in DEFAULT_HEADS if h.name in heads)
    informative = cfg.informative and heads is None  # the student; teachers keep their own heads
    if informative:  # category and intensity come from the soft targets (informative_loss)
        specs = tuple(h for h in specs if h.name not in ("category", "intensity"))
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    dim = examples[0].bank.embedding.shape[1]
    model = Music2Emo(
        Music2EmoConfig(embedding_dim=dim, dropout=cfg.dropout, intensity_levels=11 if informative else 0)
    )
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    n_epochs = cfg.epochs if epochs is None else epochs
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, n_epochs))
    pos_weights = _pos_weights(examples)
    for epoch in track(range(n_epochs), desc="train music", unit="epoch"):
        model.train()
        t0 = time.perf_counter()
        batches = []
        for ds, wins in _epoch_rows(examples, rng).items():
            order = rng.permutation(len(wins))
            batches += [
                (ds, [wins[i] for i in order[j : j + cfg.batch_size]]) for j in range(0, len(wins), cfg.batch_size)
            ]
        losses = []
        for b in rng.permutation(len(batches)):
            ds, wins = batches[b]
            inputs, targets, masks = make_batch(wins)
            soft_mask = masks["soft"] if informative else None
            masks = {k: v for k, v in masks.items() if any(s.name == k for s in specs)}
            has_soft = soft_mask is not None and bool(soft_mask.any())
            if not has_soft and not any(bool(m.any()) for m in masks.values()):
                continue
            out = model(*inputs)
            teacher_out = None
            if teachers and ds in teachers:
                with torch.no_grad():
                    teacher_out = {k: v for k, v in teachers[ds](*inputs).items() if k in {"quadrant", "gems"}}
            loss = None
            if any(bool(m.any()) for m in masks.values()):
                loss, _ = multitask_loss(
                    specs,
                    out,
                    targets,
                    masks,
                    teacher_outputs=teacher_out,
                    kd_weight=cfg.kd_weight,
                    temperature=cfg.temperature,
                    pos_weights=pos_weights,
                    head_weights=cfg.head_weights,
                )
            if has_soft:
                from mvemo.train.music_v4 import informative_loss

                extra = informative_loss(out, targets, soft_mask, head_weights=cfg.head_weights)
                loss = extra if loss is None else loss + extra
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        sched.step()
        if log and (epoch % 10 == 0 or epoch == n_epochs - 1):
            log(f"  epoch {epoch + 1}/{n_epochs}: loss {np.mean(losses):.4f} ({time.perf_counter() - t0:.1f} s)")
    model.eval()
    return model


def predict_static(model, examples: list[TrackExample], *, batch_size: int = 64) -> HeadOutputs:
    """Whole-track outputs of ``model`` for ``examples`` (probabilities for class heads)."""
    return predict_static_with_logits(model, examples, batch_size=batch_size)[0]


def predict_static_with_logits(
    model, examples: list[TrackExample], *, batch_size: int = 64
) -> tuple[HeadOutputs, np.ndarray]:
    """:func:`predict_static` and the category logits ``(N, 28)`` (for temperature scaling)."""
    outs: dict[str, list] = {}
    logits = []
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            inputs, _, _ = make_batch([(ex, 0) for ex in examples[i : i + batch_size]])
            out = model(*inputs)
            logits.append(out.category.numpy())
            for k, v in out.items():
                if k in ("quadrant", "category", "levels"):
                    v = torch.softmax(v, -1)
                elif k == "gems":
                    v = torch.sigmoid(v)
                outs.setdefault(k, []).append(v.numpy())
    out = HeadOutputs(**{k: np.concatenate(v) for k, v in outs.items()})
    if out.has("levels"):  # v4: the scalar intensity is the level distribution's mean
        out = out.replace(intensity=out.levels @ np.linspace(0.0, 1.0, out.levels.shape[1]))
    return out, np.concatenate(logits)


def stack_track_blocks(examples: list[TrackExample], musicnn) -> dict[str, np.ndarray]:
    """The whole-track feature blocks of ``examples``, each ``(N, D)`` (computed once per example)."""
    for ex in examples:
        if ex.track_blocks is None:
            ex.track_blocks = ex.features.track_blocks(musicnn)
    return {k: np.concatenate([ex.track_blocks[k] for ex in examples]) for k in TRACK_BLOCKS}


def fit_quadrant_channel(examples: list[TrackExample], musicnn, cfg: TrainConfig):
    """The linear quadrant channel of ``cfg`` fitted on the examples that have 4Q labels.

    Returns
    -------
    mvemo.models.linear.LinearChannel
    """
    from mvemo.models.linear import LinearChannel, fit_softmax_linear

    own = [ex for ex in examples if ex.quadrant is not None]
    if not own:
        raise DataError("the linear quadrant channel needs training tracks with 4Q labels")
    linear = fit_softmax_linear(
        stack_track_blocks(own, musicnn),
        np.array([ex.quadrant for ex in own]),
        inputs=cfg.quadrant_linear_inputs,
        c=cfg.quadrant_linear_c,
        n_classes=4,
    )
    return LinearChannel(linear, cfg.quadrant_linear_weight)


def calibrate_quadrant_channel(
    examples: list[TrackExample], musicnn, cfg: TrainConfig, *, folds: int = 10, n_bins: int = 15
) -> dict[str, Any]:
    """A temperature for the linear quadrant channel from out-of-fold predictions of its training tracks.

    The channel of ``cfg`` is refitted on ``folds - 1`` folds of the 4Q training tracks
    (:func:`stratified_folds`, seed ``cfg.seed``) and scores the held-out fold, so every
    training track gets a prediction from a model that did not see it. The temperature
    minimises the negative log-likelihood of those out-of-fold logits
    (:func:`mvemo.metrics.calibration.fit_temperature`): far more tracks than the validation
    split, and none of them used to pick anything else.

    Returns
    -------
    dict
        ``temperature``, ``n`` and the out-of-fold top-label ECE (``n_bins`` equal-width bins)
        and macro-F1 before (``ece_raw``) and after (``ece``) the temperature.
    """
    from mvemo.metrics.calibration import apply_temperature, expected_calibration_error, fit_temperature
    from mvemo.models.linear import class_macro_f1, fit_softmax_linear

    own = [ex for ex in examples if ex.quadrant is not None]
    if len(own) < 4 * folds:
        raise DataError(f"calibrating the quadrant channel needs >= {4 * folds} 4Q training tracks, got {len(own)}")
    blocks = stack_track_blocks(own, musicnn)
    y = np.array([ex.quadrant for ex in own])
    fold_of = stratified_folds(own, folds=folds, seed=cfg.seed)
    logits = np.empty((len(own), 4))
    for k in range(folds):
        fit, held = fold_of != k, fold_of == k
        linear = fit_softmax_linear(
            {b: v[fit] for b, v in blocks.items()},
            y[fit],
            inputs=cfg.quadrant_linear_inputs,
            c=cfg.quadrant_linear_c,
            n_classes=4,
        )
        logits[held] = linear.logits({b: v[held] for b, v in blocks.items()})
    t = fit_temperature(logits, y)
    raw, cal = apply_temperature(logits, 1.0), apply_temperature(logits, t)
    return {
        "temperature": t,
        "n": len(own),
        "folds": folds,
        "ece_raw": expected_calibration_error(raw, y, n_bins=n_bins),
        "ece": expected_calibration_error(cal, y, n_bins=n_bins),
        "macro_f1": class_macro_f1(y, raw.argmax(1), 4),
    }


def evaluate_model(
    model, examples: list[TrackExample], *, quadrant_channel=None, musicnn=None, conform: bool = False
) -> dict[str, Any]:
    """Scores on ``examples``: 4Q accuracy and macro-F1, GEMS ROC-AUC per term, unified metrics.

    ``quadrant_channel`` (a :class:`~mvemo.models.linear.LinearChannel`, with the ``musicnn``
    backbone for its inputs) is blended into the quadrant probabilities, as in prediction;
    the network's head alone is then scored too, as ``quadrant_network_only``.  With a
    channel, ``conform`` rescales the category probabilities to the blended quadrant
    (:func:`~mvemo.conversion.quadrant.conform_categories`) as prediction does with the
    weights' ``conform_categories``; the unified metrics of the other setting are reported as
    ``unified_conform_on`` / ``unified_conform_off``.
    """
    from mvemo.conversion.quadrant import conform_categories, quadrant_agreement
    from mvemo.metrics import evaluate

    if conform and quadrant_channel is None:
        raise ParameterError("conform needs a quadrant_channel (it rescales categories to its quadrant)")
    pred = predict_static(model, examples)
    network_quadrant = pred.quadrant
    if quadrant_channel is not None:
        if musicnn is None:
            raise ParameterError("a quadrant_channel needs the musicnn backbone for its inputs")
        pred = pred.replace(quadrant=quadrant_channel.blend(network_quadrant, stack_track_blocks(examples, musicnn)))
    report: dict[str, Any] = {"n": len(examples)}
    q = np.array([ex.quadrant is not None for ex in examples])
    if q.any():
        ref = np.array([ex.quadrant for ex in examples if ex.quadrant is not None])
        report["quadrant"] = quadrant_scores(ref, pred.quadrant[q].argmax(1))
        if quadrant_channel is not None:
            report["quadrant_network_only"] = quadrant_scores(ref, network_quadrant[q].argmax(1))
    g = np.array([ex.gems is not None for ex in examples])
    if g.sum() >= 5:
        shares = np.stack([ex.gems for ex in examples if ex.gems is not None])
        auc = {}
        for j, term in enumerate(GEMS_TERMS):
            # Binary truth: the term got more than its median share of votes.
            truth = shares[:, j] > np.median(shares[:, j])
            if 0 < truth.sum() < len(truth):
                auc[term] = _roc_auc(truth, pred.gems[g][:, j])
        report["gems_roc_auc"] = auc
        report["gems_mean_roc_auc"] = float(np.mean(list(auc.values()))) if auc else float("nan")
    c = np.array([ex.category is not None for ex in examples])
    if c.any():
        circ = default_circumplex()
        ref_c = [circ.categories[ex.category] for ex in examples if ex.category is not None]
        ref_i = [ex.intensity for ex in examples if ex.category is not None]
        est_i = np.clip(pred.intensity[c], 0, 1)
        variants = {conform: "unified"}
        if quadrant_channel is not None:
            variants[not conform] = "unified_conform_" + ("off" if conform else "on")
        for on, key in variants.items():
            cat = conform_categories(pred.category, pred.quadrant) if on else pred.category
            report[key] = evaluate(ref_c, ref_i, [circ.categories[k] for k in cat[c].argmax(1)], est_i)
            report[key]["quadrant_agreement"] = quadrant_agreement(cat[c], pred.quadrant[c])
    return report


def _roc_auc(truth: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum (Mann-Whitney U) formula, ties averaged."""
    from scipy.stats import rankdata

    ranks = rankdata(score)
    n_pos = truth.sum()
    n_neg = len(truth) - n_pos
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# --------------------------------------------------------------------------- orchestration
def extract_features(cfg: TrainConfig, *, backbones: tuple[str, ...] | None = None, harmony: bool = True, log=print):
    """Compute and cache the features of every audio item of the configured datasets (resumable).

    ``backbones`` defaults to the config's ``backbone``.

    Audio goes through :func:`~mvemo.features.music.load_track_audio`, exactly as
    in prediction (decoded once per file for all feature kinds).
    """
    from mvemo.data import load
    from mvemo.features.cache import default_cache_dir
    from mvemo.features.extract import extract_all
    from mvemo.features.music import (
        blocks_kind,
        compute_blocks,
        compute_harmony,
        load_track_audio,
    )
    from mvemo.features.musicnn import load_musicnn

    cache = FeatureCache(cfg.cache_dir or default_cache_dir())
    paths = []
    for name in cfg.datasets:
        ds = load(name, data_home=cfg.data_home)
        paths += [ds.root / it.media["audio"] for it in ds.index() if "audio" in it.media]
    last: dict[str, Any] = {}

    def audio(p):
        if last.get("path") != p:
            last.clear()
            last["audio"] = load_track_audio(p)
            last["path"] = p
        return last["audio"]

    def blocks_of(backbone):
        net = load_musicnn(backbone)
        return lambda p: compute_blocks(net, audio(p)[0]).to_arrays()

    extractors = {blocks_kind(b): blocks_of(b) for b in (backbones or (cfg.backbone,))}
    if harmony:
        extractors[HARMONY_KIND] = lambda p: compute_harmony(audio(p)[1]).to_arrays()
    report = extract_all(paths, extractors, cache=cache)
    log(f"features: {report.summary()}")
    for path, why in report.failed:
        log(f"  failed: {path}: {why}")
    return report


def _fit(examples, cfg, log):
    log = log or (lambda *_: None)
    teachers = {}
    for ds in cfg.teacher_datasets:
        own = [ex for ex in examples if ex.dataset == ds]
        if not own:
            continue
        heads = ("quadrant",) if own[0].quadrant is not None else ("gems",)
        log(f"teacher {ds} ({len(own)} tracks, heads {heads})")
        teachers[ds] = train_model(
            own, replace(cfg, seed=cfg.seed + 1), heads=heads, epochs=cfg.teacher_epochs, log=log
        )
    log(f"student ({len(examples)} tracks, datasets {sorted({ex.dataset for ex in examples})})")
    return train_model(examples, cfg, teachers=teachers, log=log)


def stratified_folds(examples: list[TrackExample], *, folds: int, seed: int) -> np.ndarray:
    """Fold index (0 .. folds - 1) of each example, stratified by quadrant; depends only on ``seed``."""
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(examples), dtype=int)
    for q in range(4):
        idx = np.flatnonzero([ex.quadrant == q for ex in examples])
        fold_of[rng.permutation(idx)] = np.arange(len(idx)) % folds
    return fold_of


def cross_validate(
    examples,
    cfg: TrainConfig,
    *,
    folds: int = 10,
    dataset: str = "4q_panda2018",
    log=print,
    run_folds: list[int] | None = None,
):
    """Stratified k-fold CV of the 4Q head: each fold trains teachers + student on everything else.

    ``run_folds`` runs only those folds (to spread a CV over processes); the fold
    assignment depends only on the seed, so the parts combine into the full CV.
    """
    own = [ex for ex in examples if ex.dataset == dataset]
    rest = [ex for ex in examples if ex.dataset != dataset]
    fold_of = stratified_folds(own, folds=folds, seed=cfg.seed)
    scores = []
    musicnn = None
    if cfg.quadrant_linear_c > 0:
        from mvemo.features.musicnn import load_musicnn

        musicnn = load_musicnn(cfg.backbone)
    for k in range(folds) if run_folds is None else run_folds:
        train = [ex for ex, f in zip(own, fold_of) if f != k] + rest
        test = [ex for ex, f in zip(own, fold_of) if f == k]
        model = _fit(train, cfg, log=None)
        channel = fit_quadrant_channel(train, musicnn, cfg) if musicnn is not None else None
        rep = evaluate_model(model, test, quadrant_channel=channel, musicnn=musicnn)["quadrant"]
        log(f"fold {k + 1}/{folds}: accuracy {rep['accuracy']:.3f}, macro-F1 {rep['macro_f1']:.3f}")
        scores.append({**rep, "fold": k})
    return {
        "folds": folds,
        "run_folds": [s["fold"] for s in scores],
        "accuracy": [s["accuracy"] for s in scores],
        "macro_f1": [s["macro_f1"] for s in scores],
        "quadrant_channel": musicnn is not None,
        "mean_accuracy": float(np.mean([s["accuracy"] for s in scores])),
        "mean_macro_f1": float(np.mean([s["macro_f1"] for s in scores])),
        "std_macro_f1": float(np.std([s["macro_f1"] for s in scores])),
    }


def run_training(cfg: TrainConfig, *, cv_folds: int = 0, log=print) -> dict[str, Any]:
    """Train on the train splits, evaluate on validation and test, write weights, card and report.

    Returns the evaluation report (also written to ``out_dir/report.json``).
    """
    from mvemo.features.musicnn import load_musicnn
    from mvemo.predict.music import MODEL_NAME, save_music_model

    t0 = time.perf_counter()
    examples, problems = load_examples(cfg)
    for p in problems[:10]:
        log(f"  skipped: {p}")
    if not examples:
        raise DataError("no training examples: extract the features first (mvemo train music --extract)")
    musicnn = load_musicnn(cfg.backbone)
    rng = np.random.default_rng(cfg.seed)
    for ex in examples:
        ex.bank = build_bank(ex, musicnn, rng, n_random=cfg.n_random, min_segment=cfg.min_segment, std=cfg.std_pooling)
    log(f"window banks of {len(examples)} tracks ready ({time.perf_counter() - t0:.0f} s)")
    train = [ex for ex in examples if ex.split in ("train", "development")]
    # Tiny VA sets (emoMusic 10 clips, PMEmo 4) are all used for training.
    train += [ex for ex in examples if ex.dataset in ("emomusic", "pmemo") and ex not in train]
    heldout = {s: [ex for ex in examples if ex.split == s and ex not in train] for s in ("validation", "test")}
    model = _fit(train, cfg, log)
    channel = None
    if cfg.quadrant_linear_c > 0:
        channel = fit_quadrant_channel(train, musicnn, cfg)
        log(
            f"linear quadrant channel: C {cfg.quadrant_linear_c}, weight {cfg.quadrant_linear_weight}, "
            f"inputs {list(cfg.quadrant_linear_inputs)} ({channel.linear.n_features} features)"
        )
    conform = cfg.conform_categories  # TrainConfig ensures a channel then
    calibration = None
    if channel is not None and cfg.informative:  # v4: the channel's quadrant probabilities calibrated too
        calibration = calibrate_quadrant_channel(train, musicnn, cfg)
        channel = replace(channel, temperature=calibration["temperature"])
        log(
            f"quadrant channel temperature (out-of-fold NLL, {calibration['n']} tracks): "
            f"{calibration['temperature']:.3f}, ECE {calibration['ece_raw']:.3f} -> {calibration['ece']:.3f}"
        )
    temperature = 1.0
    if cfg.informative:
        from mvemo.train.music_v4 import fit_category_temperature

        temperature = fit_category_temperature(model, heldout["validation"])
        log(f"category temperature (validation NLL): {temperature:.3f}")
    name = cfg.model_name or MODEL_NAME
    report: dict[str, Any] = {"model": name, "config": asdict(cfg), "n_train": len(train), "skipped": len(problems)}
    if calibration is not None:
        report["quadrant_calibration"] = calibration
    if cfg.informative:
        report["temperature"] = temperature
    for split, exs in heldout.items():
        for ds in sorted({ex.dataset for ex in exs}):
            part = [ex for ex in exs if ex.dataset == ds]
            report.setdefault(split, {})[ds] = evaluate_model(
                model, part, quadrant_channel=channel, musicnn=musicnn, conform=conform
            )
    if cfg.informative:  # v4: the records the predictor writes, scored against both references
        from mvemo.train.music_v4 import evaluate_grid

        for split, exs in heldout.items():
            for ds in sorted({ex.dataset for ex in exs}):
                part = [ex for ex in exs if ex.dataset == ds]
                report.setdefault("grid", {}).setdefault(split, {})[ds] = evaluate_grid(
                    model, part, quadrant_channel=channel, musicnn=musicnn, temperature=temperature
                )
            report["grid"][split]["all"] = evaluate_grid(
                model, exs, quadrant_channel=channel, musicnn=musicnn, temperature=temperature
            )
    if cv_folds:
        report["cv_4q"] = cross_validate(examples, cfg, folds=cv_folds, log=log)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    out = Path(cfg.out_dir)
    meta = {
        "name": name,
        "backbone": cfg.backbone,
        "gems_terms": list(GEMS_TERMS),
        "config": {
            "embedding_dim": model.cfg.embedding_dim,
            "dropout": model.cfg.dropout,
            **({"intensity_levels": model.cfg.intensity_levels} if model.cfg.intensity_levels else {}),
        },
        **({"temperature": temperature, "informative": True} if cfg.informative else {}),
        "std_pooling": bool(cfg.std_pooling),
        "features": [blocks_kind(cfg.backbone), HARMONY_KIND],
        "train": {"datasets": list(cfg.datasets), "seed": cfg.seed},
    }
    if channel is not None:
        meta["quadrant_linear"] = {
            "c": cfg.quadrant_linear_c,
            "weight": channel.weight,
            "inputs": list(channel.linear.inputs),
            "temperature": channel.temperature,
        }
        meta["conform_categories"] = conform
    save_music_model(model, meta, out / f"{name}.pt", quadrant_channel=channel)
    write_report(out, report, card=model_card(report), card_name=name)
    log(f"wrote {out / (name + '.pt')} and {out / 'report.json'} ({report['seconds']} s)")
    return report

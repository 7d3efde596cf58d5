"""The shared trainer toolkit: metrics of held-out predictions, splits, a small head fitter,
report/card writing and model-card templates.

Every trainer in :mod:`mvemo.train` takes these from here instead of from another trainer.

=========================  ==========================================================
helper                     what
=========================  ==========================================================
:func:`quadrant_report`    4Q accuracy, macro-F1, valence/arousal accuracy, confusion
:func:`quadrant_scores`    4Q accuracy and macro-F1 only
:func:`macro_f1`           macro-F1 of class indices (:mod:`mvemo.metrics`)
:func:`unified_scores`     MVEmo-Bench static scores of category/intensity indices
:func:`holdout_split`      train/validation masks from item splits or a seeded draw
:func:`fit_head`           full-batch Adam on category CE + VA and intensity MSE
:class:`HeadSettings`      the training settings of a small head (video, fusion)
:class:`HeadSamples`       a small head's inputs and targets (video, fusion)
:func:`public_config`      a config without machine-specific paths (for cards)
:func:`write_report`       ``report.json`` (+ the card) written atomically
:func:`render_template`    a card section from ``train/templates/<name>.md``
=========================  ==========================================================
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, is_dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError

__all__ = [
    "check_head_settings",
    "HeadSamples",
    "HeadSettings",
    "LOCAL_KEYS",
    "EVAL_SPLITS",
    "fit_head",
    "fmt_share",
    "holdout_split",
    "macro_f1",
    "public_config",
    "quadrant_report",
    "quadrant_scores",
    "render_template",
    "unified_scores",
    "write_json",
    "write_report",
]

LOCAL_KEYS = ("data_home", "cache_dir", "out_dir")  # machine-specific paths, left out of reports and cards
EVAL_SPLITS = ("validation", "valid", "val", "test")  # manifest split names held out from training


# --------------------------------------------------------------------------- metrics
def quadrant_report(truth: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """4Q classification report of class indices (0-3 = Q1-Q4).

    Parameters
    ----------
    truth, pred : np.ndarray
        ``(N,)`` int class indices.

    Returns
    -------
    dict
        ``n``, ``accuracy``, ``macro_f1`` (F1 = 2PR / (P + R) per class), ``valence_accuracy``
        (Q1/Q4 positive), ``arousal_accuracy`` (Q1/Q2 high) and the 4 x 4 ``confusion``
        (rows truth, columns prediction).

    Examples
    --------
    >>> r = quadrant_report(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 0]))
    >>> r["accuracy"], r["valence_accuracy"], r["arousal_accuracy"]
    (0.75, 1.0, 0.75)
    """
    f1s = []
    for k in range(4):
        tp = np.sum((pred == k) & (truth == k))
        p = tp / max(np.sum(pred == k), 1)
        r = tp / max(np.sum(truth == k), 1)
        f1s.append(0.0 if p + r == 0 else 2 * p * r / (p + r))
    conf = np.zeros((4, 4), int)
    for t, p in zip(truth, pred):
        conf[t, p] += 1
    val = np.isin(truth, (0, 3)) == np.isin(pred, (0, 3))
    aro = np.isin(truth, (0, 1)) == np.isin(pred, (0, 1))
    return {
        "n": int(truth.size),
        "accuracy": float(np.mean(truth == pred)),
        "macro_f1": float(np.mean(f1s)),
        "valence_accuracy": float(val.mean()),
        "arousal_accuracy": float(aro.mean()),
        "confusion": conf.tolist(),
    }


def quadrant_scores(ref: np.ndarray, est: np.ndarray) -> dict[str, Any]:
    """4Q ``n``, accuracy and macro-F1 (F1 = 2 TP / (#predicted + #true) per class) of class indices.

    The same quantities as :func:`quadrant_report`; the F1 is computed in the other
    algebraic form, which can differ in the last bit, so that reports reproduced by the
    music trainer stay bit-identical to the shipped ones.

    Examples
    --------
    >>> quadrant_scores(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 0]))["accuracy"]
    0.75
    """
    f1s = []
    for c in range(4):
        tp = np.sum((est == c) & (ref == c))
        denom = np.sum(est == c) + np.sum(ref == c)
        f1s.append(2 * tp / denom if denom else 0.0)
    return {"n": int(len(ref)), "accuracy": float(np.mean(est == ref)), "macro_f1": float(np.mean(f1s))}


def macro_f1(ref: np.ndarray, est: np.ndarray, n_classes: int) -> float:
    """Macro-F1 of class indices over ``n_classes`` (:func:`mvemo.metrics.emotion.precision_recall_f1`)."""
    from mvemo.metrics.emotion import precision_recall_f1

    return float(precision_recall_f1(np.asarray(ref), np.asarray(est), n_classes=n_classes, average="macro")[2][0])


def unified_scores(pred_cat: np.ndarray, pred_int: np.ndarray, cat: np.ndarray, inten: np.ndarray) -> dict[str, float]:
    """MVEmo-Bench static scores (category/intensity F1, emotion distance) of index arrays, to 4 decimals.

    Parameters
    ----------
    pred_cat, cat : np.ndarray
        ``(N,)`` indices into :data:`mvemo.representation.CATEGORIES`.
    pred_int, inten : np.ndarray
        ``(N,)`` intensity levels.
    """
    from mvemo.metrics import evaluate
    from mvemo.representation import CATEGORIES

    s = evaluate([CATEGORIES[i] for i in cat], inten, [CATEGORIES[i] for i in pred_cat], pred_int)
    return {k: round(float(v), 4) for k, v in s.items() if isinstance(v, (int, float))}


def fmt_share(x: float | None) -> str:
    """A share to 2 decimals for a card table; empty when unknown."""
    return "" if x is None else f"{x:.2f}"


# --------------------------------------------------------------------------- data and fitting
def holdout_split(items, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation masks of manifest items.

    Items whose split is one of :data:`EVAL_SPLITS` are held out; when there are none, a
    seeded ``val_fraction`` of the items (at least one) is, provided there are two or more.

    Returns
    -------
    train, validation : np.ndarray
        ``(N,)`` bool masks, complementary.
    """
    splits = np.array([(it.split or "").lower() for it in items])
    val = np.isin(splits, EVAL_SPLITS)
    if not val.any() and val_fraction > 0 and len(items) >= 2:
        order = np.random.default_rng(seed).permutation(len(items))
        val[order[: max(1, int(round(val_fraction * len(items))))]] = True
    return ~val, val


@dataclass(kw_only=True)
class HeadSettings:
    """Training settings of a small head (:func:`fit_head`), shared by the video and fusion
    trainers' configs (their own fields come first, positionally; these are keyword-only).

    Attributes
    ----------
    epochs : int
        Full-batch Adam steps (>= 1).
    lr, weight_decay : float
        Adam's learning rate (> 0) and weight decay.
    hidden : int
        Width of the head's hidden layer (>= 1).
    seed : int
        Seed of the weights and of the validation draw.
    val_fraction : float
        Share of the items held out when the manifest names no validation/test split, in [0, 1).
    """

    epochs: int = 300
    lr: float = 3e-3
    weight_decay: float = 1e-4
    hidden: int = 64
    seed: int = 0
    val_fraction: float = 0.2

    def __post_init__(self) -> None:
        check_head_settings(epochs=self.epochs, lr=self.lr, hidden=self.hidden, val_fraction=self.val_fraction)


@dataclass(frozen=True)
class HeadSamples:
    """A small head's training samples: inputs and unified targets, one row per sample.

    Attributes
    ----------
    x : np.ndarray
        ``(N, F)`` inputs.
    category : np.ndarray
        ``(N,)`` indices into :data:`mvemo.representation.CATEGORIES`.
    intensity : np.ndarray
        ``(N,)`` intensities in [0, 1].
    va : np.ndarray
        ``(N, 2)`` valence-arousal of the labels.
    item : np.ndarray
        ``(N,)`` index of the source item.
    static : np.ndarray
        ``(N,)`` bool: a static sample (else a labelled grid time).
    skipped : list of (str, str)
        ``(item id, reason)`` of the items that gave no sample.
    """

    x: np.ndarray
    category: np.ndarray
    intensity: np.ndarray
    va: np.ndarray
    item: np.ndarray
    static: np.ndarray
    skipped: list = field(default_factory=list)

    def take(self, mask: np.ndarray) -> HeadSamples:
        """The samples where ``mask`` (``(N,)`` bool) is true."""
        return HeadSamples(
            self.x[mask],
            self.category[mask],
            self.intensity[mask],
            self.va[mask],
            self.item[mask],
            self.static[mask],
            self.skipped,
        )


def fit_head(
    head,
    x: np.ndarray,
    category: np.ndarray,
    va: np.ndarray,
    intensity: np.ndarray,
    *,
    epochs: int,
    lr: float,
    weight_decay: float,
    seed: int,
) -> list[float]:
    """Full-batch Adam on CE(category) + MSE(VA) + MSE(intensity); returns the loss per epoch.

    Parameters
    ----------
    head : torch.nn.Module
        Maps ``(N, F)`` to a :class:`~mvemo.models.outputs.HeadOutputs` with ``category`` logits
        ``(N, 28)``, ``va`` ``(N, 2)`` and ``intensity`` ``(N,)``; left in eval mode.
    x : np.ndarray
        ``(N, F)`` inputs.
    category, va, intensity : np.ndarray
        ``(N,)`` category indices, ``(N, 2)`` valence-arousal, ``(N,)`` intensity in [0, 1].
    """
    torch = require("torch", extra="torch")
    torch.manual_seed(seed)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float32))
    ct = torch.from_numpy(np.asarray(category, dtype=np.int64))
    vt = torch.from_numpy(np.asarray(va, dtype=np.float32))
    it = torch.from_numpy(np.asarray(intensity, dtype=np.float32))
    opt = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=weight_decay)
    losses = []
    head.train()
    for _ in range(epochs):
        opt.zero_grad()
        out = head(xt)
        loss = (
            torch.nn.functional.cross_entropy(out.category, ct)
            + torch.nn.functional.mse_loss(out.va, vt)
            + torch.nn.functional.mse_loss(out.intensity, it)
        )
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    head.eval()
    return losses


# --------------------------------------------------------------------------- reports and cards
def public_config(cfg: Any, *, drop: Iterable[str] = LOCAL_KEYS) -> dict[str, Any]:
    """A config (dataclass or mapping) as a dict without the machine-specific keys ``drop``.

    Examples
    --------
    >>> public_config({"seed": 1, "data_home": "/data"})
    {'seed': 1}
    """
    items = asdict(cfg) if is_dataclass(cfg) else dict(cfg)
    drop = set(drop)
    return {k: v for k, v in items.items() if k not in drop}


def write_json(path: str | Path, obj: Any, *, default=None) -> Path:
    """``obj`` as indented JSON (with a final newline) written atomically to ``path``."""
    from mvemo.util import atomic_write

    return atomic_write(path, json.dumps(obj, indent=2, default=default) + "\n")


def write_report(
    out: str | Path, report: Mapping[str, Any], *, card: str | None = None, card_name: str | None = None
) -> Path:
    """Write ``out/report.json`` (floats of numpy type as floats) and, with ``card``, the card
    ``out/<card_name>.md``; each atomically.  Returns the report's path."""
    from mvemo.util import atomic_write

    out = Path(out)
    path = write_json(out / "report.json", report, default=float)
    if card is not None:
        if not card_name:
            raise ParameterError("write_report: a card needs card_name (the model name)")
        atomic_write(out / f"{card_name}.md", card)
    return path


def render_template(name: str, /, **fields: Any) -> str:
    """The card section ``mvemo/train/templates/<name>.md`` with ``$field`` placeholders filled.

    The templates hold a card's fixed prose (published results, limits); the numbers and
    config-dependent sentences are passed as ``fields``.  A missing field is an error.

    Raises
    ------
    ParameterError
        When the template does not exist or a placeholder has no field.
    """
    res = resources.files("mvemo.train").joinpath("templates", f"{name}.md")
    try:
        text = res.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise ParameterError(f"no model-card template {name!r} ({exc})") from exc
    try:
        return Template(text).substitute(fields)
    except KeyError as exc:
        raise ParameterError(f"model-card template {name!r} needs the field {exc.args[0]!r}") from exc


def check_head_settings(*, epochs: int, lr: float, hidden: int, val_fraction: float) -> None:
    """Validate a small head's training settings (video and fusion heads).

    Raises
    ------
    ParameterError
        Naming every setting when one is out of range.

    Examples
    --------
    >>> check_head_settings(epochs=10, lr=1e-3, hidden=8, val_fraction=0.2)
    """
    if epochs < 1 or lr <= 0 or hidden < 1 or not 0 <= val_fraction < 1:
        raise ParameterError(
            f"bad training settings: epochs={epochs}, lr={lr}, hidden={hidden}, val_fraction={val_fraction}"
        )

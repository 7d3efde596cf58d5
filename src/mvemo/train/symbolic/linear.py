"""The linear valence x arousal model (:class:`~mvemo.models.symbolic.TwoFactorLinear`)."""

from __future__ import annotations

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.train.symbolic.config import Clip, SymbolicTrainConfig
from mvemo.train.symbolic.networks import clip_windows

__all__ = ["clip_group", "fit_linear_factor", "linear_design", "train_linear"]


def clip_group(clip: Clip) -> str:
    """The song (EMOPIA: YouTube id of ``Qk_<id>_<n>``) or piece (VGMIDI: ``<piece>_<n>``) of a clip."""
    name = clip.id.split(":", 1)[-1]
    parts = name.split("_")
    if len(parts) >= 3 and parts[0][:1] == "Q" and parts[0][1:].isdigit():
        parts = parts[1:]
    if len(parts) >= 2 and parts[-1].isdigit():
        parts = parts[:-1]
    return f"{clip.dataset}:{'_'.join(parts)}"


def linear_design(
    clips: list[Clip], inputs, *, rng: np.random.Generator | None = None, n_random: int = 0, min_window: float = 5.0
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Feature blocks of the whole clips (plus ``n_random`` random crops each when ``rng`` is given).

    Returns
    -------
    blocks : dict
        Block name -> ``(N, F_b)`` (see :func:`mvemo.predict.symbolic.linear_blocks`).
    clip : np.ndarray
        ``(N,)`` index into ``clips`` of each row.
    """
    from mvemo.predict.symbolic import linear_blocks

    parts: dict[str, list] = {b: [] for b in inputs}
    idx = []
    for i, c in enumerate(clips):
        s, e = clip_windows(c, rng, n_random if rng is not None else 0, min_window)
        e = np.maximum(e, s + 1e-3)
        for b, v in linear_blocks(c.features, s, e, inputs).items():
            parts[b].append(v)
        idx += [i] * len(s)
    return {b: np.concatenate(v).astype(np.float64) for b, v in parts.items()}, np.asarray(idx)


def fit_linear_factor(x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, inputs, cs, folds: int = 5):
    """A standardised logistic regression, C chosen by grouped cross-validation.

    Parameters
    ----------
    x : np.ndarray
        ``(N, F)`` features.
    y : np.ndarray
        ``(N,)`` binary targets (1 = positive valence / high arousal).
    groups : np.ndarray
        ``(N,)`` song/piece of each row: folds never split a group.
    inputs : tuple of str
        The feature blocks of ``x`` (stored in the factor).
    cs : sequence of float
        Candidate inverse regularisation strengths; the one with the lowest pooled
        out-of-fold log-loss is refitted on all rows.
    folds : int
        Folds of :class:`sklearn.model_selection.GroupKFold` (fewer when there are fewer groups).

    Returns
    -------
    factor : LinearFactor
    info : dict
        ``{"C": chosen, "cv_log_loss": {C: loss}, "cv_accuracy": {C: acc}}``.
    """
    require("sklearn", extra="symbolic")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    from mvemo.models.symbolic import LinearFactor

    cs = [float(c) for c in cs]
    if not cs or any(c <= 0 for c in cs):
        raise ParameterError(f"linear_cs must be positive numbers, got {cs!r}")
    y = np.asarray(y, dtype=np.int64)
    if set(np.unique(y).tolist()) != {0, 1}:
        raise DataError("a linear factor needs training examples of both classes")

    def fit(xs, ys, c):
        scaler = StandardScaler().fit(xs)
        lr = LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(xs), ys)
        return scaler, lr

    n_folds = min(int(folds), len(np.unique(groups)))
    losses, accs = {}, {}
    if len(cs) > 1 and n_folds >= 2:
        for c in cs:
            loss, hit = 0.0, 0
            for a, b in GroupKFold(n_splits=n_folds).split(x, y, groups):
                scaler, lr = fit(x[a], y[a], c)
                p = np.clip(lr.predict_proba(scaler.transform(x[b]))[:, 1], 1e-9, 1 - 1e-9)
                loss -= float(np.sum(y[b] * np.log(p) + (1 - y[b]) * np.log(1 - p)))
                hit += int(np.sum((p > 0.5) == (y[b] == 1)))
            losses[c], accs[c] = loss / len(y), hit / len(y)
        best = min(cs, key=lambda c: (losses[c], c))
    else:
        best = cs[0]
    scaler, lr = fit(x, y, best)
    factor = LinearFactor(
        tuple(inputs),
        scaler.mean_.copy(),
        np.where(scaler.scale_ > 0, scaler.scale_, 1.0),
        lr.coef_[0].astype(np.float64),
        float(lr.intercept_[0]),
    )
    return factor, {
        "C": best,
        "cv_log_loss": {str(c): v for c, v in losses.items()},
        "cv_accuracy": {str(c): v for c, v in accs.items()},
    }


def train_linear(train: list[Clip], cfg: SymbolicTrainConfig, *, log=print):
    """Fit the valence and arousal factors (:class:`~mvemo.models.symbolic.TwoFactorLinear`).

    Valence target: Q1/Q4 (positive) vs Q2/Q3; arousal: Q1/Q2 (high) vs Q3/Q4.  Rows: the
    training clips of ``cfg.linear_datasets`` whole (plus ``linear_n_random`` seeded random
    crops of >= ``min_window`` s each, with the clip's label); C per factor from
    ``cfg.linear_cs`` by ``cfg.linear_folds``-fold cross-validation grouped by song/piece.

    Returns
    -------
    model : TwoFactorLinear
    info : dict
        The chosen C and cross-validation figures of each factor.
    """
    from mvemo.models.symbolic import TwoFactorLinear

    clips = [c for c in train if c.dataset in cfg.linear_datasets]
    if not clips:
        raise DataError(f"no training clips of linear_datasets {list(cfg.linear_datasets)}")
    inputs = tuple(dict.fromkeys((*cfg.valence_inputs, *cfg.arousal_inputs)))
    rng = np.random.default_rng(cfg.seed + 2000) if cfg.linear_n_random > 0 else None
    blocks, idx = linear_design(clips, inputs, rng=rng, n_random=cfg.linear_n_random, min_window=cfg.min_window)
    quad = np.array([clips[i].quadrant for i in idx])
    groups = np.array([clip_group(clips[i]) for i in idx])
    factors, info = {}, {"n_rows": int(idx.size), "n_clips": len(clips)}
    for name, ins, target in (
        ("valence", cfg.valence_inputs, np.isin(quad, (0, 3))),
        ("arousal", cfg.arousal_inputs, np.isin(quad, (0, 1))),
    ):
        x = np.concatenate([blocks[b] for b in ins], axis=1)
        factors[name], info[name] = fit_linear_factor(
            x, target.astype(np.int64), groups, inputs=ins, cs=cfg.linear_cs, folds=cfg.linear_folds
        )
        if log:
            log(f"  linear {name}: {x.shape[1]} features, C = {info[name]['C']}")
    return TwoFactorLinear(factors["valence"], factors["arousal"]), info

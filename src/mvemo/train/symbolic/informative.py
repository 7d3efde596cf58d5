"""Informative targets for the symbolic model: an 11-level intensity head and calibration.

The symbolic datasets' *static* informative targets carry no intensity information
(EMOPIA and VGMIDI clips are bare quadrants: rule ``quadrant``, intensity 0.5, weight 0.5);
VGMIDI's *dynamic* informative frames do (the annotators' valence-arousal spread,
:func:`mvemo.conversion.informative.dynamic_from_va`).  :func:`level_examples` builds the
training windows of the intensity head from both: every VGMIDI dynamic frame (window
``t ± 2.5 s``, target :func:`~mvemo.conversion.informative.level_distribution` of its
agreement, weight 1) and every static clip (target at 0.5, its informative weight).
:func:`fit_soft_softmax` fits a standardised softmax regression to soft targets.
"""

from __future__ import annotations

import numpy as np

from mvemo._extras import require
from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH
from mvemo.conversion.informative import level_distribution

__all__ = ["fit_soft_softmax", "informative_by_id", "level_examples"]


def informative_by_id(datasets, *, data_home=None) -> dict[str, dict]:
    """``item.id -> item.informative`` for the datasets (items without one left out)."""
    from mvemo.data import load

    out = {}
    for name in datasets:
        for item in load(name, data_home=data_home).index():
            if item.informative:
                out[item.id] = item.informative
    return out


def level_examples(clips, informative: dict[str, dict], *, static_weight: float | None = None):
    """Window statistics, level targets and weights of ``clips``.

    Returns
    -------
    x : np.ndarray, shape (N, F)
    y : np.ndarray, shape (N, 11)
    w : np.ndarray, shape (N,)
    clip : np.ndarray of int, shape (N,)
    """
    xs, ys, ws, idx = [], [], [], []
    for i, c in enumerate(clips):
        inf = informative.get(c.id) or {}
        sw = float(inf.get("weight", 0.5)) if static_weight is None else static_weight
        xs.append(c.features.window_stats(np.array([0.0]), np.array([c.features.duration])))
        ys.append(level_distribution(float(inf.get("agreement", 0.5)))[None])
        ws.append([sw])
        idx.append([i])
        frames = [f for f in inf.get("dynamic", []) if f["time"] + WINDOW_HALF_WIDTH <= c.features.duration + 1e-6]
        if frames:
            t = np.array([f["time"] for f in frames])
            xs.append(c.features.window_stats(t - WINDOW_HALF_WIDTH, t + WINDOW_HALF_WIDTH))
            ys.append(np.stack([level_distribution(float(f["agreement"])) for f in frames]))
            ws.append(np.ones(len(frames)))
            idx.append(np.full(len(frames), i))
    return (np.concatenate(xs).astype(np.float64), np.concatenate(ys), np.concatenate(ws).astype(np.float64),
            np.concatenate(idx))  # fmt: skip


def fit_soft_softmax(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, l2: float, iters: int = 200) -> dict:
    """Weighted soft-target softmax regression on standardised ``x`` (L-BFGS, torch).

    Minimises ``sum_n w_n * CE(y_n, softmax(z_n)) / sum w + l2 * |coef|^2``,
    ``z = ((x - mean) / scale) @ coef + intercept``.

    Returns
    -------
    dict
        ``mean``, ``scale`` (F,), ``coef`` (F, K), ``intercept`` (K,), numpy float64.
    """
    torch = require("torch", extra="torch")
    mean, scale = x.mean(0), np.maximum(x.std(0), 1e-6)
    xt = torch.from_numpy((x - mean) / scale)
    yt, wt = torch.from_numpy(y), torch.from_numpy(w / w.sum())
    coef = torch.zeros(x.shape[1], y.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(y.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([coef, b], max_iter=iters, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = xt @ coef + b
        loss = -(wt[:, None] * yt * torch.log_softmax(z, -1)).sum() + l2 * (coef**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return {"mean": mean, "scale": scale, "coef": coef.detach().numpy(), "intercept": b.detach().numpy()}


def soft_softmax_proba(model: dict, x: np.ndarray) -> np.ndarray:
    """Probabilities ``(N, K)`` of a :func:`fit_soft_softmax` model."""
    z = ((x - model["mean"]) / model["scale"]) @ model["coef"] + model["intercept"]
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)

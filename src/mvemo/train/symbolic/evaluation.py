"""Held-out evaluation of the symbolic model and the scikit-learn baselines."""

from __future__ import annotations

from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.train.common import quadrant_report
from mvemo.train.symbolic.config import Clip
from mvemo.train.symbolic.networks import predict_clips

__all__ = ["baseline_features", "evaluate_network", "run_baselines"]


def evaluate_network(
    nets: list,
    clips: list[Clip],
    *,
    frame_nets: list = (),
    frame_weight: float = 0.5,
    linear=None,
    linear_weight: float = 1.0,
    conform: bool = False,
) -> dict[str, Any]:
    """4Q accuracy / macro-F1 / V and A accuracy, and MVEmo metrics of the unified label
    (outputs of :func:`predict_clips` with the same arguments)."""
    from mvemo.conversion.quadrant import quadrant_agreement
    from mvemo.metrics import evaluate
    from mvemo.representation import default_circumplex, quantize_intensity

    cats = default_circumplex().categories
    out = predict_clips(
        nets,
        clips,
        frame_nets=frame_nets,
        frame_weight=frame_weight,
        linear=linear,
        linear_weight=linear_weight,
        conform=conform,
    )
    truth = np.array([c.quadrant for c in clips])
    rep = {"quadrant": quadrant_report(truth, out.quadrant.argmax(1))}
    va_pred = np.sign(out.va)
    rep["va_sign_accuracy"] = {
        "valence": float(np.mean(va_pred[:, 0] == np.sign([c.va[0] for c in clips]))),
        "arousal": float(np.mean(va_pred[:, 1] == np.sign([c.va[1] for c in clips]))),
    }
    est_i = quantize_intensity(np.clip(out.intensity, 0, 1))
    u = evaluate(
        [cats[c.category] for c in clips],
        [c.intensity for c in clips],
        [cats[k] for k in out.category.argmax(1)],
        list(est_i),
    )
    rep["unified"] = {k: float(v) for k, v in u.items()}
    rep["unified"]["quadrant_agreement"] = quadrant_agreement(out.category, out.quadrant)
    return rep


# --------------------------------------------------------------------------- baselines
def baseline_features(clips: list[Clip]) -> np.ndarray:
    """Whole-clip statistics plus a normalised bag of chord qualities and of (root, major/minor) pairs."""
    from mvemo.features.harmony import CHORD_QUALITIES

    rows = []
    for c in clips:
        f = c.features
        stats = f.window_stats(np.array([0.0]), np.array([max(f.duration, 1e-3)]))[0]
        q = np.bincount(f.qualities, minlength=len(CHORD_QUALITIES))[: len(CHORD_QUALITIES)].astype(float)
        r = np.bincount(f.roots, minlength=13)[:13].astype(float)
        rows.append(np.concatenate([stats, q / max(q.sum(), 1), r / max(r.sum(), 1)]))
    return np.asarray(rows)


def run_baselines(
    train: list[Clip],
    heldout: dict[str, list[Clip]],
    *,
    seed: int,
    models: tuple[str, ...] = ("logistic_regression", "gradient_boosting"),
) -> dict[str, Any]:
    """Logistic regression and/or gradient boosting on :func:`baseline_features`."""
    require("sklearn", extra="symbolic")
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    xtr = baseline_features(train)
    ytr = np.array([c.quadrant for c in train])
    known = {
        "logistic_regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=2000)),
        "gradient_boosting": lambda: HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, random_state=seed
        ),
    }
    unknown = sorted(set(models) - set(known))
    if unknown:
        raise ParameterError(f"unknown baseline model(s) {unknown}; choose from {sorted(known)}")
    rep: dict[str, Any] = {}
    for name in models:
        m = known[name]()
        m.fit(xtr, ytr)
        for split, clips in heldout.items():
            for ds in sorted({c.dataset for c in clips}):
                sub = [c for c in clips if c.dataset == ds]
                pred = m.predict(baseline_features(sub))
                rep.setdefault(name, {}).setdefault(split, {})[ds] = quadrant_report(
                    np.array([c.quadrant for c in sub]), pred
                )
    return rep

"""Music v4: training on informative targets, temperature calibration, and grid evaluation.

* :func:`informative_loss`: the category head against the soft category distribution of each
  item's informative target (``sum_i soft[c, i]``) and the 11-level ``levels`` head against
  its level distribution (``sum_c soft[c, i]``), each a cross-entropy with the soft target,
  weighted by the target's training weight;
* :func:`fit_category_temperature`: one temperature for the category logits, minimising the
  validation negative log-likelihood of the informative category (:mod:`mvemo.metrics.calibration`);
* :func:`evaluate_grid`: scores of the records the predictor writes -- each track's grid
  (categories x levels, the static grid conformed to the quadrant channel as in
  :mod:`mvemo.predict.music`) summarised by :mod:`mvemo.conversion.point` -- against both
  references: the paper-compatible ``static`` label and the informative one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.grids import conform_grid, heads_to_grid
from mvemo.conversion.point import summarize_many
from mvemo.errors import DataError
from mvemo.models.outputs import HeadOutputs
from mvemo.representation import default_circumplex

torch = require("torch", extra="torch")
F = torch.nn.functional

__all__ = ["informative_loss", "fit_category_temperature", "static_grids", "evaluate_grid"]


def informative_loss(out, targets, mask, *, head_weights=None):
    """Weighted soft cross-entropy of the ``category`` and ``levels`` heads.

    Parameters
    ----------
    out : dict
        Network outputs (logits ``category`` (B, 28), ``levels`` (B, 11)).
    targets : dict
        ``soft`` (B, 28, 11) soft targets and ``soft_weight`` (B,) weights.
    mask : Tensor of bool, shape (B,)
        Rows that have an informative target.
    head_weights : dict, optional
        ``category`` and ``intensity`` multiply the two terms (default 1).

    Returns
    -------
    Tensor (scalar)
        ``sum_b w_b (hc * CE(cat_b) + hi * CE(levels_b)) / sum_b w_b``.
    """
    soft, w = targets["soft"][mask], targets["soft_weight"][mask]
    hw = head_weights or {}
    ce_c = -(soft.sum(-1) * F.log_softmax(out.category[mask], -1)).sum(-1)
    ce_l = -(soft.sum(-2) * F.log_softmax(out.levels[mask], -1)).sum(-1)
    per = hw.get("category", 1.0) * ce_c + hw.get("intensity", 1.0) * ce_l
    return (w * per).sum() / w.sum().clamp_min(1e-6)


def fit_category_temperature(model, examples) -> float:
    """Temperature of the category logits that minimises the NLL of the informative category on ``examples``."""
    from mvemo.metrics.calibration import fit_temperature
    from mvemo.train.music import predict_static_with_logits

    own = [ex for ex in examples if ex.informative is not None]
    if len(own) < 10:
        raise DataError(f"temperature calibration needs validation tracks with informative targets, got {len(own)}")
    logits = predict_static_with_logits(model, own)[1].astype(np.float64)
    return float(fit_temperature(logits, np.array([ex.informative.category_index for ex in own])))


def static_grids(
    pred: HeadOutputs, category_logits: np.ndarray, quadrant: np.ndarray, *, temperature: float = 1.0
) -> np.ndarray:
    """Static grids (N, 28, 11) from :func:`mvemo.train.music.predict_static_with_logits`' outputs, as
    the predictor makes them: the tempered category probabilities times the levels (or the scalar
    intensity's level distribution), conformed to ``quadrant`` (N, 4)."""
    z = category_logits.astype(np.float64) / temperature
    z -= z.max(-1, keepdims=True)
    cat = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    return conform_grid(heads_to_grid(cat, pred.intensity, levels=pred.levels, normalize=False), quadrant)


def evaluate_grid(
    model,
    examples,
    *,
    quadrant_channel=None,
    musicnn=None,
    temperature: float = 1.0,
    reliability_png: str | None = None,
) -> dict[str, Any]:
    """Scores of the predictor's static records on ``examples`` against both references.

    Returns
    -------
    dict
        ``n``; ``static`` and ``informative``: :func:`mvemo.metrics.evaluate` against each
        reference; ``static_at_half``: against the paper reference with every predicted intensity
        set to 0.5 (the category's share of that D_e); ``intensity_std``, ``intensity_levels`` (distinct), ``categories_used``;
        ``quadrant`` (4Q accuracy and macro-F1, 4Q tracks only); ``ece_category`` (against the
        informative category), ``ece_quadrant`` (4Q tracks), each with its ``*_floor``
        (:func:`mvemo.metrics.calibration.calibrated_ece`: mean and 95th percentile of the ECE
        of a calibrated model at this N) and ``reliability_*`` (the non-empty bins of its
        reliability diagram); ``coherent`` (share of coherent records).
    """
    from mvemo.conversion.point import coherence_problems
    from mvemo.conversion.quadrant import QUADRANTS
    from mvemo.metrics import evaluate, label_spread
    from mvemo.metrics.calibration import (
        calibrated_ece,
        expected_calibration_error,
        reliability_bins,
        reliability_diagram,
    )
    from mvemo.train.common import quadrant_scores
    from mvemo.train.music import predict_static_with_logits, stack_track_blocks

    pred, logits = predict_static_with_logits(model, examples)
    quad = pred.quadrant
    if quadrant_channel is not None:
        quad = quadrant_channel.blend(quad, stack_track_blocks(examples, musicnn))
    a = summarize_many(static_grids(pred, logits, quad, temperature=temperature))
    cats = default_circumplex().categories
    est_c = [cats[k] for k in a.category]
    rep: dict[str, Any] = {"n": len(examples), "temperature": temperature}
    for key, get in (
        ("static", lambda ex: (ex.category, ex.intensity)),
        (
            "informative",
            lambda ex: (
                (None, None) if ex.informative is None else (ex.informative.category_index, ex.informative.intensity)
            ),
        ),
    ):
        refs = [get(ex) for ex in examples]
        keep = [i for i, (c, _) in enumerate(refs) if c is not None]
        if keep:
            rep[key] = evaluate(
                [cats[refs[i][0]] for i in keep],
                [refs[i][1] for i in keep],
                [est_c[i] for i in keep],
                a.intensity[keep],
            )
    # the paper reference puts every track at intensity 0.5: how much of its D_e is intensity
    keep = [i for i, ex in enumerate(examples) if ex.category is not None]
    if keep:
        rep["static_at_half"] = evaluate(
            [cats[examples[i].category] for i in keep],
            [examples[i].intensity for i in keep],
            [est_c[i] for i in keep],
            np.full(len(keep), 0.5),
        )
    rep.update(label_spread(est_c, a.intensity))
    rep["categories"] = sorted(set(est_c))
    rep["intensities"] = np.round(a.intensity, 1).tolist()
    rep["coherent"] = float(
        np.mean(
            [
                not coherence_problems(c, i, v, ar, QUADRANTS[q])
                for c, i, v, ar, q in zip(est_c, a.intensity, a.valence, a.arousal, a.quadrant)
            ]
        )
    )
    q = np.array([ex.quadrant is not None for ex in examples])
    if q.any():
        ref = np.array([ex.quadrant for ex in examples if ex.quadrant is not None])
        rep["quadrant"] = quadrant_scores(ref, a.quadrant[q])
        rep["ece_quadrant"] = expected_calibration_error(a.quadrant_probabilities[q], ref)
        rep["ece_quadrant_floor"] = calibrated_ece(a.quadrant_probabilities[q])
        rep["reliability_quadrant"] = _bins_dict(reliability_bins(a.quadrant_probabilities[q], ref))
    inf = np.array([ex.informative is not None for ex in examples])
    if inf.any():
        ref_c = np.array([ex.informative.category_index for ex in examples if ex.informative is not None])
        rep["ece_category"] = expected_calibration_error(a.probabilities[inf], ref_c)
        rep["ece_category_floor"] = calibrated_ece(a.probabilities[inf])
        rep["reliability_category"] = _bins_dict(reliability_bins(a.probabilities[inf], ref_c))
        if reliability_png:
            reliability_diagram(
                a.probabilities[inf], ref_c, reliability_png, title="Music static category probabilities (validation)"
            )
            if q.any():
                reliability_diagram(
                    a.quadrant_probabilities[q],
                    ref,
                    reliability_png.replace(".png", "_quadrant.png"),
                    title="Music static quadrant probabilities (4Q validation)",
                )
    return rep


def _bins_dict(b) -> dict[str, list]:
    """JSON form of :class:`mvemo.metrics.calibration.ReliabilityBins` (non-empty bins only)."""
    keep = b.count > 0
    lo = b.edges[:-1][keep]
    return {
        "lower": [round(float(x), 4) for x in lo],
        "upper": [round(float(x), 4) for x in b.edges[1:][keep]],
        "count": [int(x) for x in b.count[keep]],
        "confidence": [round(float(x), 4) for x in b.confidence[keep]],
        "accuracy": [round(float(x), 4) for x in b.accuracy[keep]],
    }

"""Music2Emo training losses: selective multitask updates and knowledge distillation.

A batch carries, for each head, a target tensor and a mask of the samples that have
that label.  Heads without any labelled sample in the batch contribute nothing, so a
batch from one dataset updates only the heads (and the shared trunk) that its
dataset has labels for: Music2Emo's *selective updates*.
"""

from __future__ import annotations

from collections.abc import Mapping

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.models.music2emo import HeadSpec

torch = require("torch", extra="torch")
F = torch.nn.functional

__all__ = ["head_loss", "distillation_loss", "multitask_loss"]


def head_loss(spec: HeadSpec, output, target, *, pos_weight=None):
    """Supervised loss of one head over the labelled samples.

    Parameters
    ----------
    spec : HeadSpec
    output : Tensor (N, size) or (N,)
        Raw head output (logits for softmax/sigmoid heads).
    target : Tensor
        Class indices (N,) long, or class distributions (N, size) for softmax heads;
        proportions in [0, 1] (N, size) for sigmoid heads (weighted BCE);
        values for regression heads (MSE).
    pos_weight : Tensor (size,), optional
        Positive-class weights of the BCE, e.g. ``(1 - p) / p`` from label frequencies.
    """
    if spec.kind == "softmax":
        return F.cross_entropy(output, target)
    if spec.kind == "sigmoid":
        return F.binary_cross_entropy_with_logits(output, target, pos_weight=pos_weight)
    if spec.kind == "regression":
        return F.mse_loss(output, target)
    raise ParameterError(f"unknown head kind {spec.kind!r} for head {spec.name!r}")


def distillation_loss(spec: HeadSpec, student, teacher, *, temperature: float = 2.0):
    """Knowledge distillation from a teacher's outputs on one head.

    Softmax heads: ``T^2 * KL(softmax(teacher/T) || softmax(student/T))``; sigmoid heads:
    the same with per-class Bernoulli distributions; regression heads: MSE to the
    teacher's values.
    """
    if temperature <= 0:
        raise ParameterError(f"temperature must be > 0, got {temperature!r}")
    t = temperature
    if spec.kind == "softmax":
        return (
            F.kl_div(F.log_softmax(student / t, dim=-1), F.softmax(teacher / t, dim=-1), reduction="batchmean") * t * t
        )
    if spec.kind == "sigmoid":
        return F.binary_cross_entropy_with_logits(student / t, torch.sigmoid(teacher / t)) * t * t
    return F.mse_loss(student, teacher)


def multitask_loss(
    heads: tuple[HeadSpec, ...],
    outputs: Mapping[str, object],
    targets: Mapping[str, object],
    masks: Mapping[str, object],
    *,
    teacher_outputs: Mapping[str, object] | None = None,
    kd_weight: float = 0.5,
    temperature: float = 2.0,
    pos_weights: Mapping[str, object] | None = None,
    head_weights: Mapping[str, float] | None = None,
):
    """Sum of per-head losses over the samples labelled for each head.

    Parameters
    ----------
    heads : tuple of HeadSpec
    outputs : HeadOutputs or dict name -> Tensor
        The model's outputs (:class:`~mvemo.models.outputs.HeadOutputs`, read by head name).
    targets, masks : dict name -> Tensor
        Targets and boolean masks (N,) of the labelled samples; a head missing from
        ``masks`` or with an all-False mask is skipped (selective update).
    teacher_outputs : dict name -> Tensor, optional
        A teacher's outputs; where present, the loss of that head becomes
        ``(1 - kd_weight) * supervised + kd_weight * distillation``.

    Returns
    -------
    total : Tensor (scalar)
    parts : dict name -> float
        The loss of each head that contributed.
    """
    total = None
    parts: dict[str, float] = {}
    for spec in heads:
        mask = masks.get(spec.name)
        if mask is None or not bool(mask.any()):
            continue
        out = outputs[spec.name][mask]
        loss = head_loss(
            spec, out, targets[spec.name][mask], pos_weight=None if pos_weights is None else pos_weights.get(spec.name)
        )
        if teacher_outputs is not None and spec.name in teacher_outputs:
            kd = distillation_loss(spec, out, teacher_outputs[spec.name][mask].detach(), temperature=temperature)
            loss = (1.0 - kd_weight) * loss + kd_weight * kd
        loss = loss * (1.0 if head_weights is None else head_weights.get(spec.name, 1.0))
        parts[spec.name] = float(loss.detach())
        total = loss if total is None else total + loss
    if total is None:
        raise ParameterError("no head has a labelled sample in this batch")
    return total, parts

"""Train the video emotion head on labelled videos (a manifest with video media and unified labels).

Samples: one per video from its static label (the static feature vector), plus one per
labelled grid time from its dynamic labels (the window feature vector), so one head serves
both outputs.  Targets: the unified category, its intensity, and the label's valence-arousal
point (:func:`mvemo.conversion.labels_to_va`).  Loss: cross-entropy + MSE(VA) + MSE(intensity).

Features are cached per video (:class:`mvemo.features.cache.FeatureCache`, kind
:data:`mvemo.features.visual.VISUAL_KIND`), so a rerun only decodes new or changed files.
Validation: the manifest's ``validation``/``test`` items if any, else a seeded share of
the videos; its static MVEmo-Bench scores go to the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.conversion.va import labels_to_va
from mvemo.errors import DataError, MvemoError
from mvemo.features.visual import FEATURE_NAMES, VISUAL_KIND, VisualFeatures, extract_visual_features
from mvemo.representation import CATEGORIES
from mvemo.train.common import HeadSamples, HeadSettings, fit_head, holdout_split, unified_scores, write_json
from mvemo.util import data_home as resolve_data_home

__all__ = ["TrainVideoConfig", "video_samples", "fit_head", "train_video"]  # fit_head: see mvemo.train.common


@dataclass
class TrainVideoConfig(HeadSettings):
    """Options of :func:`train_video` (with the keyword-only head settings of
    :class:`~mvemo.train.common.HeadSettings`).

    Attributes
    ----------
    manifest : str
        JSONL/Parquet manifest (:mod:`mvemo.data.manifest`) of video items with labels.
    out : str
        Output weights (``.pt``); a ``.json`` report is written beside it.
    data_home : str, optional
        Root of the items' relative media paths (default: the manifest's folder; see :func:`mvemo.util.data_home`).
    cache_dir : str, optional
        Feature cache (default: ``$MVEMO_CACHE`` or ``~/.cache/mvemo``).
    role : str
        Media role of the video file in ``Item.media``.
    name : str
        The model's name, stored in its weights.
    """

    manifest: str
    out: str
    data_home: str | None = None
    cache_dir: str | None = None
    role: str = "video"
    name: str = "video-head-v1"


def _video_path(item, role: str) -> Path:
    return item.path(role if role in item.media else None)


def _features(path: Path, cache) -> VisualFeatures:
    hit = cache.get(path, VISUAL_KIND)
    if hit is not None:
        return VisualFeatures.from_arrays(hit)
    feats, _ = extract_visual_features(path, dynamic=True)
    cache.put(path, VISUAL_KIND, feats.to_arrays())
    return feats


def video_samples(
    items, *, role: str = "video", cache_dir: str | Path | None = None, log: Callable[[str], None] = print
) -> HeadSamples:
    """Feature vectors and targets of labelled video items.

    Returns
    -------
    HeadSamples
        ``x`` (N, F) feature vectors, one per static label and one per labelled grid time
        (window); ``skipped`` the items without a sample and why.
    """
    from mvemo.features.cache import FeatureCache, default_cache_dir

    cache = FeatureCache(cache_dir or default_cache_dir())
    xs, cats, ints, src, is_static, skipped = [], [], [], [], [], []
    for k, item in enumerate(items):
        has_dyn = bool(item.dynamic) and any(d.category for d in item.dynamic)
        if item.static is None and not has_dyn:
            skipped.append((item.id, "no unified label"))
            continue
        try:
            feats = _features(_video_path(item, role), cache)
        except MvemoError as exc:
            skipped.append((item.id, str(exc)))
            log(f"skip {item.id}: {exc}")
            continue
        if item.static is not None:
            xs.append(feats.static_vector()[None])
            cats.append([CATEGORIES.index(item.static.category)])
            ints.append([float(item.static.intensity)])
            src.append([k])
            is_static.append([True])
        if has_dyn:
            lab = [d for d in item.dynamic if d.category is not None]
            t = np.array([float(d.time) for d in lab])
            ok = (t >= 2.5 - 1e-6) & (t <= feats.duration - 2.5 + 1e-6)
            if np.any(ok):
                xs.append(feats.window_matrix(t[ok]))
                cats.append([CATEGORIES.index(d.category) for d, o in zip(lab, ok) if o])
                ints.append([float(d.intensity) for d, o in zip(lab, ok) if o])
                src.append([k] * int(ok.sum()))
                is_static.append([False] * int(ok.sum()))
    if not xs:
        raise DataError(f"no labelled video could be read ({len(skipped)} skipped: {skipped[:3]})")
    cat = np.concatenate([np.asarray(c, dtype=np.int64) for c in cats])
    inten = np.concatenate([np.asarray(i, dtype=np.float64) for i in ints])
    v, a = labels_to_va(cat, inten)
    return HeadSamples(
        x=np.concatenate(xs),
        category=cat,
        intensity=inten,
        va=np.column_stack([v, a]),
        item=np.concatenate([np.asarray(s) for s in src]),
        static=np.concatenate([np.asarray(s, dtype=bool) for s in is_static]),
        skipped=skipped,
    )


def train_video(cfg: TrainVideoConfig, *, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train the video head; write weights (``cfg.out``) and a JSON report beside them.

    Returns
    -------
    dict
        The report: sample counts, final training loss, validation scores.
    """
    from mvemo.data.manifest import read_manifest
    from mvemo.models.video import VideoHead
    from mvemo.predict.video import VideoEmotionModel, save_video_model
    from mvemo.representation import quantize_intensity

    manifest = Path(cfg.manifest)
    items = read_manifest(manifest, data_home=resolve_data_home(cfg.data_home, manifest=manifest))
    if not items:
        raise DataError(f"{manifest}: no items")
    train_mask, val_mask = holdout_split(items, cfg.val_fraction, cfg.seed)
    data = video_samples(items, role=cfg.role, cache_dir=cfg.cache_dir, log=log)
    tr = train_mask[data.item]
    va_ = val_mask[data.item]
    if not tr.any():
        raise DataError(f"{manifest}: no training samples (all {len(items)} items are validation/test or unreadable)")
    train = data.take(tr)
    mean = train.x.mean(axis=0)
    std = np.where(train.x.std(axis=0) > 1e-6, train.x.std(axis=0), 1.0)
    head = VideoHead(len(FEATURE_NAMES), hidden=cfg.hidden)
    losses = fit_head(
        head,
        (train.x - mean) / std,
        train.category,
        train.va,
        train.intensity,
        epochs=cfg.epochs,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
    )
    meta = {
        "name": cfg.name,
        "kind": "video-head",
        "feature_names": list(FEATURE_NAMES),
        "hidden": cfg.hidden,
        "mean": mean.tolist(),
        "std": std.tolist(),
        "config": asdict(cfg),
    }
    report: dict[str, Any] = {
        "n_items": len(items),
        "n_samples_train": int(tr.sum()),
        "n_samples_validation": int(va_.sum()),
        "skipped": data.skipped,
        "final_loss": round(losses[-1], 5),
    }
    model = VideoEmotionModel(cfg.name, head, meta)
    for name, mask in (("train", tr), ("validation", va_)):
        if mask.any():
            part = data.take(mask)
            o = model.outputs(part.x)
            pred_cat = o.category.argmax(-1)
            pred_int = np.asarray(quantize_intensity(np.clip(o.intensity, 0, 1)))
            report[name] = {
                kind: unified_scores(pred_cat[m2], pred_int[m2], part.category[m2], part.intensity[m2])
                for kind, m2 in (("static", part.static), ("dynamic", ~part.static))
                if m2.any()
            }
    meta["report"] = report
    out = save_video_model(head, meta, cfg.out)
    rep_path = out.with_suffix(".json")
    write_json(rep_path, report)
    log(f"wrote {out} and {rep_path}")
    return report

"""Train the fusion head on multimodal labels.

For each manifest item with media (a video, or audio, role ``video``/``audio``, plus an
optional ``lyrics`` role) and unified labels, the per-modality predictors run once
(:meth:`mvemo.predict.multimodal.MultimodalModel.modality_records`); their records
are appended to ``<out>.records.jsonl`` as each item finishes, so an interrupted run resumes
where it stopped.  Samples: the static label of each item (input: the modalities' static
labels) and each labelled grid time (input: the modalities' labels at that time); input
encoding :func:`mvemo.models.fusion.fusion_input`.  Loss and optimiser as the video head
(:func:`mvemo.train.common.fit_head`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.conversion.va import labels_to_va
from mvemo.errors import DataError, MvemoError
from mvemo.models.fusion import FusionHead, confidence, fusion_input
from mvemo.representation import CATEGORIES
from mvemo.train.common import HeadSamples, HeadSettings, fit_head, holdout_split, unified_scores, write_json
from mvemo.util import data_home as resolve_data_home

__all__ = ["TrainFusionConfig", "fusion_samples", "train_fusion"]


@dataclass
class TrainFusionConfig(HeadSettings):
    """Options of :func:`train_fusion` (see :class:`mvemo.train.video.TrainVideoConfig`; the head
    settings of :class:`~mvemo.train.common.HeadSettings`, with a 32-wide hidden layer)."""

    manifest: str
    out: str
    data_home: str | None = None
    name: str = "fusion-head-v1"
    hidden: int = field(default=32, kw_only=True)


def _media(item) -> tuple[Path, Path | None]:
    role = next((r for r in ("video", "audio") if r in item.media), None)
    main = item.path(role)
    lyrics = item.path("lyrics") if "lyrics" in item.media else None
    return main, lyrics


def _records(items, model, cache: Path, log: Callable[[str], None]) -> dict[str, dict]:
    done: dict[str, dict] = {}
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:  # a line torn by an interrupted run: redo that item
                continue
            done[rec["id"]] = rec["modalities"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache, "a", encoding="utf-8") as fh:
        for item in items:
            if item.id in done or (item.static is None and not item.dynamic):
                continue
            try:
                main, lyrics = _media(item)
                mods = model.modality_records(main, dynamic=True, lyrics=lyrics)
            except MvemoError as exc:
                log(f"skip {item.id}: {exc}")
                continue
            done[item.id] = mods
            fh.write(json.dumps({"id": item.id, "modalities": mods}) + "\n")
            fh.flush()
    return done


def fusion_samples(items, records: dict[str, dict]) -> HeadSamples:
    """Head inputs and targets from items and their modality records (see the module docstring)."""
    xs, cats, ints, src, is_static = [], [], [], [], []
    for k, item in enumerate(items):
        mods = records.get(item.id)
        if mods is None:
            continue
        ok = {m: r for m, r in mods.items() if "static" in r}
        if not ok:
            continue
        conf = {
            m: confidence(r["static"]["probabilities"]) if r["static"].get("probabilities") else 0.0
            for m, r in ok.items()
        }
        if item.static is not None:
            xs.append(fusion_input({m: r["static"] for m, r in ok.items()}, conf))
            cats.append(CATEGORIES.index(item.static.category))
            ints.append(float(item.static.intensity))
            src.append(k)
            is_static.append(True)
        by_time: dict[float, dict] = {}
        for m, r in ok.items():
            for e in r.get("dynamic", []):
                by_time.setdefault(round(float(e["time"]), 3), {})[m] = e
        for d in item.dynamic or []:
            t = round(float(d.time), 3)
            if d.category is None or t not in by_time:
                continue
            xs.append(fusion_input(by_time[t], conf))
            cats.append(CATEGORIES.index(d.category))
            ints.append(float(d.intensity))
            src.append(k)
            is_static.append(False)
    if not xs:
        raise DataError("no item has both labels and a modality prediction")
    cat = np.asarray(cats, dtype=np.int64)
    inten = np.asarray(ints, dtype=np.float64)
    v, a = labels_to_va(cat, inten)
    return HeadSamples(
        x=np.stack(xs),
        category=cat,
        intensity=inten,
        va=np.column_stack([v, a]),
        item=np.asarray(src),
        static=np.asarray(is_static),
    )


def train_fusion(cfg: TrainFusionConfig, *, model=None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train the fusion head; write weights, a JSON report and the records cache.

    Parameters
    ----------
    model : MultimodalModel, optional
        Whose per-modality predictors produce the inputs (default: the shipped ones).
    """
    from mvemo.data.manifest import read_manifest
    from mvemo.predict.multimodal import MultimodalModel, save_fusion_head

    mm = model or MultimodalModel()
    manifest = Path(cfg.manifest)
    items = read_manifest(manifest, data_home=resolve_data_home(cfg.data_home, manifest=manifest))
    if not items:
        raise DataError(f"{manifest}: no items")
    out = Path(cfg.out)
    records = _records(items, mm, out.with_name(out.stem + ".records.jsonl"), log)
    data = fusion_samples(items, records)
    train_mask, val_mask = holdout_split(items, cfg.val_fraction, cfg.seed)
    tr, va_ = train_mask[data.item], val_mask[data.item]
    if not tr.any():
        raise DataError(f"{manifest}: no training samples")
    head = FusionHead(hidden=cfg.hidden)
    train = data.take(tr)
    losses = fit_head(
        head,
        train.x,
        train.category,
        train.va,
        train.intensity,
        epochs=cfg.epochs,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
    )
    report: dict[str, Any] = {
        "n_items": len(items),
        "n_samples_train": int(tr.sum()),
        "n_samples_validation": int(va_.sum()),
        "final_loss": round(losses[-1], 5),
    }
    fitted = MultimodalModel(head=head)
    for name, mask in (("train", tr), ("validation", va_)):
        if mask.any():
            part = data.take(mask)
            labels = fitted._head_labels_from_x(part.x)
            pc = np.array([CATEGORIES.index(lab.category) for lab in labels])
            pi = np.array([lab.intensity for lab in labels])
            report[name] = {
                kind: unified_scores(pc[m2], pi[m2], part.category[m2], part.intensity[m2])
                for kind, m2 in (("static", part.static), ("dynamic", ~part.static))
                if m2.any()
            }
    meta = {"name": cfg.name, "kind": "fusion-head", "hidden": cfg.hidden, "config": asdict(cfg), "report": report}
    save_fusion_head(head, meta, out)
    rep = out.with_suffix(".json")
    write_json(rep, report)
    log(f"wrote {out} and {rep}")
    return report

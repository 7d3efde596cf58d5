"""Train, evaluate and write the symbolic model: :func:`run_training`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.train.common import public_config, quadrant_report, write_report
from mvemo.train.symbolic.card import model_card
from mvemo.train.symbolic.clips import load_clips
from mvemo.train.symbolic.config import SymbolicTrainConfig
from mvemo.train.symbolic.evaluation import evaluate_network, run_baselines
from mvemo.train.symbolic.linear import train_linear
from mvemo.train.symbolic.networks import predict_clips, train_frame_network, train_network

__all__ = ["MODEL_NAME", "run_training"]

#: The model this trainer writes (networks + linear model).  The shipped ``symbolic-emopia-vgmidi-v4``
#: is built from it by :mod:`mvemo.train.symbolic.informative` (level head, temperature, intensity rules).
MODEL_NAME = "symbolic-emopia-vgmidi-v3"


def run_training(cfg: SymbolicTrainConfig, *, log=print) -> dict[str, Any]:
    """Train on the train splits; evaluate on validation (and test if ``evaluate_test``); write
    ``out_dir/<name>.pt``, ``<name>.md`` (model card) and ``report.json``.
    """
    torch = require("torch", extra="torch")
    torch.set_num_threads(max(1, int(cfg.threads)))
    t0 = time.perf_counter()
    clips, problems = load_clips(cfg, log=log)
    if not clips:
        raise DataError("no labelled MIDI clips found: check --data-home / MVEMO_DATA")
    log(f"{len(clips)} clips ({time.perf_counter() - t0:.0f} s), {len(problems)} skipped")
    if cfg.n_seeds < 1 and not cfg.linear and not cfg.networks_from:
        raise ParameterError("nothing to train: set n_seeds >= 1, networks_from or linear = true")
    if cfg.frame_seeds > 0 and cfg.n_seeds < 1:
        raise ParameterError("frame_seeds > 0 needs n_seeds >= 1 (the frame networks are ensembled with them)")
    train = [c for c in clips if c.split == "train"]
    splits = ("validation", "test") if cfg.evaluate_test else ("validation",)
    heldout = {s: [c for c in clips if c.split == s] for s in splits}
    linear, linear_info = train_linear(train, cfg, log=log) if cfg.linear else (None, None)
    source = None
    if cfg.networks_from:
        from mvemo.predict.symbolic import load_symbolic_model

        source = load_symbolic_model(cfg.networks_from)
        if not source.networks:
            raise DataError(f"{cfg.networks_from}: has no networks to reuse")
        nets, frame_nets = source.networks, source.frame_networks
        fw = float(source.meta.get("frame_weight", 0.5)) if frame_nets else 0.0
        log(f"  reusing {len(nets)} + {len(frame_nets)} networks of {source.name} ({cfg.networks_from})")
    else:
        nets = [train_network(train, cfg, seed=cfg.seed + k, log=log) for k in range(cfg.n_seeds)]
        frame_nets = [train_frame_network(train, cfg, seed=cfg.seed + k, log=log) for k in range(cfg.frame_seeds)]
        fw = cfg.frame_weight if frame_nets else 0.0
    lw = float(cfg.linear_weight) if linear is not None else 0.0
    # The config ensures a linear model; without networks the categories already follow it.
    conform = cfg.conform_categories and bool(nets)
    settings = public_config(cfg)  # no local paths
    report: dict[str, Any] = {
        "model": MODEL_NAME,
        "config": settings,
        "n_train": len(train),
        "n_train_by_dataset": {d: sum(c.dataset == d for c in train) for d in cfg.datasets},
        "skipped": len(problems),
    }
    if linear_info is not None:
        report["linear"] = linear_info
    if source is not None:
        report["networks_from"] = {"model": source.name, "train": source.meta.get("train")}
    for split, cs in heldout.items():
        for ds in sorted({c.dataset for c in cs}):
            sub = [c for c in cs if c.dataset == ds]
            report.setdefault(split, {})[ds] = evaluate_network(
                nets, sub, frame_nets=frame_nets, frame_weight=fw, linear=linear, linear_weight=lw, conform=conform
            )
            truth = np.array([c.quadrant for c in sub])
            comp = {}
            if frame_nets:  # the families alone (ablation)
                comp["stats_chord"] = quadrant_report(truth, predict_clips(nets, sub).quadrant.argmax(1))
                comp["frames"] = quadrant_report(
                    truth, predict_clips([], sub, frame_nets=frame_nets).quadrant.argmax(1)
                )
            if linear is not None and nets:
                both = predict_clips(nets, sub, frame_nets=frame_nets, frame_weight=fw)
                comp["networks"] = quadrant_report(truth, both.quadrant.argmax(1))
                comp["linear"] = quadrant_report(truth, predict_clips([], sub, linear=linear).quadrant.argmax(1))
                # The unified label with the other setting of conform_categories (ablation).
                comp["unified_conform_" + ("off" if conform else "on")] = evaluate_network(
                    nets,
                    sub,
                    frame_nets=frame_nets,
                    frame_weight=fw,
                    linear=linear,
                    linear_weight=lw,
                    conform=not conform,
                )["unified"]
            if comp:
                report.setdefault("components", {}).setdefault(split, {})[ds] = comp
    if cfg.baselines:
        report["baselines"] = run_baselines(train, heldout, seed=cfg.seed)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    out = Path(cfg.out_dir)
    from mvemo.predict.symbolic import save_symbolic_model

    meta = {
        "name": MODEL_NAME,
        "frame_weight": fw,
        "linear_weight": lw,
        "conform_categories": conform,
        "train": {"datasets": list(cfg.datasets), "seed": cfg.seed},
    }
    if source is not None:
        meta["networks_from"] = source.name
    save_symbolic_model(nets, meta, out / f"{MODEL_NAME}.pt", frame_networks=frame_nets, linear=linear)
    write_report(out, report, card=model_card(report), card_name=MODEL_NAME)
    return report

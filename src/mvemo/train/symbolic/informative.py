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
from mvemo.records import EmotionFrame
from mvemo.train.card_parts import (
    ECE_FLOOR_TEXT,
    fmt_at,
    fmt_ece,
    fmt_histogram,
    fmt_levels,
    intensity_summary,
    reliability_lines,
)

__all__ = [
    "BASE_WEIGHTS",
    "INTENSITY_GOAL",
    "build_v4",
    "choose_level_rules",
    "evaluate_model",
    "fit_soft_softmax",
    "informative_by_id",
    "level_examples",
    "main",
    "meets_intensity_goal",
    "v4_card",
]

#: How the v4 candidate is built and measured (``main``).
CARD_COMMAND = (
    "MVEMO_DATA=../shared/data PYTHONPATH=src .venv/bin/python -m mvemo.train.symbolic.informative "
    "--l2 1e-3 --out-dir build/symbolic-v4"
)


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
    return (
        np.concatenate(xs).astype(np.float64),
        np.concatenate(ys),
        np.concatenate(ws).astype(np.float64),
        np.concatenate(idx),
    )


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


def _clip_outputs(model, clip, start, stop, *, static: bool = False):
    return model._outputs(clip.features, np.asarray(start, np.float64), np.asarray(stop, np.float64), static=static)


def evaluate_model(model, clips, informative: dict[str, dict], *, diagram_dir=None, tag: str = "") -> dict:
    """Validation metrics of a symbolic model on ``clips`` (both references).

    * ``paper``: the static labels of the loaders (each quadrant's word at 0.5);
    * ``informative``: the items' informative static targets, and VGMIDI's informative
      dynamic frames (windows ``t ± 2.5 s``);
    * the intensity distribution (std, distinct levels) of the static and dynamic predictions,
      the categories used, 4Q macro-F1, top-label ECE of the category (paper reference) and
      quadrant probabilities (15 equal-width bins), with reliability diagrams when
      ``diagram_dir`` is given.
    """
    from mvemo.conversion.point import summarize_many
    from mvemo.metrics import evaluate
    from mvemo.metrics.calibration import calibrated_ece, expected_calibration_error, reliability_diagram
    from mvemo.representation import CATEGORIES
    from mvemo.train.common import quadrant_report

    static = [_clip_outputs(model, c, [0.0], [max(c.features.duration, 1e-3)], static=True) for c in clips]
    grid = np.concatenate([o.grid for o in static])
    a = summarize_many(grid)
    pred_c = [CATEGORIES[k] for k in a.category]
    truth_q = np.array([c.quadrant for c in clips])
    inf = [informative.get(c.id) or {} for c in clips]
    rep: dict = {"n": len(clips)}
    paper = evaluate([CATEGORIES[c.category] for c in clips], [c.intensity for c in clips], pred_c, list(a.intensity))
    rep["paper"] = {"emotion_distance": float(paper["emotion_distance"]), "category_f1": float(paper["category_f1"])}
    ic = [i.get("category", CATEGORIES[c.category]) for i, c in zip(inf, clips)]
    ii = [float(i.get("intensity", c.intensity)) for i, c in zip(inf, clips)]
    u = evaluate(ic, ii, pred_c, list(a.intensity))
    rep["informative"] = {"emotion_distance": float(u["emotion_distance"]), "category_f1": float(u["category_f1"])}
    rep["quadrant"] = quadrant_report(truth_q, a.quadrant)
    rep["static_intensity"] = intensity_summary(a.intensity)
    rep["categories_used"] = len(set(pred_c))
    cat_truth = np.array([c.category for c in clips])
    rep["ece"] = {
        "quadrant": expected_calibration_error(a.quadrant_probabilities, truth_q),
        "quadrant_floor": calibrated_ece(a.quadrant_probabilities),
        "category": expected_calibration_error(a.probabilities, cat_truth),
        "category_floor": calibrated_ece(a.probabilities),
    }
    if diagram_dir is not None:
        from pathlib import Path

        d = Path(diagram_dir)
        d.mkdir(parents=True, exist_ok=True)
        reliability_diagram(
            a.quadrant_probabilities, truth_q, d / f"{tag}reliability-quadrant.png", title=f"{tag}quadrant (validation)"
        )
        reliability_diagram(
            a.probabilities,
            cat_truth,
            d / f"{tag}reliability-category.png",
            title=f"{tag}category (validation, paper reference)",
        )
    # informative dynamic frames (VGMIDI)
    rc, ri, ec, ei = [], [], [], []
    for c, i in zip(clips, inf):
        frames = [EmotionFrame.from_dict(f, where=f"{c.id}: informative.dynamic") for f in i.get("dynamic", [])]
        frames = [f for f in frames if f.time + WINDOW_HALF_WIDTH <= c.features.duration + 1e-6]
        if not frames:
            continue
        t = np.array([f.time for f in frames])
        b = summarize_many(_clip_outputs(model, c, t - WINDOW_HALF_WIDTH, t + WINDOW_HALF_WIDTH).grid)
        rc += [f.category for f in frames]
        ri += [float(f.intensity) for f in frames]
        ec += [CATEGORIES[k] for k in b.category]
        ei += [float(x) for x in b.intensity]
    if rc:
        d = evaluate(rc, ri, ec, ei)
        rep["informative_dynamic"] = {
            "n_frames": len(rc),
            "emotion_distance": float(d["emotion_distance"]),
            "category_f1": float(d["category_f1"]),
        }
        rep["dynamic_intensity"] = intensity_summary(ei)
        rep["all_intensity"] = intensity_summary(np.concatenate([a.intensity, ei]))
    return rep


#: The static intensity goal of issue #16 (std, distinct levels over the validation predictions).
INTENSITY_GOAL = (0.10, 6)
#: The packaged weights v4 is built from.
BASE_WEIGHTS = "weights/symbolic-emopia-vgmidi-v3.safetensors"


def meets_intensity_goal(summary: dict) -> bool:
    """Whether an intensity summary (``std``, ``levels``) meets :data:`INTENSITY_GOAL`."""
    return summary["std"] >= INTENSITY_GOAL[0] - 1e-12 and len(summary["levels"]) >= INTENSITY_GOAL[1]


def choose_level_rules(head: dict, certainty: dict) -> tuple[str, str, dict]:
    """The static and dynamic intensity rules from the validation reports of two candidates.

    ``head`` and ``certainty`` are :func:`evaluate_model` reports of the same model with every
    window's intensity from the level head, or from the certainty rule.

    * **dynamic** (``meta["dynamic_levels"]``): the lower D_e against VGMIDI's informative
      dynamic frames (the only references whose intensity carries information);
    * **static** (``meta["static_levels"]``): among the rules whose static intensities meet
      :data:`INTENSITY_GOAL`, the lower informative static D_e (the static references of
      EMOPIA and VGMIDI are bare quadrants at 0.5, so they cannot choose among spreads on
      their own); ``"head"`` when neither meets it.

    Returns
    -------
    (str, str, dict)
        The static rule, the dynamic rule and the figures that decided.
    """
    cands = {"head": head, "certainty": certainty}
    dyn = {k: r.get("informative_dynamic", {}).get("emotion_distance", np.inf) for k, r in cands.items()}
    dynamic = min(dyn, key=lambda k: (dyn[k], k != "head"))
    ok = {k: r for k, r in cands.items() if meets_intensity_goal(r["static_intensity"])}
    st = {k: r["informative"]["emotion_distance"] for k, r in ok.items()}
    static = min(st, key=lambda k: (st[k], k != "head")) if st else "head"
    why = {
        "dynamic_informative_emotion_distance": dyn,
        "static_meets_goal": {k: k in ok for k in cands},
        "static_informative_emotion_distance": {k: r["informative"]["emotion_distance"] for k, r in cands.items()},
    }
    return static, dynamic, why


def build_v4(
    cfg,
    *,
    base: str | None = None,
    l2: float = 1e-3,
    out_dir: str = "build/symbolic-v4",
    name: str = "symbolic-emopia-vgmidi-v4",
    log=print,
) -> dict:
    """Symbolic v4: the base model's networks and linear model, plus an 11-level intensity head
    fitted on the train split's informative level targets, a quadrant temperature fitted on
    validation, and the static / dynamic intensity rules chosen on validation
    (:func:`choose_level_rules`).  Writes ``<out_dir>/<name>.safetensors``, ``report.json``,
    the card and reliability diagrams; returns the report (base and v4 on validation, side by
    side, and the candidates)."""
    import json
    from importlib import resources
    from pathlib import Path

    from mvemo.metrics.calibration import fit_temperature
    from mvemo.predict.symbolic import SymbolicEmotionModel, load_symbolic_model, save_symbolic_model
    from mvemo.train.symbolic.clips import load_clips
    from mvemo.util import atomic_write

    clips, _ = load_clips(cfg, log=log)
    inf = informative_by_id(cfg.datasets, data_home=cfg.data_home)
    train = [c for c in clips if c.split == "train"]
    val = [c for c in clips if c.split == "validation"]
    x, y, w, _ = level_examples(train, inf)
    log(f"level head: {len(x)} train windows")
    levels = fit_soft_softmax(x, y, w, l2=l2)
    if base is None:
        base = str(resources.files("mvemo.models").joinpath(BASE_WEIGHTS))
    old = load_symbolic_model(base)
    out = Path(out_dir)
    report = {
        "base": old.name,
        "l2": l2,
        "n_train_windows": int(len(x)),
        "validation": {"base": evaluate_model(old, val, inf, diagram_dir=out, tag="base-")},
    }
    meta = {**old.meta, "name": name, "levels_from": "informative level targets (train split)"}
    mid = SymbolicEmotionModel(name, old.networks, {**meta}, old.frame_networks, old.linear, levels)
    q = np.concatenate(
        [_clip_outputs(mid, c, [0.0], [max(c.features.duration, 1e-3)], static=True).quadrant for c in val]
    )
    t = fit_temperature(np.clip(q, 1e-12, None), np.array([c.quadrant for c in val]), probabilities=True)
    meta["quadrant_temperature"] = float(t)
    report["quadrant_temperature"] = float(t)
    cands = {}
    for rule in ("head", "certainty"):
        m = {**meta, "static_levels": rule, "dynamic_levels": rule}
        cands[rule] = evaluate_model(
            SymbolicEmotionModel(name, old.networks, m, old.frame_networks, old.linear, levels), val, inf
        )
        log(f"candidate {rule}: static intensity std {cands[rule]['static_intensity']['std']:.3f}")
    static, dynamic, why = choose_level_rules(cands["head"], cands["certainty"])
    log(f"chosen: static intensity from {static!r}, dynamic from {dynamic!r}")
    meta["static_levels"], meta["dynamic_levels"] = static, dynamic
    report["candidates"] = cands
    report["chosen"] = {"static_levels": static, "dynamic_levels": dynamic, **why}
    new = SymbolicEmotionModel(name, old.networks, meta, old.frame_networks, old.linear, levels)
    report["validation"]["v4"] = evaluate_model(new, val, inf, diagram_dir=out, tag="v4-")
    save_symbolic_model(
        old.networks,
        meta,
        out / f"{name}.safetensors",
        frame_networks=old.frame_networks,
        linear=old.linear,
        levels=levels,
    )
    report["name"] = name
    report["command"] = CARD_COMMAND
    atomic_write(out / "report.json", json.dumps(report, indent=1, default=float))
    atomic_write(out / f"{name}.md", v4_card(report, command=CARD_COMMAND))
    return report


def v4_card(report: dict, *, command: str, image_dir: str = "../../../../docs/img") -> str:
    """Markdown model card of :func:`build_v4`'s report (base and v4 side by side)."""
    b, n = report["validation"]["base"], report["validation"]["v4"]
    name = report["name"]

    def row(label, f):
        return f"| {label} | {f(b)} | {f(n)} |"

    lv, g, ece, hist = fmt_levels, fmt_at, fmt_ece, fmt_histogram

    ch = report.get("chosen", {})
    rules = {
        "head": "the level head",
        "certainty": "the certainty rule (mean resultant length of the window's category distribution)",
    }
    lines = [
        f"# Model card: {name}",
        "",
        "MIDI emotion model (static and every 0.5 s), issue #16. Networks and linear valence x arousal",
        f"model: those of `{report['base']}`, unchanged (see its card for the data and test figures). New:",
        "",
        "- an 11-level intensity head (softmax regression over the window statistics) trained on the",
        f"  informative level distributions of the train split ({report['n_train_windows']} windows: VGMIDI's",
        "  informative dynamic frames, weight 1, and every clip's static target, its informative weight;",
        f"  L2 {report['l2']});",
        f"- a quadrant temperature T = {report['quadrant_temperature']:.3f} fitted on validation (NLL);",
        f"- the static intensity comes from {rules.get(ch.get('static_levels', 'head'))}, each 0.5-s frame's",
        f"  from {rules.get(ch.get('dynamic_levels', 'head'))}; chosen on validation: the dynamic rule by",
        "  D_e against VGMIDI's informative dynamic frames, the static rule among those meeting the",
        "  intensity goal (std >= 0.10, >= 6 levels) by informative static D_e (table below).",
        "",
        "Every record field derives from one 28 x 11 grid per window (docs/symbolic.md).",
        "",
        f"Build and evaluation command: `{command}`",
        "",
        f"## Validation ({b['n']} clips: EMOPIA + VGMIDI validation splits)",
        "",
        f"| metric | {report['base']} | {name} |",
        "|---|---|---|",
        row("paper reference: static D_e", lambda d: g(d, "paper", "emotion_distance")),
        row("paper reference: category F1", lambda d: g(d, "paper", "category_f1")),
        row("informative reference (static): D_e", lambda d: g(d, "informative", "emotion_distance")),
        row("informative reference (static): category F1", lambda d: g(d, "informative", "category_f1")),
        row("informative VGMIDI dynamic frames: D_e", lambda d: g(d, "informative_dynamic", "emotion_distance")),
        row("informative VGMIDI dynamic frames: category F1", lambda d: g(d, "informative_dynamic", "category_f1")),
        row("4Q macro-F1", lambda d: g(d, "quadrant", "macro_f1")),
        row("static intensity", lambda d: lv(d, "static_intensity")),
        row("dynamic intensity (VGMIDI frames)", lambda d: lv(d, "dynamic_intensity")),
        row(
            "all intensity predictions",
            lambda d: f"std {d['all_intensity']['std']:.3f}, {d['all_intensity']['n_levels']} levels",
        ),
        row("categories used (static)", lambda d: str(d["categories_used"])),
        row("ECE quadrant (15 bins)", lambda d: ece(d, "quadrant")),
        row("ECE category, paper reference (15 bins)", lambda d: ece(d, "category")),
        "",
        *(t.format(what="clips") for t in ECE_FLOOR_TEXT),
        "",
        "Static intensity distribution (validation):",
        "",
        f"- {report['base']}: {hist(b, 'static_intensity')}",
        f"- {name}: {hist(n, 'static_intensity')}",
        "",
        "Dynamic intensity distribution (validation VGMIDI frames):",
        "",
        f"- {report['base']}: {hist(b, 'dynamic_intensity')}",
        f"- {name}: {hist(n, 'dynamic_intensity')}",
        "",
    ]
    cands = report.get("candidates")
    if cands:
        lines += [
            "Intensity rule candidates (validation; the same model otherwise):",
            "",
            "| rule (static and dynamic) | static intensity | informative static D_e | VGMIDI frames D_e |",
            "|---|---|---|---|",
        ]
        for k, d in cands.items():
            lines.append(
                f"| {k} | {lv(d, 'static_intensity')} | {g(d, 'informative', 'emotion_distance')} | "
                f"{g(d, 'informative_dynamic', 'emotion_distance')} |"
            )
        lines.append("")
    lines += [
        *reliability_lines(name, image_dir),
        "## Limits",
        "",
        "- The static informative targets of EMOPIA and VGMIDI are bare quadrants (intensity 0.5): only",
        "  VGMIDI's dynamic frames teach intensity. Against the static references any spread of",
        "  intensity costs D_e.",
        "- The certainty rule measures the model's own certainty, not a measured agreement of listeners.",
        "- The category networks are v3's (trained on the paper targets), not retrained on soft targets.",
        "- The quadrant temperature is fitted on the validation split that also reports ECE.",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    """Command line: build and measure the v4 candidate (see :data:`CARD_COMMAND`)."""
    import argparse
    import json

    from mvemo.train.symbolic.config import SymbolicTrainConfig

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--out-dir", default="build/symbolic-v4")
    ap.add_argument("--base", default=None, help="base symbolic weights (default: the packaged v3)")
    ap.add_argument("--data-home", default=None)
    args = ap.parse_args(argv)
    cfg = SymbolicTrainConfig(datasets=["emopia", "vgmidi"], data_home=args.data_home)
    rep = build_v4(cfg, base=args.base, l2=args.l2, out_dir=args.out_dir)
    print(json.dumps(rep["validation"], indent=1, default=float))
    return rep


if __name__ == "__main__":
    main()

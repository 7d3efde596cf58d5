"""Score music weights as the predictor answers (one grid per track) on validation, both references.

Usage::

    MVEMO_DATA=../shared/data PYTHONPATH=src .venv/bin/python scripts/eval_music_grid.py \
        --weights packaged build/music2emo_v4/music2emo-musicnn-msd-v4.pt --split validation \
        --out build/eval_music_grid.json --png-dir build/music2emo_v4

For each weights file and dataset (4Q, Emotify) :func:`mvemo.train.music_v4.evaluate_grid`:
D_e and category F1 against the paper-compatible (``static``) and the informative reference,
the intensity distribution, the categories used, 4Q macro-F1 and the ECE of the category and
quadrant probabilities; ``all`` pools 4Q + Emotify.  ``packaged`` is the shipped weights.
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weights", nargs="+", default=["packaged"])
    ap.add_argument("--split", default="validation")
    ap.add_argument("--datasets", nargs="+", default=["4q_panda2018", "emotify"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--png-dir", default=None, help="write reliability diagrams (pooled) here")
    ap.add_argument("--markdown", default=None, help="write a side-by-side Markdown table here")
    ap.add_argument("--dynamic", action="store_true", help="also the intensities of the dynamic (0.5-s) frames")
    args = ap.parse_args()

    from mvemo.metrics import label_spread
    from mvemo.predict.music import load_music_model
    from mvemo.train.music import TrainConfig, build_bank, load_examples
    from mvemo.train.music_v4 import evaluate_grid
    from mvemo.util import atomic_write

    result = {}
    for w in args.weights:
        model = load_music_model(None if w == "packaged" else w)
        cfg = TrainConfig(datasets=tuple(args.datasets), backbone=model.meta["backbone"])
        examples, _ = load_examples(cfg)
        examples = [ex for ex in examples if ex.split == args.split]
        rng = np.random.default_rng(0)
        for ex in examples:
            ex.bank = build_bank(
                ex, model.musicnn, rng, n_random=0, min_segment=5.0, std=bool(model.meta.get("std_pooling", False))
            )
        t = float(model.meta.get("temperature", 1.0))
        rep = {}
        for ds in args.datasets:
            part = [ex for ex in examples if ex.dataset == ds]
            rep[ds] = evaluate_grid(
                model.network, part, quadrant_channel=model.quadrant_channel, musicnn=model.musicnn, temperature=t
            )
        png = None if not args.png_dir else f"{args.png_dir}/{model.name}_reliability.png"
        rep["all"] = evaluate_grid(
            model.network,
            examples,
            quadrant_channel=model.quadrant_channel,
            musicnn=model.musicnn,
            temperature=t,
            reliability_png=png,
        )
        if args.dynamic:  # the label of every 0.5-s frame the predictor writes, beside the static ones
            frames = []
            for ex in examples:
                rec = model.predict_features(ex.features, dynamic=True, file=ex.id)
                frames += [(f.label.category, f.label.intensity) for f in rec.dynamic if f.label is not None]
            ints = [i for _, i in frames]
            rep["dynamic"] = {"n": len(frames), **label_spread([c for c, _ in frames], ints)}
            both = ints + list(rep["all"]["intensities"])
            rep["static_and_dynamic"] = {"n": len(both), **label_spread(None, both)}
            print(f"{model.name} dynamic frames: {rep['dynamic']}; with the static labels: {rep['static_and_dynamic']}")
        result[model.name] = rep
        for ds, r in rep.items():
            if ds not in args.datasets and ds != "all":
                continue
            s, i = r.get("static", {}), r.get("informative", {})
            print(
                f"{model.name} {ds} (n {r['n']}): D_e static {s.get('emotion_distance', float('nan')):.3f} "
                f"inf {i.get('emotion_distance', float('nan')):.3f}; cat F1 static "
                f"{s.get('category_f1', float('nan')):.3f} inf {i.get('category_f1', float('nan')):.3f}; "
                f"intensity std {r['intensity_std']:.3f}, {r['intensity_levels']} levels; "
                f"{r['categories_used']} categories; 4Q macro-F1 "
                f"{r.get('quadrant', {}).get('macro_f1', float('nan')):.3f}; ECE cat "
                f"{r.get('ece_category', float('nan')):.3f} quad {r.get('ece_quadrant', float('nan')):.3f}; "
                f"coherent {r['coherent']:.3f}"
            )
    if args.out:
        atomic_write(args.out, json.dumps(result, indent=1))
    if args.markdown:
        atomic_write(args.markdown, markdown_table(result, split=args.split))


def markdown_table(result: dict, *, split: str) -> str:
    """Side-by-side Markdown table of :func:`main`'s result (one column per weights file)."""
    names = list(result)
    rows = [
        ("4Q D_e, paper reference", "4q_panda2018", ("static", "emotion_distance")),
        ("4Q D_e, informative reference", "4q_panda2018", ("informative", "emotion_distance")),
        (
            "4Q D_e, paper reference, predicted intensity set to 0.5",
            "4q_panda2018",
            ("static_at_half", "emotion_distance"),
        ),
        ("4Q category F1, paper", "4q_panda2018", ("static", "category_f1")),
        ("4Q category F1, informative", "4q_panda2018", ("informative", "category_f1")),
        ("Emotify D_e, paper reference", "emotify", ("static", "emotion_distance")),
        ("Emotify D_e, informative reference", "emotify", ("informative", "emotion_distance")),
        ("Emotify D_e, paper reference, intensity set to 0.5", "emotify", ("static_at_half", "emotion_distance")),
        ("Emotify category F1, paper", "emotify", ("static", "category_f1")),
        ("Emotify category F1, informative", "emotify", ("informative", "category_f1")),
        ("4Q macro-F1 (static quadrant)", "4q_panda2018", ("quadrant", "macro_f1")),
        ("intensity std (4Q + Emotify)", "all", ("intensity_std",)),
        ("distinct intensity levels", "all", ("intensity_levels",)),
        ("categories used (of 28)", "all", ("categories_used",)),
        ("dynamic frames: intensity std (--dynamic)", "dynamic", ("intensity_std",)),
        ("dynamic frames: distinct levels", "dynamic", ("intensity_levels",)),
        ("static + dynamic: intensity std", "static_and_dynamic", ("intensity_std",)),
        ("static + dynamic: distinct levels", "static_and_dynamic", ("intensity_levels",)),
        ("ECE category (vs informative category)", "all", ("ece_category",)),
        ("ECE a calibrated model reads at this N: category, mean / 95th pct", "all", ("ece_category_floor",)),
        ("ECE quadrant (4Q)", "all", ("ece_quadrant",)),
        ("ECE a calibrated model reads at this N: quadrant, mean / 95th pct", "all", ("ece_quadrant_floor",)),
        ("coherent records", "all", ("coherent",)),
    ]
    out = [f"| {split} split | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, ds, path in rows:
        cells = []
        for n in names:
            v = result[n].get(ds, {})
            for k in path:
                v = v.get(k, float("nan")) if isinstance(v, dict) else float("nan")
            if isinstance(v, (list, tuple)):
                cells.append(" / ".join(f"{x:.3f}" for x in v))
            else:
                cells.append(f"{v:.3f}" if isinstance(v, float) else str(v))
        n_ds = result[names[0]].get(ds, {}).get("n", "?")
        out.append(f"| {label} (n {n_ds}) | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()

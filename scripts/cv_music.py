"""k-fold cross-validation of the music model's 4Q head, optionally split over processes.

    .venv/bin/python scripts/cv_music.py --config configs/music2emo.toml --folds 10           # all folds
    .venv/bin/python scripts/cv_music.py ... --run 0-4 --out build/cv_a.json   # one part
    .venv/bin/python scripts/cv_music.py --merge build/cv_a.json build/cv_b.json \
        --report build/music2emo/report.json                                   # combine parts, update the card

    .venv/bin/python scripts/cv_music.py --linear --folds 10   # linear-head backbone comparison
    .venv/bin/python scripts/cv_music.py --channel --folds 10 --seeds 0 1 2   # the linear quadrant channel

Needs the datasets ($MVEMO_DATA) and cached features (`mvemo train music` extracts them;
``--linear`` also needs the MSD blocks: ``extract_features(cfg, backbones=("MTT_musicnn",
"MSD_musicnn"))``).  ``--linear`` is a comparison, not the shipped model: standardised
logistic regression on whole-clip embeddings (MTT, MSD, both, with or without std pooling),
on the 4Q clips that have both backbones cached.  ``--channel`` cross-validates the config's
linear quadrant channel alone (``quadrant_linear_*``), with the full CV's fold assignment for
the config's seed (and others with ``--seeds``): with ``quadrant_linear_weight = 1`` that is
exactly the model's static quadrant output, in seconds instead of hours.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def merge(paths: list[str]) -> dict:
    """Combine CV parts into one report with means over all folds."""
    parts = [json.loads(Path(p).read_text()) for p in paths]
    acc = sum((p["accuracy"] for p in parts), [])
    f1 = sum((p["macro_f1"] for p in parts), [])
    folds = sorted(sum((p["run_folds"] for p in parts), []))
    return {"folds": parts[0]["folds"], "run_folds": folds, "accuracy": acc, "macro_f1": f1,
            "mean_accuracy": float(np.mean(acc)), "mean_macro_f1": float(np.mean(f1)),
            "std_macro_f1": float(np.std(f1))}  # fmt: skip


def linear_cv(cfg, *, folds: int, seed: int) -> dict:
    """Stratified k-fold 4Q macro-F1 of logistic regression on pooled whole-clip embeddings."""
    from mvemo._extras import require

    require("sklearn", extra="symbolic")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
    from mvemo.data import load
    from mvemo.features.blocks import BlockFeatures, pool_blocks, pool_blocks_std, window_embeddings
    from mvemo.features.musicnn import load_musicnn
    from mvemo.features.cache import FeatureCache, default_cache_dir
    from mvemo.features.music import blocks_kind

    cache = FeatureCache(cfg.cache_dir or default_cache_dir())
    ds = load("4q_panda2018", data_home=cfg.data_home)
    nets = {b: load_musicnn(b) for b in ("MTT_musicnn", "MSD_musicnn")}
    feats: dict[str, list] = {}
    labels = []
    for it in ds.index():
        arrays = {b: cache.get(ds.root / it.media["audio"], blocks_kind(b)) for b in nets}
        if any(a is None for a in arrays.values()):
            continue
        parts = {}
        for b, a in arrays.items():
            bl = BlockFeatures.from_arrays(a)
            lo, hi = np.array([0]), np.array([bl.n_blocks])
            mean, mx = pool_blocks(bl, lo, hi)
            parts[b] = (window_embeddings(nets[b], mean, mx)[0], pool_blocks_std(bl, lo, hi)[0])
        (a, sa), (m, sm) = parts["MTT_musicnn"], parts["MSD_musicnn"]
        for name, vec in (("mtt", a), ("mtt+std", np.r_[a, sa]), ("msd", m), ("msd+std", np.r_[m, sm]),
                          ("mtt+msd", np.r_[a, m]), ("mtt+msd+std", np.r_[a, sa, m, sm])):
            feats.setdefault(name, []).append(vec)
        labels.append(QUADRANTS.index(normalize_quadrant(it.labels["quadrant"])))
    y = np.array(labels)
    out = {"n": int(len(y)), "folds": folds}
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for name, rows in feats.items():
        x = np.array(rows)
        for c in (0.01, 0.1):
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
            f1 = [f1_score(y[te], clf.fit(x[tr], y[tr]).predict(x[te]), average="macro")
                  for tr, te in splitter.split(x, y)]  # fmt: skip
            out[f"{name} C={c}"] = {"mean_macro_f1": float(np.mean(f1)), "std_macro_f1": float(np.std(f1))}
    return out


def channel_cv(cfg, *, folds: int, seeds: list[int]) -> dict:
    """k-fold 4Q macro-F1 of the config's linear quadrant channel, per seed of the fold assignment."""
    from dataclasses import replace

    from sklearn.metrics import f1_score

    from mvemo.features.musicnn import load_musicnn
    from mvemo.train.music import fit_quadrant_channel, load_examples, stack_track_blocks, stratified_folds

    if cfg.quadrant_linear_c <= 0:
        raise SystemExit("the config has no linear quadrant channel (quadrant_linear_c = 0)")
    examples, _ = load_examples(replace(cfg, datasets=("4q_panda2018",)))
    musicnn = load_musicnn(cfg.backbone)
    stack_track_blocks(examples, musicnn)  # computed once, reused by every fold
    y = np.array([ex.quadrant for ex in examples])
    out = {"n": int(len(y)), "folds": folds, "c": cfg.quadrant_linear_c, "inputs": list(cfg.quadrant_linear_inputs),
           "per_seed": {}}  # fmt: skip
    for seed in seeds:
        fold_of = stratified_folds(examples, folds=folds, seed=seed)
        f1 = []
        for k in range(folds):
            train = [ex for ex, f in zip(examples, fold_of) if f != k]
            test = [ex for ex, f in zip(examples, fold_of) if f == k]
            lin = fit_quadrant_channel(train, musicnn, cfg).linear
            est = lin.predict_proba(stack_track_blocks(test, musicnn)).argmax(1)
            f1.append(float(f1_score(y[fold_of == k], est, average="macro")))
        out["per_seed"][str(seed)] = {"macro_f1": f1, "mean_macro_f1": float(np.mean(f1)), "std_macro_f1": float(np.std(f1))}
    out["mean_macro_f1"] = float(np.mean([r["mean_macro_f1"] for r in out["per_seed"].values()]))
    return out


def extract_expressive(cfg, *, log=print):
    """Compute and cache :func:`mvemo.features.expressive.expressive_arrays` of every 4Q clip (resumable).

    The audio is decoded as for the model (:func:`mvemo.features.music.load_track_audio`,
    22.05 kHz); the cache kind is :data:`~mvemo.features.expressive.EXPRESSIVE_KIND`.
    """
    from mvemo.data import load
    from mvemo.features.cache import FeatureCache
    from mvemo.features.expressive import EXPRESSIVE_KIND, expressive_arrays
    from mvemo.features.extract import extract_all
    from mvemo.features.music import HARMONY_SR, load_track_audio
    from mvemo.util import cache_root

    cache = FeatureCache(cache_root(cfg.cache_dir))
    ds = load("4q_panda2018", data_home=cfg.data_home)
    paths = [ds.root / it.media["audio"] for it in ds.index() if "audio" in it.media]

    def one(path):
        return expressive_arrays(load_track_audio(path)[1], HARMONY_SR)

    report = extract_all(paths, {EXPRESSIVE_KIND: one}, cache=cache)
    log(f"expressive features: {report.summary()}")
    for path, why in report.failed:
        log(f"  failed: {path}: {why}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/music2emo.toml")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--run", help="folds to run, e.g. 0-4 (default: all)")
    parser.add_argument("--data-home")
    parser.add_argument("--cache-dir")
    parser.add_argument("--out", help="write the JSON result here")
    parser.add_argument("--merge", nargs="+", help="merge part files instead of running")
    parser.add_argument("--report", help="a training report.json: add the CV to it and rewrite the model card beside it")
    parser.add_argument("--threads", type=int, help="torch threads (1 per process when running parts in parallel)")
    parser.add_argument("--linear", action="store_true", help="linear-head backbone comparison instead")
    parser.add_argument("--channel", action="store_true", help="the config's linear quadrant channel alone")
    parser.add_argument("--seeds", type=int, nargs="+", help="fold-assignment seeds for --channel (default: the config's)")
    args = parser.parse_args()
    if args.merge:
        result = merge(args.merge)
    elif args.linear or args.channel:
        from dataclasses import replace

        from mvemo.train.music import TrainConfig

        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        if args.channel:
            result = channel_cv(cfg, folds=args.folds, seeds=args.seeds or [cfg.seed])
        else:
            result = linear_cv(cfg, folds=args.folds, seed=cfg.seed)
    else:
        from dataclasses import replace

        import torch

        from mvemo.features.musicnn import load_musicnn

        if args.threads:
            torch.set_num_threads(args.threads)
        from mvemo.train.music import TrainConfig, build_bank, cross_validate, load_examples

        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        examples, _ = load_examples(cfg)
        musicnn = load_musicnn(cfg.backbone)
        rng = np.random.default_rng(cfg.seed)
        for ex in examples:
            ex.bank = build_bank(ex, musicnn, rng, n_random=cfg.n_random, min_segment=cfg.min_segment,
                                 std=cfg.std_pooling)
        run = None
        if args.run:
            a, _, b = args.run.partition("-")
            run = list(range(int(a), int(b or a) + 1))
        result = cross_validate(examples, cfg, folds=args.folds, run_folds=run)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.report and not args.linear:
        from mvemo.io import atomic_write
        from mvemo.train.music import model_card

        report_path = Path(args.report)
        report = json.loads(report_path.read_text())
        report["cv_channel" if args.channel else "cv_4q"] = result
        atomic_write(report_path, json.dumps(report, indent=2) + "\n")
        card = report_path.parent / f"{report['model']}.md"
        atomic_write(card, model_card(report))
        print(f"updated {report_path} and {card}")


if __name__ == "__main__":
    main()

"""k-fold cross-validation of the music model's 4Q head, optionally split over processes.

    .venv/bin/python scripts/cv_music.py --config configs/music2emo.toml --folds 10           # all folds
    .venv/bin/python scripts/cv_music.py ... --run 0-4 --out build/cv_a.json   # one part
    .venv/bin/python scripts/cv_music.py --merge build/cv_a.json build/cv_b.json \
        --report build/music2emo/report.json                                   # combine parts, update the card

Needs the datasets ($MVEMO_DATA) and cached features (`mvemo train music` extracts them).
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
    args = parser.parse_args()
    if args.merge:
        result = merge(args.merge)
    else:
        from dataclasses import replace

        import torch

        from mvemo.features.musicnn import load_musicnn

        if args.threads:
            torch.set_num_threads(args.threads)
        from mvemo.pipeline.train_music import TrainConfig, build_bank, cross_validate, load_examples

        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        examples, _ = load_examples(cfg)
        musicnn = load_musicnn("MTT_musicnn")
        rng = np.random.default_rng(cfg.seed)
        for ex in examples:
            ex.bank = build_bank(ex, musicnn, rng, n_random=cfg.n_random, min_segment=cfg.min_segment)
        run = None
        if args.run:
            a, _, b = args.run.partition("-")
            run = list(range(int(a), int(b or a) + 1))
        result = cross_validate(examples, cfg, folds=args.folds, run_folds=run)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.report:
        from mvemo.io import atomic_write
        from mvemo.pipeline.train_music import model_card

        report_path = Path(args.report)
        report = json.loads(report_path.read_text())
        report["cv_4q"] = result
        atomic_write(report_path, json.dumps(report, indent=2) + "\n")
        card = report_path.parent / f"{report['model']}.md"
        atomic_write(card, model_card(report))
        print(f"updated {report_path} and {card}")


if __name__ == "__main__":
    main()

"""Would a linear 4Q channel help the shipped music model?  A comparison, not shipped code.

    MVEMO_DATA=../shared/data .venv/bin/python scripts/music_linear_blend.py

Fits a standardised logistic regression on the whole-clip embeddings of the 4Q train split
(the same embedding the network reads), blends its probabilities with the shipped model's 4Q
head, ``w * linear + (1 - w) * network``, and prints validation and test macro-F1 for a grid of
C and w.  ``w = 0`` is the shipped model (its card's figures).  Needs the cached features
(``mvemo train music`` extracts them).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/music2emo.toml")
    args = parser.parse_args()

    from mvemo._extras import require

    require("sklearn", extra="symbolic")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mvemo.features.musicnn import load_musicnn
    from mvemo.pipeline.predict_music import load_music_model
    from mvemo.pipeline.train_music import TrainConfig, build_bank, load_examples, predict_static

    cfg = replace(TrainConfig.from_toml(args.config), datasets=("4q_panda2018",))
    examples, _ = load_examples(cfg)
    musicnn = load_musicnn(cfg.backbone)
    rng = np.random.default_rng(cfg.seed)
    for ex in examples:  # row 0 of the bank = the whole clip
        ex.bank = build_bank(ex, musicnn, rng, n_random=0, min_segment=cfg.min_segment)
    network = predict_static(load_music_model().network, examples)["quadrant"]
    x = np.stack([ex.bank.embedding[0] for ex in examples])
    y = np.array([ex.quadrant for ex in examples])
    split = np.array([ex.split for ex in examples])
    print(f"4Q clips: train {np.sum(split == 'train')}, validation {np.sum(split == 'validation')}, "
          f"test {np.sum(split == 'test')}")  # fmt: skip
    print("| C | w | val macro-F1 | test macro-F1 |\n|---|---|---|---|")
    for c in (0.003, 0.01, 0.03):
        lr = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
        linear = lr.fit(x[split == "train"], y[split == "train"]).predict_proba(x)
        for w in (0.0, 0.25, 0.5, 0.75, 1.0):
            p = w * linear + (1 - w) * network
            f1 = [f1_score(y[split == s], p[split == s].argmax(1), average="macro") for s in ("validation", "test")]
            print(f"| {c} | {w} | {f1[0]:.3f} | {f1[1]:.3f} |")


if __name__ == "__main__":
    main()

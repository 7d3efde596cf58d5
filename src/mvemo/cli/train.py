"""``mvemo train``: train models on the research datasets."""

from __future__ import annotations

import click

from mvemo.cli._lazy import LazyGroup
from mvemo.cli._training import config_options, load_config
from mvemo.models.registry import list_model_entries

# trainers of the other models (mvemo.models.registry), imported on first use; music's is below
LAZY_TRAINERS: dict[str, str] = {
    e.train_command: e.trainer
    for e in list_model_entries()
    if e.trainer is not None and not e.trainer.startswith(f"{__name__}:")
}


@click.group(cls=LazyGroup, lazy_subcommands=LAZY_TRAINERS)
def train() -> None:
    """Train mvemo's models (needs the datasets: --data-home or MVEMO_DATA)."""


@train.command()
@config_options("configs/music2emo.toml")
@click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Compute missing features first (resumable: cached tracks are skipped).",
)
@click.option(
    "--cv",
    "cv_folds",
    type=int,
    default=0,
    show_default=True,
    help="Also run k-fold cross-validation of the 4Q head (0 = off).",
)
def music(config_path, data_home, cache_dir, out_dir, extract, cv_folds) -> None:
    """Train the Music2Emo audio model (musicnn backbone) across datasets.

    Example: mvemo train music --config configs/music2emo.toml --data-home ../shared/data
    """
    from mvemo.train.music import TrainConfig, extract_features, run_training

    cfg = load_config(TrainConfig, config_path, data_home=data_home, cache_dir=cache_dir, out_dir=out_dir)
    if extract:
        extract_features(cfg, log=click.echo)
    report = run_training(cfg, cv_folds=cv_folds, log=click.echo)
    for split in ("validation", "test"):
        for ds, rep in report.get(split, {}).items():
            parts = []
            if "quadrant" in rep:
                parts.append(f"4Q macro-F1 {rep['quadrant']['macro_f1']:.3f}")
            if "gems_mean_roc_auc" in rep:
                parts.append(f"GEMS ROC-AUC {rep['gems_mean_roc_auc']:.3f}")
            if "unified" in rep:
                parts.append(f"D_e {rep['unified']['emotion_distance']:.3f}")
            click.echo(f"{split:<10} {ds:<14} " + ", ".join(parts))

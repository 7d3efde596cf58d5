"""``mvemo train fusion``: train the multimodal fusion head on multimodal labels."""

from __future__ import annotations

import click


@click.command("fusion")
@click.option(
    "--manifest",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Manifest of items with media (role video or audio, optional lyrics) and unified labels.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Weights to write (.pt); a .json report and a resumable .records.jsonl go beside it.",
)
@click.option(
    "--data-home",
    type=click.Path(file_okay=False),
    help="Root of the items' relative media paths (default: the manifest's folder).",
)
@click.option("--epochs", type=int, default=300, show_default=True)
@click.option("--lr", type=float, default=3e-3, show_default=True)
@click.option("--hidden", type=int, default=32, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def command(manifest, out_path, data_home, epochs, lr, hidden, seed) -> None:
    """Train the fusion head on the per-modality predictions (music, video, lyrics).

    Use it with: mvemo predict clip.mp4 (weights for "multimodal") or load_multimodal_model(weights).
    Example: mvemo train fusion --manifest clips.jsonl --out fusion-head.pt
    """
    from mvemo.train.fusion import TrainFusionConfig, train_fusion

    cfg = TrainFusionConfig(
        manifest=manifest, out=out_path, data_home=data_home, epochs=epochs, lr=lr, hidden=hidden, seed=seed
    )
    report = train_fusion(cfg, log=click.echo)
    for split in ("train", "validation"):
        for kind, s in report.get(split, {}).items():
            click.echo(f"{split:<10} {kind:<8} category F1 {s['category_f1']:.3f}, D_e {s['emotion_distance']:.3f}")

"""``mvemo train video``: train the video emotion head on labelled videos."""

from __future__ import annotations

import click


@click.command("video")
@click.option(
    "--manifest",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Manifest (.jsonl/.parquet) of video items with unified static and/or dynamic labels.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Weights to write (.pt); a .json report goes beside it.",
)
@click.option(
    "--data-home",
    type=click.Path(file_okay=False),
    help="Root of the items' relative media paths (default: the manifest's folder).",
)
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Feature cache (default: $MVEMO_CACHE).")
@click.option("--role", default="video", show_default=True, help="Media role of the video file.")
@click.option("--epochs", type=int, default=300, show_default=True)
@click.option("--lr", type=float, default=3e-3, show_default=True)
@click.option("--hidden", type=int, default=64, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def command(manifest, out_path, data_home, cache_dir, role, epochs, lr, hidden, seed) -> None:
    """Train the video head (visual features -> unified category, intensity, VA).

    Use the weights with the video model: load_video_model(weights) or the fusion.
    Example: mvemo train video --manifest videos.jsonl --out video-head.pt
    """
    import json

    from mvemo.train.video import TrainVideoConfig, train_video

    cfg = TrainVideoConfig(
        manifest=manifest,
        out=out_path,
        data_home=data_home,
        cache_dir=cache_dir,
        role=role,
        epochs=epochs,
        lr=lr,
        hidden=hidden,
        seed=seed,
    )
    report = train_video(cfg, log=click.echo)
    click.echo(json.dumps({k: report[k] for k in ("n_samples_train", "n_samples_validation", "final_loss")}))
    for split in ("train", "validation"):
        for kind, s in report.get(split, {}).items():
            click.echo(f"{split:<10} {kind:<8} category F1 {s['category_f1']:.3f}, D_e {s['emotion_distance']:.3f}")

"""``mvemo train lyrics``: train the lyrics emotion model (loaded lazily by ``mvemo train``)."""

from __future__ import annotations

import click

from mvemo.cli._training import config_options, load_config


@click.command("lyrics")
@config_options("configs/lyrics.toml", cache="Embedding cache")
@click.option(
    "--extract/--no-extract",
    default=True,
    show_default=True,
    help="Embed songs not yet cached first (resumable: cached songs are skipped).",
)
def command(config_path, data_home, cache_dir, out_dir, extract) -> None:
    """Train the lyrics model (MiniLM + VADER/NRC lexicon features -> unified label, VA, 4Q).

    Example: mvemo train lyrics --config configs/lyrics.toml --data-home ../shared/data
    """
    from mvemo.train.lyrics import LyricsTrainConfig, extract_units, run_training

    cfg = load_config(LyricsTrainConfig, config_path, data_home=data_home, cache_dir=cache_dir, out_dir=out_dir)
    if extract:
        extract_units(cfg, log=click.echo)
    report = run_training(cfg, log=click.echo)
    rows = [
        ("model", report["validation"], report["test"]),
        ("baseline", report["baseline"]["validation"], report["baseline"]["test"]),
    ]
    for name, val, test in rows:
        for split, rep in (("validation", val), ("test", test)):
            click.echo(
                f"{name:<9} {split:<10} 4Q macro-F1 {rep['quadrant']['macro_f1']:.3f}, category F1 "
                f"{rep['unified']['category_f1']:.3f}, D_e {rep['unified']['emotion_distance']:.3f}"
            )

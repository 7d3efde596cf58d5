"""``mvemo train lyrics``: train the lyrics emotion model (loaded lazily by ``mvemo train``)."""

from __future__ import annotations

import click


@click.command("lyrics")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), required=True,
              help="TOML training config, e.g. configs/lyrics.toml.")
@click.option("--data-home", type=click.Path(file_okay=False), help="Data root (default: $MVEMO_DATA).")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Embedding cache (default: $MVEMO_CACHE).")
@click.option("--out-dir", type=click.Path(file_okay=False), help="Where weights, card and report go.")
@click.option("--extract/--no-extract", default=True, show_default=True,
              help="Embed songs not yet cached first (resumable: cached songs are skipped).")
def command(config_path, data_home, cache_dir, out_dir, extract) -> None:
    """Train the lyrics model (MiniLM + VADER/NRC lexicon features -> unified label, VA, 4Q).

    Example: mvemo train lyrics --config configs/lyrics.toml --data-home ../shared/data
    """  # fmt: skip
    from dataclasses import replace

    from mvemo.pipeline.train_lyrics import LyricsTrainConfig, extract_units, run_training

    cfg = LyricsTrainConfig.from_toml(config_path)
    cfg = replace(cfg, **{k: v for k, v in {"data_home": data_home, "cache_dir": cache_dir,
                                            "out_dir": out_dir}.items() if v})  # fmt: skip
    if extract:
        extract_units(cfg, log=click.echo)
    report = run_training(cfg, log=click.echo)
    rows = [("model", report["validation"], report["test"]),
            ("baseline", report["baseline"]["validation"], report["baseline"]["test"])]  # fmt: skip
    for name, val, test in rows:
        for split, rep in (("validation", val), ("test", test)):
            click.echo(f"{name:<9} {split:<10} 4Q macro-F1 {rep['quadrant']['macro_f1']:.3f}, category F1 "
                       f"{rep['unified']['category_f1']:.3f}, D_e {rep['unified']['emotion_distance']:.3f}")

"""``mvemo train symbolic``: train the MIDI emotion model on EMOPIA and VGMIDI."""

from __future__ import annotations

import click

from mvemo.cli._training import config_options, load_config

__all__ = ["command"]


@click.command("symbolic")
@config_options("configs/symbolic.toml")
@click.option(
    "--test/--no-test",
    "evaluate_test",
    default=None,
    help="Also evaluate the test splits (default: the config's evaluate_test).",
)
def command(config_path, data_home, cache_dir, out_dir, evaluate_test) -> None:
    """Train the symbolic (MIDI) emotion model: note statistics + chord Transformer.

    Example: mvemo train symbolic --config configs/symbolic.toml --data-home ../shared/data
    """
    from mvemo.train.symbolic import SymbolicTrainConfig, run_training

    cfg = load_config(
        SymbolicTrainConfig,
        config_path,
        data_home=data_home,
        cache_dir=cache_dir,
        out_dir=out_dir,
        evaluate_test=evaluate_test,
    )
    report = run_training(cfg, log=click.echo)
    for split in ("validation", "test"):
        for ds, rep in report.get(split, {}).items():
            q = rep["quadrant"]
            click.echo(
                f"{split:<10} {ds:<8} 4Q accuracy {q['accuracy']:.3f}, macro-F1 {q['macro_f1']:.3f}, "
                f"D_e {rep['unified']['emotion_distance']:.3f}"
            )
    for name, by_split in report.get("baselines", {}).items():
        for split, by_ds in by_split.items():
            for ds, q in by_ds.items():
                click.echo(
                    f"{name:<20} {split:<10} {ds:<8} 4Q accuracy {q['accuracy']:.3f}, macro-F1 {q['macro_f1']:.3f}"
                )

"""``mvemo anno``: train the MVAnno curriculum, report it, annotate files with it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click


@click.group()
def anno() -> None:
    """MVAnno: one multimodal annotator trained by a continual fine-tuning curriculum (docs/mvanno.md).

    Example: mvemo anno train --config configs/mvanno.toml
    """


@anno.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    required=True,
    help="Curriculum TOML (e.g. configs/mvanno.toml).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Run folder (default: the config's out_dir). A rerun resumes there.",
)
@click.option(
    "--data-home",
    type=click.Path(file_okay=False),
    default=None,
    help="Data root (default $MVEMO_DATA, else ../shared/data).",
)
@click.option("--stage", "stages", multiple=True, help="Run only this stage (repeatable; its parent must be done).")
@click.option(
    "--model-path",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="phi4mm backend: local folder of the Phi-4-multimodal weights (nothing is downloaded).",
)
@click.option(
    "--cached-only", is_flag=True, help="mvanno-cpu: use only items whose features are cached already (quick runs)."
)
def train(
    config_path: str,
    out_dir: str | None,
    data_home: str | None,
    stages: tuple[str, ...],
    model_path: str | None,
    cached_only: bool,
) -> None:
    """Run (or resume) the curriculum; prints progress and the Table II report at the end."""
    from mvemo.anno.backends import make_backend
    from mvemo.anno.config import load_config
    from mvemo.anno.report import format_report
    from mvemo.anno.runner import run_curriculum
    from mvemo.util import data_home as resolve_home

    home = resolve_home(data_home, required=False)
    cfg = load_config(config_path, out_dir=out_dir, data_home=str(home) if home else None)
    from dataclasses import replace

    if model_path is not None:
        cfg = replace(cfg, backend_options={**cfg.backend_options, "model_path": model_path})
    if cached_only:
        cfg = replace(cfg, backend_options={**cfg.backend_options, "cached_only": True})
    t0 = time.perf_counter()
    try:
        state = run_curriculum(cfg, make_backend(cfg), log=lambda m: click.echo(m, err=True), only=stages or None)
    except KeyboardInterrupt:
        click.echo(f"interrupted; rerun the same command to resume ({cfg.out_dir})", err=True)
        sys.exit(130)
    click.echo(
        f"curriculum finished in {time.perf_counter() - t0:.0f} s; state in {Path(cfg.out_dir) / 'state.json'}",
        err=True,
    )
    click.echo(format_report(state, fmt="md"))


@anno.command()
@click.option(
    "--run",
    "run_dir",
    type=click.Path(exists=True),
    default="build/mvanno",
    show_default=True,
    help="Run folder (or its state.json).",
)
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "latex"]), default="md", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Write to a file (atomic) too.")
def report(run_dir: str, fmt: str, out: str | None) -> None:
    """Print Table II (D_e per stage and branch), the forgetting matrices and per-dataset D_e."""
    from mvemo.anno.report import format_report, load_state
    from mvemo.util import atomic_write

    text = format_report(load_state(run_dir), fmt=fmt)
    if out:
        atomic_write(out, text)
    click.echo(text, nl=False)


@anno.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Records: .jsonl or .csv.")
@click.option(
    "--weights",
    type=click.Path(exists=True),
    default=None,
    help="A run folder of `mvemo anno train` or an exported <name>.json (default: shipped mvanno-cpu-v1).",
)
@click.option("--resume", is_flag=True, help="Skip files already in --out and append.")
def annotate(inputs: tuple[str, ...], out: str, weights: str | None, resume: bool) -> None:
    """Annotate audio, MIDI and lyrics files: static labels (MVAnno_static), dynamic labels every
    0.5 s (MVAnno_dynamic), in `mvemo predict`'s record format."""
    from mvemo.anno.annotate import Annotator, modality_of
    from mvemo.errors import MvemoError
    from mvemo.predict.batch import predict_files

    files: list[Path] = []
    for name in inputs:
        p = Path(name)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                try:
                    if f.is_file():
                        modality_of(f)
                        files.append(f)
                except MvemoError:
                    continue
        else:
            files.append(p)
    t0 = time.perf_counter()
    ann = Annotator(weights)
    click.echo(f"loaded {ann.name} in {time.perf_counter() - t0:.1f} s", err=True)
    rep = predict_files(files, ann.annotate, out=out, resume=resume)
    click.echo(rep.summary(), err=True)
    for path, why in rep.failed:
        click.echo(f"  failed: {path}: {why}", err=True)
    if rep.done == 0 and rep.failed:
        sys.exit(1)

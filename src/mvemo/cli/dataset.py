"""``mvemo dataset``: build an MVEmo-style dataset from music videos (on Dask), and report its statistics."""

from __future__ import annotations

import shlex
import sys

import click


@click.group()
def dataset() -> None:
    """Build a music-video emotion dataset (MVEmo section IV) and draw its statistics (Figs. 2-5).

    Example: mvemo dataset build videos/ catalogue.csv --out mvds && mvemo dataset report mvds --out mvds/report
    """


@dataset.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Dataset folder.")
@click.option("--workers", type=int, default=None, help="Local Dask worker processes (default: the cores).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT", help="Use an existing Dask cluster.")
@click.option("--memory-limit", default="4GiB", show_default=True, help="Memory limit per local worker.")
@click.option(
    "--annotator",
    default="fused",
    show_default=True,
    help="Labels from: fused (today's fused predictor), video (fast colour prior), music.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Step cache (default $MVEMO_CACHE/dataset or ~/.cache/mvemo/dataset).",
)
@click.option("--resume/--no-resume", default=True, show_default=True, help="Keep the videos the ledger has finished.")
@click.option("--retry-failed", is_flag=True, help="Run failed videos again.")
@click.option(
    "--asr",
    default=None,
    metavar="BACKEND:MODEL_PATH",
    help="Lyrics by ASR for videos without lyrics: faster-whisper:DIR or whisper:FILE.pt (local).",
)
@click.option("--max-minutes", type=float, default=30.0, show_default=True, help="Longest video accepted.")
@click.option("--max-gb", type=float, default=4.0, show_default=True, help="Largest file accepted (GiB).")
@click.option("--name", default="mvemo_dataset", show_default=True, help="Dataset name (item id prefix).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the splits and dynamic subset.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def build(
    sources,
    out,
    workers,
    scheduler,
    memory_limit,
    annotator,
    cache_dir,
    resume,
    retry_failed,
    asr,
    max_minutes,
    max_gb,
    name,
    seed,
    no_progress,
) -> None:
    """Process every video of SOURCES (folders, .csv/.jsonl catalogues) into the dataset --out.

    Exit status 0 when every video is done or filtered, 2 when some failed (they are listed).

    Example: mvemo dataset build corpus/ corpus/catalogue.csv --out mvds --workers 2 --annotator video
    """
    from mvemo.dataset.build import build_dataset, format_summary
    from mvemo.dataset.steps import Limits
    from mvemo.errors import ParameterError

    asr_t = None
    if asr:
        backend, sep, path = asr.partition(":")
        if not sep or not path:
            raise ParameterError(f"--asr must be BACKEND:MODEL_PATH, got {asr!r}")
        asr_t = (backend, path)
    limits = Limits(max_seconds=max_minutes * 60.0, max_bytes=int(max_gb * (1 << 30)))
    summary = build_dataset(
        sources,
        out,
        workers=workers,
        scheduler=scheduler,
        memory_limit=memory_limit,
        annotator=annotator,
        cache_dir=cache_dir,
        resume=resume,
        retry_failed=retry_failed,
        limits=limits,
        asr=asr_t,
        name=name,
        seed=seed,
        progress=not no_progress,
        command=shlex.join(["mvemo", *sys.argv[1:]]),
        log=lambda m: click.echo(m, err=True),
    )
    click.echo(format_summary(summary))
    if summary.failed:
        sys.exit(2)


@dataset.command()
@click.argument("root", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Report folder.")
def report(root, out) -> None:
    """PNG figures, CSVs and one offline HTML page of the dataset's statistics (MVEmo Figs. 2-5).

    Example: mvemo dataset report mvds --out mvds/report
    """
    from mvemo.dataset.report import write_report

    page = write_report(root, out)
    click.echo(f"wrote {page}")

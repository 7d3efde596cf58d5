"""Entry point of the ``mvemo`` command; subcommands are imported only when used."""

from __future__ import annotations

import sys

import click

from mvemo._version import __version__
from mvemo.cli._lazy import LazyGroup
from mvemo.errors import MvemoError

# name -> "module:attribute"; keeps `mvemo --help` fast and free of heavy imports.
SUBCOMMANDS: dict[str, str] = {
    "anno": "mvemo.cli.anno:anno",
    "bench": "mvemo.cli.bench:bench",
    "convert": "mvemo.cli.convert:convert",
    "data": "mvemo.cli.data:data",
    "dataset": "mvemo.cli.dataset:dataset",
    "evaluate": "mvemo.cli.evaluate:evaluate",
    "predict": "mvemo.cli.predict:predict",
    "tag": "mvemo.cli.tag:tag",
    "train": "mvemo.cli.train:train",
    "transcribe": "mvemo.cli.transcribe:transcribe",
    "video": "mvemo.cli.video:video",
    "view": "mvemo.cli.view:view",
}


@click.group(cls=LazyGroup, lazy_subcommands=SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="mvemo")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars (they are drawn only on a terminal anyway).")
def cli(quiet: bool) -> None:
    """mvemo: music-related emotion recognition (lyrics, audio, MIDI, music video).

    Labels use MVEmo's unified representation: one of 28 circumplex categories plus an
    intensity 0..1 in steps of 0.1.
    """
    if quiet:
        from mvemo.progress import set_quiet

        set_quiet(True)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; mvemo errors become a one-line message and exit status 1."""
    try:
        cli.main(args=argv, prog_name="mvemo", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except MvemoError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

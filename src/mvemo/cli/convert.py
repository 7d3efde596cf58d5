"""``mvemo convert``: dataset labels -> unified labels (JSON on stdout, or a table)."""

from __future__ import annotations

import json

import click

from mvemo.conversion.quadrant import quadrant_to_label
from mvemo.conversion.table import convert_table
from mvemo.conversion.va import va_to_label
from mvemo.conversion.words import WordMap, word_to_label
from mvemo.errors import ParameterError


def _echo_label(label, **extra) -> None:
    click.echo(json.dumps({**label.to_dict(), **extra}))


@click.group()
def convert() -> None:
    """Convert 4Q classes, emotion words or valence-arousal values to unified labels.

    Each prints JSON with `category`, `intensity` and `angle` (degrees, 0 = pleasure,
    90 = arousal).
    """


@convert.command()
@click.argument("quadrant")
@click.option("--intensity", type=float, default=0.5, show_default=True, help="Intensity of the label.")
def quadrant(quadrant: str, intensity: float) -> None:
    """Convert a 4Q class (Q1..Q4, 1..4, or happy/angry/sad/relaxed).

    Example: mvemo convert quadrant Q1
    """
    _echo_label(quadrant_to_label(quadrant, intensity=intensity))


@convert.command()
@click.argument("word")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="Your own mapping CSV (columns word, final or category).",
)
def word(word: str, mapping: str | None) -> None:
    """Convert an emotion word or tag (e.g. melancholic, mood/theme---calm).

    A word with no emotional meaning prints {"category": null, ...}.
    """
    from mvemo.conversion.words import CLI_MAPPING_HINT, PYTHON_MAPPING_HINT, UnknownWordError

    try:
        label = word_to_label(word, mapping=WordMap.from_csv(mapping) if mapping else None)
    except UnknownWordError as exc:  # say it in the CLI's terms, not Python's
        raise ParameterError(str(exc).replace(PYTHON_MAPPING_HINT, CLI_MAPPING_HINT)) from None
    if label is None:
        click.echo(json.dumps({"category": None, "intensity": None, "angle": None}))
    else:
        _echo_label(label)


@convert.command()
@click.option("--valence", type=float, required=True, help="Valence on the given scale.")
@click.option("--arousal", type=float, required=True, help="Arousal on the given scale.")
@click.option(
    "--scale",
    type=(float, float),
    default=(-1.0, 1.0),
    show_default=True,
    metavar="LOW HIGH",
    help="The rating scale, e.g. --scale 1 9.",
)
def va(valence: float, arousal: float, scale: tuple[float, float]) -> None:
    """Convert a valence-arousal point (MVEmo eq. 5-10).

    Example: mvemo convert va --valence 6.5 --arousal 3.0 --scale 1 9
    """
    _echo_label(va_to_label(valence, arousal, scale=scale))


@convert.command(name="table")
@click.argument("in_path", metavar="IN", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Output table (.csv, .tsv or .jsonl)."
)
@click.option("--kind", type=click.Choice(["quadrant", "word", "va"]), required=True, help="What the table holds.")
@click.option("--column", help="Column with the quadrant or word (--kind quadrant/word).")
@click.option("--valence", "valence_col", default="valence", show_default=True, help="Valence column (--kind va).")
@click.option("--arousal", "arousal_col", default="arousal", show_default=True, help="Arousal column (--kind va).")
@click.option("--scale", type=(float, float), default=None, metavar="LOW HIGH", help="Rating scale (--kind va).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="Own word mapping CSV.")
@click.option("--only-converted", is_flag=True, help="Write only rows that converted (problems still listed).")
def table(in_path, out_path, kind, column, valence_col, arousal_col, scale, mapping, only_converted) -> None:
    """Convert a CSV/TSV/JSONL table: named columns in, unified columns out.

    Adds category, intensity, angle and problem (why a row could not be converted).

    Example: mvemo convert table ratings.csv --kind va --scale 1 9 --out unified.csv
    """
    report = convert_table(
        in_path,
        out_path,
        kind=kind,
        column=column,
        valence=valence_col,
        arousal=arousal_col,
        scale=scale,
        mapping=WordMap.from_csv(mapping) if mapping else None,
        only_converted=only_converted,
    )
    click.echo(f"{out_path}: {report.summary()}", err=True)
    for warning in report.warnings:
        click.echo(f"  warning: {warning}", err=True)
    for row, problem in report.problems[:10]:
        click.echo(f"  row {row}: {problem}", err=True)
    if len(report.problems) > 10:
        click.echo(f"  ... and {len(report.problems) - 10} more (see the 'problem' column)", err=True)

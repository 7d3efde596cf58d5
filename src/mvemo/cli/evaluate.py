"""``mvemo evaluate``: score estimated labels (or raw responses) against a reference."""

from __future__ import annotations

import json
import math

import click

from mvemo.metrics.emotion import METRIC_NAMES
from mvemo.metrics.files import evaluate_files


def format_scores(scores: dict) -> str:
    """A two-column text table of the scores."""
    width = max(len(k) for k in scores)
    lines = []
    for k, v in scores.items():
        text = f"{v:.4f}" if isinstance(v, float) and not math.isnan(v) else str(v)
        lines.append(f"{k:<{width}}  {text}")
    return "\n".join(lines)


@click.command()
@click.option(
    "--ref",
    "ref_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Reference table: id, [time,] category, intensity (CSV or JSONL).",
)
@click.option(
    "--est",
    "est_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Estimates: id, [time,] category, intensity, or id, [time,] response (raw text).",
)
@click.option("--dynamic", is_flag=True, help="Dynamic task: score per id over time, then average.")
@click.option(
    "--average",
    type=click.Choice(["macro", "weighted", "micro"]),
    default="macro",
    show_default=True,
    help="Class averaging for precision, recall and F1.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate(ref_path: str, est_path: str, dynamic: bool, average: str, as_json: bool) -> None:
    """MVEmo-Bench metrics: category and intensity P/R/F1, Emotion Distance, Error Rate.

    Example: mvemo evaluate --ref ref.csv --est responses.jsonl --json
    """
    scores = evaluate_files(ref_path, est_path, dynamic=dynamic, average=average)
    if as_json:
        click.echo(
            json.dumps(
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in scores.items()}, indent=2
            )
        )
    else:
        click.echo(
            format_scores({k: scores[k] for k in (*METRIC_NAMES, *[k for k in scores if k not in METRIC_NAMES])})
        )

"""``mvemo bench``: run MVEmo-Bench tasks with registered models and print the result tables."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click

from mvemo.errors import ParameterError

DEFAULT_OUT = "build/bench"


def _parse_value(text: str) -> Any:
    """``KEY=VALUE`` values: JSON where it parses (numbers, true/false, lists), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _options(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParameterError(f"bad --option {pair!r}; use KEY=VALUE")
        out[key.replace("-", "_")] = _parse_value(value)
    return out


@click.group()
def bench() -> None:
    """MVEmo-Bench: score models on the benchmark tasks, write records, print tables.

    Example: mvemo bench run --task music-static --model music2emo --data 4q_panda2018
    """


@bench.command()
@click.option("--task", required=True, help="Task name (see `mvemo bench tasks`).")
@click.option("--model", "model", required=True, help="Model name (see `mvemo bench models`).")
@click.option(
    "--data",
    default=None,
    metavar="MANIFEST_OR_DATASET",
    help="A manifest (.jsonl/.parquet, e.g. from `mvemo data export`) or a dataset name "
    "(read from --data-home / $MVEMO_DATA); default: the task's usual dataset.",
)
@click.option(
    "--data-home",
    type=click.Path(file_okay=False),
    default=None,
    help="Media root (default: a manifest's own folder; for a dataset $MVEMO_DATA, then ../shared/data).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder of the run records.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of split, dynamic subset and models.")
@click.option(
    "--split",
    "split_source",
    type=click.Choice(["auto", "manifest", "seeded"]),
    default="auto",
    show_default=True,
    help="auto: the manifest's split if it has a test split, else seeded 8:1:1.",
)
@click.option(
    "--eval-split",
    type=click.Choice(["test", "validation", "all"]),
    default="test",
    show_default=True,
    help="Split scored ('all' only for models that do not train).",
)
@click.option(
    "--subset",
    type=int,
    default=1000,
    show_default=True,
    help="Dynamic tasks: seeded subset of the scored split (MVEmo: 1000).",
)
@click.option("--limit", type=int, default=None, help="Score at most N items (seeded subset; quick runs).")
@click.option("--average", type=click.Choice(["macro", "weighted", "micro"]), default="macro", show_default=True)
@click.option(
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="Model option, e.g. compute=false, c=0.5, accepts='[\"text\"]', concurrency=8.",
)
@click.option("--llm-base-url", default=None, help="OpenAI-compatible endpoint (default $MVEMO_LLM_BASE_URL).")
@click.option("--llm-model", default=None, help="Model at the endpoint (default $MVEMO_LLM_MODEL).")
@click.option(
    "--llm-api-key", default=None, help="API key (default $MVEMO_LLM_API_KEY or $OPENAI_API_KEY; never logged)."
)
@click.option(
    "--llm-accepts",
    default=None,
    metavar="KINDS",
    help="Comma-separated input kinds the endpoint takes: text,audio,image (default all).",
)
@click.option("--llm-concurrency", type=int, default=None, help="Requests in flight at most (default 4).")
@click.option(
    "--llm-deadline",
    type=float,
    default=None,
    help="Seconds per request attempt in all, however slowly the server answers (default 300).",
)
@click.option(
    "--llm-max-response-bytes",
    type=int,
    default=None,
    help="Cap on one response body; a larger one fails the request (default 2000000).",
)
def run(
    task: str,
    model: str,
    data: str | None,
    data_home: str | None,
    out_dir: str,
    seed: int,
    split_source: str,
    eval_split: str,
    subset: int,
    limit: int | None,
    average: str,
    options: tuple[str, ...],
    llm_base_url: str | None,
    llm_model: str | None,
    llm_api_key: str | None,
    llm_accepts: str | None,
    llm_concurrency: int | None,
    llm_deadline: float | None,
    llm_max_response_bytes: int | None,
) -> None:
    """Run one task with one model and write its record to --out.

    Example: mvemo bench run --task lyrics-static --model llm --llm-base-url http://127.0.0.1:8000/v1
    --llm-model qwen2.5-7b-instruct --llm-accepts text
    """
    from mvemo.bench.runner import RunConfig, run_bench

    opts = _options(options)
    if model == "llm":
        for key, value in (
            ("base_url", llm_base_url),
            ("model", llm_model),
            ("api_key", llm_api_key),
            ("concurrency", llm_concurrency),
            ("deadline", llm_deadline),
            ("max_response_bytes", llm_max_response_bytes),
        ):
            if value is not None:
                opts[key] = value
        if llm_accepts is not None:
            opts["accepts"] = tuple(k.strip() for k in llm_accepts.split(",") if k.strip())
    elif any(
        v is not None
        for v in (
            llm_base_url,
            llm_model,
            llm_api_key,
            llm_accepts,
            llm_concurrency,
            llm_deadline,
            llm_max_response_bytes,
        )
    ):
        raise ParameterError("--llm-* options apply to --model llm only")
    if "accepts" in opts and isinstance(opts["accepts"], list):
        opts["accepts"] = tuple(opts["accepts"])
    cfg = RunConfig(
        task=task,
        model=model,
        data=data,
        data_home=data_home,
        seed=seed,
        split_source=split_source,
        eval_split=eval_split,
        subset=subset,
        limit=limit,
        average=average,
        model_options=opts,
    )
    rec = run_bench(cfg, out_dir=out_dir, log=lambda msg: click.echo(msg, err=True))
    s = rec["scores"]

    def f(x):
        return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"

    click.echo(
        f"{rec['task']} {rec['model_name']} on {rec['data']['name']} (n={rec['split']['n_scored']}): "
        f"cat F1 {f(s['category_f1'])}, int F1 {f(s['intensity_f1'])}, D_e {f(s['emotion_distance'])}, "
        f"ER {f(s['error_rate'])} -> {rec['path']}"
    )


@bench.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "latex"]), default="md", show_default=True)
@click.option(
    "--table",
    "tables",
    type=click.Choice(["4", "5", "all"]),
    default="all",
    show_default=True,
    help="4: all metrics per model (Table IV style); 5: VA vs. unified by D_e (Table V style).",
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None, help="Write to a file (atomic).")
def report(paths: tuple[str, ...], fmt: str, tables: str, out_path: str | None) -> None:
    """Tables of the run records in PATHS (folders or files; default ./build/bench).

    Example: mvemo bench report build/bench --format latex
    """
    from mvemo.bench.report import format_report, load_records
    from mvemo.io import atomic_write

    records = load_records(paths or [DEFAULT_OUT])
    text = format_report(records, fmt=fmt, tables=("4", "5") if tables == "all" else (tables,))
    if out_path:
        atomic_write(Path(out_path), text)
    else:
        click.echo(text, nl=False)


@bench.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tasks(as_json: bool) -> None:
    """List the tasks: inputs, scored labels, whether MVEmo defines them."""
    from mvemo.bench.runner import DEFAULT_DATA
    from mvemo.bench.tasks import TASKS

    rows = [
        {
            "task": t.name,
            "inputs": list(t.roles),
            "optional": list(t.optional_inputs),
            "labels": t.labels,
            "paper": t.paper,
            "default_data": DEFAULT_DATA.get(t.name),
            "description": t.description,
        }
        for t in TASKS.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        inputs = " or ".join(r["inputs"]) + (f" (+ {', '.join(r['optional'])})" if r["optional"] else "")
        extra = "" if r["paper"] else "  [mvemo extra]"
        click.echo(f"{r['task']:<20} {r['labels']:<8} {inputs:<28} {r['description']}{extra}")


@bench.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def models(as_json: bool) -> None:
    """List the registered models, the tasks they run and their representation."""
    from mvemo.bench.registry import list_models, model_spec

    rows = []
    for name in list_models():
        s = model_spec(name)
        rows.append(
            {
                "model": name,
                "tasks": list(s.tasks) if s.tasks else "any",
                "representation": s.representation,
                "pair": s.pair,
                "description": s.description,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        tasks_ = r["tasks"] if r["tasks"] == "any" else ",".join(r["tasks"])
        click.echo(f"{r['model']:<16} {r['representation']:<8} {tasks_:<40} {r['description']}")

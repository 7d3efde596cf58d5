"""``mvemo data``: list, validate, export and describe the emotion datasets (thin wrappers)."""

from __future__ import annotations

import json
from typing import Any

import click

from mvemo.data import ENV_VAR, dataset_class, list_datasets, load, write_manifest
from mvemo.errors import DataError, ParameterError


def _data_home_option(f):
    return click.option(
        "--data-home",
        type=click.Path(file_okay=False),
        default=None,
        help=f"Folder with the datasets (default: ${ENV_VAR}).",
    )(f)


def _load_options(f):
    f = click.option(
        "--seed",
        type=int,
        default=0,
        show_default=True,
        help="Seed of the 8:1:1 split (datasets without an official split).",
    )(f)
    return click.option(
        "--option",
        "options",
        multiple=True,
        metavar="KEY=VALUE",
        help="Dataset option, e.g. split_index=2 for mtg_jamendo_moodtheme.",
    )(f)


def _parse_options(name: str, pairs: tuple[str, ...]) -> dict[str, Any]:
    spec = dataset_class(name).OPTIONS
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in spec:
            raise ParameterError(f"{name}: bad --option {pair!r}; options: {sorted(spec) or 'none'}")
        try:
            out[key] = spec[key][0](value)
        except ValueError:
            raise ParameterError(f"{name}: --option {key} needs a {spec[key][0].__name__}, got {value!r}") from None
    return out


def _load(name: str, data_home: str | None, seed: int, options: tuple[str, ...]):
    return load(name, data_home=data_home, seed=seed, **_parse_options(name, options))


@click.group()
def data() -> None:
    """Emotion datasets: list them, check the files, export manifests, label statistics.

    The datasets are read from --data-home or the MVEMO_DATA environment variable.
    """


@data.command(name="list")
@_data_home_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(data_home: str | None, as_json: bool) -> None:
    """List the datasets: items, splits, modalities, label types ("not found" if absent).

    Example: mvemo data list --data-home /path/to/shared/data
    """
    rows = []
    for name in list_datasets():
        cls = dataset_class(name)
        row: dict[str, Any] = {"name": name, "label_type": cls.label_type, "scale": cls.scale or "-"}
        status = "not found"
        try:
            ds = load(name, data_home=data_home)
            status = "error"  # the folder exists; a label file is bad
            items = ds.index()
        except DataError as exc:
            row.update(status=status, items=None, splits={}, modalities={cls.modality: None}, error=str(exc))
        else:
            mods: dict[str, int] = {}
            for it in items:
                mods[it.modality] = mods.get(it.modality, 0) + 1
            splits = {k: len(v) for k, v in ds.splits().items()}
            row.update(status="ok", items=len(items), splits=splits, modalities=mods)
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    errors = [r["error"] for r in rows if "error" in r]
    click.echo(f"{'dataset':<24} {'status':<10} {'items':>6}  {'label':<6} {'scale':<5} {'modalities':<22} splits")
    for r in rows:
        mods = ", ".join(f"{m} {n}" if n is not None else m for m, n in r["modalities"].items())
        splits = "/".join(f"{n}" for n in r["splits"].values()) + (f" ({'/'.join(r['splits'])})" if r["splits"] else "")
        items = "-" if r["items"] is None else str(r["items"])
        click.echo(
            f"{r['name']:<24} {r['status']:<10} {items:>6}  {r['label_type']:<6} {r['scale']:<5} {mods:<22} {splits}"
        )
    if errors:
        click.echo(f"\n{len(errors)} dataset(s) not loaded; first reason: {errors[0]}")


@data.command()
@click.argument("name")
@_data_home_option
@click.option("--decode", is_flag=True, help="Also decode every audio file (slow) and check MIDI headers.")
@_load_options
def validate(name: str, data_home: str | None, decode: bool, seed: int, options: tuple[str, ...]) -> None:
    """Check a dataset's files: missing, empty or unreadable (exit status 1 if any).

    Example: mvemo data validate emotify --decode
    """
    report = _load(name, data_home, seed, options).validate(decode=decode)
    click.echo(report.summary())
    for p in report.problems[:50]:
        click.echo(f"  {p['item'] or '-'}: {p['path']}: {p['problem']}")
    if len(report.problems) > 50:
        click.echo(f"  ... and {len(report.problems) - 50} more")
    if not report.ok:
        raise click.exceptions.Exit(1)


@data.command()
@click.argument("name")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Manifest file: .jsonl or .parquet (written atomically).",
)
@click.option("--split", default=None, help="Only this split (e.g. train).")
@_data_home_option
@_load_options
def export(
    name: str, out_path: str, split: str | None, data_home: str | None, seed: int, options: tuple[str, ...]
) -> None:
    """Write a dataset's manifest (one item per line / row) with unified labels.

    Example: mvemo data export emopia --out emopia_train.jsonl --split train
    """
    from mvemo.progress import track

    ds = _load(name, data_home, seed, options)
    n = write_manifest(track(ds.items(split=split), desc=f"export {name}", unit="item"), out_path)
    click.echo(f"wrote {n} items of {name}{f' ({split})' if split else ''} to {out_path}")


@data.command()
@click.argument("name")
@_data_home_option
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also save a polar plot (.png).")
@click.option("--json", "as_json", is_flag=True, help="Print all statistics as JSON.")
@_load_options
def stats(
    name: str, data_home: str | None, plot_path: str | None, as_json: bool, seed: int, options: tuple[str, ...]
) -> None:
    """Label distributions of a dataset: per category, intensity, split.

    Example: mvemo data stats deam --plot deam.png
    """
    from mvemo.data.stats import label_stats, polar_plot

    items = _load(name, data_home, seed, options).index()
    st = label_stats(items)
    if as_json:
        click.echo(json.dumps(st, indent=2))
    else:
        click.echo(
            f"{name}: {st['n_items']} items; static label {st['share_static']:.1%}, "
            f"dynamic {st['share_dynamic']:.1%}; {st['n_with_problems']} with problems"
        )
        click.echo("splits: " + ", ".join(f"{k} {v['n_items']}" for k, v in st["splits"].items()))
        top = sorted(((n, c) for c, n in st["category_counts"].items() if n), reverse=True)
        click.echo("categories: " + ", ".join(f"{c} {n}" for n, c in top))
        click.echo("intensity: " + ", ".join(f"{k} {v}" for k, v in st["intensity_histogram"].items() if v))
    if plot_path:
        polar_plot(items, plot_path, title=f"{name}: unified static labels")
        click.echo(f"wrote {plot_path}", err=as_json)

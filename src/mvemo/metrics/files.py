"""Evaluate label files: reference and estimate tables in, MVEmo-Bench scores out.

Reference tables have columns ``id``, ``category``, ``intensity`` (and ``time`` in
seconds for dynamic tasks).  Estimate tables have the same columns, or ``id``
(``time``) and ``response``: raw generated text, parsed with
:func:`~mvemo.metrics.response.parse_response`.  Rows are matched on ``id``
(and ``time``, to the millisecond).  A reference row with no estimate counts as an
invalid estimate (it raises the Error Rate) and is reported as ``n_missing``.

Every record is checked (not only the first): a record without the columns its file
uses is an error naming the record.  JSONL and CSV may start with a UTF-8 BOM.

**One intensity rule** for estimate tables and raw text answers alike: an estimated
intensity must be one of the label set's levels 0.0, 0.1, ..., 1.0 (within 1e-6); any
other value (0.55, 0.75 written as a number or as text, 1.2) makes the estimate invalid,
counted in the Error Rate and ``n_invalid`` like an answer outside the label set.  A
non-numeric intensity in a table is an error naming the row.  Reference intensities are
rounded to the grid (halves up), as everywhere in mvemo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mvemo.errors import DataError, ParameterError
from mvemo.io import read_records
from mvemo.metrics.dynamic import evaluate_dynamic
from mvemo.metrics.emotion import Average, evaluate
from mvemo.metrics.response import parse_response
from mvemo.records import label_cells

__all__ = ["evaluate_files"]


def _key(rec: dict[str, Any], *, dynamic: bool, path: Path, row: int) -> tuple[str, int] | str:
    rid = rec.get("id")
    if rid is None or str(rid).strip() == "":
        raise DataError(f"{path}: row {row} has no id")
    if not dynamic:
        return str(rid)
    try:
        t = float(rec["time"])
    except (KeyError, TypeError, ValueError):
        raise DataError(f"{path}: row {row} (id {rid!r}) needs a numeric 'time' for --dynamic") from None
    return str(rid), int(round(t * 1000))


def _index(records: list[dict[str, Any]], *, dynamic: bool, path: Path) -> dict:
    out: dict = {}
    for row, rec in enumerate(records, 1):
        key = _key(rec, dynamic=dynamic, path=path, row=row)
        if key in out:
            raise DataError(f"{path}: duplicate row for {key!r} (row {row})")
        out[key] = rec
    return out


def _on_grid(value: float) -> bool:
    """Whether ``value`` is one of the intensity levels 0.0, 0.1, ..., 1.0 (within 1e-6)."""
    level = round(value * 10) if np.isfinite(value) else -1
    return 0 <= level <= 10 and abs(value * 10 - level) < 1e-6


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value.strip() == "")
        or (isinstance(value, float) and np.isnan(value))
    )


def evaluate_files(
    ref_path: str | Path,
    est_path: str | Path,
    *,
    dynamic: bool = False,
    average: Average = "macro",
) -> dict[str, float]:
    """Score an estimate file against a reference file.

    Parameters
    ----------
    ref_path, est_path : str or Path
        CSV, TSV or JSONL tables (see the module docstring for the columns).
    dynamic : bool
        Dynamic task: rows carry ``time``; metrics are computed per ``id`` and averaged.
    average : {"macro", "weighted", "micro"}

    Returns
    -------
    dict
        The :data:`~mvemo.metrics.emotion.METRIC_NAMES` scores plus ``n``,
        ``n_invalid`` and ``n_missing`` (and ``n_samples`` if dynamic).

    Raises
    ------
    DataError
        Naming the file, for unreadable tables, missing columns, duplicate rows,
        estimates for ids that the reference lacks, or bad label values.
    """
    ref_p, est_p = Path(ref_path), Path(est_path)
    cols = ["id", "category", "intensity"] + (["time"] if dynamic else [])
    ref = _index(read_records(ref_p, required=cols), dynamic=dynamic, path=ref_p)
    est_records = read_records(est_p, required=["id"] + (["time"] if dynamic else []))
    raw = "response" in est_records[0]
    if not raw and not {"category", "intensity"} <= set(est_records[0]):
        raise DataError(f"{est_p}: needs columns 'category' and 'intensity', or 'response'")
    needed = ("response",) if raw else ("category", "intensity")
    for row, rec in enumerate(est_records, 1):
        lacking = [c for c in needed if c not in rec]
        if lacking:
            raise DataError(
                f"{est_p}: record {row} (id {rec.get('id')!r}) lacks {lacking}; every record needs "
                f"{' and '.join(map(repr, needed))} like the first"
            )
    est = _index(est_records, dynamic=dynamic, path=est_p)
    extra = [k for k in est if k not in ref]
    if extra:
        raise DataError(f"{est_p}: {len(extra)} estimate row(s) have no reference in {ref_p}, e.g. {extra[:3]}")

    keys = list(ref)
    est_cat: list[str | None] = []
    est_int: list[float | None] = []
    n_missing = 0
    for k in keys:
        rec = est.get(k)
        if rec is None:
            n_missing += 1
            est_cat.append(None)
            est_int.append(None)
        elif raw:
            parsed = parse_response(None if _blank(rec["response"]) else str(rec["response"]))
            est_cat.append(parsed.category)
            est_int.append(parsed.intensity)
        else:
            cat, inten = label_cells(rec)
            invalid = _blank(cat) or _blank(inten)
            try:
                value = None if invalid else float(inten)
            except (TypeError, ValueError):
                raise DataError(f"{est_p}: id {k!r} has a non-numeric intensity {inten!r}") from None
            if value is not None and not _on_grid(value):  # the same rule as for text answers
                invalid, value = True, None
            est_int.append(value)
            est_cat.append(None if invalid else str(cat))
    ref_cells = [label_cells(ref[k]) for k in keys]
    ref_cat = [str(c) for c, _ in ref_cells]
    try:
        ref_int = [float(i) for _, i in ref_cells]
    except (TypeError, ValueError) as exc:
        raise DataError(f"{ref_p}: non-numeric intensity ({exc})") from None
    try:
        if dynamic:
            scores = evaluate_dynamic(
                np.array([k[0] for k in keys]), ref_cat, ref_int, est_cat, est_int, average=average
            )
        else:
            scores = evaluate(ref_cat, ref_int, est_cat, est_int, average=average)
    except ParameterError as exc:
        raise DataError(f"{ref_p} / {est_p}: {exc}") from None
    scores["n_missing"] = n_missing
    return scores

"""Small label tables: CSV and JSONL records in and out, with errors that name the file.

Writes are atomic: the table goes to a temporary file beside the target, which then
replaces it, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mvemo.errors import DataError
from mvemo.util import atomic_write as util_atomic_write

__all__ = ["read_records", "iter_jsonl", "iter_jsonl_lines", "write_records", "atomic_write"]

_CSV_SUFFIXES = {".csv", ".tsv"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return "csv"
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    raise DataError(f"{path}: unsupported table format {suffix!r}; use .csv, .tsv or .jsonl")


def iter_jsonl_lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)`` of a JSON Lines file lazily; blank lines are skipped.

    Raises
    ------
    DataError
        Naming the file and line of a record that is not a JSON object.
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig") as fh:  # a BOM is accepted, as in CSV
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(f"{p}:{lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(rec, dict):
                    raise DataError(f"{p}:{lineno}: expected a JSON object, got {type(rec).__name__}")
                yield lineno, rec
    except FileNotFoundError:
        raise DataError(f"{p}: file not found") from None
    except OSError as exc:
        raise DataError(f"cannot read {p}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 text ({exc.reason})") from exc


def iter_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSON Lines file lazily; see :func:`iter_jsonl_lines`."""
    for _, rec in iter_jsonl_lines(path):
        yield rec


def read_records(path: str | Path, *, required: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Read a CSV/TSV (header row) or JSONL table into a list of dicts.

    Parameters
    ----------
    path : str or Path
    required : iterable of str
        Columns every record must have.

    Raises
    ------
    DataError
        If the file is missing, unreadable, empty, or any record lacks a required column
        (the message names the record and, for JSONL, its line).
    """
    p = Path(path)
    kind = _kind(p)
    required = list(required)
    if kind == "jsonl":
        records = []
        for lineno, rec in iter_jsonl_lines(p):
            missing = [c for c in required if c not in rec]
            if missing and records:  # every record is checked, not only the first
                raise DataError(f"{p}:{lineno}: record {len(records) + 1} lacks column(s) {missing}")
            records.append(rec)
    else:
        try:
            with p.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh, delimiter="\t" if p.suffix.lower() == ".tsv" else ",")
                records = [
                    {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k} for row in reader
                ]
        except OSError as exc:
            raise DataError(f"cannot read {p}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"{p}: cannot parse as {kind.upper()} ({exc})") from exc
    if not records:
        raise DataError(f"{p}: the table has no records")
    missing = [c for c in required if c not in records[0]]
    if missing:
        raise DataError(f"{p}: missing column(s) {missing}; found {sorted(records[0])}")
    return records


def atomic_write(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (:func:`mvemo.util.atomic_write`, newlines as given)."""
    util_atomic_write(path, text, newline="")


def write_records(path: str | Path, records: list[dict[str, Any]]) -> None:
    """Write records as CSV/TSV (columns in first-seen order) or JSONL, atomically."""
    p = Path(path)
    if _kind(p) == "jsonl":
        atomic_write(p, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        return
    columns: dict[str, None] = {}
    for r in records:
        columns.update(dict.fromkeys(r))
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(columns), delimiter="\t" if p.suffix.lower() == ".tsv" else ",", lineterminator="\n"
    )  # LF, as every other file mvemo writes
    writer.writeheader()
    writer.writerows(records)
    atomic_write(p, buf.getvalue())

"""Small readers for the label files of the datasets: CSV/TSV and JSON, errors that name the file.

All readers strip a UTF-8 BOM, surrounding whitespace (spaces, stray tabs) of header
names and of values, and accept CRLF line endings, because the source files mix all of
these (see the loader docstrings).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mvemo.errors import DataError

__all__ = ["read_csv", "read_json", "parse_float", "parse_int"]


def read_csv(
    path: Path,
    *,
    required: Iterable[str] = (),
    delimiter: str = ",",
    strip: bool = True,
) -> list[dict[str, str]]:
    """Rows of a CSV/TSV file with a header row, as dicts of stripped strings.

    Parameters
    ----------
    path : Path
        The file.
    required : iterable of str
        Header names that must be present (after stripping).
    delimiter : str
        Field separator.
    strip : bool
        Strip whitespace (including tabs) around every value.

    Returns
    -------
    list of dict
        One dict per data row; a column without a header name is keyed ``""``, missing
        trailing cells are ``""``.  Two extra keys: ``"__line__"`` (line number, for
        messages) and ``"__extra__"`` (cells beyond the header, tab-joined).

    Raises
    ------
    DataError
        If the file is missing, unreadable, not UTF-8, has no header, or lacks a
        required column; the message names the file.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise DataError(f"{path}: the file is empty (expected a header row)")
            names = [h.strip() for h in header]
            missing = [c for c in required if c not in names]
            if missing:
                raise DataError(f"{path}: missing column(s) {missing}; found {names}")
            rows = []
            for values in reader:
                if not values or all(not v.strip() for v in values):
                    continue
                vals = [v.strip() for v in values] if strip else values
                row = dict(zip(names, vals + [""] * (len(names) - len(vals))))
                row["__line__"] = str(reader.line_num)
                row["__extra__"] = "\t".join(vals[len(names) :]) if len(vals) > len(names) else ""
                rows.append(row)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise DataError(f"{path}: cannot parse as CSV ({exc})") from exc
    return rows


def read_json(path: Path) -> Any:
    """Parsed content of a JSON file; DataError naming the file on any problem."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not valid JSON ({exc})") from exc


def _where(path: Path, row: dict[str, str] | None, column: str) -> str:
    line = f" line {row['__line__']}" if row and "__line__" in row else ""
    return f"{path}{line}, column {column!r}"


def parse_float(value: Any, *, path: Path, column: str, row: dict[str, str] | None = None) -> float | None:
    """A finite float, or ``None`` for an empty cell / JSON null.

    Raises
    ------
    DataError
        For text that is not a number, or NaN/infinity; names the file, line and column.
    """
    if value is None or (isinstance(value, str) and value.strip() in ("", "NA", "nan", "NaN")):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{_where(path, row, column)}: not a number: {value!r}") from None
    if not math.isfinite(x):
        return None
    return x


def parse_int(value: Any, *, path: Path, column: str, row: dict[str, str] | None = None) -> int:
    """An integer (``"007"`` gives 7); DataError naming the file for anything else."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DataError(f"{_where(path, row, column)}: not an integer: {value!r}") from None

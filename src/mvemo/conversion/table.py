"""Convert a whole table of dataset labels (CSV/TSV/JSONL) into unified labels.

Every input row is kept, and four columns are added: ``category``, ``intensity``,
``angle`` (the category's angle in degrees) and ``problem`` (empty, or why the row
could not be converted: a missing value, an out-of-scale rating, an unknown word,
a word with no emotional meaning).  A bad row never stops the conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mvemo.conversion.quadrant import quadrant_to_label
from mvemo.conversion.va import Scale, as_scale, va_to_label
from mvemo.conversion.words import WordMap, word_to_label
from mvemo.errors import DataError, ParameterError
from mvemo.io import read_records, write_records
from mvemo.representation import EmotionLabel

__all__ = ["ConversionReport", "convert_records", "convert_table"]

Kind = Literal["quadrant", "word", "va"]
OUTPUT_COLUMNS = ("category", "intensity", "angle", "problem")


@dataclass
class ConversionReport:
    """What a table conversion did: row counts and the problems per row (1-based)."""

    n_rows: int = 0
    n_converted: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line, e.g. ``"converted 9 of 10 rows; 1 problem(s)"``."""
        return f"converted {self.n_converted} of {self.n_rows} rows; {len(self.problems)} problem(s)"


def _convert_one(
    rec: dict,
    *,
    kind: Kind,
    column: str | None,
    valence: str,
    arousal: str,
    scale: Scale | None,
    mapping: WordMap | None,
) -> EmotionLabel | None:
    blank = [c for c in ((column,) if kind != "va" else (valence, arousal)) if c not in rec]
    if blank:
        raise ParameterError(f"no column(s) {blank} in this row")
    if kind == "quadrant":
        return quadrant_to_label(str(rec[column]))
    if kind == "word":
        label = word_to_label(str(rec[column]), mapping=mapping)
        if label is None:
            raise ParameterError(f"word {rec[column]!r} has no emotional meaning in the mapping")
        return label
    blank = [c for c in (valence, arousal) if rec[c] is None or str(rec[c]).strip() == ""]
    if blank:
        raise ParameterError(f"missing value in column(s) {blank}")
    try:
        v, a = float(rec[valence]), float(rec[arousal])
    except (TypeError, ValueError):
        raise ParameterError(f"non-numeric valence/arousal ({rec[valence]!r}, {rec[arousal]!r})") from None
    return va_to_label(v, a, scale=scale)


def convert_records(
    records: list[dict],
    *,
    kind: Kind,
    column: str | None = None,
    valence: str = "valence",
    arousal: str = "arousal",
    scale: Scale | tuple[float, float] | str | None = None,
    mapping: WordMap | None = None,
) -> tuple[list[dict], ConversionReport]:
    """Add unified-label columns to records; see :func:`convert_table`.

    Examples
    --------
    >>> rows, report = convert_records([{"q": "Q1"}, {"q": "Q9"}], kind="quadrant", column="q")
    >>> rows[0]["category"], rows[1]["problem"], report.summary()
    ('excited', "not a quadrant: 'Q9' (expected Q1, Q2, Q3 or Q4)", 'converted 1 of 2 rows; 1 problem(s)')
    """
    if kind not in ("quadrant", "word", "va"):
        raise ParameterError(f"kind must be 'quadrant', 'word' or 'va', got {kind!r}")
    if kind == "va":
        if scale is None:
            raise ParameterError("converting valence-arousal values needs their scale, e.g. scale=(1, 9)")
        scale = as_scale(scale)
        needed = [valence, arousal]
    else:
        if not column:
            raise ParameterError(f"converting {kind} labels needs the name of the column that holds them")
        needed = [column]
    if records:
        missing = [c for c in needed if c not in records[0]]
        if missing:
            raise ParameterError(f"missing column(s) {missing}; the table has {sorted(records[0])}")
    report = ConversionReport(n_rows=len(records))
    ids: dict[str, list[int]] = {}
    for row, rec in enumerate(records, 1):
        if rec.get("id") is not None and str(rec["id"]).strip():
            ids.setdefault(str(rec["id"]), []).append(row)
    report.warnings += [
        f"id {i!r} appears {len(rows)} times (rows {', '.join(map(str, rows[:5]))}); each row is converted"
        for i, rows in ids.items()
        if len(rows) > 1
    ]
    out = []
    for row, rec in enumerate(records, 1):
        new = dict(rec)
        try:
            label = _convert_one(
                rec, kind=kind, column=column, valence=valence, arousal=arousal, scale=scale, mapping=mapping
            )
        except ParameterError as exc:
            new.update(category="", intensity="", angle="", problem=str(exc))
            report.problems.append((row, str(exc)))
        else:
            new.update(label.to_dict(), problem="")
            report.n_converted += 1
        out.append(new)
    return out, report


def convert_table(
    in_path: str | Path,
    out_path: str | Path,
    *,
    kind: Kind,
    column: str | None = None,
    valence: str = "valence",
    arousal: str = "arousal",
    scale: Scale | tuple[float, float] | str | None = None,
    mapping: WordMap | None = None,
    only_converted: bool = False,
) -> ConversionReport:
    """Convert the labels in a CSV/TSV/JSONL table and write the table with unified columns.

    Parameters
    ----------
    in_path, out_path : str or Path
        Input and output tables; the output format follows its suffix.
    kind : {"quadrant", "word", "va"}
        What the input holds.
    column : str
        The column with the quadrant or word (``kind`` "quadrant" or "word").
    valence, arousal : str
        The columns with the ratings (``kind="va"``).
    scale : Scale, (low, high) or str
        The rating scale (``kind="va"``), e.g. ``(1, 9)``.
    mapping : WordMap, optional
        Your own word mapping (``kind="word"``).
    only_converted : bool
        Write only the rows that converted (the others are still in the report).

    Returns
    -------
    ConversionReport
    """
    records = read_records(in_path)
    try:
        out, report = convert_records(
            records, kind=kind, column=column, valence=valence, arousal=arousal, scale=scale, mapping=mapping
        )
    except ParameterError as exc:
        raise DataError(f"{in_path}: {exc}") from None
    if only_converted:
        out = [r for r in out if not r["problem"]]
    write_records(out_path, out)
    return report

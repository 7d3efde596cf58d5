"""Predict many files in one run: streamed results, resume, and a batch that survives bad files."""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mvemo.errors import MvemoError, ParameterError
from mvemo.progress import track

__all__ = ["BatchReport", "predict_files", "CSV_COLUMNS"]

CSV_COLUMNS = ("file", "model", "modality", "category", "intensity", "valence", "arousal", "quadrant", "key", "tempo",
               "n_dynamic")  # fmt: skip


@dataclass
class BatchReport:
    """What a batch run did."""

    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line."""
        return f"{self.done} predicted, {self.skipped} already done, {len(self.failed)} failed in {self.seconds:.1f} s"


def _done_files(out: Path) -> set[str]:
    """Files already in an output table; a torn last line (an interrupted run) is ignored."""
    if not out.is_file():
        return set()
    if out.suffix.lower() == ".csv":
        with out.open(newline="", encoding="utf-8") as fh:
            return {row["file"] for row in csv.DictReader(fh) if row.get("file")}
    done = set()
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                done.add(json.loads(line)["file"])
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return done


def _csv_row(rec: dict[str, Any]) -> dict[str, Any]:
    s = rec["static"]
    return {"file": rec["file"], "model": rec["model"], "modality": rec.get("modality", ""),
            "category": s["category"], "intensity": s["intensity"],
            "valence": s["valence"], "arousal": s["arousal"], "quadrant": s["quadrant"],
            "key": rec.get("features", {}).get("key", ""), "tempo": rec.get("features", {}).get("tempo", ""),
            "n_dynamic": len(rec.get("dynamic", []))}  # fmt: skip


def _trim_torn_line(out: Path) -> None:
    """Drop an incomplete last line left by an interrupted run, so appends start on a new line."""
    data = out.read_bytes()
    if data and not data.endswith(b"\n"):
        out.write_bytes(data[: data.rfind(b"\n") + 1])


def predict_files(
    files: list[Path],
    predict: Callable[[Path], dict[str, Any]],
    *,
    out: str | Path,
    resume: bool = False,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    progress: bool = True,
) -> BatchReport:
    """Run ``predict`` on each file and append each record to ``out`` as soon as it is done.

    Parameters
    ----------
    files : list of Path
    predict : callable(path) -> record dict (with a ``file`` key)
    out : path
        ``.jsonl`` (one JSON record per line) or ``.csv`` (static columns :data:`CSV_COLUMNS`).
    resume : bool
        Skip files already in ``out`` and append; otherwise ``out`` is started afresh.
    on_record : callable, optional
        Called with each record (e.g. to draw a plot).

    Returns
    -------
    BatchReport
        A file that fails with an mvemo error (unreadable, silent, ...) is listed with
        the reason; the run goes on and everything done so far stays in ``out``.
    """
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".jsonl", ".csv"):
        raise ParameterError(f"--out must end in .jsonl or .csv, got {out.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    done = _done_files(out) if resume else set()
    if resume and out.is_file():
        _trim_torn_line(out)
    report = BatchReport()
    t0 = time.perf_counter()
    new_csv = not (resume and out.is_file() and out.stat().st_size > 0)
    with out.open("a" if resume else "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n") if kind == ".csv" else None
        if writer is not None and new_csv:
            writer.writeheader()
        for i, path in enumerate(track(files, desc="predict", unit="file", quiet=not progress), 1):
            if str(path) in done:
                report.skipped += 1
                continue
            t1 = time.perf_counter()
            try:
                rec = predict(path)
            except MvemoError as exc:
                report.failed.append((str(path), str(exc)))
                if progress:
                    print(f"[{i}/{len(files)}] {path}: FAILED: {exc}", file=sys.stderr)
                continue
            if writer is not None:
                writer.writerow(_csv_row(rec))
            else:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            report.done += 1
            if on_record is not None:
                on_record(rec)
            if progress:
                s = rec["static"]
                print(f"[{i}/{len(files)}] {path}: {s['category']} {s['intensity']:.1f} "
                      f"({time.perf_counter() - t1:.1f} s)", file=sys.stderr)  # fmt: skip
    report.seconds = time.perf_counter() - t0
    return report

"""Predict many files in one run: streamed results, resume, and a batch that survives bad files.

The output is locked for the run, resume compares real paths and repairs a torn last line
atomically (see :mod:`mvemo.predict.outfile`); a failure is reported naming the file once.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mvemo.errors import MvemoError, ParameterError
from mvemo.predict.outfile import done_files, lock_output, real_path, repair_torn_line
from mvemo.progress import track
from mvemo.records import label_cells

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


def not_regular(path: Path) -> str | None:
    """Why ``path`` cannot be predicted without opening it (a FIFO would block), or None for a regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "dangling symbolic link" if os.path.islink(path) else "no such file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = (
        "a FIFO"
        if stat.S_ISFIFO(st.st_mode)
        else "a socket"
        if stat.S_ISSOCK(st.st_mode)
        else "a device"
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
        else "a folder"
        if stat.S_ISDIR(st.st_mode)
        else "not a file"
    )
    return f"not a regular file ({kind})"


def _reason(path: Path, exc: BaseException) -> str:
    """The error message without a leading ``<path>: `` (the report names the file once)."""
    msg = str(exc)
    for form in (str(path), real_path(path), path.name):
        if msg.startswith(form + ": "):
            return msg[len(form) + 2 :]
    return msg


def _csv_row(rec: dict[str, Any]) -> dict[str, Any]:
    s = rec["static"]
    category, intensity = label_cells(s)
    return {
        "file": rec["file"],
        "model": rec["model"],
        "modality": rec.get("modality", ""),
        "category": category,
        "intensity": intensity,
        "valence": s["valence"],
        "arousal": s["arousal"],
        "quadrant": s["quadrant"],
        "key": rec.get("features", {}).get("key", ""),
        "tempo": rec.get("features", {}).get("tempo", ""),
        "n_dynamic": len(rec.get("dynamic", [])),
    }


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
        A file that fails with an mvemo error (unreadable, silent, ...) or is not a regular
        file is listed with the reason; the run goes on and everything done so far stays in ``out``.

    Raises
    ------
    DataError
        Another run holds the lock on ``out``.
    """
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".jsonl", ".csv"):
        raise ParameterError(f"--out must end in .jsonl or .csv, got {out.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with lock_output(out):
        if resume and out.is_file():
            repair_torn_line(out)  # first, so that a torn row is not counted as done
        done = done_files(out) if resume else set()
        return _predict_locked(
            files, predict, out=out, kind=kind, resume=resume, done=done, on_record=on_record, progress=progress
        )


def _predict_locked(
    files, predict, *, out: Path, kind: str, resume: bool, done: set[str], on_record, progress: bool
) -> BatchReport:
    """The loop of :func:`predict_files`, run while the output is locked and repaired."""
    report = BatchReport()
    t0 = time.perf_counter()
    new_csv = not (resume and out.is_file() and out.stat().st_size > 0)
    with out.open("a" if resume else "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n") if kind == ".csv" else None
        if writer is not None and new_csv:
            writer.writeheader()
        for i, path in enumerate(track(files, desc="predict", unit="file", quiet=not progress), 1):
            if real_path(path) in done:
                report.skipped += 1
                continue
            t1 = time.perf_counter()
            try:
                why = not_regular(path)
                if why is not None:
                    raise ParameterError(why)
                rec = predict(path)
            except MvemoError as exc:
                report.failed.append((str(path), _reason(path, exc)))
                if progress:
                    print(f"[{i}/{len(files)}] {path}: FAILED: {_reason(path, exc)}", file=sys.stderr)
                continue
            if writer is not None:
                writer.writerow(_csv_row(rec))
            else:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.flush()
            report.done += 1
            if on_record is not None:
                on_record(rec)
            for w in rec.get("warnings") or ():  # always shown, also with --quiet
                print(f"[{i}/{len(files)}] {path}: warning: {w}", file=sys.stderr)
            if progress:
                s = rec["static"]
                print(
                    f"[{i}/{len(files)}] {path}: {s['category']} {s['intensity']:.1f} "
                    f"({time.perf_counter() - t1:.1f} s)",
                    file=sys.stderr,
                )
    report.seconds = time.perf_counter() - t0
    return report

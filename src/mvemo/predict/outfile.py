"""The output table of a batch run: an exclusive lock, crash-safe repair, and what is already done.

* :func:`lock_output` holds an exclusive ``fcntl.flock`` on ``<out>.lock`` for the whole run, so a
  second run on the same output stops at once with a clear error instead of interleaving lines.
  The lock file stays beside the output (removing it would race with a waiting run); the lock
  itself goes with the process, also when it is killed.
* :func:`repair_torn_line` drops an incomplete last line (a run killed while writing) by writing
  the kept part to a temporary file, fsyncing it and renaming it over the output: a kill at any
  moment leaves the old or the repaired file, never a truncated one.
* :func:`done_files` reads the files already predicted (JSONL records or CSV rows) as resolved
  real paths, so ``small/a.wav`` and ``/abs/small/a.wav`` are the same file.  It is read after the
  repair, so a torn row is predicted again.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

from mvemo.errors import DataError
from mvemo.util import atomic_open

__all__ = ["lock_output", "repair_torn_line", "done_files", "real_path"]


def real_path(path: str | os.PathLike) -> str:
    """The resolved real path of ``path`` (symlinks and ``..`` resolved; the file need not exist)."""
    return os.path.realpath(os.fspath(path))


@contextlib.contextmanager
def lock_output(out: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock on ``out`` (through ``<out>.lock``) for the duration of the block.

    Raises
    ------
    DataError
        Another process holds the lock (another run is writing ``out``), or the lock file
        cannot be created.
    """
    import fcntl

    out = Path(out)
    lock = out.with_name(out.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise DataError(f"{out}: cannot create the lock file {lock}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataError(
                f"{out} is being written by another mvemo run (its lock {lock.name} is held); "
                "wait for that run to finish or choose another --out"
            ) from None
        yield lock
    finally:
        os.close(fd)  # releases the lock


def repair_torn_line(out: str | os.PathLike) -> bool:
    """Atomically drop an incomplete last line (no final newline) of ``out``; True if one was dropped."""
    out = Path(out)
    with out.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        if size == 0:
            return False
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return False
        fh.seek(0)
        data = fh.read()
    with atomic_open(out, "wb") as tmp:
        tmp.write(data[: data.rfind(b"\n") + 1])
    return True


def done_files(out: str | os.PathLike) -> set[str]:
    """Real paths of the files already in an output table (``.csv`` rows or ``.jsonl`` records).

    Lines that do not parse are ignored (call :func:`repair_torn_line` first, so that a torn
    last line is not counted as done).
    """
    out = Path(out)
    if not out.is_file():
        return set()
    if out.suffix.lower() == ".csv":
        with out.open(newline="", encoding="utf-8", errors="replace") as fh:
            return {real_path(row["file"]) for row in csv.DictReader(fh) if row.get("file")}
    done = set()
    with out.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("file"), str):
                done.add(real_path(rec["file"]))
    return done

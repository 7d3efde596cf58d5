"""The build ledger: each video's status per step, in SQLite (WAL), committed per video.

Tables:

* ``videos(id, source, fingerprint, config, status, reason, result, updated)``: ``status``
  is ``done``, ``filtered`` or ``failed``; ``result`` is the worker's JSON result (labels,
  features, file names), from which the manifest is assembled;
* ``steps(id, step, status, reason, seconds, cpu_seconds)``: ``status`` is ``done``,
  ``failed`` or ``skipped`` (a step after a failure or a filter); ``seconds`` is the step's
  wall time, ``cpu_seconds`` the CPU time of the worker process (all its threads) during it,
  so threads that fight over the cores show as wall time above CPU time.

Only the driver process writes, one transaction per finished video, so a killed build
loses at most the videos still in flight.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mvemo.errors import DataError

__all__ = ["FINAL_STATUSES", "Ledger"]

FINAL_STATUSES = ("done", "filtered", "failed")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS videos (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, fingerprint TEXT NOT NULL, config TEXT NOT NULL,
    status TEXT NOT NULL, reason TEXT, result TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS steps (
    id TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, seconds REAL,
    cpu_seconds REAL, PRIMARY KEY (id, step));
"""


class Ledger:
    """An on-disk ledger at ``path`` (created with its folder).

    Raises
    ------
    DataError
        When the file exists but is not a ledger database.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=30.0)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            cols = {r[1] for r in self.db.execute("PRAGMA table_info(steps)")}
            if "cpu_seconds" not in cols:  # a ledger written before the column existed
                self.db.execute("ALTER TABLE steps ADD COLUMN cpu_seconds REAL")
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path}: not a build ledger ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def is_finished(self, vid: str, fingerprint: str, config: str, *, retry_failed: bool = False) -> bool:
        """Whether ``vid`` has a final status for this input and configuration."""
        row = self.db.execute("SELECT fingerprint, config, status FROM videos WHERE id = ?", (vid,)).fetchone()
        if row is None or row[0] != fingerprint or row[1] != config:
            return False
        return not (retry_failed and row[2] == "failed")

    def record(
        self,
        vid: str,
        *,
        source: str,
        fingerprint: str,
        config: str,
        status: str,
        reason: str | None,
        result: dict[str, Any] | None,
        steps: list[dict[str, Any]],
    ) -> None:
        """Store one finished video and its steps in one transaction."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {FINAL_STATUSES}, got {status!r}")
        with self.db:
            self.db.execute("DELETE FROM steps WHERE id = ?", (vid,))
            self.db.executemany(
                "INSERT INTO steps (id, step, status, reason, seconds, cpu_seconds) VALUES (?, ?, ?, ?, ?, ?)",
                [(vid, s["step"], s["status"], s.get("reason"), s.get("seconds"), s.get("cpu_seconds")) for s in steps],
            )
            self.db.execute(
                "INSERT OR REPLACE INTO videos (id, source, fingerprint, config, status, reason, result, updated) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    vid,
                    source,
                    fingerprint,
                    config,
                    status,
                    reason,
                    json.dumps(result, sort_keys=True) if result is not None else None,
                    time.time(),
                ),
            )

    def videos(self, ids: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Rows of ``videos`` (all, or those in ``ids``), sorted by id, ``result`` parsed."""
        rows = self.db.execute("SELECT id, source, status, reason, result FROM videos ORDER BY id").fetchall()
        keep = set(ids) if ids is not None else None
        for vid, source, status, reason, result in rows:
            if keep is None or vid in keep:
                yield {
                    "id": vid,
                    "source": source,
                    "status": status,
                    "reason": reason,
                    "result": json.loads(result) if result else None,
                }

    def steps(self, vid: str | None = None) -> list[dict[str, Any]]:
        """Rows of ``steps`` (of one video or all)."""
        cols = ("id", "step", "status", "reason", "seconds", "cpu_seconds")
        q = f"SELECT {', '.join(cols)} FROM steps"
        rows = self.db.execute(q + (" WHERE id = ?" if vid else "") + " ORDER BY id, rowid", (vid,) if vid else ())
        return [dict(zip(cols, r)) for r in rows.fetchall()]

    def counts(self, ids: list[str] | None = None) -> dict[str, int]:
        """Videos per final status."""
        out = {s: 0 for s in FINAL_STATUSES}
        for row in self.videos(ids):
            out[row["status"]] += 1
        return out

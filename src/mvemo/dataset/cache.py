"""Step results cached on disk, keyed by the content hash of their inputs plus the step's version.

A step's entry is a folder ``<root>/<step>/<key[:2]>/<key>/`` holding ``result.json``
and the files the step wrote.  ``result.json`` is written last and atomically, so an
entry either exists whole or not at all (a killed worker leaves at most a stray folder
that the next run overwrites).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from mvemo.util import atomic_write, cache_root

__all__ = ["StepCache", "file_sha256", "place", "step_key"]


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def step_key(step: str, version: str, *inputs: Any) -> str:
    """The cache key of ``step`` at ``version`` on ``inputs`` (hashes, parameters; JSON types)."""
    blob = json.dumps([step, version, list(inputs)], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class StepCache:
    """Cached step results under ``root`` (default: :func:`mvemo.util.cache_root` / ``dataset``)."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else cache_root() / "dataset"

    def folder(self, step: str, key: str) -> Path:
        """The entry folder of ``(step, key)`` (not created)."""
        return self.root / step / key[:2] / key

    def get(self, step: str, key: str) -> dict[str, Any] | None:
        """The cached result, or None (also when a file it names has gone)."""
        d = self.folder(step, key)
        try:
            res = json.loads((d / "result.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        if any(not (d / f).is_file() for f in res.get("_files", [])):
            return None
        return res

    def put(self, step: str, key: str, result: dict[str, Any], files: tuple[str, ...] = ()) -> dict[str, Any]:
        """Store ``result`` whose ``files`` (names inside :meth:`folder`) the step has written there."""
        res = {**result, "_files": list(files)}
        atomic_write(self.folder(step, key) / "result.json", json.dumps(res, sort_keys=True, allow_nan=False))
        return res


def place(src: str | Path, dst: str | Path) -> Path:
    """Put a cached file at ``dst`` atomically: a hard link where possible, else a copy."""
    s, d = Path(src), Path(dst)
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = d.with_name(f".{d.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(s, tmp)
    except OSError:
        shutil.copyfile(s, tmp)
    os.replace(tmp, d)
    return d

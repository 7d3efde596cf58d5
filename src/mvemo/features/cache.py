"""An on-disk cache of per-track features (``.npz``), keyed by file content and feature kind.

A key is the SHA-1 of the file's bytes plus the feature kind and its version, so an
edited file or a changed extractor misses the cache, while a copied, moved or
re-downloaded file (new path or modification time, same bytes) still hits it.  The
content hash is computed once per file, path, size and modification time in a
process.  Writes are atomic, so an interrupted extraction never leaves a broken
entry, and a rerun resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from functools import lru_cache

import numpy as np

from mvemo.errors import DataError

_CHUNK = 1 << 20  # bytes read at a time while hashing

__all__ = ["FeatureCache", "default_cache_dir"]


def default_cache_dir() -> Path:
    """``$MVEMO_CACHE``, else ``$XDG_CACHE_HOME/mvemo``, else ``~/.cache/mvemo``."""
    env = os.environ.get("MVEMO_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mvemo"


class FeatureCache:
    """Feature arrays per (file, kind) under ``root/kind/``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> (tmp / "a.wav").write_bytes(b"x")
    1
    >>> cache = FeatureCache(tmp / "cache")
    >>> cache.get(tmp / "a.wav", "demo-v1") is None
    True
    >>> cache.put(tmp / "a.wav", "demo-v1", {"x": np.arange(3)})
    >>> cache.get(tmp / "a.wav", "demo-v1")["x"].tolist()
    [0, 1, 2]
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def key(self, path: str | Path, kind: str) -> str:
        """Cache key of a file for a feature kind: SHA-1 of its content digest and ``kind``."""
        p = Path(path).resolve()
        try:
            st = p.stat()
        except OSError as exc:
            raise DataError(f"cannot read {p}: {exc.strerror or exc}") from exc
        digest = _content_digest(str(p), st.st_size, st.st_mtime_ns)
        return hashlib.sha1(f"{digest}\0{kind}".encode()).hexdigest()

    def path(self, path: str | Path, kind: str) -> Path:
        """Where the entry of ``path`` for ``kind`` lives."""
        return self.root / kind / f"{self.key(path, kind)}.npz"

    def get(self, path: str | Path, kind: str) -> dict[str, np.ndarray] | None:
        """The cached arrays, or None if absent (an unreadable entry counts as absent)."""
        entry = self.path(path, kind)
        if not entry.is_file():
            return None
        try:
            with np.load(entry, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError):
            return None

    def put(self, path: str | Path, kind: str, arrays: dict[str, np.ndarray]) -> None:
        """Store arrays atomically."""
        entry = self.path(path, kind)
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=entry.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, entry)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@lru_cache(maxsize=65536)
def _content_digest(path: str, size: int, mtime_ns: int) -> str:
    """SHA-1 of a file's bytes (memoised on path, size and mtime, which only gate reuse)."""
    h = hashlib.sha1()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return f"{h.hexdigest()}:{size}"

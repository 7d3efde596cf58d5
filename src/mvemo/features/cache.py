"""The one on-disk feature cache (``.npz``), keyed by content (a file's bytes, or text) and feature kind.

A key is the SHA-1 of the file's bytes plus the feature kind and its version, so an
edited file or a changed extractor misses the cache, while a copied, moved or
re-downloaded file (new path or modification time, same bytes) still hits it.  The
content hash is computed once per file, path, size and modification time in a
process.  Writes are atomic, so an interrupted extraction never leaves a broken
entry, and a rerun resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from mvemo.errors import DataError
from mvemo.util import atomic_open, cache_root

_CHUNK = 1 << 20  # bytes read at a time while hashing

__all__ = ["FeatureCache", "default_cache_dir"]


def default_cache_dir() -> Path:
    """The cache root of :func:`mvemo.util.cache_root`: ``$MVEMO_CACHE``, else
    ``$XDG_CACHE_HOME/mvemo``, else ``~/.cache/mvemo``."""
    return cache_root()


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

    @staticmethod
    def content_key(data: bytes | str, kind: str) -> str:
        """Cache key of in-memory content (text is UTF-8 encoded) for a feature kind.

        Examples
        --------
        >>> FeatureCache.content_key("la la", "demo-v1") == FeatureCache.content_key(b"la la", "demo-v1")
        True
        """
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return hashlib.sha1(f"{hashlib.sha1(raw).hexdigest()}:{len(raw)}\0{kind}".encode()).hexdigest()

    def path(self, path: str | Path, kind: str) -> Path:
        """Where the entry of ``path`` for ``kind`` lives."""
        return self.entry(self.key(path, kind), kind)

    def entry(self, key: str, kind: str) -> Path:
        """Where the entry of a key (:meth:`key`, :meth:`content_key`) for ``kind`` lives."""
        return self.root / kind / f"{key}.npz"

    def get(self, path: str | Path, kind: str) -> dict[str, np.ndarray] | None:
        """The cached arrays of a file, or None if absent (an unreadable entry counts as absent)."""
        return self.get_key(self.key(path, kind), kind)

    def put(self, path: str | Path, kind: str, arrays: dict[str, np.ndarray]) -> None:
        """Store the arrays of a file atomically."""
        self.put_key(self.key(path, kind), kind, arrays)

    def get_key(self, key: str, kind: str) -> dict[str, np.ndarray] | None:
        """The arrays stored under ``key``, or None if absent or unreadable.

        Entries are read with ``allow_pickle=False``: an entry holding pickled objects is
        ignored (treated as absent and recomputed), never unpickled.
        """
        entry = self.entry(key, kind)
        if not entry.is_file():
            return None
        try:
            with np.load(entry, allow_pickle=False) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None

    def put_key(self, key: str, kind: str, arrays: dict[str, np.ndarray]) -> None:
        """Store arrays under ``key`` atomically (:func:`mvemo.util.atomic_open`)."""
        with atomic_open(self.entry(key, kind), "wb") as fh:
            np.savez(fh, **arrays)


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

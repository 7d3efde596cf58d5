"""Cross-cutting helpers with one rule each: atomic writes, the data root, the cache root.

Every module that writes a result file, looks for the datasets or keeps a cache goes
through these, so that each has one documented precedence.

=================  ============================================================
helper             precedence
=================  ============================================================
``atomic_*``        a temporary file beside the target, fsync, rename
:func:`data_home`  explicit argument, then the manifest's own folder (for a
                   manifest's relative media paths), then ``$MVEMO_DATA``, then
                   ``../shared/data`` beside the working directory
:func:`cache_root` explicit argument, then ``$MVEMO_CACHE``, then
                   ``$XDG_CACHE_HOME/mvemo``, then ``~/.cache/mvemo``
=================  ============================================================

:func:`codec_threads` is the process's thread count for FFmpeg decoders and scalers (None:
FFmpeg's own choice, one thread per core); the dataset builder's thread budget
(:mod:`mvemo.dataset.threads`) sets it in each worker process.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from mvemo.errors import DataError, ParameterError

__all__ = [
    "DATA_ENV_VAR",
    "CACHE_ENV_VAR",
    "atomic_path",
    "atomic_write",
    "atomic_open",
    "data_home",
    "cache_root",
    "codec_threads",
    "set_codec_threads",
]

DATA_ENV_VAR = "MVEMO_DATA"
CACHE_ENV_VAR = "MVEMO_CACHE"
_UMASK = os.umask(0)  # read once (os.umask can only be read by setting it)
os.umask(_UMASK)
_CODEC_THREADS: int | None = None
_HOW = f"pass --data-home PATH (data_home=... in Python) or set {DATA_ENV_VAR}=/path/to/shared/data"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` for writers that need a file name (pyarrow,
    pretty_midi, PyAV); on success it gets the usual file mode and is renamed onto ``path``.

    An exception inside the block leaves ``path`` as it was and removes the temporary file.

    Parameters
    ----------
    path : path
        The file to (re)write; its folder is created.
    suffix : str
        Ending of the temporary name (e.g. ``".mp4"`` for a writer that picks the format by it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.txt"
    >>> with atomic_path(p) as tmp:
    ...     _ = tmp.write_text("ok")
    >>> p.read_text()
    'ok'
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix, dir=p.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the usual mode
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike, mode: str = "w", *, encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it is flushed, fsynced and renamed onto ``path``.

    An exception inside the block (or a killed process) leaves ``path`` as it was and
    removes the temporary file, so readers only ever see the old or the new whole file.

    Parameters
    ----------
    path : path
        The file to (re)write; its folder is created.
    mode : {"w", "wb"}
    encoding, newline : str, optional
        For text mode.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out" / "a.txt"
    >>> with atomic_open(p) as fh:
    ...     _ = fh.write("hello")
    >>> p.read_text()
    'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open mode must be 'w' or 'wb', not {mode!r}")
    kwargs = {} if mode == "wb" else {"encoding": encoding, "newline": newline}
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write(
    path: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8", newline: str | None = None
) -> Path:
    """Write ``data`` (text or bytes) to ``path`` atomically; returns the path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = atomic_write(pathlib.Path(tempfile.mkdtemp()) / "b.bin", b"\\x00\\x01")
    >>> p.read_bytes()
    b'\\x00\\x01'
    """
    with atomic_open(path, "wb" if isinstance(data, bytes) else "w", encoding=encoding, newline=newline) as fh:
        fh.write(data)
    return Path(path)


def data_home(
    explicit: str | os.PathLike | None = None, *, manifest: str | os.PathLike | None = None, required: bool = True
) -> Path | None:
    """The root that relative dataset and media paths are read from.

    Precedence: ``explicit`` (``--data-home``); else the folder of ``manifest`` (a manifest's
    relative media paths are relative to the manifest); else ``$MVEMO_DATA``; else
    ``../shared/data`` relative to the working directory, when it exists.

    Parameters
    ----------
    explicit : path, optional
        A root the user named.
    manifest : path, optional
        A manifest file whose media paths are to be resolved.
    required : bool
        Raise when nothing is found; otherwise return None.

    Raises
    ------
    DataError
        When the chosen root is not an existing folder, or (``required``) when none is set;
        the message names the source and how to set it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> data_home(d) == d
    True
    >>> data_home(manifest=d / "items.jsonl") == d
    True
    """
    if explicit not in (None, ""):
        root, source = Path(explicit).expanduser(), "data_home"
    elif manifest not in (None, ""):
        return Path(manifest).expanduser().resolve().parent
    elif os.environ.get(DATA_ENV_VAR):
        root, source = Path(os.environ[DATA_ENV_VAR]).expanduser(), f"${DATA_ENV_VAR}"
    else:
        fallback = Path("..") / "shared" / "data"
        if fallback.is_dir():
            return fallback.resolve()
        if required:
            raise DataError(f"no data folder given: {_HOW}")
        return None
    if not root.is_dir():
        raise DataError(f"data folder {root} (from {source}) does not exist or is not a folder: {_HOW}")
    return root


def cache_root(explicit: str | os.PathLike | None = None) -> Path:
    """The folder of mvemo's caches: ``explicit``, else ``$MVEMO_CACHE``, else
    ``$XDG_CACHE_HOME/mvemo``, else ``~/.cache/mvemo``.  Not created here.

    Examples
    --------
    >>> cache_root("/tmp/c").as_posix()
    '/tmp/c'
    """
    if explicit not in (None, ""):
        return Path(explicit).expanduser()
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mvemo"


def codec_threads() -> int | None:
    """Threads FFmpeg may use per decoder and per frame scaler in this process.

    Returns
    -------
    int or None
        The count set by :func:`set_codec_threads`; None (the default) lets FFmpeg choose
        (one thread per core, plus one).
    """
    return _CODEC_THREADS


def set_codec_threads(n: int | None) -> None:
    """Set the process's :func:`codec_threads` (None: FFmpeg's choice again).

    Decoding and scaling give the same pixels with any thread count, so this changes speed,
    never results.

    Raises
    ------
    ParameterError
        When ``n`` is not None or a positive integer.
    """
    global _CODEC_THREADS
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ParameterError(f"codec threads must be None or a positive integer, got {n!r}")
    _CODEC_THREADS = n

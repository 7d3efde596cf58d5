"""Progress bars for long jobs (predict, bench, train, transcribe, data export), on tqdm.

One rule everywhere: a bar is drawn on stderr only when stderr is a terminal and the user
did not ask for quiet (``mvemo --quiet ...``, a command's own ``--quiet``, or
``MVEMO_QUIET=1``).  Piped or logged output therefore stays free of bar redraws.  Without
tqdm installed nothing is drawn.

Examples
--------
>>> list(track(range(3), desc="demo"))  # doctest runs without a terminal: no bar
[0, 1, 2]
>>> with busy("thinking"):
...     pass
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["set_quiet", "enabled", "track", "busy", "write"]

T = TypeVar("T")
_QUIET = False


def set_quiet(flag: bool = True) -> None:
    """Silence (or re-enable) every progress bar of this process."""
    global _QUIET
    _QUIET = bool(flag)


def enabled(*, quiet: bool = False) -> bool:
    """Whether a bar would be drawn: stderr is a terminal and nobody asked for quiet."""
    if quiet or _QUIET or os.environ.get("MVEMO_QUIET", "") not in ("", "0"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _tqdm():
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def track(
    iterable: Iterable[T], *, desc: str = "", total: int | None = None, unit: str = "item", quiet: bool = False
) -> Iterator[T]:
    """Iterate over ``iterable`` with a bar (count, rate, time left) when :func:`enabled`.

    Parameters
    ----------
    iterable : iterable
    desc : str
        Label in front of the bar.
    total : int, optional
        Number of items, when ``len(iterable)`` does not work.
    unit : str
        What is counted ("file", "item", "epoch").
    quiet : bool
        The caller's own quiet flag.
    """
    tqdm = _tqdm() if enabled(quiet=quiet) else None
    if tqdm is None:
        yield from iterable
        return
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with tqdm(iterable, desc=desc, total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False) as bar:
        yield from bar


@contextlib.contextmanager
def busy(desc: str, *, quiet: bool = False) -> Iterator[None]:
    """A bar with the elapsed time for a single long step whose length is unknown
    (one transcription, loading a model); redrawn twice a second from a thread."""
    tqdm = _tqdm() if enabled(quiet=quiet) else None
    if tqdm is None:
        yield
        return
    stop = threading.Event()
    bar = tqdm(desc=desc, total=None, bar_format="{desc}: {elapsed}", file=sys.stderr, leave=False)

    def tick() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


def write(message: str) -> None:
    """Print a line to stderr without breaking a bar that is being drawn."""
    tqdm = _tqdm() if enabled() else None
    if tqdm is not None:
        tqdm.write(message, file=sys.stderr)
    else:
        print(message, file=sys.stderr)

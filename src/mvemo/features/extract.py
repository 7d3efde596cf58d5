"""Batch feature extraction with a cache: resumable, and a bad file never stops the batch."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mvemo.errors import MvemoError
from mvemo.features.cache import FeatureCache

__all__ = ["ExtractionReport", "extract_all"]

Extractor = Callable[[Path], dict[str, np.ndarray]]


@dataclass
class ExtractionReport:
    """Counts of a batch extraction and the files that failed, with why."""

    computed: int = 0
    cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line."""
        return f"{self.computed} computed, {self.cached} from cache, {len(self.failed)} failed in {self.seconds:.0f} s"


def extract_all(
    paths: Iterable[str | Path],
    extractors: dict[str, Extractor],
    *,
    cache: FeatureCache,
    progress: bool = True,
) -> ExtractionReport:
    """Compute every feature kind for every file, skipping what the cache already holds.

    Parameters
    ----------
    paths : iterable of path
    extractors : dict kind -> callable(path) -> dict of arrays
        ``kind`` should carry a version (e.g. ``"musicnn-mtt-blocks-v1"``).
    cache : FeatureCache
    progress : bool
        Print a progress line to stderr.

    Returns
    -------
    ExtractionReport
        Files whose extraction raised an mvemo error (bad audio, ...) are listed with the
        message; the others are stored as they finish.
    """
    paths = [Path(p) for p in paths]
    report = ExtractionReport()
    t0 = time.perf_counter()
    for i, path in enumerate(paths, 1):
        for kind, fn in extractors.items():
            try:
                if cache.get(path, kind) is not None:
                    report.cached += 1
                    continue
                cache.put(path, kind, fn(path))
                report.computed += 1
            except MvemoError as exc:
                report.failed.append((str(path), f"{kind}: {exc}"))
        if progress and (i % 10 == 0 or i == len(paths)):
            rate = i / max(time.perf_counter() - t0, 1e-9)
            print(f"\r[{i}/{len(paths)}] {rate:.1f} files/s, {len(report.failed)} failed", end="", file=sys.stderr)
    if progress and paths:
        print(file=sys.stderr)
    report.seconds = time.perf_counter() - t0
    return report

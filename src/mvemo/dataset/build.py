"""``mvemo dataset build``: the Dask driver, the ledger, and the dataset's manifest and splits.

The driver lists the videos, skips those the ledger has finished (same input, same
configuration; ``resume`` is the default), and submits the others to a Dask cluster:
a ``LocalCluster`` of ``workers`` processes bound to 127.0.0.1, or an existing one at
``scheduler``.  Each task is :func:`mvemo.dataset.worker.process_video` on one video's
*paths*; its small JSON result is committed to the ledger as soon as it arrives.  At the
end the manifest (``manifest.parquet`` and ``.jsonl`` of :class:`mvemo.data.Item`), the
splits and the dataset card are written from the ledger, sorted by id, so they do not
depend on the number of workers or the order in which videos finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mvemo._extras import require
from mvemo.data.manifest import Item, write_manifest
from mvemo.dataset.ledger import Ledger
from mvemo.dataset.sources import VideoSource, collect_sources
from mvemo.dataset.steps import ANNOTATORS, STEP_VERSIONS, Limits
from mvemo.dataset.threads import ENCODER_THREADS, TUNING_ENV, thread_budget, tuning_enabled
from mvemo.errors import ParameterError
from mvemo.util import atomic_write, cache_root

__all__ = [
    "DYNAMIC_SUBSET",
    "LEDGER_NAME",
    "BuildSummary",
    "Progress",
    "assemble",
    "build_dataset",
    "longest_first",
    "make_item",
]

LEDGER_NAME = "ledger.sqlite"
DYNAMIC_SUBSET = 1000  #: MVEmo-Bench's dynamic subset size (min(1000, n) here)


@dataclass
class BuildSummary:
    """What a build did.

    Attributes
    ----------
    total, done, filtered, failed : int
        Videos listed, and by final status (``done + filtered + failed == total`` when complete).
    processed : int
        Videos run in this invocation (the rest came from the ledger).
    failures : dict
        id -> reason, of failed and filtered videos.
    seconds : float
    out : Path
    """

    total: int
    done: int
    filtered: int
    failed: int
    processed: int
    failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    out: Path | None = None

    @property
    def lost(self) -> int:
        """Videos with no final status (only possible after an interrupted build)."""
        return self.total - self.done - self.filtered - self.failed


class Progress:
    """A one-line progress bar: done, filtered, failed, remaining and the estimated time left.

    Redraws in place on a terminal, else prints one line per finished video.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total, self.stream, self.enabled = total, stream or sys.stderr, enabled
        self.counts = {"done": 0, "filtered": 0, "failed": 0}
        self.t0 = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.resumed = 0  # finished in an earlier run (not counted in the pace)

    def preload(self, status: str) -> None:
        """Count a video the ledger had already finished."""
        self.counts[status] += 1
        self.resumed += 1

    def line(self) -> str:
        n = sum(self.counts.values())
        left = self.total - n
        el = time.perf_counter() - self.t0
        now = n - self.resumed
        eta = "?" if now == 0 else _hms(el / now * left)
        width = 24
        fill = int(round(width * n / self.total)) if self.total else width
        return (
            f"[{'#' * fill}{'.' * (width - fill)}] {n}/{self.total} done {self.counts['done']} "
            f"filtered {self.counts['filtered']} failed {self.counts['failed']} remaining {left} "
            f"elapsed {_hms(el)} ETA {eta}"
        )

    def update(self, status: str) -> None:
        self.counts[status] += 1
        if self.enabled:
            self.stream.write(("\r" + self.line()) if self.tty else self.line() + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600:d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _config_hash(annotator: str, limits: Limits, asr: tuple[str, str] | None, encoder_threads: int | None) -> str:
    cfg = {
        "annotator": annotator,
        "limits": limits.to_dict(),
        "asr": list(asr) if asr else None,
        "steps": STEP_VERSIONS,
    }
    if encoder_threads is not None:  # the transcoded files depend on it
        cfg["encoder_threads"] = encoder_threads
    blob = json.dumps(cfg, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _client(workers: int | None, scheduler: str | None, memory_limit: str | None, threads: int | None):
    """``(client, cluster or None)``: a LocalCluster of processes on 127.0.0.1, or the given scheduler.

    With a thread budget (``threads``), the local workers start with it in their environment
    and with lean Dask settings (:func:`mvemo.dataset.threads.lean_dask_config`).
    """
    import contextlib

    import dask

    from mvemo.dataset.threads import lean_dask_config

    distributed = require("distributed", extra="dataset")
    if scheduler:
        return distributed.Client(scheduler, timeout="30s"), None
    n = workers or os.cpu_count() or 1
    tuned = dask.config.set(lean_dask_config(threads)) if threads else contextlib.nullcontext()
    with tuned:
        cluster = distributed.LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit or "auto",
            silence_logs=40,
        )
    return distributed.Client(cluster), cluster


def build_dataset(
    sources: Iterable[str | Path],
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    memory_limit: str | None = "4GiB",
    annotator: str = "fused",
    cache_dir: str | Path | None = None,
    resume: bool = True,
    retry_failed: bool = False,
    limits: Limits | None = None,
    asr: tuple[str, str] | None = None,
    name: str = "mvemo_dataset",
    seed: int = 0,
    progress: bool = True,
    command: str | None = None,
    log: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Build an MVEmo-style dataset from ``sources`` into ``out``.

    Parameters
    ----------
    sources : iterable of path
        Folders of videos and/or ``.csv``/``.jsonl`` catalogues.
    out : path
        The dataset folder (``media/``, ``lyrics/``, ``leadsheets/``, manifests, ``README.md``,
        the ledger).
    workers : int, optional
        Processes of the local cluster (default: the number of cores).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of an existing Dask scheduler (then ``workers`` is ignored).
        Its workers must see ``out``, the cache and the sources at the same paths.
    memory_limit : str, optional
        Per local worker, e.g. ``"4GiB"`` (Dask restarts a worker above it; its video fails).
    annotator : str
        One of :data:`mvemo.dataset.steps.ANNOTATORS`.
    cache_dir : path, optional
        Step cache (default :func:`mvemo.util.cache_root` / ``dataset``).
    resume : bool
        Keep what the ledger has finished (default); False redoes every video (the step
        cache still applies).
    retry_failed : bool
        Run failed videos again.
    limits : Limits, optional
        Bounds on the work per video.
    asr : (backend, model path), optional
        Lyrics by ASR for videos without a lyrics file.
    name : str
        Dataset name (item ids are ``name:video id``).
    seed : int
        Seed of the splits and of the dynamic subset.
    progress : bool
        Show the progress bar on stderr.
    command : str, optional
        The command line, for the dataset card.

    Returns
    -------
    BuildSummary
    """
    if annotator not in ANNOTATORS:
        raise ParameterError(f"unknown annotator {annotator!r}; known: {', '.join(sorted(ANNOTATORS))}")
    if workers is not None and workers < 1:
        raise ParameterError(f"workers must be >= 1, got {workers}")
    limits = limits if limits is not None else Limits()
    t0 = time.perf_counter()
    root = Path(out).resolve()
    root.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir).resolve() if cache_dir is not None else (cache_root() / "dataset").resolve()
    jobs = collect_sources(sources)
    if not jobs:
        raise ParameterError("no videos found in the sources")
    tuned = tuning_enabled()
    encoder_threads = ENCODER_THREADS if tuned else None
    config = _config_hash(annotator, limits, asr, encoder_threads)
    ledger = Ledger(root / LEDGER_NAME)
    try:
        pending = [
            j
            for j in jobs
            if not (resume and ledger.is_finished(j.id, j.fingerprint(), config, retry_failed=retry_failed))
        ]
        bar = Progress(len(jobs), enabled=progress)
        for row in ledger.videos([j.id for j in jobs if j not in pending]):
            bar.preload(row["status"])
        if pending:
            _run(
                pending,
                ledger,
                bar,
                out=str(root),
                cache=str(cache),
                annotator=annotator,
                limits=limits,
                asr=asr,
                config=config,
                tuned=tuned,
                encoder_threads=encoder_threads,
                workers=workers,
                scheduler=scheduler,
                memory_limit=memory_limit,
                log=log,
            )
        bar.close()
        summary = assemble(root, jobs, ledger, name=name, seed=seed, annotator=annotator, command=command)
    finally:
        ledger.close()
    summary.processed = len(pending)
    summary.seconds = time.perf_counter() - t0
    return summary


def _run(
    pending: list[VideoSource],
    ledger: Ledger,
    bar: Progress,
    *,
    out: str,
    cache: str,
    annotator: str,
    limits: Limits,
    asr,
    config: str,
    tuned: bool,
    encoder_threads: int | None,
    workers,
    scheduler,
    memory_limit,
    log,
) -> None:
    from mvemo.dataset.worker import process_video

    distributed = require("distributed", extra="dataset")
    n_local = None if scheduler else (workers or os.cpu_count() or 1)
    threads = thread_budget(workers=n_local) if tuned and n_local else None
    client, cluster = _client(workers, scheduler, memory_limit, threads)
    by_id = {j.id: j for j in pending}
    if tuned:  # the largest (longest) videos first, so the last ones to finish are short
        pending = longest_first(pending)
    try:
        if log:
            log(
                f"dask: {len(client.scheduler_info()['workers'])} workers at {client.scheduler.address}; "
                f"{len(pending)} videos to process"
                + (f"; {threads} thread(s) per worker" if threads else "")
                + ("" if tuned else f" ({TUNING_ENV}=off)")
            )
        futures = {}
        for rank, j in enumerate(pending):
            f = client.submit(
                process_video,
                j.to_dict(),
                out=out,
                cache_dir=cache,
                annotator=annotator,
                limits=limits.to_dict(),
                asr=asr,
                threads=threads,
                encoder_threads=encoder_threads,
                key=f"video-{config}-{j.id}",
                pure=False,
                priority=len(pending) - rank if tuned else 0,
            )
            futures[f] = j.id
        for fut in distributed.as_completed(list(futures)):
            vid = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. memory limit): the video fails
                res = {
                    "id": vid,
                    "status": "failed",
                    "reason": f"worker lost: {type(exc).__name__}: {exc}",
                    "steps": [],
                    "result": None,
                }
            j = by_id[vid]
            ledger.record(
                vid,
                source=j.path,
                fingerprint=j.fingerprint(),
                config=config,
                status=res["status"],
                reason=res["reason"],
                result=_with_source(res["result"], j),
                steps=res["steps"],
            )
            bar.update(res["status"])
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def longest_first(jobs: list[VideoSource]) -> list[VideoSource]:
    """``jobs`` by decreasing file size (a cheap stand-in for duration), then by id.

    Run in this order, the long videos do not start last and leave the other workers idle
    at the end of the build.  The order changes nothing in the outputs.
    """

    def size(j: VideoSource) -> int:
        try:
            return Path(j.path).stat().st_size
        except OSError:
            return 0

    return sorted(jobs, key=lambda j: (-size(j), j.id))


def _with_source(result: dict | None, job: VideoSource) -> dict | None:
    if result is None:
        return None
    return {
        **result,
        "source": {
            "path": job.path,
            "lyrics": job.lyrics,
            "lyrics_origin": job.lyrics_origin,
            "metadata": job.metadata,
        },
    }


def make_item(vid: str, result: dict[str, Any], *, name: str) -> Item:
    """The manifest item of a finished video (split set later)."""
    ann = result["annotation"]
    lyr = result["lyrics"]
    custom = {
        "video_id": vid,
        "metadata": result["source"]["metadata"],
        "source": {
            "file": Path(result["source"]["path"]).name,
            "sha256": result["source_sha256"],
            "lyrics_origin": result["source"]["lyrics_origin"] if lyr["origin"] != "asr" else "asr",
        },
        "probe": result["probe"],
        "static_filter": result["static"],
        "lyrics": {k: lyr[k] for k in ("origin", "synced", "n_lines", "n_words", "line_words")},
        "leadsheet": result["leadsheet"],
        "features": result["features"],
        "annotator": ann["annotator"],
        "dynamic_media": "video",
    }
    return Item(
        id=f"{name}:{vid}",
        dataset=name,
        modality="video",
        media=dict(result["media"]),
        duration=result["transcode"]["duration"],
        labels=ann["labels"],
        label_type="unified",
        scale=None,
        static=ann["static"],
        dynamic=ann["dynamic"],
        custom=custom,
    )


def assemble(
    root: Path, jobs: list[VideoSource], ledger: Ledger, *, name: str, seed: int, annotator: str, command: str | None
) -> BuildSummary:
    """Write the manifests, the split files and the card from the ledger; returns the summary."""
    from mvemo.bench.splits import seeded_subset
    from mvemo.data.splits import stratified_split
    from mvemo.dataset.card import write_card

    ids = [j.id for j in jobs]
    rows = list(ledger.videos(ids))
    items = [make_item(r["id"], r["result"], name=name) for r in rows if r["status"] == "done"]
    if items:
        split = stratified_split([it.id for it in items], [it.static.category for it in items], seed=seed)
        for it in items:
            it.split = split[it.id]
        with_dyn = [it for it in items if it.dynamic and all(d.category is not None for d in it.dynamic)]
        subset = (
            {it.id for it in seeded_subset(with_dyn, min(DYNAMIC_SUBSET, len(with_dyn)) or None, seed=seed)}
            if with_dyn
            else set()
        )
        for it in items:
            it.custom["dynamic_subset"] = it.id in subset
        atomic_write(root / "splits" / "dynamic_subset.txt", "".join(f"{i}\n" for i in sorted(subset)))
        for s in ("train", "validation", "test"):
            atomic_write(root / "splits" / f"{s}.txt", "".join(f"{it.id}\n" for it in items if it.split == s))
    write_manifest(items, root / "manifest.jsonl")
    write_manifest(items, root / "manifest.parquet")
    counts = {"done": 0, "filtered": 0, "failed": 0}
    failures = {}
    for r in rows:
        counts[r["status"]] += 1
        if r["status"] != "done":
            failures[r["id"]] = r["reason"]
    failed_rows = [{"id": r["id"], "status": r["status"], "reason": r["reason"]} for r in rows if r["status"] != "done"]
    atomic_write(root / "dropped.jsonl", "".join(json.dumps(r, sort_keys=True) + "\n" for r in failed_rows))
    summary = BuildSummary(total=len(jobs), processed=0, failures=failures, out=root, **counts)
    write_card(root, items, failed_rows, summary=summary, name=name, annotator=annotator, command=command)
    return summary


def format_summary(s: BuildSummary) -> str:
    """One paragraph for the terminal."""
    lines = [
        f"{s.total} videos: {s.done} done, {s.filtered} filtered, {s.failed} failed"
        + (f", {s.lost} unfinished" if s.lost else "")
        + f" ({s.processed} processed now, "
        f"{s.seconds:.1f} s) -> {s.out}"
    ]
    for vid, why in sorted(s.failures.items()):
        lines.append(f"  {vid}: {why}")
    return "\n".join(lines)


def hours(items: list[Item]) -> float:
    """Total hours of the items' media."""
    return sum(it.duration or 0.0 for it in items) / 3600.0 if items else 0.0

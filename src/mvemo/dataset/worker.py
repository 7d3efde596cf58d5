"""One video through all the steps, on a worker: cached step by step, files placed by path.

:func:`process_video` is what the Dask workers run.  It takes and returns small JSON
dicts (paths, labels, statistics), never media: every file is read and written by the
worker itself, in the step cache and the dataset folder.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mvemo.dataset import steps as S
from mvemo.dataset.cache import StepCache, file_sha256, place, step_key
from mvemo.errors import MvemoError

__all__ = ["media_layout", "process_video"]

#: Errors that fail one video (its reason recorded) instead of the build.
VIDEO_ERRORS = (MvemoError, OSError, ValueError, RuntimeError, EOFError, MemoryError, IndexError, KeyError)


def media_layout(vid: str) -> dict[str, str]:
    """Where a video's files go in the dataset (relative paths)."""
    return {
        "video": f"media/{vid}.mp4",
        "audio": f"media/{vid}.flac",
        "midi": f"leadsheets/{vid}.mid",
        "lyrics": f"lyrics/{vid}",
    }


def _reason(exc: BaseException) -> str:
    msg = str(exc) or type(exc).__name__
    return msg if isinstance(exc, MvemoError) else f"{type(exc).__name__}: {msg}"


def process_video(
    job: dict[str, Any],
    *,
    out: str,
    cache_dir: str,
    annotator: str,
    limits: dict[str, Any] | None = None,
    asr: tuple[str, str] | None = None,
    threads: int | None = None,
    encoder_threads: int | None = None,
) -> dict[str, Any]:
    """Run the steps on one video; never raises for a bad video.

    Parameters
    ----------
    job : dict
        :meth:`mvemo.dataset.sources.VideoSource.to_dict`.
    out : str
        The dataset folder.
    cache_dir : str
        The step cache.
    annotator : str
        A name in :data:`mvemo.dataset.steps.ANNOTATORS`.
    limits : dict, optional
        :class:`mvemo.dataset.steps.Limits` fields.
    asr : (backend, model path), optional
    threads : int, optional
        This worker process's thread budget (:func:`mvemo.dataset.threads.configure_worker`);
        default ``$MVEMO_BUILD_THREADS``, else the libraries' own defaults.  Speed only.
    encoder_threads : int, optional
        Threads of the transcode's video encoder (None: FFmpeg's choice).  The H.264 output
        depends on it, so it is part of the transcode's cache key.

    Returns
    -------
    dict
        ``id``, ``status`` (done/filtered/failed), ``reason``, ``steps`` (one row per step:
        step, status, reason, seconds (wall), cpu_seconds (this process, all its threads))
        and ``result`` (for done videos).
    """
    from mvemo.dataset.threads import configure_worker

    configure_worker(threads)
    vid, src = job["id"], Path(job["path"])
    cache = StepCache(cache_dir)
    lim = S.Limits(**(limits or {}))
    rows: list[dict[str, Any]] = []
    res: dict[str, Any] = {}

    def run(step: str, key: str, fn: Callable[[Path], dict[str, Any]], files: tuple[str, ...] = ()) -> dict:
        t0, c0 = time.perf_counter(), time.process_time()
        hit = cache.get(step, key)
        if hit is None:
            folder = cache.folder(step, key)
            folder.mkdir(parents=True, exist_ok=True)
            out_files = files
            result = fn(folder)
            if "_files" in result:  # a step that decides its file names
                out_files = tuple(result.pop("_files"))
            hit = cache.put(step, key, result, out_files)
        rows.append(
            {
                "step": step,
                "status": "done",
                "reason": None,
                "seconds": round(time.perf_counter() - t0, 4),
                "cpu_seconds": round(time.process_time() - c0, 4),
            }
        )
        return hit

    current = S.STEPS[0]
    try:
        src_hash = file_sha256(src)
        v = S.STEP_VERSIONS
        current = "probe"
        k_probe = step_key("probe", v["probe"], src_hash, lim.to_dict())
        res["probe"] = run("probe", k_probe, lambda d: S.probe(src, limits=lim))
        current = "static_filter"
        k_static = step_key("static_filter", v["static_filter"], src_hash, res["probe"]["duration"])
        res["static"] = run(
            "static_filter", k_static, lambda d: S.static_filter(src, duration=res["probe"]["duration"])
        )
        if res["static"]["is_static"]:
            rows[-1]["reason"] = f"static video: mean inter-frame MSE {res['static']['static_mse']:.3f} <= 2 (eq. 12)"
            return _finish(vid, "filtered", rows[-1]["reason"], rows, None)
        current = "transcode"
        enc = () if encoder_threads is None else ({"encoder_threads": encoder_threads},)
        k_tc = step_key("transcode", v["transcode"], src_hash, S.TRANSCODE_FPS, *enc)
        res["transcode"] = run(
            "transcode",
            k_tc,
            lambda d: S.transcode(src, d / "video.mp4", encoder_threads=encoder_threads),
            ("video.mp4",),
        )
        mp4 = cache.folder("transcode", k_tc) / "video.mp4"
        current = "audio"
        k_audio = step_key("audio", v["audio"], k_tc)
        res["audio"] = run("audio", k_audio, lambda d: S.extract_audio(mp4, d / "audio.flac"), ("audio.flac",))
        flac = cache.folder("audio", k_audio) / "audio.flac"
        current = "lyrics"
        lyr_src = job.get("lyrics")
        lyr_hash = file_sha256(lyr_src) if lyr_src else None
        k_lyr = step_key(
            "lyrics",
            v["lyrics"],
            lyr_hash,
            job.get("lyrics_origin"),
            list(asr) if asr and not lyr_src else None,
            None if lyr_src or not asr else k_audio,
        )

        def do_lyrics(d: Path) -> dict[str, Any]:
            r = S.lyrics(lyr_src, d / "lyrics", audio=flac, asr=asr, origin=job.get("lyrics_origin") or "sidecar")
            return {**r, "_files": [r["file"]] if r["file"] else []}

        res["lyrics"] = run("lyrics", k_lyr, do_lyrics)
        lyr_file = cache.folder("lyrics", k_lyr) / res["lyrics"]["file"] if res["lyrics"]["file"] else None
        current = "leadsheet"
        k_ls = step_key("leadsheet", v["leadsheet"], k_audio)
        res["leadsheet"] = run("leadsheet", k_ls, lambda d: S.leadsheet(flac, d / "leadsheet.mid"), ("leadsheet.mid",))
        current = "features"
        k_ft = step_key("features", v["features"], k_tc, k_ls)
        res["features"] = run("features", k_ft, lambda d: S.features(mp4, sheet=res["leadsheet"]))
        current = "annotate"
        ann = S.load_annotator(annotator)
        k_ann = step_key("annotate", v["annotate"], k_tc, k_lyr, annotator, ann.version)
        res["annotation"] = run("annotate", k_ann, lambda d: S.annotate(mp4, lyrics_file=lyr_file, annotator=annotator))
        res["annotation"]["annotator"] = {"name": annotator, "version": ann.version}
        # place the files in the dataset (links into the cache where the file system allows)
        lay = media_layout(vid)
        root = Path(out)
        place(mp4, root / lay["video"])
        place(flac, root / lay["audio"])
        place(cache.folder("leadsheet", k_ls) / "leadsheet.mid", root / lay["midi"])
        media = {"video": lay["video"], "audio": lay["audio"], "midi": lay["midi"]}
        if lyr_file is not None:
            rel = f"{lay['lyrics']}{lyr_file.suffix}"
            place(lyr_file, root / rel)
            media["lyrics"] = rel
        res["media"] = media
        res["source_sha256"] = src_hash
        for r in res.values():
            if isinstance(r, dict):
                r.pop("_files", None)
        return _finish(vid, "done", None, rows, res)
    except VIDEO_ERRORS as exc:
        why = _reason(exc).replace(str(Path(cache_dir)), "<cache>")  # name the source, not the cache entry
        for p in re.findall(r"<cache>/\S+?/video\.mp4", why):
            why = why.replace(p, "(transcoded video)")
        why = why.replace(f"{src}: ", "")
        reason = f"{current}: {why}"
        rows.append({"step": current, "status": "failed", "reason": why, "seconds": None})
        return _finish(vid, "failed", reason, rows, None)


def _finish(vid: str, status: str, reason: str | None, rows: list[dict], result: dict | None) -> dict[str, Any]:
    done = {r["step"] for r in rows}
    rows = rows + [
        {"step": s, "status": "skipped", "reason": f"after {status}", "seconds": None} for s in S.STEPS if s not in done
    ]
    return {"id": vid, "status": status, "reason": reason, "steps": rows, "result": result}

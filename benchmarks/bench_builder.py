"""Throughput of ``mvemo dataset build`` on this machine, its 1 -> 2 worker speed-up, a
kill -9 / resume check, and a projection to MVEmo's size.

Steps:

1. synthesise a corpus (``scripts/make_mv_corpus.py``: ``--n`` good videos of
   ``--seconds`` s, one still video; no bad files, they would only dilute the timing);
2. build it with 1 worker and with 2 workers (``mvemo dataset build``, each in a fresh
   process with an empty step cache), timing the whole command (cluster start and model
   loading included) and checking that the manifests are identical;
3. with ``--kill``: start a third build, ``kill -9`` its driver once half the videos are finished,
   rerun it and compare the outputs with the clean 1-worker build;
4. read the per-step seconds of the 1-worker build from its ledger, group them into
   decode (probe, static filter, transcode, audio, visual features), transcribe (lead
   sheet) and annotate, and project the cost of 11,764 videos of 4.1 min (MVEmo) on N
   workers, scaling each step's cost by media duration.

The builder's thread budget (``mvemo.dataset.threads``) is on unless the environment has
``MVEMO_BUILD_TUNING=off``; the JSON says which (``tuning``), with the load average before
and after each build, the steady-state seconds per video, and the CPU seconds per media
second of each step group (from the ledger's ``cpu_seconds``).

Run (the numbers depend on how busy the machine is: say so when you report them)::

    PYTHONPATH=src .venv/bin/python benchmarks/bench_builder.py [--n 8] [--seconds 10] [--annotator fused] [--kill]
    MVEMO_BUILD_TUNING=off PYTHONPATH=src .venv/bin/python benchmarks/bench_builder.py ...   # the before
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MVEMO_VIDEOS = 11_764
MVEMO_MINUTES = 4.1
GROUPS = {"decode": ("probe", "static_filter", "transcode", "audio", "features"), "transcribe": ("leadsheet",),
          "lyrics": ("lyrics",), "annotate": ("annotate",)}  # fmt: skip


def _corpus(out: Path, n: int, seconds: float, size: tuple[int, int]) -> None:
    spec = importlib.util.spec_from_file_location("make_mv_corpus", REPO / "scripts" / "make_mv_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.make_corpus(out, n=n, seconds=seconds, n_static=1, bad=False, size=size)


def _cmd(corpus: Path, out: Path, cache: Path, workers: int, annotator: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mvemo.cli.main",
        "dataset",
        "build",
        str(corpus),
        str(corpus / "catalogue.csv"),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--annotator",
        annotator,
        "--cache-dir",
        str(cache),
        "--no-progress",
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _build(corpus: Path, out: Path, cache: Path, workers: int, annotator: str) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and all its processes: driver, scheduler,
    nannies, workers, FFmpeg's and PyTorch's threads) of one build."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(_cmd(corpus, out, cache, workers, annotator), env=_env(), check=False, capture_output=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def _outputs(root: Path) -> dict[str, bytes]:
    files = {}
    for sub in ("manifest.jsonl", "lyrics", "leadsheets", "splits", "media"):
        p = root / sub
        for f in sorted([p] if p.is_file() else p.glob("*")):
            files[str(f.relative_to(root))] = f.read_bytes()
    return files


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            kids = []
        out += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return out


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for p in pids:
        try:
            os.kill(p, 0)
            alive.append(p)
        except OSError:
            pass
    return alive


def _step_costs(ledger: Path, durations: dict[str, float], column: str = "seconds") -> dict[str, float]:
    """Seconds of work (``column``: wall ``seconds`` or ``cpu_seconds``) per second of media, per
    step (uncached build): the median over videos, so the one-off model loading of a worker's
    first video does not count."""
    con = sqlite3.connect(ledger)
    rows = con.execute(
        f"SELECT id, step, {column} FROM steps WHERE status = 'done' AND {column} IS NOT NULL"
    ).fetchall()
    per: dict[str, list[float]] = {}
    for vid, step, sec in rows:
        if durations.get(vid):
            per.setdefault(step, []).append(sec / durations[vid])
    return {
        s: float(sorted(v)[len(v) // 2]) if len(v) % 2 else float(sum(sorted(v)[len(v) // 2 - 1 : len(v) // 2 + 1]) / 2)
        for s, v in per.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=8, help="good videos in the corpus")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds per video")
    ap.add_argument("--annotator", default="fused")
    ap.add_argument(
        "--size",
        type=int,
        nargs=2,
        default=[192, 108],
        metavar=("W", "H"),
        help="frame size of the corpus (MVEmo's videos are mostly 720p or more)",
    )
    ap.add_argument("--kill", action="store_true", help="also kill -9 a build mid-way and resume it")
    ap.add_argument(
        "--kill-after",
        type=float,
        default=600.0,
        help="kill when half the videos are finished, or after this many seconds",
    )
    ap.add_argument("--workers", type=int, nargs="*", default=[16, 64, 256], help="cluster sizes to project")
    ap.add_argument("--json", dest="json_out", default=None, help="also write the numbers here")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_builder_"))
    corpus = tmp / "corpus"
    _corpus(corpus, a.n, a.seconds, tuple(a.size))
    from mvemo.dataset.threads import tuning_enabled

    res: dict = {
        "tuning": "on" if tuning_enabled() else "off",
        "n_videos": a.n + 1,
        "seconds_each": a.seconds,
        "size": a.size,
        "annotator": a.annotator,
        "cores": os.cpu_count(),
        "loadavg_before": os.getloadavg(),
    }
    walls, loads, cpus = {}, {}, {}
    for w in (1, 2):
        before = os.getloadavg()
        walls[w], cpus[w] = _build(corpus, tmp / f"out{w}", tmp / f"cache{w}", w, a.annotator)
        loads[w] = {"before": [round(x, 2) for x in before], "after": [round(x, 2) for x in os.getloadavg()]}
        print(f"{w} worker(s): {walls[w]:.1f} s wall, {cpus[w]:.1f} CPU s, load average {loads[w]}", flush=True)
    res["loadavg"] = loads
    res["cpu_seconds_1"], res["cpu_seconds_2"] = cpus[1], cpus[2]
    res["loadavg_after"] = os.getloadavg()
    same = (tmp / "out1" / "manifest.jsonl").read_bytes() == (tmp / "out2" / "manifest.jsonl").read_bytes()
    con = sqlite3.connect(tmp / "out1" / "ledger.sqlite")
    statuses = dict(con.execute("SELECT status, COUNT(*) FROM videos GROUP BY status").fetchall())
    done = statuses.get("done", 0)
    items = [json.loads(x) for x in (tmp / "out1" / "manifest.jsonl").read_text().splitlines()]
    durations = {it["custom"]["video_id"]: it["duration"] for it in items}
    media_h = sum(durations.values()) / 3600
    res.update(
        wall_1=walls[1],
        wall_2=walls[2],
        speedup=walls[1] / walls[2],
        manifests_identical=same,
        statuses=statuses,
        videos_per_hour_per_core_1=done / (walls[1] / 3600),
        videos_per_hour_per_core_2=done / (walls[2] / 3600) / 2,
        media_hours_per_hour_per_core_1=media_h / (walls[1] / 3600),
    )
    # steady state: the pace between the first and the last finished video (no cluster start, model loading)
    pace = {}
    for w in (1, 2):
        with sqlite3.connect(tmp / f"out{w}" / "ledger.sqlite") as c:
            t = sorted(x for (x,) in c.execute("SELECT updated FROM videos"))
        pace[w] = (t[-1] - t[0]) / (len(t) - 1) if len(t) > 1 else float("nan")
    res.update(steady_s_per_video_1=pace[1], steady_s_per_video_2=pace[2], steady_speedup=pace[1] / pace[2])
    costs = _step_costs(tmp / "out1" / "ledger.sqlite", durations)
    groups = {g: sum(costs.get(s, 0.0) for s in steps) for g, steps in GROUPS.items()}
    for w in (1, 2):  # CPU seconds of the worker processes per media second (all their threads)
        cpu = _step_costs(tmp / f"out{w}" / "ledger.sqlite", durations, "cpu_seconds")
        res[f"cpu_per_media_second_{w}"] = {
            g: round(sum(cpu.get(s, 0.0) for s in steps), 4) for g, steps in GROUPS.items()
        }
    res["seconds_per_media_second"] = {k: round(v, 4) for k, v in costs.items()}
    res["groups_per_media_second"] = {k: round(v, 4) for k, v in groups.items()}
    res["dominant"] = max(groups, key=groups.get)
    total_media = MVEMO_VIDEOS * MVEMO_MINUTES * 60
    per_media = sum(groups.values())
    eff = min(res["speedup"] / 2, 1.0)
    res["projection"] = {
        "videos": MVEMO_VIDEOS,
        "minutes_each": MVEMO_MINUTES,
        "core_hours": round(total_media * per_media / 3600, 1),
        "parallel_efficiency_assumed": round(eff, 3),
        "wall_hours": {str(n): round(total_media * per_media / 3600 / (n * eff), 2) for n in a.workers},
        "wall_hours_if_linear": {str(n): round(total_media * per_media / 3600 / n, 2) for n in a.workers},
    }
    if a.kill:
        out = tmp / "outk"
        proc = subprocess.Popen(
            _cmd(corpus, out, tmp / "cachek", 2, a.annotator),
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # kill -9 the driver once about half the videos are finished (or after --kill-after s)
        t0, before = time.perf_counter(), 0
        while time.perf_counter() - t0 < a.kill_after and proc.poll() is None:
            time.sleep(0.5)
            if (out / "ledger.sqlite").exists():
                try:
                    with sqlite3.connect(out / "ledger.sqlite", timeout=1) as con:
                        before = con.execute("SELECT COUNT(*) FROM videos").fetchone()[0]
                except sqlite3.Error:
                    continue
                if before >= (a.n + 1) // 2:
                    break
        kids = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(5)
        orphans = _alive(kids)
        for p in orphans:  # the cluster's processes outlive a killed driver: end them (ours, by pid)
            os.kill(p, signal.SIGKILL)
        t0 = time.perf_counter()
        subprocess.run(_cmd(corpus, out, tmp / "cachek", 2, a.annotator), env=_env(), check=False, capture_output=True)
        res["kill"] = {
            "after_s": a.kill_after,
            "finished_before_kill": before,
            "orphans_after_5s": len(orphans),
            "rerun_s": round(time.perf_counter() - t0, 1),
            "identical_to_clean_build": _outputs(out) == _outputs(tmp / "out1"),
        }
    print(json.dumps(res, indent=2, default=float))
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(res, indent=2, default=float))


if __name__ == "__main__":
    main()

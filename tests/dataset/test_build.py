"""End to end: the synthetic corpus built with 1 and 2 Dask workers, resumed, loaded, reported."""

from __future__ import annotations

import base64
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mvemo.cli.main import cli
from mvemo.data.manifest import read_manifest
from mvemo.dataset.build import LEDGER_NAME, build_dataset
from mvemo.dataset.report import FIGURES

LABEL_DIRS = ("lyrics", "leadsheets", "splits")


@pytest.fixture(scope="module")
def builds(corpus, tmp_path_factory):
    """The corpus built twice, with separate step caches: 1 worker (Python API), 2 workers (CLI)."""
    tmp = tmp_path_factory.mktemp("builds")
    s1 = build_dataset(
        [corpus, corpus / "catalogue.csv"],
        tmp / "one",
        workers=1,
        annotator="video",
        cache_dir=tmp / "cache1",
        progress=False,
        memory_limit="2GiB",
    )
    res = CliRunner().invoke(
        cli,
        [
            "dataset",
            "build",
            str(corpus),
            str(corpus / "catalogue.csv"),
            "--out",
            str(tmp / "two"),
            "--workers",
            "2",
            "--annotator",
            "video",
            "--cache-dir",
            str(tmp / "cache2"),
            "--memory-limit",
            "2GiB",
        ],
    )
    return {"tmp": tmp, "one": tmp / "one", "two": tmp / "two", "summary": s1, "cli": res}


def _files(root: Path, sub: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / sub).glob("*")) if p.is_file()}


def test_no_video_lost(builds, corpus):
    truth = json.loads((corpus / "truth.json").read_text())
    s = builds["summary"]
    assert s.total == len(truth) and s.lost == 0
    assert (s.done, s.filtered, s.failed) == tuple(
        sum(t["expect"] == k for t in truth.values()) for k in ("done", "filtered", "failed")
    )
    con = sqlite3.connect(builds["one"] / LEDGER_NAME)
    status = dict(con.execute("SELECT id, status FROM videos").fetchall())
    assert status == {k: t["expect"] for k, t in truth.items()}
    reasons = dict(con.execute("SELECT id, reason FROM videos WHERE status != 'done'").fetchall())
    assert "audio-only" in reasons["bad_audio_only"]
    assert "silent" in reasons["bad_silent"]
    assert "not a readable" in reasons["bad_corrupt"] and "not a readable" in reasons["bad_truncated"]
    assert "eq. 12" in reasons["static_00"]
    # every video has a row for every step: done, failed or skipped
    n_steps = con.execute("SELECT id, COUNT(*) FROM steps GROUP BY id").fetchall()
    assert {n for _, n in n_steps} == {8} and len(n_steps) == len(truth)
    # the CLI says how many failed, with exit status 2
    assert builds["cli"].exit_code == 2, builds["cli"].output
    assert f"{s.failed} failed" in builds["cli"].output and "bad_silent" in builds["cli"].output


def test_one_and_two_workers_identical(builds):
    one, two = builds["one"], builds["two"]
    assert (one / "manifest.jsonl").read_bytes() == (two / "manifest.jsonl").read_bytes()
    pq = pytest.importorskip("pyarrow.parquet")
    assert pq.read_table(one / "manifest.parquet").equals(pq.read_table(two / "manifest.parquet"))
    for sub in LABEL_DIRS + ("media",):  # media too: the encoder's thread count is fixed
        assert _files(one, sub) == _files(two, sub), sub
    assert _files(one, "lyrics")  # lyrics were written (sidecar and catalogue)


def test_ledger_records_cpu_seconds(builds):
    con = sqlite3.connect(builds["two"] / LEDGER_NAME)
    rows = con.execute("SELECT step, seconds, cpu_seconds FROM steps WHERE status = 'done'").fetchall()
    assert rows and all(cpu is not None and cpu >= 0 and wall is not None for _, wall, cpu in rows)
    # decoding and encoding a video take CPU time in the worker process
    assert max(cpu for step, _, cpu in rows if step == "transcode") > 0


def test_manifest_items(builds, corpus):
    items = read_manifest(builds["one"] / "manifest.parquet", data_home=builds["one"])
    truth = json.loads((corpus / "truth.json").read_text())
    assert sorted(it.custom["video_id"] for it in items) == sorted(k for k, t in truth.items() if t["expect"] == "done")
    for it in items:
        assert it.modality == "video" and it.split in ("train", "validation", "test")
        assert it.static["category"] and 0 <= it.static["intensity"] <= 1
        assert it.dynamic and [d["time"] for d in it.dynamic][:2] == [2.5, 3.0]
        for role in ("video", "audio", "midi"):
            assert it.path(role).is_file()
        vid = it.custom["video_id"]
        assert it.custom["lyrics"]["origin"] == (truth[vid]["lyrics"] or "none").replace("sidecar-lrc", "sidecar")
        cuts = it.custom["features"]["visual"]["cuts"]
        # the synthetic cuts are found (within two frames)
        assert len(cuts) == len(truth[vid]["cuts"])
        assert all(abs(a - b) < 0.15 for a, b in zip(cuts, truth[vid]["cuts"]))
        assert it.custom["leadsheet"]["key"] and it.custom["leadsheet"]["n_notes"] > 0
    assert sum(it.custom["dynamic_subset"] for it in items) == len(items)  # min(1000, n)
    card = (builds["one"] / "README.md").read_text()
    assert "filtered" in card and "bad_corrupt" in card and "annotator: `video`" in card


def test_resume_and_interrupted_build(builds, corpus):
    tmp = builds["tmp"]
    work = tmp / "resumed"
    shutil.copytree(builds["one"], work)
    ref = (work / "manifest.jsonl").read_bytes()
    s = build_dataset(
        [corpus, corpus / "catalogue.csv"], work, workers=1, annotator="video", cache_dir=tmp / "cache1", progress=False
    )
    assert s.processed == 0 and (work / "manifest.jsonl").read_bytes() == ref
    # an interrupted build: a finished video's ledger row and files are gone, the manifests too
    con = sqlite3.connect(work / LEDGER_NAME)
    with con:
        con.execute("DELETE FROM videos WHERE id = 'mv_01'")
    con.close()
    for p in [work / "manifest.jsonl", work / "manifest.parquet", *work.glob("media/mv_01.*")]:
        p.unlink()
    s = build_dataset(
        [corpus, corpus / "catalogue.csv"], work, workers=1, annotator="video", cache_dir=tmp / "cache1", progress=False
    )
    assert s.processed == 1 and s.lost == 0
    assert (work / "manifest.jsonl").read_bytes() == ref
    assert _files(work, "media") == _files(builds["one"], "media")


def test_existing_scheduler(builds, corpus):
    distributed = pytest.importorskip("distributed")
    tmp = builds["tmp"]
    with distributed.LocalCluster(
        n_workers=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cl:
        assert cl.scheduler_address.startswith("tcp://127.0.0.1:")
        s = build_dataset(
            [corpus, corpus / "catalogue.csv"],
            tmp / "sched",
            scheduler=cl.scheduler_address,
            annotator="video",
            cache_dir=tmp / "cache1",
            progress=False,
        )
    assert s.processed == s.total and s.lost == 0
    assert (tmp / "sched" / "manifest.jsonl").read_bytes() == (builds["one"] / "manifest.jsonl").read_bytes()


def test_bench_reads_the_manifest(builds, tmp_path):
    # the video model needs no training, so every item can be scored (the tiny corpus has no test split)
    res = CliRunner().invoke(
        cli,
        [
            "bench",
            "run",
            "--task",
            "video-static",
            "--model",
            "video",
            "--data",
            str(builds["one"] / "manifest.parquet"),
            "--out",
            str(tmp_path),
            "--eval-split",
            "all",
        ],
    )
    assert res.exit_code == 0, res.output
    assert f"(n={builds['summary'].done})" in res.output


def test_huggingface_datasets_loads_it(builds):
    datasets = pytest.importorskip("datasets")
    ds = datasets.load_dataset("parquet", data_files=str(builds["one"] / "manifest.parquet"), split="train")
    assert len(ds) == builds["summary"].done and "static" in ds.column_names


def test_report_page(builds, tmp_path):
    res = CliRunner().invoke(cli, ["dataset", "report", str(builds["one"]), "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "rep" / "index.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for sec in ("fig2", "fig3", "fig4", "fig5"):
        assert f'<section id="{sec}">' in page
    imgs = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    assert [a for a, _ in imgs] == list(FIGURES)
    for _, b64 in imgs:
        assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<script" not in page  # opens offline
    for name in FIGURES:
        assert (tmp_path / "rep" / f"{name}.png").is_file()
        csvs = list((tmp_path / "rep").glob(f"{name}*.csv"))
        assert csvs and all(len(c.read_text().splitlines()) >= 1 for c in csvs)
    dur = (tmp_path / "rep" / "fig2_durations_range.csv").read_text().splitlines()
    assert dur[0] == "p10_min,p90_min,mean_min,total_hours"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium not installed: the headless screenshot is not checked")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1200,2400",
            (tmp_path / "rep" / "index.html").as_uri(),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    assert shot.is_file() and shot.stat().st_size > 20_000  # a rendered page, not a blank one


def test_mvemo_data_reads_the_built_dataset(builds, tmp_path):
    from mvemo.data import register
    from mvemo.dataset.loader import BuiltDataset

    (tmp_path / "mvemo_built").symlink_to(builds["one"], target_is_directory=True)
    ds = BuiltDataset(data_home=tmp_path)
    items = ds.index()
    assert len(items) == builds["summary"].done
    ref = {it.id: it.split for it in read_manifest(builds["one"] / "manifest.jsonl")}
    assert {it.id: it.split for it in items} == ref
    assert all(it.path("video").is_file() for it in items)
    register("mvemo_built", BuiltDataset)
    res = CliRunner().invoke(cli, ["data", "validate", "mvemo_built", "--data-home", str(tmp_path)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["data", "stats", "mvemo_built", "--data-home", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output

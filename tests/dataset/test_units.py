"""Sources, catalogue, cache keys, ledger and the record -> manifest conversion."""

from __future__ import annotations

import json
import sqlite3

import pytest

from mvemo.dataset.cache import StepCache, place, step_key
from mvemo.dataset.ledger import Ledger
from mvemo.dataset.sources import collect_sources, read_catalogue
from mvemo.dataset.steps import lyrics, record_to_labels
from mvemo.errors import DataError


def _touch(p, data=b"x"):
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def test_sources_folder_catalogue_and_ids(tmp_path):
    _touch(tmp_path / "a" / "song.mp4")
    _touch(tmp_path / "a" / "song.lrc", b"[00:01.00]hi")
    _touch(tmp_path / "b" / "song.mp4")
    _touch(tmp_path / "b" / "other.webm")
    _touch(tmp_path / "lyr" / "o.txt", b"words")
    (tmp_path / "cat.csv").write_text("path,genre,tempo,lyrics\nb/other.webm,Rock,120,lyr/o.txt\n")
    srcs = collect_sources([tmp_path / "a", tmp_path / "b", tmp_path / "cat.csv"])
    ids = [s.id for s in srcs]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert "other" in ids and sum(i.startswith("song-") for i in ids) == 2  # repeated names get a path hash
    other = next(s for s in srcs if s.id == "other")
    assert other.metadata == {"genre": "Rock", "tempo": 120.0}
    assert other.lyrics_origin == "catalogue" and other.lyrics.endswith("o.txt")
    song_a = next(s for s in srcs if s.path.endswith("a/song.mp4"))
    assert song_a.lyrics_origin == "sidecar"
    # the same sources in another order give the same ids
    assert [s.id for s in collect_sources([tmp_path / "cat.csv", tmp_path / "b", tmp_path / "a"])] == ids


def test_catalogue_errors(tmp_path):
    (tmp_path / "c.csv").write_text("path,tempo\nx.mp4,fast\n")
    with pytest.raises(DataError, match="tempo"):
        read_catalogue(tmp_path / "c.csv")
    (tmp_path / "d.jsonl").write_text('{"title": "no path"}\n')
    with pytest.raises(DataError, match="no path"):
        read_catalogue(tmp_path / "d.jsonl")
    with pytest.raises(DataError, match="no such"):
        collect_sources([tmp_path / "missing"])


def test_fingerprint_changes_with_content(tmp_path):
    v = _touch(tmp_path / "v.mp4", b"abc")
    s = collect_sources([tmp_path])[0]
    fp = s.fingerprint()
    v.write_bytes(b"abcd")
    assert collect_sources([tmp_path])[0].fingerprint() != fp


def test_step_key_depends_on_version_and_inputs():
    assert step_key("probe", "1", "h") == step_key("probe", "1", "h")
    assert step_key("probe", "1", "h") != step_key("probe", "2", "h")
    assert step_key("probe", "1", "h") != step_key("probe", "1", "g")


def test_step_cache_roundtrip_and_missing_file(tmp_path):
    c = StepCache(tmp_path)
    d = c.folder("s", "ab" * 32)
    d.mkdir(parents=True)
    (d / "f.bin").write_bytes(b"1")
    c.put("s", "ab" * 32, {"x": 1}, ("f.bin",))
    assert c.get("s", "ab" * 32)["x"] == 1
    (d / "f.bin").unlink()
    assert c.get("s", "ab" * 32) is None  # an entry whose file is gone is a miss
    src = _touch(tmp_path / "src.bin", b"data")
    assert place(src, tmp_path / "out" / "dst.bin").read_bytes() == b"data"


def test_ledger_records_and_resume(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as led:
        steps = [
            {"step": "probe", "status": "failed", "reason": "corrupt", "seconds": None},
            {"step": "transcode", "status": "skipped", "reason": "after failed", "seconds": None},
        ]
        led.record(
            "v1",
            source="/v1",
            fingerprint="f",
            config="c",
            status="failed",
            reason="probe: corrupt",
            result=None,
            steps=steps,
        )
        assert led.is_finished("v1", "f", "c")
        assert not led.is_finished("v1", "f", "c", retry_failed=True)
        assert not led.is_finished("v1", "other", "c")  # the input changed
        assert not led.is_finished("v1", "f", "other")  # the configuration changed
        assert not led.is_finished("v2", "f", "c")
        assert [r["status"] for r in led.steps("v1")] == ["failed", "skipped"]
        assert led.counts() == {"done": 0, "filtered": 0, "failed": 1}
    mode = sqlite3.connect(tmp_path / "l.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    (tmp_path / "bad.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(DataError, match="not a build ledger"):
        Ledger(tmp_path / "bad.sqlite")


class _Typed:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return self.d


def test_record_to_labels_dict_and_typed():
    rec = {
        "file": "x.mp4",
        "model": "m",
        "static": {"category": "sad", "intensity": 0.4, "valence": -0.5, "arousal": -0.2, "quadrant": "Q3"},
        "dynamic": [
            {"time": 2.5, "category": "sad", "intensity": 0.4, "valence": -0.5, "arousal": -0.2},
            {"time": 3.0, "category": "calm", "intensity": 0.3, "valence": 0.1, "arousal": -0.4},
        ],
    }
    a = record_to_labels(rec)
    assert a == record_to_labels(_Typed(rec))
    assert a["static"] == {"category": "sad", "intensity": 0.4}
    assert a["dynamic"][1] == {"time": 3.0, "category": "calm", "intensity": 0.3}
    assert a["labels"]["dynamic_va"][1] == [3.0, 0.1, -0.4]
    with pytest.raises(DataError, match="no static label"):
        record_to_labels({"file": "x", "static": {}})


def test_lyrics_step_cleans_and_keeps_times(tmp_path):
    src = tmp_path / "in.lrc"
    src.write_text("[ar:x]\n[00:01.00][Chorus] Oh-oh (yeah) #1\n[00:03.50]Rain, rain!\n")
    r = lyrics(src, tmp_path / "out" / "lyr")
    assert r["synced"] and r["file"] == "lyr.lrc" and r["n_lines"] == 2
    assert (tmp_path / "out" / "lyr.lrc").read_text() == "[00:01.00]Oh oh yeah 1\n[00:03.50]Rain, rain!\n"
    plain = tmp_path / "in.txt"
    plain.write_text("Hello -- world\n\nagain\n")
    r = lyrics(plain, tmp_path / "out" / "p")
    assert not r["synced"] and r["file"] == "p.txt" and r["line_words"] == [2, 1]
    assert lyrics(None, tmp_path / "out" / "n") == {
        "origin": "none",
        "asr": False,
        "file": None,
        "synced": False,
        "n_lines": 0,
        "n_words": 0,
        "line_words": [],
    }
    assert json.dumps(r)  # JSON-ready


def test_probe_bounds_the_work(corpus):
    from mvemo.dataset.steps import Limits, probe

    ok = probe(corpus / "mv_00.mp4")
    assert ok["has_audio"] and ok["duration"] == pytest.approx(6.0, abs=0.1) and ok["width"] == 192
    with pytest.raises(DataError, match="enormous duration"):
        probe(corpus / "mv_00.mp4", limits=Limits(max_seconds=3.0))
    with pytest.raises(DataError, match="enormous file"):
        probe(corpus / "mv_00.mp4", limits=Limits(max_bytes=1000))
    with pytest.raises(DataError, match="enormous frames"):
        probe(corpus / "mv_00.mp4", limits=Limits(max_pixels=100 * 100))
    with pytest.raises(DataError, match="too short"):
        probe(corpus / "mv_00.mp4", limits=Limits(min_seconds=60.0))
    with pytest.raises(DataError, match="audio-only"):
        probe(corpus / "bad_audio_only.mp4")


def test_progress_line_counts_and_eta():
    import io

    from mvemo.dataset.build import Progress

    buf = io.StringIO()
    bar = Progress(4, stream=buf)
    bar.preload("done")
    assert "ETA ?" in bar.line()  # nothing run yet in this session: no pace
    bar.update("failed")
    line = buf.getvalue().strip()
    assert "2/4" in line and "done 1" in line and "failed 1" in line and "remaining 2" in line
    assert "ETA ?" not in line

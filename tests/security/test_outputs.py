"""#18 cases 3, 4, 5 and the failure signals of case 9: crash-safe, locked outputs of `mvemo predict`."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mvemo.errors import DataError
from mvemo.predict.batch import predict_files

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}


def _fake(path):
    if "bad" in Path(path).name:
        raise DataError(f"{path}: not audio")
    return {
        "file": str(path),
        "model": "fake",
        "static": {"category": "calm", "intensity": 0.4, "valence": 0.3, "arousal": -0.3, "quadrant": "Q4"},
        "dynamic": [],
        "features": {},
    }


def _files(folder: Path, n: int, suffix=".wav") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        (folder / f"f{i}{suffix}").write_bytes(b"x")
        out.append(folder / f"f{i}{suffix}")
    return out


def _records(out: Path) -> list[str]:
    """The ``file`` of every record; each line must parse."""
    if out.suffix == ".csv":
        with out.open(newline="") as fh:
            return [row["file"] for row in csv.DictReader(fh)]
    return [json.loads(line)["file"] for line in out.read_text().splitlines()]


# -- case 4: CSV resume re-predicts a torn row ----------------------------------------------------
def test_csv_resume_repredicts_a_torn_row(tmp_path):
    files = _files(tmp_path / "m", 3)
    out = tmp_path / "r.csv"
    predict_files(files[:2], _fake, out=out, progress=False)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 20])  # the last row torn (a kill during its write)
    rep = predict_files(files, _fake, out=out, resume=True, progress=False)
    assert sorted(_records(out)) == sorted(map(str, files))  # f1 predicted again, nothing lost
    assert rep.skipped == 1 and rep.done == 2


def test_jsonl_resume_repredicts_a_record_without_newline(tmp_path):
    files = _files(tmp_path / "m", 2)
    out = tmp_path / "r.jsonl"
    predict_files(files, _fake, out=out, progress=False)
    out.write_bytes(out.read_bytes()[:-1])  # complete JSON, but its newline never made it
    predict_files(files, _fake, out=out, resume=True, progress=False)
    assert sorted(_records(out)) == sorted(map(str, files))


# -- case 3: the torn-line repair is atomic -------------------------------------------------------
def test_repair_killed_at_rename_leaves_the_file_whole(tmp_path, monkeypatch):
    files = _files(tmp_path / "m", 3)
    out = tmp_path / "r.jsonl"
    predict_files(files[:2], _fake, out=out, progress=False)
    torn = out.read_bytes() + b'{"file": "half'
    out.write_bytes(torn)

    def killed(*a, **k):  # the process dies right before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        predict_files(files, _fake, out=out, resume=True, progress=False)
    assert out.read_bytes() == torn  # old content intact (the old in-place rewrite truncated first)
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


_REPAIR = """
import sys
from mvemo.predict.outfile import repair_torn_line
print("go", flush=True)
repair_torn_line(sys.argv[1])
"""


def test_sigkill_during_repair_never_loses_records(tmp_path):
    out = tmp_path / "big.jsonl"
    line = json.dumps({"file": "x" * 200, "static": {"category": "calm"}}) + "\n"
    good = line.encode() * 200_000  # ~46 MB: the rewrite takes a while
    torn = good + b'{"file": "torn'
    out.write_bytes(torn)  # first, time one repair left alone, to spread the kills over it
    proc = subprocess.Popen([sys.executable, "-c", _REPAIR, str(out)], env=ENV, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"go"
    t0 = time.monotonic()
    proc.wait()
    span = time.monotonic() - t0
    assert out.read_bytes() == good
    hits = 0
    for delay in [span * k / 10 for k in range(1, 11)]:
        out.write_bytes(torn)
        proc = subprocess.Popen([sys.executable, "-c", _REPAIR, str(out)], env=ENV, stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"go"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert out.read_bytes() in (torn, good), f"killed after {delay} s: {out.stat().st_size} bytes"
        left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        hits += bool(left)  # a temporary file left behind: the kill landed inside the rewrite
        for p in left:
            p.unlink()
    assert hits >= 1


# -- case 5: the lock and real paths --------------------------------------------------------------
def test_second_run_on_a_locked_output_stops_with_a_clear_error(tmp_path):
    files = _files(tmp_path / "m", 2)
    out = tmp_path / "r.jsonl"
    out.write_text("")
    fd = os.open(tmp_path / "r.jsonl.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another run holds it
    try:
        with pytest.raises(DataError, match="r.jsonl is being written by another mvemo run"):
            predict_files(files, _fake, out=out, progress=False)
    finally:
        os.close(fd)
    predict_files(files, _fake, out=out, progress=False)  # free again once that run ends
    assert len(_records(out)) == 2


def test_resume_compares_real_paths(tmp_path, monkeypatch):
    files = _files(tmp_path / "small", 3)
    out = tmp_path / "r.jsonl"
    monkeypatch.chdir(tmp_path)
    predict_files([Path("small") / f.name for f in files], _fake, out=out, progress=False)
    (tmp_path / "link").symlink_to(tmp_path / "small")
    rep = predict_files(files + [tmp_path / "link" / files[0].name], _fake, out=out, resume=True, progress=False)
    assert rep.skipped == 4 and rep.done == 0 and len(_records(out)) == 3


# -- a real `mvemo predict` batch killed at several points ----------------------------------------
def _midis(folder: Path, n: int) -> list[Path]:
    pretty_midi = pytest.importorskip("pretty_midi")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pm = pretty_midi.PrettyMIDI()
        inst = pretty_midi.Instrument(program=0)
        for k in range(24):
            pitch = 48 + (i * 5 + k * 7) % 36
            inst.notes.append(pretty_midi.Note(velocity=70 + k % 30, pitch=pitch, start=k * 0.4, end=k * 0.4 + 0.35))
        pm.instruments.append(inst)
        pm.write(str(folder / f"piece{i}.mid"))
        paths.append(folder / f"piece{i}.mid")
    return paths


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from mvemo.cli.main import main; main(sys.argv[1:])", *args]


def _wait_lines(out: Path, n: int, proc, timeout=120.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout and proc.poll() is None:
        if out.is_file() and out.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.01)


@pytest.mark.parametrize("kind", [".jsonl", ".csv"])
def test_real_batch_killed_and_resumed_has_each_file_once(tmp_path, kind):
    pytest.importorskip("torch")
    files = _midis(tmp_path / "midi", 5)
    out = tmp_path / f"out{kind}"
    args = ["predict", str(tmp_path / "midi"), "--out", str(out), "--no-dynamic", "--quiet"]
    header = 1 if kind == ".csv" else 0
    # 1) kill after the first record, then leave half a record behind (a kill during a write)
    proc = subprocess.Popen(_cli(*args), env=ENV, stderr=subprocess.DEVNULL)
    _wait_lines(out, header + 1, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with out.open("ab") as fh:
        fh.write(b'{"file": "' if kind == ".jsonl" else f"{files[4]},symbolic-x,sym".encode())
    # 2) resume, killed again after two more records
    proc = subprocess.Popen(_cli(*args, "--resume"), env=ENV, stderr=subprocess.DEVNULL)
    _wait_lines(out, header + 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # 3) a run while another process holds the output: refused, the output untouched
    before = out.read_bytes()
    fd = os.open(out.parent / (out.name + ".lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        rival = subprocess.run(_cli(*args, "--resume"), env=ENV, capture_output=True, text=True, timeout=120)
    finally:
        os.close(fd)
    assert rival.returncode != 0 and "is being written by another mvemo run" in rival.stderr
    assert out.read_bytes() == before
    # 4) a final resume completes the batch
    final = subprocess.run(_cli(*args, "--resume"), env=ENV, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    got = _records(out)
    assert sorted(got) == sorted(map(str, files)), got  # each file exactly once, every line parses

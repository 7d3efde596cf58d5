"""The cross-cutting helpers: atomic writes, data root and cache root precedence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mvemo.errors import DataError
from mvemo.util import atomic_open, atomic_write, cache_root, data_home


def test_atomic_write_replaces_whole_file(tmp_path):
    p = atomic_write(tmp_path / "sub" / "a.txt", "one")
    assert p.read_text() == "one"
    atomic_write(p, b"two")
    assert p.read_bytes() == b"two"
    assert [f.name for f in p.parent.iterdir()] == ["a.txt"]


def test_atomic_open_failure_keeps_old_content(tmp_path):
    p = atomic_write(tmp_path / "a.txt", "old")
    with pytest.raises(RuntimeError):
        with atomic_open(p) as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert p.read_text() == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["a.txt"]
    with pytest.raises(ValueError, match="mode"):
        with atomic_open(p, "a"):
            pass


def test_data_home_precedence(tmp_path, monkeypatch):
    env = tmp_path / "env"
    env.mkdir()
    explicit = tmp_path / "explicit"
    explicit.mkdir()
    monkeypatch.setenv("MVEMO_DATA", str(env))
    assert data_home(explicit) == explicit
    assert data_home(manifest=tmp_path / "m" / "items.jsonl") == (tmp_path / "m").resolve()
    assert data_home() == env
    with pytest.raises(DataError, match="explicit2"):
        data_home(tmp_path / "explicit2")
    monkeypatch.delenv("MVEMO_DATA")
    monkeypatch.chdir(tmp_path)
    assert data_home(required=False) is None
    with pytest.raises(DataError, match="MVEMO_DATA"):
        data_home()
    work = tmp_path / "work"
    (tmp_path / "shared" / "data").mkdir(parents=True)
    work.mkdir()
    monkeypatch.chdir(work)
    assert data_home() == (tmp_path / "shared" / "data").resolve()


def test_cache_root_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("MVEMO_CACHE", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache_root(tmp_path / "e") == tmp_path / "e"
    assert cache_root() == tmp_path / "c"
    monkeypatch.delenv("MVEMO_CACHE")
    assert cache_root() == tmp_path / "x" / "mvemo"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path(os.path.expanduser("~")) / ".cache" / "mvemo"

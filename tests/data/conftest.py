"""Fixtures of the dataset tests: the research data (skip when absent) and tiny fixture roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mvemo.data import ENV_VAR, load

SHARED = Path(os.environ.get(ENV_VAR) or Path(__file__).resolve().parents[2].parent / "shared" / "data")


def shared_available() -> bool:
    return (SHARED / "README.md").is_file()


_LOADED: dict = {}


def shared_dataset(name: str):
    """A loader on the research data, indexed once per test session (tests must not mutate it)."""
    if name not in _LOADED:
        _LOADED[name] = load(name, data_home=SHARED)
        _LOADED[name].index()
    return _LOADED[name]


@pytest.fixture
def shared_root() -> Path:
    """The curated research data; skips the test when it is absent."""
    if not shared_available():
        pytest.skip(f"research data not found at {SHARED} (set {ENV_VAR})")
    return SHARED


@pytest.fixture
def no_env(monkeypatch, tmp_path_factory):
    """No data root at all: no MVEMO_DATA, and a working directory without ../shared/data
    (the last fallback of :func:`mvemo.util.data_home`)."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture
def word_map():
    """A small word table for fixture datasets (independent of the shipped table)."""
    return {
        "happy": "happy",
        "sad": "sad",
        "calm": "calm",
        "film": None,
        "mellow": "relaxed",
        "calmness": "calm",
        "power": "aroused",
        "joyful_activation": "excited",
        "tenderness": "content",
        "tension": "tense",
        "amazement": "astonished",
        "solemnity": "serene",
        "nostalgia": "sad",
        "sadness": "sad",
    }

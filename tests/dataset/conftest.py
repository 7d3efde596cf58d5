"""A tiny synthetic music-video corpus (scripts/make_mv_corpus.py), built once per session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_mv_corpus", REPO / "scripts" / "make_mv_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """3 good 6-s music videos (one with a sidecar .lrc, one with catalogue lyrics), 1 still
    video, and corrupt / truncated / audio-only / silent files, with catalogue.csv and truth.json."""
    pytest.importorskip("av")
    pytest.importorskip("distributed")
    root = tmp_path_factory.mktemp("mvcorpus")
    _corpus_module().make_corpus(root, n=3, seconds=6.0, n_static=1, bad=True, seed=0)
    return root

"""The 4Q channel functions of scripts/cv_music.py (issue #19) on synthetic features."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cv_music.py"


@pytest.fixture(scope="module")
def cv():
    spec = importlib.util.spec_from_file_location("cv_music_script", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _blobs(n_per: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(4, 6))
    x = np.concatenate([c + rng.normal(0, 1, size=(n_per, 6)) for c in centres])
    y = np.repeat(np.arange(4), n_per)
    return x, y


@pytest.mark.parametrize("dense", [False, True])
def test_channel_outputs_learn_separable_quadrants(cv, dense):
    x, y = _blobs()
    rng = np.random.default_rng(1)
    order = rng.permutation(len(y))
    train, test = order[:240], order[240:]
    out = cv.channel_outputs(x, y, train, test, c=None, inner=3, seed=0, dense=dense)
    assert out["test"].shape == (len(test), 4) and out["oof"].shape == (len(train), 4)
    assert np.allclose(out["test"].sum(1), 1.0) and np.allclose(out["oof"].sum(1), 1.0)
    assert out["c"] in (cv.ALPHA_GRID if dense else cv.C_GRID)
    assert cv._macro_f1(y[test], out["test"]) > 0.8  # 4 well-separated blobs
    assert cv._macro_f1(y[train], out["oof"]) > 0.8


def test_dense_channel_is_registered_on_the_handcrafted_inputs(cv):
    assert cv.CHANNEL_INPUTS["dense"] == cv.CHANNEL_INPUTS["handcrafted"]
    assert "dense" in cv.DENSE_CHANNELS and "dense" not in cv.NETWORK_CHANNELS

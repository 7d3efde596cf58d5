"""Music v4: soft informative targets train the category and 11-level heads; the grid is scored."""

import numpy as np
import pytest

pytest.importorskip("torch")

from mvemo.conversion.informative import InformativeTarget  # noqa: E402
from mvemo.representation import CATEGORIES, default_circumplex  # noqa: E402
from mvemo.train.music import TrainConfig, predict_static, train_model  # noqa: E402
from mvemo.train.music_v4 import evaluate_grid, fit_category_temperature  # noqa: E402

from .test_music import _examples  # noqa: E402


def _informative(ex):
    """Each quadrant's tracks get a category and an intensity (certainty) that the embedding encodes."""
    cats = ["excited", "angry", "sad", "calm"]
    for e in ex:
        q = int(np.argmax(e.bank.embedding[0, :4]))
        level = 0.3 if q % 2 else 0.8
        theta = float(default_circumplex().angles[CATEGORIES.index(cats[q])])
        e.informative = InformativeTarget(cats[q], level, theta, level, 30.0, 1.0, "4q-words")
        e.soft = e.informative.soft().astype(np.float32)
        e.soft_weight = 1.0
    return ex


def test_v4_learns_category_and_intensity_levels_from_soft_targets():
    ex = _informative(_examples())
    cfg = TrainConfig(epochs=25, teacher_epochs=1, lr=5e-3, batch_size=16, dropout=0.0, informative=True)
    model = train_model(ex, cfg, log=None)
    assert model.cfg.intensity_levels == 11
    pred = predict_static(model, ex)
    assert pred["levels"].shape == (len(ex), 11) and np.allclose(pred["levels"].sum(1), 1, atol=1e-5)
    t = fit_category_temperature(model, ex)
    assert 0.01 <= t <= 100
    rep = evaluate_grid(model, ex, temperature=t)
    assert rep["coherent"] == 1.0
    # the category head follows the soft target (diffuse where the certainty is low)
    tv = 0.5 * np.abs(pred["category"] - np.stack([e.soft.sum(1) for e in ex])).sum(1)
    assert tv.mean() < 0.15 and rep["quadrant"]["accuracy"] >= 0.9
    # two intensity groups (0.3 and 0.8 certainty) are told apart
    levels = np.array(rep["intensities"])
    hi = np.array([e.informative.intensity > 0.5 for e in ex])
    assert levels[hi].mean() - levels[~hi].mean() > 0.25 and rep["intensity_levels"] >= 2
    assert rep["intensity_std"] > 0.1
    assert set(rep["categories"]) <= set(CATEGORIES) and 0 <= rep["ece_category"] <= 1
    assert "quadrant" in rep and "ece_quadrant" in rep

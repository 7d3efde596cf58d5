"""Baselines: majority, prior, logistic regression and ridge-VA heads (on synthetic features)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import mvemo.features.musicnn
from mvemo.bench.baselines import LogRegMusic, MajorityBaseline, PriorBaseline, RidgeMusicVA, SoftmaxRegression
from mvemo.bench.runner import score
from mvemo.bench.tasks import get_task
from mvemo.errors import DataError, ParameterError

from .conftest import CATS, make_items


def test_softmax_regression_separates_blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[3, 0], [0, 3], [-3, -3]], float)
    y = np.repeat(np.array(["a", "b", "c"]), 50)
    x = centers[np.repeat(np.arange(3), 50)] + rng.standard_normal((150, 2))
    m = SoftmaxRegression(c=10.0).fit(x, y)
    assert np.mean(m.predict(x) == y) > 0.95
    assert SoftmaxRegression().fit(x, np.full(150, "z")).predict(x[:3]).tolist() == ["z"] * 3
    with pytest.raises(ParameterError):
        SoftmaxRegression(c=0)


def test_majority_and_prior(tmp_path):
    items = make_items(tmp_path, 40)
    task = get_task("music-static")
    items[5].static = {"category": "sad", "intensity": 0.9}
    m = MajorityBaseline()
    m.fit(items, task=task)
    assert m.label == ("happy", 0.5)  # 10 each of happy, calm, tense; the first seen wins
    p = PriorBaseline(seed=0)
    p.fit(items, task=task)
    preds = p.predict(items * 50, task=task)
    freq = Counter((q.category, q.intensity) for q in preds)
    assert set(freq) == {(c, 0.5) for c in CATS} | {("sad", 0.9)}
    assert freq[("sad", 0.9)] == pytest.approx(2000 / 40, rel=0.5)
    with pytest.raises(ParameterError, match="fit"):
        MajorityBaseline().predict(items, task=task)


@pytest.fixture
def fake_features(monkeypatch):
    """Features that encode the label (noisy one-hot of the category index), no audio decoded."""
    monkeypatch.setattr(mvemo.features.musicnn, "load_musicnn", lambda name: None)
    rng = np.random.default_rng(1)

    def feats(self, item, task):
        i = int(item.id.split(":")[1])
        if i == 39:
            raise DataError(f"{item.id}: unreadable")
        n = len(item.dynamic) if task.dynamic else 1
        cats = [p["category"] for p in item.dynamic] if task.dynamic else [item.static["category"]]
        x = np.zeros((n, 6))
        for k, c in enumerate(cats):
            x[k, CATS.index(c)] = 2.0
        return x + 0.3 * rng.standard_normal(x.shape)

    monkeypatch.setattr(LogRegMusic, "_item_features", feats)
    monkeypatch.setattr(RidgeMusicVA, "_item_features", feats)


def test_logreg_and_ridge_learn_from_features(tmp_path, fake_features):
    items = make_items(tmp_path, 40, dynamic=True)
    train, test = items[:30], items[30:]
    for task in (get_task("music-static"), get_task("music-dynamic")):
        lr = LogRegMusic()
        lr.fit(train, task=task)
        preds = lr.predict(test, task=task)
        s = score(test, preds, task)
        assert s["category_f1"] > 0.8
        assert preds[-1].error == "toy:039: unreadable" and s["n_invalid"] == (6 if task.dynamic else 1)
        rv = RidgeMusicVA(alpha=1.0)
        rv.fit(train, task=task)
        s_va = score(test, rv.predict(test, task=task), task)
        # VA regression then conversion: the right direction, so a small emotion distance.
        assert s_va["emotion_distance"] < 0.35

"""Tests for the ensemble of linear channels (mvemo.models.linear.EnsembleChannel)."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.models.linear import (  # noqa: E402
    EnsembleChannel,
    SoftmaxLinear,
    choose_combination,
    fit_ensemble_channel,
)


def _two_views(n=400, seed=0):
    """Block "a" tells arousal (class // 2), block "b" tells valence (class % 2): each alone is half right."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    a = rng.normal(0, 1, (n, 4))
    a[:, 0] += 3.0 * (y // 2)
    b = rng.normal(0, 1, (n, 4))
    b[:, 0] += 3.0 * (y % 2)
    return {"a": a, "b": b}, y


def test_ensemble_of_complementary_channels_beats_each_and_round_trips():
    blocks, y = _two_views()
    test_blocks, y_test = _two_views(seed=1)
    ens = fit_ensemble_channel(blocks, y, members=[(("a",), 1.0), (("b",), 1.0)], n_classes=4)
    acc = {name: np.mean(m.predict_proba(test_blocks).argmax(1) == y_test) for name, m in zip("ab", ens.members)}
    p = ens.predict_proba(test_blocks)
    np.testing.assert_allclose(p.sum(1), 1.0)
    both = np.mean(p.argmax(1) == y_test)
    assert max(acc.values()) < 0.6 and both > 0.8  # each view is right about one factor only
    assert ens.inputs == ("a", "b")
    again = EnsembleChannel.from_dict(ens.to_dict())
    np.testing.assert_allclose(again.predict_proba(test_blocks), p)
    net = np.full_like(p, 0.25)
    np.testing.assert_allclose(
        EnsembleChannel(ens.members, ens.weights, ens.stacker, 0.5).blend(net, test_blocks), 0.5 * p + 0.125
    )


def test_choose_combination_averages_equal_channels_and_stacks_complementary_ones():
    y = np.arange(200) % 4
    good = np.eye(4)[y] * 0.7 + 0.075
    weights, stacker, info = choose_combination([good, good], y, n_classes=4)
    assert info["kind"] == "average" and stacker is None and weights.sum() == pytest.approx(1.0)
    # a channel that is confidently wrong in a fixed way (class k read as k + 1): only a stacker undoes it
    shifted = np.eye(4)[(y + 1) % 4] * 0.9 + 0.025
    noise = np.random.default_rng(0).dirichlet(np.ones(4), len(y))
    weights, stacker, info = choose_combination([shifted, noise], y, n_classes=4)
    assert info["kind"] == "stack" and weights is None and info["stack_f1"] > 0.95 and info["average_f1"] < 0.5


def test_bad_ensembles_are_refused():
    m = SoftmaxLinear(("x",), np.zeros(2), np.ones(2), np.zeros((2, 4)), np.zeros(4))
    with pytest.raises(ParameterError, match="exactly one"):
        EnsembleChannel((m, m))
    with pytest.raises(ParameterError, match="summing to 1"):
        EnsembleChannel((m, m), weights=np.array([0.7, 0.7]))
    with pytest.raises(ParameterError, match="log-probabilities"):
        EnsembleChannel((m, m), stacker=m)
    with pytest.raises(ParameterError, match="oof"):
        choose_combination([np.zeros((3, 4))], np.zeros(2, int), n_classes=4)
    with pytest.raises(DataError, match="ensemble"):
        EnsembleChannel.from_dict({"members": []})

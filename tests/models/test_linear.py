import numpy as np
import pytest

pytest.importorskip("sklearn")

from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.models.linear import LinearChannel, SoftmaxLinear, fit_softmax_linear  # noqa: E402


def _blocks(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    a = rng.normal(0, 1, (n, 5)) * 3 + 10
    a[np.arange(n), y] += 12.0  # block "a" carries the class
    b = rng.normal(0, 1, (n, 3))
    return {"a": a, "b": b}, y


def test_fit_matches_sklearn_and_predicts_the_classes():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    blocks, y = _blocks()
    m = fit_softmax_linear(blocks, y, inputs=("a", "b"), c=0.1, n_classes=4)
    assert m.n_features == 8 and m.n_classes == 4
    p = m.predict_proba(blocks)
    np.testing.assert_allclose(p.sum(1), 1.0)
    ref = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000)).fit(
        np.c_[blocks["a"], blocks["b"]], y
    )
    np.testing.assert_allclose(p, ref.predict_proba(np.c_[blocks["a"], blocks["b"]]), atol=1e-4)
    assert np.mean(p.argmax(1) == y) > 0.9


def test_round_trip_and_blend():
    blocks, y = _blocks()
    m = fit_softmax_linear(blocks, y, inputs=("b", "a"), c=1.0, n_classes=4)
    again = SoftmaxLinear.from_dict(m.to_dict())
    np.testing.assert_array_equal(again.predict_proba(blocks), m.predict_proba(blocks))
    net = np.full((len(y), 4), 0.25)
    ch = LinearChannel(m, 0.75)
    np.testing.assert_allclose(ch.blend(net, blocks), 0.75 * m.predict_proba(blocks) + 0.25 * net)
    np.testing.assert_array_equal(LinearChannel(m, 0.0).blend(net, blocks), net)
    back = LinearChannel.from_dict(ch.to_dict())
    assert back.weight == 0.75 and back.linear.inputs == ("b", "a")
    np.testing.assert_array_equal(back.blend(net, blocks), ch.blend(net, blocks))


def test_bad_inputs_are_refused():
    blocks, y = _blocks()
    m = fit_softmax_linear(blocks, y, inputs=("a",), c=1.0, n_classes=4)
    with pytest.raises(ParameterError, match="missing feature blocks"):
        m.predict_proba({"b": blocks["b"]})
    with pytest.raises(ParameterError, match="give 3 features"):
        m.predict_proba({"a": blocks["b"]})
    with pytest.raises(ParameterError, match="every class"):
        fit_softmax_linear(blocks, np.zeros(len(y), int), inputs=("a",), c=1.0, n_classes=4)
    with pytest.raises(ParameterError, match="c must be positive"):
        fit_softmax_linear(blocks, y, inputs=("a",), c=0.0, n_classes=4)
    with pytest.raises(ParameterError, match="missing feature blocks"):
        fit_softmax_linear(blocks, y, inputs=("z",), c=1.0, n_classes=4)
    with pytest.raises(ParameterError, match="weight must be in"):
        LinearChannel(m, 1.5)
    with pytest.raises(ParameterError, match="shape"):
        LinearChannel(m, 0.5).blend(np.zeros((len(y), 3)), blocks)
    with pytest.raises(DataError, match="softmax-linear"):
        SoftmaxLinear.from_dict({"inputs": ["a"]})
    with pytest.raises(ParameterError, match="scale must be positive"):
        SoftmaxLinear(("a",), np.zeros(2), np.array([1.0, 0.0]), np.zeros((2, 3)), np.zeros(3))


def test_channel_temperature_divides_the_logits_and_round_trips():
    blocks, y = _blocks()
    m = fit_softmax_linear(blocks, y, inputs=("a", "b"), c=1.0, n_classes=4)
    net = np.full((len(y), 4), 0.25)
    hot = LinearChannel(m, 1.0, temperature=2.0)
    z = m.logits(blocks) / 2.0
    want = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(hot.blend(net, blocks), want / want.sum(1, keepdims=True))
    # a higher temperature lowers every top probability; the ranking stays
    assert np.all(hot.blend(net, blocks).max(1) < m.predict_proba(blocks).max(1))
    np.testing.assert_array_equal(hot.blend(net, blocks).argmax(1), m.predict_proba(blocks).argmax(1))
    back = LinearChannel.from_dict(hot.to_dict())
    assert back.temperature == 2.0
    old = {k: v for k, v in hot.to_dict().items() if k != "temperature"}  # v3 weights carry none
    assert LinearChannel.from_dict(old).temperature == 1.0
    with pytest.raises(ParameterError, match="temperature must be positive"):
        LinearChannel(m, 1.0, temperature=0.0)

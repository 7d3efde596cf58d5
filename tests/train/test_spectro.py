"""The spectrogram channel (issue #19): shapes, learning, cross-fitted probabilities, determinism."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.train.spectro import (  # noqa: E402
    MelCNN,
    SeqCNN,
    SpectroConfig,
    crossfit_channel,
    fit_spectro,
    pool_time,
    predict_spectro,
)

#: Tiny and fast: 2 conv blocks, few epochs.
SMALL = SpectroConfig(
    crop=16,
    widths=(4, 8),
    epochs=8,
    patience=8,
    batch_size=8,
    lr=1e-2,
    inner=2,
    mixup=0.0,
    band_shift=0,
    band_mask=2,
    time_mask=4,
)


def _clips(n_per_class=8, *, n_mels=16, frames=40, seed=0):
    """Each class is a band of energy at its own mel position, plus noise (separable by a CNN)."""
    rng = np.random.default_rng(seed)
    xs, y = [], []
    for c in range(4):
        for _ in range(n_per_class):
            x = rng.normal(0, 1, (n_mels, frames + int(rng.integers(0, 6)))).astype(np.float32)
            x[2 + 3 * c : 5 + 3 * c] += 4.0
            xs.append(x)
            y.append(c)
    return xs, np.array(y)


def test_networks_output_one_logit_row_per_clip_for_any_length():
    mel = MelCNN(n_mels=16, widths=(4, 8))
    assert mel(torch.zeros(3, 16, 24)).shape == (3, 4)
    assert mel(torch.zeros(2, 16, 57)).shape == (2, 4)
    seq = SeqCNN(n_features=10, widths=(6, 6))
    assert seq(torch.zeros(5, 10, 33)).shape == (5, 4)


def test_pool_time_averages_runs_and_rejects_bad_input():
    x = np.arange(12.0).reshape(2, 6)
    np.testing.assert_allclose(pool_time(x, 3), [[1, 4], [7, 10]])
    with pytest.raises(ParameterError, match="shape"):
        pool_time(np.zeros(5), 2)
    with pytest.raises(DataError, match="fewer"):
        pool_time(np.zeros((2, 1)), 2)


def test_config_rejects_bad_values():
    with pytest.raises(ParameterError, match="input"):
        SpectroConfig(input="wave")
    with pytest.raises(ParameterError, match="inner"):
        SpectroConfig(inner=1)


def test_training_reduces_the_loss_and_learns_separable_clips():
    torch.set_num_threads(1)
    xs, y = _clips()
    model = fit_spectro(xs, y, config=SMALL)
    losses = [h["train_loss"] for h in model.history]
    assert losses[-1] < losses[0]
    assert 1 <= model.best_epoch <= len(model.history)
    test_x, test_y = _clips(4, seed=1)
    p = predict_spectro(model, test_x)
    assert p.shape == (16, 4)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-6)
    assert (p.argmax(1) == test_y).mean() >= 0.75


def test_crossfit_channel_returns_probabilities_and_is_deterministic():
    torch.set_num_threads(1)
    xs, y = _clips(6)
    train = np.array([i for i in range(24) if i % 6])
    test = np.array([i for i in range(24) if i % 6 == 0])
    a = crossfit_channel(xs, y, train, test, config=SMALL)
    b = crossfit_channel(xs, y, train, test, config=SMALL)
    assert a["test"].shape == (len(test), 4) and a["oof"].shape == (len(train), 4)
    np.testing.assert_allclose(a["oof"].sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(a["test"].sum(1), 1.0, atol=1e-6)
    assert len(a["epochs"]) == SMALL.inner
    np.testing.assert_array_equal(a["test"], b["test"])
    np.testing.assert_array_equal(a["oof"], b["oof"])
    c = crossfit_channel(xs, y, train, test, config=SpectroConfig(**{**SMALL.__dict__, "seed": 5}))
    assert not np.array_equal(a["oof"], c["oof"])


def test_musicnn_input_trains_the_1d_network():
    xs, y = _clips(4, n_mels=12)
    cfg = SpectroConfig(
        input="musicnn", time_pool=1, crop=16, widths=(8, 8), gain_db=0, band_shift=0, band_mask=0, epochs=2
    )
    model = fit_spectro(xs, y, config=cfg)
    assert isinstance(model.net, SeqCNN)
    assert predict_spectro(model, xs[:3]).shape == (3, 4)


def test_inputs_are_checked():
    xs, y = _clips(2)
    with pytest.raises(DataError, match="labels"):
        fit_spectro(xs, y[:-1], config=SMALL)
    with pytest.raises(DataError, match="range"):
        fit_spectro(xs, y + 4, config=SMALL)
    with pytest.raises(DataError, match="feature count"):
        fit_spectro([xs[0], xs[1][:5]], y[:2], config=SMALL)

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("musicnn", exc_type=ImportError)

from mvemo.errors import ParameterError  # noqa: E402
from mvemo.features.blocks import BlockFeatures, musicnn_blocks, pool_blocks, pool_blocks_std  # noqa: E402
from mvemo.features.music import Harmony, TrackFeatures, blocks_kind  # noqa: E402
from mvemo.features.musicnn import load_musicnn  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return load_musicnn("MTT_musicnn")


def _tone(seconds, sr=16000, f0=220.0, seed=0):
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(seed)
    y = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 5)) * (0.5 + 0.5 * np.sin(2 * np.pi * 0.5 * t))
    return (0.2 * y + 0.01 * rng.standard_normal(len(t))).astype(np.float32)


def test_blocks_cover_the_track_and_pool_like_frames(model):
    b = musicnn_blocks(model, _tone(7.3), 16000)
    assert b.n_blocks == 15 and b.mean.shape == (15, 753) and b.count.sum() == 1 + int(7.3 * 16000) // 256
    mean, mx = pool_blocks(b, np.array([0, 2]), np.array([15, 4]))
    expected = (b.mean[2:4] * b.count[2:4, None]).sum(0) / b.count[2:4].sum()
    np.testing.assert_allclose(mean[1], expected, rtol=1e-5)
    np.testing.assert_array_equal(mx[0], b.max.max(0))
    again = BlockFeatures.from_arrays(b.to_arrays())
    np.testing.assert_allclose(again.mean, b.mean, atol=1e-2 * np.abs(b.mean).max())


def test_window_inputs_pool_blocks_and_pick_overlapping_chords(model):
    b = musicnn_blocks(model, _tone(10.0), 16000)
    h = Harmony(
        "A",
        "minor",
        0.8,
        np.array([0.0, 4.0, 8.0]),
        np.array([4.0, 8.0, 10.0]),
        ("A:min", "D:min", "E:7"),
        np.array([0, 5, 7]),
        np.array([1, 1, 9]),
        96.0,
    )
    w = TrackFeatures(b, h).window_inputs(model, np.array([0.0, 4.5, 8.5]), np.array([10.0, 7.5, 9.5]))
    assert w.embedding.shape == (3, 1003) and w.mode.tolist() == [1.0, 1.0, 1.0]
    assert w.mask.sum(1).tolist() == [3, 1, 1]
    assert w.roots[1, 0] == 5 and w.roots[2, 0] == 7 and w.roots[1, 1] == 12  # padding = no chord
    tags = w.embedding[:, -50:]
    assert np.all((tags >= 0) & (tags <= 1))


def test_std_pooling_matches_frame_statistics(model):
    from mvemo.features.blocks import _MIDEND_KEYS, FRAME_SECONDS
    from mvemo.features.musicnn import log_mel

    y = _tone(6.0)
    b = musicnn_blocks(model, y, 16000)
    # Frames of the first two 3-s patches, as musicnn_blocks computes them.
    logmel = log_mel(y, 16000)
    out = model.forward_patches(logmel[: 2 * 187].reshape(2, 187, -1))
    frames = np.concatenate([out[k] for k in _MIDEND_KEYS], axis=2).reshape(2 * 187, -1)
    block = np.floor(np.arange(2 * 187) * FRAME_SECONDS / 0.5 + 1e-9).astype(int)
    sel = frames[(block >= 1) & (block < 5)]
    std = pool_blocks_std(b, np.array([1]), np.array([5]))[0]
    np.testing.assert_allclose(std, sel.std(0), atol=1e-3 * max(1.0, float(np.abs(sel).max())))
    again = BlockFeatures.from_arrays(b.to_arrays())
    assert again.meansq is not None and again.meansq.shape == b.mean.shape
    h = Harmony("C", "major", 0.9, np.array([0.0]), np.array([6.0]), ("C:maj",), np.array([0]), np.array([0]), 120.0)
    w = TrackFeatures(b, h).window_inputs(model, np.array([0.0]), np.array([6.0]), std=True)
    assert w.embedding.shape == (1, 1003 + 753)


def test_std_pooling_needs_meansq_and_kinds_name_the_backbone(model):
    b = musicnn_blocks(model, _tone(4.0), 16000)
    old = BlockFeatures(b.mean, b.max, b.count, b.duration)
    with pytest.raises(ParameterError, match="meansq"):
        pool_blocks_std(old, np.array([0]), np.array([2]))
    assert blocks_kind("MTT_musicnn") == "musicnn-mtt-blocks-v2"
    assert blocks_kind("MSD_musicnn") == "musicnn-msd-blocks-v2"
    with pytest.raises(ParameterError, match="backbone"):
        blocks_kind("VGG")


def test_segment_spread_is_the_std_of_segment_embeddings(model):
    from mvemo.features.blocks import segment_spread, window_embeddings

    b = musicnn_blocks(model, _tone(9.0, f0=330.0), 16000)  # 18 blocks
    got = segment_spread(model, b, 0, b.n_blocks, segment_blocks=6, hop_blocks=3)
    lo = np.array([0, 3, 6, 9, 12])
    rows = window_embeddings(model, *pool_blocks(b, lo, lo + 6))
    np.testing.assert_allclose(got, rows.std(axis=0), rtol=1e-5, atol=1e-6)
    assert got.shape == (1003,) and got.max() > 0
    # A range shorter than one segment is one segment: no spread.
    np.testing.assert_array_equal(segment_spread(model, b, 2, 5), np.zeros(1003, np.float32))
    h = Harmony("C", "major", 0.9, np.array([0.0]), np.array([9.0]), ("C:maj",), np.array([0]), np.array([0]), 120.0)
    tb = TrackFeatures(b, h).track_blocks(model)
    assert set(tb) == {"embedding", "segment_spread"} and tb["embedding"].shape == (1, 1003)
    np.testing.assert_allclose(tb["segment_spread"][0], got)
    whole = TrackFeatures(b, h).window_inputs(model, np.array([0.0]), np.array([9.0])).embedding
    np.testing.assert_allclose(tb["embedding"], whole, rtol=1e-5, atol=1e-6)
    with pytest.raises(ParameterError, match="holds no block"):
        segment_spread(model, b, 18, 30)
    with pytest.raises(ParameterError, match="segment_blocks"):
        segment_spread(model, b, 0, 18, hop_blocks=0)

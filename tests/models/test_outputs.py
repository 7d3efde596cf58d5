"""HeadOutputs: one typed answer of every network; heads_to_grid(normalize=False); the small heads' settings."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.conversion.grids import heads_to_grid, level_distribution
from mvemo.conversion.point import from_factors
from mvemo.errors import ParameterError
from mvemo.models.outputs import HEAD_NAMES, HeadOutputs


def test_head_outputs_attributes_and_read_only_mapping():
    va = np.array([[0.5, -0.25], [-1.0, 1.0]])
    out = HeadOutputs(category=np.eye(2, 28), va=va)
    assert out.quadrant is None and not out.has("quadrant") and out.has("va")
    assert np.array_equal(out.valence, [0.5, -1.0]) and np.array_equal(out.arousal, [-0.25, 1.0])
    assert list(out) == ["category", "va"] and len(out) == 2 and "va" in out and "gems" not in out
    assert out.get("levels") is None and out["va"] is va
    with pytest.raises(KeyError):
        out["quadrant"]
    with pytest.raises(ParameterError, match="unknown head 'mood'"):
        out.head("mood")
    with pytest.raises(ParameterError, match="unknown heads"):
        HeadOutputs.from_heads({"category": 1, "mood": 2})
    with pytest.raises(AttributeError):
        out.category = None  # frozen
    # derived copies leave the original alone
    sliced = out.map(lambda a: a[:1]).replace(intensity=np.array([0.3]))
    assert sliced.category.shape == (1, 28) and out.category.shape == (2, 28) and out.intensity is None
    assert set(HEAD_NAMES) >= {"category", "intensity", "va", "quadrant", "gems", "levels", "grid"}
    # compared by identity (tensors give no single bool), hashable
    assert out == out and out != HeadOutputs(category=out.category, va=va) and hash(out) == hash(out)


def test_heads_to_grid_normalize_false_is_bit_equal_to_from_factors():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 28)).astype(np.float32)
    cat = (np.exp(z) / np.exp(z).sum(-1, keepdims=True)).astype(np.float64)  # a softmax: sums to 1 +- ulp
    inten = rng.uniform(0, 1, size=5).astype(np.float32)
    want = from_factors(cat, level_distribution(inten))
    got = heads_to_grid(cat, inten, normalize=False)
    assert np.array_equal(got, want)
    # the default renormalises the categories: not bit-equal once they do not sum to 1 exactly
    assert np.allclose(heads_to_grid(cat * 1.01, inten), want) and not np.array_equal(
        heads_to_grid(cat * 1.01, inten), heads_to_grid(cat * 1.01, inten, normalize=False)
    )


def test_networks_return_head_outputs():
    torch = pytest.importorskip("torch")
    from mvemo.models.fusion import N_FUSION_INPUTS, FusionHead
    from mvemo.models.lyrics import LyricsHeads, LyricsHeadsConfig
    from mvemo.models.music2emo import Music2Emo, Music2EmoConfig
    from mvemo.models.video import VideoHead

    torch.manual_seed(0)
    out = LyricsHeads(LyricsHeadsConfig(input_dim=6)).eval()(torch.zeros(3, 6))
    assert isinstance(out, HeadOutputs) and out.category.shape == (3, 28) and out.quadrant.shape == (3, 4)
    for head, n in ((VideoHead(n_features=5), 5), (FusionHead(hidden=4), N_FUSION_INPUTS)):
        out = head.eval()(torch.zeros(2, n))
        assert isinstance(out, HeadOutputs) and out.va.shape == (2, 2) and out.intensity.shape == (2,)
        assert out.quadrant is None
    cfg = Music2EmoConfig(embedding_dim=8, chord_dim=8, chord_heads=2, chord_layers=1, hidden=8, head_hidden=8)
    net = Music2Emo(cfg).eval()
    out = net(torch.zeros(2, 8), torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.long),
              torch.ones(2, 3, dtype=torch.bool), torch.zeros(2))  # fmt: skip
    assert isinstance(out, HeadOutputs) and out.gems.shape == (2, 9) and out.levels is None


def test_video_and_fusion_configs_share_head_settings(tmp_path):
    from mvemo.train.common import HeadSettings
    from mvemo.train.fusion import TrainFusionConfig
    from mvemo.train.video import TrainVideoConfig

    v, f = TrainVideoConfig("m.jsonl", "v.pt"), TrainFusionConfig("m.jsonl", "f.pt")
    assert isinstance(v, HeadSettings) and isinstance(f, HeadSettings)
    assert (v.hidden, f.hidden) == (64, 32) and v.epochs == f.epochs == 300 and v.val_fraction == f.val_fraction
    for cls in (TrainVideoConfig, TrainFusionConfig):
        with pytest.raises(ParameterError, match="hidden=0"):
            cls("m.jsonl", "x.pt", hidden=0)
        with pytest.raises(ParameterError, match="val_fraction=1"):
            cls("m.jsonl", "x.pt", val_fraction=1)

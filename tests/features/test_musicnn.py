"""The PyTorch musicnn port: golden outputs of the original TF network, shapes, edge cases."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mvemo.errors import DataError, MissingExtraError, ParameterError
from mvemo.features import musicnn as mn
from tests.features.test_tf_checkpoint import write_bundle

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"


def _golden_script():
    spec = importlib.util.spec_from_file_location("make_musicnn_golden", REPO / "scripts" / "make_musicnn_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_stays_light():
    code = (
        "import sys, mvemo.features, mvemo.features.musicnn, mvemo.features.tf_checkpoint\n"
        "mvemo.features.MTT_MUSICNN\n"
        "print(','.join(m for m in ('torch', 'librosa', 'tensorflow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_patch_arithmetic_matches_musicnn():
    assert mn.patch_frames(3.0) == 187 and mn.hop_frames(1.0) == 61 and mn.hop_frames(3.0) == 186
    logmel = np.arange(500 * 96, dtype=np.float32).reshape(500, 96)
    p = mn.make_patches(logmel)
    assert p.shape == (2, 187, 96)  # 500 frames: patches at 0 and 187, the tail is dropped
    np.testing.assert_array_equal(p[1], logmel[187:374])
    assert mn.make_patches(logmel, hop=61).shape == (6, 187, 96)  # starts 0, 61, ..., 305
    short = mn.make_patches(logmel[:50])  # repeat-pad
    assert short.shape == (1, 187, 96)
    np.testing.assert_array_equal(short[0, 50:100], logmel[:50])
    with pytest.raises(ParameterError, match="hop"):
        mn.make_patches(logmel, hop=0)


def test_bundles():
    assert mn.MTT_MUSICNN.feature_dims == {
        "timbral": 408,
        "temporal": 153,
        "cnn1": 64,
        "cnn2": 64,
        "cnn3": 64,
        "mean_pool": 753,
        "max_pool": 753,
        "penultimate": 200,
    }
    assert mn.MSD_MUSICNN_BIG.feature_dims["max_pool"] == 561 + 3 * 512
    with pytest.raises(ParameterError, match="MTT_vgg"):
        mn.load_musicnn("MTT_vgg")


def test_missing_musicnn_names_the_fix(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "musicnn" else real(name, *a))
    with pytest.raises(MissingExtraError, match=r"mvemo\[audio\].*pip install --no-deps musicnn"):
        mn.musicnn_checkpoint("MTT_musicnn")


# --------------------------------------------------------------------------- with torch + weights


@pytest.fixture(scope="module")
def musicnn_pkg():
    if importlib.util.find_spec("musicnn") is None:
        pytest.skip("musicnn is not installed (pip install --no-deps musicnn)")
    pytest.importorskip("torch")
    pytest.importorskip("librosa")


@pytest.fixture(scope="module")
def mtt(musicnn_pkg):
    return mn.load_musicnn("MTT_musicnn")


@pytest.fixture(scope="module")
def clip():
    return _golden_script().synth_clip()


@pytest.fixture(scope="module")
def mtt_out(mtt, clip):
    """MTT embeddings of the 10-s golden clip (3 patches), computed once."""
    return mtt.embed(clip, 16000)


def test_tags_match_the_installed_configuration(musicnn_pkg):
    from musicnn import configuration  # plain constants, no TensorFlow

    assert list(mn.MTT_TAGS) == configuration.MTT_LABELS and list(mn.MSD_TAGS) == configuration.MSD_LABELS


@pytest.mark.parametrize("name,filename", [("MTT_musicnn", "musicnn_mtt.npz"), ("MSD_musicnn", "musicnn_msd.npz")])
def test_golden(musicnn_pkg, mtt_out, clip, name, filename):
    golden = np.load(GOLDEN / filename)
    meta = json.loads(str(golden["meta"]))
    assert meta["model"] == name
    out = mtt_out if name == "MTT_musicnn" else mn.load_musicnn(name).embed(clip, 16000)
    for key in ("taggram", "penultimate", "mean_pool", "max_pool", "timbral", "temporal", "cnn3"):
        np.testing.assert_allclose(out[key], golden[key], rtol=1e-4, atol=1e-4, err_msg=f"{name} {key}")
    np.testing.assert_allclose(out["taggram"], golden["taggram"], atol=1e-5)


def test_embed_shapes(mtt, clip, mtt_out):
    out = mtt_out
    dims = mn.MTT_MUSICNN.feature_dims
    assert set(out) == {"taggram", *dims}
    assert out["taggram"].shape == (3, 50) and out["taggram"].dtype == np.float32
    assert all(out[k].shape == (3, d) for k, d in dims.items())
    assert np.all((out["taggram"] > 0) & (out["taggram"] < 1))
    frames = mtt.embed(clip[: 16000 * 3], 16000, frame_level=True)
    assert frames["timbral"].shape == (1, 187, 408) and frames["cnn1"].shape == (1, 187, 64)
    np.testing.assert_allclose(frames["timbral"].mean(axis=1), out["timbral"][:1], rtol=1e-5, atol=1e-5)


def test_extractor_layout(mtt, clip, mtt_out):
    taggram, tags, feats = mtt.extractor(clip[: 6 * 16000], 16000, input_overlap=1.0)
    assert taggram.shape == (4, 50) and tags == list(mn.MTT_TAGS)  # 376 frames: starts 0, 61, 122, 183
    assert feats["timbral"].shape == (4 * 187, 408) and feats["cnn3"].shape == (4 * 187, 64)
    assert feats["penultimate"].shape == (4, 200) and feats["max_pool"].shape == (4, 753)
    np.testing.assert_allclose(taggram[0], mtt_out["taggram"][0], atol=1e-6)
    np.testing.assert_allclose(feats["timbral"][:187].mean(axis=0), mtt_out["timbral"][0], atol=1e-5)
    taggram2, _ = mtt.extractor(clip[: 3 * 16000], 16000, extract_features=False)
    np.testing.assert_allclose(taggram2, mtt_out["taggram"][:1], atol=1e-6)


def test_resampling(mtt, clip, mtt_out):
    import librosa

    up = librosa.resample(clip[: 3 * 16000], orig_sr=16000, target_sr=22050, res_type="soxr_hq")
    b = mtt.embed(up, 22050)["taggram"]
    assert b.shape == (1, 50) and np.abs(mtt_out["taggram"][0] - b[0]).max() < 0.02


def test_short_audio_is_repeat_padded(mtt, clip):
    one_second = clip[:16000]  # 63 frames, tiled to 187
    out = mtt.embed(one_second, 16000)
    assert out["taggram"].shape == (1, 50) and np.all(np.isfinite(out["penultimate"]))
    manual = mtt.forward_patches(mn.make_patches(mn.log_mel(one_second, 16000)))
    np.testing.assert_allclose(out["taggram"], manual["taggram"], atol=1e-6)
    assert mtt.embed(clip[:512], 16000)["taggram"].shape == (1, 50)  # one FFT window is enough
    with pytest.raises(ParameterError, match="at least 512"):
        mtt.embed(clip[:511], 16000)


@pytest.mark.parametrize(
    "audio,sr,match",
    [
        (np.zeros(0, np.float32), 16000, "at least 512"),
        (np.zeros((2, 16000), np.float32), 16000, "mono"),
        (np.full(16000, np.nan, np.float32), 16000, "NaN"),
        (np.zeros(16000, np.float32), 0, "sample rate"),
        (np.zeros(16000, np.complex64), 16000, "real"),
        (np.zeros(16000, np.int16), 16000, "32768"),
    ],
)
def test_bad_audio(mtt, audio, sr, match):
    with pytest.raises(ParameterError, match=match):
        mtt.embed(audio, sr)


def test_loud_audio_stays_finite(mtt, clip):
    # musicnn's float16 log overflows here (NaN tags); the port clips and computes in float32
    out = mtt.embed(np.clip(40 * clip, -30, 30), 16000)
    assert np.all(np.isfinite(out["taggram"])) and np.all(np.isfinite(out["max_pool"]))


def test_bad_checkpoint_is_a_data_error(musicnn_pkg, tmp_path):
    write_bundle(str(tmp_path / "ckpt"), {"conv2d/kernel": np.zeros((7, 38, 1, 204), np.float32)})
    with pytest.raises(DataError, match="missing"):
        mn.load_musicnn("MTT_musicnn", checkpoint=tmp_path / "ckpt")
    with pytest.raises(DataError, match=r"shape"):
        mn.load_musicnn("MSD_musicnn_big", checkpoint=mn.musicnn_checkpoint("MSD_musicnn"))


def test_big_model_needs_a_source_install(musicnn_pkg):
    try:
        mn.musicnn_checkpoint("MSD_musicnn_big")
    except MissingExtraError as exc:
        assert "source" in str(exc) and "checkpoint=" in str(exc)
    else:
        pytest.skip("this musicnn install ships MSD_musicnn_big")


def test_front_end_pooling_shortcut_equals_the_full_computation():
    # max over frequency of bn(relu(conv)), with batch-norm scales of both signs and zero
    torch = pytest.importorskip("torch")
    net = mn._network_class()(n_tags=3, midend_filters=8, backend_units=4).eval()
    conv, bn = net.timbral[0], net.timbral_bn[0]
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(conv.out_channels, generator=g))
        bn.weight[:3] = 0.0
        bn.bias.copy_(torch.randn(conv.out_channels, generator=g))
        bn.running_mean.copy_(torch.randn(conv.out_channels, generator=g))
        bn.running_var.copy_(torch.rand(conv.out_channels, generator=g) + 0.5)
        x = torch.randn(2, 1, 20, 96, generator=g)
        full = bn(torch.relu(conv(x))).amax(dim=3)
        fast = net._conv_relu_bn_maxpool(x, conv, bn)
    assert (bn.weight < 0).any() and (bn.weight > 0).any()
    assert fast.shape == full.shape == (2, conv.out_channels, 14)
    torch.testing.assert_close(fast, full, rtol=1e-5, atol=1e-5)

"""mvemo.audio.dsp gives librosa's results without importing librosa."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mvemo.audio import dsp

librosa = pytest.importorskip("librosa")


@pytest.fixture
def signal():
    rng = np.random.default_rng(0)
    t = np.arange(3 * 22050) / 22050
    return (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.mark.parametrize("sr_out,quality", [(16000, "soxr_hq"), (11025, "soxr_mq")])
def test_resample_equals_librosa(signal, sr_out, quality):
    ours = dsp.resample(signal, 22050, sr_out, quality=quality)
    ref = librosa.resample(signal, orig_sr=22050, target_sr=sr_out, res_type=quality)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_melspectrogram_equals_librosa(signal, tmp_path, monkeypatch):
    monkeypatch.setenv("MVEMO_CACHE", str(tmp_path))
    y = dsp.resample(signal, 22050, 16000)
    ref = librosa.feature.melspectrogram(
        y=y,
        sr=16000,
        n_fft=512,
        hop_length=256,
        n_mels=96,
        window="hann",
        center=True,
        pad_mode="constant",
        power=2.0,
        htk=False,
        norm="slaney",
    )
    for _ in range(2):  # computed, then read from the disk cache
        ours = dsp.melspectrogram(y, sr=16000, n_fft=512, hop_length=256, n_mels=96)
        assert ours.dtype == np.float32 and ours.shape == ref.shape
        np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-30)
        # musicnn keeps float16 mels: identical there
        assert np.array_equal(ours.astype(np.float16), ref.astype(np.float16))
    assert list((tmp_path / "filters").glob("mel_sr16000_fft512_m96*.npy"))


def test_rms_equals_librosa(signal):
    ours = dsp.frame_rms(signal, frame_length=4096, hop_length=2048)
    ref = librosa.feature.rms(y=signal, frame_length=4096, hop_length=2048)[0]
    np.testing.assert_allclose(ours, ref, rtol=1e-6)


@pytest.mark.parametrize("down", [2, 3, 4])
@pytest.mark.parametrize("n", [1, 2, 5, 41, 1001, 3 * 22050 // 2])
def test_decimate_equals_scipy_resample_poly(signal, n, down):
    from scipy.signal import resample_poly

    x = signal[:n]
    ref = resample_poly(x, 1, down)
    ours = dsp.decimate(x, down)
    assert ours.dtype == ref.dtype == np.float32 and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)  # the same bits, not merely close


def test_decimate_rejects_bad_factors(signal):
    from mvemo.errors import ParameterError

    for bad in (0, -2, 2.0, True):
        with pytest.raises(ParameterError, match=repr(bad)):
            dsp.decimate(signal, bad)
    with pytest.raises(ParameterError, match=r"\(2, 3\)"):
        dsp.decimate(np.zeros((2, 3), np.float32), 2)
    np.testing.assert_array_equal(dsp.decimate(signal, 1), signal)


def test_music_prediction_path_does_not_import_librosa(tmp_path, monkeypatch):
    """The point of the module: no librosa/numba start-up cost in `mvemo predict song.mp3`
    (once the mel filters are in the disk cache, as after the first run)."""
    monkeypatch.setenv("MVEMO_CACHE", str(tmp_path))
    dsp.mel_filterbank(16000, 512, 96)  # musicnn's
    dsp.mel_filterbank(11025, 1024, 64)  # the tempo's onset envelope
    code = (
        "import sys, numpy as np\n"
        "from mvemo.features.music import load_track_audio, compute_harmony\n"
        "from mvemo.features.musicnn import log_mel\n"
        "y16, y22 = load_track_audio(sys.argv[1]); log_mel(y16, 16000); compute_harmony(y22)\n"
        "print(sorted(m for m in ('librosa', 'numba', 'scipy.signal') if m in sys.modules))\n"
    )
    from pathlib import Path

    mp3 = Path(__file__).resolve().parents[2] / "examples" / "audio" / "bach_chorale_bwv66.6.mp3"
    out = subprocess.run(
        [sys.executable, "-c", code, str(mp3)],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "MVEMO_CACHE": str(tmp_path)},
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"

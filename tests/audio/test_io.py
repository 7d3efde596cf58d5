"""Tests for mvemo.audio.io: every fixture is synthesised and encoded here, in tmp_path."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

av = pytest.importorskip("av")
sf = pytest.importorskip("soundfile")

from mvemo.audio import audio_duration, check_audio, load_audio, pad_to, rms_dbfs  # noqa: E402
from mvemo.errors import DataError, ParameterError  # noqa: E402

SR = 44100
DUR = 2.0
MARKS = (0.5, 1.0, 1.5)  # seconds where a 5 ms burst rises above the tone


def _signal(sr: int = SR, dur: float = DUR) -> np.ndarray:
    """Stereo test signal, shape (2, n): quiet tones with loud bursts at MARKS."""
    t = np.arange(int(round(dur * sr))) / sr
    burst = np.zeros_like(t)
    for m in MARKS:
        burst[(t >= m) & (t < m + 0.005)] = 1.0
    gain = 0.1 + 0.8 * burst
    left = gain * np.sin(2 * np.pi * 440 * t)
    right = 0.5 * gain * np.sin(2 * np.pi * 440 * t)
    return np.stack([left, right]).astype(np.float32)


def _encode(
    path: Path,
    y: np.ndarray,
    sr: int,
    codec: str | None,
    *,
    rate: int | None = None,
    fmt: str | None = None,
    video: str | None = None,
) -> Path:
    """Encode ``y`` (channels, n) with PyAV; ``codec=None`` writes a video-only file."""
    with av.open(str(path), "w", format=fmt) as out:
        vstream = None
        if video:
            vstream = out.add_stream(video, rate=10)
            vstream.width = vstream.height = 32
            vstream.pix_fmt = "yuv420p"
        if codec:
            rate = rate or sr
            astream = out.add_stream(codec, rate=rate)
            astream.layout = "stereo"
            res = av.AudioResampler(format=astream.codec_context.format.name, layout="stereo", rate=rate)
            frames = []
            for i in range(0, y.shape[1], 1024):
                fr = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(y[:, i : i + 1024]), format="fltp", layout="stereo"
                )
                fr.sample_rate, fr.pts, fr.time_base = sr, i, Fraction(1, sr)
                frames += res.resample(fr)
            frames += res.resample(None)
            for fr in [*frames, None]:
                out.mux(astream.encode(fr))
        if vstream is not None:
            for i in range(int(y.shape[1] / sr * 10)):
                img = np.full((32, 32, 3), i * 20 % 255, np.uint8)
                fr = av.VideoFrame.from_ndarray(img, format="rgb24")
                fr.pts = i
                out.mux(vstream.encode(fr))
            out.mux(vstream.encode(None))
    return path


# name -> (suffix, codec, container format, codec rate, video codec, decoded rate, frame tolerance)
FORMATS = {
    "mp3": (".mp3", "libmp3lame", None, None, None, SR, 1152),
    "opus": (".opus", "libopus", "ogg", 48000, None, 48000, 960),
    "ogg": (".ogg", "libopus", "ogg", 48000, None, 48000, 960),  # soundfile fast path
    "flac": (".flac", "flac", None, None, None, SR, 0),
    "m4a": (".m4a", "aac", "mp4", None, None, SR, 1024),
    "mp4": (".mp4", "aac", None, None, "libx264", SR, 1024),
    "webm": (".webm", "libopus", None, 48000, "libvpx", 48000, 960),
    "mkv": (".mkv", "aac", None, None, "libx264", SR, 1024),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("audio")
    y = _signal()
    out = {"wav": d / "a.wav"}
    sf.write(out["wav"], y.T, SR)
    for name, (suffix, codec, fmt, rate, video, _, _) in FORMATS.items():
        out[name] = _encode(d / f"a{suffix}", y, SR, codec, rate=rate, fmt=fmt, video=video)
    out["noaudio"] = _encode(d / "noaudio.mp4", y, SR, None, video="libx264")
    out["zero"] = d / "zero.mp3"
    out["zero"].write_bytes(b"")
    out["text"] = d / "text.mp3"
    out["text"].write_text("this is not audio\n" * 50)
    out["nosamples"] = d / "nosamples.wav"
    sf.write(out["nosamples"], np.zeros((0, 2), np.float32), SR)
    return out


def _marks(y: np.ndarray, sr: int) -> np.ndarray:
    """Onset times (s) of the bursts in a mono signal."""
    idx = np.flatnonzero(np.abs(y) > 0.3)
    starts = idx[np.r_[True, np.diff(idx) > sr // 10]]
    return starts / sr


def test_wav_mono_downmix_and_channels(files):
    y, sr = load_audio(files["wav"])
    both, _ = load_audio(files["wav"], mono=False)
    assert sr == SR and y.dtype == np.float32 and y.shape == (int(DUR * SR),)
    assert both.shape == (2, int(DUR * SR))
    np.testing.assert_allclose(y, both.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(y, 0.75 * _signal()[0], atol=1e-4)  # (L + 0.5 L) / 2


@pytest.mark.parametrize("name", list(FORMATS))
def test_formats_rate_duration_alignment(files, name):
    *_, rate, tol = FORMATS[name]
    y, sr = load_audio(files[name])
    assert sr == rate and y.ndim == 1 and y.dtype == np.float32
    assert abs(len(y) - DUR * sr) <= tol  # encoders may pad the last frame
    np.testing.assert_allclose(_marks(y, sr), MARKS, atol=0.002)  # priming removed
    assert abs(audio_duration(files[name]) - DUR) <= max(tol, 480) / sr


def test_resampling(files):
    y, sr = load_audio(files["wav"], sr=16000)
    assert sr == 16000 and abs(len(y) - DUR * 16000) <= 1
    spec = np.abs(np.fft.rfft(y[:sr]))  # 1 Hz bins
    assert abs(np.argmax(spec) - 440) <= 1  # the tone survives
    np.testing.assert_allclose(_marks(y, sr), MARKS, atol=0.002)


@pytest.mark.parametrize("name", ["wav", "mp3", "webm"])
def test_offset_and_duration(files, name):
    full, sr = load_audio(files[name])
    part, sr2 = load_audio(files[name], offset=0.75, duration=0.5)
    start = int(round(0.75 * sr))
    assert sr2 == sr and len(part) == int(round(0.5 * sr))
    np.testing.assert_allclose(part, full[start : start + len(part)], atol=1e-6)


@pytest.mark.parametrize("name", ["mp3", "m4a", "webm"])
def test_seek_path_matches_full_decode(files, name, monkeypatch):
    import mvemo.audio.io as aio

    full, sr = load_audio(files[name])
    monkeypatch.setattr(aio, "_SEEK_MIN_OFFSET", 1.0)  # seek instead of decoding from 0
    part, _ = load_audio(files[name], offset=1.6, duration=0.3)
    start = int(round(1.6 * sr))
    # Matroska/WebM timestamps are in ms, so allow 1 ms there; elsewhere exact
    lags = range(-48, 49) if name == "webm" else [0]
    err = min(np.abs(part - full[start + lag : start + lag + len(part)]).max() for lag in lags)
    assert len(part) == int(round(0.3 * sr)) and err < 1e-6


def test_errors_name_the_file(files, tmp_path):
    cases = {
        tmp_path / "missing.mp3": "no such file",
        files["zero"]: r"empty file \(0 bytes\)",
        files["text"]: "not a readable audio",
        files["noaudio"]: "video file has no audio track",
        files["nosamples"]: r"empty \(0 samples\)",
    }
    for path, msg in cases.items():
        with pytest.raises(DataError, match=msg) as info:
            load_audio(path)
        assert str(path) in str(info.value)
    for path in (files["noaudio"], files["text"], files["zero"]):
        with pytest.raises(DataError, match=str(path.name)):
            audio_duration(path)
    with pytest.raises(DataError, match="past the end"):
        load_audio(files["mp3"], offset=10.0)


def test_bad_parameters(files):
    for kwargs in ({"sr": 0}, {"sr": 16000.5}, {"offset": -1.0}, {"duration": 0.0}):
        with pytest.raises(ParameterError):
            load_audio(files["wav"], **kwargs)


def test_check_audio():
    sr = 8000
    tone = 0.1 * np.sin(2 * np.pi * 220 * np.arange(sr) / sr)
    assert check_audio(tone, sr, min_duration=0.5) == pytest.approx(-23.0, abs=0.1)
    with pytest.raises(DataError, match="clip.wav: audio is silent"):
        check_audio(tone * 1e-3, sr, path="clip.wav")  # -83 dBFS
    with pytest.raises(DataError, match="too short"):
        check_audio(tone, sr, path="clip.wav", min_duration=2.0)
    with pytest.raises(DataError, match="NaN"):
        check_audio(np.r_[tone, np.nan], sr)
    with pytest.raises(DataError, match="empty"):
        check_audio(np.zeros(0), sr)
    assert rms_dbfs(np.zeros(4)) == -np.inf


def test_pad_to_policy():
    y = np.arange(1.0, 4.0)
    np.testing.assert_array_equal(pad_to(y, 5), [1, 2, 3, 0, 0])
    np.testing.assert_array_equal(pad_to(y, 7, mode="repeat"), [1, 2, 3, 1, 2, 3, 1])
    assert pad_to(y, 2) is y  # never truncates
    assert pad_to(np.ones((2, 3)), 4).shape == (2, 4)
    with pytest.raises(ParameterError):
        pad_to(y, 5, mode="reflect")


def test_import_is_cheap():
    code = "import sys, mvemo.audio\nprint([m for m in ('av', 'soundfile', 'librosa', 'soxr') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

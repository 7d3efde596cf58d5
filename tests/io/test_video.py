import numpy as np
import pytest

pytest.importorskip("av")

from mvemo.errors import DataError  # noqa: E402
from mvemo.features.frames import (  # noqa: E402
    STATIC_THRESHOLD,
    dynamic_frame_times,
    static_score,
    static_times,
    window_frame_indices,
    window_frame_times,
)
from mvemo.io.video import (  # noqa: E402
    media_streams,
    normalize_video,
    probe_video,
    sample_frames,
    scan_video,
    write_video,
)

COLOURS = [(220, 30, 30), (20, 20, 120), (240, 240, 200)]


def _shots(path, seconds_per_shot=2.0, n_shots=3, fps=10, size=(48, 32), audio=False):
    w, h = size
    frames = [
        np.full((h, w, 3), COLOURS[int(k / fps // seconds_per_shot) % len(COLOURS)], np.uint8)
        for k in range(int(fps * seconds_per_shot * n_shots))
    ]
    y = None
    if audio:
        sr = 16000
        t = np.arange(int(sr * seconds_per_shot * n_shots)) / sr
        y = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return write_video(path, frames, fps=fps, audio=y, sample_rate=16000)


def test_sampling_times_follow_mvemo():
    assert static_times(12.0).tolist() == [0.0, 5.0, 10.0]
    long = static_times(3600.0)
    assert len(long) == 64 and long[0] == 0 and np.all(np.mod(long, 5.0) == 0) and np.all(np.diff(long) > 0)
    assert dynamic_frame_times(4.9).tolist() == []
    t = dynamic_frame_times(7.0)  # grid 2.5 ... 4.5 -> frames 0 ... 7.0
    assert t[0] == 0 and t[-1] == 7.0 and np.allclose(np.diff(t), 0.5)
    idx = window_frame_indices(5)
    assert idx.shape == (5, 11)
    # window i covers t_i - 2.5 ... t_i + 2.5 at 0.5-s steps, as frames of the shared grid
    assert np.allclose(t[idx[2]], window_frame_times(3.5))
    assert window_frame_times(3.5).tolist()[0] == 1.0 and window_frame_times(3.5).tolist()[-1] == 6.0


def test_frames_at_times_and_one_pass(tmp_path):
    p = _shots(tmp_path / "shots.mp4")
    info = probe_video(p)
    assert info.fps == 10 and abs(info.duration - 6.0) < 0.11 and (info.width, info.height) == (48, 32)
    frames, info2 = sample_frames(p, [0.0, 1.95, 2.0, 3.9, 4.05, 5.9, 9.0], size=16)
    assert frames.shape == (7, 16, 16, 3) and info2.n_frames == 60
    expected = [0, 0, 1, 1, 2, 2, 2]  # the frame on screen at t; past the end: the last frame
    for f, k in zip(frames, expected):
        assert np.abs(f[8, 8].astype(int) - COLOURS[k]).max() < 12
    calls = []
    scan_video(p, np.array([0.5, 1.0, 1.0]), lambda i, t, rgb: calls.append((i, t, rgb.shape)), size=8)
    assert calls == [(0, 0.5, (8, 8, 3)), (1, 1.0, (8, 8, 3)), (2, 1.0, (8, 8, 3))]


def test_static_filter_separates_still_and_moving(tmp_path):
    still = write_video(tmp_path / "still.mp4", [np.full((32, 32, 3), (90, 140, 60), np.uint8)] * 55, fps=5)
    f, _ = sample_frames(still, static_times(11.0), size=64)
    assert len(f) == 3 and static_score(f) <= STATIC_THRESHOLD
    moving = _shots(tmp_path / "moving.mp4", seconds_per_shot=5.0, n_shots=3, fps=5)
    f, _ = sample_frames(moving, static_times(15.0), size=64)
    assert static_score(f) > 100 * STATIC_THRESHOLD
    assert static_score(f[:1]) == 0.0


def test_normalize_keeps_timing_and_audio(tmp_path):
    src = _shots(tmp_path / "src.mp4", fps=12, audio=True)
    info = normalize_video(src, tmp_path / "norm.mp4")
    assert info.fps == 30 and info.has_audio and abs(info.duration - 6.0) < 0.1
    assert not list(tmp_path.glob(".*tmp*"))
    a, _ = sample_frames(src, [0.5, 2.5, 4.5], size=8)
    b, _ = sample_frames(tmp_path / "norm.mp4", [0.5, 2.5, 4.5], size=8)
    assert np.abs(a.astype(int) - b.astype(int)).max() < 16
    from mvemo.audio import load_audio

    y, sr = load_audio(tmp_path / "norm.mp4", sr=16000)
    assert abs(len(y) / sr - 6.0) < 0.2 and np.sqrt(np.mean(y**2)) > 0.1


def test_bad_files_raise_data_error_naming_the_file(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(DataError, match="junk.mp4"):
        sample_frames(junk, [0.0])
    sf = pytest.importorskip("soundfile")
    wav = tmp_path / "tone.wav"
    sf.write(wav, np.zeros(8000, np.float32) + 0.1, 8000)
    with pytest.raises(DataError, match="tone.wav: has no video stream"):
        probe_video(wav)
    assert media_streams(wav) == {"video": False, "audio": True}
    with pytest.raises(DataError, match="missing.mp4"):
        media_streams(tmp_path / "missing.mp4")
    with pytest.raises(DataError, match="junk.mp4"):
        normalize_video(junk, tmp_path / "out.mp4")

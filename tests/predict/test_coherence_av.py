"""Every record the music, video and fused predictors write is one coherent emotion point per label:
the category lies in the quadrant, the valence-arousal point in the category's sector, and the
intensity is the point's relative radius on the 0.1 grid (issue #16)."""

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("musicnn", exc_type=ImportError)
pytest.importorskip("av")
pytest.importorskip("cv2")
pytest.importorskip("scenedetect")
sf = pytest.importorskip("soundfile")

from mvemo.conversion.point import coherence_problems  # noqa: E402
from mvemo.io.video import write_video  # noqa: E402
from mvemo.predict.multimodal import MultimodalModel  # noqa: E402
from mvemo.predict.music import load_music_model  # noqa: E402
from mvemo.predict.video import load_video_model  # noqa: E402

torch.set_num_threads(1)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def music():
    return load_music_model()


@pytest.fixture(scope="module")
def video():
    return load_video_model()


def _problems(rec) -> list[str]:
    """All coherence problems of a record (JSON dict or PredictionRecord), each naming where."""
    d = rec.to_dict() if hasattr(rec, "to_dict") else rec
    s = d["static"]
    out = [
        f"static: {p}"
        for p in coherence_problems(s["category"], s["intensity"], s["valence"], s["arousal"], s["quadrant"])
    ]
    # the quadrant is the most probable one, and the 28 probabilities are the quadrant table's source
    if max(s["quadrant_probabilities"], key=s["quadrant_probabilities"].get) != s["quadrant"]:
        out.append(f"static: quadrant {s['quadrant']} is not the most probable")
    for f in d["dynamic"]:
        out += [
            f"t={f['time']}: {p}" for p in coherence_problems(f["category"], f["intensity"], f["valence"], f["arousal"])
        ]
    return out


def _tone(path, seconds, freqs, sr=22050, tremolo=2.0):
    t = np.arange(int(seconds * sr)) / sr
    y = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    y = 0.3 * y * (0.6 + 0.4 * np.sin(2 * np.pi * tremolo * t))
    sf.write(path, y.astype(np.float32), sr)
    return path


def _noise_bursts(path, seconds, sr=22050):
    rng = np.random.default_rng(3)
    y = rng.normal(size=int(seconds * sr)) * (np.arange(int(seconds * sr)) % (sr // 4) < sr // 16)
    sf.write(path, (0.2 * y).astype(np.float32), sr)
    return path


def _clip(path, seconds=6.0, fps=10, audio=True):
    frames = [
        np.full((32, 32, 3), (40, 40, 160) if k < 30 else (230, 230, 90), np.uint8) for k in range(int(seconds * fps))
    ]
    y = (0.3 * np.sin(2 * np.pi * 330 * np.arange(int(seconds * 16000)) / 16000)).astype(np.float32) if audio else None
    return write_video(path, frames, fps=fps, audio=y, sample_rate=16000)


def test_music_records_are_coherent(music, tmp_path):
    inputs = sorted((EXAMPLES / "audio").glob("*.mp3")) + [
        _tone(tmp_path / "major.wav", 8.0, (261.6, 329.6, 392.0)),
        _tone(tmp_path / "minor_slow.wav", 7.0, (220.0, 261.6, 329.6), tremolo=0.5),
        _noise_bursts(tmp_path / "bursts.wav", 6.0),
        _tone(tmp_path / "short.wav", 3.0, (440.0,)),
    ]
    n_frames = 0
    for path in inputs:
        rec = music.predict(path)
        assert _problems(rec) == [], path
        n_frames += len(rec.dynamic)
    assert n_frames > 50


def test_video_records_are_coherent(video, tmp_path):
    flicker = [np.full((32, 32, 3), (200, 30, 30) if (k // 4) % 2 else (20, 20, 40), np.uint8) for k in range(70)]
    inputs = [
        EXAMPLES / "video" / "rag_clip.mp4",
        _clip(tmp_path / "clip.mp4", audio=False),
        write_video(tmp_path / "flicker.mp4", flicker, fps=10),
    ]
    for path in inputs:
        rec = video.predict(path)
        assert rec.dynamic and _problems(rec) == [], path


def test_fused_records_are_coherent(music, video, tmp_path):
    model = MultimodalModel(loaders={"music": lambda: music, "video": lambda: video})
    for path in (EXAMPLES / "video" / "rag_clip.mp4", _clip(tmp_path / "clip.mp4")):
        rec = model.predict(path)
        d = rec.to_dict()
        assert set(d["features"]["used"]) == {"music", "video"}
        assert d["dynamic"] and _problems(d) == [], path
        for m in ("music", "video"):
            assert _problems(d["modalities"][m]) == [], (path, m)

import json

import numpy as np
import pytest

pytest.importorskip("av")
pytest.importorskip("cv2")
pytest.importorskip("scenedetect")
torch = pytest.importorskip("torch")

from mvemo.conversion.dynamic import grid_times  # noqa: E402
from mvemo.data.manifest import Item, write_manifest  # noqa: E402
from mvemo.errors import DataError  # noqa: E402
from mvemo.io.video import write_video  # noqa: E402
from mvemo.models.fusion import static_from_distribution  # noqa: E402
from mvemo.predict.multimodal import MultimodalModel, load_multimodal_model  # noqa: E402
from mvemo.representation import CATEGORIES  # noqa: E402

torch.set_num_threads(1)


class FakePredictor:
    """Stands in for the music / lyrics predictors: a fixed, confident label on the grid."""

    def __init__(self, name, category, v, a, *, fail=False, duration=6.0):
        self.name, self.category, self.v, self.a, self.fail, self.duration = name, category, v, a, fail, duration
        self.calls = []

    def predict(self, path, *, dynamic=True):
        self.calls.append(str(path))
        if self.fail:
            raise DataError(f"{path}: cannot read lyrics")
        p = np.full(28, 0.1 / 27)
        p[CATEGORIES.index(self.category)] = 0.9
        dyn = (
            [
                {"time": float(t), "category": self.category, "intensity": 0.6, "valence": self.v, "arousal": self.a}
                for t in grid_times(self.duration)
            ]
            if dynamic
            else []
        )
        return {
            "file": str(path),
            "model": self.name,
            "duration": self.duration,
            "static": static_from_distribution(p, self.v, self.a, 0.6),
            "dynamic": dyn,
            "features": {},
        }


def _clip(path, seconds=6.0, fps=10, audio=True):
    frames = [
        np.full((32, 32, 3), (40, 40, 160) if k < 30 else (230, 230, 90), np.uint8) for k in range(int(seconds * fps))
    ]
    y = (0.3 * np.sin(2 * np.pi * 330 * np.arange(int(seconds * 16000)) / 16000)).astype(np.float32) if audio else None
    return write_video(path, frames, fps=fps, audio=y, sample_rate=16000)


def _model(music=None, lyrics=None):
    return MultimodalModel(
        loaders={
            "music": lambda: music or FakePredictor("fake-music", "sad", -0.6, -0.4),
            "lyrics": lambda: lyrics or FakePredictor("fake-lyrics", "sad", -0.5, -0.2),
        }
    )


def test_video_with_audio_and_lyrics_fuses_three_modalities(tmp_path):
    clip = _clip(tmp_path / "clip.mp4")
    lrc = tmp_path / "clip.lrc"
    lrc.write_text("[00:01.00]so sad tonight\n", encoding="utf-8")
    rec = _model().predict(clip, lyrics=lrc)
    assert rec["modality"] == "multimodal" and rec["file"] == str(clip) and abs(rec["duration"] - 6.0) < 0.1
    mods = rec["modalities"]
    assert set(mods) == {"music", "video", "lyrics"} and all("static" in m for m in mods.values())
    assert mods["video"]["model"] == "video-colour-prior-v1" and "cuts" in mods["video"]["features"]
    assert mods["lyrics"]["file"] == str(lrc)
    assert rec["static"] == rec["fused"]["static"] and rec["dynamic"] == rec["fused"]["dynamic"]
    w = rec["fused"]["weights"]
    assert set(w) == {"music", "video", "lyrics"} and abs(sum(w.values()) - 1) < 1e-3
    assert w["music"] > w["video"]  # the fake music is confident; the colour prior is not
    assert rec["static"]["category"] == "sad"
    assert [d["time"] for d in rec["dynamic"]] == grid_times(6.0).tolist()
    assert all(d["modalities"] == ["lyrics", "music", "video"] for d in rec["dynamic"])
    assert rec["features"]["used"] == ["music", "video", "lyrics"]
    json.dumps(rec.to_dict())
    from mvemo.predict.batch import _csv_row

    assert _csv_row(rec)["category"] == "sad"  # CSV output reads the fused static label


def test_missing_and_failed_modalities_are_reported(tmp_path):
    clip = _clip(tmp_path / "clip.mp4", audio=False)
    lrc = tmp_path / "clip.lrc"
    lrc.write_text("la la\n", encoding="utf-8")
    rec = _model(lyrics=FakePredictor("x", "sad", 0, 0, fail=True)).predict(clip, lyrics=lrc)
    assert rec.modalities["music"].to_dict() == {"missing": "no audio track"}
    assert "cannot read lyrics" in rec["modalities"]["lyrics"]["error"]
    assert rec["features"]["used"] == ["video"] and rec["fused"]["weights"] == {"video": 1.0}
    assert rec["static"]["category"] == rec["modalities"]["video"]["static"]["category"]
    # an audio-only file with lyrics: video is missing, not an error
    sf = pytest.importorskip("soundfile")
    wav = tmp_path / "song.wav"
    sf.write(wav, (0.3 * np.sin(np.arange(16000 * 6) * 0.1)).astype(np.float32), 16000)
    rec = _model().predict(wav, lyrics=lrc)
    assert rec.modalities["video"].to_dict() == {"missing": "no video stream"}
    assert set(rec["fused"]["weights"]) == {"music", "lyrics"}
    assert _model().predict(wav).modalities["lyrics"].to_dict() == {"missing": "no lyrics given"}
    # nothing usable, or not a media file at all
    with pytest.raises(DataError, match="no modality could be predicted"):
        _model(music=FakePredictor("m", "sad", 0, 0, fail=True)).predict(wav)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 500)
    with pytest.raises(DataError, match="junk.mp4"):
        _model().predict(junk)


def test_fusion_head_training_and_use(tmp_path):
    items = []
    for i in range(6):
        name = f"c{i}.mp4"
        _clip(tmp_path / name)
        cat = "sad" if i % 2 else "calm"
        items.append(
            Item(
                id=f"mm:{i}",
                dataset="mm",
                modality="video",
                media={"video": name},
                static={"category": cat, "intensity": 0.6},
                dynamic=[{"time": 2.5, "category": cat, "intensity": 0.6}],
            )
        )
    write_manifest(items, tmp_path / "mm.jsonl")

    # the fake music model "hears" the label: odd items sad, even items calm
    class LabelMusic(FakePredictor):
        def predict(self, path, *, dynamic=True):
            odd = int(str(path)[-5]) % 2
            self.category, self.v, self.a = ("sad", -0.6, -0.4) if odd else ("calm", 0.4, -0.6)
            return super().predict(path, dynamic=dynamic)

    from mvemo.train.fusion import TrainFusionConfig, train_fusion

    video = FakePredictor("v", "happy", 0.2, 0.1)  # uninformative: the same for every clip
    mm = MultimodalModel(loaders={"music": lambda: LabelMusic("m", "sad", 0, 0), "video": lambda: video})
    cfg = TrainFusionConfig(
        manifest=str(tmp_path / "mm.jsonl"), out=str(tmp_path / "fusion.pt"), epochs=200, lr=1e-2, val_fraction=0.34
    )
    report = train_fusion(cfg, model=mm, log=lambda s: None)
    assert report["n_samples_train"] + report["n_samples_validation"] == 12
    assert report["train"]["static"]["category_f1"] == 1.0
    assert (tmp_path / "fusion.records.jsonl").read_text().count("\n") == 6
    fused = load_multimodal_model(
        tmp_path / "fusion.pt", loaders={"music": lambda: LabelMusic("m", "sad", 0, 0), "video": lambda: video}
    )
    rec = fused.predict(tmp_path / "c3.mp4")
    assert rec["fused"]["method"] == "fusion head" and rec["model"] == "fusion-head-v1"
    assert rec["static"]["category"] == "sad" and rec["dynamic"] and rec["dynamic"][0]["category"] == "sad"
    # resumable: a second run predicts nothing again
    music = LabelMusic("m", "sad", 0, 0)
    from dataclasses import replace

    train_fusion(
        replace(cfg, epochs=1),
        model=MultimodalModel(loaders={"music": lambda: music, "video": lambda: video}),
        log=lambda s: None,
    )
    assert music.calls == []
    from click.testing import CliRunner

    from mvemo.cli.train_fusion import command

    assert "--manifest" in CliRunner().invoke(command, ["--help"]).output


def test_plots_of_multimodal_and_single_records(tmp_path):
    pytest.importorskip("matplotlib")
    from mvemo.predict.plot import plot_prediction

    lrc = tmp_path / "a.lrc"
    lrc.write_text("x\n", encoding="utf-8")
    rec = _model(lyrics=FakePredictor("x", "sad", 0, 0, fail=True)).predict(_clip(tmp_path / "a.mp4"), lyrics=lrc)
    out = plot_prediction(rec, tmp_path / "plots" / "a.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20000
    single = plot_prediction({**rec["modalities"]["video"], "file": "a.mp4"}, tmp_path / "plots" / "v.png")
    assert single.stat().st_size > 10000


def test_non_english_lyrics_lose_weight():
    def mods(likely_english):
        music = FakePredictor("m", "sad", -0.6, -0.4).predict("a.mp3")
        lyr = FakePredictor("l", "happy", 0.6, 0.2).predict("a.lrc")
        lyr["features"] = {"language_hint": {"likely_english": likely_english}}
        return {"music": music, "lyrics": lyr, "video": {"missing": "no video stream"}}

    english = _model().fuse(mods(True))["weights"]
    other = _model().fuse(mods(False))["weights"]
    assert english["lyrics"] == pytest.approx(0.5, abs=1e-3)
    assert other["lyrics"] == pytest.approx(0.25 / 1.25, abs=1e-3)

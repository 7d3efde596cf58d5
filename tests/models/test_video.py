import json

import numpy as np
import pytest

pytest.importorskip("av")
pytest.importorskip("cv2")
pytest.importorskip("scenedetect")
torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from mvemo.conversion.dynamic import grid_times  # noqa: E402
from mvemo.data.manifest import Item, write_manifest  # noqa: E402
from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.io.video import write_video  # noqa: E402
from mvemo.models.video import colour_prior_va  # noqa: E402
from mvemo.predict.video import load_video_model  # noqa: E402
from mvemo.representation import CATEGORIES  # noqa: E402
from mvemo.train.video import TrainVideoConfig, train_video  # noqa: E402

torch.set_num_threads(1)


def _video(path, colour, seconds=5.5, fps=10, flicker=False):
    frames = []
    for k in range(int(seconds * fps)):
        c = colour if not (flicker and (k // 3) % 2) else tuple(255 - x for x in colour)
        frames.append(np.full((32, 32, 3), c, np.uint8))
    return write_video(path, frames, fps=fps)


def test_colour_prior_follows_valdez_mehrabian():
    v0, a0 = colour_prior_va(0.5, 0.5)
    assert abs(v0) < 1e-12 and abs(a0) < 1e-12  # the documented centre
    v_lo, _ = colour_prior_va(0.2, 0.5)
    v_hi, _ = colour_prior_va(0.8, 0.5)
    assert v_hi > v_lo  # pleasure rises with brightness (0.69) ...
    _, a_lo = colour_prior_va(0.5, 0.1)
    _, a_hi = colour_prior_va(0.5, 0.9)
    assert a_hi > a_lo  # ... arousal with saturation (0.60)
    assert colour_prior_va(1.0, 1.0)[0] == pytest.approx(1.0) and colour_prior_va(0.0, 0.0)[0] == -1.0
    _, calm = colour_prior_va(0.5, 0.5, motion=0.0, cut_rate=0.0)
    _, busy = colour_prior_va(0.5, 0.5, motion=20.0, cut_rate=60.0)
    assert calm == pytest.approx(-0.5) and busy > 0.4
    with pytest.raises(ParameterError):
        colour_prior_va(0.5, 0.5, motion=1.0)


def test_prior_record_schema(tmp_path):
    model = load_video_model()
    rec = model.predict(_video(tmp_path / "clip.mp4", (250, 220, 120)))
    assert rec["modality"] == "video" and rec["model"] == "video-colour-prior-v1"
    s = rec["static"]
    assert s["category"] in CATEGORIES and s["intensity"] in [i / 10 for i in range(11)]
    assert abs(sum(s["probabilities"].values()) - 1) < 1e-3 and s["quadrant"] in ("Q1", "Q2", "Q3", "Q4")
    assert s["valence"] > 0  # bright warm frames
    assert [d["time"] for d in rec["dynamic"]] == grid_times(rec["duration"]).tolist()
    assert rec["features"]["is_static"] is False or rec["features"]["static_mse"] <= 2
    json.dumps(rec.to_dict())
    assert model.predict(tmp_path / "clip.mp4", dynamic=False).dynamic == ()


def test_train_video_head_on_synthetic_videos(tmp_path):
    # two visually distinct classes: bright still pastel (relaxed) vs dark flickering red (angry)
    items = []
    for i in range(6):
        cls = i % 2
        name = f"v{i}.mp4"
        if cls == 0:
            _video(tmp_path / name, (200 + 5 * i, 230, 200), flicker=False)
            lab = {"category": "relaxed", "intensity": 0.6}
        else:
            _video(tmp_path / name, (150 + 5 * i, 10, 10), flicker=True)
            lab = {"category": "angry", "intensity": 0.8}
        dyn = [{"time": t, **lab} for t in (2.5, 3.0)]
        items.append(
            Item(
                id=f"toy:{i}",
                dataset="toy",
                modality="video",
                media={"video": name},
                static=lab,
                dynamic=dyn,
                split="test" if i >= 4 else "train",
            )
        )
    manifest = tmp_path / "toy.jsonl"
    write_manifest(items, manifest)
    out = tmp_path / "head.pt"
    cfg = TrainVideoConfig(manifest=str(manifest), out=str(out), cache_dir=str(tmp_path / "cache"), epochs=150, lr=1e-2)
    report = train_video(cfg, log=lambda s: None)
    assert report["n_samples_train"] == 4 * 3 and report["n_samples_validation"] == 2 * 3
    assert report["validation"]["static"]["category_f1"] == 1.0
    assert (out.with_suffix(".json")).is_file() and any((tmp_path / "cache").rglob("*.npz"))
    model = load_video_model(out)
    assert model.name == "video-head-v1"
    rec = model.predict(tmp_path / "v5.mp4")
    assert rec["static"]["category"] == "angry" and {d["category"] for d in rec["dynamic"]} == {"angry"}
    # the CLI command (features come from the cache now)
    from mvemo.cli.train_video import command

    res = CliRunner().invoke(
        command,
        [
            "--manifest",
            str(manifest),
            "--out",
            str(tmp_path / "h2.pt"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--epochs",
            "20",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "validation" in res.output and (tmp_path / "h2.pt").is_file()
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"nope")
    with pytest.raises(DataError, match="bad.pt"):
        load_video_model(bad)

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("musicnn", exc_type=ImportError)
sf = pytest.importorskip("soundfile")

from mvemo.errors import DataError  # noqa: E402
from mvemo.predict.music import load_music_model  # noqa: E402
from mvemo.representation import CATEGORIES  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return load_music_model()


def _write_tone(path, seconds, sr=22050, amp=0.3):
    t = np.arange(int(seconds * sr)) / sr
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)) / 3
    y = amp * chord * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
    sf.write(path, y.astype(np.float32), sr)
    return path


def test_record_schema_static_and_dynamic(model, tmp_path):
    rec = model.predict(_write_tone(tmp_path / "c_major.wav", 8.0))
    assert rec["model"] == "music2emo-musicnn-msd-v4" and rec["file"].endswith("c_major.wav")
    s = rec["static"]
    assert s["category"] in CATEGORIES and s["intensity"] in [i / 10 for i in range(11)]
    assert set(s["probabilities"]) == set(CATEGORIES) and abs(sum(s["probabilities"].values()) - 1) < 1e-3
    assert -1 <= s["valence"] <= 1 and -1 <= s["arousal"] <= 1 and s["quadrant"] in ("Q1", "Q2", "Q3", "Q4")
    assert len(s["gems"]) == 9
    assert [d["time"] for d in rec["dynamic"]] == [2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5]
    assert all(d["category"] in CATEGORIES for d in rec["dynamic"])
    assert rec["features"]["key"] in ("C major", "A minor", "E minor", "G major")
    json.dumps(rec.to_dict())  # serialisable


def test_short_clip_has_no_dynamic_labels_and_bad_input_is_refused(model, tmp_path):
    rec = model.predict(_write_tone(tmp_path / "short.wav", 2.0))
    assert rec.dynamic == () and rec["static"]["category"] in CATEGORIES
    with pytest.raises(DataError, match="silent"):
        model.predict(_write_tone(tmp_path / "silent.wav", 6.0, amp=0.0))
    bad = tmp_path / "bad.mp3"
    bad.write_text("not audio")
    with pytest.raises(DataError, match="bad.mp3"):
        model.predict(bad)


def test_music_model_backbone_is_read_from_the_weights(model, tmp_path):
    from mvemo.predict.music import music_model_backbone, save_music_model

    assert music_model_backbone() == model.musicnn.name == model.meta["backbone"]
    other = "MTT_musicnn" if model.musicnn.name == "MSD_musicnn" else "MSD_musicnn"
    path = tmp_path / "other.pt"
    save_music_model(model.network, {**model.meta, "backbone": other}, path)
    assert music_model_backbone(path) == other


def test_static_quadrant_is_the_shipped_linear_channel_blend(model, tmp_path):
    from mvemo.predict.music import load_music_model, save_music_model

    assert model.quadrant_channel is not None and model.quadrant_channel.linear.n_classes == 4
    feats = model.features(_write_tone(tmp_path / "tone.wav", 12.0))
    net = model._outputs(feats, np.array([0.0]), np.array([feats.duration]))["quadrant"]
    want = model.quadrant_channel.blend(net, feats.track_blocks(model.musicnn))[0]
    got = model.predict_features(feats, dynamic=False)["static"]["quadrant_probabilities"]
    np.testing.assert_allclose([got[q] for q in ("Q1", "Q2", "Q3", "Q4")], want, atol=1e-5)
    # A file without a channel (v2 and earlier) keeps the network's quadrant.
    path = tmp_path / "plain.pt"
    save_music_model(model.network, model.meta, path)
    plain = load_music_model(path)
    assert plain.quadrant_channel is None
    got = plain.predict_features(feats, dynamic=False)["static"]["quadrant_probabilities"]
    np.testing.assert_allclose([got[q] for q in ("Q1", "Q2", "Q3", "Q4")], net[0], atol=1e-5)
    # And one saved with it round-trips.
    path = tmp_path / "with.pt"
    save_music_model(model.network, model.meta, path, quadrant_channel=model.quadrant_channel)
    again = load_music_model(path).quadrant_channel
    np.testing.assert_array_equal(again.linear.coef, model.quadrant_channel.linear.coef)


def test_conform_categories_flag_moves_the_static_category_into_the_quadrant(model, tmp_path):
    from mvemo.conversion.quadrant import category_quadrants
    from mvemo.predict.music import load_music_model, save_music_model

    feats = model.features(_write_tone(tmp_path / "tone.wav", 12.0))
    plain = model.predict_features(feats, dynamic=False)["static"]
    path = tmp_path / "conf.pt"
    save_music_model(
        model.network, {**model.meta, "conform_categories": True}, path, quadrant_channel=model.quadrant_channel
    )
    conf = load_music_model(path).predict_features(feats, dynamic=True)
    cats = model.categories
    member = np.eye(4)[category_quadrants()]
    probs = np.array([conf["static"]["probabilities"][c] for c in cats])
    quad = np.array([conf["static"]["quadrant_probabilities"][q] for q in ("Q1", "Q2", "Q3", "Q4")])
    np.testing.assert_allclose(probs @ member, quad, atol=1e-4)
    np.testing.assert_allclose(quad, [plain["quadrant_probabilities"][q] for q in ("Q1", "Q2", "Q3", "Q4")])
    before = np.array([plain["probabilities"][c] for c in cats])
    within = category_quadrants() == int(quad.argmax())
    # Inside a quadrant the network's ranking is kept.
    assert np.argmax(np.where(within, probs, -1)) == np.argmax(np.where(within, before, -1))

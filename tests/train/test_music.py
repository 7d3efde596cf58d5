import numpy as np
import pytest

pytest.importorskip("torch")

from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.train.music import (  # noqa: E402
    TrackExample,
    TrainConfig,
    WindowBank,
    _roc_auc,
    cross_validate,
    evaluate_model,
    train_model,
)


def _examples(n=48, dim=24, seed=0):
    """Synthetic tracks whose embedding encodes the quadrant, with 2 random-segment rows each."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        q = i % 4
        emb = rng.normal(0, 0.3, (3, dim)).astype(np.float32)
        emb[:, q] += 2.0
        bank = WindowBank(
            emb,
            np.full((3, 2), 12),
            np.zeros((3, 2), dtype=np.int64),
            np.zeros((3, 2), bool),
            np.zeros(3, np.float32),
            np.full((3, 2), np.nan, np.float32),
            2,
        )
        ds = "4q" if i < n * 3 // 4 else "gems"
        ex = TrackExample(
            f"t{i}",
            ds,
            "train",
            features=None,
            category=[2, 10, 15, 21][q],
            intensity=0.5,
            va=np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]][q], np.float32),
            bank=bank,
        )
        if ds == "4q":
            ex.quadrant = q
        else:
            ex.gems = rng.random(9).astype(np.float32)
        out.append(ex)
    return out


def test_training_learns_a_separable_quadrant_signal():
    ex = _examples()
    cfg = TrainConfig(epochs=10, teacher_epochs=2, lr=5e-3, batch_size=16, dropout=0.0)
    model = train_model(ex, cfg, log=None)
    rep = evaluate_model(model, ex)
    assert rep["quadrant"]["accuracy"] >= 0.9
    assert rep["unified"]["category_f1"] > 0.8
    assert set(rep["gems_roc_auc"]) <= {
        "amazement",
        "solemnity",
        "tenderness",
        "nostalgia",
        "calmness",
        "power",
        "joyful_activation",
        "tension",
        "sadness",
    }


def test_cross_validation_reports_every_fold():
    ex = _examples(n=24)
    for e in ex:
        e.dataset = "4q_panda2018" if e.quadrant is not None else "emotify"
    cfg = TrainConfig(epochs=2, teacher_epochs=1, batch_size=16, teacher_datasets=("4q_panda2018",))
    cv = cross_validate(ex, cfg, folds=2, log=lambda *_: None)
    assert len(cv["macro_f1"]) == 2 and 0 <= cv["mean_macro_f1"] <= 1


def test_roc_auc_rank_formula():
    truth = np.array([True, False, True, False])
    assert _roc_auc(truth, np.array([0.9, 0.1, 0.8, 0.2])) == 1.0
    assert _roc_auc(truth, np.array([0.1, 0.9, 0.2, 0.8])) == 0.0
    assert _roc_auc(truth, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5


def test_config_rejects_unknown_settings(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("epochs = 3\nlearning_rate = 0.1\n")
    with pytest.raises(DataError, match="unknown setting.*learning_rate"):
        TrainConfig.from_toml(p)
    p.write_text('epochs = 3\ndatasets = ["emotify"]\n')
    cfg = TrainConfig.from_toml(p)
    assert cfg.epochs == 3 and cfg.datasets == ("emotify",)


def test_extraction_caches_exactly_the_prediction_features(tmp_path, monkeypatch):
    """Training features come from the same decode/resample path as `mvemo predict`."""
    pytest.importorskip("musicnn", exc_type=ImportError)
    pytest.importorskip("librosa")
    sf = pytest.importorskip("soundfile")
    from types import SimpleNamespace

    import mvemo.data
    from mvemo.features.blocks import BlockFeatures
    from mvemo.features.cache import FeatureCache
    from mvemo.features.music import (
        BLOCKS_KIND,
        HARMONY_KIND,
        Harmony,
        compute_blocks,
        compute_harmony,
        load_track_audio,
    )
    from mvemo.features.musicnn import load_musicnn
    from mvemo.train.music import extract_features

    sr = 44100  # a rate that neither musicnn nor the harmony analysis uses
    t = np.arange(int(6.0 * sr)) / sr
    y = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 2 * t)) + 0.1 * np.sin(2 * np.pi * 330 * t)
    sf.write(tmp_path / "a.wav", y.astype(np.float32), sr)
    item = SimpleNamespace(media={"audio": "a.wav"}, split="train")
    fake = SimpleNamespace(root=tmp_path, index=lambda: [item])
    monkeypatch.setattr(mvemo.data, "load", lambda name, data_home=None: fake)
    cfg = TrainConfig(datasets=("fake",), cache_dir=str(tmp_path / "cache"))
    report = extract_features(cfg, log=lambda *_: None)
    assert report.computed == 2 and not report.failed
    cache = FeatureCache(tmp_path / "cache")
    got_b = BlockFeatures.from_arrays(cache.get(tmp_path / "a.wav", BLOCKS_KIND))
    got_h = Harmony.from_arrays(cache.get(tmp_path / "a.wav", HARMONY_KIND))
    y16, y22 = load_track_audio(tmp_path / "a.wav")
    want_b = BlockFeatures.from_arrays(compute_blocks(load_musicnn("MTT_musicnn"), y16).to_arrays())
    want_h = compute_harmony(y22)
    np.testing.assert_array_equal(got_b.mean, want_b.mean)
    np.testing.assert_array_equal(got_b.meansq, want_b.meansq)
    assert got_h.chord_labels == want_h.chord_labels and got_h.tempo == want_h.tempo
    assert extract_features(cfg, log=lambda *_: None).cached == 2  # resumable
    # The backbone setting picks the blocks that are extracted and loaded.
    msd = TrainConfig(datasets=("fake",), cache_dir=str(tmp_path / "cache"), backbone="MSD_musicnn")
    assert extract_features(msd, log=lambda *_: None).computed == 1  # harmony is shared, MSD blocks are new
    from mvemo.features.music import blocks_kind

    got_msd = BlockFeatures.from_arrays(cache.get(tmp_path / "a.wav", blocks_kind("MSD_musicnn")))
    want_msd = compute_blocks(load_musicnn("MSD_musicnn"), y16)
    np.testing.assert_allclose(got_msd.mean, want_msd.mean, rtol=1e-2, atol=1e-2)  # cached as float16
    assert not np.allclose(got_msd.mean, got_b.mean)


def _with_track_blocks(examples, seed=1):
    """Give each example whole-track blocks where only the linear channel sees the quadrant."""
    rng = np.random.default_rng(seed)
    for ex in examples:
        emb = rng.normal(0, 1, (1, 10))
        if ex.quadrant is not None:
            emb[0, ex.quadrant] += 6.0
        ex.track_blocks = {"embedding": emb, "segment_spread": rng.random((1, 3))}
    return examples


def test_linear_quadrant_channel_is_fitted_blended_and_cross_validated():
    from mvemo.train.music import fit_quadrant_channel

    ex = _with_track_blocks(_examples())
    for e in ex:  # the network's embedding carries no signal now
        e.bank.embedding[:] = np.random.default_rng(0).normal(0, 0.3, e.bank.embedding.shape)
    cfg = TrainConfig(epochs=2, teacher_epochs=1, batch_size=16, quadrant_linear_c=1.0, quadrant_linear_weight=1.0)
    channel = fit_quadrant_channel(ex, None, cfg)
    assert channel.linear.inputs == ("embedding", "segment_spread") and channel.linear.n_features == 13
    model = train_model(ex, cfg, log=None)
    alone = evaluate_model(model, ex)["quadrant"]["accuracy"]
    rep = evaluate_model(model, ex, quadrant_channel=channel, musicnn=object())
    blended = rep["quadrant"]["accuracy"]
    assert blended >= 0.9 > alone and rep["quadrant_network_only"]["accuracy"] == alone
    assert set(rep) >= {"unified", "unified_conform_on"}
    conf = evaluate_model(model, ex, quadrant_channel=channel, musicnn=object(), conform=True)
    assert conf["unified"] == rep["unified_conform_on"] and conf["unified_conform_off"] == rep["unified"]
    with pytest.raises(ParameterError, match="musicnn"):
        evaluate_model(model, ex, quadrant_channel=channel)
    with pytest.raises(ParameterError, match="quadrant_channel"):
        evaluate_model(model, ex, conform=True)
    with pytest.raises(DataError, match="4Q labels"):
        fit_quadrant_channel([e for e in ex if e.quadrant is None], None, cfg)


def test_quadrant_channel_temperature_from_out_of_fold_predictions():
    from mvemo.train.music import calibrate_quadrant_channel

    ex = _with_track_blocks(_examples(n=64))
    for e in ex:  # weaker signal, so that the channel is unsure on some tracks
        if e.quadrant is not None:
            e.track_blocks["embedding"][0, e.quadrant] -= 5.0
    cfg = TrainConfig(quadrant_linear_c=100.0)  # weak regularisation: overconfident
    cal = calibrate_quadrant_channel(ex, None, cfg, folds=4)
    n4q = sum(e.quadrant is not None for e in ex)
    assert cal["n"] == n4q and cal["folds"] == 4
    assert cal["temperature"] > 1.0  # overconfident logits are softened
    assert cal["ece"] <= cal["ece_raw"] + 1e-9
    with pytest.raises(DataError, match="4Q training tracks"):
        calibrate_quadrant_channel([e for e in ex if e.quadrant is not None][:10], None, cfg, folds=4)


def test_cross_validation_scores_the_blended_quadrant():
    pytest.importorskip("musicnn", exc_type=ImportError)
    ex = _with_track_blocks(_examples(n=64))
    for e in ex:
        e.dataset = "4q_panda2018" if e.quadrant is not None else "emotify"
        e.bank.embedding[:] = 0.0
    cfg = TrainConfig(
        epochs=1, teacher_epochs=1, batch_size=16, teacher_datasets=("4q_panda2018",), quadrant_linear_c=1.0
    )
    cv = cross_validate(ex, cfg, folds=2, log=lambda *_: None)
    assert cv["mean_macro_f1"] > 0.8  # only the channel can separate the quadrants


def test_config_checks_the_quadrant_channel_settings():
    with pytest.raises(ParameterError, match="quadrant_linear_inputs"):
        TrainConfig(quadrant_linear_inputs=("embedding", "loudness"))
    with pytest.raises(ParameterError, match="quadrant_linear_weight"):
        TrainConfig(quadrant_linear_weight=1.5)
    with pytest.raises(ParameterError, match="conform_categories"):
        TrainConfig(conform_categories=True, quadrant_linear_c=0.0)


def test_card_reports_the_quadrant_channel_and_the_conform_ablation():
    from mvemo.train.music import model_card

    u = {"category_f1": 0.4, "emotion_distance": 0.2, "quadrant_agreement": 0.75}
    o = {"category_f1": 0.7, "emotion_distance": 0.1, "quadrant_agreement": 0.95}
    q = {"n": 80, "accuracy": 0.8, "macro_f1": 0.79}
    report = {
        "model": "m",
        "n_train": 10,
        "config": {
            "backbone": "MSD_musicnn",
            "quadrant_linear_c": 0.01,
            "quadrant_linear_weight": 1.0,
            "quadrant_linear_inputs": ["embedding"],
            "conform_categories": False,
        },
        "validation": {
            "4q_panda2018": {"n": 80, "quadrant": q, "quadrant_network_only": q, "unified": u, "unified_conform_on": o}
        },
    }
    card = model_card(report)
    assert "**Linear quadrant channel.**" in card and "`conform_categories = false`" in card
    assert "| validation | 4q_panda2018 | 0.400 / 0.200 / 0.75 | 0.700 / 0.100 / 0.95 |" in card
    report["config"]["conform_categories"] = True
    report["validation"]["4q_panda2018"] = {
        **report["validation"]["4q_panda2018"],
        "unified": o,
        "unified_conform_off": u,
    }
    del report["validation"]["4q_panda2018"]["unified_conform_on"]
    card = model_card(report)
    assert "are conformed to the blended quadrant" in card and "conform_categories off |" in card
    assert "| validation | 4q_panda2018 | 0.700 / 0.100 / 0.95 | 0.400 / 0.200 / 0.75 |" in card

"""Lyrics training: config, resumable unit cache, grid on validation, weights + card + report."""

from __future__ import annotations

import csv
import hashlib
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from mvemo.errors import DataError
from mvemo.features.lyrics import EMBEDDING_DIM
from mvemo.predict.lyrics import load_lyrics_model
from mvemo.train import lyrics as tl
from mvemo.train.lyrics import MODEL_NAME

WORDS = {
    "happy": "sunshine dance smile joy party bright love laugh",
    "angry": "rage fight hate scream burn enemy war fury",
    "sad": "tears alone cold grief lost cry sorrow dark",
    "relaxed": "calm breeze slow quiet peace gentle rest dream",
}
COLUMNS = ["", "song_id_from_src", "dataset", "title", "artist", "genre", "arousal_mean", "arousal_std",
           "valence_mean", "valence_std", "emotion_4Q", "emotion_2Q", "lyrics", "language",
           "general_genre"]  # fmt: skip


class FakeEncoder:
    """Stand-in for MiniLM: a bag of hashed words (texts of one class land close together)."""

    calls = 0

    def __init__(self, **kwargs):
        pass

    def encode(self, texts):
        FakeEncoder.calls += len(texts)
        out = np.zeros((len(texts), EMBEDDING_DIM), np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, int(hashlib.sha1(w.encode()).hexdigest()[:6], 16) % EMBEDDING_DIM] += 1
            n = np.linalg.norm(out[i])
            out[i] /= n if n else 1
        return out


def make_lyrics_root(root, n_per_class=12):
    rng = np.random.default_rng(1)
    rows, k = [], 0
    for label, words in WORDS.items():
        vocab = words.split() + ["the", "a", "and", "you", "me", "we", "night", "day"]
        for _ in range(n_per_class):
            text = " ".join(rng.choice(vocab, size=60))
            pm = label == "happy" and k % 12 == 0
            rows.append(
                {
                    "": k,
                    "song_id_from_src": k if pm else f"ML{k}",
                    "dataset": "PMEmo2019" if pm else "MoodyLyrics4Q",
                    "title": f"t{k}",
                    "artist": f"a{k}",
                    "genre": "",
                    "arousal_mean": 0.7 if pm else "",
                    "arousal_std": "",
                    "valence_mean": 0.8 if pm else "",
                    "valence_std": "",
                    "emotion_4Q": label,
                    "emotion_2Q": "positive",
                    "lyrics": f"[Verse 1] {text}",
                    "language": "en",
                    "general_genre": "",
                }
            )
            k += 1
    (root / "lyrics").mkdir(parents=True)
    with open(root / "lyrics" / "filtered_dataset_with_lyrics.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    (root / "README.md").write_text("fixture\n")
    return root


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    monkeypatch.setattr(tl, "SentenceEncoder", FakeEncoder)
    root = make_lyrics_root(tmp_path / "data")
    return tl.LyricsTrainConfig(
        data_home=str(root),
        cache_dir=str(tmp_path / "cache"),
        out_dir=str(tmp_path / "out"),
        epochs=60,
        hidden=(0, 16),
        l2=(1e-2,),
        aug_weight=(0.0, 0.3),
        baseline_c=(1.0,),
        bow_c=(1.0, 10.0),
        pmemo_samples=False,
    )


def test_config_from_toml(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("seed = 3\nhidden = [0, 64]\nl2 = 0.01\nblend_beta = [0, 0.5]\nbow_c = [2.0]\nbow_max_features = 99\n")
    c = tl.LyricsTrainConfig.from_toml(p)
    assert c.seed == 3 and c.hidden == (0, 64) and c.l2 == (0.01,)
    assert c.blend_beta == (0, 0.5) and c.bow_c == (2.0,) and c.bow_max_features == 99
    p.write_text("sed = 3\n")
    with pytest.raises(DataError, match="unknown setting"):
        tl.LyricsTrainConfig.from_toml(p)


def test_train_end_to_end(cfg, tmp_path):
    FakeEncoder.calls = 0
    assert tl.extract_units(cfg, log=lambda *_: None) == 48
    first = FakeEncoder.calls
    assert first > 48  # several chunks per song
    assert tl.extract_units(cfg, log=lambda *_: None) == 0  # resumable: everything cached
    assert FakeEncoder.calls == first
    logs = []
    rep = tl.run_training(cfg, log=logs.append)
    assert rep["n_train"] + rep["n_validation"] + rep["n_test"] == 48
    assert len(rep["grid"]) == 4 and rep["chosen"]["hidden"] in (0, 16)
    # Clearly separable fixture classes: the model and the baseline must learn them.
    assert rep["validation"]["quadrant"]["macro_f1"] >= 0.75
    assert rep["baseline"]["test"]["quadrant"]["macro_f1"] >= 0.75
    assert 0 <= rep["test"]["unified"]["emotion_distance"] <= 2
    # Bag-of-words channel and blend: chosen on validation, the blend is the reported model.
    assert rep["bow"]["C"] in (1.0, 10.0) and len(rep["bow"]["grid"]) == 2
    assert rep["bow"]["max_abs_diff_vs_sklearn"] < 1e-2  # float16 coefficients
    assert rep["beta"] in cfg.blend_beta and [g["beta"] for g in rep["beta_grid"]] == list(cfg.blend_beta)
    best = max(g["val_quadrant_macro_f1"] for g in rep["beta_grid"])
    assert next(g for g in rep["beta_grid"] if g["val_quadrant_macro_f1"] == best)["beta"] == rep["beta"]
    assert set(rep["variants"]) == {"heads", "bow", "blend"}
    assert rep["validation"] == rep["variants"]["blend"]["validation"]
    assert rep["variants"]["bow"]["test"]["quadrant"]["macro_f1"] >= 0.75
    assert rep["checkpoint_bytes"] == (tmp_path / "out" / f"{MODEL_NAME}.pt").stat().st_size
    out = tmp_path / "out"
    card = (out / f"{MODEL_NAME}.md").read_text()
    assert "4Q macro-F1" in card and "baseline" in card and f"beta = {rep['beta']:g}" in card
    assert "bag of words only" in card and "heads only" in card
    assert "sunshine" not in card and "tears" not in card  # no lyrics text in the card
    assert json.loads((out / "report.json").read_text())["chosen"] == rep["chosen"]
    model = load_lyrics_model(out / f"{MODEL_NAME}.pt")
    assert model.bow is not None and model.bow.beta == rep["beta"]
    assert model.meta["blend"]["beta"] == rep["beta"]
    model.encoder = FakeEncoder()
    sad = model.predict_lyrics("tears alone cold grief lost cry sorrow dark tears alone")
    assert sad["static"]["quadrant"] == "Q3"
    # The shipped predictions equal the training-time blend of the validation songs.
    examples, _ = tl.load_examples(cfg)
    val = [ex for ex in examples if ex.split == "validation"][:3]
    q = [model._heads(ex.features()[None], [ex.text])["quadrant"][0] for ex in val]
    net = model.network
    ph = tl.predict_heads(net, np.stack([ex.features() for ex in val]))
    pb = model.bow.predict([ex.text for ex in val])
    want = (1 - rep["beta"]) * ph["quadrant"] + rep["beta"] * pb["quadrant"]
    np.testing.assert_allclose(np.stack(q), want, atol=1e-6)


def test_choose_beta_prefers_the_better_channel():
    exs = [
        tl.SongExample(
            str(i),
            "validation",
            np.zeros((1, EMBEDDING_DIM)),
            np.zeros((1, 15)),
            i % 4,
            0,
            0.5,
            np.zeros(2, np.float32),
            True,
        )
        for i in range(8)
    ]
    truth = np.eye(4)[[i % 4 for i in range(8)]]
    wrong = np.roll(truth, 1, axis=1)
    cat = np.tile(np.eye(28)[0], (8, 1))
    ph = {"quadrant": 0.6 * wrong + 0.4 * truth, "category": cat, "intensity": np.full(8, 0.5), "va": np.zeros((8, 2))}
    pb = {"quadrant": truth, "category": cat}
    beta, grid = tl.choose_beta(exs, ph, pb, (0.0, 0.25, 0.5, 1.0))
    assert [g["beta"] for g in grid] == [0.0, 0.25, 0.5, 1.0]
    assert grid[0]["val_quadrant_macro_f1"] == 0.0 and beta == 0.25  # first of the ties at 1.0
    assert tl.choose_beta(exs, ph, {**pb, "quadrant": ph["quadrant"]}, (0.0, 1.0))[0] == 0.0
    with pytest.raises(DataError, match="blend_beta"):
        tl.choose_beta(exs, ph, pb, ())


def test_run_training_without_cache_is_an_error(cfg):
    with pytest.raises(DataError, match="no training examples"):
        tl.run_training(cfg, log=lambda *_: None)


def test_cli_command(cfg, tmp_path):
    from click.testing import CliRunner

    from mvemo.cli.train_lyrics import command

    conf = tmp_path / "lyrics.toml"
    conf.write_text(
        "epochs = 30\nhidden = [0]\nl2 = [0.01]\naug_weight = [0.0]\nbaseline_c = [1.0]\npmemo_samples = false\n"
    )
    res = CliRunner().invoke(
        command,
        [
            "--config",
            str(conf),
            "--data-home",
            cfg.data_home,
            "--cache-dir",
            cfg.cache_dir,
            "--out-dir",
            str(tmp_path / "cli"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "baseline  test" in res.output
    assert (tmp_path / "cli" / f"{MODEL_NAME}.pt").is_file()


@pytest.mark.shared_data
def test_real_lyrics_chunk(shared_data):
    from mvemo.data import load

    ds = load("lyrics", data_home=shared_data)
    items = ds.index()[:20]
    for item in items:
        units = tl.song_units(ds.lyrics(item), max_words=32)
        assert units and all(1 <= len(u.split()) <= 32 for u in units)

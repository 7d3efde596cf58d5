"""Symbolic training: config, a tiny seeded fit on MIDI written in the test, evaluation, card, CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pretty_midi = pytest.importorskip("pretty_midi")
torch = pytest.importorskip("torch")

from mvemo.conversion.quadrant import quadrant_to_label  # noqa: E402
from mvemo.conversion.va import label_to_va  # noqa: E402
from mvemo.errors import DataError  # noqa: E402
from mvemo.features.midi import midi_features  # noqa: E402
from mvemo.representation import default_circumplex  # noqa: E402
from mvemo.train.symbolic import (  # noqa: E402
    Clip,
    SymbolicTrainConfig,
    baseline_features,
    evaluate_network,
    model_card,
    run_baselines,
    train_frame_network,
    train_network,
)

ROOT = Path(__file__).resolve().parents[2]


def _clip(i: int, quadrant: int) -> Clip:
    """High arousal (Q1, Q2: indices 0, 1): fast and loud, else slow and soft; positive valence
    (Q1, Q4: 0, 3): major triads, else minor."""
    fast = quadrant in (0, 1)
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(program=0)
    step = 0.25 if fast else 1.0
    third = 4 if quadrant in (0, 3) else 3
    t, k = 0.0, 0
    rng = np.random.default_rng(i)
    while t < 8.0:
        root = 60 + int(rng.integers(-2, 3))
        for p in (root, root + third, root + 7):
            inst.notes.append(pretty_midi.Note(100 if fast else 45, p, t, t + step))
        t += step
        k += 1
    pm.instruments.append(inst)
    label = quadrant_to_label(f"Q{quadrant + 1}")
    cats = default_circumplex().categories
    return Clip(
        f"t:{i}",
        "toy",
        "train",
        midi_features(pm),
        quadrant,
        cats.index(label.category),
        label.intensity,
        np.asarray(label_to_va(label), np.float32),
    )


@pytest.fixture(scope="module")
def clips():
    return [_clip(i, 0 if i % 2 else 2) for i in range(8)]


def test_config_from_toml(tmp_path):
    cfg = SymbolicTrainConfig.from_toml(ROOT / "configs" / "symbolic.toml")
    assert cfg.datasets == ("emopia", "vgmidi") and cfg.epochs > 0
    bad = tmp_path / "bad.toml"
    bad.write_text("nope = 1\n")
    with pytest.raises(DataError, match="nope"):
        SymbolicTrainConfig.from_toml(bad)


def test_tiny_fit_is_seeded_and_learns(clips):
    cfg = replace(
        SymbolicTrainConfig(), epochs=10, n_random=1, batch_size=8, lr=1e-2, hidden=16, head_hidden=8, chord_dim=8
    )
    a = train_network(clips, cfg, seed=0, log=None)
    b = train_network(clips, cfg, seed=0, log=None)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    rep = evaluate_network([a], clips)
    assert rep["quadrant"]["accuracy"] >= 0.75  # two separable toy classes
    assert rep["quadrant"]["n"] == len(clips)
    assert set(rep["unified"]) >= {"category_f1", "emotion_distance"}


def test_frame_network_fit_and_ensemble(clips):
    cfg = replace(
        SymbolicTrainConfig(),
        frame_epochs=12,
        frame_batch_size=8,
        lr=1e-2,
        hidden=16,
        frame_pc_channels=4,
        frame_channels=8,
        epochs=4,
        batch_size=8,
        chord_dim=8,
        head_hidden=8,
    )
    a = train_frame_network(clips, cfg, seed=0, log=None)
    b = train_frame_network(clips, cfg, seed=0, log=None)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    assert evaluate_network([], clips, frame_nets=[a])["quadrant"]["accuracy"] >= 0.75
    net = train_network(clips, cfg, seed=0, log=None)
    from mvemo.train.symbolic import predict_clips

    both = predict_clips([net], clips, frame_nets=[a], frame_weight=0.25)
    one, two = predict_clips([net], clips), predict_clips([], clips, frame_nets=[a])
    np.testing.assert_allclose(both["quadrant"], 0.75 * one["quadrant"] + 0.25 * two["quadrant"], rtol=1e-5)


def test_baselines_and_card(clips):
    x = baseline_features(clips)
    assert x.shape[0] == len(clips) and np.all(np.isfinite(x))
    rep = run_baselines(clips, {"validation": clips}, seed=0, models=("logistic_regression",))
    assert rep["logistic_regression"]["validation"]["toy"]["accuracy"] == 1.0
    q = {"n": 2, "accuracy": 0.5, "macro_f1": 0.4, "valence_accuracy": 0.5, "arousal_accuracy": 1.0}
    report = {
        "model": "m",
        "config": {"seed": 0},
        "n_train_by_dataset": {"emopia": 1},
        "validation": {"emopia": {"quadrant": q, "unified": {"category_f1": 0.1, "emotion_distance": 0.2}}},
        "baselines": {"logistic_regression": {"validation": {"emopia": q}}},
    }
    card = model_card(report)
    assert "# Model card: m" in card and "| validation | emopia | 2 | 0.500 | 0.400 |" in card


def test_cli_command_is_click():
    import click

    from mvemo.cli.train_symbolic import command

    assert isinstance(command, click.Command)
    from click.testing import CliRunner

    res = CliRunner().invoke(command, ["--help"])
    assert res.exit_code == 0 and "--config" in res.output


def test_linear_factor_equals_sklearn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mvemo.train.symbolic import fit_linear_factor

    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 5)) * [1.0, 3.0, 0.1, 10.0, 1.0] + [0.0, 5.0, -2.0, 1.0, 0.0]
    y = (x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=120) > 1.5).astype(int)
    groups = np.arange(120) // 4
    factor, info = fit_linear_factor(x, y, groups, inputs=("stats",), cs=(0.1,))
    ref = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000)).fit(x, y)
    test = rng.normal(size=(30, 5)) * 4
    np.testing.assert_allclose(factor.predict_proba(test), ref.predict_proba(test)[:, 1], rtol=1e-6, atol=1e-9)
    assert info["C"] == 0.1
    # with several candidates C comes from the grouped cross-validation
    _, info = fit_linear_factor(x, y, groups, inputs=("stats",), cs=(0.001, 1.0), folds=3)
    assert info["C"] in (0.001, 1.0) and set(info["cv_log_loss"]) == {"0.001", "1.0"}
    with pytest.raises(DataError):
        fit_linear_factor(x, np.zeros(120, int), groups, inputs=("stats",), cs=(0.1,))


def test_two_factor_product_and_clip_groups():
    from mvemo.models.symbolic import TwoFactorLinear
    from mvemo.train.symbolic import clip_group, predict_clips, train_linear

    toy = [_clip(i, (0, 1, 2, 3)[i % 4]) for i in range(12)]
    for i, c in enumerate(toy):
        c.id, c.dataset = f"emopia:Q{c.quadrant + 1}_song{i // 2}_{i % 2}", "emopia"
    assert clip_group(toy[3]) == "emopia:song1"
    assert clip_group(Clip("vgmidi:8149_0", "vgmidi", "train", None, 0, 0, 0.5, np.zeros(2))) == "vgmidi:8149"
    cfg = replace(SymbolicTrainConfig(), linear=True, linear_datasets=("emopia",), linear_folds=3, linear_cs=(0.1, 1.0))
    model, info = train_linear(toy, cfg, log=None)
    assert isinstance(model, TwoFactorLinear) and info["n_clips"] == 12
    out = predict_clips([], toy, linear=model)
    np.testing.assert_allclose(out["quadrant"].sum(1), 1.0)
    from mvemo.train.symbolic import linear_design

    pv, pa = model.factors(linear_design(toy, model.inputs)[0])
    np.testing.assert_allclose(out["quadrant"][:, 0], pv * pa)
    np.testing.assert_allclose(out["quadrant"][:, 3], pv * (1 - pa))
    # arousal (tempo, loudness) is separable in the toy clips
    assert np.mean((pa > 0.5) == np.isin([c.quadrant for c in toy], (0, 1))) == 1.0
    assert np.mean((pv > 0.5) == np.isin([c.quadrant for c in toy], (0, 3))) >= 0.75
    assert evaluate_network([], toy, linear=model)["quadrant"]["n"] == 12


def test_card_describes_linear_model():
    q = {"n": 2, "accuracy": 0.5, "macro_f1": 0.4, "valence_accuracy": 0.5, "arousal_accuracy": 1.0}
    report = {
        "model": "m2",
        "config": {
            "seed": 0,
            "n_seeds": 3,
            "linear": True,
            "linear_weight": 0.5,
            "valence_inputs": ["stats", "valence"],
            "arousal_inputs": ["stats"],
            "linear_datasets": ["emopia"],
        },
        "n_train_by_dataset": {"emopia": 1},
        "linear": {"valence": {"C": 0.03}, "arousal": {"C": 0.1}},
        "validation": {"emopia": {"quadrant": q, "unified": {"category_f1": 0.1, "emotion_distance": 0.2}}},
        "components": {"validation": {"emopia": {"networks": q, "linear": q}}},
    }
    card = model_card(report)
    assert "Valence x arousal factorisation" in card and "valence C = 0.03" in card
    assert "| split | dataset | networks | linear V x A | shipped combination |" in card
    assert "| validation | emopia | 0.500 | 0.500 | 0.500 |" in card
    # With conform_categories the card states it and tabulates the other setting.
    report["config"]["conform_categories"] = True
    report["validation"]["emopia"]["unified"]["quadrant_agreement"] = 1.0
    report["components"]["validation"]["emopia"]["unified_conform_off"] = {
        "category_f1": 0.3,
        "emotion_distance": 0.4,
        "quadrant_agreement": 0.8,
    }
    card = model_card(report)
    assert "**Categories conformed to the quadrant**" in card
    assert "| validation | emopia | 0.100 / 0.200 / 1.00 | 0.300 / 0.400 / 0.80 |" in card


def test_combine_outputs_conform():
    from mvemo.conversion.quadrant import category_quadrants
    from mvemo.predict.symbolic import combine_outputs

    rng = np.random.default_rng(3)
    nets = {
        "category": rng.dirichlet(np.ones(28), 4),
        "quadrant": rng.dirichlet(np.ones(4), 4),
        "va": rng.normal(size=(4, 2)),
        "intensity": rng.random(4),
    }
    lin = rng.dirichlet(np.ones(4), 4)
    plain = combine_outputs(nets, lin, linear_weight=0.5)
    conf = combine_outputs(nets, lin, linear_weight=0.5, conform=True)
    np.testing.assert_allclose(conf["quadrant"], plain["quadrant"])
    np.testing.assert_array_equal(plain["category"], nets["category"])
    np.testing.assert_allclose(conf["category"] @ np.eye(4)[category_quadrants()], plain["quadrant"], atol=1e-12)
    np.testing.assert_array_equal(conf["va"], nets["va"])


def test_conform_categories_needs_the_linear_model():
    from mvemo.errors import ParameterError

    with pytest.raises(ParameterError, match="conform_categories"):
        SymbolicTrainConfig(conform_categories=True, linear=False)
    assert SymbolicTrainConfig.from_toml(ROOT / "configs" / "symbolic.toml").conform_categories

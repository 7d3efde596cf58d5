"""Symbolic training: config, a tiny seeded fit on MIDI written in the test, evaluation, card, CLI."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pretty_midi = pytest.importorskip("pretty_midi")
torch = pytest.importorskip("torch")

from mvemo.conversion.va import label_to_va  # noqa: E402
from mvemo.errors import DataError  # noqa: E402
from mvemo.features.midi import midi_features  # noqa: E402
from mvemo.pipeline.train_symbolic import (  # noqa: E402
    Clip,
    SymbolicTrainConfig,
    baseline_features,
    evaluate_network,
    model_card,
    run_baselines,
    train_frame_network,
    train_network,
)
from mvemo.conversion.quadrant import quadrant_to_label  # noqa: E402
from mvemo.representation import default_circumplex  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _clip(i: int, quadrant: int) -> Clip:
    """Q1 (index 0): fast, loud, major; Q3 (index 2): slow, soft, minor."""
    fast = quadrant == 0
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(program=0)
    step = 0.25 if fast else 1.0
    third = 4 if fast else 3
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
    return Clip(f"t:{i}", "toy", "train", midi_features(pm), quadrant, cats.index(label.category),
                label.intensity, np.asarray(label_to_va(label), np.float32))  # fmt: skip


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
    cfg = replace(SymbolicTrainConfig(), epochs=10, n_random=1, batch_size=8, lr=1e-2, hidden=16, head_hidden=8,
                  chord_dim=8)  # fmt: skip
    a = train_network(clips, cfg, seed=0, log=None)
    b = train_network(clips, cfg, seed=0, log=None)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    rep = evaluate_network([a], clips)
    assert rep["quadrant"]["accuracy"] >= 0.75  # two separable toy classes
    assert rep["quadrant"]["n"] == len(clips)
    assert set(rep["unified"]) >= {"category_f1", "emotion_distance"}


def test_frame_network_fit_and_ensemble(clips):
    cfg = replace(SymbolicTrainConfig(), frame_epochs=12, frame_batch_size=8, lr=1e-2, hidden=16, frame_pc_channels=4,
                  frame_channels=8, epochs=4, batch_size=8, chord_dim=8, head_hidden=8)  # fmt: skip
    a = train_frame_network(clips, cfg, seed=0, log=None)
    b = train_frame_network(clips, cfg, seed=0, log=None)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    assert evaluate_network([], clips, frame_nets=[a])["quadrant"]["accuracy"] >= 0.75
    net = train_network(clips, cfg, seed=0, log=None)
    from mvemo.pipeline.train_symbolic import predict_clips

    both = predict_clips([net], clips, frame_nets=[a], frame_weight=0.25)
    one, two = predict_clips([net], clips), predict_clips([], clips, frame_nets=[a])
    np.testing.assert_allclose(both["quadrant"], 0.75 * one["quadrant"] + 0.25 * two["quadrant"], rtol=1e-5)


def test_baselines_and_card(clips):
    x = baseline_features(clips)
    assert x.shape[0] == len(clips) and np.all(np.isfinite(x))
    rep = run_baselines(clips, {"validation": clips}, seed=0, models=("logistic_regression",))
    assert rep["logistic_regression"]["validation"]["toy"]["accuracy"] == 1.0
    q = {"n": 2, "accuracy": 0.5, "macro_f1": 0.4, "valence_accuracy": 0.5, "arousal_accuracy": 1.0}
    report = {"model": "m", "config": {"seed": 0}, "n_train_by_dataset": {"emopia": 1},
              "validation": {"emopia": {"quadrant": q, "unified": {"category_f1": 0.1, "emotion_distance": 0.2}}},
              "baselines": {"logistic_regression": {"validation": {"emopia": q}}}}  # fmt: skip
    card = model_card(report)
    assert "# Model card: m" in card and "| validation | emopia | 2 | 0.500 | 0.400 |" in card


def test_cli_command_is_click():
    import click

    from mvemo.cli.train_symbolic import command

    assert isinstance(command, click.Command)
    from click.testing import CliRunner

    res = CliRunner().invoke(command, ["--help"])
    assert res.exit_code == 0 and "--config" in res.output

"""Symbolic predictor: record contract on MIDI written in the test (tiny random weights and shipped weights)."""

from __future__ import annotations

import json

import numpy as np
import pytest

pretty_midi = pytest.importorskip("pretty_midi")
torch = pytest.importorskip("torch")

from mvemo.conversion.dynamic import grid_times  # noqa: E402
from mvemo.conversion.quadrant import QUADRANTS, category_quadrants, conform_categories  # noqa: E402
from mvemo.errors import DataError  # noqa: E402
from mvemo.features.midi import STAT_NAMES  # noqa: E402
from mvemo.models.symbolic import FrameConfig, FrameEmotionNet, SymbolicConfig, SymbolicEmotionNet  # noqa: E402
from mvemo.predict.symbolic import load_symbolic_model, save_symbolic_model  # noqa: E402
from mvemo.representation import default_circumplex  # noqa: E402


def _midi(path, seconds=8.0, bpm=120.0):
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    inst = pretty_midi.Instrument(program=0)
    t, k = 0.0, 0
    while t < seconds:
        for p in (60, 64, 67) if k % 2 == 0 else (57, 60, 64):
            inst.notes.append(pretty_midi.Note(70, p, t, t + 1.0))
        inst.notes.append(pretty_midi.Note(90, 72 + (k % 5), t, t + 0.5))
        t += 1.0
        k += 1
    pm.instruments.append(inst)
    pm.write(str(path))
    return path


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    torch.manual_seed(0)
    nets = [
        SymbolicEmotionNet(
            SymbolicConfig(
                n_stats=len(STAT_NAMES), chord_dim=8, chord_heads=2, chord_layers=1, hidden=16, head_hidden=8
            )
        )
        for _ in range(2)
    ]
    for n in nets:
        n.eval()
    path = tmp_path_factory.mktemp("w") / "tiny.pt"
    save_symbolic_model(nets, {"name": "tiny-symbolic"}, path)
    return path


def _check_record(rec, path, duration):
    cats = default_circumplex().categories
    assert rec["file"] == str(path) and rec["modality"] == "symbolic"
    assert rec["duration"] == pytest.approx(duration, abs=1e-3)
    s = rec["static"]
    assert s["category"] in cats and len(s["probabilities"]) == 28
    assert sum(s["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert 0.0 <= s["intensity"] <= 1.0 and round(s["intensity"] * 10, 6) == round(s["intensity"] * 10)
    assert -1 <= s["valence"] <= 1 and -1 <= s["arousal"] <= 1
    assert s["quadrant"] in QUADRANTS and set(s["quadrant_probabilities"]) == set(QUADRANTS)
    times = [f["time"] for f in rec["dynamic"]]
    assert times == pytest.approx(grid_times(duration).tolist())
    for f in rec["dynamic"]:
        assert f["category"] in cats and set(f) == {"time", "category", "intensity", "valence", "arousal"}
    feats = rec["features"]
    assert {"key", "tempo", "chords", "note_density", "velocity_mean"} <= set(feats)
    json.dumps(rec.to_dict())


def test_record_contract_with_tiny_weights(tmp_path, tiny_weights):
    model = load_symbolic_model(tiny_weights)
    assert model.name == "tiny-symbolic" and len(model.networks) == 2
    path = _midi(tmp_path / "a.mid", seconds=8.0)
    rec = model.predict(path)
    _check_record(rec, path, 8.0)
    assert len(rec["dynamic"]) == len(grid_times(8.0)) == 7
    assert model.predict(path, dynamic=False).dynamic == ()
    # a window's output depends only on the notes within +-2.5 s of its time
    short = _midi(tmp_path / "short.mid", seconds=3.0)
    assert model.predict(short).dynamic == ()


def test_shipped_weights_predict(tmp_path):
    try:
        model = load_symbolic_model()
    except DataError as exc:
        pytest.skip(str(exc))
    path = _midi(tmp_path / "b.mid", seconds=10.0)
    _check_record(model.predict(path), path, 10.0)


def test_errors(tmp_path, tiny_weights):
    model = load_symbolic_model(tiny_weights)
    with pytest.raises(DataError, match="nope.mid"):
        model.predict(tmp_path / "nope.mid")
    bad = tmp_path / "w.pt"
    bad.write_bytes(b"garbage")
    with pytest.raises(DataError):
        load_symbolic_model(bad)
    from safetensors.torch import save_file

    save_file({"x": torch.ones(1)}, tmp_path / "other.pt")  # a safetensors file without mvemo metadata
    with pytest.raises(DataError, match="other.pt: not an mvemo model file"):
        load_symbolic_model(tmp_path / "other.pt")


def test_window_outputs_are_local(tmp_path, tiny_weights):
    """Changing notes far from a grid time leaves that time's dynamic label unchanged."""
    model = load_symbolic_model(tiny_weights)
    a = _midi(tmp_path / "a.mid", seconds=12.0)
    pm = pretty_midi.PrettyMIDI(str(a))
    for n in pm.instruments[0].notes:
        if n.start >= 9.0:
            n.velocity = 127
            n.pitch = max(n.pitch - 12, 0)
    b = tmp_path / "b.mid"
    pm.write(str(b))
    fa = model.features(a)
    fb = model.features(b)
    t = np.array([2.5])
    oa = model._outputs(fa, t - 2.5, t + 2.5)
    ob = model._outputs(fb, t - 2.5, t + 2.5)
    # key / chords are global, so compare only while they agree
    if fa.key == fb.key:
        np.testing.assert_allclose(oa["va"], ob["va"], atol=1e-5)


def test_frame_networks_roundtrip_and_contract(tmp_path):
    torch.manual_seed(1)
    nets = [
        SymbolicEmotionNet(
            SymbolicConfig(
                n_stats=len(STAT_NAMES), chord_dim=8, chord_heads=2, chord_layers=1, hidden=16, head_hidden=8
            )
        ).eval()
    ]
    frames = [FrameEmotionNet(FrameConfig(n_stats=len(STAT_NAMES), pc_channels=4, channels=8, hidden=16)).eval()]
    path = tmp_path / "mixed.pt"
    save_symbolic_model(nets, {"name": "mixed", "frame_weight": 0.5}, path, frame_networks=frames)
    model = load_symbolic_model(path)
    assert len(model.networks) == 1 and len(model.frame_networks) == 1
    midi = _midi(tmp_path / "c.mid", seconds=9.0)
    rec = model.predict(midi)
    _check_record(rec, midi, 9.0)
    feats = model.features(midi)
    t = np.array([0.0]), np.array([9.0])
    with torch.no_grad():
        from mvemo.predict.symbolic import window_frames

        x, m = window_frames(feats, *t)
        p_frame = torch.softmax(
            frames[0](torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(feats.window_stats(*t)))["quadrant"],
            -1,
        ).numpy()
    save_symbolic_model(nets, {"name": "s"}, tmp_path / "s.pt")
    p_stats = load_symbolic_model(tmp_path / "s.pt")._outputs(feats, *t)["quadrant"]
    np.testing.assert_allclose(model._outputs(feats, *t)["quadrant"], 0.5 * p_stats + 0.5 * p_frame, rtol=1e-4)


def test_frame_network_is_transposition_invariant():
    torch.manual_seed(2)
    net = FrameEmotionNet(FrameConfig(n_stats=3, pc_channels=4, channels=8, hidden=16)).eval()
    x = torch.rand(2, 30, 42)
    m = torch.ones(2, 30, dtype=torch.bool)
    s = torch.rand(2, 3)
    y = x.clone()
    for b in range(3):
        y[:, :, 12 * b : 12 * b + 12] = torch.roll(x[:, :, 12 * b : 12 * b + 12], 5, dims=2)
    with torch.no_grad():
        np.testing.assert_allclose(net(x, m, s)["quadrant"].numpy(), net(y, m, s)["quadrant"].numpy(), atol=1e-5)


def _random_linear(seed=0):
    from mvemo.features.midi import VALENCE_FEATURE_NAMES
    from mvemo.models.symbolic import LinearFactor, TwoFactorLinear

    rng = np.random.default_rng(seed)
    nv, na = len(STAT_NAMES) + len(VALENCE_FEATURE_NAMES), len(STAT_NAMES)
    return TwoFactorLinear(
        LinearFactor(
            ("stats", "valence"), rng.normal(size=nv), rng.uniform(0.5, 2, nv), rng.normal(size=nv) * 0.1, 0.2
        ),
        LinearFactor(("stats",), rng.normal(size=na), rng.uniform(0.5, 2, na), rng.normal(size=na) * 0.1, -0.1),
    )


def test_linear_model_roundtrip_contract_and_blend(tmp_path, tiny_weights):
    from mvemo.predict.symbolic import heads_from_quadrant, linear_blocks

    lin = _random_linear()
    path = tmp_path / "lin.pt"
    save_symbolic_model([], {"name": "lin-only"}, path, linear=lin)
    model = load_symbolic_model(path)
    assert model.networks == [] and model.linear is not None
    for a, b in zip(model.linear.to_dict()["valence"].values(), lin.to_dict()["valence"].values()):
        np.testing.assert_array_equal(a, b)
    midi = _midi(tmp_path / "d.mid", seconds=9.0)
    rec = model.predict(midi)
    _check_record(rec, midi, 9.0)
    feats = model.features(midi)
    t = np.array([0.0, 2.0]), np.array([9.0, 7.0])
    q = lin.quadrant_proba(linear_blocks(feats, *t, lin.inputs))
    out = model._outputs(feats, *t)
    np.testing.assert_allclose(out["quadrant"], q)
    np.testing.assert_allclose(q.sum(1), 1.0)
    cats = default_circumplex().categories
    derived = heads_from_quadrant(q)
    np.testing.assert_allclose(out["va"], derived["va"])
    assert (
        rec["static"]["category"]
        == {"Q1": "excited", "Q2": "distressed", "Q3": "depressed", "Q4": "relaxed"}[rec["static"]["quadrant"]]
    )
    assert out["category"][:, [cats.index(c) for c in ("excited", "distressed", "depressed", "relaxed")]].sum(
        1
    ) == pytest.approx(1.0)
    # blended with networks: quadrant mixes, the other heads are the networks'
    nets = load_symbolic_model(tiny_weights)
    save_symbolic_model(nets.networks, {"name": "both", "linear_weight": 0.25}, tmp_path / "both.pt", linear=lin)
    both = load_symbolic_model(tmp_path / "both.pt")
    ob, on = both._outputs(feats, *t), nets._outputs(feats, *t)
    np.testing.assert_allclose(ob["quadrant"], 0.25 * q + 0.75 * on["quadrant"], rtol=1e-5)
    np.testing.assert_allclose(ob["va"], on["va"])
    np.testing.assert_allclose(ob["category"], on["category"])
    _check_record(both.predict(midi), midi, 9.0)
    # conform_categories (v3): the networks' categories rescaled to the blended quadrant,
    # static and dynamic alike.
    save_symbolic_model(
        nets.networks,
        {"name": "conf", "linear_weight": 0.25, "conform_categories": True},
        tmp_path / "conf.pt",
        linear=lin,
    )
    conf = load_symbolic_model(tmp_path / "conf.pt")
    oc = conf._outputs(feats, *t)
    member = np.eye(4)[category_quadrants()]
    np.testing.assert_allclose(oc["category"] @ member, oc["quadrant"], atol=1e-6)
    np.testing.assert_allclose(oc["category"], conform_categories(on["category"], ob["quadrant"]), rtol=1e-6)
    rec = conf.predict(midi)
    _check_record(rec, midi, 9.0)
    probs = np.array([rec["static"]["probabilities"][c] for c in cats])
    qp = np.array([rec["static"]["quadrant_probabilities"][k] for k in ("Q1", "Q2", "Q3", "Q4")])
    np.testing.assert_allclose(probs @ member, qp, atol=1e-4)


def test_linear_model_errors(tmp_path):
    from mvemo.errors import ParameterError
    from mvemo.models.symbolic import LinearFactor

    with pytest.raises(ParameterError):
        save_symbolic_model([], {"name": "empty"}, tmp_path / "e.pt")
    with pytest.raises(ParameterError):
        LinearFactor(("stats", "nope"), np.zeros(2), np.ones(2), np.zeros(2), 0.0)
    with pytest.raises(ParameterError):
        LinearFactor(("stats",), np.zeros(2), np.ones(3), np.zeros(2), 0.0)
    with pytest.raises(ParameterError):
        _random_linear().valence.predict_proba(np.zeros((1, 3)))
    from mvemo.models.checkpoint import save_checkpoint

    save_checkpoint({"name": "x"}, tmp_path / "none.pt", networks=[])
    with pytest.raises(DataError, match="not a symbolic model file"):
        load_symbolic_model(tmp_path / "none.pt")


def test_intensity_rules_static_certainty_dynamic_head(tmp_path, tiny_weights):
    """v4: meta["static_levels"] / meta["dynamic_levels"] pick the level head or the certainty rule."""
    from mvemo.conversion.grids import certainty
    from mvemo.errors import ParameterError
    from mvemo.predict.symbolic import SymbolicEmotionModel

    base = load_symbolic_model(tiny_weights)
    # a level head that always answers level 9 (0.9)
    levels = {
        "mean": np.zeros(len(STAT_NAMES)),
        "scale": np.ones(len(STAT_NAMES)),
        "coef": np.zeros((len(STAT_NAMES), 11)),
        "intercept": np.where(np.arange(11) == 9, 50.0, 0.0),
    }
    path = _midi(tmp_path / "r.mid", seconds=8.0)

    def model(static, dynamic):
        meta = {**base.meta, "static_levels": static, "dynamic_levels": dynamic}
        return SymbolicEmotionModel("rules", base.networks, meta, [], None, levels)

    m = model("certainty", "head")
    feats = m.features(path)
    rec = m.predict(path)
    s = m._outputs(feats, np.array([0.0]), np.array([feats.duration]), static=True)
    r = float(certainty(s.grid.sum(-1))[0])
    assert rec["static"]["intensity"] == pytest.approx(round(r, 1))
    assert all(f["intensity"] == pytest.approx(0.9) for f in rec["dynamic"])
    # the other way round
    rec2 = model("head", "certainty").predict(path)
    assert rec2["static"]["intensity"] == pytest.approx(0.9)
    # the probabilities do not depend on the intensity rule
    assert rec2["static"]["probabilities"] == pytest.approx(rec["static"]["probabilities"])
    with pytest.raises(ParameterError, match="static_levels"):
        model("bogus", "head").predict(path)

"""Every record the symbolic and lyrics predictors write is one coherent emotion point:
category in the quadrant, valence-arousal in the category's sector, intensity = radius."""

from pathlib import Path

import numpy as np
import pytest

from mvemo.conversion.grids import heads_to_grid, level_distribution
from mvemo.conversion.point import coherence_problems, summarize_many
from mvemo.conversion.quadrant import category_quadrants
from mvemo.errors import DataError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _problems(rec) -> list[str]:
    s = rec.static
    out = [
        f"static: {p}"
        for p in coherence_problems(s.label.category, s.label.intensity, s.valence, s.arousal, s.quadrant)
    ]
    # the record's category probabilities and quadrant table tell the same story
    cats = list(s.probabilities)
    probs = np.array([s.probabilities[c] for c in cats])
    qsum = np.array([probs[category_quadrants() == q].sum() for q in range(4)])
    qtab = np.array(list(s.quadrant_probabilities.values()))
    if not np.allclose(qsum, qtab, atol=1e-3):
        out.append(f"static: quadrant table {qtab} != category mass per quadrant {qsum}")
    for f in rec.dynamic:
        out += [
            f"t={f.time}: {p}" for p in coherence_problems(f.label.category, f.label.intensity, f.valence, f.arousal)
        ]
    return out


def test_level_distribution_mean_is_the_intensity():
    x = np.array([0.0, 0.04, 0.37, 0.5, 0.999, 1.0, 1.7, -0.2])
    lv = level_distribution(x)
    np.testing.assert_allclose(lv.sum(1), 1.0)
    np.testing.assert_allclose(lv @ np.linspace(0, 1, 11), np.clip(x, 0, 1), atol=1e-12)
    assert (lv > 0).sum(1).max() <= 2


def test_heads_to_grid_takes_the_quadrant_as_prior():
    rng = np.random.default_rng(0)
    cat = rng.dirichlet(np.ones(28), size=50)
    quad = rng.dirichlet(np.ones(4), size=50)
    a = summarize_many(heads_to_grid(cat, rng.uniform(0, 1, 50), quadrant=quad))
    np.testing.assert_allclose(a.quadrant_probabilities, quad, atol=1e-9)
    assert (category_quadrants()[a.category] == a.quadrant).all()
    for i in range(50):
        assert (
            coherence_problems(
                _cat(a.category[i]),
                float(a.intensity[i]),
                float(a.valence[i]),
                float(a.arousal[i]),
                f"Q{a.quadrant[i] + 1}",
            )
            == []
        )


def _cat(i):
    from mvemo.representation import CATEGORIES

    return CATEGORIES[int(i)]


def _synth_midi(kind: str, seconds: float = 14.0):
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=150 if kind == "fast" else 60)
    inst = pretty_midi.Instrument(program=0)
    step, root = (0.2, 72) if kind == "fast" else (1.0, 57)
    scale = [0, 2, 4, 5, 7, 9, 11] if kind == "fast" else [0, 2, 3, 5, 7, 8, 10]
    t, k = 0.0, 0
    while t < seconds:
        p = root + scale[k % 7]
        inst.notes.append(pretty_midi.Note(100 if kind == "fast" else 45, p, t, t + step * 0.9))
        if k % 4 == 0:
            inst.notes.append(pretty_midi.Note(70, p - 12, t, t + step * 3))
        t += step
        k += 1
    pm.instruments.append(inst)
    return pm


def test_symbolic_records_are_coherent():
    pytest.importorskip("pretty_midi")
    pytest.importorskip("torch")
    from mvemo.predict.symbolic import load_symbolic_model

    m = load_symbolic_model()
    recs = [m.predict(p) for p in sorted((EXAMPLES / "midi").glob("*.mid"))]
    recs += [m.predict(_synth_midi(k)) for k in ("fast", "slow")]
    assert len(recs) >= 4 and all(r.dynamic for r in recs)
    for r in recs:
        assert _problems(r) == [], r.file


def test_lyrics_records_are_coherent():
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("torch")
    from mvemo.predict.lyrics import load_lyrics_model

    try:
        m = load_lyrics_model()
    except DataError:
        pytest.skip("no shipped lyrics weights")
    recs = [m.predict(p) for p in sorted((EXAMPLES / "lyrics").glob("*.lrc"))]
    recs += [
        m.predict_lyrics(t)
        for t in (
            "I love you, baby, what a happy sunny day\nWe dance and laugh together",
            "I cry alone in the cold dark night\nYou left me, my heart is broken",
            "I will burn this city down, I hate you, get out of my way",
            "Slow river, quiet evening, the lamp is low and all is still",
        )
    ]
    lrc = "[00:01.00]Shout it loud, we run, we fight\n[00:06.00]Tears fall on an empty bed\n[00:12.00]Sleep now\n"
    recs.append(m.predict(lrc))
    assert len(recs) >= 7 and any(r.dynamic for r in recs)
    for r in recs:
        assert _problems(r) == [], r.file


def test_level_head_fit_round_trip_and_grid(tmp_path):
    pytest.importorskip("torch")
    from mvemo.conversion.informative import level_distribution
    from mvemo.predict.symbolic import levels_proba
    from mvemo.train.symbolic.informative import fit_soft_softmax

    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 3))
    target = 1 / (1 + np.exp(-2 * x[:, 0]))  # intensity rises with the first feature
    y = np.stack([level_distribution(float(t)) for t in target])
    m = fit_soft_softmax(x, y, np.ones(len(x)), l2=1e-4)
    mean = levels_proba(m, x) @ np.linspace(0, 1, 11)
    assert np.corrcoef(mean, target)[0, 1] > 0.95
    assert np.abs(mean - target).mean() < 0.05
    # with a level head, the grid's intensity follows it, and stays coherent
    cat = rng.dirichlet(np.ones(28), size=len(x))
    a = summarize_many(heads_to_grid(cat, None, levels=levels_proba(m, x)))
    assert np.std(a.intensity) > 0.1 and len(set(a.intensity.tolist())) >= 6


def test_v4_parts_round_trip_through_the_weights_file(tmp_path):
    pytest.importorskip("pretty_midi")
    pytest.importorskip("torch")
    from mvemo.features.midi import STAT_NAMES
    from mvemo.predict.symbolic import load_symbolic_model, save_symbolic_model

    base = load_symbolic_model()
    f = len(STAT_NAMES)
    coef = np.zeros((f, 11))
    coef[0] = np.linspace(-3, 3, 11)  # the level follows the first statistic
    levels = {"mean": np.zeros(f), "scale": np.ones(f), "coef": coef, "intercept": np.zeros(11)}
    path = tmp_path / "v4.safetensors"
    save_symbolic_model(
        base.networks,
        {**base.meta, "name": "symbolic-test-v4", "quadrant_temperature": 1.5},
        path,
        linear=base.linear,
        levels=levels,
    )
    m = load_symbolic_model(path)
    np.testing.assert_allclose(m.levels["coef"], coef)
    rec = m.predict(_synth_midi("fast"))
    assert _problems(rec) == []
    feats = m.features(_synth_midi("fast"))
    out = m._outputs(feats, np.array([0.0]), np.array([feats.duration]))
    np.testing.assert_allclose(
        out["levels"], levels_proba_ref(levels, feats.window_stats(np.array([0.0]), np.array([feats.duration])))
    )
    # the temperature flattens the blended quadrant (T > 1)
    plain = base._outputs(feats, np.array([0.0]), np.array([feats.duration]))
    assert out["quadrant"].max() < plain["quadrant"].max()


def levels_proba_ref(model, x):
    z = ((x - model["mean"]) / model["scale"]) @ model["coef"] + model["intercept"]
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)

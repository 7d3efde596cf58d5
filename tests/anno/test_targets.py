"""MVAnno's training targets: informative soft targets where an item has one, both references."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from mvemo.anno import load_config
from mvemo.anno.backends import cpu_data as cd
from mvemo.anno.runner import run_curriculum
from mvemo.anno.targets import informative_frame_target, informative_static_target, label_targets
from mvemo.conversion.informative import from_quadrant, from_va
from mvemo.errors import DataError, ParameterError
from mvemo.records import EmotionFrame
from mvemo.representation import EmotionLabel, default_circumplex

from .conftest import SyntheticBackend, synthetic_set

pytest.importorskip("torch")


def _items():
    """Four static items (one without an informative target) and one dynamic item."""
    va = from_va(0.8, 0.6, scale=(-1.0, 1.0)).to_dict()
    q3 = from_quadrant("Q3").to_dict()
    out = []
    for k, inf in enumerate([va, q3, None, va]):
        out.append(
            SimpleNamespace(
                id=f"a{k}",
                media={"midi": f"a{k}.mid"},
                static=EmotionLabel("sad", 0.5) if k != 3 else EmotionLabel("happy", 0.5),
                dynamic=[],
                informative=inf,
                split="validation" if k == 0 else "train",
            )
        )
    return out


def _features(enc, ds, item, when):
    return np.full((2, 46), float(item.id[1:]), dtype=np.float32)


def _tokens(targets):
    items = [("toy", None, it) for it in _items()]
    train, val, notes = cd.build_tokens(
        items, ("midi",), branch="static", features=_features, max_items=None, seed=0, log=print, targets=targets
    )
    return train["toy"], val["toy"], notes


def test_informative_targets_replace_paper_targets_where_an_item_has_one():
    inf_tr, inf_val, notes = _tokens("informative")
    pap_tr, pap_val, _ = _tokens("paper")
    assert inf_tr.ids == pap_tr.ids == ["a1", "a2", "a3"]
    q3 = informative_static_target(_items()[1].informative)
    va = informative_static_target(_items()[3].informative)
    # a1 (Q3 quadrant, weight 0.5) and a3 (valence-arousal) train on their informative targets
    np.testing.assert_allclose(inf_tr.targets[0], q3[0], atol=1e-6)
    np.testing.assert_allclose(inf_tr.targets[2], va[0], atol=1e-6)
    assert inf_tr.weights.tolist() == [0.5, 1.0, 0.75]  # quadrant 0.5, no target 1, bare V-A 0.75
    # a2 has none: the paper target, in both modes
    np.testing.assert_array_equal(inf_tr.targets[1], pap_tr.targets[1])
    assert not np.allclose(inf_tr.targets[0], pap_tr.targets[0]) and not np.allclose(
        inf_tr.targets[2], pap_tr.targets[2]
    )
    np.testing.assert_array_equal(pap_tr.targets, label_targets(["sad", "sad", "happy"], [0.5] * 3)[0])
    assert pap_tr.weights.tolist() == [1.0, 1.0, 1.0]
    # both references are kept in both modes; the informative one falls back to the paper label
    for ts in (inf_tr, pap_tr):
        c, lv = ts.references("informative")
        assert c.tolist() == [q3[2], ts.ref_category[1], va[2]] and lv.tolist() == [q3[3], 5, va[3]]
        assert ts.informative.tolist() == [True, False, True]
        assert ts.references("paper")[0].tolist() == ts.ref_category.tolist()
    assert va[2] != default_circumplex().index("happy") or va[3] != 5  # the references differ on a3
    assert any("2 of 3 examples have an informative target" in n for n in notes)
    # concat keeps the informative reference
    both = cd.concat([inf_tr, inf_val])
    assert both.references("informative")[0].tolist() == c.tolist() + inf_val.references("informative")[0].tolist()
    with pytest.raises(DataError, match="targets"):
        _tokens("words")


def test_dynamic_frames_use_the_informative_frames_by_time():
    frame = {"time": 2.5, "category": "delighted", "intensity": 0.7, "agreement": 0.71, "kappa": 2.0}
    item = SimpleNamespace(
        id="d0",
        media={"audio": "d0.wav"},
        static=None,
        dynamic=[EmotionFrame(2.5, EmotionLabel("sad", 0.5)), EmotionFrame(3.0, EmotionLabel("sad", 0.5))],
        informative={**from_quadrant("Q1").to_dict(), "dynamic": [frame]},
        split="train",
    )

    def feats(enc, ds, it, times):
        return np.ones((len(times), 3, 1756), np.float32), np.zeros((len(times), 3), bool)

    for mode in ("informative", "paper"):
        train, _, _ = cd.build_tokens(
            [("dyn", None, item)],
            ("music",),
            branch="dynamic",
            features=feats,
            max_items=None,
            seed=0,
            log=print,
            targets=mode,
        )
        ts = train["dyn"]
        assert ts.informative.tolist() == [True, False]
        want = informative_frame_target(frame)[0] if mode == "informative" else label_targets(["sad"], [0.5])[0][0]
        np.testing.assert_allclose(ts.targets[0], want, atol=1e-6)
        np.testing.assert_array_equal(ts.targets[1], label_targets(["sad"], [0.5])[0][0])
        assert ts.references("informative")[0][0] == default_circumplex().index("delighted")


def test_evaluate_scores_both_references():
    be = SyntheticBackend()
    model = be.new_model(seed=0)
    ts = synthetic_set("music", 12, 0)
    r = be.evaluate(model, ts)
    assert r["D_e"] == pytest.approx(r["D_e_informative"]) and r["n_informative"] == 0
    assert 1 <= r["categories_used"] <= 28 and 1 <= r["intensity_levels"] <= 11 and r["intensity_std"] >= 0
    ts.inf_category = (ts.ref_category + 14) % 28  # the opposite side of the circle
    ts.inf_level = ts.ref_level.copy()
    ts.informative = np.ones(len(ts), bool)
    r2 = be.evaluate(model, ts)
    assert r2["D_e"] == pytest.approx(r["D_e"]) and r2["D_e_informative"] != pytest.approx(r["D_e"])


def test_config_targets_option_and_resume_guard(config_file, tmp_path):
    cfg = load_config(config_file, out_dir=str(tmp_path / "run"))
    assert cfg.targets == "informative"
    bad = tmp_path / "bad.toml"
    bad.write_text('targets = "words"\n' + config_file.read_text(), encoding="utf-8")
    with pytest.raises(ParameterError, match="targets"):
        load_config(bad)
    paper = tmp_path / "paper.toml"
    paper.write_text('targets = "paper"\n' + config_file.read_text(), encoding="utf-8")
    assert load_config(paper).targets == "paper"
    state = run_curriculum(cfg, SyntheticBackend(), log=lambda _: None, only=("image", "music"))
    assert state["targets"] == "informative"
    assert "D_e_informative" in state["stages"]["music"]["eval"]["music"]
    with pytest.raises(DataError, match="informative"):
        run_curriculum(load_config(paper, out_dir=str(tmp_path / "run")), SyntheticBackend(), log=lambda _: None)

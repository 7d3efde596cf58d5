"""Guards against forgetting in mvanno-cpu: distillation from the stage's starting model on
replayed examples (``distill``) and an L2 pull towards the starting weights (``l2sp``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mvemo.anno import load_config
from mvemo.anno.backends.cpu import CpuTrainer, predict_grid
from mvemo.anno.checkpoint import load_tensors
from mvemo.anno.config import StageConfig
from mvemo.anno.runner import Prepared, run_curriculum
from mvemo.errors import DataError, ParameterError

from .conftest import SyntheticBackend, synthetic_set

torch = pytest.importorskip("torch")


def _stage(**kw) -> StageConfig:
    return StageConfig(name="lyrics", branch="static", modalities=("lyrics",), datasets=("x",), steps=10, **kw)


def test_settings_are_checked(tmp_path):
    with pytest.raises(ParameterError, match="distill = 0.5 needs replayed examples"):
        _stage(train=("head",), distill=0.5)
    with pytest.raises(ParameterError, match="distill must be in"):
        _stage(train=("head",), replay=0.2, distill=1.5)
    with pytest.raises(ParameterError, match="l2sp must be >= 0"):
        _stage(train=("head",), l2sp=-1.0)
    p = tmp_path / "c.toml"
    p.write_text(
        '[[stage]]\nname = "a"\nbranch = "static"\nmodalities = ["music"]\ntrain = ["head"]\nsteps = 1\n'
        "l2sp = 0.5\nreplay = 0.25\ndistill = 0.5\nl2 = 1\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="l2"):
        load_config(p)
    p.write_text(p.read_text().replace("l2 = 1\n", ""), encoding="utf-8")
    st = load_config(p).stage("a")
    assert (st.l2sp, st.replay, st.distill) == (0.5, 0.25, 0.5)


def _trained_on_music():
    backend = SyntheticBackend()
    model = backend.new_model(seed=0)
    music = Prepared(n_train=64, train=synthetic_set("music", 64, 1), val={})
    tr = CpuTrainer(model, _stage(train=("projectors", "trunk", "head", "lora_m")), music, seed=0, replay=[])
    for i in range(30):
        tr.step(i)
    return backend, model, music


def test_distill_mixes_the_starting_models_predictions_into_replay_targets():
    backend, model, music = _trained_on_music()
    lyrics = Prepared(n_train=64, train=synthetic_set("lyrics", 64, 2), val={})
    before = predict_grid(model, music.train.tokens, music.train.pad)
    tr = CpuTrainer(model, _stage(train=("head",), replay=0.5, distill=0.75), lyrics, seed=1, replay=[music])
    want = 0.25 * music.train.targets + 0.75 * before
    np.testing.assert_allclose(tr.replay_targets[0], want, atol=1e-6)
    assert np.abs(tr.replay_targets[0] - music.train.targets).max() > 0.01  # really differs from the labels
    plain = CpuTrainer(model, _stage(train=("head",), replay=0.5), lyrics, seed=1, replay=[music])
    assert plain.replay_targets[0] is music.train.targets


def test_l2sp_keeps_weights_near_the_start():
    def drift(l2sp):
        backend, model, music = _trained_on_music()
        start = {k: v.detach().clone() for k, v in model.named_parameters()}
        lyrics = Prepared(n_train=64, train=synthetic_set("lyrics", 64, 2), val={})
        tr = CpuTrainer(model, _stage(train=("head", "lora_m"), l2sp=l2sp), lyrics, seed=1, replay=[])
        for i in range(40):
            tr.step(i)
        names = [n for n, _ in model.named_parameters() if n.startswith("head.") or "lora_A.m" in n or "lora_B.m" in n]
        params = dict(model.named_parameters())
        return sum(float(((params[n].detach() - start[n]) ** 2).sum()) for n in names)

    free, held = drift(0.0), drift(50.0)
    assert held < 0.5 * free, (held, free)


def test_l2sp_leaves_the_new_modalitys_projector_free():
    backend, model, music = _trained_on_music()
    lyrics = Prepared(n_train=64, train=synthetic_set("lyrics", 64, 2), val={})
    tr = CpuTrainer(model, _stage(train=("projectors", "head"), l2sp=1.0, replay=0.25), lyrics, seed=1, replay=[music])
    anchored = {id(p) for p, _ in tr.anchor}
    named = dict(model.named_parameters())
    assert all(
        id(p) not in anchored for n, p in named.items() if n.startswith(("projectors.lyrics.", "modality_emb.lyrics"))
    )
    assert all(id(p) in anchored for n, p in named.items() if n.startswith(("projectors.music.", "head.")))


def test_resume_is_exact_with_distill_and_l2sp(config_file, tmp_path):
    text = config_file.read_text().replace("epochs = 2", "epochs = 2\nreplay = 0.25\ndistill = 0.5\nl2sp = 1.0")
    config_file.write_text(text, encoding="utf-8")
    run_curriculum(load_config(config_file, out_dir=str(tmp_path / "ref")), SyntheticBackend(), log=lambda _: None)
    cfg = load_config(config_file, out_dir=str(tmp_path / "cut"))
    assert cfg.stage("lyrics").distill == 0.5

    def stop(stage, done, loss):
        if stage == "lyrics" and done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_curriculum(cfg, SyntheticBackend(), log=lambda _: None, on_step=stop)
    assert json.loads((tmp_path / "cut" / "stages" / "lyrics" / "partial.json").read_text())["step"] == 7
    run_curriculum(cfg, SyntheticBackend(), log=lambda _: None)
    a = load_tensors(tmp_path / "ref" / "stages" / "lyrics" / "model.safetensors")
    b = load_tensors(tmp_path / "cut" / "stages" / "lyrics" / "model.safetensors")
    for k in a:
        np.testing.assert_allclose(a[k], b[k], atol=1e-6, err_msg=k)

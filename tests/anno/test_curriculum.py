"""The MVAnno curriculum: config, runner (skips, fork, checkpoints, resume), report, adapters, targets."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mvemo.anno import OptimConfig, load_config
from mvemo.anno.checkpoint import load_tensors
from mvemo.anno.report import format_report, load_state, table2
from mvemo.anno.runner import run_curriculum
from mvemo.anno.targets import label_targets
from mvemo.conversion.point import summarize
from mvemo.errors import DataError, ParameterError
from mvemo.representation import CATEGORIES

from .conftest import SyntheticBackend

torch = pytest.importorskip("torch")


def test_optimizer_defaults_are_the_papers():
    o = OptimConfig()
    assert (o.lr, o.beta1, o.beta2, o.eps, o.batch_size, o.weight_decay) == (4e-5, 0.9, 0.95, 1e-7, 4, 0.01)


def test_config_order_fork_and_errors(config_file, tmp_path):
    cfg = load_config(config_file, out_dir=str(tmp_path / "run"))
    assert cfg.parent("music_dynamic") == "video_static"
    assert cfg.parent("lyrics_static2") == "video_static"
    assert cfg.parent("image") is None
    assert cfg.stage("music").optimizer.lr == 3e-3 and cfg.stage("music").optimizer.beta2 == 0.95
    bad = tmp_path / "bad.toml"
    bad.write_text(config_file.read_text().replace('reason = "test"\n', ""), encoding="utf-8")
    with pytest.raises(DataError, match="reason"):
        load_config(bad)
    bad.write_text(config_file.read_text().replace("steps = 40", "steps = 40\nsteps_x = 1"), encoding="utf-8")
    with pytest.raises(DataError, match="steps_x"):
        load_config(bad)
    bad.write_text(config_file.read_text().replace('"lora_m", "trunk"', '"lora_q", "trunk"'), encoding="utf-8")
    with pytest.raises(ParameterError, match="lora_q"):
        load_config(bad)


def test_targets_give_back_their_label():
    cats = [c for c in CATEGORIES for _ in range(3)]
    ints = [0.2, 0.5, 0.9] * len(CATEGORIES)
    t, w = label_targets(cats, ints)
    assert t.shape == (len(cats), 28, 11) and np.allclose(t.sum(axis=(1, 2)), 1.0) and np.all(w == 1)
    for k in range(len(cats)):
        pt = summarize(t[k])
        assert (pt.category, pt.intensity) == (cats[k], ints[k])


def test_lora_linear_matches_merged_weight():
    from mvemo.anno.backends.cpu_model import LoRALinear

    torch.manual_seed(0)
    lin = LoRALinear(6, 5, rank=2)
    x = torch.randn(3, 4, 6)
    gates = torch.tensor([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    assert torch.allclose(lin(x, gates), lin.base(x))  # B starts at zero
    with torch.no_grad():
        for p in lin.lora_B.values():
            p.normal_()
    y = lin(x, gates)
    for i, g in enumerate(gates.tolist()):
        ref = x[i] @ lin.merged_weight(tuple(g)).T + lin.base.bias
        assert torch.allclose(y[i], ref, atol=1e-5)
    assert not torch.allclose(y[1], y[2])


def test_curriculum_runs_skips_forks_and_reports(config_file, tmp_path):
    cfg = load_config(config_file, out_dir=str(tmp_path / "run"))
    lines = []
    state = run_curriculum(cfg, SyntheticBackend(), log=lines.append)
    st = state["stages"]
    assert st["image"]["status"] == "skipped" and "no data for image" in st["image"]["reason"]
    assert any("image" in ln and "SKIPPED" in ln for ln in lines)
    assert all(
        st[n]["status"] == "done" for n in ("music", "lyrics", "video_static", "music_dynamic", "lyrics_static2")
    )
    assert st["lyrics"]["steps"] == 2 * 8  # epochs * ceil(64 / 8)
    assert st["music_dynamic"]["parent"] == "video_static"
    # evaluated on all trained stages of its lineage; learnt something on music
    assert set(st["music_dynamic"]["eval"]) == {"music", "lyrics", "video_static", "music_dynamic"}
    assert st["music"]["eval"]["music"]["D_e"] < 0.6
    run = tmp_path / "run" / "stages"
    assert (run / "music" / "model.safetensors").is_file() and not list(run.rglob("*.pt"))
    assert not (run / "music" / "partial.safetensors").exists()
    meta = json.loads((run / "music_dynamic" / "meta.json").read_text())
    assert meta["parent"] == "video_static"
    # the dynamic stage trains only LoRA_m: everything else is its parent's
    a, b = (
        load_tensors(run / "video_static" / "model.safetensors"),
        load_tensors(run / "music_dynamic" / "model.safetensors"),
    )
    changed = {k for k in a if not np.array_equal(a[k], b[k])}
    assert changed and all("lora_A.m" in k or "lora_B.m" in k for k in changed)
    # report: Table II marks the skipped stage; three formats
    head, body = table2(load_state(tmp_path / "run"))
    assert body[0][head.index("image")] == "skipped"
    md = format_report(state, fmt="md")
    assert "| static | own data | skipped |" in md and "Forgetting matrix (dynamic branch)" in md
    assert "\\begin{tabular}" in format_report(state, fmt="latex")
    assert format_report(state, fmt="csv").splitlines()[1].startswith("branch,D_e on,image,music")
    # a rerun keeps finished stages
    lines.clear()
    run_curriculum(cfg, SyntheticBackend(), log=lines.append)
    assert any("music: done earlier, kept" in ln for ln in lines)


def test_interrupted_curriculum_resumes_exactly(config_file, tmp_path):
    ref_cfg = load_config(config_file, out_dir=str(tmp_path / "ref"))
    run_curriculum(ref_cfg, SyntheticBackend(), log=lambda _: None)

    cfg = load_config(config_file, out_dir=str(tmp_path / "cut"))

    def stop(stage, done, loss):
        if stage == "lyrics" and done == 7:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_curriculum(cfg, SyntheticBackend(), log=lambda _: None, on_step=stop)
    state = json.loads((tmp_path / "cut" / "state.json").read_text())
    assert state["stages"]["music"]["status"] == "done" and state["stages"]["lyrics"]["status"] == "running"
    assert json.loads((tmp_path / "cut" / "stages" / "lyrics" / "partial.json").read_text())["step"] == 7
    lines = []
    run_curriculum(cfg, SyntheticBackend(), log=lines.append)
    assert any("lyrics: resuming at step 7/16" in ln for ln in lines)
    for name in ("lyrics", "music_dynamic", "lyrics_static2"):
        a = load_tensors(tmp_path / "ref" / "stages" / name / "model.safetensors")
        b = load_tensors(tmp_path / "cut" / "stages" / name / "model.safetensors")
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_allclose(a[k], b[k], atol=1e-6, err_msg=f"{name}:{k}")

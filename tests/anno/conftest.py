"""Shared fixtures of the MVAnno tests: a CPU backend on synthetic token sets (no data, no encoders)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("safetensors")

from mvemo.anno.backends import cpu_data as cd
from mvemo.anno.backends.cpu import CpuBackend
from mvemo.anno.runner import Prepared
from mvemo.anno.targets import label_targets

DIMS = {"music": 1756, "lyrics": 399, "midi": 46, "vision": 16}


def synthetic_set(enc: str, n: int, seed: int, *, tokens: int = 4, per_group: int = 1) -> cd.TokenSet:
    """Tokens whose first feature decides the label (excited 0.7 vs sad 0.3): learnable."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, tokens, DIMS[enc])).astype(np.float32)
    y = (x[:, :, 0].mean(1) > 0).astype(int)
    x[:, :, 0] += np.where(y == 1, 2.0, -2.0)[:, None]
    cats = ["excited" if v else "sad" for v in y]
    ints = [0.7 if v else 0.3 for v in y]
    t, w = label_targets(cats, ints)
    from mvemo.representation import default_circumplex, intensity_level

    circ = default_circumplex()
    pad = np.zeros((n, tokens), dtype=bool)
    pad[: n // 3, -1] = True  # some padding
    return cd.TokenSet(
        {enc: x.astype(np.float16)},
        {enc: pad},
        t,
        w,
        np.array([circ.index(c) for c in cats]),
        np.asarray(intensity_level(np.array(ints))),
        np.arange(n) // per_group,
        [f"{enc}-{i}" for i in range(0, n, per_group)],
    )


class SyntheticBackend(CpuBackend):
    """The real mvanno-cpu model and trainer; data from :func:`synthetic_set` (``absent`` stages skip)."""

    def __init__(self, absent=("image",), **kw):
        super().__init__(model={"d_model": 32, "heads": 2, "layers": 1, "ff": 64, "rank": 4, "dropout": 0.1}, **kw)
        self.absent = set(absent)
        self.prepared = []

    def prepare(self, stage, cfg, *, log):
        if stage.name in self.absent:
            return f"no data for {stage.name}"
        self.prepared.append(stage.name)
        enc = {"image": "vision", "video": "vision"}.get(stage.modalities[0], stage.modalities[0])
        seed = sum(map(ord, stage.name))
        per = 4 if stage.branch == "dynamic" else 1
        return Prepared(
            n_train=64,
            train=synthetic_set(enc, 64, seed, per_group=per),
            val={f"{stage.name}-val": synthetic_set(enc, 24, seed + 1, per_group=per)},
        )


CONFIG = textwrap.dedent("""
    backend = "mvanno-cpu"
    seed = 0
    fork_from = "video_static"
    checkpoint_every = 5
    [optimizer]
    lr = 3e-3
    batch_size = 8
    reason = "test"
    [[stage]]
    name = "image"
    branch = "static"
    modalities = ["image"]
    train = ["projectors", "lora_v"]
    steps = 4
    [[stage]]
    name = "music"
    branch = "static"
    modalities = ["music"]
    datasets = ["x"]
    train = ["projectors", "lora_m", "trunk", "head"]
    steps = 40
    [[stage]]
    name = "lyrics"
    branch = "static"
    modalities = ["lyrics"]
    datasets = ["x"]
    train = ["projectors", "lora_v", "lora_m"]
    epochs = 2
    [[stage]]
    name = "video_static"
    branch = "static"
    modalities = ["video"]
    datasets = ["x"]
    train = ["projectors", "lora_v"]
    steps = 6
    [[stage]]
    name = "music_dynamic"
    branch = "dynamic"
    modalities = ["music"]
    datasets = ["x"]
    train = ["lora_m"]
    steps = 6
    [[stage]]
    name = "lyrics_static2"
    branch = "static"
    modalities = ["lyrics"]
    datasets = ["x"]
    train = ["lora_v"]
    steps = 3
""")


@pytest.fixture
def config_file(tmp_path):
    p = tmp_path / "mvanno.toml"
    p.write_text(CONFIG, encoding="utf-8")
    return p

"""The builder's thread budget: the policy, its switch, and that it changes speed, never pixels."""

from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import pytest

from mvemo.dataset import threads as T
from mvemo.dataset.ledger import Ledger
from mvemo.errors import ParameterError
from mvemo.util import codec_threads, set_codec_threads


def test_budget_and_switch():
    assert T.thread_budget(workers=1, cores=2, environ={}) == 2
    assert T.thread_budget(workers=2, cores=2, environ={}) == 1
    assert T.thread_budget(workers=3, cores=2, environ={}) == 1  # never 0
    assert T.thread_budget(workers=4, cores=16, environ={}) == 4
    assert T.thread_budget(workers=2, cores=2, environ={T.THREADS_ENV: "3"}) == 3
    with pytest.raises(ParameterError, match="MVEMO_BUILD_THREADS"):
        T.thread_budget(workers=2, environ={T.THREADS_ENV: "zero"})
    with pytest.raises(ParameterError, match="workers"):
        T.thread_budget(workers=0, environ={})
    assert T.tuning_enabled({}) and T.tuning_enabled({T.TUNING_ENV: "on"})
    for off in ("off", "OFF", "0", "false", "no"):
        assert not T.tuning_enabled({T.TUNING_ENV: off})


def test_worker_environment_and_dask_settings():
    env = T.worker_environ(2, math=3)
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "3"
    assert env[T.THREADS_ENV] == "2" and env["OMP_WAIT_POLICY"] == "PASSIVE"
    assert T.math_threads({}) == T.MATH_THREADS == 1 and T.math_threads({T.MATH_THREADS_ENV: "2"}) == 2
    with pytest.raises(ParameterError, match="MATH_THREADS"):
        T.math_threads({T.MATH_THREADS_ENV: "-1"})
    cfg = T.lean_dask_config(1)
    assert cfg["distributed.worker.profile.enabled"] is False
    assert cfg["distributed.worker.memory.spill"] is False
    assert cfg["distributed.nanny.pre-spawn-environ"]["OMP_NUM_THREADS"] == "1"
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set(cfg):  # every key is one Dask knows
        for k, v in cfg.items():
            assert dask.config.get(k) == v


def test_codec_threads_setting(monkeypatch):
    monkeypatch.setattr("mvemo.util._CODEC_THREADS", None)
    assert codec_threads() is None
    set_codec_threads(2)
    assert codec_threads() == 2
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ParameterError, match="codec threads"):
            set_codec_threads(bad)
    set_codec_threads(None)
    assert codec_threads() is None


def test_configure_worker(monkeypatch):
    monkeypatch.setattr("mvemo.util._CODEC_THREADS", None)
    monkeypatch.setattr(T, "_CONFIGURED", [])
    for k in (*T.BLAS_ENV, T.THREADS_ENV, T.MATH_THREADS_ENV, "OMP_WAIT_POLICY"):
        monkeypatch.setenv(k, "")  # recorded, so what configure_worker writes is undone after the test
        monkeypatch.delenv(k)
    assert T.configure_worker() is None and codec_threads() is None  # no budget: nothing changes
    monkeypatch.setenv(T.THREADS_ENV, "2")
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    try:
        assert T.configure_worker() == 2
        assert codec_threads() == 2 and torch.get_num_threads() == T.MATH_THREADS
        import os

        assert os.environ["OMP_NUM_THREADS"] == "1"
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ParameterError):
        T.configure_worker(0)


def test_decoding_is_the_same_with_any_thread_count(corpus):
    """Frames (decoder + scaler) do not depend on the thread count; a fixed encoder count gives
    the same transcoded file twice."""
    pytest.importorskip("av")
    from mvemo.io.video import sample_frames

    src = corpus / "mv_00.mp4"
    times = np.arange(0.0, 5.0, 0.5)
    ref, _ = sample_frames(src, times, threads=False)
    for n in (2, 3, True):
        frames, _ = sample_frames(src, times, threads=n)
        assert np.array_equal(frames, ref), n
    with pytest.raises(ParameterError):
        sample_frames(src, times, threads=0)


def test_transcode_with_fixed_encoder_threads(corpus, tmp_path):
    pytest.importorskip("av")
    from mvemo.io.video import normalize_video

    src = corpus / "mv_00.mp4"
    digests = []
    for k, dec in enumerate((1, 2)):
        out = normalize_video(src, tmp_path / f"t{k}.mp4", threads=dec, encoder_threads=T.ENCODER_THREADS)
        assert out.duration > 0
        digests.append(hashlib.sha256((tmp_path / f"t{k}.mp4").read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    with pytest.raises(ParameterError, match="encoder_threads"):
        normalize_video(src, tmp_path / "bad.mp4", encoder_threads=0)


def test_longest_first(tmp_path):
    from mvemo.dataset.build import longest_first
    from mvemo.dataset.sources import collect_sources

    for name, size in (("a", 10), ("b", 300), ("c", 30), ("d", 300)):
        (tmp_path / f"{name}.mp4").write_bytes(b"x" * size)
    jobs = collect_sources([tmp_path])
    assert [j.id for j in longest_first(jobs)] == ["b", "d", "c", "a"]


def test_ledger_cpu_seconds_and_old_ledgers(tmp_path):
    # a ledger written before the cpu_seconds column existed gets it
    con = sqlite3.connect(tmp_path / "old.sqlite")
    con.executescript(
        "CREATE TABLE steps (id TEXT NOT NULL, step TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, "
        "seconds REAL, PRIMARY KEY (id, step));"
    )
    con.close()
    with Ledger(tmp_path / "old.sqlite") as led:
        led.record(
            "v",
            source="v.mp4",
            fingerprint="f",
            config="c",
            status="done",
            reason=None,
            result={},
            steps=[{"step": "probe", "status": "done", "reason": None, "seconds": 0.5, "cpu_seconds": 0.25}],
        )
        assert led.steps("v") == [
            {"id": "v", "step": "probe", "status": "done", "reason": None, "seconds": 0.5, "cpu_seconds": 0.25}
        ]

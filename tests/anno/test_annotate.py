"""MVAnno tokens, records and annotation (synthetic run; no shared data)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mvemo.anno import load_config
from mvemo.anno.annotate import Annotator, export_weights, make_record
from mvemo.anno.backends import cpu_data as cd
from mvemo.anno.runner import run_curriculum
from mvemo.conversion.point import coherence_problems
from mvemo.features.blocks import BlockFeatures
from mvemo.predict.batch import predict_files

from .conftest import CONFIG, SyntheticBackend


def _blocks(n: int) -> BlockFeatures:
    rng = np.random.default_rng(0)
    mean = rng.random((n, 753)).astype(np.float32)
    return BlockFeatures(mean, mean + 1, np.full(n, 31), n * 0.5)


def test_music_tokens():
    b = _blocks(40)  # 20 s
    tok = cd.music_static_tokens(b)
    assert tok.shape == (16, 1506)
    np.testing.assert_allclose(tok[0, :753], b.mean[0:2].mean(0), rtol=1e-6)  # 40 blocks -> runs of 2 or 3
    w, pad = cd.music_window_tokens(b, np.array([2.5, 10.0, 19.0]))
    assert w.shape == (3, 10, 1506)
    assert not pad[0].any() and not pad[1].any()
    assert pad[2].tolist() == [False] * 7 + [True] * 3  # 16.5..21.5 s: the last 1.5 s lie past the end
    np.testing.assert_allclose(w[1, 0, :753], b.mean[15])  # 7.5 s = block 15
    assert np.all(w[2, 7:] == 0)


def test_midi_window_tokens_cut_each_window_into_segments():
    calls = []

    class Feats:
        def window_stats(self, start, stop):
            calls.append(len(start))
            np.testing.assert_allclose(stop - start, 0.5)
            return np.tile(np.stack([start, stop], axis=1), (1, 23))  # (W, 46): the bounds, repeated

    tok = cd.midi_window_tokens(Feats(), np.array([2.5, 3.0, 10.0]))
    assert tok.shape == (3, 10, 46)
    starts = np.sign(tok[..., 0]) * np.expm1(np.abs(tok[..., 0]))  # undo the signed log
    np.testing.assert_allclose(starts[0], np.arange(10) * 0.5, atol=1e-5)
    np.testing.assert_allclose(starts[1], 0.5 + np.arange(10) * 0.5, atol=1e-5)
    np.testing.assert_allclose(starts[2], 7.5 + np.arange(10) * 0.5, atol=1e-5)
    assert calls == [21]  # 11 segments shared by the first two windows + 10 of the third, each once


def test_make_record_is_coherent_and_documented_format():
    rng = np.random.default_rng(1)
    static = rng.random((28, 11))
    frames = rng.random((3, 28, 11)) ** 4
    rec = make_record(
        "x.wav",
        model="m",
        modality="music",
        duration=7.0,
        static=static,
        times=np.array([2.5, 3.0, 3.5]),
        frames=frames,
        features={},
    )
    assert set(rec) == {"file", "model", "modality", "duration", "static", "dynamic", "features"}
    s = rec["static"]
    assert set(s) == {
        "category",
        "intensity",
        "probabilities",
        "valence",
        "arousal",
        "quadrant",
        "quadrant_probabilities",
    }
    assert len(s["probabilities"]) == 28 and abs(sum(s["quadrant_probabilities"].values()) - 1) < 1e-3
    assert coherence_problems(s["category"], s["intensity"], s["valence"], s["arousal"], s["quadrant"], tol=1e-3) == []
    assert [f["time"] for f in rec["dynamic"]] == [2.5, 3.0, 3.5]
    for f in rec["dynamic"]:
        assert set(f) == {"time", "category", "intensity", "valence", "arousal"}
        assert coherence_problems(f["category"], f["intensity"], f["valence"], f["arousal"], tol=1e-3) == []
    json.dumps(rec)


def _midi(path, pitches):
    pretty_midi = pytest.importorskip("pretty_midi")
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    inst = pretty_midi.Instrument(program=0)
    for k, p in enumerate(pitches * 8):
        inst.notes.append(pretty_midi.Note(80, p, k * 0.3, k * 0.3 + 0.28))
    pm.instruments.append(inst)
    pm.write(str(path))
    return path


def test_annotator_from_run_and_export_batch(tmp_path):
    pytest.importorskip("pretty_midi")
    cfg_text = (
        CONFIG + "\n[backend_options.model]\nd_model = 32\nheads = 2\nlayers = 1\nff = 64\nrank = 4\ndropout = 0.1\n"
    )
    cfg_text = cfg_text.replace(
        'modalities = ["lyrics"]\ndatasets = ["x"]\ntrain = ["projectors", "lora_v", "lora_m"]',
        'modalities = ["midi"]\ndatasets = ["x"]\ntrain = ["projectors", "lora_v", "lora_m"]',
    )
    p = tmp_path / "c.toml"
    p.write_text(cfg_text, encoding="utf-8")
    cfg = load_config(p, out_dir=str(tmp_path / "run"))
    run_curriculum(cfg, SyntheticBackend(), log=lambda _: None)
    ann = Annotator(tmp_path / "run", cache_dir=str(tmp_path / "cache"))
    assert ann.dynamic is not None
    good = _midi(tmp_path / "a.mid", [60, 64, 67])
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"not a midi file")
    rec = ann.annotate(good)
    assert rec["modality"] == "symbolic" and rec["duration"] > 0
    s = rec["static"]
    assert coherence_problems(s["category"], s["intensity"], s["valence"], s["arousal"], s["quadrant"], tol=1e-3) == []
    # MIDI's 0.5-s labels: MVAnno_static on each ±2.5-s window of the grid
    from mvemo.conversion.dynamic import grid_times

    assert [f["time"] for f in rec["dynamic"]] == grid_times(rec["duration"]).round(4).tolist()
    assert len(rec["dynamic"]) > 0
    for f in rec["dynamic"]:
        assert coherence_problems(f["category"], f["intensity"], f["valence"], f["arousal"], tol=1e-3) == []
    # exported float16 weights give the same labels
    js = export_weights(tmp_path / "run", tmp_path / "w", name="mvanno-test")
    rec2 = Annotator(js, cache_dir=str(tmp_path / "cache")).annotate(good)
    assert rec2["static"]["category"] == s["category"]
    np.testing.assert_allclose(rec2["static"]["valence"], s["valence"], atol=0.02)
    # batch: a bad file is reported, the good one kept; resume skips it
    out = tmp_path / "out.jsonl"
    rep = predict_files([good, bad], ann.annotate, out=out, progress=False)
    assert rep.done == 1 and len(rep.failed) == 1 and "broken.mid" in rep.failed[0][0]
    rep = predict_files([good, bad], ann.annotate, out=out, resume=True, progress=False)
    assert rep.skipped == 1 and len(out.read_text().splitlines()) == 1


@pytest.mark.shared_data
def test_midi_stage_prepares_from_registered_datasets(shared_data, tmp_path):
    """The real loaders: EMOPIA + VGMIDI give MIDI tokens and validation sets per dataset."""
    pytest.importorskip("pretty_midi")
    from mvemo.anno.backends.cpu import CpuBackend

    cfg_text = CONFIG.replace(
        'modalities = ["lyrics"]\ndatasets = ["x"]', 'modalities = ["midi"]\ndatasets = ["emopia", "vgmidi"]'
    )
    p = tmp_path / "c.toml"
    p.write_text(cfg_text.replace("epochs = 2", "epochs = 2\nmax_items = 40"), encoding="utf-8")
    cfg = load_config(p, data_home=str(shared_data))
    got = CpuBackend().prepare(cfg.stage("lyrics"), cfg, log=lambda _: None)
    assert got.n_train == 80  # 40 per dataset (max_items)
    assert set(got.val) == {"emopia", "vgmidi"} and len(got.val["emopia"]) == 114
    assert got.train.tokens["midi"].shape[1:] == (8, 46)


def test_lyrics_units_are_computed_once_and_cached(tmp_path, monkeypatch):
    """The lyrics encoder runs on a miss only; a second backend reads the shared content-keyed cache."""
    import mvemo.features.lyrics as fl
    from mvemo.anno.backends.cpu import CpuBackend

    calls = []

    class FakeEncoder:
        def encode(self, units):
            calls.append(list(units))
            return np.arange(len(units) * 384, dtype=np.float64).reshape(len(units), 384)

    monkeypatch.setattr(fl, "SentenceEncoder", FakeEncoder)
    text = "rain on the platform\nI wait alone for you\nthe train is late again\n"
    emb, stats = CpuBackend(cache_dir=str(tmp_path)).lyrics_units(text)
    assert len(calls) == 1 and emb.shape == (len(calls[0]), 384) and stats.shape[0] == len(calls[0])
    emb2, stats2 = CpuBackend(cache_dir=str(tmp_path)).lyrics_units(text)
    assert len(calls) == 1  # from the cache
    np.testing.assert_array_equal(emb, emb2)
    np.testing.assert_array_equal(stats, stats2)
    with pytest.raises(Exception, match="not cached"):
        CpuBackend(cache_dir=str(tmp_path), cached_only=True).lyrics_units("other words entirely")

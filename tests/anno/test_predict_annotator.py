"""``mvemo predict --annotator``: which files go to MVAnno, record format, batch/resume/bad files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mvemo.anno import load_config
from mvemo.anno.annotate import export_weights
from mvemo.anno.choice import ANNOTATOR_MODALITIES, compare_with_separate, resolve_annotator
from mvemo.anno.runner import run_curriculum
from mvemo.cli.main import cli
from mvemo.errors import DataError, ParameterError
from mvemo.predict import router as router_mod
from mvemo.records import PredictionRecord

from .conftest import CONFIG, SyntheticBackend
from .test_annotate import _midi

FAKE = {
    "model": "per-modality",
    "modality": "lyrics",
    "duration": None,
    "static": {"category": "calm", "intensity": 0.5, "valence": 0.3, "arousal": -0.4, "quadrant": "Q4"},
    "dynamic": [],
    "features": {},
}


def _validation(*, better: set[str]) -> dict:
    """A recorded comparison in which the annotator wins exactly the modalities in ``better``."""
    stage = {"music": "music", "lyrics": "lyrics", "symbolic": "midi"}
    per = {f"ds-{m}": {"stage": stage[m], "n": 10, "D_e": 0.2 if m in better else 0.4} for m in ANNOTATOR_MODALITIES}
    return compare_with_separate(per, {f"ds-{m}": ("sep", 0.3) for m in ANNOTATOR_MODALITIES})


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny trained MIDI annotator (synthetic curriculum), exported as ``w/mvanno-test.json``."""
    pytest.importorskip("pretty_midi")
    tmp = tmp_path_factory.mktemp("ann")
    cfg_text = (
        CONFIG + "\n[backend_options.model]\nd_model = 32\nheads = 2\nlayers = 1\nff = 64\nrank = 4\ndropout = 0.1\n"
    ).replace(
        'modalities = ["lyrics"]\ndatasets = ["x"]\ntrain = ["projectors", "lora_v", "lora_m"]',
        'modalities = ["midi"]\ndatasets = ["x"]\ntrain = ["projectors", "lora_v", "lora_m"]',
    )
    (tmp / "c.toml").write_text(cfg_text, encoding="utf-8")
    run_curriculum(load_config(tmp / "c.toml", out_dir=str(tmp / "run")), SyntheticBackend(), log=lambda _: None)
    return export_weights(
        tmp / "run", tmp / "w", name="mvanno-test", extra={"validation": _validation(better={"symbolic"})}
    )


@pytest.fixture
def fake_router(monkeypatch):
    """The per-modality models answer with a fixed record; the files they got are listed."""
    calls = []

    def fake(self, path, lyrics=None):
        calls.append(str(path))
        return PredictionRecord.from_dict({**FAKE, "file": str(path)})

    monkeypatch.setattr(router_mod.Router, "predict", fake)
    return calls


def _inputs(tmp_path):
    a = _midi(tmp_path / "a.mid", [60, 64, 67])
    b = _midi(tmp_path / "b.mid", [57, 60, 64])
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"not a midi file")
    txt = tmp_path / "words.txt"
    txt.write_text("la la la\n", encoding="utf-8")
    return [a, b, bad, txt]


def _records(path):
    return {json.loads(line)["file"]: json.loads(line) for line in path.read_text().splitlines()}


def test_compare_with_separate_per_modality_and_missing_reference():
    got = compare_with_separate(
        {
            "q": {"stage": "music", "n": 30, "D_e": 0.3},
            "e": {"stage": "music", "n": 10, "D_e": 0.1},
            "x": {"stage": "music", "n": 5, "D_e": 0.0},  # no separate number: listed, not pooled
            "l": {"stage": "lyrics", "n": 4, "D_e": 0.5},
            "v": {"stage": "music_dynamic", "n": 4, "D_e": 0.1},  # not a static stage: ignored
        },
        {"q": ("m", 0.2), "e": ("m", 0.2), "l": ("t", 0.49)},
    )
    music = got["modalities"]["music"]
    assert music["n"] == 40 and music["annotator"] == 0.25 and music["separate"] == 0.2
    assert music["datasets"] == ["e", "q"] and music["annotator_better_or_equal"] is False
    assert got["modalities"]["lyrics"]["annotator_better_or_equal"] is False
    assert "symbolic" not in got["modalities"] and "v" not in got["datasets"]
    assert "separate" not in got["datasets"]["x"]


def test_auto_follows_the_shipped_record_not_a_fixed_list():
    from mvemo.anno.annotate import SHIPPED, WEIGHTS_DIR

    rec = json.loads((WEIGHTS_DIR / f"{SHIPPED}.json").read_text())["validation"]["modalities"]
    choice = resolve_annotator("auto")
    for m in ANNOTATOR_MODALITIES:
        wanted = rec[m]["annotator"] <= rec[m]["separate"] and rec[m].get("labels_informative", True)
        assert (m in choice.modalities) == wanted, m
        assert f"{rec[m]['annotator']:.4f}" in choice.reasons[m]
    assert resolve_annotator("none").modalities == frozenset()
    assert resolve_annotator("mvanno-cpu").modalities == frozenset(ANNOTATOR_MODALITIES)


def test_auto_picks_per_modality_from_recorded_numbers(tmp_path, monkeypatch):
    import mvemo.anno.annotate as ann_mod

    info = {"name": "x", "static": "x-static.safetensors", "validation": _validation(better={"music", "lyrics"})}
    (tmp_path / "x.json").write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setattr(ann_mod, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr(ann_mod, "SHIPPED", "x")
    choice = resolve_annotator("auto")
    assert choice.modalities == frozenset({"music", "lyrics"}) and choice.weights == tmp_path / "x.json"
    assert "0.4000 > 0.3000" in choice.reasons["symbolic"]
    info["validation"] = _validation(better=set())
    (tmp_path / "x.json").write_text(json.dumps(info), encoding="utf-8")
    assert resolve_annotator("auto").weights is None  # nothing better: the annotator is not even loaded
    del info["validation"]
    (tmp_path / "x.json").write_text(json.dumps(info), encoding="utf-8")
    choice = resolve_annotator("auto")
    assert choice.modalities == frozenset() and "no validation D_e recorded" in choice.reasons["music"]


def test_bad_annotator_value_names_it(tmp_path):
    with pytest.raises(ParameterError, match="nope"):
        resolve_annotator("nope")
    (tmp_path / "w.safetensors").write_bytes(b"")
    with pytest.raises(ParameterError, match=r"w\.safetensors"):
        resolve_annotator(str(tmp_path / "w.safetensors"))
    run = tmp_path / "run"
    run.mkdir()
    (run / "state.json").write_text(json.dumps({"stages": {"music": {"status": "running", "branch": "static"}}}))
    with pytest.raises(DataError, match="no trained static stage"):
        resolve_annotator(str(run))
    res = CliRunner().invoke(
        cli, ["predict", __file__, "--out", str(tmp_path / "o.jsonl"), "--annotator", "mvanno-gpu"]
    )
    assert res.exit_code != 0 and "mvanno-gpu" in (res.output + str(res.exception))
    assert not (tmp_path / "o.jsonl").exists()


def test_predict_with_annotator_path_batch_bad_file_resume(exported, tmp_path, fake_router, monkeypatch):
    import numpy as np

    from mvemo.anno.backends.cpu import CpuBackend

    # lyrics units without MiniLM: 3 chunks of (384 embedding, 15 lexicon statistics)
    monkeypatch.setattr(CpuBackend, "lyrics_units", lambda self, text: (np.ones((3, 384)), np.zeros((3, 15))))
    files = _inputs(tmp_path)
    out = tmp_path / "out.jsonl"
    args = ["predict", *map(str, files), "--out", str(out), "--annotator", str(exported), "--quiet"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output  # the broken file fails; the others are written
    recs = _records(out)
    assert set(recs) == {str(files[0]), str(files[1]), str(files[3])}
    assert "broken.mid" in res.output
    for f, modality in ((files[0], "symbolic"), (files[1], "symbolic"), (files[3], "lyrics")):
        r = recs[str(f)]
        assert r["model"] == "mvanno-test" and r["modality"] == modality
        PredictionRecord.from_dict(r)  # the record format of `mvemo predict`
    assert fake_router == []  # an explicit annotator takes every modality it covers
    res = CliRunner().invoke(cli, [*args, "--resume"])
    assert res.exit_code == 1 and len(out.read_text().splitlines()) == 3  # resumed: nothing written twice


def test_predict_auto_routes_per_modality_and_no_dynamic(exported, tmp_path, fake_router, monkeypatch):
    import mvemo.anno.annotate as ann_mod

    monkeypatch.setattr(ann_mod, "WEIGHTS_DIR", exported.parent)
    monkeypatch.setattr(ann_mod, "SHIPPED", "mvanno-test")  # records: annotator better for symbolic only
    files = _inputs(tmp_path)
    out = tmp_path / "auto.jsonl"
    res = CliRunner().invoke(
        cli, ["predict", *map(str, files), "--out", str(out), "--annotator", "auto", "--allow-failures"]
    )
    assert res.exit_code == 0, res.output
    assert "symbolic: annotator (mvanno-test.json)" in res.output and "lyrics: per-modality model" in res.output
    recs = _records(out)
    assert recs[str(files[0])]["model"] == "mvanno-test" and recs[str(files[3])]["model"] == "per-modality"
    assert fake_router == [str(files[3])]  # only the lyrics file reached the per-modality models
    # default: no annotator is built at all
    monkeypatch.setattr(ann_mod, "Annotator", lambda *a, **k: pytest.fail("annotator loaded with --annotator none"))
    fake_router.clear()
    res = CliRunner().invoke(cli, ["predict", str(files[0]), "--out", str(tmp_path / "none.jsonl")])
    assert res.exit_code == 0 and fake_router == [str(files[0])]


def test_annotator_no_dynamic_leaves_dynamic_empty(exported, tmp_path):
    from mvemo.anno.annotate import Annotator

    ann = Annotator(exported, cache_dir=str(tmp_path / "cache"))
    assert ann.dynamic is not None
    mid = _midi(tmp_path / "a.mid", [60, 64, 67])
    assert ann.annotate(mid, dynamic=False)["dynamic"] == []


def test_annotator_lyrics_dynamic_from_lrc_lines(exported, tmp_path, monkeypatch):
    """Synced lyrics get a label every 0.5 s from the sung lines of each window; plain text none."""
    import numpy as np

    import mvemo.features.lyrics as fl
    from mvemo.anno.annotate import Annotator
    from mvemo.conversion.dynamic import grid_times
    from mvemo.conversion.point import coherence_problems

    class FakeEncoder:  # no MiniLM: a line's embedding is its length, so windows differ
        def encode(self, units):
            return np.array([[len(u) / 10.0] * 384 for u in units])

    monkeypatch.setattr(fl, "SentenceEncoder", FakeEncoder)
    ann = Annotator(exported, cache_dir=str(tmp_path / "cache"))
    lrc = tmp_path / "song.lrc"
    lrc.write_text(
        "[00:00.50]rain on the platform\n[00:04.00]I wait alone for you tonight\n"
        "[00:09.00]sun comes up and we dance\n[00:13.00]\n",
        encoding="utf-8",
    )
    rec = ann.annotate(lrc)
    assert rec["duration"] == 13.0
    assert [f["time"] for f in rec["dynamic"]] == grid_times(13.0).tolist()
    for f in rec["dynamic"]:
        assert coherence_problems(f["category"], f["intensity"], f["valence"], f["arousal"], tol=1e-3) == []
    PredictionRecord.from_dict(rec)
    assert ann.annotate(lrc, dynamic=False)["dynamic"] == []
    txt = tmp_path / "plain.txt"
    txt.write_text("rain on the platform\nI wait alone\n", encoding="utf-8")
    assert ann.annotate(txt)["dynamic"] == []


def _auto_with_record(tmp_path, monkeypatch, validation):
    """``resolve_annotator("auto")`` with a shipped annotator whose record is ``validation``."""
    import mvemo.anno.annotate as ann_mod

    info = {"name": "x", "static": "x-static.safetensors", "validation": validation}
    (tmp_path / "x.json").write_text(json.dumps(info), encoding="utf-8")
    monkeypatch.setattr(ann_mod, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr(ann_mod, "SHIPPED", "x")
    return resolve_annotator("auto")


def test_auto_decides_on_the_informative_reference(tmp_path, monkeypatch):
    # paper reference: the annotator wins music; informative reference: it loses it (and wins lyrics)
    per = {
        "q": {"stage": "music", "n": 10, "D_e": 0.2, "D_e_informative": 0.5},
        "l": {"stage": "lyrics", "n": 10, "D_e": 0.5, "D_e_informative": 0.2},
    }
    sep = {
        "q": {"model": "m", "D_e": 0.3, "D_e_informative": 0.3},
        "l": {"model": "t", "D_e": 0.3, "D_e_informative": 0.3},
    }
    validation = compare_with_separate(per, sep)
    music = validation["modalities"]["music"]
    assert music["reference"] == "informative" and (music["annotator_paper"], music["separate_paper"]) == (0.2, 0.3)
    choice = _auto_with_record(tmp_path, monkeypatch, validation)
    assert choice.modalities == frozenset({"lyrics"})
    assert "informative reference" in choice.reasons["music"] and "0.5000 > 0.3000" in choice.reasons["music"]


def test_annotator_per_dataset_carries_the_label_spread():
    from mvemo.anno.choice import annotator_per_dataset

    spread = {"intensity_std": 0.01, "intensity_levels": 2, "categories_used": 4}
    state = {
        "order": ["music", "midi"],
        "stages": {
            "music": {"status": "done", "branch": "static", "eval": {}},
            "midi": {
                "status": "done",
                "branch": "static",
                "eval": {
                    "music": {"datasets": {"q": {"n": 5, "D_e": 0.3, "D_e_informative": 0.4, **spread}}},
                    "midi": {"datasets": {"e": {"n": 3, "D_e": 0.2}}},
                },
            },
        },
    }
    got = annotator_per_dataset(state)
    assert got["q"] == {"stage": "music", "n": 5, "D_e": 0.3, "D_e_informative": 0.4, **spread}
    assert got["e"] == {"stage": "midi", "n": 3, "D_e": 0.2}


def test_auto_refuses_an_annotator_whose_intensity_is_constant(tmp_path, monkeypatch):
    flat = {"intensity_std": 0.0, "intensity_levels": 1, "categories_used": 11}
    wide = {"intensity_std": 0.15, "intensity_levels": 8, "categories_used": 11}
    per = {
        "q": {"stage": "music", "n": 10, "D_e": 0.2, "D_e_informative": 0.2, **flat},
        "l": {"stage": "lyrics", "n": 10, "D_e": 0.2, "D_e_informative": 0.2, **wide},
    }
    sep = {
        "q": {"model": "m", "D_e": 0.3, "D_e_informative": 0.3},
        "l": {"model": "t", "D_e": 0.3, "D_e_informative": 0.3},
    }
    validation = compare_with_separate(per, sep)
    music, lyrics = validation["modalities"]["music"], validation["modalities"]["lyrics"]
    assert music["labels_informative"] is False and music["annotator_better_or_equal"] is False
    assert (music["annotator_intensity_std"], music["annotator_intensity_levels"]) == (0.0, 1)
    assert lyrics["labels_informative"] is True and lyrics["annotator_better_or_equal"] is True
    choice = _auto_with_record(tmp_path, monkeypatch, validation)
    assert choice.modalities == frozenset({"lyrics"})
    assert "below the floor" in choice.reasons["music"]

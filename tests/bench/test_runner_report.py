"""Runs on tiny manifests (baselines and a contract predictor), records, tables and the CLI."""

from __future__ import annotations

import json
import sys
import types
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from mvemo.bench.adapters import RecordModelAdapter, record_to_prediction
from mvemo.bench.registry import ModelSpec, Prediction, align_dynamic, create_model, register_model
from mvemo.bench.report import format_report, load_records, table4, table5
from mvemo.bench.runner import RunConfig, run_bench, score
from mvemo.bench.tasks import get_task
from mvemo.cli.bench import bench
from mvemo.conversion import label_to_quadrant
from mvemo.conversion.va import label_to_va
from mvemo.errors import ParameterError
from mvemo.metrics import evaluate
from mvemo.records import EmotionFrame, PredictionRecord, StaticPrediction
from mvemo.representation import EmotionLabel

from .conftest import CATS, make_items

# -- a fake predictor that follows the prediction-record contract -----------------------------
_WRONG = {"happy": "sad", "sad": "happy", "calm": "tense", "tense": "calm"}


class _FakePredictor:
    name = "fake-v1"

    def __init__(self):
        self.calls = []

    def predict(self, path, *, dynamic=True, lyrics=None):
        self.calls.append((Path(path), lyrics))
        i = int(Path(path).stem)
        true = CATS[i % 4]
        cat = true if i % 3 else _WRONG[true]  # 2 of 3 right
        # Its VA points at the label *after* the true one: always wrong when converted.
        v, a = label_to_va(EmotionLabel(_WRONG[true], 0.5))
        frames = (
            [{"time": 2.5 + 0.5 * k, "category": cat, "intensity": 0.5, "valence": v, "arousal": a} for k in range(6)]
            if dynamic
            else []
        )
        return {
            "file": str(path),
            "model": self.name,
            "modality": "music",
            "duration": 6.0,
            "static": {
                "category": cat,
                "intensity": 0.5,
                "valence": v,
                "arousal": a,
                "quadrant": label_to_quadrant(EmotionLabel(cat, 0.5)),
            },
            "dynamic": frames,
            "features": {},
        }


@pytest.fixture(autouse=True, scope="module")
def fake_models():
    mod = types.ModuleType("mvemo_test_fake_predictor")
    mod.load_fake_model = lambda weights=None: _FakePredictor()
    sys.modules[mod.__name__] = mod

    def factory(*, representation: str = "unified"):
        return RecordModelAdapter(loader=f"{mod.__name__}:load_fake_model", representation=representation)

    register_model(ModelSpec("fake", factory, "test model", None, "unified", "fake-va"))
    register_model(ModelSpec("fake-va", factory, "test model (VA)", None, "va", "fake", {"representation": "va"}))
    yield
    del sys.modules[mod.__name__]


def test_majority_run_writes_a_complete_record(toy_manifest, tmp_path):
    rec = run_bench(RunConfig(task="music-static", model="majority", data=str(toy_manifest)), out_dir=tmp_path / "o")
    path = Path(rec["path"])
    assert path.name == "music-static__majority__toy__seed0.json"
    on_disk = json.loads(path.read_text())
    for key in ("config", "seed", "versions", "timing", "predictions", "scores", "data", "split"):
        assert key in on_disk
    assert on_disk["versions"]["numpy"] == np.__version__ and on_disk["data"]["sha256"]
    assert on_disk["split"]["counts"] == {"train": 32, "validation": 4, "test": 4}
    # Scores equal mvemo.metrics.evaluate on the stored predictions.
    rows = on_disk["predictions"]
    expected = evaluate(
        [r["ref"]["category"] for r in rows],
        [r["ref"]["intensity"] for r in rows],
        [r["est"]["category"] for r in rows],
        [r["est"]["intensity"] for r in rows],
    )
    assert on_disk["scores"] == pytest.approx(expected)
    train_cats = Counter(CATS[i % 4] for i in range(40) if i % 10 > 1)
    assert {r["est"]["category"] for r in rows} == {train_cats.most_common(1)[0][0]}
    assert not list(path.parent.glob(".*.tmp"))


def test_dynamic_run_and_subset(toy_manifest, tmp_path):
    rec = run_bench(
        RunConfig(task="music-dynamic", model="prior", data=str(toy_manifest), subset=3, seed=1), out_dir=tmp_path
    )
    assert rec["split"]["n_scored"] == 3 and rec["scores"]["n_samples"] == 3 and rec["scores"]["n"] == 18
    again = run_bench(RunConfig(task="music-dynamic", model="prior", data=str(toy_manifest), subset=3, seed=1))
    assert again["predictions"] == rec["predictions"]  # seeded


def test_score_counts_missing_predictions_as_invalid(tmp_path):
    items = make_items(tmp_path, 4)
    task = get_task("music-static")
    preds = [Prediction(items[0].id, "happy", 0.5), Prediction(items[1].id, error="unreadable")]
    s = score(items, preds, task)
    assert s["n_invalid"] == 3 and s["error_rate"] == 0.75
    dyn_items = make_items(tmp_path, 2, dynamic=True)
    frames = [{"time": 2.5, "category": dyn_items[0].dynamic[0]["category"], "intensity": 0.3}]
    s = score(dyn_items, [Prediction(dyn_items[0].id, dynamic=frames)], get_task("music-dynamic"))
    assert s["n"] == 12 and s["n_invalid"] == 11


def test_contract_adapter_unified_and_va(tmp_path):
    items = make_items(tmp_path, 6, dynamic=True)
    task = get_task("music-static")
    unified = create_model("fake").predict(items, task=task)
    va = create_model("fake-va").predict(items, task=task)
    assert [p.category for p in unified] == [_WRONG["happy"], "sad", "calm", _WRONG["tense"], "happy", "sad"]
    assert [p.category for p in va] == [_WRONG[CATS[i % 4]] for i in range(6)]
    dyn = create_model("fake").predict(items[:1], task=get_task("music-dynamic"))[0]
    assert [f["time"] for f in dyn.dynamic] == [p["time"] for p in items[0].dynamic]
    sad = EmotionLabel("sad", 0.5)
    rec = PredictionRecord(
        "x.wav",
        "m",
        "music",
        3.0,
        StaticPrediction(sad, None, -0.3, -0.3, "Q3", None),
        [EmotionFrame(2.5, sad, valence=-0.3, arousal=-0.3)],
    )
    p = record_to_prediction(items[0], rec, get_task("music-dynamic"))
    assert p.dynamic[0]["category"] == "sad" and p.dynamic[1]["category"] is None  # no frame at 3.0 s


def test_contract_adapter_passes_lyrics_on_multimodal_tasks(tmp_path):
    items = make_items(tmp_path, 2, media="video", suffix=".mp4")
    (tmp_path / "l.txt").write_text("words", encoding="utf-8")
    items[0].media["lyrics"] = "l.txt"
    m = create_model("fake")
    m.predict(items, task=get_task("multimodal-static"))
    assert m.predictor.calls == [(tmp_path / "media/000.mp4", tmp_path / "l.txt"), (tmp_path / "media/001.mp4", None)]
    m.predictor.calls.clear()
    m.predict(items[:1], task=get_task("video-static"))
    assert m.predictor.calls == [(tmp_path / "media/000.mp4", None)]  # the video task gets no lyrics


def test_align_dynamic_tolerance():
    frames = [{"time": 2.5, "category": "sad", "intensity": 0.5}, {"time": 3.1, "category": "calm", "intensity": 0.2}]
    out = align_dynamic([2.5, 3.0, 4.0], frames)
    assert [f["category"] for f in out] == ["sad", "calm", None]


def test_tables_iv_and_v(toy_manifest, tmp_path):
    out = tmp_path / "res"
    for task in ("music-static", "music-dynamic"):
        for m in ("fake", "fake-va", "majority"):
            split = "all" if "fake" in m else "test"
            run_bench(RunConfig(task=task, model=m, data=str(toy_manifest), eval_split=split), out_dir=out)
    records = load_records([out])
    assert len(records) == 6
    rows = table4(records)
    assert [r["model"] for r in rows] == ["fake-v1", "fake-v1-va", "majority"]
    assert all(r["static"] and r["dynamic"] for r in rows)
    t5 = table5(records)
    assert [(r["task"], r["model"], r["va_model"]) for r in t5] == [
        ("music-dynamic", "fake-v1", "fake-v1-va"),
        ("music-static", "fake-v1", "fake-v1-va"),
    ]
    static = next(r for r in t5 if r["task"] == "music-static")
    assert static["delta"] == pytest.approx(static["de_va"] - static["de_unified"]) and static["delta"] > 0
    md = format_report(records, fmt="md")
    assert "| music | toy | fake-v1 |" in md and "static Cat F1" in md and "D_e VA->unified" in md
    csv_text = format_report(records, fmt="csv", tables=("4",))
    header = csv_text.splitlines()[1].split(",")
    assert header[:4] == ["task", "data", "model", "static_n"] and "dynamic_ER" in header
    latex = format_report(records, fmt="latex")
    assert latex.count(r"\begin{tabular}") == 2 and r"\multicolumn{9}{c}{Static}" in latex and "$D_e$" in latex
    assert "fake-v1-va" in latex


def test_errors(toy_manifest, tmp_path):
    with pytest.raises(ParameterError, match="cannot run task"):
        run_bench(RunConfig(task="lyrics-static", model="music2emo", data=str(toy_manifest)))
    with pytest.raises(ParameterError, match="none of its 40 items"):
        run_bench(RunConfig(task="lyrics-static", model="majority", data=str(toy_manifest)))
    with pytest.raises(ParameterError, match="own training items"):
        run_bench(RunConfig(task="music-static", model="majority", data=str(toy_manifest), eval_split="all"))
    with pytest.raises(ParameterError, match="needs --data|pass --data"):
        run_bench(RunConfig(task="video-static", model="majority"))
    with pytest.raises(ParameterError, match="bad option"):
        create_model("majority", c=2)


def test_cli_run_report_tasks_models(toy_manifest, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli"
    r = runner.invoke(
        bench,
        [
            "run",
            "--task",
            "music-static",
            "--model",
            "prior",
            "--data",
            str(toy_manifest),
            "--out",
            str(out),
            "--option",
            "seed=5",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "music-static prior on toy (n=4)" in r.output
    rec = json.loads(next(out.glob("*.json")).read_text())
    assert rec["model_config"]["seed"] == 5
    r = runner.invoke(bench, ["report", str(out), "--format", "csv", "--out", str(tmp_path / "t.csv")])
    assert r.exit_code == 0, r.output
    assert "prior" in (tmp_path / "t.csv").read_text()
    r = runner.invoke(bench, ["tasks", "--json"])
    assert {t["task"] for t in json.loads(r.output)} >= {"lyrics-static", "multimodal-dynamic", "symbolic-static"}
    r = runner.invoke(bench, ["models"])
    assert "logreg-music" in r.output and "llm" in r.output
    r = runner.invoke(bench, ["run", "--task", "music-static", "--model", "prior", "--llm-model", "x"])
    assert isinstance(r.exception, ParameterError)

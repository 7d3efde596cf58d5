"""Typed records: exact JSON round trips, validation, and the documented schema (docs/predict.md)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from mvemo.errors import DataError
from mvemo.records import (
    EmotionFrame,
    FusedPrediction,
    ModalityPrediction,
    PredictionRecord,
    Report,
    StaticPrediction,
    record_fields,
)
from mvemo.representation import EmotionLabel

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "predictions.json").read_text(encoding="utf-8"))
DOC = (ROOT / "docs" / "predict.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_records_round_trip_byte_identically(name):
    d = GOLDEN[name]
    rec = PredictionRecord.from_dict(d)
    assert json.dumps(rec.to_dict(), indent=1, sort_keys=True) == json.dumps(d, indent=1, sort_keys=True)
    assert isinstance(rec.static.label, EmotionLabel)
    assert rec.static.category == d["static"]["category"]
    assert [f.time for f in rec.dynamic] == [f["time"] for f in d["dynamic"]]
    assert all(isinstance(f.label, EmotionLabel) for f in rec.dynamic)


def test_multimodal_parts_are_typed():
    d = GOLDEN["examples/video/rag_clip.mp4"]
    rec = PredictionRecord.from_dict(d)
    assert isinstance(rec.fused, FusedPrediction) and rec.fused.static == rec.static
    assert set(rec.modalities) == {"music", "video", "lyrics"}
    assert all(isinstance(m, ModalityPrediction) and m.ok for m in rec.modalities.values())
    assert rec.modalities["lyrics"].file == d["modalities"]["lyrics"]["file"]
    assert rec.fused.dynamic[0].extra["modalities"] == d["fused"]["dynamic"][0]["modalities"]
    missing = ModalityPrediction.from_dict({"missing": "no video stream"})
    assert not missing.ok and missing.to_dict() == {"missing": "no video stream"}


def test_manifest_style_frames_round_trip():
    for d in ({"time": 2.5, "category": "sad", "intensity": 0.4}, {"time": 3.0, "category": None, "intensity": None}):
        f = EmotionFrame.from_dict(d)
        assert f.to_dict() == d and list(f.to_dict()) == list(d)
    assert EmotionFrame.from_dict({"time": 3.0, "category": None, "intensity": None}).label is None


def _broken(path: str, value=None, *, delete: bool = False) -> dict:
    d = copy.deepcopy(GOLDEN["examples/midi/bach_chorale_bwv66.6.mid"])
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = d
    for p in parents:
        target = target[p]
    if delete:
        del target[last]
    else:
        target[last] = value
    return d


@pytest.mark.parametrize(
    "path,value,delete,message",
    [
        ("static", None, True, "missing field 'static'"),
        ("static.category", None, True, "static: missing field 'category'"),
        ("static.category", "happyish", False, "static: bad label"),
        ("static.intensity", "loud", False, "static.intensity: expected a finite number"),
        ("static.quadrant", "Q5", False, "static.quadrant: expected one of"),
        ("static.valence", None, False, "static.valence"),
        ("dynamic.3.time", None, True, "dynamic[3]: missing field 'time'"),
        ("dynamic.0.category", 7, False, "dynamic[0].category: expected a string"),
        ("duration", "long", False, "duration: expected a finite number"),
        ("file", None, True, "missing field 'file'"),
        ("features", [], False, "features: expected a JSON object"),
    ],
)
def test_bad_records_name_the_field(path, value, delete, message):
    with pytest.raises(DataError, match=re.escape(message)):
        PredictionRecord.from_dict(_broken(path, value, delete=delete))


def test_bad_modalities_name_the_field():
    d = copy.deepcopy(GOLDEN["examples/video/rag_clip.mp4"])
    d["modalities"]["video"] = {"note": "nothing"}
    with pytest.raises(DataError, match=r"modalities\.video: missing field 'static'"):
        PredictionRecord.from_dict(d)
    d = copy.deepcopy(GOLDEN["examples/video/rag_clip.mp4"])
    del d["fused"]["method"]
    with pytest.raises(DataError, match="fused: missing field 'method'"):
        PredictionRecord.from_dict(d)


def test_records_are_frozen_and_readable_by_key():
    rec = PredictionRecord.from_dict(GOLDEN["examples/lyrics/rainy_platform.lrc"])
    with pytest.raises(AttributeError):
        rec.model = "other"  # type: ignore[misc]
    # transitional read access, as the dicts had
    assert rec["static"]["category"] == rec.static.category
    assert rec.get("modalities") is None and rec.get("fused", 1) == 1
    assert rec["dynamic"][0].get("valence") == rec.dynamic[0].valence
    assert "fused" not in rec and "static" in rec
    with pytest.raises(KeyError):
        rec["nope"]
    assert rec.replace(file="x").file == "x" and rec.file != "x"


def test_static_prediction_keeps_extras_after_documented_keys():
    d = {**GOLDEN["examples/midi/bach_chorale_bwv66.6.mid"]["static"], "calibrated": True}
    s = StaticPrediction.from_dict(d)
    assert s.extra == {"calibrated": True}
    assert list(s.to_dict())[-1] == "calibrated" and s.to_dict() == d


def test_report_round_trip_and_file(tmp_path):
    d = {
        "model": "m-v1",
        "config": {"seed": 1, "lr": 0.01},
        "n_train": 3,
        "test": {"quadrant": {"macro_f1": 0.5}},
        "seconds": 1.5,
    }
    r = Report.from_dict(d)
    assert r.model == "m-v1" and r.config == {"seed": 1, "lr": 0.01} and r.metrics["n_train"] == 3
    assert json.dumps(r.to_dict()) == json.dumps(d)
    fusion = {"n_items": 4, "final_loss": 0.1}  # the fusion trainer's report names no model
    assert Report.from_dict(fusion).to_dict() == fusion and Report.from_dict(fusion).model is None
    p = r.write(tmp_path / "report.json")
    assert Report.read(p) == r
    with pytest.raises(DataError, match="model: expected a string"):
        Report.from_dict({"model": 3})
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="bad.json"):
        Report.read(tmp_path / "bad.json")


# -- docs/predict.md is checked against the classes ---------------------------------------------------
def _record_table() -> dict[str, str]:
    section = DOC.split("## The record", 1)[1]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| (.+) \|$", section, flags=re.M)
    return {name: meaning for name, _, meaning in rows}


def test_docs_record_table_matches_prediction_record():
    table = _record_table()
    top = [k for k in record_fields(PredictionRecord) if k not in ("modalities", "fused")]
    assert list(table) == top
    multimodal = re.search(r"Multimodal records add `(\w+)`.*?and `(\w+)`", DOC, flags=re.S)
    assert multimodal and set(multimodal.groups()) == {"modalities", "fused"}


def test_docs_static_and_dynamic_fields_match_the_classes():
    table = _record_table()
    assert set(re.findall(r"`(\w+)`", table["static"])) == set(record_fields(StaticPrediction))
    braces = re.search(r"`\{([^}]*)\}`", table["dynamic"]).group(1)
    named = {w.strip() for w in braces.split(",")} | set(re.findall(r"`(\w+)`", table["dynamic"]))
    assert named == set(record_fields(EmotionFrame))

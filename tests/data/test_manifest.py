import json
import os

import pytest

from mvemo.data import Item, iter_jsonl, read_manifest, write_jsonl, write_manifest
from mvemo.data.manifest import _FIELDS, _field_names, read_jsonl, read_parquet, write_parquet
from mvemo.errors import DataError, ParameterError

from .fixtures import write_opus


def _items():
    return [
        Item(
            id="x:1",
            dataset="x",
            modality="audio",
            media={"audio": "audio/x/1.opus"},
            duration=30.5,
            labels={"quadrant": "Q1", "nested": {"a": [1, 2]}, "text": "é ü"},
            label_type="4q",
            static={"category": "excited", "intensity": 0.5},
            dynamic=[
                {"time": 2.5, "category": "calm", "intensity": 0.3},
                {"time": 3.0, "category": None, "intensity": None},
            ],
            split="train",
            problems=["dynamic: 1 of 2 grid times have no label (gaps)"],
            custom={"k": 1},
        ),
        Item(id="x:2", dataset="x", modality="none", labels={"v": 5.0}, label_type="va", scale="1-9", split="test"),
        Item(id="x:3", dataset="x", modality="midi", media={"midi": "x/3.mid"}, dynamic=[], split="validation"),
    ]


def test_fields_match_dataclass():
    assert _field_names() == _FIELDS


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_round_trip(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    items = _items()
    path = tmp_path / f"m{suffix}"
    assert write_manifest(items, path) == 3
    back = read_manifest(path)
    assert back == items
    assert [it.to_dict() for it in back] == [it.to_dict() for it in items]


def test_jsonl_is_one_object_per_line(tmp_path):
    path = tmp_path / "m.jsonl"
    write_jsonl(_items(), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[0])["id"] == "x:1"
    assert "root" not in json.loads(lines[0])


def test_iter_jsonl_is_lazy_and_names_the_bad_line(tmp_path):
    path = tmp_path / "m.jsonl"
    write_jsonl(_items()[:2], path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n{not json\n")
    it = iter_jsonl(path)
    assert next(it).id == "x:1" and next(it).id == "x:2"
    with pytest.raises(DataError, match=r"m\.jsonl:4"):
        next(it)


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="missing.jsonl"):
        read_jsonl(tmp_path / "missing.jsonl")
    (tmp_path / "w.jsonl").write_text('{"id": "a", "dataset": "d", "modality": "tape"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="w.jsonl:1"):
        read_jsonl(tmp_path / "w.jsonl")
    pytest.importorskip("pyarrow")
    with pytest.raises(DataError, match="missing.parquet"):
        read_parquet(tmp_path / "missing.parquet")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(DataError, match="bad.parquet"):
        read_parquet(bad)


def test_unsupported_suffix(tmp_path):
    with pytest.raises(ParameterError, match="csv"):
        write_manifest(_items(), tmp_path / "m.csv")


@pytest.mark.parametrize("writer", [write_jsonl, write_parquet])
def test_write_is_atomic(tmp_path, writer):
    if writer is write_parquet:
        pytest.importorskip("pyarrow")
    path = tmp_path / "m.out"
    path.write_text("old content", encoding="utf-8")
    bad = _items() + [Item(id="x:4", dataset="x", modality="none", labels={"v": float("nan")})]
    with pytest.raises(ParameterError, match="x:4"):
        writer(bad, path)
    assert path.read_text(encoding="utf-8") == "old content"
    assert os.listdir(tmp_path) == ["m.out"]  # no temporary file left behind


def test_write_replaces_and_keeps_mode(tmp_path):
    path = tmp_path / "sub" / "m.jsonl"
    write_jsonl(_items(), path)
    write_jsonl(_items()[:1], path)
    assert len(read_jsonl(path)) == 1
    assert path.stat().st_mode & 0o644 == 0o644


def test_item_validation_and_static_label():
    with pytest.raises(ParameterError, match="modality"):
        Item(id="a", dataset="d", modality="tape")
    with pytest.raises(ParameterError, match="id"):
        Item(id="", dataset="d", modality="none")
    with pytest.raises(ParameterError, match="unknown manifest field"):
        Item.from_dict({"id": "a", "dataset": "d", "modality": "none", "extra": 1})
    assert _items()[0].static_label.category == "excited"
    assert _items()[1].static_label is None


def test_media_is_loaded_lazily(tmp_path):
    item = Item(id="x:1", dataset="x", modality="audio", media={"audio": "a/1.opus"})
    with pytest.raises(DataError, match="data root is unknown"):
        item.path()
    item = Item.from_dict(item.to_dict(), root=tmp_path)
    with pytest.raises(DataError, match="not found"):  # nothing was read before the call
        item.audio()
    write_opus(tmp_path / "a" / "1.opus", seconds=0.25)
    samples, rate = item.audio()
    assert rate == 48000 and samples.ndim == 1 and abs(len(samples) - 12000) < 1000
    samples_sf, rate_sf = item.audio(backend="soundfile")
    assert samples_sf.ndim == 1 and rate_sf > 0
    assert item.read_bytes("audio")[:4] == b"OggS"
    with pytest.raises(DataError, match="no media role"):
        item.path("midi")
    with pytest.raises(DataError, match="label-only"):
        Item(id="y", dataset="x", modality="none").path()

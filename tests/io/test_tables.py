import pytest

from mvemo.errors import DataError
from mvemo.io import atomic_write, iter_jsonl, read_records, write_records


def test_csv_tsv_jsonl_roundtrip(tmp_path):
    rows = [{"id": "a", "v": 1}, {"id": "b", "w": "x"}]
    for suffix in (".csv", ".tsv", ".jsonl"):
        path = tmp_path / f"t{suffix}"
        write_records(path, rows)
        back = read_records(path, required=["id"])
        assert [r["id"] for r in back] == ["a", "b"]
    assert list(iter_jsonl(tmp_path / "t.jsonl")) == rows


def test_bom_and_header_spaces_are_handled(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffid, value\nx, 3\n".encode())
    assert read_records(path, required=["id", "value"]) == [{"id": "x", "value": "3"}]


def test_atomic_write_leaves_no_partial_file(tmp_path):
    path = tmp_path / "out.txt"
    atomic_write(path, "first")

    with pytest.raises(TypeError):
        atomic_write(path, object())  # type: ignore[arg-type]
    assert path.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_errors_name_the_file(tmp_path):
    with pytest.raises(DataError, match="missing.csv"):
        read_records(tmp_path / "missing.csv")
    bad = tmp_path / "list.jsonl"
    bad.write_text("[1, 2]\n")
    with pytest.raises(DataError, match="list.jsonl:1: expected a JSON object"):
        read_records(bad)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"id\n\xff\xfe\n")
    with pytest.raises(DataError, match="latin.csv"):
        read_records(latin)

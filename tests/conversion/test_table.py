import json

import pytest

from mvemo.conversion.table import convert_records, convert_table
from mvemo.errors import DataError, ParameterError
from mvemo.io import read_records


def test_convert_va_table_keeps_rows_and_reports_problems(tmp_path):
    src = tmp_path / "ratings.csv"
    src.write_text("id,v,a\ns1,9,9\ns2,,5\ns3,12,5\ns4,5,1\n")
    out = tmp_path / "out.jsonl"
    report = convert_table(src, out, kind="va", valence="v", arousal="a", scale=(1, 9))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["s1", "s2", "s3", "s4"]
    assert rows[0]["category"] == "excited" and rows[0]["intensity"] == 1.0
    assert rows[3]["category"] == "sleepy" and rows[3]["angle"] == 271.9
    assert "missing value" in rows[1]["problem"] and "outside the scale" in rows[2]["problem"]
    assert (report.n_rows, report.n_converted, [p[0] for p in report.problems]) == (4, 2, [2, 3])


def test_convert_quadrant_table_csv_roundtrip(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("id,label\na,Q3\nb,4\n")
    out = tmp_path / "q_out.csv"
    convert_table(src, out, kind="quadrant", column="label", only_converted=True)
    rows = read_records(out)
    assert [(r["category"], r["intensity"]) for r in rows] == [("depressed", "0.5"), ("relaxed", "0.5")]


def test_convert_errors_name_the_file_or_column(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("id,label\na,Q3\n")
    with pytest.raises(DataError, match="q.csv.*missing column"):
        convert_table(src, tmp_path / "o.csv", kind="quadrant", column="quad")
    with pytest.raises(ParameterError, match="scale"):
        convert_records([{"v": 1, "a": 1}], kind="va", valence="v", arousal="a")
    with pytest.raises(DataError, match="nope.csv"):
        convert_table(tmp_path / "nope.csv", tmp_path / "o.csv", kind="quadrant", column="label")

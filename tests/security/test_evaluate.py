"""#18 case 10: `mvemo evaluate` and `mvemo convert table` on uneven, BOM and off-grid inputs."""

from __future__ import annotations

import json

import pytest

from mvemo.errors import DataError
from mvemo.metrics.files import evaluate_files


def _jsonl(path, rows, *, bom=False):
    text = "".join(json.dumps(r) + "\n" for r in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


REF = [{"id": "a", "category": "sad", "intensity": 0.5}, {"id": "b", "category": "calm", "intensity": 0.3},
       {"id": "c", "category": "happy", "intensity": 0.7}]  # fmt: skip


def test_a_later_record_without_category_is_a_clear_error(tmp_path):
    ref = _jsonl(tmp_path / "ref.jsonl", REF)
    est = _jsonl(tmp_path / "est.jsonl", [REF[0], {"id": "b", "intensity": 0.3}, REF[2]])
    with pytest.raises(DataError, match=r"est.jsonl: record 2 \(id 'b'\) lacks \['category'\]"):
        evaluate_files(ref, est)
    bad_ref = _jsonl(tmp_path / "bad_ref.jsonl", [REF[0], {"category": "calm", "intensity": 0.3}])
    with pytest.raises(DataError, match=r"bad_ref.jsonl:2: record 2 lacks column\(s\) \['id'\]"):
        evaluate_files(bad_ref, est)


def _main(args, capsys) -> tuple[int, str]:
    from mvemo.cli.main import main

    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_cli_reports_it_without_a_traceback(tmp_path, capsys):
    ref = _jsonl(tmp_path / "ref.jsonl", REF)
    est = _jsonl(tmp_path / "est.jsonl", [REF[0], {"id": "b", "intensity": 0.3}])
    code, out = _main(["evaluate", "--ref", str(ref), "--est", str(est)], capsys)  # a KeyError would propagate
    assert code != 0 and "lacks ['category']" in out


def test_jsonl_with_a_bom_is_accepted_like_csv(tmp_path):
    ref = _jsonl(tmp_path / "ref.jsonl", REF, bom=True)
    est = _jsonl(tmp_path / "est.jsonl", REF, bom=True)
    assert evaluate_files(ref, est)["category_f1"] == 1.0


def test_one_intensity_rule_for_tables_and_text_answers(tmp_path):
    ref = _jsonl(tmp_path / "ref.jsonl", REF)
    csv_est = tmp_path / "est.csv"
    csv_est.write_text("id,category,intensity\na,sad,0.55\nb,calm,0.3\nc,happy,0.75\n")
    txt_est = _jsonl(
        tmp_path / "est_text.jsonl",
        [
            {"id": "a", "response": "Emotion Category: sad, Emotion Intensity: 0.55"},
            {"id": "b", "response": "Emotion Category: calm, Emotion Intensity: 0.3"},
            {"id": "c", "response": "Emotion Category: happy, Emotion Intensity: 0.75"},
        ],
    )
    s_csv, s_txt = evaluate_files(ref, csv_est), evaluate_files(ref, txt_est)
    assert s_csv["n_invalid"] == s_txt["n_invalid"] == 2
    assert s_csv["error_rate"] == pytest.approx(2 / 3) and s_csv == s_txt


def test_convert_table_warns_on_a_duplicated_id(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text("id,q\nx,Q1\ny,Q2\nx,Q3\n")
    code, out = _main(
        ["convert", "table", str(src), "--kind", "quadrant", "--column", "q", "--out", str(tmp_path / "out.csv")],
        capsys,
    )
    assert code == 0, out
    assert "warning: id 'x' appears 2 times (rows 1, 3)" in out


def test_convert_table_uneven_jsonl_reports_the_row(tmp_path):
    from mvemo.conversion.table import convert_records

    rows, report = convert_records([{"id": "a", "q": "Q1"}, {"id": "b"}], kind="quadrant", column="q")
    assert report.problems == [(2, "no column(s) ['q'] in this row")] and rows[0]["category"] == "excited"

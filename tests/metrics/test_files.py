import json

import pytest

from mvemo.errors import DataError
from mvemo.metrics import evaluate, evaluate_files


def _write(path, text):
    path.write_text(text)
    return path


def test_static_files_with_labels_and_missing_rows(tmp_path):
    ref = _write(tmp_path / "ref.csv", "id,category,intensity\na,sad,0.5\nb,calm,0.3\nc,happy,1.0\n")
    est = _write(
        tmp_path / "est.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "a", "category": "sad", "intensity": 0.5},
                {"id": "b", "category": "relaxed", "intensity": 0.3},
            ]
        ),
    )
    s = evaluate_files(ref, est)
    expected = evaluate(["sad", "calm", "happy"], [0.5, 0.3, 1.0], ["sad", "relaxed", None], [0.5, 0.3, None])
    assert s == pytest.approx({**expected, "n_missing": 1}, nan_ok=True)


def test_raw_responses_and_dynamic(tmp_path):
    ref = _write(tmp_path / "ref.csv", "id,time,category,intensity\nv1,2.5,sad,0.5\nv1,3.0,sad,0.5\nv2,2.5,tense,0.8\n")
    est = _write(
        tmp_path / "est.csv",
        "id,time,response\n"
        'v1,2.5,"Emotion Category: sad, Emotion Intensity: 0.5"\n'
        "v1,3.00,I don't know\n"
        'v2,2.5,"Emotion Category: tense, Emotion Intensity: 0.8"\n',
    )
    s = evaluate_files(ref, est, dynamic=True)
    assert s["n_samples"] == 2 and s["n_invalid"] == 1
    assert s["error_rate"] == pytest.approx((0.5 + 0.0) / 2)
    assert s["category_recall"] == pytest.approx((0.5 + 1.0) / 2)


@pytest.mark.parametrize(
    ("ref", "est", "match"),
    [
        ("id,category,intensity\na,sad,0.5\na,sad,0.5\n", "id,category,intensity\na,sad,0.5\n", "ref.csv: duplicate"),
        ("id,category,intensity\na,sad,0.5\n", "id,category,intensity\nz,sad,0.5\n", "est.csv: 1 estimate row"),
        ("id,category\na,sad\n", "id,category,intensity\na,sad,0.5\n", r"ref.csv: missing column\(s\) \['intensity'\]"),
        ("id,category,intensity\na,sadd,0.5\n", "id,category,intensity\na,sad,0.5\n", "unknown emotion category"),
        ("id,category,intensity\na,sad,0.5\n", "id,label\na,sad\n", "est.csv: needs columns"),
        (
            "id,category,intensity\na,sad,0.5\n",
            "id,category,intensity\na,sad,lots\n",
            "est.csv: id 'a' has a non-numeric",
        ),
    ],
)
def test_bad_files_name_the_file(tmp_path, ref, est, match):
    with pytest.raises(DataError, match=match):
        evaluate_files(_write(tmp_path / "ref.csv", ref), _write(tmp_path / "est.csv", est))


def test_unreadable_tables(tmp_path):
    ok = _write(tmp_path / "ok.csv", "id,category,intensity\na,sad,0.5\n")
    with pytest.raises(DataError, match="bad.jsonl:2: not valid JSON"):
        evaluate_files(ok, _write(tmp_path / "bad.jsonl", '{"id": "a", "response": "x"}\n{oops\n'))
    with pytest.raises(DataError, match="unsupported table format"):
        evaluate_files(ok, _write(tmp_path / "est.xlsx", ""))
    with pytest.raises(DataError, match="no records"):
        evaluate_files(ok, _write(tmp_path / "empty.csv", "id,category,intensity\n"))

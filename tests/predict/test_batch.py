import json

import pytest

from mvemo.errors import DataError, ParameterError
from mvemo.predict.batch import predict_files
from mvemo.predict.router import collect_inputs


def collect_files(inputs):
    """The media files ``mvemo predict`` collects (no sidecar lyrics here)."""
    return [p for p, _ in collect_inputs(inputs)]


def _fake_predict(path):
    if "bad" in path.name:
        raise DataError(f"{path}: not audio")
    return {
        "file": str(path),
        "model": "fake",
        "static": {"category": "calm", "intensity": 0.4, "valence": 0.3, "arousal": -0.3, "quadrant": "Q4"},
        "dynamic": [{"time": 2.5}],
        "features": {"key": "C major", "tempo": 100.0},
    }


@pytest.fixture
def media(tmp_path):
    d = tmp_path / "music"
    (d / "sub").mkdir(parents=True)
    for name in ("a.mp3", "sub/b.wav", "bad.ogg", "notes.md"):
        (d / name).write_bytes(b"x")
    return d


def test_collect_files_recurses_by_suffix(media):
    files = collect_files([media])
    assert [f.name for f in files] == ["a.mp3", "bad.ogg", "b.wav"]
    with pytest.raises(DataError, match="no such file"):
        collect_files([media / "missing.mp3"])


def test_stream_and_go_on_past_a_bad_file(media, tmp_path):
    out = tmp_path / "res.jsonl"
    seen = []
    rep = predict_files(collect_files([media]), _fake_predict, out=out, on_record=seen.append, progress=False)
    assert rep.done == 2 and [p for p, _ in rep.failed] == [str(media / "bad.ogg")]
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["file"] for r in lines] == [str(media / "a.mp3"), str(media / "sub/b.wav")] and len(seen) == 2


def test_resume_skips_done_files_and_repairs_a_torn_line(media, tmp_path):
    out = tmp_path / "res.jsonl"
    files = collect_files([media])
    predict_files(files[:1], _fake_predict, out=out, progress=False)
    with out.open("a") as fh:
        fh.write('{"file": "torn')  # an interrupted write
    calls = []

    def counting(p):
        calls.append(p)
        return _fake_predict(p)

    rep = predict_files(files, counting, out=out, resume=True, progress=False)
    assert rep.skipped == 1 and rep.done == 1 and calls[0] == files[1]
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(records) == 2


def test_csv_output_and_bad_suffix(media, tmp_path):
    out = tmp_path / "res.csv"
    predict_files(collect_files([media]), _fake_predict, out=out, progress=False)
    predict_files(collect_files([media]), _fake_predict, out=out, resume=True, progress=False)
    lines = out.read_text().splitlines()
    assert lines[0].startswith("file,model,modality,category,intensity,valence,arousal,quadrant") and len(lines) == 3
    with pytest.raises(ParameterError, match=".jsonl or .csv"):
        predict_files([], _fake_predict, out=tmp_path / "x.txt")

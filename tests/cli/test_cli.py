import json

import pytest
from click.testing import CliRunner

from mvemo import __version__
from mvemo.cli.main import cli, main


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_version_and_help(run):
    assert __version__ in run("--version").output
    for args in ([], ["convert"], ["convert", "va"], ["convert", "table"], ["evaluate"]):
        res = run(*args, "--help")
        assert res.exit_code == 0 and "Usage:" in res.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["convert", "quadrant", "Q1"], {"category": "excited", "intensity": 0.5, "angle": 48.6}),
        (["convert", "quadrant", "3"], {"category": "depressed", "intensity": 0.5, "angle": 211.0}),
        (
            ["convert", "va", "--valence", "6.5", "--arousal", "3.0", "--scale", "1", "9"],
            {"category": "calm", "intensity": 0.5, "angle": 316.2},
        ),
        (
            ["convert", "va", "--valence", "-0.9", "--arousal", "-0.45"],
            {"category": "sad", "intensity": 0.9, "angle": 207.5},
        ),
    ],
)
def test_convert_prints_json(run, args, expected):
    res = run(*args)
    assert res.exit_code == 0
    assert json.loads(res.output) == expected


def test_convert_word_with_own_mapping(run, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text("word,category\nwistful,sad\nchristmas,\n")
    res = run("convert", "word", "Wistful", "--mapping", str(mapping))
    assert json.loads(res.output)["category"] == "sad"
    res = run("convert", "word", "christmas", "--mapping", str(mapping))
    assert json.loads(res.output) == {"category": None, "intensity": None, "angle": None}


def test_errors_are_one_line_with_exit_1(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["convert", "va", "--valence", "10", "--arousal", "3", "--scale", "1", "9"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: valence outside the scale [1, 9]: [10.0]")
    with pytest.raises(SystemExit) as exc:
        main(["convert", "quadrant", "Q7"])
    assert exc.value.code == 1 and "not a quadrant: 'Q7'" in capsys.readouterr().err


def test_convert_table_and_evaluate(run, tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("id,val,aro\na,9,9\nb,1,1\nc,,3\n")
    out = tmp_path / "ref.csv"
    res = run(
        "convert",
        "table",
        str(src),
        "--kind",
        "va",
        "--valence",
        "val",
        "--arousal",
        "aro",
        "--scale",
        "1",
        "9",
        "--only-converted",
        "--out",
        str(out),
    )
    assert res.exit_code == 0 and "converted 2 of 3 rows" in res.output
    est = tmp_path / "est.jsonl"
    est.write_text(
        '{"id": "a", "response": "Emotion Category: excited, Emotion Intensity: 1.0"}\n'
        '{"id": "b", "response": "no idea"}\n'
    )
    res = run("evaluate", "--ref", str(out), "--est", str(est), "--json")
    scores = json.loads(res.output)
    assert scores["error_rate"] == 0.5 and scores["emotion_distance"] == 0.0 and scores["n"] == 2
    assert set(scores) >= {
        "category_precision",
        "category_recall",
        "category_f1",
        "intensity_precision",
        "intensity_recall",
        "intensity_f1",
        "emotion_distance",
        "error_rate",
    }
    res = run("evaluate", "--ref", str(out), "--est", str(est))
    assert "category_f1" in res.output and "0.5000" in res.output

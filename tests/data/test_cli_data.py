import json

import pytest
from click.testing import CliRunner

from mvemo.cli.main import cli
from mvemo.data import read_manifest

from .fixtures import make_4q, make_emopia


@pytest.fixture
def run(no_env):
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(cli, list(args))

    return _run


@pytest.fixture
def root(tmp_path):
    make_emopia(tmp_path)
    make_4q(tmp_path, n_per_quadrant=2, audio=False)
    for q in range(1, 5):  # placeholder media: validate() without --decode only checks size
        for k in range(2):
            path = tmp_path / "audio" / "4q_panda2018" / f"Q{q}" / f"MT{q}{k:05d}.opus"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"OggS placeholder")
    return tmp_path


def test_help(run):
    for args in (["data"], ["data", "list"], ["data", "validate"], ["data", "export"], ["data", "stats"]):
        res = run(*args, "--help")
        assert res.exit_code == 0 and "Usage:" in res.output
    assert "--data-home" in run("data", "export", "--help").output


def test_list_without_data(run):
    res = run("data", "list")
    assert res.exit_code == 0
    assert res.output.count("not found") >= 12 and "MVEMO_DATA" in res.output


def test_list_with_data(run, root):
    res = run("data", "list", "--data-home", str(root))
    assert res.exit_code == 0
    line = next(ln for ln in res.output.splitlines() if ln.startswith("emopia"))
    assert " ok " in line and "10" in line and "midi 10" in line
    rows = json.loads(run("data", "list", "--data-home", str(root), "--json").output)
    by = {r["name"]: r for r in rows}
    assert by["emopia"]["splits"] == {"train": 7, "validation": 2, "test": 1}
    assert by["deam"]["status"] == "not found"


def test_validate(run, root):
    res = run("data", "validate", "4q_panda2018", "--data-home", str(root))
    assert res.exit_code == 0 and "0 problem(s)" in res.output
    (root / "audio/4q_panda2018/Q4/MT400001.opus").unlink()
    res = run("data", "validate", "4q_panda2018", "--data-home", str(root))
    assert res.exit_code == 1 and "MT400001.opus: missing" in res.output


def test_export(run, root, tmp_path):
    out = tmp_path / "out" / "emopia.jsonl"
    res = run("data", "export", "emopia", "--out", str(out), "--split", "validation", "--data-home", str(root))
    assert res.exit_code == 0, res.output
    items = read_manifest(out)
    assert len(items) == 2 and {it.split for it in items} == {"validation"}
    pytest.importorskip("pyarrow")
    out = tmp_path / "all.parquet"
    assert run("data", "export", "emopia", "--out", str(out), "--data-home", str(root)).exit_code == 0
    assert len(read_manifest(out)) == 10
    res = run("data", "export", "emopia", "--out", str(out), "--split", "dev", "--data-home", str(root))
    assert res.exit_code != 0 and "no split 'dev'" in str(res.exception)


def test_stats(run, root, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "p.png"
    res = run("data", "stats", "4q_panda2018", "--data-home", str(root), "--plot", str(png))
    assert res.exit_code == 0 and "static label 100.0%" in res.output and png.is_file()
    st = json.loads(run("data", "stats", "emopia", "--data-home", str(root), "--json").output)
    assert st["n_items"] == 10 and st["category_counts"]["excited"] == 3


def test_options_and_missing_root(run, root):
    res = run("data", "validate", "emopia", "--data-home", str(root), "--option", "split_index=1")
    assert res.exit_code != 0 and "bad --option" in str(res.exception)
    res = run("data", "validate", "emopia")
    assert res.exit_code != 0 and "MVEMO_DATA" in str(res.exception)


def test_main_prints_one_line_errors(no_env, capsys):
    from mvemo.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["data", "validate", "emopia"])
    assert exc.value.code == 1
    assert "Error: no data folder given" in capsys.readouterr().err

import importlib.util
from pathlib import Path

import pytest

from .conftest import SHARED, shared_available

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dataset_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("dataset_table", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_without_data_fails_cleanly(no_env, tmp_path, capsys):
    assert _script().main(["--data-home", str(tmp_path)]) == 1
    assert "not found" in capsys.readouterr().err


@pytest.mark.shared_data
@pytest.mark.skipif(not shared_available(), reason=f"research data not found at {SHARED}")
def test_prints_the_table(capsys):
    assert _script().main(["--data-home", str(SHARED)]) == 0
    out = capsys.readouterr().out
    rows = [ln for ln in out.splitlines() if ln.startswith("| ") and not ln.startswith("| dataset")]
    assert len(rows) == 12
    assert "| emopia | 1078 | train 876 / validation 114 / test 88 (official) | midi |" in out
    assert out.count("**Decisions:**") == 12

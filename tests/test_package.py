import subprocess
import sys

import pytest

import mvemo
from mvemo._extras import require
from mvemo.errors import MissingExtraError, MvemoError, ParameterError


def test_lazy_top_level_api():
    assert mvemo.quadrant_to_label("Q4").category == "relaxed"
    assert mvemo.CATEGORIES[0] == "happy"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        mvemo.nothing  # noqa: B018


def test_core_imports_stay_light():
    code = (
        "import sys, mvemo, mvemo.representation, mvemo.conversion, mvemo.metrics, mvemo.cli.main\n"
        "heavy = [m for m in ('torch', 'pandas', 'matplotlib', 'librosa', 'av', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_missing_extra_names_the_extra():
    with pytest.raises(MissingExtraError, match=r"pip install 'mvemo\[video\]'"):
        require("a_module_that_does_not_exist_42", extra="video")
    assert issubclass(MissingExtraError, MvemoError) and issubclass(ParameterError, ValueError)

import subprocess
import sys

import pytest

import mvemo
from mvemo._extras import require
from mvemo.errors import MissingExtraError, MvemoError, ParameterError


def test_lazy_top_level_api():
    assert mvemo.quadrant_to_label("Q4").category == "relaxed"
    assert mvemo.CATEGORIES[0] == "happy"
    with pytest.raises(AttributeError, match="No mvemo attribute nothing"):
        mvemo.nothing  # noqa: B018


# the public names before the lazy_loader stub (mvemo/__init__.pyi), all still there
_OLD_NAMES = (
    "CATEGORIES INTENSITY_LEVELS Circumplex EmotionLabel default_circumplex quantize_intensity "
    "weighted_circular_mean quadrant_to_label label_to_quadrant word_to_label va_to_label label_to_va "
    "resample_to_grid va_series_to_labels evaluate evaluate_dynamic parse_response error_rate "
    "load_music_model load_audio MvemoError ParameterError DataError MissingExtraError"
).split()
_OLD_SUBMODULES = "representation conversion metrics io errors cli data audio features models predict train".split()
_NEW = (
    "bench records EmotionFrame StaticPrediction PredictionRecord Report ModelEntry Predictor "
    "model_entry list_model_entries load_model"
).split()


def test_public_surface_from_the_stub():
    import mvemo.models.registry
    import mvemo.predict.music
    import mvemo.records

    assert set(_OLD_NAMES) | set(_OLD_SUBMODULES) | set(_NEW) | {"__version__"} == set(mvemo.__all__)
    assert set(mvemo.__all__) <= set(dir(mvemo))
    assert mvemo.load_music_model is mvemo.predict.music.load_music_model
    assert mvemo.PredictionRecord is mvemo.records.PredictionRecord
    assert mvemo.model_entry is mvemo.models.registry.model_entry
    assert mvemo.bench.__name__ == "mvemo.bench"
    for name in ("features", "audio"):
        pkg = getattr(mvemo, name)
        assert pkg.__all__ and all(hasattr(pkg, n) for n in pkg.__all__ if n not in ("faces", "transcription"))


def test_import_mvemo_is_cheap_and_stubs_ship():
    code = (
        "import sys, mvemo, mvemo.audio, mvemo.features\n"
        "print(','.join(m for m in ('numpy', 'torch', 'librosa', 'mvemo.records', 'mvemo.predict') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
    from pathlib import Path

    try:
        import tomllib
    except ImportError:  # Python 3.10
        pytest.skip("tomllib needs Python 3.11")
    root = Path(__file__).resolve().parents[1]
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.startswith("lazy_loader") for d in data["project"]["dependencies"])
    package_data = data["tool"]["setuptools"]["package-data"]
    for pkg in ("mvemo", "mvemo.audio", "mvemo.features"):
        assert "*.pyi" in package_data[pkg]
        assert (root / "src" / pkg.replace(".", "/") / "__init__.pyi").is_file()


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

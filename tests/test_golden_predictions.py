"""The shipped models' answers on ``examples/`` are pinned (``scripts/make_prediction_goldens.py``).

Categories, intensities, quadrants, model names and every other string or integer must match
exactly; probabilities, valence-arousal and other numbers to 1e-4.  A deliberate model change
regenerates the golden file with the script.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "predictions.json"
EXACT_FLOATS = {"intensity"}  # on the 0.1 grid: compared exactly
TOL = 1e-4

pytest.importorskip("torch")
pytest.importorskip("librosa")


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_prediction_goldens", ROOT / "scripts" / "make_prediction_goldens.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _differences(want, got, where: str = "", key: str = "") -> list[str]:
    """Human-readable differences between a golden value and a fresh one."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{where}: expected an object, got {type(got).__name__}"]
        out = (
            [f"{where}: keys differ: missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}"]
            if set(want) != set(got)
            else []
        )
        for k in sorted(set(want) & set(got)):
            out += _differences(want[k], got[k], f"{where}.{k}", k)
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return [f"{where}: expected a list of {len(want)}, got {got if not isinstance(got, list) else len(got)}"]
        out = []
        for i, (w, g) in enumerate(zip(want, got)):
            out += _differences(w, g, f"{where}[{i}]", key)
        return out
    if isinstance(want, float) and not isinstance(got, bool) and isinstance(got, (int, float)):
        if key in EXACT_FLOATS:
            return [] if want == got else [f"{where}: {got!r} != {want!r} (exact)"]
        if math.isnan(want) and math.isnan(got):
            return []
        return [] if abs(want - got) <= TOL else [f"{where}: {got!r} != {want!r} (tol {TOL})"]
    return [] if want == got and type(want) is type(got) else [f"{where}: {got!r} != {want!r}"]


def test_differences_catches_changes():
    base = {"static": {"category": "sad", "intensity": 0.5, "valence": -0.2}, "dynamic": [{"time": 0.0}]}
    assert _differences(base, json.loads(json.dumps(base))) == []
    assert _differences(base, {**base, "static": {**base["static"], "category": "calm"}})
    assert _differences(base, {**base, "static": {**base["static"], "intensity": 0.6}})
    assert not _differences(base, {**base, "static": {**base["static"], "valence": -0.20005}})
    assert _differences(base, {**base, "static": {**base["static"], "valence": -0.2002}})
    assert _differences(base, {**base, "dynamic": []})
    assert _differences(base, {"static": base["static"]})


def test_shipped_models_match_golden_predictions():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    fresh = _load_generator().predict_examples()
    assert sorted(fresh) == sorted(golden), "the example inputs changed; regenerate the golden file"
    problems = [d for name in sorted(golden) for d in _differences(golden[name], fresh[name], name)]
    assert not problems, "\n".join(problems[:40])

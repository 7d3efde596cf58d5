"""Regression against the goldens written by scripts/make_metric_goldens.py."""

import json
from pathlib import Path

import pytest

from mvemo.metrics import evaluate, evaluate_dynamic, parse_response

GOLDEN = Path(__file__).parent / "golden"


def _load(name):
    return json.loads((GOLDEN / name).read_text())


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_static_golden(average):
    g = _load("static.json")
    assert evaluate(**g["inputs"], average=average) == pytest.approx(g["scores"][average], rel=1e-12, nan_ok=True)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
def test_dynamic_golden(average):
    g = _load("dynamic.json")
    got = evaluate_dynamic(**g["inputs"], average=average)
    assert got == pytest.approx(g["scores"][average], rel=1e-12, nan_ok=True)


def test_response_golden():
    g = _load("responses.json")
    for text, expected in zip(g["inputs"], g["parsed"]):
        p = parse_response(text)
        assert {"category": p.category, "intensity": p.intensity, "error": p.error} == expected

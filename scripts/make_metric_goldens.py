"""Write the golden regression files for the MVEmo-Bench metrics.

The goldens freeze inputs and the scores that the metrics gave for them, so that a
later change that alters a score is caught by ``tests/metrics/test_golden.py``.
Only this script writes them; rerun it (and review the diff) when a change to a
metric is intended:

    .venv/bin/python scripts/make_metric_goldens.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mvemo.io import atomic_write
from mvemo.metrics import evaluate, evaluate_dynamic, parse_response
from mvemo.representation import CATEGORIES

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "metrics" / "golden"
RESPONSES = [
    "Emotion Category: sad, Emotion Intensity: 0.7",
    "**Emotion Category:** At Ease\n**Emotion Intensity:** .3",
    "Emotion Category: melancholy, Emotion Intensity: 0.5",
    "Emotion Category: sad, Emotion Intensity: 0.55",
    "I think the song is happy.",
    "Emotion Category: happy, Emotion Intensity: 0.5. Emotion Category: calm",
    "emotion category:TENSE;emotion intensity:1",
    "",
]


def _labels(rng: np.random.Generator, n: int) -> tuple[list, list, list, list]:
    ref_c = rng.integers(0, len(CATEGORIES), n)
    ref_i = rng.integers(0, 11, n) / 10
    est_c = np.where(rng.random(n) < 0.5, ref_c, rng.integers(0, len(CATEGORIES), n))
    # Near-misses: neighbouring categories are the common error of real models.
    est_c = np.where(rng.random(n) < 0.15, (ref_c + 1) % len(CATEGORIES), est_c)
    est_i = np.where(rng.random(n) < 0.4, ref_i, rng.integers(0, 11, n) / 10)
    invalid = rng.random(n) < 0.05
    return (
        [CATEGORIES[c] for c in ref_c],
        ref_i.round(1).tolist(),
        [None if bad else CATEGORIES[c] for c, bad in zip(est_c, invalid)],
        [None if bad else round(float(i), 1) for i, bad in zip(est_i, invalid)],
    )


def _dump(name: str, payload: dict) -> None:
    atomic_write(GOLDEN_DIR / name, json.dumps(payload, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN_DIR / name}")


def main() -> None:
    rng = np.random.default_rng(20261122)
    static = {
        "inputs": dict(zip(("ref_category", "ref_intensity", "est_category", "est_intensity"), _labels(rng, 300)))
    }
    static["scores"] = {avg: evaluate(**static["inputs"], average=avg) for avg in ("macro", "weighted", "micro")}
    _dump("static.json", static)

    lengths = rng.integers(5, 60, 25)
    ids = [f"mv{i:03d}" for i, n in enumerate(lengths) for _ in range(n)]
    dyn = {
        "inputs": {
            "sample_ids": ids,
            **dict(zip(("ref_category", "ref_intensity", "est_category", "est_intensity"), _labels(rng, len(ids)))),
        }
    }
    dyn["scores"] = {avg: evaluate_dynamic(**dyn["inputs"], average=avg) for avg in ("macro", "weighted", "micro")}
    _dump("dynamic.json", dyn)

    parsed = [parse_response(r) for r in RESPONSES]
    _dump(
        "responses.json",
        {
            "inputs": RESPONSES,
            "parsed": [{"category": p.category, "intensity": p.intensity, "error": p.error} for p in parsed],
        },
    )


if __name__ == "__main__":
    main()

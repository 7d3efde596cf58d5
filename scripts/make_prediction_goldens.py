"""Write the golden predictions of the shipped models on the files in ``examples/``.

    .venv/bin/python scripts/make_prediction_goldens.py

The file ``tests/golden/predictions.json`` pins what ``mvemo predict`` answers for each
example (static label, probabilities, valence-arousal, dynamic labels, features).
``tests/test_golden_predictions.py`` compares a fresh prediction with it: categories,
intensities and quadrants exactly, numbers to 1e-4.  Regenerate it on purpose, with this
script, when a shipped model changes, and say so in the commit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "predictions.json"
# every example input, as `mvemo predict examples/...` collects it (sidecar lyrics fused)
INPUTS = ("examples/audio", "examples/midi", "examples/lyrics", "examples/video")


def predict_examples() -> dict[str, dict]:
    """``relative path -> record`` of every example input, with the shipped models."""
    from mvemo.predict.router import Router, collect_inputs

    router = Router()
    records = {}
    cwd = os.getcwd()
    os.chdir(ROOT)  # relative paths in, so that no record holds this checkout's location
    try:
        for path, lyrics in collect_inputs(list(INPUTS)):
            rec = router.predict(path, lyrics=lyrics).to_dict()
            # plain JSON, as `mvemo predict` writes; paths that a predictor resolved become relative
            text = json.dumps(rec).replace(json.dumps(str(ROOT) + os.sep)[1:-1], "")
            records[path.as_posix()] = json.loads(text)
    finally:
        os.chdir(cwd)
    return records


def main() -> int:
    records = predict_examples()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    tmp = GOLDEN.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(GOLDEN)
    print(f"{GOLDEN.relative_to(ROOT)}: {len(records)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""MVEmo-Bench metrics (MVEmo section V-C), in the style of mir_eval.

* :mod:`~mvemo.metrics.emotion`: static tasks: :func:`validate`, Emotion Distance,
  category and intensity precision/recall/F1, :func:`evaluate`.
* :mod:`~mvemo.metrics.dynamic`: dynamic tasks, per sample then averaged.
* :mod:`~mvemo.metrics.response`: the answer-format parser and the Error Rate.
"""

from mvemo.metrics.dynamic import evaluate_dynamic, group_codes
from mvemo.metrics.emotion import (
    LABEL_SPREAD_KEYS,
    METRIC_NAMES,
    category_prf,
    emotion_distance,
    evaluate,
    intensity_prf,
    label_spread,
    precision_recall_f1,
    validate,
)
from mvemo.metrics.files import evaluate_files
from mvemo.metrics.response import ParsedResponse, error_rate, parse_response, parse_responses

__all__ = [
    "LABEL_SPREAD_KEYS",
    "METRIC_NAMES",
    "ParsedResponse",
    "category_prf",
    "emotion_distance",
    "error_rate",
    "evaluate",
    "evaluate_dynamic",
    "evaluate_files",
    "group_codes",
    "intensity_prf",
    "label_spread",
    "parse_response",
    "parse_responses",
    "precision_recall_f1",
    "validate",
]

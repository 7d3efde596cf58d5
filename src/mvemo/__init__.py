"""mvemo: music-related emotion recognition in MVEmo's unified emotion representation.

The top level is lazy: ``import mvemo`` is cheap, and names load on first use.

Examples
--------
>>> import mvemo
>>> mvemo.va_to_label(6.5, 3.0, scale=(1, 9))
EmotionLabel(category='calm', intensity=0.5)
>>> mvemo.quadrant_to_label("Q3").category
'depressed'
"""

from __future__ import annotations

import importlib
from typing import Any

from mvemo._version import __version__

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "CATEGORIES": "mvemo.representation",
    "INTENSITY_LEVELS": "mvemo.representation",
    "Circumplex": "mvemo.representation",
    "EmotionLabel": "mvemo.representation",
    "default_circumplex": "mvemo.representation",
    "quantize_intensity": "mvemo.representation",
    "weighted_circular_mean": "mvemo.representation",
    "quadrant_to_label": "mvemo.conversion",
    "label_to_quadrant": "mvemo.conversion",
    "word_to_label": "mvemo.conversion",
    "va_to_label": "mvemo.conversion",
    "label_to_va": "mvemo.conversion",
    "resample_to_grid": "mvemo.conversion",
    "va_series_to_labels": "mvemo.conversion",
    "evaluate": "mvemo.metrics",
    "evaluate_dynamic": "mvemo.metrics",
    "parse_response": "mvemo.metrics",
    "error_rate": "mvemo.metrics",
    "load_music_model": "mvemo.predict.music",
    "load_audio": "mvemo.audio",
    "MvemoError": "mvemo.errors",
    "ParameterError": "mvemo.errors",
    "DataError": "mvemo.errors",
    "MissingExtraError": "mvemo.errors",
}
_SUBMODULES = {"representation", "conversion", "metrics", "io", "errors", "cli", "data", "audio", "features",
               "models", "predict", "train"}

__all__ = ["__version__", *sorted(_LAZY), *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"mvemo.{name}")
    else:
        raise AttributeError(f"module 'mvemo' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

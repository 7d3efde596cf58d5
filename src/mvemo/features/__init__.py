"""Audio features: the musicnn backbone in PyTorch (with its TF1 checkpoint reader), and more.

The package is lazy: ``import mvemo.features`` loads neither torch nor librosa; the
names below load their module on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "read_checkpoint": "mvemo.features.tf_checkpoint",
    "list_variables": "mvemo.features.tf_checkpoint",
    "MusicnnBundle": "mvemo.features.musicnn",
    "Musicnn": "mvemo.features.musicnn",
    "load_musicnn": "mvemo.features.musicnn",
    "MTT_MUSICNN": "mvemo.features.musicnn",
    "MSD_MUSICNN": "mvemo.features.musicnn",
    "MSD_MUSICNN_BIG": "mvemo.features.musicnn",
    "recognize_chords": "mvemo.features.harmony",
    "estimate_key": "mvemo.features.harmony",
    "analyze_harmony": "mvemo.features.harmony",
    "normalize_chords": "mvemo.features.harmony",
    "encode_chords": "mvemo.features.harmony",
    "estimate_tempo": "mvemo.features.tempo",
    "musicnn_blocks": "mvemo.features.blocks",
}
_SUBMODULES = {"tf_checkpoint", "musicnn"}  # others (harmony, tempo, ...) load via find_spec below

__all__ = [*sorted(_LAZY), *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES or (not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}")):
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

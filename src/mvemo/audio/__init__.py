"""Audio input: decode audio and video files, check and pad signals.

Importing this package is cheap; decoders (PyAV, soundfile, soxr) load on first use.

Examples
--------
>>> import mvemo.audio
>>> mvemo.audio.pad_to([1.0], 2).tolist()
[1.0, 0.0]
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "SILENCE_DBFS": "mvemo.audio.io",
    "audio_duration": "mvemo.audio.io",
    "check_audio": "mvemo.audio.io",
    "load_audio": "mvemo.audio.io",
    "pad_to": "mvemo.audio.io",
    "rms_dbfs": "mvemo.audio.io",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mvemo.audio' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

"""Audio input: decode audio and video files, check and pad signals.

Importing this package is cheap; decoders (PyAV, soundfile, soxr) load on first use.

Examples
--------
>>> import mvemo.audio
>>> mvemo.audio.pad_to([1.0], 2).tolist()
[1.0, 0.0]
"""

from __future__ import annotations

import lazy_loader as _lazy

# public names: __init__.pyi
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)

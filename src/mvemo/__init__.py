"""mvemo: music-related emotion recognition in MVEmo's unified emotion representation.

The top level is lazy: ``import mvemo`` is cheap, and names load on first use.  The
public names are listed in ``__init__.pyi`` (read by ``lazy_loader`` and by type checkers).

Examples
--------
>>> import mvemo
>>> mvemo.va_to_label(6.5, 3.0, scale=(1, 9))
EmotionLabel(category='calm', intensity=0.5)
>>> mvemo.quadrant_to_label("Q3").category
'depressed'
"""

from __future__ import annotations

import lazy_loader as _lazy

from mvemo._version import __version__  # noqa: F401  (listed in the stub's __all__)

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)

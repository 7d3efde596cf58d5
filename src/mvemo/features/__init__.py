"""Audio features: the musicnn backbone in PyTorch (with its TF1 checkpoint reader), and more.

The package is lazy: ``import mvemo.features`` loads neither torch nor librosa; the
names and submodules listed in ``__init__.pyi`` load on first use.
"""

from __future__ import annotations

import lazy_loader as _lazy

# public names and submodules: __init__.pyi
__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)

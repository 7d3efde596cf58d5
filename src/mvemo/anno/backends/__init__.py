"""MVAnno model backends: ``mvanno-cpu`` (ships) and ``phi4mm`` (the paper's model, optional extra)."""

from __future__ import annotations

from typing import Any

from mvemo.errors import ParameterError

__all__ = ["BACKENDS", "make_backend"]

BACKENDS = ("mvanno-cpu", "phi4mm")


def make_backend(cfg: Any) -> Any:
    """The backend a curriculum config names (imported only when used)."""
    if cfg.backend == "mvanno-cpu":
        from mvemo.anno.backends.cpu import CpuBackend

        return CpuBackend.from_config(cfg)
    if cfg.backend == "phi4mm":
        from mvemo.anno.backends.phi4mm import Phi4mmBackend

        return Phi4mmBackend.from_config(cfg)
    raise ParameterError(f"unknown MVAnno backend {cfg.backend!r}; known: {BACKENDS}")

"""Curriculum checkpoints: tensors in safetensors files, everything else in JSON (never pickle).

Layout under a run's ``out_dir``::

    state.json                          # the curriculum's progress and results (see runner)
    stages/<stage>/model.safetensors    # the stage's final weights
    stages/<stage>/meta.json
    stages/<stage>/partial.safetensors  # weights + optimizer state of an unfinished stage
    stages/<stage>/partial.json         # its step

All writes are atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError
from mvemo.util import atomic_open, atomic_write

__all__ = ["load_tensors", "read_json", "save_tensors", "stage_dir", "write_json"]


def stage_dir(out_dir: str | Path, stage: str) -> Path:
    """The folder of one stage's checkpoints."""
    return Path(out_dir) / "stages" / stage


def save_tensors(path: str | Path, tensors: dict[str, np.ndarray], *, metadata: dict[str, str] | None = None) -> Path:
    """Write named arrays to a safetensors file atomically.

    Parameters
    ----------
    path : path
    tensors : dict of str to np.ndarray
        Contiguous copies are written; any dtype safetensors knows.
    metadata : dict of str to str, optional
    """
    st = require("safetensors.numpy", extra="anno")
    blob = st.save({k: np.ascontiguousarray(v) for k, v in tensors.items()}, metadata=metadata)
    return atomic_write(path, blob)


def load_tensors(path: str | Path) -> dict[str, np.ndarray]:
    """Read a safetensors file written by :func:`save_tensors`.

    Raises
    ------
    DataError
        Missing or unreadable file.
    """
    st = require("safetensors.numpy", extra="anno")
    p = Path(path)
    try:
        return dict(st.load(p.read_bytes()))
    except (OSError, ValueError, RuntimeError) as exc:
        raise DataError(f"cannot read checkpoint {p}: {exc}") from exc
    except Exception as exc:  # safetensors raises its own SafetensorError for corrupt files
        if type(exc).__name__ == "SafetensorError":
            raise DataError(f"cannot read checkpoint {p}: {exc}") from exc
        raise


def write_json(path: str | Path, obj: Any) -> Path:
    """Write JSON atomically (indented, UTF-8)."""
    with atomic_open(path, "w") as fh:
        json.dump(obj, fh, indent=2, sort_keys=False, default=_default)
        fh.write("\n")
    return Path(path)


def _default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def read_json(path: str | Path) -> Any:
    """Read a JSON file (``DataError`` naming it when unreadable)."""
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"cannot read {p}: {exc}") from exc

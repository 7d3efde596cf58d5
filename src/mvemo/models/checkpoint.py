"""Model files: one way to write and read a ``{"meta": ..., ...tensors}`` checkpoint.

Every shipped or trained model of mvemo is a torch file holding a JSON-safe ``meta`` dict
(name, config, labels, training report) beside its tensors.  Writes are atomic; reads turn
every failure into a :class:`~mvemo.errors.DataError` that names the file, and the shipped
weights are found inside the installed package.
"""

from __future__ import annotations

import json
import pickle
from importlib import resources
from pathlib import Path
from typing import Any

from mvemo._extras import require
from mvemo.errors import DataError

__all__ = ["save_checkpoint", "load_checkpoint", "half_state"]

_READ_ERRORS = (OSError, RuntimeError, EOFError, ValueError, pickle.UnpicklingError)


def half_state(state_dict: dict, *, keep: tuple[str, ...] = ()) -> dict:
    """A state dict with floating tensors in float16 (halves the file), except names in ``keep``."""
    return {k: (v.half() if v.is_floating_point() and k not in keep else v) for k, v in state_dict.items()}


def save_checkpoint(meta: dict[str, Any], path: str | Path, **tensors: Any) -> Path:
    """Write ``{"meta": meta, **tensors}`` to ``path`` atomically (``meta`` must be JSON-safe).

    Examples
    --------
    >>> import tempfile, torch
    >>> p = save_checkpoint({"name": "demo"}, tempfile.mkdtemp() + "/m.pt", state_dict={"w": torch.ones(2)})
    >>> load_checkpoint(p)["meta"]
    {'name': 'demo'}
    """
    torch = require("torch", extra="torch")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    torch.save({"meta": json.loads(json.dumps(meta)), **tensors}, tmp)
    tmp.replace(p)
    return p


def load_checkpoint(path: str | Path | None = None, *, packaged: str | None = None,
                    what: str = "model weights") -> dict[str, Any]:  # fmt: skip
    """Read a checkpoint from ``path``, or the package's ``mvemo/models/<packaged>`` when ``path`` is None.

    Raises
    ------
    DataError
        The file is missing, unreadable or holds no ``meta`` dict (the message names it).
    """
    torch = require("torch", extra="torch")
    if path is None:
        if packaged is None:
            raise DataError(f"no {what} file given")
        ref = resources.files("mvemo.models").joinpath(packaged)
        if not ref.is_file():
            raise DataError(f"the packaged {what} {packaged} are missing from this installation")
        with resources.as_file(ref) as p:
            return load_checkpoint(p, what=what)
    try:
        blob = torch.load(path, map_location="cpu", weights_only=False)
    except _READ_ERRORS as exc:
        raise DataError(f"cannot load {what} {path}: {exc}") from exc
    if not isinstance(blob, dict) or not isinstance(blob.get("meta"), dict):
        raise DataError(f"{path}: not an mvemo model file (no 'meta')")
    return blob

"""Model files: one way to write and read a ``{"meta": ..., ...tensors}`` checkpoint.

Every shipped or trained model of mvemo is a `safetensors <https://huggingface.co/docs/safetensors>`_
file: its tensors (torch tensors and numpy arrays) are stored as raw arrays, and everything
else — the JSON-safe ``meta`` dict (name, config, labels, training report) and the layout of
nested dicts and lists — as JSON in the header metadata.  Reading such a file parses JSON and
copies arrays; it never runs code.  Pickle-based torch files (``torch.save``: zip or legacy
format) are refused with a :class:`~mvemo.errors.DataError` naming the file; a file one
trusts can be converted once with ``scripts/convert_weights.py`` (which itself reads with
``torch.load(weights_only=True)`` and an explicit allowlist of numpy array types).

Writes are atomic; reads turn every failure into a :class:`~mvemo.errors.DataError` that
names the file, and the shipped weights are found inside the installed package.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.util import atomic_write

__all__ = ["FORMAT", "save_checkpoint", "load_checkpoint", "half_state", "is_pickle_file"]

FORMAT = "mvemo-checkpoint/1"
_TENSOR, _ARRAY, _SCALAR = "__tensor__", "__ndarray__", "__npscalar__"
_MARKERS = (_TENSOR, _ARRAY, _SCALAR)


def half_state(state_dict: dict, *, keep: tuple[str, ...] = ()) -> dict:
    """A state dict with floating tensors in float16 (halves the file), except names in ``keep``."""
    return {k: (v.half() if v.is_floating_point() and k not in keep else v) for k, v in state_dict.items()}


def _flatten(obj: Any, path: str, tensors: dict[str, Any], torch) -> Any:
    """The JSON skeleton of ``obj``; its tensors and arrays go to ``tensors`` under their path."""
    if isinstance(obj, torch.Tensor):
        tensors[path] = obj.detach().cpu().contiguous().clone()
        return {_TENSOR: path}
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise ParameterError(f"checkpoint entry {path!r}: object arrays cannot be stored")
        tensors[path] = torch.from_numpy(np.ascontiguousarray(obj).copy())
        return {_ARRAY: path}
    if isinstance(obj, np.generic):
        tensors[path] = torch.from_numpy(np.asarray(obj).reshape(1).copy())
        return {_SCALAR: path}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str) or k in _MARKERS:
                raise ParameterError(f"checkpoint entry {path!r}: key {k!r} cannot be stored")
            out[k] = _flatten(v, f"{path}/{k}" if path else k, tensors, torch)
        return out
    if isinstance(obj, (list, tuple)):
        return [_flatten(v, f"{path}/{i}", tensors, torch) for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise ParameterError(f"checkpoint entry {path!r}: a {type(obj).__name__} cannot be stored")


def _unflatten(node: Any, tensors: dict[str, Any], where: Path) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)) in _MARKERS:
            kind, name = next(iter(node.items()))
            if not isinstance(name, str) or name not in tensors:
                raise DataError(f"{where}: the metadata names a missing tensor {name!r}")
            t = tensors[name]
            if kind == _TENSOR:
                return t
            arr = t.numpy()
            return arr if kind == _ARRAY else arr[0]
        return {k: _unflatten(v, tensors, where) for k, v in node.items()}
    if isinstance(node, list):
        return [_unflatten(v, tensors, where) for v in node]
    return node


def save_checkpoint(meta: dict[str, Any], path: str | Path, **tensors: Any) -> Path:
    """Write ``{"meta": meta, **tensors}`` to ``path`` atomically as a safetensors file.

    Parameters
    ----------
    meta : dict
        JSON-safe metadata.
    path : path
        The file to write (any name; ``.safetensors`` is the convention).
    **tensors
        Torch tensors, numpy arrays (dtype and shape are restored exactly), and dicts /
        lists of them mixed with JSON-safe values.

    Examples
    --------
    >>> import tempfile, torch
    >>> p = save_checkpoint({"name": "demo"}, tempfile.mkdtemp() + "/m.safetensors", state_dict={"w": torch.ones(2)})
    >>> load_checkpoint(p)["meta"]
    {'name': 'demo'}
    """
    torch = require("torch", extra="torch")
    st = require("safetensors.torch", extra="torch")
    flat: dict[str, Any] = {}
    skeleton = _flatten({"meta": json.loads(json.dumps(meta)), **tensors}, "", flat, torch)
    data = st.save(flat, metadata={"format": FORMAT, "mvemo": json.dumps(skeleton)})
    return atomic_write(path, data)


def is_pickle_file(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a pickle-based torch file (zip or legacy pickle)."""
    return head.startswith(b"PK\x03\x04") or head[:1] == b"\x80"


def load_checkpoint(
    path: str | Path | None = None, *, packaged: str | None = None, what: str = "model weights"
) -> dict[str, Any]:
    """Read a checkpoint from ``path``, or the package's ``mvemo/models/<packaged>`` when ``path`` is None.

    Raises
    ------
    DataError
        The file is missing, unreadable, pickle-based (refused: unpickling can run code), not
        a safetensors file, or holds no ``meta`` dict (the message names it).
    """
    require("torch", extra="torch")
    st = require("safetensors", extra="torch")
    if path is None:
        if packaged is None:
            raise DataError(f"no {what} file given")
        ref = resources.files("mvemo.models").joinpath(packaged)
        if not ref.is_file():
            raise DataError(f"the packaged {what} {packaged} are missing from this installation")
        with resources.as_file(ref) as p:
            return load_checkpoint(p, what=what)
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise DataError(f"cannot load {what} {p}: {exc.strerror or exc}") from None
    if is_pickle_file(head):
        raise DataError(
            f"refusing to load {what} {p}: it is a pickle-based torch file, and unpickling can run "
            "code; mvemo reads only safetensors model files (convert a file you trust with "
            "scripts/convert_weights.py)"
        )
    try:
        with st.safe_open(str(p), framework="pt", device="cpu") as f:
            info = f.metadata() or {}
            flat = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types (SafetensorError, OSError, ...)
        raise DataError(f"cannot load {what} {p}: not a safetensors file ({type(exc).__name__}: {exc})") from None
    if info.get("format") != FORMAT or "mvemo" not in info:
        raise DataError(f"{p}: not an mvemo model file (no 'meta')")
    try:
        skeleton = json.loads(info["mvemo"])
    except json.JSONDecodeError as exc:
        raise DataError(f"{p}: bad mvemo metadata ({exc})") from None
    blob = _unflatten(skeleton, flat, p)
    if not isinstance(blob, dict) or not isinstance(blob.get("meta"), dict):
        raise DataError(f"{p}: not an mvemo model file (no 'meta')")
    return blob

"""Convert a pickle-based torch model file (``torch.save``) to mvemo's safetensors format.

mvemo reads only safetensors model files (see docs/security.md).  This script converts a
file written by an older mvemo (the shipped ``weights/*.pt`` were converted with it) and
checks that the result holds exactly the same tensors and arrays (dtype, shape, values).

It reads with ``torch.load(weights_only=True)``, allowing only numpy's array
reconstruction on top of torch's own tensor types, so even a hostile file cannot run code
here; still, convert only files you trust to hold what they claim.

Usage::

    python scripts/convert_weights.py OLD.pt [NEW.safetensors]   # default: OLD with .safetensors
    python scripts/convert_weights.py --shipped                  # the three shipped models
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from mvemo.models.checkpoint import load_checkpoint, save_checkpoint

SHIPPED = Path(__file__).resolve().parents[1] / "src" / "mvemo" / "models" / "weights"
SHIPPED_NAMES = ("lyrics-minilm-lex-bow-v2", "music2emo-musicnn-msd-v3", "symbolic-emopia-vgmidi-v3")
# numpy arrays inside old files (linear channels); nothing else is allowed to be unpickled.
ALLOWED = [np.ndarray, np.dtype, np._core.multiarray._reconstruct] + [
    type(np.dtype(t)) for t in ("float16", "float32", "float64", "int32", "int64", "bool")
]


def read_legacy(path: Path) -> dict:
    """The old file's dict, unpickled with the allowlist only."""
    with torch.serialization.safe_globals(ALLOWED):
        blob = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(blob, dict) or not isinstance(blob.get("meta"), dict):
        raise SystemExit(f"{path}: not an mvemo model file (no 'meta')")
    return blob


def same(a, b, where: str = "") -> None:
    """Raise if two nested structures differ in any tensor/array (dtype, shape, bits) or value."""
    if isinstance(a, torch.Tensor):
        ok = isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    elif isinstance(a, np.ndarray):
        ok = isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    elif isinstance(a, dict):
        ok = isinstance(b, dict) and list(a) == list(b)
        if ok:
            for k in a:
                same(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        ok = isinstance(b, list) and len(a) == len(b)
        if ok:
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{where}/{i}")
    else:
        ok = type(a) is type(b) and a == b
    if not ok:
        raise SystemExit(f"conversion changed {where or '/'}: {type(a).__name__} vs {type(b).__name__}")


def convert(src: Path, dst: Path) -> None:
    blob = read_legacy(src)
    meta = blob.pop("meta")
    save_checkpoint(meta, dst, **blob)
    back = load_checkpoint(dst)
    same({"meta": meta, **blob}, back)
    print(f"{src} -> {dst} ({dst.stat().st_size} bytes, identical tensors and metadata)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?")
    ap.add_argument("dst", nargs="?")
    ap.add_argument("--shipped", action="store_true", help="convert the shipped weights/*.pt and delete them")
    a = ap.parse_args(argv)
    if a.shipped:
        for name in SHIPPED_NAMES:
            src = SHIPPED / f"{name}.pt"
            if src.exists():
                convert(src, SHIPPED / f"{name}.safetensors")
                src.unlink()
        return 0
    if not a.src:
        ap.error("give SRC (or --shipped)")
    src = Path(a.src)
    convert(src, Path(a.dst) if a.dst else src.with_suffix(".safetensors"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

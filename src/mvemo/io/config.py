"""Training configs: TOML files read into frozen-field dataclasses, unknown keys refused."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from mvemo.errors import DataError

__all__ = ["read_toml_config"]

T = TypeVar("T")


def read_toml_config(cls: type[T], path: str | Path, *, tuple_keys: tuple[str, ...] = ()) -> T:
    """Read ``path`` into the dataclass ``cls``.

    Parameters
    ----------
    cls : dataclass type
    path : path
        A TOML file whose top-level keys are fields of ``cls``.
    tuple_keys : tuple of str
        Fields stored as tuples: a TOML list becomes a tuple, a scalar a 1-tuple.

    Raises
    ------
    DataError
        The file cannot be read or parsed, it names unknown settings (all listed), or a value
        has the wrong type.

    Examples
    --------
    >>> import dataclasses, tempfile
    >>> @dataclasses.dataclass
    ... class Cfg:
    ...     seed: int = 0
    ...     datasets: tuple = ()
    >>> p = Path(tempfile.mkdtemp()) / "c.toml"
    >>> _ = p.write_text('seed = 3\\ndatasets = ["emopia"]\\n')
    >>> read_toml_config(Cfg, p, tuple_keys=("datasets",))
    Cfg(seed=3, datasets=('emopia',))
    """
    try:
        raw: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"cannot read config {path}: {exc}") from exc
    known = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    unknown = sorted(set(raw) - known)
    if unknown:
        raise DataError(f"{path}: unknown setting(s) {unknown}; known: {sorted(known)}")
    for key in tuple_keys:
        if key in raw:
            raw[key] = tuple(raw[key]) if isinstance(raw[key], list) else (raw[key],)
    try:
        return cls(**raw)
    except (TypeError, ValueError, AttributeError) as exc:  # a value of the wrong type, e.g. lr = "fast"
        raise DataError(f"{path}: bad setting value ({type(exc).__name__}: {exc})") from None

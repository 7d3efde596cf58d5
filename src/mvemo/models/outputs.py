"""What every emotion network emits: one frozen :class:`HeadOutputs` with a field per head.

The networks (:class:`~mvemo.models.music2emo.Music2Emo`, the symbolic networks, the lyrics,
video and fusion heads) return a :class:`HeadOutputs` of tensors; the predictors and trainers
turn it into a :class:`HeadOutputs` of numpy arrays (probabilities after a softmax, and so
on) with :meth:`HeadOutputs.replace` / :meth:`HeadOutputs.map`, and read the heads as
attributes (``out.category``), never by a string key.

A head a network does not have is ``None``.  Code that walks the heads by name (the losses of
:mod:`mvemo.models.losses`, which take a :class:`~mvemo.models.music2emo.HeadSpec`) uses
:meth:`HeadOutputs.head`; the read-only mapping interface (``out.get(name)``, ``name in out``,
iteration over the present heads) is kept for that and for code written against the dicts
the networks used to return.

This module imports neither torch nor numpy: the fields hold whatever the producer gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from mvemo.errors import ParameterError

__all__ = ["HEAD_NAMES", "HeadOutputs"]


@dataclass(frozen=True, eq=False)
class HeadOutputs(Mapping):
    """The outputs of an emotion network's heads, one field per head (``None``: no such head).

    Shapes are per batch of ``N`` (tensors from a network; arrays once a predictor has read
    them).

    Attributes
    ----------
    category : (N, 28)
        Unified-category logits (network) or probabilities (predictor).
    intensity : (N,)
        Unified intensity in [0, 1].
    va : (N, 2)
        Valence and arousal in [-1, 1] (see :attr:`valence`, :attr:`arousal`).
    quadrant : (N, 4)
        Quadrant logits or probabilities, Q1..Q4.
    gems : (N, 9)
        GEMS-9 logits or vote shares (music).
    levels : (N, 11)
        Intensity-level logits or distribution (music v4, symbolic).
    grid : (N, 28, 11)
        One emotion distribution over category x intensity level per input
        (:mod:`mvemo.conversion.point`): what mvanno-cpu answers, and what a predictor derives
        from the other heads (:func:`mvemo.conversion.grids.heads_to_grid`).

    Examples
    --------
    >>> out = HeadOutputs(category=[[0.1, 0.9]], intensity=[0.4])
    >>> out.category, out.quadrant, sorted(out)
    ([[0.1, 0.9]], None, ['category', 'intensity'])
    >>> out.replace(quadrant=[[1.0, 0, 0, 0]]).has("quadrant")
    True
    """

    category: Any = None
    intensity: Any = None
    va: Any = None
    quadrant: Any = None
    gems: Any = None
    levels: Any = None
    grid: Any = None

    @classmethod
    def from_heads(cls, heads: Mapping[str, Any]) -> HeadOutputs:
        """Build from ``head name -> output`` (e.g. a network's loop over its head specs).

        Raises
        ------
        ParameterError
            For a head name that is not a field of :class:`HeadOutputs`.
        """
        unknown = sorted(set(heads) - set(HEAD_NAMES))
        if unknown:
            raise ParameterError(f"unknown heads {unknown}; known: {list(HEAD_NAMES)}")
        return cls(**heads)

    @classmethod
    def of(cls, value: HeadOutputs | Mapping[str, Any]) -> HeadOutputs:
        """``value`` itself, or the :class:`HeadOutputs` of a ``head name -> output`` mapping (for
        callers that still pass the dicts the networks used to return)."""
        return value if isinstance(value, HeadOutputs) else cls.from_heads(value)

    # -- typed access -------------------------------------------------------------------------
    @property
    def valence(self) -> Any:
        """``va[..., 0]`` (None without a ``va`` head)."""
        return None if self.va is None else self.va[..., 0]

    @property
    def arousal(self) -> Any:
        """``va[..., 1]`` (None without a ``va`` head)."""
        return None if self.va is None else self.va[..., 1]

    def has(self, name: str) -> bool:
        """Whether the head ``name`` is present (not None)."""
        return self.head(name) is not None

    def head(self, name: str) -> Any:
        """The output of the head ``name`` (None where absent); for code that walks heads by name.

        Raises
        ------
        ParameterError
            For a name that is not a head.
        """
        if name not in HEAD_NAMES:
            raise ParameterError(f"unknown head {name!r}; known: {list(HEAD_NAMES)}")
        return getattr(self, name)

    def replace(self, **changes: Any) -> HeadOutputs:
        """A copy with the given heads replaced (``None`` removes a head)."""
        return replace(self, **changes)

    def map(self, fn: Callable[[Any], Any]) -> HeadOutputs:
        """A copy with ``fn`` applied to every present head (e.g. ``.map(lambda t: t[mask])``)."""
        return HeadOutputs(**{n: fn(v) for n, v in self._items()})

    def _items(self) -> list[tuple[str, Any]]:
        return [(n, getattr(self, n)) for n in HEAD_NAMES if getattr(self, n) is not None]

    # -- read-only mapping over the present heads (for code that walks heads by name) -----------
    def __getitem__(self, name: str) -> Any:
        value = getattr(self, name, None) if name in HEAD_NAMES else None
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, _ in self._items()])

    def __len__(self) -> int:
        return len(self._items())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in HEAD_NAMES and getattr(self, name) is not None

    # identity, not Mapping's value comparison: tensors do not compare to one bool
    __eq__ = object.__eq__
    __hash__ = object.__hash__


#: The heads a network may have, in field order.
HEAD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(HeadOutputs))

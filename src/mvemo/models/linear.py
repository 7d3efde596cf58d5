"""A standardised multinomial logistic regression held as numpy arrays.

Used as the music model's linear quadrant channel: on the 4Q clips a logistic regression on
the frozen musicnn embedding is better than the multitask network's 4Q head (10-fold CV,
``docs/music_model.md``), so the weights file can carry one.  Fitting uses scikit-learn
(training only); prediction is a matrix product, no scikit-learn needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo.errors import DataError, ParameterError

__all__ = ["LinearChannel", "SoftmaxLinear", "fit_softmax_linear", "stack_blocks"]


def stack_blocks(blocks: dict[str, np.ndarray], inputs) -> np.ndarray:
    """The named feature blocks (each ``(N, F_b)``) side by side, float64, in the order of ``inputs``.

    Raises
    ------
    ParameterError
        ``inputs`` is empty or names a block that ``blocks`` lacks.

    Examples
    --------
    >>> stack_blocks({"a": np.ones((2, 1)), "b": np.zeros((2, 2))}, ("b", "a")).tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    """
    missing = [b for b in inputs if b not in blocks]
    if not inputs or missing:
        raise ParameterError(f"missing feature blocks {missing} of inputs {list(inputs)} (have {sorted(blocks)})")
    return np.concatenate([np.atleast_2d(np.asarray(blocks[b], np.float64)) for b in inputs], axis=1)


@dataclass(frozen=True)
class SoftmaxLinear:
    """``P(class | x) = softmax(((x - mean) / scale) @ coef + intercept)``.

    Attributes
    ----------
    inputs : tuple of str
        Names of the feature blocks whose concatenation is ``x``, in order.
    mean, scale : np.ndarray, shape (F,)
        Standardisation (``scale > 0``).
    coef : np.ndarray, shape (F, K)
    intercept : np.ndarray, shape (K,)

    Examples
    --------
    >>> import numpy as np
    >>> m = SoftmaxLinear(("x",), np.zeros(2), np.ones(2), np.array([[1.0, -1.0], [0.0, 0.0]]), np.zeros(2))
    >>> m.predict_proba({"x": np.array([[2.0, 5.0]])}).round(3)
    array([[0.982, 0.018]])
    """

    inputs: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def __post_init__(self) -> None:
        if not self.inputs:
            raise ParameterError("inputs must name at least one feature block")
        f = np.shape(self.mean)
        if len(f) != 1 or np.shape(self.scale) != f or np.ndim(self.coef) != 2 or np.shape(self.coef)[0] != f[0]:
            raise ParameterError(f"mean and scale must be (F,) and coef (F, K), got {np.shape(self.mean)}, "
                                 f"{np.shape(self.scale)}, {np.shape(self.coef)}")  # fmt: skip
        if np.shape(self.intercept) != (np.shape(self.coef)[1],):
            raise ParameterError(f"intercept must have shape ({np.shape(self.coef)[1]},), got "
                                 f"{np.shape(self.intercept)}")
        if np.any(np.asarray(self.scale) <= 0):
            raise ParameterError("scale must be positive")

    @property
    def n_features(self) -> int:
        """Length of the input vector ``F``."""
        return int(np.shape(self.coef)[0])

    @property
    def n_classes(self) -> int:
        """Number of classes ``K``."""
        return int(np.shape(self.coef)[1])

    def design(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """The input matrix ``(N, F)``: the named blocks (each ``(N, F_b)``) side by side."""
        x = stack_blocks(blocks, self.inputs)
        if x.shape[1] != self.n_features:
            raise ParameterError(f"the blocks {list(self.inputs)} give {x.shape[1]} features, the model has "
                                 f"{self.n_features}")
        return x

    def predict_proba(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Class probabilities, shape ``(N, K)``; rows sum to 1."""
        z = ((self.design(blocks) - self.mean) / self.scale) @ self.coef + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        """Plain arrays and lists (what a weights file stores)."""
        return {"inputs": list(self.inputs), "mean": np.asarray(self.mean, np.float64),
                "scale": np.asarray(self.scale, np.float64), "coef": np.asarray(self.coef, np.float64),
                "intercept": np.asarray(self.intercept, np.float64)}  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict) -> SoftmaxLinear:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            A key is missing.
        """
        try:
            return cls(tuple(d["inputs"]), *(np.asarray(d[k], np.float64) for k in ("mean", "scale", "coef",
                                                                                    "intercept")))
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a softmax-linear entry: {exc}") from exc


def fit_softmax_linear(blocks: dict[str, np.ndarray], y: np.ndarray, *, inputs: tuple[str, ...], c: float,
                       n_classes: int) -> SoftmaxLinear:  # fmt: skip
    """Fit a standardised L2 logistic regression (scikit-learn, lbfgs) on the named blocks.

    Parameters
    ----------
    blocks : dict of str to np.ndarray
        Feature blocks, each ``(N, F_b)``.
    y : np.ndarray of int, shape (N,)
        Class indices in ``0 .. n_classes - 1``; every class must occur.
    inputs : tuple of str
        The blocks to use, in order.
    c : float
        Inverse regularisation strength (> 0).
    n_classes : int
    """
    from mvemo._extras import require

    require("sklearn", extra="symbolic")
    from sklearn.linear_model import LogisticRegression

    if not c > 0:
        raise ParameterError(f"c must be positive, got {c!r}")
    y = np.asarray(y, dtype=np.int64)
    if set(np.unique(y)) != set(range(n_classes)):
        raise ParameterError(f"y must hold every class 0..{n_classes - 1}, got {sorted(set(np.unique(y)))}")
    x = stack_blocks(blocks, inputs)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-12] = 1.0
    clf = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return SoftmaxLinear(tuple(inputs), mean, scale, clf.coef_.T.copy(), clf.intercept_.copy())


@dataclass(frozen=True)
class LinearChannel:
    """A :class:`SoftmaxLinear` mixed into a network's probabilities of the same classes.

    ``blend(network, blocks) = weight * linear + (1 - weight) * network``.

    Attributes
    ----------
    linear : SoftmaxLinear
    weight : float
        In [0, 1]; 1 = the linear model alone.
    """

    linear: SoftmaxLinear
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ParameterError(f"weight must be in [0, 1], got {self.weight!r}")

    def blend(self, network: np.ndarray, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Mixed probabilities, shape ``(N, K)`` like ``network``."""
        network = np.asarray(network, dtype=np.float64)
        lin = self.linear.predict_proba(blocks)
        if lin.shape != network.shape:
            raise ParameterError(f"network probabilities have shape {network.shape}, the linear model gives "
                                 f"{lin.shape}")
        return self.weight * lin + (1.0 - self.weight) * network

    def to_dict(self) -> dict:
        """:meth:`SoftmaxLinear.to_dict` plus ``weight``."""
        return {**self.linear.to_dict(), "weight": float(self.weight)}

    @classmethod
    def from_dict(cls, d: dict) -> LinearChannel:
        """Inverse of :meth:`to_dict`."""
        if "weight" not in d:
            raise DataError("not a linear-channel entry: no 'weight'")
        return cls(SoftmaxLinear.from_dict(d), float(d["weight"]))

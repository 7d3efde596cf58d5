"""A standardised multinomial logistic regression held as numpy arrays.

Used as the music model's linear quadrant channel: on the 4Q clips a logistic regression on
the frozen musicnn embedding is better than the multitask network's 4Q head (10-fold CV,
``docs/music_model.md``), so the weights file can carry one.  Fitting uses scikit-learn
(training only); prediction is a matrix product, no scikit-learn needed.  An
:class:`EnsembleChannel` combines several such models (weighted average or stacking, chosen by
inner CV in :func:`fit_ensemble_channel`) into one quadrant distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo.errors import DataError, ParameterError

__all__ = [
    "class_macro_f1",
    "EnsembleChannel",
    "LinearChannel",
    "SoftmaxLinear",
    "choose_combination",
    "fit_ensemble_channel",
    "fit_softmax_linear",
    "stack_blocks",
]


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
            raise ParameterError(
                f"mean and scale must be (F,) and coef (F, K), got {np.shape(self.mean)}, "
                f"{np.shape(self.scale)}, {np.shape(self.coef)}"
            )
        if np.shape(self.intercept) != (np.shape(self.coef)[1],):
            raise ParameterError(
                f"intercept must have shape ({np.shape(self.coef)[1]},), got {np.shape(self.intercept)}"
            )
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
            raise ParameterError(
                f"the blocks {list(self.inputs)} give {x.shape[1]} features, the model has {self.n_features}"
            )
        return x

    def logits(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Class scores before the softmax, shape ``(N, K)``."""
        return ((self.design(blocks) - self.mean) / self.scale) @ self.coef + self.intercept

    def predict_proba(self, blocks: dict[str, np.ndarray], *, temperature: float = 1.0) -> np.ndarray:
        """Class probabilities ``softmax(logits / temperature)``, shape ``(N, K)``; rows sum to 1."""
        if not temperature > 0:
            raise ParameterError(f"temperature must be positive, got {temperature!r}")
        z = self.logits(blocks) / temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        """Plain arrays and lists (what a weights file stores)."""
        return {
            "inputs": list(self.inputs),
            "mean": np.asarray(self.mean, np.float64),
            "scale": np.asarray(self.scale, np.float64),
            "coef": np.asarray(self.coef, np.float64),
            "intercept": np.asarray(self.intercept, np.float64),
        }

    @classmethod
    def from_dict(cls, d: dict) -> SoftmaxLinear:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            A key is missing.
        """
        try:
            return cls(
                tuple(d["inputs"]), *(np.asarray(d[k], np.float64) for k in ("mean", "scale", "coef", "intercept"))
            )
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a softmax-linear entry: {exc}") from exc


def fit_softmax_linear(
    blocks: dict[str, np.ndarray], y: np.ndarray, *, inputs: tuple[str, ...], c: float, n_classes: int
) -> SoftmaxLinear:
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

    ``blend(network, blocks) = weight * linear_T + (1 - weight) * network``, where ``linear_T``
    is the linear model's softmax at ``temperature`` (calibration; 1 = as fitted).

    Attributes
    ----------
    linear : SoftmaxLinear
    weight : float
        In [0, 1]; 1 = the linear model alone.
    temperature : float
        Divides the linear model's logits (> 0); fitted on out-of-fold predictions by
        :func:`mvemo.train.music.fit_quadrant_channel` (music v4), 1 before.
    """

    linear: SoftmaxLinear
    weight: float = 1.0
    temperature: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight <= 1.0:
            raise ParameterError(f"weight must be in [0, 1], got {self.weight!r}")
        if not self.temperature > 0:
            raise ParameterError(f"temperature must be positive, got {self.temperature!r}")

    def blend(self, network: np.ndarray, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Mixed probabilities, shape ``(N, K)`` like ``network``."""
        network = np.asarray(network, dtype=np.float64)
        lin = self.linear.predict_proba(blocks, temperature=self.temperature)
        if lin.shape != network.shape:
            raise ParameterError(
                f"network probabilities have shape {network.shape}, the linear model gives {lin.shape}"
            )
        return self.weight * lin + (1.0 - self.weight) * network

    def to_dict(self) -> dict:
        """:meth:`SoftmaxLinear.to_dict` plus ``weight`` and ``temperature``."""
        return {**self.linear.to_dict(), "weight": float(self.weight), "temperature": float(self.temperature)}

    @classmethod
    def from_dict(cls, d: dict) -> LinearChannel:
        """Inverse of :meth:`to_dict` (a missing ``temperature``, as in v3 weights, is 1)."""
        if "weight" not in d:
            raise DataError("not a linear-channel entry: no 'weight'")
        return cls(SoftmaxLinear.from_dict(d), float(d["weight"]), float(np.asarray(d.get("temperature", 1.0))))


# --------------------------------------------------------------------------- ensembles of linear channels
def class_macro_f1(y: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Macro-averaged F1 of class indices (a class with no true and no predicted item scores 0)."""
    f1 = []
    for k in range(n_classes):
        tp = np.sum((pred == k) & (y == k))
        denom = np.sum(pred == k) + np.sum(y == k)
        f1.append(2.0 * tp / denom if denom else 0.0)
    return float(np.mean(f1))


def _stratified_folds(y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold index of each item, stratified by class, depending only on ``seed``."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=int)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        fold[rng.permutation(idx)] = np.arange(len(idx)) % k
    return fold


def _log_probs(probs: list[np.ndarray]) -> np.ndarray:
    return np.log(np.clip(np.concatenate([np.asarray(p, np.float64) for p in probs], axis=1), 1e-6, 1.0))


def choose_combination(
    oof: list[np.ndarray],
    y: np.ndarray,
    *,
    n_classes: int,
    inner: int = 5,
    seed: int = 0,
    step: float = 0.1,
    stack_c: float = 1.0,
) -> tuple[np.ndarray | None, SoftmaxLinear | None, dict]:
    """Choose how to combine M channels from their out-of-fold probabilities on training items.

    Two combiners are scored by macro-F1: the weighted average of the channels'
    probabilities (weights on a ``step`` simplex grid, chosen on ``oof`` itself) and a
    stacked standardised logistic regression (``stack_c``) on their log-probabilities
    (scored by an ``inner``-fold CV over the rows).  The better one is returned, fitted on
    all rows.

    Parameters
    ----------
    oof : list of np.ndarray, each shape (N, K)
        Out-of-fold class probabilities of each channel on the same N training items.
    y : np.ndarray of int, shape (N,)

    Returns
    -------
    weights : np.ndarray, shape (M,), or None
        Averaging weights (None when stacking wins).
    stacker : SoftmaxLinear or None
        Input block ``"member_logp"`` (N, M * K) (None when averaging wins).
    info : dict
        ``kind`` ("average" or "stack"), ``average_f1``, ``stack_f1``.
    """
    import itertools

    y = np.asarray(y, dtype=np.int64)
    if not oof or any(np.shape(o) != (len(y), n_classes) for o in oof):
        raise ParameterError(f"oof must be a non-empty list of ({len(y)}, {n_classes}) arrays")
    steps = int(round(1 / step))
    best_w, best_avg = None, -1.0
    for w in itertools.product(range(steps + 1), repeat=len(oof) - 1):
        if sum(w) > steps:
            continue
        weights = np.array([*w, steps - sum(w)], np.float64) / steps
        f = class_macro_f1(y, sum(wi * o for wi, o in zip(weights, oof)).argmax(1), n_classes)
        if f > best_avg + 1e-12:
            best_w, best_avg = weights, f
    z = {"member_logp": _log_probs(oof)}
    fold = _stratified_folds(y, inner, seed)
    pred = np.empty(len(y), dtype=int)
    for k in range(inner):
        tr, te = fold != k, fold == k
        m = fit_softmax_linear(
            {"member_logp": z["member_logp"][tr]}, y[tr], inputs=("member_logp",), c=stack_c, n_classes=n_classes
        )
        pred[te] = m.predict_proba({"member_logp": z["member_logp"][te]}).argmax(1)
    stack_f1 = class_macro_f1(y, pred, n_classes)
    info = {"average_f1": float(best_avg), "stack_f1": float(stack_f1)}
    if stack_f1 > best_avg:
        stacker = fit_softmax_linear(z, y, inputs=("member_logp",), c=stack_c, n_classes=n_classes)
        return None, stacker, {"kind": "stack", **info}
    return best_w, None, {"kind": "average", **info}


@dataclass(frozen=True)
class EnsembleChannel:
    """Several :class:`SoftmaxLinear` channels combined into one distribution over the same classes.

    ``predict_proba(blocks)`` is ``sum_m weights[m] * members[m](blocks)`` when ``weights`` is
    given, else ``stacker`` applied to the members' log-probabilities side by side (block
    ``"member_logp"``).  ``blend`` mixes it into a network's probabilities like
    :meth:`LinearChannel.blend`.  A self-contained quadrant component: it needs only the
    blocks its members name (e.g. musicnn's ``embedding`` and ``segment_spread``, and the
    ``expressive`` / ``timbre`` vectors of :mod:`mvemo.features.expressive`).

    Attributes
    ----------
    members : tuple of SoftmaxLinear
    weights : np.ndarray, shape (M,), or None
        Non-negative, summing to 1.
    stacker : SoftmaxLinear or None
        Exactly one of ``weights`` and ``stacker`` is given.
    weight : float
        In [0, 1]; the share of this channel in :meth:`blend`.
    """

    members: tuple[SoftmaxLinear, ...]
    weights: np.ndarray | None = None
    stacker: SoftmaxLinear | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.members or len({m.n_classes for m in self.members}) != 1:
            raise ParameterError("an ensemble needs members with the same number of classes")
        if (self.weights is None) == (self.stacker is None):
            raise ParameterError("give exactly one of weights and stacker")
        if self.weights is not None:
            w = np.asarray(self.weights, np.float64)
            if w.shape != (len(self.members),) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
                raise ParameterError(f"weights must be {len(self.members)} non-negative numbers summing to 1, got {w}")
        if self.stacker is not None and self.stacker.n_features != len(self.members) * self.members[0].n_classes:
            raise ParameterError("the stacker must read the members' log-probabilities side by side")
        if not 0.0 <= self.weight <= 1.0:
            raise ParameterError(f"weight must be in [0, 1], got {self.weight!r}")

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every feature block a member reads, in first-use order."""
        return tuple(dict.fromkeys(b for m in self.members for b in m.inputs))

    def predict_proba(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """Class probabilities, shape ``(N, K)``; rows sum to 1."""
        probs = [m.predict_proba(blocks) for m in self.members]
        if self.weights is not None:
            return sum(w * p for w, p in zip(np.asarray(self.weights, np.float64), probs))
        return self.stacker.predict_proba({"member_logp": _log_probs(probs)})

    def blend(self, network: np.ndarray, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """``weight * predict_proba(blocks) + (1 - weight) * network``, shape ``(N, K)``."""
        network = np.asarray(network, dtype=np.float64)
        own = self.predict_proba(blocks)
        if own.shape != network.shape:
            raise ParameterError(f"network probabilities have shape {network.shape}, the ensemble gives {own.shape}")
        return self.weight * own + (1.0 - self.weight) * network

    def to_dict(self) -> dict:
        """Nested plain arrays and lists."""
        return {
            "members": [m.to_dict() for m in self.members],
            "weights": None if self.weights is None else np.asarray(self.weights, np.float64),
            "stacker": None if self.stacker is None else self.stacker.to_dict(),
            "weight": float(self.weight),
        }

    @classmethod
    def from_dict(cls, d: dict) -> EnsembleChannel:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            A key is missing.
        """
        try:
            return cls(
                tuple(SoftmaxLinear.from_dict(m) for m in d["members"]),
                None if d["weights"] is None else np.asarray(d["weights"], np.float64),
                None if d["stacker"] is None else SoftmaxLinear.from_dict(d["stacker"]),
                float(d["weight"]),
            )
        except (KeyError, TypeError) as exc:
            raise DataError(f"not an ensemble-channel entry: {exc}") from exc


def fit_ensemble_channel(
    blocks: dict[str, np.ndarray],
    y: np.ndarray,
    *,
    members: list[tuple[tuple[str, ...], float]],
    n_classes: int,
    inner: int = 5,
    seed: int = 0,
    weight: float = 1.0,
) -> EnsembleChannel:
    """Fit an :class:`EnsembleChannel`: members by :func:`fit_softmax_linear`, the combiner by
    :func:`choose_combination` on ``inner``-fold out-of-fold member probabilities.

    Parameters
    ----------
    blocks : dict of str to np.ndarray
        Feature blocks, each ``(N, F_b)``.
    y : np.ndarray of int, shape (N,)
    members : list of (inputs, c)
        Each member's blocks and inverse regularisation strength.
    """
    y = np.asarray(y, dtype=np.int64)
    fold = _stratified_folds(y, inner, seed)
    oof = [np.zeros((len(y), n_classes)) for _ in members]
    for k in range(inner):
        tr, te = fold != k, fold == k
        for (inputs, c), o in zip(members, oof):
            m = fit_softmax_linear({b: blocks[b][tr] for b in inputs}, y[tr], inputs=inputs, c=c, n_classes=n_classes)
            o[te] = m.predict_proba({b: blocks[b][te] for b in inputs})
    weights, stacker, _ = choose_combination(oof, y, n_classes=n_classes, inner=inner, seed=seed + 1)
    fitted = tuple(fit_softmax_linear(blocks, y, inputs=inputs, c=c, n_classes=n_classes) for inputs, c in members)
    return EnsembleChannel(fitted, weights, stacker, weight)

"""Simple baselines, so that a model's gain over chance and over a plain classifier is visible.

* :class:`MajorityBaseline`: the most frequent training category and intensity (any task).
* :class:`PriorBaseline`: labels drawn, seeded, from the training labels' joint
  distribution of (category, intensity) (any task).
* :class:`LogRegMusic`: multinomial logistic regression (L2, L-BFGS) of the category and
  of the intensity level on the music model's pooled musicnn features of the whole
  track (static) or of each ±2.5 s window (dynamic).
* :class:`RidgeMusicVA`: ridge regression of valence and arousal on the same features,
  converted to unified labels (MVEmo eq. 5-10): the dimensional counterpart of
  :class:`LogRegMusic` in Table V.  Its training targets are the unified training
  labels placed on the VA plane (``labels_to_va``), so both baselines see the same labels.

Features are standardised with the training mean and standard deviation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from mvemo.bench.registry import Prediction
from mvemo.bench.tasks import Task, media_role
from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH
from mvemo.conversion.va import labels_to_va, va_to_arrays
from mvemo.data.manifest import Item
from mvemo.errors import MvemoError, ParameterError
from mvemo.representation import default_circumplex, quantize_intensity

__all__ = ["reference_labels", "MajorityBaseline", "PriorBaseline", "SoftmaxRegression", "LogRegMusic", "RidgeMusicVA"]


def reference_labels(items: Sequence[Item], task: Task) -> list[tuple[str, float]]:
    """The scored (category, intensity) pairs of items: one per item (static) or per grid time."""
    out = []
    for it in items:
        if task.dynamic:
            out += [(p.category, float(p.intensity)) for p in it.dynamic or [] if p.label is not None]
        elif it.static is not None:
            out.append((it.static.category, float(it.static.intensity)))
    return out


def _fill(items: Sequence[Item], task: Task, labels: list[tuple[str | None, float | None]]) -> list[Prediction]:
    """Predictions from one label per item (static) or per reference time (dynamic), in order."""
    out, k = [], 0
    for it in items:
        if task.dynamic:
            dyn = []
            for p in it.dynamic or []:
                c, i = labels[k]
                k += 1
                dyn.append({"time": p.time, "category": c, "intensity": i})
            out.append(Prediction(it.id, dynamic=dyn))
        else:
            c, i = labels[k]
            k += 1
            out.append(Prediction(it.id, c, i))
    return out


def _n_targets(items: Sequence[Item], task: Task) -> int:
    return sum(len(it.dynamic or []) for it in items) if task.dynamic else len(items)


class MajorityBaseline:
    """The most frequent training category, and independently the most frequent intensity."""

    name = "majority"
    trains = True

    def __init__(self) -> None:
        self.label: tuple[str, float] | None = None

    def config(self) -> dict[str, Any]:
        return {"label": list(self.label) if self.label else None}

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        labels = reference_labels(items, task)
        if not labels:
            raise ParameterError(f"majority baseline: no training labels for {task.name}")
        # Ties: the category (intensity) first seen in the training order, via Counter's order.
        cat = Counter(c for c, _ in labels).most_common(1)[0][0]
        inten = Counter(i for _, i in labels).most_common(1)[0][0]
        self.label = (cat, inten)

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        if self.label is None:
            raise ParameterError("majority baseline: fit() first")
        return _fill(items, task, [self.label] * _n_targets(items, task))


class PriorBaseline:
    """Labels drawn from the training labels' joint (category, intensity) distribution.

    Parameters
    ----------
    seed : int
    """

    name = "prior"
    trains = True

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = int(seed)
        self.pairs: list[tuple[str, float]] = []
        self.p: np.ndarray | None = None

    def config(self) -> dict[str, Any]:
        return {"seed": self.seed, "n_pairs": len(self.pairs)}

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        counts = Counter(reference_labels(items, task))
        if not counts:
            raise ParameterError(f"prior baseline: no training labels for {task.name}")
        self.pairs = sorted(counts)
        self.p = np.array([counts[k] for k in self.pairs], dtype=np.float64)
        self.p /= self.p.sum()

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        if self.p is None:
            raise ParameterError("prior baseline: fit() first")
        rng = np.random.default_rng(self.seed)
        draws = rng.choice(len(self.pairs), size=_n_targets(items, task), p=self.p)
        return _fill(items, task, [self.pairs[j] for j in draws])


class SoftmaxRegression:
    """Multinomial logistic regression with an L2 penalty, fitted by L-BFGS.

    Minimises ``mean cross-entropy + ||W||^2 / (2 C n)`` (the bias is not penalised).

    Parameters
    ----------
    c : float
        Inverse regularisation strength (as scikit-learn's ``C``).
    max_iter : int
    """

    def __init__(self, *, c: float = 1.0, max_iter: int = 500) -> None:
        if not c > 0:
            raise ParameterError(f"c must be > 0, got {c!r}")
        self.c, self.max_iter = float(c), int(max_iter)
        self.classes: np.ndarray | None = None
        self.w: np.ndarray | None = None
        self.b: np.ndarray | None = None

    def fit(self, x: np.ndarray, y: np.ndarray) -> SoftmaxRegression:
        """``x`` (n, d) float, ``y`` (n,) labels."""
        from scipy.optimize import minimize

        self.classes, codes = np.unique(y, return_inverse=True)
        n, d = x.shape
        k = len(self.classes)
        if k == 1:
            self.w, self.b = np.zeros((d, 1)), np.zeros(1)
            return self
        onehot = np.eye(k)[codes]
        lam = 1.0 / (self.c * n)

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[: d * k].reshape(d, k), theta[d * k :]
            z = x @ w + b
            z -= z.max(1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(1, keepdims=True))
            p = np.exp(logp)
            value = -np.sum(onehot * logp) / n + 0.5 * lam * np.sum(w * w)
            g = (p - onehot) / n
            return value, np.concatenate([(x.T @ g + lam * w).ravel(), g.sum(0)])

        res = minimize(loss, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": self.max_iter})
        self.w, self.b = res.x[: d * k].reshape(d, k), res.x[d * k :]
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Most probable class of each row."""
        if self.w is None:
            raise ParameterError("SoftmaxRegression: fit() first")
        return self.classes[np.argmax(x @ self.w + self.b, axis=1)]


class _MusicFeatureBaseline:
    """Shared feature code: pooled musicnn embeddings (1003 values: mean pool, penultimate layer, tags), cached.

    The backbone is the shipped music model's (:func:`~mvemo.predict.music.music_model_backbone`),
    so that baselines and model read the same cached blocks.
    """

    trains = True

    def __init__(self, *, cache_dir: str | None = None, compute: bool = True) -> None:
        from mvemo.features.cache import FeatureCache, default_cache_dir
        from mvemo.features.musicnn import load_musicnn
        from mvemo.predict.music import music_model_backbone

        self.musicnn = load_musicnn(music_model_backbone())
        self.cache = FeatureCache(cache_dir or default_cache_dir())
        self.compute = compute
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def _item_features(self, item: Item, task: Task) -> np.ndarray:
        from mvemo.bench.cache import cached_blocks
        from mvemo.features.blocks import pool_blocks, window_embeddings

        blocks = cached_blocks(item.path(media_role(task, item)), self.musicnn, cache=self.cache, compute=self.compute)
        if task.dynamic:
            t = np.array([p.time for p in item.dynamic or []], dtype=np.float64)
            start, stop = t - WINDOW_HALF_WIDTH, t + WINDOW_HALF_WIDTH
        else:
            start, stop = np.array([0.0]), np.array([blocks.duration])
        bs = blocks.block_seconds
        b0 = np.clip(np.floor(start / bs + 1e-9).astype(np.int64), 0, blocks.n_blocks - 1)
        b1 = np.maximum(np.ceil(stop / bs - 1e-9).astype(np.int64), b0 + 1)
        mean, mx = pool_blocks(blocks, b0, b1)
        return window_embeddings(self.musicnn, mean, mx).astype(np.float64)

    def _features(self, items: Sequence[Item], task: Task) -> tuple[list[np.ndarray | None], list[str | None]]:
        rows, errors = [], []
        for it in items:
            try:
                rows.append(self._item_features(it, task))
                errors.append(None)
            except MvemoError as exc:
                rows.append(None)
                errors.append(str(exc))
        return rows, errors

    def _train_matrix(self, items: Sequence[Item], task: Task) -> tuple[np.ndarray, list[tuple[str, float]]]:
        rows, _ = self._features(items, task)
        xs, labels = [], []
        for it, x in zip(items, rows):
            if x is None:
                continue
            ref = reference_labels([it], task)
            if task.dynamic:  # keep the labelled grid times only
                keep = [j for j, p in enumerate(it.dynamic or []) if p.label is not None]
                x = x[keep]
            xs.append(x)
            labels += ref
        if not xs:
            raise ParameterError(f"{type(self).__name__}: no training item with features and labels")
        x = np.concatenate(xs)
        self.mean, self.std = x.mean(0), x.std(0) + 1e-6
        return (x - self.mean) / self.std, labels

    def _predict_rows(self, x: np.ndarray) -> list[tuple[str, float]]:
        raise NotImplementedError

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        if self.mean is None:
            raise ParameterError(f"{type(self).__name__}: fit() first")
        rows, errors = self._features(items, task)
        out = []
        for it, x, err in zip(items, rows, errors):
            if x is None:
                dyn = [{"time": p.time, "category": None, "intensity": None} for p in it.dynamic or []]
                out.append(Prediction(it.id, error=err, dynamic=dyn if task.dynamic else None))
                continue
            labels = self._predict_rows((x - self.mean) / self.std)
            out += _fill([it], task, labels)
        return out


class LogRegMusic(_MusicFeatureBaseline):
    """Logistic regression of the category and of the intensity level on pooled music features.

    Parameters
    ----------
    c : float
        Inverse L2 strength (default 1.0, not tuned).
    cache_dir : str, optional
    compute : bool
        Compute features missing from the cache.
    """

    name = "logreg-music"

    def __init__(self, *, c: float = 1.0, cache_dir: str | None = None, compute: bool = True) -> None:
        super().__init__(cache_dir=cache_dir, compute=compute)
        self.c = float(c)
        self.cat = SoftmaxRegression(c=c)
        self.inten = SoftmaxRegression(c=c)

    def config(self) -> dict[str, Any]:
        return {
            "c": self.c,
            "features": f"{self.musicnn.name} pooled embedding (1003)",
            "cache_dir": str(self.cache.root),
        }

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        x, labels = self._train_matrix(items, task)
        self.cat.fit(x, np.array([c for c, _ in labels]))
        self.inten.fit(x, np.array([round(i * 10) for _, i in labels]))

    def _predict_rows(self, x: np.ndarray) -> list[tuple[str, float]]:
        cats, levels = self.cat.predict(x), self.inten.predict(x)
        return [(str(c), int(lv) / 10) for c, lv in zip(cats, levels)]


class RidgeMusicVA(_MusicFeatureBaseline):
    """Ridge regression of (valence, arousal) on pooled music features, converted to unified labels.

    Parameters
    ----------
    alpha : float
        L2 strength on standardised features (default 100.0, not tuned).
    cache_dir : str, optional
    compute : bool
    """

    name = "ridge-music-va"

    def __init__(self, *, alpha: float = 100.0, cache_dir: str | None = None, compute: bool = True) -> None:
        super().__init__(cache_dir=cache_dir, compute=compute)
        if not alpha >= 0:
            raise ParameterError(f"alpha must be >= 0, got {alpha!r}")
        self.alpha = float(alpha)
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None

    def config(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha,
            "features": f"{self.musicnn.name} pooled embedding (1003)",
            "targets": "labels_to_va of the unified training labels",
            "cache_dir": str(self.cache.root),
        }

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        x, labels = self._train_matrix(items, task)
        circ = default_circumplex()
        v, a = labels_to_va(np.array([circ.index(c) for c, _ in labels]), np.array([i for _, i in labels]))
        y = np.column_stack([v, a])
        self.intercept = y.mean(0)
        d = x.shape[1]
        self.coef = np.linalg.solve(x.T @ x + self.alpha * np.eye(d), x.T @ (y - self.intercept))

    def _predict_rows(self, x: np.ndarray) -> list[tuple[str, float]]:
        va = np.clip(x @ self.coef + self.intercept, -1.0, 1.0)
        cats, inten = va_to_arrays(va[:, 0], va[:, 1])
        names = default_circumplex().categories
        return [(names[int(c)], float(quantize_intensity(float(i)))) for c, i in zip(cats, np.atleast_1d(inten))]

"""A small spectrogram network trained from scratch on the 4Q clips, as a cross-fitted channel.

Issue #19's third channel (Louro et al. 2024: a CNN on the dataset's own spectrograms, in an
ensemble with a dense network on hand-crafted features).  Two inputs, one trainer:

* ``"logmel"``: the clips' log-mel spectrograms (:func:`mvemo.features.expressive.logmel_arrays`,
  64 bands at 43.07 frames/s, pooled in time by :attr:`SpectroConfig.time_pool`) into
  :class:`MelCNN`, a 2-D CNN (3 conv blocks, global average + max pooling);
* ``"musicnn"``: the musicnn front-end block summaries (753 features per 0.5-s block, the
  cached ``block_mean``) into :class:`SeqCNN`, a 1-D CNN over time.

Training (:func:`fit_spectro`) draws one random crop per clip per epoch, with augmentation:
gain (dB offset), a small shift of the mel bands (a pitch shift of a few semitones, which keeps
the quadrant), SpecAugment (one band mask, one time mask) and mixup; the epoch with the lowest
validation loss, on a stratified split of the training clips only, is kept (early stopping).
Prediction (:func:`predict_spectro`) runs the whole clip in one pass (the network is fully
convolutional).

:func:`crossfit_channel` is what ``scripts/cv_music.py --channels cnn`` calls: the training
clips are split into :attr:`SpectroConfig.inner` parts; the network fitted without part ``j``
predicts part ``j`` (the out-of-fold probabilities the ensemble's combiner is chosen on) and the
test clips; the test probabilities are the mean over the ``inner`` networks.  Nothing here sees
the outer test clips' labels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.models.linear import class_macro_f1

torch = require("torch", extra="torch")
nn = torch.nn
F = torch.nn.functional

__all__ = [
    "MelCNN",
    "SeqCNN",
    "SpectroConfig",
    "SpectroModel",
    "crossfit_channel",
    "fit_spectro",
    "pool_time",
    "predict_spectro",
]


@dataclass(frozen=True)
class SpectroConfig:
    """Network, augmentation and training settings of the spectrogram channel.

    Attributes
    ----------
    input : {"logmel", "musicnn"}
        Which network: :class:`MelCNN` (2-D, bands x frames) or :class:`SeqCNN` (1-D,
        features x blocks).
    time_pool : int
        Frames averaged into one before training (2: 21.5 frames/s for the log-mel).
    crop : int
        Frames (after pooling) of a training crop (128: 5.9 s of log-mel).
    widths : tuple of int
        Channels of the conv blocks.
    dropout : float
        Before the output layer.
    epochs, patience : int
        At most ``epochs``; stop when the validation loss has not improved for ``patience``.
    batch_size : int
    lr, weight_decay : float
        AdamW.
    gain_db : float
        Uniform gain offset in +-``gain_db`` dB (log-mel only; 0 off).
    band_shift : int
        Uniform shift of the bands by up to +-``band_shift`` (log-mel only; 0 off).
    band_mask, time_mask : int
        Widths up to which one band block and one time block are zeroed (SpecAugment; 0 off).
    mixup : float
        Beta(mixup, mixup) mixing of pairs of clips and their targets (0 off).
    val_fraction : float
        Share of the training clips held out for early stopping (stratified).
    inner : int
        Cross-fitting parts of :func:`crossfit_channel`.
    seed : int
    """

    input: str = "logmel"
    time_pool: int = 2
    crop: int = 128
    widths: tuple[int, ...] = (16, 32, 64)
    dropout: float = 0.3
    epochs: int = 30
    patience: int = 6
    batch_size: int = 32
    lr: float = 3e-3
    weight_decay: float = 1e-3
    gain_db: float = 6.0
    band_shift: int = 2
    band_mask: int = 8
    time_mask: int = 16
    mixup: float = 0.2
    val_fraction: float = 0.15
    inner: int = 3
    seed: int = 0

    def __post_init__(self):
        if self.input not in ("logmel", "musicnn"):
            raise ParameterError(f"input must be 'logmel' or 'musicnn', got {self.input!r}")
        for name in ("time_pool", "crop", "epochs", "patience", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ParameterError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        if not 0 < self.val_fraction < 0.5:
            raise ParameterError(f"val_fraction must be in (0, 0.5), got {self.val_fraction!r}")
        if self.inner < 2:
            raise ParameterError(f"inner must be >= 2, got {self.inner!r}")


class MelCNN(nn.Module):
    """2-D CNN on (batch, bands, frames): conv-BN-ReLU-maxpool blocks, then average and max over time.

    The pooled bands stay separate features (flattened with the channels), so the register of
    a pattern counts, not only its shape.

    Parameters
    ----------
    n_mels : int
        Bands of the input (at least ``2 ** len(widths)``).
    n_classes : int
    widths : tuple of int
    dropout : float
    """

    def __init__(self, *, n_mels: int = 64, n_classes: int = 4, widths=(16, 32, 64), dropout: float = 0.3):
        super().__init__()
        n_bands = n_mels // 2 ** len(widths)
        if n_bands < 1:
            raise ParameterError(f"n_mels={n_mels} is too few for {len(widths)} pooling blocks")
        layers, c_in = [], 1
        for w in widths:
            layers += [nn.Conv2d(c_in, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
            c_in = w
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * c_in * n_bands, n_classes)

    def forward(self, x):
        """Logits (batch, n_classes) of ``x`` (batch, bands, frames)."""
        h = self.body(x.unsqueeze(1))
        h = h.reshape(h.shape[0], -1, h.shape[3])  # (B, C x bands, T')
        return self.out(self.drop(torch.cat([h.mean(2), h.amax(2)], 1)))


class SeqCNN(nn.Module):
    """1-D CNN on (batch, features, blocks): a 1x1 projection, conv blocks, global avg+max, linear.

    Parameters
    ----------
    n_features : int
    n_classes : int
    widths : tuple of int
    dropout : float
    """

    def __init__(self, *, n_features: int, n_classes: int = 4, widths=(64, 64), dropout: float = 0.3):
        super().__init__()
        layers = [nn.Dropout(dropout), nn.Conv1d(n_features, widths[0], 1), nn.BatchNorm1d(widths[0]), nn.ReLU()]
        c_in = widths[0]
        for w in widths[1:]:
            layers += [nn.Conv1d(c_in, w, 3, padding=1, bias=False), nn.BatchNorm1d(w), nn.ReLU(), nn.MaxPool1d(2)]
            c_in = w
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(2 * c_in, n_classes)

    def forward(self, x):
        """Logits (batch, n_classes) of ``x`` (batch, features, blocks)."""
        h = self.body(x)
        return self.out(self.drop(torch.cat([h.mean(2), h.amax(2)], 1)))


@dataclass
class SpectroModel:
    """A fitted network with its input standardisation.

    Attributes
    ----------
    net : torch.nn.Module
    mean, std : np.ndarray, shape (features, 1)
        Per band (feature) statistics of the training clips.
    config : SpectroConfig
    best_epoch : int
        The epoch kept by early stopping (1-based).
    history : list of dict
        Per epoch: ``train_loss``, ``val_loss``, ``val_macro_f1``.
    seconds : float
        Training wall time.
    """

    net: object
    mean: np.ndarray
    std: np.ndarray
    config: SpectroConfig
    best_epoch: int = 0
    history: list = field(default_factory=list)
    seconds: float = 0.0


def pool_time(x: np.ndarray, factor: int) -> np.ndarray:
    """Average each run of ``factor`` frames of ``x`` (features, frames) into one (float32).

    Examples
    --------
    >>> pool_time(np.arange(10.0).reshape(1, 10), 2)
    array([[0.5, 2.5, 4.5, 6.5, 8.5]], dtype=float32)
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ParameterError(f"expected (features, frames), got shape {x.shape}")
    n = x.shape[1] // factor
    if n < 1:
        raise DataError(f"{x.shape[1]} frames are fewer than time_pool={factor}")
    return x[:, : n * factor].reshape(x.shape[0], n, factor).mean(2)


def _build(cfg: SpectroConfig, n_features: int):
    if cfg.input == "logmel":
        return MelCNN(n_mels=n_features, widths=cfg.widths, dropout=cfg.dropout)
    return SeqCNN(n_features=n_features, widths=cfg.widths, dropout=cfg.dropout)


def _split_val(y: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (fit, val) indices of ``y``."""
    val = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        val.extend(idx[: max(1, int(round(fraction * len(idx))))])
    val = np.sort(np.array(val, dtype=int))
    return np.setdiff1d(np.arange(len(y)), val), val


def _batch(xs, idx, cfg: SpectroConfig, rng: np.random.Generator):
    """A (batch, features, crop) array of random crops of ``xs[idx]``, augmented (not mixup)."""
    n_feat = xs[idx[0]].shape[0]
    out = np.empty((len(idx), n_feat, cfg.crop), dtype=np.float32)
    for b, i in enumerate(idx):
        x = xs[i]
        t = x.shape[1]
        if t >= cfg.crop:
            s = int(rng.integers(0, t - cfg.crop + 1))
            crop = x[:, s : s + cfg.crop]
        else:  # a short clip: tiled up to the crop
            crop = np.tile(x, (1, -(-cfg.crop // t)))[:, : cfg.crop]
        crop = crop.copy()
        if cfg.band_shift:
            k = int(rng.integers(-cfg.band_shift, cfg.band_shift + 1))
            if k > 0:
                crop[k:], crop[:k] = crop[:-k].copy(), crop[:1]
            elif k < 0:
                crop[:k], crop[k:] = crop[-k:].copy(), crop[-1:]
        if cfg.band_mask:
            w = int(rng.integers(0, cfg.band_mask + 1))
            s = int(rng.integers(0, n_feat - w + 1))
            crop[s : s + w] = 0.0
        if cfg.time_mask:
            w = int(rng.integers(0, cfg.time_mask + 1))
            s = int(rng.integers(0, cfg.crop - w + 1))
            crop[:, s : s + w] = 0.0
        out[b] = crop
    return out


def _standardize(xs, mean, std):
    return [((x - mean) / std).astype(np.float32) for x in xs]


def _logits_full(net, xs) -> np.ndarray:
    """Logits of whole (standardised) clips, one pass each, grouped by length."""
    net.eval()
    out = np.zeros((len(xs), net.out.out_features), dtype=np.float64)
    by_len: dict[int, list[int]] = {}
    for i, x in enumerate(xs):
        by_len.setdefault(x.shape[1], []).append(i)
    with torch.no_grad():
        for idx in by_len.values():
            for s in range(0, len(idx), 64):
                part = idx[s : s + 64]
                out[part] = net(torch.from_numpy(np.stack([xs[i] for i in part]))).double().numpy()
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def _check_inputs(xs, y=None):
    if not len(xs):
        raise DataError("no clips to train on")
    n_feat = {np.shape(x)[0] for x in xs}
    if len(n_feat) != 1 or any(np.ndim(x) != 2 for x in xs):
        raise DataError(f"every clip must be (features, frames) with one feature count, got counts {sorted(n_feat)}")
    if y is not None and len(y) != len(xs):
        raise DataError(f"{len(xs)} clips but {len(y)} labels")


def fit_spectro(xs, y, *, config: SpectroConfig = SpectroConfig(), n_classes: int = 4, log=None) -> SpectroModel:
    """Train the network on clips ``xs`` with labels ``y``, early-stopped on a split of them.

    Parameters
    ----------
    xs : list of np.ndarray, shape (features, frames)
        Clips, already pooled in time (:func:`pool_time`); lengths may differ.
    y : array of int, shape (len(xs),)
        Class indices in ``range(n_classes)``.
    config : SpectroConfig
    n_classes : int
    log : callable or None
        Called with one line per epoch.

    Returns
    -------
    SpectroModel
        The network at the epoch of lowest validation loss; ``mean``/``std`` are computed on
        the clips it was fitted on.
    """
    _check_inputs(xs, y)
    cfg = config
    y = np.asarray(y, dtype=int)
    if y.min() < 0 or y.max() >= n_classes:
        raise DataError(f"labels must be in range({n_classes}), got {y.min()}..{y.max()}")
    t0 = time.perf_counter()
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    fit_idx, val_idx = _split_val(y, cfg.val_fraction, rng)
    cat = np.concatenate([xs[i] for i in fit_idx], axis=1)
    mean = cat.mean(1, keepdims=True).astype(np.float32)
    std = (cat.std(1, keepdims=True) + 1e-3).astype(np.float32)
    del cat
    gain = cfg.gain_db / std if cfg.input == "logmel" else None  # a dB offset, in standardised units
    zs = _standardize(xs, mean, std)
    net = _build(cfg, zs[0].shape[0])
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)
    y_val = torch.from_numpy(y[val_idx])
    best, best_state, best_epoch, history, since = np.inf, None, 0, [], 0
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        order = rng.permutation(fit_idx)
        losses = []
        for s in range(0, len(order), cfg.batch_size):
            idx = order[s : s + cfg.batch_size]
            if len(idx) < 2:
                continue
            xb = _batch(zs, idx, cfg, rng)
            if gain is not None and cfg.gain_db:
                xb += rng.uniform(-1, 1, size=(len(idx), 1, 1)).astype(np.float32) * gain[None]
            xb = torch.from_numpy(xb)
            tb = F.one_hot(torch.from_numpy(y[idx]), n_classes).float()
            if cfg.mixup > 0:
                lam = float(rng.beta(cfg.mixup, cfg.mixup))
                perm = torch.from_numpy(rng.permutation(len(idx)))
                xb = lam * xb + (1 - lam) * xb[perm]
                tb = lam * tb + (1 - lam) * tb[perm]
            loss = -(tb * F.log_softmax(net(xb), 1)).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        sched.step()
        logits = torch.from_numpy(_logits_full(net, [zs[i] for i in val_idx]))
        val_loss = float(F.cross_entropy(logits, y_val))
        val_f1 = class_macro_f1(y[val_idx], logits.argmax(1).numpy(), n_classes)
        history.append({"train_loss": float(np.mean(losses)), "val_loss": val_loss, "val_macro_f1": val_f1})
        if log:
            log(f"epoch {epoch}: train {history[-1]['train_loss']:.3f}, val loss {val_loss:.3f}, F1 {val_f1:.3f}")
        if val_loss < best - 1e-4:
            best, since = val_loss, 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
            best_epoch = epoch
        else:
            since += 1
            if since >= cfg.patience:
                break
    if best_state is not None:  # else (a non-finite validation loss throughout) the last epoch
        net.load_state_dict(best_state)
    net.eval()
    return SpectroModel(net, mean, std, cfg, best_epoch, history, time.perf_counter() - t0)


def predict_spectro(model: SpectroModel, xs) -> np.ndarray:
    """Class probabilities (len(xs), n_classes) of whole clips (pooled as for training)."""
    _check_inputs(xs)
    return _softmax(_logits_full(model.net, _standardize(xs, model.mean, model.std)))


def crossfit_channel(
    xs, y, train: np.ndarray, test: np.ndarray, *, config: SpectroConfig = SpectroConfig(), log=None
) -> dict:
    """The network as an ensemble channel: out-of-fold probabilities on ``train``, probabilities on ``test``.

    ``train`` is split (stratified, seeded by ``config.seed``) into ``config.inner`` parts; a
    network fitted (:func:`fit_spectro`, its own early-stopping split) on the other parts
    predicts part ``j`` and ``test``.  Only ``y[train]`` is read.

    Returns
    -------
    dict
        ``"test"`` (len(test), 4): the mean of the ``inner`` networks; ``"oof"`` (len(train), 4);
        ``"epochs"``: the early-stopping epoch of each network; ``"seconds"``.
    """
    from sklearn.model_selection import StratifiedKFold

    train, test = np.asarray(train, dtype=int), np.asarray(test, dtype=int)
    y = np.asarray(y, dtype=int)
    n_classes = 4
    oof = np.zeros((len(train), n_classes))
    test_p = np.zeros((len(test), n_classes))
    epochs, t0 = [], time.perf_counter()
    parts = StratifiedKFold(config.inner, shuffle=True, random_state=config.seed).split(np.zeros(len(train)), y[train])
    for j, (tr, te) in enumerate(parts):
        cfg = _replace_seed(config, config.seed * 100 + j)
        model = fit_spectro([xs[i] for i in train[tr]], y[train[tr]], config=cfg, n_classes=n_classes)
        oof[te] = predict_spectro(model, [xs[i] for i in train[te]])
        test_p += predict_spectro(model, [xs[i] for i in test]) / config.inner
        epochs.append(model.best_epoch)
        if log:
            log(f"  cnn part {j}: best epoch {model.best_epoch}, {model.seconds:.0f} s")
    return {"test": test_p, "oof": oof, "epochs": epochs, "seconds": time.perf_counter() - t0}


def _replace_seed(cfg: SpectroConfig, seed: int) -> SpectroConfig:
    from dataclasses import replace

    return replace(cfg, seed=seed)

"""The symbolic (MIDI) emotion network: note statistics + the Music2Emo chord Transformer.

Input per clip (or per window):

* a vector of note statistics (:data:`mvemo.features.midi.STAT_NAMES`: pitch, rhythm,
  density, velocity, key mode, tempo, chord-quality shares), standardised with the
  training set's mean and standard deviation (stored as buffers);
* the key-normalised chord sequence encoded as roots / qualities, the same encoding
  and the same :class:`~mvemo.models.music2emo.ChordTransformer` architecture as the
  audio model;
* the key mode (0 = major, 1 = minor).

The network is :class:`~mvemo.models.music2emo.Music2Emo` with the statistics vector in
place of the audio embedding and smaller layers (the data sets are ~1,000 clips):
``[stats || chord CLS || mode]`` -> ``hidden`` units -> one MLP per head.  Heads: the
unified category (28), intensity, valence-arousal and the 4Q quadrant.

:class:`TwoFactorLinear` is the linear valence x arousal model of ``symbolic-emopia-vgmidi-v2`` and ``-v3``:
two standardised logistic regressions held as plain numpy arrays (no scikit-learn at
prediction time), ``p_v = P(positive valence)`` (Q1/Q4) and ``p_a = P(high arousal)``
(Q1/Q2), combined as ``P(Q1) = p_v p_a``, ``P(Q2) = (1 - p_v) p_a``,
``P(Q3) = (1 - p_v)(1 - p_a)``, ``P(Q4) = p_v (1 - p_a)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.models.music2emo import HeadSpec, Music2Emo, Music2EmoConfig
from mvemo.models.outputs import HeadOutputs

torch = require("torch", extra="torch")
nn = torch.nn

__all__ = [
    "FEATURE_BLOCKS",
    "SYMBOLIC_HEADS",
    "FrameConfig",
    "FrameEmotionNet",
    "LinearFactor",
    "SymbolicConfig",
    "SymbolicEmotionNet",
    "TwoFactorLinear",
]

#: Output heads of the symbolic model.
SYMBOLIC_HEADS: tuple[HeadSpec, ...] = (
    HeadSpec("category", 28, "softmax"),
    HeadSpec("intensity", 1, "regression"),
    HeadSpec("va", 2, "regression"),
    HeadSpec("quadrant", 4, "softmax"),
)


@dataclass(frozen=True)
class SymbolicConfig:
    """Sizes of the symbolic network.

    Attributes
    ----------
    n_stats : int
        Length of the statistics vector.
    use_chords : bool
        Feed the chord Transformer's CLS vector to the trunk (False zeroes it: an
        ablation that keeps the same architecture).
    """

    n_stats: int
    chord_dim: int = 32
    chord_layers: int = 2
    chord_heads: int = 4
    max_chords: int = 128
    hidden: int = 128
    head_hidden: int = 64
    dropout: float = 0.3
    use_chords: bool = True

    def to_dict(self) -> dict:
        """JSON-serialisable fields."""
        return asdict(self)


class SymbolicEmotionNet(nn.Module):
    """Statistics + chord sequence -> head outputs (a dict, see :class:`~mvemo.models.music2emo.Music2Emo`).

    Forward arguments: ``stats (B, F) float``, ``roots, qualities (B, L) long``,
    ``chord_mask (B, L) bool``, ``mode (B,) float``.
    """

    def __init__(self, cfg: SymbolicConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.net = Music2Emo(
            Music2EmoConfig(
                embedding_dim=cfg.n_stats,
                chord_dim=cfg.chord_dim,
                chord_layers=cfg.chord_layers,
                chord_heads=cfg.chord_heads,
                max_chords=cfg.max_chords,
                hidden=cfg.hidden,
                head_hidden=cfg.head_hidden,
                dropout=cfg.dropout,
                heads=SYMBOLIC_HEADS,
            )
        )
        self.register_buffer("mean", torch.zeros(cfg.n_stats))
        self.register_buffer("std", torch.ones(cfg.n_stats))

    def set_normalization(self, mean, std) -> None:
        """Store the training statistics' mean and standard deviation, shape ``(F,)``."""
        self.mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.std.copy_(torch.clamp(torch.as_tensor(std, dtype=torch.float32), min=1e-3))

    def forward(self, stats, roots, qualities, chord_mask, mode):
        z = (stats - self.mean) / self.std
        if not self.cfg.use_chords:
            chord_mask = torch.zeros_like(chord_mask)
            roots = torch.full_like(roots, 12)
            qualities = torch.zeros_like(qualities)
        return self.net(z, roots, qualities, chord_mask, mode)


@dataclass(frozen=True)
class FrameConfig:
    """Sizes of the frame-sequence network (:class:`FrameEmotionNet`).

    Attributes
    ----------
    n_stats : int
        Length of the statistics vector (0: frames only).
    n_scalars : int
        Scalar channels after the three 12-channel pitch-class blocks of a frame.
    """

    n_stats: int
    n_scalars: int = 6
    pc_channels: int = 24
    channels: int = 64
    hidden: int = 96
    dropout: float = 0.3

    def to_dict(self) -> dict:
        """JSON-serialisable fields."""
        return asdict(self)


class FrameEmotionNet(nn.Module):
    """A note-frame sequence (+ statistics) -> the heads of :data:`SYMBOLIC_HEADS`.

    The pitch-class blocks ``(3, 12, T)`` go through a 2-D convolution that is circular
    over the 12 pitch classes (kernel spanning all 12, so it sees every interval from each
    pitch class) and then pooled over pitch class (mean and max): the encoder is exactly
    invariant to transposition but not to mode.  The scalars join through a 1-D
    convolution; two dilated temporal convolutions and attention pooling over the valid
    frames give a clip vector, concatenated with the standardised statistics.

    Forward arguments: ``frames (B, T, 36 + n_scalars) float``, ``frame_mask (B, T) bool``,
    ``stats (B, F) float``.
    """

    def __init__(self, cfg: FrameConfig) -> None:
        super().__init__()
        self.cfg = cfg
        c = cfg.pc_channels
        self.pc1 = nn.Conv2d(3, c, kernel_size=(12, 3), padding=(0, 1))
        self.pc2 = nn.Conv2d(c, c, kernel_size=(1, 3), padding=(0, 1))
        self.sc = nn.Conv1d(cfg.n_scalars, 16, kernel_size=3, padding=1)
        self.t1 = nn.Conv1d(2 * c + 16, cfg.channels, kernel_size=5, padding=4, dilation=2)
        self.t2 = nn.Conv1d(cfg.channels, cfg.channels, kernel_size=5, padding=8, dilation=4)
        self.att = nn.Linear(cfg.channels, 1)
        self.drop = nn.Dropout(cfg.dropout)
        self.trunk = nn.Sequential(
            nn.Linear(cfg.channels * 2 + cfg.n_stats, cfg.hidden), nn.ReLU(), nn.Dropout(cfg.dropout)
        )
        self.heads = nn.ModuleDict({h.name: nn.Linear(cfg.hidden, h.size) for h in SYMBOLIC_HEADS})
        self.register_buffer("mean", torch.zeros(cfg.n_stats))
        self.register_buffer("std", torch.ones(cfg.n_stats))

    def set_normalization(self, mean, std) -> None:
        """Store the training statistics' mean and standard deviation, shape ``(F,)``."""
        self.mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.std.copy_(torch.clamp(torch.as_tensor(std, dtype=torch.float32), min=1e-3))

    def forward(self, frames, frame_mask, stats):
        b, t, _ = frames.shape
        pcs = frames[:, :, :36].reshape(b, t, 3, 12).permute(0, 2, 3, 1)  # (B, 3, 12, T)
        pcs = torch.cat([pcs, pcs[:, :, :11]], dim=2)  # circular over pitch class
        h = torch.relu(self.pc1(pcs))  # (B, C, 12, T)
        h = torch.relu(self.pc2(h))
        h = torch.cat([h.mean(2), h.amax(2)], dim=1)  # (B, 2C, T)
        s = torch.relu(self.sc(frames[:, :, 36:].transpose(1, 2)))
        h = torch.relu(self.t1(self.drop(torch.cat([h, s], dim=1))))
        h = h + torch.relu(self.t2(h))  # (B, D, T)
        h = h.transpose(1, 2)  # (B, T, D)
        m = frame_mask[:, :, None]
        w = self.att(h).masked_fill(~m, -1e9).softmax(1)
        att = (w * h).sum(1)
        mx = h.masked_fill(~m, -1e9).amax(1)
        z = (stats - self.mean) / self.std
        z = self.trunk(torch.cat([att, mx, z], dim=1))
        out = {}
        for spec in SYMBOLIC_HEADS:
            y = self.heads[spec.name](z)
            if spec.name == "va":
                y = torch.tanh(y)
            elif spec.name == "intensity":
                y = torch.sigmoid(y).squeeze(-1)
            out[spec.name] = y
        return HeadOutputs.from_heads(out)


#: Feature blocks a :class:`LinearFactor` may read, concatenated in the order given:
#: ``"stats"`` = :meth:`mvemo.features.midi.MidiFeatures.window_stats`,
#: ``"valence"`` = :meth:`mvemo.features.midi.MidiFeatures.valence_features`.
FEATURE_BLOCKS: tuple[str, ...] = ("stats", "valence")


@dataclass(frozen=True)
class LinearFactor:
    """A standardised binary logistic regression as numpy arrays.

    ``p = sigmoid(((x - mean) / scale) @ coef + intercept)`` for ``x`` = the concatenation of
    the feature blocks ``inputs`` (see :data:`FEATURE_BLOCKS`).

    Attributes
    ----------
    inputs : tuple of str
        Feature blocks, in order.
    mean, scale, coef : np.ndarray
        Shape ``(F,)`` each (``scale > 0``).
    intercept : float
    """

    inputs: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def __post_init__(self) -> None:
        unknown = [b for b in self.inputs if b not in FEATURE_BLOCKS]
        if not self.inputs or unknown:
            raise ParameterError(f"inputs must be a non-empty subset of {FEATURE_BLOCKS}, got {self.inputs!r}")
        shapes = {np.shape(self.mean), np.shape(self.scale), np.shape(self.coef)}
        if len(shapes) != 1 or len(next(iter(shapes))) != 1:
            raise ParameterError(f"mean, scale and coef must be 1-d of one length, got shapes {sorted(shapes)}")
        if np.any(np.asarray(self.scale) <= 0):
            raise ParameterError("scale must be positive")

    @property
    def n_features(self) -> int:
        """Length of the input vector."""
        return int(np.shape(self.coef)[0])

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """The logit of each row of ``x`` (shape ``(N, F)``)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ParameterError(f"x must have shape (N, {self.n_features}), got {x.shape}")
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """``P(positive class)`` of each row of ``x``, shape ``(N,)``."""
        z = self.decision_function(x)
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # = sigmoid(z), without overflow

    def to_dict(self) -> dict:
        """Plain arrays and lists (what the weights file stores)."""
        return {
            "inputs": list(self.inputs),
            "mean": np.asarray(self.mean, np.float64),
            "scale": np.asarray(self.scale, np.float64),
            "coef": np.asarray(self.coef, np.float64),
            "intercept": float(self.intercept),
        }

    @classmethod
    def from_dict(cls, d: dict) -> LinearFactor:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        DataError
            A key is missing.
        """
        try:
            return cls(
                tuple(d["inputs"]),
                np.asarray(d["mean"], np.float64),
                np.asarray(d["scale"], np.float64),
                np.asarray(d["coef"], np.float64),
                float(d["intercept"]),
            )
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a linear factor entry: {exc}") from exc


@dataclass(frozen=True)
class TwoFactorLinear:
    """Valence x arousal: 4Q probabilities as the product of two :class:`LinearFactor` models.

    Attributes
    ----------
    valence : LinearFactor
        ``P(positive valence)`` = P(Q1 or Q4).
    arousal : LinearFactor
        ``P(high arousal)`` = P(Q1 or Q2).
    """

    valence: LinearFactor
    arousal: LinearFactor

    @property
    def inputs(self) -> tuple[str, ...]:
        """The feature blocks either factor reads (in :data:`FEATURE_BLOCKS` order)."""
        used = set(self.valence.inputs) | set(self.arousal.inputs)
        return tuple(b for b in FEATURE_BLOCKS if b in used)

    def factors(self, blocks: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """``(p_v, p_a)``, each shape ``(N,)``, from the feature blocks (name -> ``(N, F_b)``)."""

        from mvemo.models.linear import stack_blocks

        return (
            self.valence.predict_proba(stack_blocks(blocks, self.valence.inputs)),
            self.arousal.predict_proba(stack_blocks(blocks, self.arousal.inputs)),
        )

    def quadrant_proba(self, blocks: dict[str, np.ndarray]) -> np.ndarray:
        """4Q probabilities (Q1..Q4), shape ``(N, 4)``; rows sum to 1."""
        pv, pa = self.factors(blocks)
        return np.stack([pv * pa, (1 - pv) * pa, (1 - pv) * (1 - pa), pv * (1 - pa)], axis=1)

    def to_dict(self) -> dict:
        """``{"valence": ..., "arousal": ...}`` of :meth:`LinearFactor.to_dict`."""
        return {"valence": self.valence.to_dict(), "arousal": self.arousal.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> TwoFactorLinear:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(LinearFactor.from_dict(d["valence"]), LinearFactor.from_dict(d["arousal"]))
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a two-factor linear model entry: {exc}") from exc

"""The lyrics emotion heads: standardised features -> (optional hidden layer) -> four heads.

Input: a MiniLM embedding (384) concatenated with the lexicon features
(:data:`mvemo.features.lyrics.LEXICON_FEATURES`).  Outputs (logits / values):

* ``category`` (28): the unified category (softmax);
* ``intensity`` (1): the unified intensity in [0, 1] (sigmoid);
* ``va`` (2): valence and arousal in [-1, 1] (tanh);
* ``quadrant`` (4): Q1..Q4 (softmax).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError
from mvemo.models.checkpoint import load_checkpoint, save_checkpoint

torch = require("torch", extra="torch")
nn = torch.nn

__all__ = ["LyricsHeads", "LyricsHeadsConfig", "load_lyrics_heads", "save_lyrics_heads"]


@dataclass
class LyricsHeadsConfig:
    """Shape of the heads."""

    input_dim: int
    hidden: int = 0
    dropout: float = 0.2
    n_categories: int = 28
    n_quadrants: int = 4


class LyricsHeads(nn.Module):
    """Feature standardisation + a linear (``hidden == 0``) or one-hidden-layer trunk + heads."""

    def __init__(self, cfg: LyricsHeadsConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("mean", torch.zeros(cfg.input_dim))
        self.register_buffer("std", torch.ones(cfg.input_dim))
        if cfg.hidden > 0:
            self.trunk = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(cfg.input_dim, cfg.hidden), nn.GELU(),
                                       nn.Dropout(cfg.dropout))  # fmt: skip
            width = cfg.hidden
        else:
            self.trunk = nn.Dropout(cfg.dropout)
            width = cfg.input_dim
        self.category = nn.Linear(width, cfg.n_categories)
        self.intensity = nn.Linear(width, 1)
        self.va = nn.Linear(width, 2)
        self.quadrant = nn.Linear(width, cfg.n_quadrants)

    def set_standardization(self, x: np.ndarray) -> None:
        """Set the feature mean and std from training features, shape (N, input_dim)."""
        self.mean.copy_(torch.from_numpy(np.asarray(x.mean(0), dtype=np.float32)))
        self.std.copy_(torch.from_numpy(np.asarray(np.maximum(x.std(0), 1e-6), dtype=np.float32)))

    def forward(self, x):
        """``x`` (B, input_dim) -> dict of ``category`` (B, 28) and ``quadrant`` (B, 4) logits,
        ``intensity`` (B,) in [0, 1], ``va`` (B, 2) in [-1, 1]."""
        h = self.trunk((x - self.mean) / self.std)
        return {
            "category": self.category(h),
            "quadrant": self.quadrant(h),
            "intensity": torch.sigmoid(self.intensity(h)[:, 0]),
            "va": torch.tanh(self.va(h)),
        }


def save_lyrics_heads(net: LyricsHeads, meta: dict, path: str | Path) -> None:
    """Write weights (float32: the heads are small) and metadata atomically to a ``.pt`` file."""
    save_checkpoint({**meta, "config": asdict(net.cfg)}, path, state_dict=net.state_dict())


def load_lyrics_heads(path) -> tuple[LyricsHeads, dict]:
    """Read a file written by :func:`save_lyrics_heads`; returns ``(network in eval mode, meta)``.

    Raises
    ------
    DataError
        If the file cannot be read or does not hold lyrics heads.
    """
    blob = load_checkpoint(path, what="lyrics model weights")
    meta = blob["meta"]
    try:
        net = LyricsHeads(LyricsHeadsConfig(**meta["config"]))
        net.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    except (RuntimeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"cannot load lyrics model weights {path}: {exc}") from exc
    net.eval()
    return net, meta

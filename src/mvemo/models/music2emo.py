"""The Music2Emo network (Kang & Herremans), on a musicnn audio embedding.

Input per track (or per window):

* a segment-averaged audio embedding ``(D,)`` (musicnn patch embeddings averaged over
  consecutive 3-s patches),
* the chord sequence normalised to C major / A minor: root indices (0-11, 12 = no chord)
  and quality indices, encoded by a small chord Transformer (2 layers, 8 heads, root
  and quality embeddings, sinusoidal positional encoding, a CLS token),
* the key mode (0 = major, 1 = minor).

``[embedding || chord CLS || mode]`` is projected to 512 units with ReLU, then each task
head has two 256-unit hidden layers.  Heads: the unified category (28 logits) and
intensity, valence-arousal, and per-dataset heads (4Q logits, GEMS-9 proportions, ...);
from v4 an 11-level intensity head (``levels``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mvemo._extras import require
from mvemo.models.outputs import HeadOutputs

torch = require("torch", extra="torch")
nn = torch.nn

__all__ = ["HeadSpec", "Music2EmoConfig", "ChordTransformer", "Music2Emo", "DEFAULT_HEADS"]


@dataclass(frozen=True)
class HeadSpec:
    """One output head.

    Attributes
    ----------
    name : str
    size : int
        Number of outputs.
    kind : {"softmax", "sigmoid", "regression"}
        Categorical (one label of ``size``), multi-label / proportions, or real values.
    """

    name: str
    size: int
    kind: str


DEFAULT_HEADS: tuple[HeadSpec, ...] = (
    HeadSpec("category", 28, "softmax"),  # unified category
    HeadSpec("intensity", 1, "regression"),  # unified intensity in [0, 1]
    HeadSpec("va", 2, "regression"),  # valence, arousal in [-1, 1]
    HeadSpec("quadrant", 4, "softmax"),  # 4Q (4Q audio, PMEmo quadrants)
    HeadSpec("gems", 9, "sigmoid"),  # Emotify GEMS-9 vote shares
)


@dataclass(frozen=True)
class Music2EmoConfig:
    """Sizes of the network; the defaults follow Music2Emo where the paper gives them."""

    embedding_dim: int = 753
    n_roots: int = 13  # 12 pitch classes + no chord
    n_qualities: int = 15  # len(mvemo.features.harmony.CHORD_QUALITIES)
    chord_dim: int = 64
    chord_layers: int = 2
    chord_heads: int = 8
    max_chords: int = 256
    hidden: int = 512
    head_hidden: int = 256
    dropout: float = 0.3
    heads: tuple[HeadSpec, ...] = field(default=DEFAULT_HEADS)
    # > 0 (v4 on): a ``levels`` head of this many intensity-level logits (11), trained on the
    # informative level distribution, so the network answers with a category x level grid
    intensity_levels: int = 0

    @property
    def all_heads(self) -> tuple[HeadSpec, ...]:
        """``heads`` plus the ``levels`` head where ``intensity_levels`` > 0."""
        extra = (HeadSpec("levels", self.intensity_levels, "softmax"),) if self.intensity_levels > 0 else ()
        return tuple(self.heads) + extra


def _sinusoidal(n: int, dim: int):
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    pe = torch.zeros(n, dim)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class ChordTransformer(nn.Module):
    """Encode a chord sequence into one vector (the CLS output).

    Forward: ``roots (B, L) long, qualities (B, L) long, mask (B, L) bool (True = chord)``
    -> ``(B, chord_dim)``.  An all-padding row gives the CLS of an empty sequence.
    """

    def __init__(self, cfg: Music2EmoConfig) -> None:
        super().__init__()
        self.root = nn.Embedding(cfg.n_roots, cfg.chord_dim)
        self.quality = nn.Embedding(cfg.n_qualities, cfg.chord_dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, cfg.chord_dim))
        self.register_buffer("pe", _sinusoidal(cfg.max_chords + 1, cfg.chord_dim), persistent=False)
        layer = nn.TransformerEncoderLayer(
            cfg.chord_dim, cfg.chord_heads, dim_feedforward=4 * cfg.chord_dim, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, cfg.chord_layers, enable_nested_tensor=False)
        self.max_chords = cfg.max_chords

    def forward(self, roots, qualities, mask):
        roots, qualities, mask = (
            roots[:, : self.max_chords],
            qualities[:, : self.max_chords],
            mask[:, : self.max_chords],
        )
        x = self.root(roots) + self.quality(qualities)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pe[: x.shape[1] + 1]
        keep = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        return self.encoder(x, src_key_padding_mask=~keep)[:, 0]


class Music2Emo(nn.Module):
    """Multitask Music2Emo network; ``forward`` returns the raw head outputs as :class:`HeadOutputs`.

    Forward arguments: ``embedding (B, D)``, ``roots, qualities (B, L) long``,
    ``chord_mask (B, L) bool``, ``mode (B,) float``.  Outputs: logits for softmax and
    sigmoid heads, values for regression heads (``va`` through tanh, ``intensity``
    through a sigmoid).
    """

    def __init__(self, cfg: Music2EmoConfig = Music2EmoConfig()) -> None:
        super().__init__()
        self.cfg = cfg
        self.chords = ChordTransformer(cfg)
        self.trunk = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.embedding_dim + cfg.chord_dim + 1, cfg.hidden),
            nn.ReLU(),
            nn.Dropout(cfg.dropout),
        )
        self.heads = nn.ModuleDict(
            {
                h.name: nn.Sequential(
                    nn.Linear(cfg.hidden, cfg.head_hidden),
                    nn.ReLU(),
                    nn.Linear(cfg.head_hidden, cfg.head_hidden),
                    nn.ReLU(),
                    nn.Linear(cfg.head_hidden, h.size),
                )
                for h in cfg.all_heads
            }
        )

    def forward(self, embedding, roots, qualities, chord_mask, mode):
        cls = self.chords(roots, qualities, chord_mask)
        z = self.trunk(torch.cat([embedding, cls, mode[:, None].float()], dim=1))
        out = {}
        for h in self.cfg.all_heads:
            y = self.heads[h.name](z)
            if h.name == "va":
                y = torch.tanh(y)
            elif h.name == "intensity":
                y = torch.sigmoid(y).squeeze(-1)
            out[h.name] = y
        return HeadOutputs.from_heads(out)

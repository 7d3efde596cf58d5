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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mvemo._extras import require
from mvemo.models.music2emo import HeadSpec, Music2Emo, Music2EmoConfig

torch = require("torch", extra="torch")
nn = torch.nn

__all__ = ["SYMBOLIC_HEADS", "SymbolicConfig", "SymbolicEmotionNet"]

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
                embedding_dim=cfg.n_stats, chord_dim=cfg.chord_dim, chord_layers=cfg.chord_layers,
                chord_heads=cfg.chord_heads, max_chords=cfg.max_chords, hidden=cfg.hidden,
                head_hidden=cfg.head_hidden, dropout=cfg.dropout, heads=SYMBOLIC_HEADS,
            )  # fmt: skip
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

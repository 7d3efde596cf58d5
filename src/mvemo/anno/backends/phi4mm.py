"""Backend ``phi4mm``: the paper's MVAnno on ``transformers``' Phi-4-multimodal classes with ``peft``.

* ``LoRA_v`` / ``LoRA_m`` are two ``peft`` LoRA adapters named ``vision`` and ``speech`` on the
  language model's linear layers (``qkv_proj``, ``o_proj``, ``gate_up_proj``, ``down_proj``), as
  Phi-4-multimodal's own vision and speech adapters; a stage activates the adapters of its
  modalities (image/video -> vision, music -> speech, lyrics -> both) and trains those its
  ``train`` list names.  ``encoders`` = the image and audio encoders, ``projectors`` = their
  projections into the language model.
* The prompt asks for the unified label; the target text is
  ``Emotion Category: <c>, Emotion Intensity: <i>``.  Answers are read with
  :func:`mvemo.metrics.parse_response`; the Error Rate counts failures.
* Inputs follow the paper's sampling: static = 1 frame every 5 s (at most 64) at the crop
  size (448) with the full-length music; dynamic = 11 frames at 0.5-s steps within ±2.5 s of
  the target time with the 5-s music segment.  Audio goes through the model's own
  :class:`~transformers.Phi4MultimodalFeatureExtractor` (numpy); images are resized to one
  crop and normalised here (the model's image processor needs torchvision, and its dynamic
  HD tiling is replaced by one global + one local view of the same crop: docs/mvanno.md).
* Weights come from ``model_path`` (a local folder; nothing is downloaded).  Checkpoints
  hold the adapters and whatever parts any stage trains, not the frozen base model.

Install with ``pip install 'mvemo[anno-phi4mm]'``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.anno.config import CurriculumConfig, StageConfig
from mvemo.anno.runner import Prepared
from mvemo.errors import DataError, ParameterError
from mvemo.metrics.emotion import emotion_distance
from mvemo.metrics.response import parse_response
from mvemo.representation import CATEGORIES, default_circumplex, intensity_level

__all__ = ["ADAPTER_OF", "LORA_TARGETS", "PROMPT", "Example", "Phi4mmBackend", "target_text"]

#: The user prompt (MVEmo's unified-label question).
PROMPT = (
    "Describe the emotion of this {what} with one emotion category from: "
    + ", ".join(CATEGORIES)
    + "; and one emotion intensity from 0.0 to 1.0 in steps of 0.1. "
    "Answer as: Emotion Category: <category>, Emotion Intensity: <intensity>"
)
ADAPTER_OF = {"image": ("vision",), "video": ("vision",), "music": ("speech",), "midi": ("speech",),
              "lyrics": ("vision", "speech")}  # fmt: skip
LORA_TARGETS = r".*model\.layers\.\d+\.(self_attn\.(qkv_proj|o_proj)|mlp\.(gate_up_proj|down_proj))"
_ENCODERS = ("embed_tokens_extend.image_embed.img_processor.", "embed_tokens_extend.audio_embed.encoder.")
_PROJECTORS = ("img_projection_", "_feature_extensor", "up_proj_for_", "down_proj_for_")
AUDIO_SR = 16000


def target_text(category: str, intensity: float) -> str:
    """The answer the model learns: ``Emotion Category: <c>, Emotion Intensity: <i>``."""
    return f"Emotion Category: {category}, Emotion Intensity: {float(intensity):.1f}"


@dataclass(frozen=True, kw_only=True, eq=False)
class Example:
    """One training or validation example.

    Attributes
    ----------
    text : str or None
        Lyrics.
    audio : np.ndarray or None
        16 kHz float32 samples.
    images : list of np.ndarray or None
        HxWx3 uint8 frames.
    category : str
        The target's unified category.
    intensity : float
        The target's intensity in [0, 1].
    group : int
        The source item (D_e is averaged per group).
    """

    text: str | None = None
    audio: Any = None
    images: list | None = None
    category: str
    intensity: float
    group: int = 0


class Phi4mmBackend:
    """The ``phi4mm`` backend of the curriculum runner.

    Parameters
    ----------
    model_path : str, optional
        Local folder with the Phi-4-multimodal weights, tokenizer and feature extractor.
    model, tokenizer : optional
        An already built model and tokenizer (tests: a tiny random configuration).
    lora_rank, lora_alpha : int
        Adapter size (Phi-4-multimodal's own adapters: rank 320 vision / 320 speech; default 16 here).
    max_new_tokens : int
    device : str
    data_home : str, optional
    """

    name = "phi4mm"

    def __init__(
        self,
        *,
        model_path: str | None = None,
        model: Any = None,
        tokenizer: Any = None,
        lora_rank: int = 16,
        lora_alpha: int = 32,
        max_new_tokens: int = 24,
        device: str = "cpu",
        data_home: str | None = None,
    ) -> None:
        self.transformers = require("transformers", extra="anno-phi4mm")
        self.peft = require("peft", extra="anno-phi4mm")
        self.torch = require("torch", extra="torch")
        if model is None and model_path is None:
            raise ParameterError("the phi4mm backend needs --model-path (a local folder of Phi-4-multimodal weights)")
        if model_path is not None and not Path(model_path).is_dir():
            raise DataError(f"phi4mm model path {model_path} is not a folder")
        self.model_path, self._base, self.tokenizer = model_path, model, tokenizer
        self.lora_rank, self.lora_alpha, self.max_new_tokens = int(lora_rank), int(lora_alpha), int(max_new_tokens)
        self.device, self.data_home = device, data_home
        self._peft_model = None
        self._fe = None

    @classmethod
    def from_config(cls, cfg: CurriculumConfig) -> Phi4mmBackend:
        """Build from ``[backend_options]`` (``model_path``, ``lora_rank``, ``lora_alpha``, ``max_new_tokens``, ``device``)."""
        opts = dict(cfg.backend_options)
        known = {"model_path", "lora_rank", "lora_alpha", "max_new_tokens", "device"}
        bad = sorted(set(opts) - known)
        if bad:
            raise ParameterError(f"unknown [backend_options] {bad} for phi4mm (known: {sorted(known)})")
        return cls(data_home=cfg.data_home, **opts)

    # ------------------------------------------------------------------ model
    def _load_base(self):
        if self._base is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            tf = self.transformers
            self._base = tf.Phi4MultimodalForCausalLM.from_pretrained(self.model_path, local_files_only=True)
            self.tokenizer = tf.AutoTokenizer.from_pretrained(self.model_path, local_files_only=True)
        return self._base

    @property
    def feature_extractor(self):
        """The model's audio feature extractor (from ``model_path`` when it has one)."""
        if self._fe is None:
            fe_cls = self.transformers.Phi4MultimodalFeatureExtractor
            has = self.model_path is not None and (Path(self.model_path) / "preprocessor_config.json").is_file()
            self._fe = fe_cls.from_pretrained(self.model_path, local_files_only=True) if has else fe_cls()
        return self._fe

    def new_model(self, *, seed: int):
        """The base model with fresh ``vision`` and ``speech`` adapters (one model object, reset per stage)."""
        torch = self.torch
        torch.manual_seed(seed)
        if self._peft_model is None:
            lc = self.peft.LoraConfig(
                r=self.lora_rank,
                lora_alpha=self.lora_alpha,
                lora_dropout=0.0,
                target_modules=LORA_TARGETS,
                init_lora_weights=True,
            )
            pm = self.peft.get_peft_model(self._load_base(), lc, adapter_name="vision")
            pm.add_adapter("speech", lc)
            self._peft_model = pm.to(self.device)
            self._initial = {k: v.detach().clone() for k, v in self._saved_params(pm).items()}
        else:
            with torch.no_grad():
                params = dict(self._peft_model.named_parameters())
                for k, v in self._initial.items():
                    params[k].copy_(v)
        return self._peft_model

    def _saved_params(self, model) -> dict[str, Any]:
        return {
            n: p
            for n, p in model.named_parameters()
            if "lora_" in n or any(s in n for s in _PROJECTORS) or any(s in n for s in _ENCODERS)
        }

    def weights(self, model) -> dict[str, np.ndarray]:
        """Adapters, projectors and encoders as float32 arrays (the frozen language model is not saved)."""
        return {k: v.detach().float().cpu().numpy().copy() for k, v in self._saved_params(model).items()}

    def load_weights(self, model, arrays: dict[str, np.ndarray]) -> None:
        """Load :meth:`weights` (unknown names are an error)."""
        torch = self.torch
        params = dict(model.named_parameters())
        unknown = sorted(set(arrays) - set(params))
        if unknown:
            raise DataError(f"checkpoint names parameters the phi4mm model lacks: {unknown[:5]}")
        with torch.no_grad():
            for k, v in arrays.items():
                params[k].copy_(torch.from_numpy(np.array(v)).to(params[k].dtype))

    def part_parameters(self, model, part: str) -> list:
        """Parameters of a trainable part."""
        named = list(model.named_parameters())
        if part == "lora_v":
            return [p for n, p in named if "lora_" in n and ".vision" in n]
        if part == "lora_m":
            return [p for n, p in named if "lora_" in n and ".speech" in n]
        if part == "projectors":
            return [p for n, p in named if any(s in n for s in _PROJECTORS)]
        if part == "encoders":
            return [p for n, p in named if any(s in n for s in _ENCODERS)]
        if part in ("trunk", "head"):
            raise ParameterError(f"phi4mm keeps the language model frozen: part {part!r} is not trainable")
        raise ParameterError(f"unknown part {part!r}")

    def activate(self, model, modalities: tuple[str, ...]) -> None:
        """Switch on the adapters of the modalities (``LoRA_v`` for vision, ``LoRA_m`` for music)."""
        names = sorted({a for m in modalities for a in ADAPTER_OF[m]})
        model.base_model.set_adapter(names)

    # ------------------------------------------------------------------ inputs
    def image_inputs(self, frames: list[np.ndarray]) -> dict[str, Any]:
        """Pixel inputs for frames (HxWx3 uint8): each resized to one crop, as [global, local] views."""
        torch = self.torch
        vc = self._peft_model.config.vision_config if self._peft_model is not None else self._base.config.vision_config
        size = int(vc.crop_size)
        arr = np.stack([_resize(f, size) for f in frames]).astype(np.float32) / 255.0
        x = torch.from_numpy((arr - 0.5) / 0.5).permute(0, 3, 1, 2)  # SigLIP normalisation
        pix = torch.stack([x, x], dim=1)  # (n, 2, 3, S, S): global + one local crop
        patches = size // int(vc.patch_size)
        mask = torch.ones(len(frames), 2, patches, patches, dtype=torch.bool)
        sizes = torch.tensor([[size, size]] * len(frames))
        b = (patches + patches % 2) // 2
        return {
            "image_pixel_values": pix,
            "image_attention_mask": mask,
            "image_sizes": sizes,
            "n_tokens": len(frames) * (2 * b * (b + 1) + 1),
        }

    def audio_inputs(self, audio: np.ndarray) -> dict[str, Any]:
        """Audio features through the model's feature extractor (16 kHz mono)."""
        f = self.feature_extractor([np.asarray(audio, np.float32)], sampling_rate=AUDIO_SR, return_tensors="pt")
        out = {
            "audio_input_features": f["audio_input_features"],
            "audio_embed_sizes": f["audio_embed_sizes"],
            "n_tokens": int(f["audio_embed_sizes"].sum()),
        }
        if "audio_attention_mask" in f:
            out["audio_attention_mask"] = f["audio_attention_mask"]
        return out

    def encode(self, model, ex: Example, *, with_target: bool) -> dict[str, Any]:
        """Model inputs (and labels) of one example: chat prompt with media placeholder tokens."""
        torch = self.torch
        cfg = model.config
        tok = self.tokenizer
        media, kwargs = [], {}
        what = []
        if ex.images:
            im = self.image_inputs(ex.images)
            media += [cfg.vision_config.image_token_id] * im.pop("n_tokens")
            kwargs.update(im)
            what.append("video" if len(ex.images) > 1 else "image")
        if ex.audio is not None:
            au = self.audio_inputs(ex.audio)
            media += [cfg.audio_config.audio_token_id] * au.pop("n_tokens")
            kwargs.update(au)
            what.append("music")
        if ex.text:
            what.append("song's lyrics")
        user = PROMPT.format(what=" and ".join(what) or "input")
        if ex.text:
            user = f"Lyrics: {ex.text}\n{user}"
        pre = tok("<|user|>", add_special_tokens=False)["input_ids"]
        body = tok(f"{user}<|end|><|assistant|>", add_special_tokens=False)["input_ids"]
        ids = pre + media + body
        labels = [-100] * len(ids)
        if with_target:
            ans = tok(target_text(ex.category, ex.intensity) + "<|end|>", add_special_tokens=False)["input_ids"]
            ids, labels = ids + ans, labels + ans
        return {"input_ids": torch.tensor([ids]), "labels": torch.tensor([labels]), **kwargs}

    # ------------------------------------------------------------------ runner API
    def prepare(self, stage: StageConfig, cfg: CurriculumConfig, *, log: Callable[[str], None]) -> Prepared | str:
        """Examples of a stage from registered datasets or manifests (audio, lyrics; video frames need
        an offline video dataset, absent here)."""
        from mvemo.anno.backends.cpu_data import _holdout, _split_of, load_items

        if not stage.datasets:
            return f"no dataset configured for modalities {list(stage.modalities)} (none available offline)"
        items, absent = load_items(stage.datasets, data_home=cfg.data_home or self.data_home)
        need = {"audio" if m in ("music",) else m for m in stage.modalities}
        need = {"video" if m in ("image", "video") else m for m in need}
        rows = [
            (ds, it)
            for _, ds, it in items
            if need <= set(it.media) and (it.static if stage.branch == "static" else it.dynamic)
        ]
        if len(rows) < stage.min_items:
            return (
                f"only {len(rows)} item(s) with {' + '.join(stage.modalities)} ({stage.branch} labels) in "
                f"{', '.join(stage.datasets)}" + (f"; {'; '.join(absent)}" if absent else "")
            )
        splits = {it.id: _split_of(it) for _, it in rows}
        if "validation" not in splits.values():
            hold = _holdout(sorted(splits))
            splits = {i: "validation" if i in hold else s for i, s in splits.items()}
        train = [r for r in rows if splits[r[1].id] == "train"][: stage.max_items or None]
        val = [r for r in rows if splits[r[1].id] == "validation"]
        tr = [e for g, r in enumerate(train) for e in self._examples(r, stage, g)]
        va = [e for g, r in enumerate(val) for e in self._examples(r, stage, g)]
        return Prepared(n_train=len(tr), train=tr, val={"+".join(stage.datasets): va})

    def _examples(self, row, stage: StageConfig, group: int) -> list[Example]:
        from mvemo.audio.io import load_audio

        ds, item = row
        audio = load_audio(item.path("audio"), sr=AUDIO_SR)[0] if "audio" in item.media else None
        text = ds.lyrics(item) if "lyrics" in item.media and hasattr(ds, "lyrics") else None
        if stage.branch == "static":
            return [
                Example(
                    text=text,
                    audio=audio,
                    images=None,
                    category=item.static.category,
                    intensity=float(item.static.intensity),
                    group=group,
                )
            ]
        out = []
        for f in item.dynamic:
            if f.category is None:
                continue
            seg = None
            if audio is not None:
                a, b = int(max(0.0, f.time - 2.5) * AUDIO_SR), int((f.time + 2.5) * AUDIO_SR)
                seg = audio[a:b]
            out.append(
                Example(
                    text=None,
                    audio=seg,
                    images=None,
                    category=f.category,
                    intensity=float(f.intensity),
                    group=group,
                )
            )
        return out

    def trainer(self, model, stage: StageConfig, data: Prepared, *, seed: int, replay: list[Prepared]):
        """AdamW over the stage's parts, ``batch_size`` examples per step (gradient accumulation)."""
        if stage.distill > 0 or stage.l2sp > 0:
            raise ParameterError(
                f"stage {stage.name!r}: distill/l2sp ({stage.distill}, {stage.l2sp}) are mvanno-cpu settings; "
                "the phi4mm backend does not implement them"
            )
        return _Phi4mmTrainer(self, model, stage, data, seed=seed)

    def generate(self, model, ex: Example) -> str:
        """The model's answer to one example (greedy)."""
        torch = self.torch
        inp = self.encode(model, ex, with_target=False)
        inp.pop("labels")
        model.eval()
        with torch.no_grad():
            media = [model.config.vision_config.image_token_id, model.config.audio_config.audio_token_id]
            out = model.generate(
                **inp,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                suppress_tokens=media,
                pad_token_id=model.config.pad_token_id,
            )
        return self.tokenizer.decode(out[0, inp["input_ids"].shape[1] :], skip_special_tokens=True)

    def evaluate(self, model, val: list[Example]) -> dict[str, float]:
        """D_e over parsed answers (per group, then averaged), the Error Rate, n groups."""
        circ = default_circumplex()
        if not val:
            return {"D_e": None, "n": 0, "error_rate": None}
        parsed = [parse_response(self.generate(model, ex)) for ex in val]
        ref_c = np.array([circ.index(ex.category) for ex in val])
        ref_l = np.asarray(intensity_level(np.array([ex.intensity for ex in val])))
        est_c = np.array([circ.index(p.category) if p.ok else -1 for p in parsed])
        est_l = np.array([int(intensity_level(np.array([p.intensity]))[0]) if p.ok else -1 for p in parsed])
        d = emotion_distance(ref_c, ref_l, est_c, est_l)
        groups = np.array([ex.group for ex in val])
        per = [np.nanmean(d[groups == g]) for g in np.unique(groups) if np.any(~np.isnan(d[groups == g]))]
        er = float(np.mean([not p.ok for p in parsed]))
        return {"D_e": float(np.mean(per)) if per else None, "n": len(per), "error_rate": er, "n_examples": len(val)}


class _Phi4mmTrainer:
    def __init__(self, backend: Phi4mmBackend, model, stage: StageConfig, data: Prepared, *, seed: int) -> None:
        torch = backend.torch
        self.backend, self.model, self.stage, self.data, self.seed = backend, model, stage, data.train, seed
        backend.activate(model, stage.modalities)
        params, seen = [], set()
        for part in stage.train:
            for p in backend.part_parameters(model, part):
                if id(p) not in seen:
                    params.append(p)
                    seen.add(id(p))
        for p in model.parameters():
            p.requires_grad_(id(p) in seen)
        if not params:
            raise ParameterError(f"stage {stage.name!r}: no trainable parameters in {list(stage.train)}")
        o = stage.optimizer
        self.params = params
        self.opt = torch.optim.AdamW(params, lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay)

    def step(self, index: int) -> float:
        torch = self.backend.torch
        rng = np.random.default_rng([self.seed, index])
        bs = int(self.stage.optimizer.batch_size)
        rows = rng.integers(0, len(self.data), size=bs)
        torch.manual_seed(self.seed * 1_000_003 + index)
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        total = 0.0
        for r in rows:
            out = self.model(**self.backend.encode(self.model, self.data[int(r)], with_target=True))
            (out.loss / bs).backward()
            total += float(out.loss.detach())
        self.opt.step()
        return total / bs

    def state(self) -> dict[str, np.ndarray]:
        out = {}
        for j, p in enumerate(self.params):
            for k, v in self.opt.state.get(p, {}).items():
                out[f"{j}.{k}"] = v.detach().float().cpu().numpy().copy()
        return out

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        torch = self.backend.torch
        for j, p in enumerate(self.params):
            st = {
                k.split(".", 1)[1]: torch.from_numpy(np.array(v))
                for k, v in arrays.items()
                if k.split(".", 1)[0] == str(j)
            }
            if st:
                self.opt.state[p] = st


def _resize(frame: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour resize of an HxWx3 uint8 frame to size x size (no torchvision, no PIL)."""
    f = np.asarray(frame)
    if f.ndim != 3 or f.shape[2] != 3:
        raise DataError(f"a frame must be HxWx3, got shape {f.shape}")
    ys = (np.arange(size) * f.shape[0] / size).astype(int)
    xs = (np.arange(size) * f.shape[1] / size).astype(int)
    return f[ys][:, xs]

"""Backend ``mvanno-cpu``: :class:`~mvemo.anno.backends.cpu_model.MVAnnoNet` trained on cached
mvemo encoder features (see :mod:`mvemo.anno.backends.cpu_data`).

Substitutions for the paper (docs/mvanno.md): the encoders are mvemo's frozen CPU feature
extractors (musicnn, MiniLM, MIDI statistics, frame statistics), so the ``encoders`` part
has nothing to train here; the shared decoder is a small Transformer trunk trained from
scratch (part ``trunk``) rather than a pretrained LLM, so the curriculum's first trained
stage also trains the trunk and the head.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.anno.backends import cpu_data as cd
from mvemo.anno.backends.cpu_model import (
    MVAnnoNet,
    grid_probabilities,
    soft_cross_entropy,
)
from mvemo.anno.config import CurriculumConfig, StageConfig
from mvemo.anno.runner import Prepared
from mvemo.conversion.point import summarize_many
from mvemo.errors import DataError, ParameterError
from mvemo.features.blocks import BlockFeatures
from mvemo.features.cache import FeatureCache
from mvemo.metrics.emotion import emotion_distance, label_spread
from mvemo.representation import intensity_level
from mvemo.util import cache_root

torch = require("torch", extra="torch")

__all__ = ["CpuBackend", "CpuTrainer", "predict_grid"]

_MODEL_KEYS = ("d_model", "heads", "layers", "ff", "rank", "dropout", "max_tokens")


class CpuBackend:
    """The ``mvanno-cpu`` backend of the curriculum runner.

    Parameters
    ----------
    data_home : str, optional
        Data root for registered datasets (default: :func:`mvemo.util.data_home`'s rules).
    cache_dir : str, optional
        Feature cache root (default :func:`mvemo.util.cache_root`).
    model : dict
        :class:`MVAnnoNet` settings (``d_model``, ``heads``, ``layers``, ``ff``, ``rank``,
        ``dropout``, ``max_tokens``).
    threads : int
        torch CPU threads.
    cached_only : bool
        Use only items whose music/lyrics features are already cached (a quick run while a
        background extraction fills the cache); the excluded items are counted in the stage notes.
    """

    name = "mvanno-cpu"

    def __init__(
        self,
        *,
        data_home: str | None = None,
        cache_dir: str | None = None,
        model: dict[str, Any] | None = None,
        threads: int = 1,
        cached_only: bool = False,
    ) -> None:
        bad = sorted(set(model or {}) - set(_MODEL_KEYS))
        if bad:
            raise ParameterError(f"unknown mvanno-cpu model setting(s) {bad}; known: {list(_MODEL_KEYS)}")
        self.model_options = dict(model or {})
        self.data_home = data_home
        self.cache = FeatureCache(cache_root(cache_dir))
        self._musicnn = None
        self._encoder = None
        self.cached_only = bool(cached_only)
        torch.set_num_threads(max(1, int(threads)))

    @classmethod
    def from_config(cls, cfg: CurriculumConfig) -> CpuBackend:
        """Build from a curriculum's ``data_home`` and ``[backend_options]``."""
        opts = dict(cfg.backend_options)
        known = {"model", "threads", "cache_dir", "cached_only"}
        bad = sorted(set(opts) - known)
        if bad:
            raise ParameterError(f"unknown [backend_options] {bad} for mvanno-cpu (known: {sorted(known)})")
        return cls(
            data_home=cfg.data_home,
            cache_dir=opts.get("cache_dir"),
            model=opts.get("model"),
            threads=int(opts.get("threads", 1)),
            cached_only=bool(opts.get("cached_only", False)),
        )

    # ------------------------------------------------------------------ features
    @property
    def musicnn(self):
        """The musicnn MSD network (loaded on first use)."""
        if self._musicnn is None:
            from mvemo.features.musicnn import load_musicnn

            self._musicnn = load_musicnn("MSD_musicnn")
        return self._musicnn

    def music_static(self, blocks: BlockFeatures) -> np.ndarray:
        """Whole-track music tokens (n, 1756)."""
        return cd.add_musicnn_outputs(self.musicnn, cd.music_static_tokens(blocks))

    def music_windows(self, blocks: BlockFeatures, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dynamic music tokens (T, 10, 1756) and padding (T, 10)."""
        tok, pad = cd.music_window_tokens(blocks, times)
        tok = cd.add_musicnn_outputs(self.musicnn, tok)
        tok[pad] = 0.0
        return tok, pad

    def music_blocks(self, path: str | Path) -> BlockFeatures:
        """musicnn MSD blocks of an audio file (cached; computed on a miss)."""
        got = self.cache.get(path, cd.MUSIC_KIND)
        if got is None and self.cached_only:
            raise DataError(f"{path}: music features not cached (cached_only)")
        if got is None:
            from mvemo.features.music import compute_blocks, load_track_audio

            arrays = compute_blocks(self.musicnn, load_track_audio(path)[0]).to_arrays()
            self.cache.put(path, cd.MUSIC_KIND, arrays)
            return BlockFeatures.from_arrays(arrays)  # float16 like a cache hit: same tokens either way
        return BlockFeatures.from_arrays(got)

    @property
    def sentence_encoder(self):
        """The MiniLM sentence encoder of the lyrics features (loaded on first use)."""
        if self._encoder is None:
            from mvemo.features.lyrics import SentenceEncoder

            self._encoder = SentenceEncoder()
        return self._encoder

    def lyrics_units(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Chunk embeddings (K, 384) and lexicon statistics (K, 15) of a song text (cached like
        the lyrics trainer's units, so both share one cache)."""
        from mvemo.features.lyrics import lexicon_stats
        from mvemo.train.lyrics import UNITS_KIND, _units_key, song_units

        key = _units_key(self.cache, text, 32)
        got = self.cache.get_key(key, UNITS_KIND)
        if got is not None and {"emb", "stats"} <= set(got):
            return got["emb"], got["stats"]
        if self.cached_only:
            raise DataError("lyrics units not cached (cached_only)")
        units = song_units(text, max_words=32)
        if not units:
            raise DataError("lyrics with no words after cleaning")
        emb, stats = self.sentence_encoder.encode(units).astype(np.float32), lexicon_stats(units)
        self.cache.put_key(key, UNITS_KIND, {"emb": emb, "stats": stats})
        return emb, stats

    def midi(self, path: str | Path) -> np.ndarray:
        """MIDI tokens (8, 46) of a file (cached)."""
        got = self.cache.get(path, cd.MIDI_KIND)
        if got is not None:
            return got["tokens"]
        from mvemo.features.midi import midi_features

        tok = cd.midi_tokens(midi_features(path))
        self.cache.put(path, cd.MIDI_KIND, {"tokens": tok})
        return tok

    def _features(self, enc: str, ds: Any, item: Any, when: Any) -> Any:
        if enc == "music":
            blocks = self.music_blocks(item.path("audio"))
            return self.music_static(blocks) if isinstance(when, str) else self.music_windows(blocks, when)
        if not isinstance(when, str):
            raise DataError(f"no dynamic {enc} tokens in mvanno-cpu (dynamic stages use music)")
        if enc == "lyrics":
            text = (
                ds.lyrics(item)
                if ds is not None and hasattr(ds, "lyrics")
                else Path(item.path("lyrics")).read_text(encoding="utf-8")
            )
            return cd.lyrics_tokens(*self.lyrics_units(text))
        if enc == "midi":
            return self.midi(item.path("midi"))
        raise DataError(
            f"no {enc} features offline for {item.id} (video decoding is not part of mvanno-cpu's curriculum)"
        )

    # ------------------------------------------------------------------ runner API
    def prepare(self, stage: StageConfig, cfg: CurriculumConfig, *, log: Callable[[str], None]) -> Prepared | str:
        """Token sets of a stage, or why its data is absent."""
        if not stage.datasets:
            return f"no dataset configured for modalities {list(stage.modalities)} (none available offline)"
        items, absent = cd.load_items(stage.datasets, data_home=cfg.data_home or self.data_home)
        if not items:
            return "data absent: " + "; ".join(absent)
        log(
            f"    preparing {stage.name}: {len(items)} items from {', '.join(stage.datasets)} (features cached on disk)"
        )
        train, val, notes = cd.build_tokens(
            items,
            stage.modalities,
            branch=stage.branch,
            features=self._features,
            max_items=stage.max_items,
            seed=cfg.seed,
            log=log,
            targets=cfg.targets,
        )
        notes = [f"data absent: {a}" for a in absent] + notes
        n = sum(len(t) for t in train.values())
        if n < stage.min_items:
            mods = " + ".join(stage.modalities)
            return (
                f"only {n} training example(s) with {mods} ({stage.branch} labels) in "
                f"{', '.join(stage.datasets)}; min_items is {stage.min_items}"
            )
        return Prepared(n_train=n, train=cd.concat(list(train.values())), val=val, notes=notes)

    def new_model(self, *, seed: int) -> MVAnnoNet:
        """A fresh network (deterministic for a seed)."""
        torch.manual_seed(seed)
        return MVAnnoNet(**self.model_options)

    def weights(self, model: MVAnnoNet) -> dict[str, np.ndarray]:
        """Named float32 arrays of the model's parameters and buffers."""
        return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}

    def load_weights(self, model: MVAnnoNet, arrays: dict[str, np.ndarray]) -> None:
        """Load :meth:`weights` (missing or unexpected names are an error)."""
        try:
            model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in arrays.items()}, strict=True)
        except RuntimeError as exc:
            raise DataError(f"checkpoint does not fit the mvanno-cpu model: {exc}") from exc

    def trainer(
        self, model: MVAnnoNet, stage: StageConfig, data: Prepared, *, seed: int, replay: list[Prepared]
    ) -> CpuTrainer:
        """The stage's AdamW trainer over its ``train`` parts."""
        return CpuTrainer(model, stage, data, seed=seed, replay=replay)

    def evaluate(self, model: MVAnnoNet, val: cd.TokenSet) -> dict[str, float]:
        """D_e (mean over samples of each sample's mean over its examples), n samples.

        ``D_e`` is against the paper-compatible reference (comparable with MVEmo's Table II),
        ``D_e_informative`` against the informative reference (``item.informative``; the paper
        label for examples without one); ``n_informative`` counts examples that have one.
        ``intensity_std``, ``intensity_levels`` and ``categories_used`` describe the predicted
        labels of all examples (:func:`mvemo.metrics.label_spread`).
        """
        probs = predict_grid(model, val.tokens, val.pad)
        pts = summarize_many(probs)
        cat = pts.category.astype(np.int64)
        lev = np.asarray(intensity_level(pts.intensity), dtype=np.int64)
        groups = np.unique(val.group)
        out: dict[str, float] = {}
        for key, ref in (("D_e", "paper"), ("D_e_informative", "informative")):
            rc, rl = val.references(ref)
            d = emotion_distance(rc, rl, cat, lev)
            out[key] = float(np.array([d[val.group == g].mean() for g in groups]).mean())
        inf = val.informative
        return {
            **out,
            **label_spread(cat, pts.intensity),
            "n": len(groups),
            "n_examples": len(cat),
            "n_informative": int(inf.sum()) if inf is not None else 0,
        }


def _batch(tokens: dict[str, np.ndarray], pad: dict[str, np.ndarray], rows: np.ndarray):
    out = {}
    for e, tok in tokens.items():
        p = pad[e][rows]
        keep = max(1, int((~p).sum(1).max()))
        out[e] = (torch.from_numpy(tok[rows, :keep].astype(np.float32)), torch.from_numpy(p[:, :keep]))
    return out


def predict_grid(
    model: MVAnnoNet, tokens: dict[str, np.ndarray], pad: dict[str, np.ndarray], *, batch: int = 256
) -> np.ndarray:
    """Grid probabilities (N, 28, 11) float64 for padded token arrays (eval mode, no gradients)."""
    n = len(next(iter(tokens.values())))
    model.eval()
    out = []
    with torch.no_grad():
        for s in range(0, n, batch):
            out.append(grid_probabilities(model(_batch(tokens, pad, np.arange(s, min(n, s + batch)))).grid))
    return np.concatenate(out) if out else np.zeros((0, 28, 11))


class CpuTrainer:
    """AdamW on a stage's trainable parts; step ``i`` draws its batch and dropout from (seed, i) only."""

    def __init__(
        self, model: MVAnnoNet, stage: StageConfig, data: Prepared, *, seed: int, replay: list[Prepared]
    ) -> None:
        self.model, self.stage, self.data, self.seed = model, stage, data.train, seed
        self.replay = [r.train for r in replay]
        # replayed examples' targets, mixed with the starting model's own predictions (distill);
        # computed before anything changes, from the weights the stage starts with (also on resume:
        # the runner builds the trainer before it loads a partial checkpoint)
        self.replay_targets = [r.targets for r in self.replay]
        if stage.distill > 0:
            a = float(stage.distill)
            self.replay_targets = [
                ((1 - a) * r.targets + a * predict_grid(model, r.tokens, r.pad)).astype(np.float32) for r in self.replay
            ]
        if "projectors" in stage.train:
            for enc, tok in data.train.tokens.items():
                model.fit_standardizer(enc, tok, data.train.pad[enc])
        params, seen = [], set()
        for part in stage.train:
            for p in model.part_parameters(part):
                if id(p) not in seen:
                    params.append(p)
                    seen.add(id(p))
        for p in model.parameters():
            p.requires_grad_(id(p) in seen)
        if not params:
            raise ParameterError(
                f"stage {stage.name!r} trains {list(stage.train)}, which have no parameters "
                "in mvanno-cpu (its encoders are frozen feature extractors)"
            )
        o = stage.optimizer
        self.params = params
        # L2-SP anchors: the trainable weights as the stage starts, except the stage's own
        # encoders' projectors (nothing earlier depends on them; pulling them towards their
        # random start would only hold the new modality back)
        own = tuple(f"{pre}.{enc}." for enc in data.train.tokens for pre in ("projectors", "modality_emb"))
        own_ids = {id(p) for n, p in model.named_parameters() if (n + ".").startswith(own)}
        self.anchor = [(p, p.detach().clone()) for p in params if id(p) not in own_ids] if stage.l2sp > 0 else None
        self.opt = torch.optim.AdamW(params, lr=o.lr, betas=(o.beta1, o.beta2), eps=o.eps, weight_decay=o.weight_decay)

    def _rows(self, index: int) -> list[tuple[cd.TokenSet, np.ndarray, np.ndarray]]:
        rng = np.random.default_rng([self.seed, index])
        bs = int(self.stage.optimizer.batch_size)
        n_rep = int(round(bs * self.stage.replay)) if self.replay else 0
        out = [(self.data, self.data.targets, rng.integers(0, len(self.data), size=bs - n_rep))]
        if n_rep:
            j = int(rng.integers(len(self.replay)))
            src = self.replay[j]
            out.append((src, self.replay_targets[j], rng.integers(0, len(src), size=n_rep)))
        return out

    def step(self, index: int) -> float:
        """One AdamW step on a batch; returns the loss."""
        torch.manual_seed(self.seed * 1_000_003 + index)
        self.model.train()
        self.opt.zero_grad(set_to_none=True)
        total, count = 0.0, 0
        for ts, targets, rows in self._rows(index):
            if len(rows) == 0:
                continue
            logits = self.model(_batch(ts.tokens, ts.pad, rows)).grid
            loss = soft_cross_entropy(logits, torch.from_numpy(targets[rows]), torch.from_numpy(ts.weights[rows]))
            (loss * len(rows)).backward()
            total, count = total + float(loss.detach()) * len(rows), count + len(rows)
        for p in self.params:
            if p.grad is not None:
                p.grad /= count
        if self.anchor is not None:  # L2-SP: gradient of l2sp / 2 * ||w - w_start||^2
            lam = float(self.stage.l2sp)
            for p, p0 in self.anchor:
                if p.grad is not None:
                    p.grad += lam * (p.detach() - p0)
        self.opt.step()
        return total / count

    def state(self) -> dict[str, np.ndarray]:
        """AdamW state per parameter (by position in the stage's parameter list)."""
        out = {}
        for j, p in enumerate(self.params):
            for k, v in self.opt.state.get(p, {}).items():
                out[f"{j}.{k}"] = v.detach().cpu().numpy().copy() if torch.is_tensor(v) else np.asarray(v)
        return out

    def load_state(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore :meth:`state`."""
        for j, p in enumerate(self.params):
            st = {
                k.split(".", 1)[1]: torch.from_numpy(np.array(v))
                for k, v in arrays.items()
                if k.split(".", 1)[0] == str(j)
            }
            if st:
                self.opt.state[p] = st

"""Token sets of the ``mvanno-cpu`` backend: cached encoder features -> padded token arrays.

Token builders (pure functions, also used when annotating):

* :func:`music_static_tokens`: a whole track's musicnn blocks cut into at most
  ``MUSIC_TOKENS`` contiguous runs; a token is the run's mean of block means and max of
  block maxes (1506 values).
* :func:`music_window_tokens`: for each target time ``t`` (dynamic branch) the ten 0.5-s
  blocks of ``[t - 2.5, t + 2.5)``, one token each (MVEmo's 5-s segment).
* :func:`add_musicnn_outputs`: music tokens also carry musicnn's back end on the token's
  pooled features (penultimate layer and 50 tag probabilities): 1756 values.
* :func:`lyrics_tokens`: at most ``LYRICS_TOKENS`` chunks (evenly chosen) of MiniLM
  embedding + signed-log lexicon statistics.
* :func:`midi_tokens`: MIDI window statistics of ``MIDI_TOKENS`` equal segments (signed log).

Items come from the registered loaders (:func:`mvemo.data.load`) or manifests; their
features come from the content-keyed feature cache (:class:`mvemo.features.cache.FeatureCache`
under :func:`mvemo.util.cache_root`), computed on a miss, so a rerun is fast.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.anno.targets import TARGET_MODES, informative_frame_target, informative_static_target, label_targets
from mvemo.errors import DataError, MvemoError
from mvemo.features.blocks import BlockFeatures
from mvemo.representation import default_circumplex, intensity_level

__all__ = [
    "LYRICS_TOKENS",
    "MIDI_TOKENS",
    "MUSIC_TOKENS",
    "WINDOW_HALF",
    "TokenSet",
    "assign_splits",
    "build_tokens",
    "load_items",
    "lyrics_tokens",
    "midi_tokens",
    "midi_window_tokens",
    "music_static_tokens",
    "music_window_tokens",
    "signed_log",
    "usable",
]

MUSIC_TOKENS = 16
LYRICS_TOKENS = 16
MIDI_TOKENS = 8
WINDOW_HALF = 2.5  # seconds either side of a dynamic target time
MUSIC_KIND = "musicnn-msd-blocks-v2"  # the shipped music model's cache kind (same blocks)
MIDI_KIND = "anno-midi-tokens-v1"


def signed_log(x: np.ndarray) -> np.ndarray:
    """``sign(x) * log1p(|x|)``: tames count-like statistics before the projector's LayerNorm."""
    x = np.asarray(x, dtype=np.float32)
    return np.sign(x) * np.log1p(np.abs(x))


def music_static_tokens(blocks: BlockFeatures, *, n: int = MUSIC_TOKENS) -> np.ndarray:
    """Whole-track music tokens, shape (min(n, n_blocks), 1506) float32."""
    nb = blocks.n_blocks
    if nb == 0:
        raise DataError("a track with no musicnn blocks (empty audio?)")
    edges = np.linspace(0, nb, min(n, nb) + 1).round().astype(int)
    return np.stack(
        [np.concatenate([blocks.mean[a:b].mean(0), blocks.max[a:b].max(0)]) for a, b in zip(edges[:-1], edges[1:])]
    ).astype(np.float32)


def music_window_tokens(blocks: BlockFeatures, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dynamic music tokens: the 0.5-s blocks within ±2.5 s of each time.

    Returns
    -------
    tokens : np.ndarray, shape (len(times), 10, 1506) float32
    pad : np.ndarray of bool, shape (len(times), 10)
        Blocks outside the track are padding.
    """
    bs = blocks.block_seconds
    width = int(round(2 * WINDOW_HALF / bs))
    times = np.asarray(times, dtype=np.float64)
    first = np.floor((times - WINDOW_HALF) / bs + 1e-9).astype(int)
    idx = first[:, None] + np.arange(width)[None, :]
    pad = (idx < 0) | (idx >= blocks.n_blocks)
    safe = np.clip(idx, 0, max(blocks.n_blocks - 1, 0))
    tok = np.concatenate([blocks.mean[safe], blocks.max[safe]], axis=-1).astype(np.float32)
    tok[pad] = 0.0
    return tok, pad


def add_musicnn_outputs(net: Any, tok: np.ndarray) -> np.ndarray:
    """Append musicnn's back-end outputs (penultimate 200 + tag probabilities 50) to music tokens.

    ``tok`` is (..., 1506) = [mean | max] of the frame features; returns (..., 1756).
    """
    from mvemo.features.blocks import window_embeddings

    flat = tok.reshape(-1, tok.shape[-1])
    c = flat.shape[1] // 2
    emb = window_embeddings(net, flat[:, :c], flat[:, c:])[:, c:]
    return np.concatenate([flat, emb], axis=1).reshape(*tok.shape[:-1], -1).astype(np.float32)


def lyrics_tokens(emb: np.ndarray, stats: np.ndarray, *, n: int = LYRICS_TOKENS) -> np.ndarray:
    """Lyrics tokens from chunk embeddings (K, 384) and lexicon statistics (K, 15): (min(n, K), 399)."""
    k = len(emb)
    if k == 0:
        raise DataError("lyrics with no words after cleaning")
    rows = np.unique(np.linspace(0, k - 1, min(n, k)).round().astype(int))
    return np.concatenate([emb[rows], signed_log(stats[rows])], axis=1).astype(np.float32)


def midi_tokens(feats: Any, *, n: int = MIDI_TOKENS) -> np.ndarray:
    """MIDI tokens: window statistics of ``n`` equal segments of the piece, shape (n, 46)."""
    dur = max(float(feats.duration), 1e-3)
    edges = np.linspace(0.0, dur, n + 1)
    return signed_log(feats.window_stats(edges[:-1], edges[1:]))


def midi_window_tokens(feats: Any, times: np.ndarray, *, step: float = 0.5, half: float = WINDOW_HALF) -> np.ndarray:
    """Dynamic MIDI tokens: each window ``time ± half`` cut into segments of ``step`` seconds
    (10 for the 5-s window, like the dynamic music tokens), each segment's window statistics
    (signed log) a token; shape (T, 2 * half / step, 46).  Segments shared by overlapping
    windows (the 0.5-s grid) are computed once."""
    t = np.asarray(times, dtype=np.float64)
    n = max(1, int(round(2 * half / step)))
    starts = (t[:, None] - half + step * np.arange(n)[None, :]).round(6)
    uniq, inv = np.unique(starts, return_inverse=True)
    stats = signed_log(feats.window_stats(uniq, uniq + step))
    return stats[inv.reshape(-1)].reshape(len(t), n, -1)


@dataclass
class TokenSet:
    """Examples of one stage split: padded tokens per encoder and grid targets.

    Attributes
    ----------
    tokens : dict of encoder -> np.ndarray (N, T, dim) float16
    pad : dict of encoder -> np.ndarray (N, T) bool
    targets : np.ndarray (N, 28, 11) float32
    weights : np.ndarray (N,) float32
    ref_category : np.ndarray (N,) int
    ref_level : np.ndarray (N,) int (0..10)
    group : np.ndarray (N,) int
        Sample of each example (dynamic windows of one clip share it).
    ids : list of str
        Item id per group.
    inf_category, inf_level : np.ndarray (N,) int or None
        The informative reference (``item.informative``, issue #16) of each example; the paper
        reference (``ref_*``) where an example has none.  None: the same as ``ref_*``.
    informative : np.ndarray (N,) bool or None
        Whether each example has an informative target.
    """

    tokens: dict[str, np.ndarray]
    pad: dict[str, np.ndarray]
    targets: np.ndarray
    weights: np.ndarray
    ref_category: np.ndarray
    ref_level: np.ndarray
    group: np.ndarray
    ids: list[str] = field(default_factory=list)
    inf_category: np.ndarray | None = None
    inf_level: np.ndarray | None = None
    informative: np.ndarray | None = None

    def references(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(category, level) per example of the ``paper`` or ``informative`` reference."""
        if kind == "paper" or self.inf_category is None or self.inf_level is None:
            return self.ref_category, self.ref_level
        if kind != "informative":
            raise ValueError(f"reference must be 'paper' or 'informative', got {kind!r}")
        return self.inf_category, self.inf_level

    def __len__(self) -> int:
        return len(self.targets)


def _pad_stack(seqs: list[np.ndarray], dim: int) -> tuple[np.ndarray, np.ndarray]:
    t = max((len(s) for s in seqs), default=1) or 1
    out = np.zeros((len(seqs), t, dim), dtype=np.float16)
    pad = np.ones((len(seqs), t), dtype=bool)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s
        pad[i, : len(s)] = False
    return out, pad


def _split_of(item: Any) -> str:
    s = (item.split or "train").lower()
    if s in ("validation", "evaluation", "val", "valid"):
        return "validation"
    return "test" if s == "test" else "train"


def load_items(datasets: tuple[str, ...], *, data_home: str | None) -> tuple[list[tuple[str, Any, Any]], list[str]]:
    """(dataset name, loader, item) of every item of the named datasets or manifests.

    Returns the items and a list of datasets that could not be loaded (with the reason).
    """
    from mvemo.data import load

    out, absent = [], []
    for name in datasets:
        try:
            if name.endswith((".jsonl", ".json", ".tsv", ".csv")) or "/" in name:
                from mvemo.data.manifest import read_manifest

                items = read_manifest(name)
                out += [(Path(name).stem, None, it) for it in items]
            else:
                ds = load(name, data_home=data_home)
                out += [(name, ds, it) for it in ds.index()]
        except (MvemoError, OSError) as exc:
            absent.append(f"{name}: {exc}")
    return out, absent


def _holdout(ids: list[str]) -> set[str]:
    """Every fifth item by a stable hash: validation for datasets without a validation split."""
    return {i for i in ids if zlib.crc32(i.encode()) % 5 == 0}


def usable(item: Any, modalities: tuple[str, ...], branch: str = "static") -> bool:
    """Whether ``item`` has every medium of ``modalities`` and a label of ``branch``."""
    media_key = {"music": "audio", "lyrics": "lyrics", "midi": "midi", "vision": "video"}
    encs = {"vision" if m in ("image", "video") else m for m in modalities}
    if not all(media_key[e] in item.media for e in encs):
        return False
    return bool(item.static) if branch == "static" else bool(item.dynamic)


def assign_splits(items: list[Any]) -> tuple[dict[str, str], bool]:
    """``item.id -> train | validation | test`` of one dataset's usable items, and whether the
    hash hold-out was used (no item in a validation split: every 5th id by hash is held out).
    The annotator's validation items, which :mod:`mvemo.anno.compare` scores the separate
    models on.
    """
    splits = {it.id: _split_of(it) for it in items}
    if any(s == "validation" for s in splits.values()):
        return splits, False
    hold = _holdout(sorted(splits))
    return {i: ("validation" if i in hold else s) for i, s in splits.items()}, True


def build_tokens(
    items: list[tuple[str, Any, Any]],
    modalities: tuple[str, ...],
    *,
    branch: str,
    features: Callable[[str, Any, Any, str], Any],
    max_items: int | None,
    seed: int,
    log: Callable[[str], None],
    targets: str = "informative",
) -> tuple[dict[str, TokenSet], dict[str, TokenSet], list[str]]:
    """Train and validation token sets (validation per dataset) of items having every modality.

    Parameters
    ----------
    items : from :func:`load_items`
    modalities : the stage's modalities (``image``/``video`` map to the vision encoder)
    branch : ``static`` (one example per item, its static label) or ``dynamic`` (one example per
        labelled 0.5-s time, windows of :data:`WINDOW_HALF`)
    features : ``features(modality, dataset_loader, item, branch)`` -> tokens (static) or
        ``(tokens, pad)`` for the given times (dynamic); raises ``MvemoError`` when absent.
    max_items : cap on training items per dataset (random, seeded)
    targets : ``informative`` (the item's informative soft target where it has one, else
        :func:`~mvemo.anno.targets.label_targets`) or ``paper`` (always ``label_targets``).
        Both references are kept for evaluation either way.

    Returns
    -------
    train : dict of dataset -> TokenSet
    val : dict of dataset -> TokenSet
    notes : list of str
    """
    if targets not in TARGET_MODES:
        raise DataError(f"targets must be one of {TARGET_MODES}, got {targets!r}")
    circ = default_circumplex()
    encs = sorted({"vision" if m in ("image", "video") else m for m in modalities})
    notes: list[str] = []
    by_ds: dict[str, list] = {}
    for ds_name, ds, item in items:
        if not usable(item, modalities, branch):
            continue
        by_ds.setdefault(ds_name, []).append((ds, item))
    rng = np.random.default_rng(seed)
    train, val = {}, {}
    for ds_name, rows in by_ds.items():
        splits, held = assign_splits([it for _, it in rows])
        if held:
            notes.append(f"{ds_name}: no validation split among usable items; every 5th item by id hash held out")
        tr = [r for r in rows if splits[r[1].id] == "train"]
        va = [r for r in rows if splits[r[1].id] == "validation"]
        if max_items is not None and len(tr) > max_items:
            keep = sorted(rng.choice(len(tr), size=max_items, replace=False).tolist())
            notes.append(f"{ds_name}: {max_items} of {len(tr)} training items (max_items)")
            tr = [tr[i] for i in keep]
        for part, out in ((tr, train), (va, val)):
            got = _collect(part, encs, branch, features, circ, notes, ds_name, targets)
            if got is not None:
                out[ds_name] = got
    return train, val, notes


def _collect(rows, encs, branch, features, circ, notes, ds_name, targets="informative") -> TokenSet | None:
    seqs = {e: [] for e in encs}
    cats, ints, groups, ids = [], [], [], []
    infs: list = []  # per example: (soft target, weight, category, level) or None
    failed = 0
    for ds, item in rows:
        try:
            if branch == "static":
                toks = {e: features(e, ds, item, branch) for e in encs}
                for e in encs:
                    seqs[e].append(toks[e])
                cats.append(circ.index(item.static.category))
                ints.append(float(item.static.intensity))
                groups.append(len(ids))
                infs.append(informative_static_target(item.informative))
            else:
                frames = [f for f in item.dynamic if f.category is not None]
                times = np.array([f.time for f in frames], dtype=np.float64)
                toks = {e: features(e, ds, item, times) for e in encs}
                for e in encs:
                    tok, pad = toks[e]
                    for j in range(len(times)):
                        seqs[e].append(tok[j][~pad[j]])
                cats += [circ.index(f.category) for f in frames]
                ints += [float(f.intensity) for f in frames]
                groups += [len(ids)] * len(frames)
                inf_frames = {
                    round(float(fr["time"]) * 2): fr for fr in ((item.informative or {}).get("dynamic") or ())
                }
                infs += [informative_frame_target(inf_frames.get(round(float(f.time) * 2))) for f in frames]
        except MvemoError as exc:
            failed += 1
            if failed <= 3:
                notes.append(f"{ds_name}: {item.id} skipped: {exc}")
            continue
        ids.append(item.id)
    if failed > 3:
        notes.append(f"{ds_name}: {failed} items skipped in all (features unavailable)")
    if not cats:
        return None
    tokens, pad = {}, {}
    for e in encs:
        tokens[e], pad[e] = _pad_stack(seqs[e], seqs[e][0].shape[-1])
    grid, weights = label_targets(cats, ints)
    ref_level = np.asarray(intensity_level(np.asarray(ints)), dtype=np.int64).reshape(-1)
    has = np.array([x is not None for x in infs], dtype=bool)
    inf_cat, inf_level = np.asarray(cats, dtype=np.int64).copy(), ref_level.copy()
    for j in np.flatnonzero(has):
        soft, w, c, lv = infs[j]
        inf_cat[j], inf_level[j] = c, lv
        if targets == "informative":
            grid[j], weights[j] = soft, w
    notes.append(
        f"{ds_name}: {int(has.sum())} of {len(cats)} examples have an informative target"
        + (" (trained on it; the others on the paper label)" if targets == "informative" else " (not trained on)")
    )
    return TokenSet(
        tokens,
        pad,
        grid,
        weights,
        np.asarray(cats),
        ref_level,
        np.asarray(groups),
        ids,
        inf_cat,
        inf_level,
        has,
    )


def concat(sets: list[TokenSet]) -> TokenSet:
    """One token set from several with the same encoders (token lengths padded to the longest)."""
    encs = list(sets[0].tokens)
    tokens, pad = {}, {}
    for e in encs:
        t = max(s.tokens[e].shape[1] for s in sets)
        tokens[e] = np.concatenate([np.pad(s.tokens[e], ((0, 0), (0, t - s.tokens[e].shape[1]), (0, 0))) for s in sets])
        pad[e] = np.concatenate(
            [np.pad(s.pad[e], ((0, 0), (0, t - s.pad[e].shape[1])), constant_values=True) for s in sets]
        )
    offs = np.cumsum([0] + [len(s.ids) for s in sets[:-1]])
    return TokenSet(
        tokens,
        pad,
        np.concatenate([s.targets for s in sets]),
        np.concatenate([s.weights for s in sets]),
        np.concatenate([s.ref_category for s in sets]),
        np.concatenate([s.ref_level for s in sets]),
        np.concatenate([s.group + o for s, o in zip(sets, offs)]),
        [i for s in sets for i in s.ids],
        np.concatenate([s.references("informative")[0] for s in sets]),
        np.concatenate([s.references("informative")[1] for s in sets]),
        np.concatenate([s.informative if s.informative is not None else np.zeros(len(s), bool) for s in sets]),
    )

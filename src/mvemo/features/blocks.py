"""musicnn frame features of a whole track, computed once and pooled into 0.5-s blocks.

The track's log-mel spectrogram is cut into consecutive 3-s patches (the last one
shorter) and run through musicnn's front and mid end once; the 753 frame features
(timbral, temporal, cnn1-3, musicnn's ``mean_pool`` channels) are then summarised per
0.5-s block as their mean and max.  Any window made of whole blocks (a static track
window, a dynamic ±2.5 s window, a random training segment) is then pooled from the
blocks, and musicnn's own back end turns the pooled mean/max into the window's
``penultimate`` embedding and tag probabilities.  No window is re-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.features.musicnn import HOP_LENGTH, PATCH_FRAMES, SAMPLE_RATE, log_mel

__all__ = [
    "BLOCK_SECONDS",
    "BlockFeatures",
    "musicnn_blocks",
    "pool_blocks",
    "pool_blocks_std",
    "window_embeddings",
    "segment_spread",
    "EMBEDDING_DIM",
]

BLOCK_SECONDS = 0.5
FRAME_SECONDS = HOP_LENGTH / SAMPLE_RATE  # 16 ms
_MIDEND_KEYS = ("timbral", "temporal", "cnn1", "cnn2", "cnn3")
_PATCHES_PER_CHUNK = 16
#: Size of :func:`window_embeddings` rows for the 753-channel models: mean_pool + penultimate + tags.
EMBEDDING_DIM = 753 + 200 + 50


@dataclass(frozen=True)
class BlockFeatures:
    """Per-block summaries of musicnn frame features.

    Attributes
    ----------
    mean, max : np.ndarray, shape (n_blocks, C) float32
        Mean and max over the frames of each block (C = 753 for MTT/MSD musicnn).
    count : np.ndarray, shape (n_blocks,) int
        Frames per block.
    duration : float
        Track duration in seconds.
    block_seconds : float
    meansq : np.ndarray or None, shape (n_blocks, C) float32
        Mean of the squared frame features of each block, for standard deviations over
        windows (:func:`pool_blocks_std`); None for caches written before it existed.
    """

    mean: np.ndarray
    max: np.ndarray
    count: np.ndarray
    duration: float
    block_seconds: float = BLOCK_SECONDS
    meansq: np.ndarray | None = None

    @property
    def n_blocks(self) -> int:
        """Number of blocks."""
        return len(self.count)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for an ``.npz`` cache (float16 summaries)."""
        out = {
            "block_mean": self.mean.astype(np.float16),
            "block_max": self.max.astype(np.float16),
            "block_count": self.count,
            "duration": np.array(self.duration),
            "block_seconds": np.array(self.block_seconds),
        }
        if self.meansq is not None:
            out["block_meansq"] = self.meansq.astype(np.float16)
        return out

    @classmethod
    def from_arrays(cls, arrays) -> BlockFeatures:
        """Inverse of :meth:`to_arrays`."""
        sq = arrays["block_meansq"] if "block_meansq" in arrays else None
        return cls(
            np.asarray(arrays["block_mean"], np.float32),
            np.asarray(arrays["block_max"], np.float32),
            np.asarray(arrays["block_count"]),
            float(arrays["duration"]),
            float(arrays["block_seconds"]),
            None if sq is None else np.asarray(sq, np.float32),
        )


def musicnn_blocks(
    model, audio: np.ndarray, sr: int, *, block_seconds: float = BLOCK_SECONDS, batch_size: int = 4
) -> BlockFeatures:
    """Encode a track once with musicnn and summarise its frame features per block.

    Parameters
    ----------
    model : mvemo.features.musicnn.Musicnn
        From :func:`~mvemo.features.musicnn.load_musicnn`.
    audio : np.ndarray, shape (n_samples,)
        Mono float audio.
    sr : int
        Sample rate in Hz.
    block_seconds : float
        Block length in seconds (default 0.5, the MVEmo grid step).

    Returns
    -------
    BlockFeatures
    """
    if not block_seconds >= FRAME_SECONDS:
        raise ParameterError(f"block_seconds must be at least one 16-ms frame, got {block_seconds!r}")
    logmel = log_mel(audio, sr)
    total = logmel.shape[0]
    block = np.floor(np.arange(total) * FRAME_SECONDS / block_seconds + 1e-9).astype(np.int64)
    n_blocks = int(block[-1]) + 1
    count = np.bincount(block, minlength=n_blocks)
    sums = maxes = None
    # Consecutive 3-s patches (the last one shorter), a few at a time so that memory stays
    # flat: each chunk's frames are reduced to its blocks at once, then merged.
    bounds = list(range(0, total, PATCH_FRAMES)) + [total]
    for i in range(0, len(bounds) - 1, _PATCHES_PER_CHUNK):
        lo, hi = bounds[i], bounds[min(i + _PATCHES_PER_CHUNK, len(bounds) - 1)]
        n_full = (hi - lo) // PATCH_FRAMES
        parts = []
        if n_full:
            full = logmel[lo : lo + n_full * PATCH_FRAMES].reshape(n_full, PATCH_FRAMES, -1)
            out = model.forward_patches(full, batch_size=batch_size)
            parts.append(np.concatenate([out[k] for k in _MIDEND_KEYS], axis=2).reshape(n_full * PATCH_FRAMES, -1))
        if lo + n_full * PATCH_FRAMES < hi:
            out = model.forward_patches(logmel[lo + n_full * PATCH_FRAMES : hi][None], batch_size=1)
            parts.append(np.concatenate([out[k] for k in _MIDEND_KEYS], axis=2)[0])
        frames = np.concatenate(parts)
        if sums is None:
            sums = np.zeros((n_blocks, frames.shape[1]), dtype=np.float64)
            sq = np.zeros((n_blocks, frames.shape[1]), dtype=np.float64)
            maxes = np.full((n_blocks, frames.shape[1]), -np.inf, dtype=np.float32)
        ids, starts = np.unique(block[lo:hi], return_index=True)  # contiguous runs, in order
        # Block sums as one matrix product (BLAS, all cores) instead of float64 reduceat.
        member = (block[lo:hi][None, :] == ids[:, None]).astype(np.float32)  # (n_ids, n_frames)
        sums[ids] += member @ frames
        sq[ids] += member @ np.square(frames)
        maxes[ids] = np.maximum(maxes[ids], np.maximum.reduceat(frames, starts, axis=0))
    duration = len(np.asarray(audio)) / float(sr)
    return BlockFeatures(
        (sums / count[:, None]).astype(np.float32),
        maxes,
        count,
        duration,
        block_seconds,
        (sq / count[:, None]).astype(np.float32),
    )


def pool_blocks(blocks: BlockFeatures, start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frame-weighted mean and max over block ranges ``[start, stop)``.

    Parameters
    ----------
    blocks : BlockFeatures
    start, stop : np.ndarray of int, shape (W,)
        Block index ranges (clipped to the track; an empty range is an error).

    Returns
    -------
    mean, max : np.ndarray, shape (W, C)
    """
    start = np.clip(np.asarray(start, dtype=np.int64), 0, blocks.n_blocks)
    stop = np.clip(np.asarray(stop, dtype=np.int64), 0, blocks.n_blocks)
    if np.any(stop <= start):
        raise ParameterError("every window needs at least one block inside the track")
    weighted = np.concatenate([np.zeros((1, blocks.mean.shape[1])), np.cumsum(blocks.mean * blocks.count[:, None], 0)])
    frames = np.concatenate([[0], np.cumsum(blocks.count)])
    mean = (weighted[stop] - weighted[start]) / (frames[stop] - frames[start])[:, None]
    mx = np.stack([blocks.max[a:b].max(axis=0) for a, b in zip(start, stop)])
    return mean.astype(np.float32), mx


def pool_blocks_std(blocks: BlockFeatures, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Frame-level standard deviation of each channel over block ranges ``[start, stop)``.

    Parameters
    ----------
    blocks : BlockFeatures
        With ``meansq`` (caches from v2 on).
    start, stop : np.ndarray of int, shape (W,)

    Returns
    -------
    np.ndarray, shape (W, C) float32
    """
    if blocks.meansq is None:
        raise ParameterError("these blocks have no meansq (re-extract the features) for std pooling")
    start = np.clip(np.asarray(start, dtype=np.int64), 0, blocks.n_blocks)
    stop = np.clip(np.asarray(stop, dtype=np.int64), 0, blocks.n_blocks)
    if np.any(stop <= start):
        raise ParameterError("every window needs at least one block inside the track")
    w = blocks.count[:, None].astype(np.float64)
    zero = np.zeros((1, blocks.mean.shape[1]))
    s1 = np.concatenate([zero, np.cumsum(blocks.mean * w, 0)])
    s2 = np.concatenate([zero, np.cumsum(blocks.meansq * w, 0)])
    frames = np.concatenate([[0], np.cumsum(blocks.count)])
    n = (frames[stop] - frames[start])[:, None]
    mean = (s1[stop] - s1[start]) / n
    var = np.maximum((s2[stop] - s2[start]) / n - mean**2, 0.0)
    return np.sqrt(var).astype(np.float32)


def window_embeddings(model, mean: np.ndarray, mx: np.ndarray) -> np.ndarray:
    """musicnn's back end on pooled windows: ``[mean_pool || penultimate || tag probabilities]``.

    Parameters
    ----------
    model : Musicnn
    mean, mx : np.ndarray, shape (W, C)
        Pooled frame features, e.g. from :func:`pool_blocks`.

    Returns
    -------
    np.ndarray, shape (W, C + units + n_tags) float32 (1003 for MTT/MSD musicnn)
    """
    torch = require("torch", extra="torch")
    net = model.network
    with torch.inference_mode():
        m = torch.from_numpy(np.ascontiguousarray(mean, dtype=np.float32))
        x = torch.from_numpy(np.ascontiguousarray(mx, dtype=np.float32))
        pooled = torch.stack([x, m], dim=2).flatten(1)  # musicnn interleaves max and mean
        pen = net.dense_bn(torch.relu(net.dense(net.pool_bn(pooled))))
        tags = torch.sigmoid(net.output(pen))
        return torch.cat([m, pen, tags], dim=1).numpy()


def segment_spread(
    model, blocks: BlockFeatures, start: int, stop: int, *, segment_blocks: int = 6, hop_blocks: int = 3
) -> np.ndarray:
    """How the window embedding varies inside ``[start, stop)``: the std over its segments.

    The blocks ``[start, stop)`` are cut into segments of ``segment_blocks`` blocks
    (3 s by default) every ``hop_blocks`` blocks; each segment gets its
    :func:`window_embeddings` row, and the result is the standard deviation of those rows.
    A range shorter than one segment is one segment (all zeros).

    Parameters
    ----------
    model : Musicnn
    blocks : BlockFeatures
    start, stop : int
        Block range (clipped to the track; must hold at least one block).
    segment_blocks, hop_blocks : int
        Segment length and hop in blocks (both >= 1).

    Returns
    -------
    np.ndarray, shape (D,) float32
        ``D`` = the width of :func:`window_embeddings` (1003 for MTT/MSD musicnn).

    Examples
    --------
    >>> import numpy as np
    >>> from mvemo.features.musicnn import load_musicnn
    >>> bl = BlockFeatures(np.zeros((8, 753), np.float32), np.zeros((8, 753), np.float32),
    ...                    np.full(8, 31), duration=4.0)
    >>> segment_spread(load_musicnn("MSD_musicnn"), bl, 0, 8).shape
    (1003,)
    """
    if segment_blocks < 1 or hop_blocks < 1:
        raise ParameterError(f"segment_blocks and hop_blocks must be >= 1, got {segment_blocks!r}, {hop_blocks!r}")
    start, stop = max(int(start), 0), min(int(stop), blocks.n_blocks)
    if stop <= start:
        raise ParameterError(f"the block range [{start}, {stop}) holds no block of the track")
    lo = np.arange(start, max(stop - segment_blocks, start) + 1, hop_blocks)
    hi = np.minimum(lo + segment_blocks, stop)
    mean, mx = pool_blocks(blocks, lo, hi)
    return window_embeddings(model, mean, mx).std(axis=0).astype(np.float32)

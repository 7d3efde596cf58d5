"""Caches of the benchmark: music features (shared with training) and LLM responses.

* Music features live in the feature cache of :mod:`mvemo.features.cache` under the
  same kinds as ``mvemo train music --extract`` (``blocks_kind(backbone)`` and ``HARMONY_KIND`` of
  :mod:`mvemo.features.music`) and are computed the same way, so the benchmark, the training and
  the predictor share one cache; a miss is computed once and stored.
* LLM responses are JSON files keyed by the SHA-256 of (base URL, model, request body without
  the media, media hashes): a rerun, or a run resumed after an interruption, sends no
  request twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mvemo.errors import DataError

__all__ = ["ResponseCache", "cached_blocks", "cached_track_features", "media_hash", "request_key"]


def cached_track_features(path: str | Path, musicnn, *, cache=None, compute: bool = True):
    """Music features of one audio file from the feature cache, computed and stored on a miss.

    Parameters
    ----------
    path : str or Path
        Audio (or video with a sound track).
    musicnn : the musicnn backbone (``MusicEmotionModel.musicnn``)
    cache : FeatureCache, optional
        Default: the default feature cache (``$MVEMO_CACHE`` or ``~/.cache/mvemo``).
    compute : bool
        Compute a miss (else raise).

    Returns
    -------
    TrackFeatures

    Raises
    ------
    DataError
        On a miss with ``compute=False``, or for unreadable audio.
    """
    from mvemo.features.blocks import BlockFeatures
    from mvemo.features.cache import FeatureCache, default_cache_dir
    from mvemo.features.music import (
        HARMONY_KIND,
        Harmony,
        TrackFeatures,
        blocks_kind,
        compute_blocks,
        compute_harmony,
    )

    cache = cache if cache is not None else FeatureCache(default_cache_dir())
    kind = blocks_kind(musicnn.name)  # the blocks of the backbone the caller's model uses
    blocks, harmony = cache.get(path, kind), cache.get(path, HARMONY_KIND)
    if (blocks is None or harmony is None) and not compute:
        raise DataError(
            f"{path}: music features not cached (run without compute=false, or `mvemo train music --extract`)"
        )
    if blocks is None or harmony is None:
        from mvemo.features.music import load_track_audio

        # Same decoding as prediction and `mvemo train music --extract`, so entries agree.
        y16, y22 = load_track_audio(path)
        if blocks is None:
            blocks = compute_blocks(musicnn, y16).to_arrays()
            cache.put(path, kind, blocks)
        if harmony is None:
            harmony = compute_harmony(y22).to_arrays()
            cache.put(path, HARMONY_KIND, harmony)
    return TrackFeatures(BlockFeatures.from_arrays(blocks), Harmony.from_arrays(harmony))


def cached_blocks(path: str | Path, musicnn, *, cache=None, compute: bool = True):
    """Only the musicnn block features of one file (what the feature baselines need), cached.

    Returns
    -------
    BlockFeatures
    """
    from mvemo.features.blocks import BlockFeatures
    from mvemo.features.cache import FeatureCache, default_cache_dir
    from mvemo.features.music import blocks_kind, compute_blocks, load_track_audio

    cache = cache if cache is not None else FeatureCache(default_cache_dir())
    kind = blocks_kind(musicnn.name)
    blocks = cache.get(path, kind)
    if blocks is None:
        if not compute:
            raise DataError(f"{path}: music features not cached (run without compute=false)")
        blocks = compute_blocks(musicnn, load_track_audio(path)[0]).to_arrays()
        cache.put(path, kind, blocks)
    return BlockFeatures.from_arrays(blocks)


def media_hash(data: bytes) -> str:
    """SHA-256 hex digest of media bytes."""
    return hashlib.sha256(data).hexdigest()


def request_key(model: str, body: Any, media_hashes: list[str], *, base_url: str = "") -> str:
    """Cache key of one request: SHA-256 of the endpoint (``base_url`` without credentials), the
    model, the JSON body (media left out) and the media hashes."""
    blob = json.dumps(
        {"base_url": base_url, "model": model, "body": body, "media": list(media_hashes)},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResponseCache:
    """One JSON file per request key under ``root/<key[:2]>/<key>.json`` (atomic writes).

    Examples
    --------
    >>> import tempfile
    >>> c = ResponseCache(tempfile.mkdtemp())
    >>> c.get("ab12") is None
    True
    >>> c.put("ab12", {"text": "Emotion Category: calm, Emotion Intensity: 0.3"})
    >>> c.get("ab12")["text"]
    'Emotion Category: calm, Emotion Intensity: 0.3'
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored entry, or None (a torn or unreadable entry counts as absent)."""
        p = self._path(key)
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store an entry atomically."""
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=p.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

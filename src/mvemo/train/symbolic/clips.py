"""Index the MIDI datasets into :class:`~mvemo.train.symbolic.config.Clip` objects, with a feature cache."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.errors import DataError
from mvemo.train.symbolic.config import Clip, SymbolicTrainConfig

__all__ = ["load_clips"]

_FEATURE_CACHE = "symbolic-midi-features-v1.pkl"  # MidiFeatures objects; stats are computed on use

def _cache_path(cfg: SymbolicTrainConfig) -> Path:
    import os

    root = Path(cfg.cache_dir or os.environ.get("MVEMO_CACHE") or Path.home() / ".cache" / "mvemo")
    return root / _FEATURE_CACHE


def load_clips(cfg: SymbolicTrainConfig, *, log=print) -> tuple[list[Clip], list[str]]:
    """Index the datasets, compute (or read cached) MIDI features; returns clips and problems."""
    from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
    from mvemo.conversion.va import label_to_va
    from mvemo.data import load
    from mvemo.features.midi import midi_features
    from mvemo.representation import default_circumplex

    cats = default_circumplex().categories
    cache_file = _cache_path(cfg)
    cache: dict[str, tuple[str, Any]] = {}
    if cache_file.is_file():
        try:
            cache = pickle.loads(cache_file.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            log(f"  ignoring unreadable feature cache {cache_file}: {exc}")
    clips, problems, dirty = [], [], False
    for name in cfg.datasets:
        ds = load(name, data_home=cfg.data_home)
        for item in ds.index():
            q = item.labels.get("quadrant")
            if q is None or item.static is None or "midi" not in item.media:
                problems.append(f"{item.id}: no 4Q label or MIDI")
                continue
            path = item.path("midi")
            try:
                stamp = hashlib.sha1(path.read_bytes()).hexdigest()
            except OSError as exc:
                problems.append(f"{item.id}: {exc}")
                continue
            hit = cache.get(item.id)
            if hit is not None and hit[0] == stamp:
                feats = hit[1]
            else:
                try:
                    feats = midi_features(path)
                except DataError as exc:
                    problems.append(str(exc))
                    continue
                cache[item.id] = (stamp, feats)
                dirty = True
            label = item.static_label
            quad = QUADRANTS.index(normalize_quadrant(q))
            clips.append(Clip(item.id, name, item.split or "unassigned", feats, quad, cats.index(label.category),
                              float(label.intensity), np.asarray(label_to_va(label), dtype=np.float32)))  # fmt: skip
    if dirty:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(cache_file.name + ".tmp")
        tmp.write_bytes(pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(cache_file)
        log(f"  feature cache: {cache_file} ({len(cache)} clips)")
    return clips, problems


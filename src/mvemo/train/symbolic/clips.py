"""Index the MIDI datasets into :class:`~mvemo.train.symbolic.config.Clip` objects, with a feature cache.

The MIDI features of each file are kept in the shared content-keyed
:class:`~mvemo.features.cache.FeatureCache` (kind :data:`FEATURE_KIND`, under
``cache_dir`` or :func:`mvemo.util.cache_root`) as plain arrays
(:meth:`~mvemo.features.midi.MidiFeatures.to_arrays`), read back with
``allow_pickle=False``: an edited file misses, and no cache entry is ever unpickled.
"""

from __future__ import annotations

import numpy as np

from mvemo.errors import DataError
from mvemo.features.cache import FeatureCache
from mvemo.train.symbolic.config import Clip, SymbolicTrainConfig
from mvemo.util import cache_root

__all__ = ["FEATURE_KIND", "load_clips"]

#: Cache kind of the MIDI features (v1 was one pickle file of objects; v2 is one ``.npz`` per file).
FEATURE_KIND = "symbolic-midi-features-v2"


def load_clips(cfg: SymbolicTrainConfig, *, log=print) -> tuple[list[Clip], list[str]]:
    """Index the datasets, compute (or read cached) MIDI features; returns clips and problems."""
    from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
    from mvemo.conversion.va import label_to_va
    from mvemo.data import load
    from mvemo.features.midi import MidiFeatures, midi_features
    from mvemo.representation import default_circumplex

    cats = default_circumplex().categories
    cache = FeatureCache(cache_root(cfg.cache_dir))
    clips, problems, computed = [], [], 0
    for name in cfg.datasets:
        ds = load(name, data_home=cfg.data_home)
        for item in ds.index():
            q = item.labels.get("quadrant")
            if q is None or item.static is None or "midi" not in item.media:
                problems.append(f"{item.id}: no 4Q label or MIDI")
                continue
            path = item.path("midi")
            try:
                hit = cache.get(path, FEATURE_KIND)
            except DataError as exc:  # unreadable file
                problems.append(f"{item.id}: {exc}")
                continue
            feats = None
            if hit is not None:
                try:
                    feats = MidiFeatures.from_arrays(hit)
                except DataError:
                    feats = None  # malformed entry: recompute
            if feats is None:
                try:
                    feats = midi_features(path)
                except DataError as exc:
                    problems.append(str(exc))
                    continue
                cache.put(path, FEATURE_KIND, feats.to_arrays())
                computed += 1
            label = item.static_label
            quad = QUADRANTS.index(normalize_quadrant(q))
            clips.append(
                Clip(
                    item.id,
                    name,
                    item.split or "unassigned",
                    feats,
                    quad,
                    cats.index(label.category),
                    float(label.intensity),
                    np.asarray(label_to_va(label), dtype=np.float32),
                )
            )
    if computed:
        log(f"  feature cache: {cache.root / FEATURE_KIND} ({computed} clips computed)")
    return clips, problems

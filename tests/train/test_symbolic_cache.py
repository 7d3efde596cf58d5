"""The symbolic trainer's MIDI feature cache: the shared content-keyed FeatureCache, arrays only, no unpickling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pretty_midi = pytest.importorskip("pretty_midi")

from mvemo.data.manifest import Item  # noqa: E402
from mvemo.features.cache import FeatureCache  # noqa: E402
from mvemo.features.midi import MidiFeatures, midi_features  # noqa: E402
from mvemo.train.symbolic import SymbolicTrainConfig, load_clips  # noqa: E402
from mvemo.train.symbolic.clips import FEATURE_KIND  # noqa: E402

MARKER = "unpickled.txt"


class _Bomb:
    """Unpickling it writes a marker file: proof that a cache entry was unpickled."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __reduce__(self):
        return (Path(self.folder, MARKER).write_text, ("unpickled",))


def _midi(path: Path) -> Path:
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    inst = pretty_midi.Instrument(program=0)
    for k in range(12):
        for p in (60, 64, 67) if k % 4 < 2 else (57, 60, 64):
            inst.notes.append(pretty_midi.Note(40 + 5 * k, p, 0.5 * k, 0.5 * k + 0.5))
    pm.instruments.append(inst)
    pm.write(str(path))
    return path


def test_midi_features_round_trip_through_plain_arrays(tmp_path):
    feats = midi_features(_midi(tmp_path / "a.mid"))
    arrays = feats.to_arrays()
    assert all(a.dtype != object for a in arrays.values())
    back = MidiFeatures.from_arrays(arrays)
    s, e = np.array([0.0, 1.0]), np.array([feats.duration, 4.0])
    np.testing.assert_array_equal(back.window_stats(s, e), feats.window_stats(s, e))
    np.testing.assert_array_equal(back.frames(), feats.frames())
    assert back.summary() == feats.summary()
    assert back.chords == feats.chords and back.normalized == feats.normalized and back.key == feats.key


def test_a_pickled_cache_entry_is_ignored_not_unpickled(tmp_path):
    midi = _midi(tmp_path / "a.mid")
    cache = FeatureCache(tmp_path / "cache")
    entry = cache.path(midi, FEATURE_KIND)
    entry.parent.mkdir(parents=True)
    with open(entry, "wb") as fh:  # an .npz whose array holds a pickled object
        np.savez(fh, notes_start=np.array([_Bomb(str(tmp_path))], dtype=object))
    assert cache.get(midi, FEATURE_KIND) is None
    assert not (tmp_path / MARKER).exists()


def test_load_clips_recomputes_over_a_pickled_entry_and_caches_arrays(tmp_path, monkeypatch):
    import mvemo.data

    midi = _midi(tmp_path / "a.mid")
    item = Item(
        "toy:a",
        "toy",
        "midi",
        media={"midi": midi.name},
        labels={"quadrant": "Q1"},
        static={"category": "excited", "intensity": 0.5},
        split="train",
        root=tmp_path,
    )

    class _Toy:
        def index(self):
            return [item]

    monkeypatch.setattr(mvemo.data, "load", lambda name, data_home=None: _Toy())
    cache = FeatureCache(tmp_path / "cache")
    entry = cache.path(midi, FEATURE_KIND)
    entry.parent.mkdir(parents=True)
    with open(entry, "wb") as fh:
        np.savez(fh, notes_start=np.array([_Bomb(str(tmp_path))], dtype=object))
    cfg = SymbolicTrainConfig(datasets=("toy",), cache_dir=str(tmp_path / "cache"))
    clips, problems = load_clips(cfg, log=lambda _: None)
    assert not problems and len(clips) == 1 and not (tmp_path / MARKER).exists()
    np.testing.assert_array_equal(clips[0].features.roots, midi_features(midi).roots)
    stored = cache.get(midi, FEATURE_KIND)  # now a valid, pickle-free entry
    assert stored is not None and MidiFeatures.from_arrays(stored).duration == clips[0].features.duration

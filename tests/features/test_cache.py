import numpy as np

from mvemo.features.cache import FeatureCache


def test_cache_misses_after_the_file_changes(tmp_path):
    f = tmp_path / "a.wav"
    f.write_bytes(b"one")
    cache = FeatureCache(tmp_path / "c")
    cache.put(f, "k-v1", {"x": np.ones(2)})
    assert cache.get(f, "k-v1")["x"].tolist() == [1.0, 1.0]
    assert cache.get(f, "k-v2") is None
    f.write_bytes(b"changed!")
    assert cache.get(f, "k-v1") is None


def test_a_corrupt_entry_counts_as_missing(tmp_path):
    f = tmp_path / "a.wav"
    f.write_bytes(b"one")
    cache = FeatureCache(tmp_path / "c")
    cache.put(f, "k", {"x": np.ones(2)})
    cache.path(f, "k").write_bytes(b"garbage")
    assert cache.get(f, "k") is None
    assert not list((tmp_path / "c" / "k").glob(".tmp-*"))


def test_a_copy_with_the_same_bytes_hits_and_same_size_edits_miss(tmp_path):
    import os
    import shutil

    f = tmp_path / "a.wav"
    f.write_bytes(b"abc")
    cache = FeatureCache(tmp_path / "c")
    cache.put(f, "k", {"x": np.arange(3)})
    copy = tmp_path / "moved" / "b.wav"
    copy.parent.mkdir()
    shutil.copyfile(f, copy)
    os.utime(copy, ns=(1, 1))  # a re-copied data folder: new path, new mtime, same bytes
    assert cache.get(copy, "k")["x"].tolist() == [0, 1, 2]
    f.write_bytes(b"abd")  # same size, new content
    os.utime(f, ns=(2, 2))
    assert cache.get(f, "k") is None

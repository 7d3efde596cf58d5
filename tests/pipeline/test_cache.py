import numpy as np

from mvemo.pipeline.cache import FeatureCache


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

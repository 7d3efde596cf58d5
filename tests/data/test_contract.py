"""The loader contract, checked on the research data for every registered dataset (skips without it)."""

from __future__ import annotations

import pytest

from mvemo.conversion.words import default_word_map
from mvemo.data import MODALITIES, list_datasets, read_manifest, write_manifest

from .conftest import SHARED, shared_available, shared_dataset

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not shared_available(), reason=f"research data not found at {SHARED} (set MVEMO_DATA)"),
]


@pytest.fixture(params=list_datasets())
def ds(request):
    return shared_dataset(request.param)


def test_index_is_non_empty_and_complete(ds):
    items = ds.index()
    assert items
    assert len({it.id for it in items}) == len(items)
    for it in items:
        assert it.id.startswith(f"{ds.name}:") and it.dataset == ds.name
        assert it.modality in MODALITIES and it.split
        assert (it.modality == "none") == (not it.media)
        assert it.label_type
        assert it.static is not None or it.problems, f"{it.id}: no static label and no reason"


def test_validate_finds_no_problems(ds):
    report = ds.validate()
    assert report.ok, report.problems[:5]
    assert report.n_items == len(ds.index())


def test_splits_cover_items_without_overlap(ds):
    splits = ds.splits()
    ids = [i for v in splits.values() for i in v]
    assert len(ids) == len(set(ids)) == len(ds.index())
    assert set(ids) == {it.id for it in ds.index()}


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_export_round_trips(ds, tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    items = ds.index()
    path = tmp_path / f"{ds.name}{suffix}"
    assert write_manifest(items, path) == len(items)
    back = read_manifest(path, data_home=SHARED)
    assert back == items


def test_some_items_have_a_static_label(ds):
    items = ds.index()
    share = sum(it.static is not None for it in items) / len(items)
    words = ds.words()
    if share == 0 and words is not None:
        known = [w for w in words if w in default_word_map()]
        if len(known) < len(words):
            pytest.skip(f"{ds.name}: the word table knows {len(known)} of {len(words)} label words so far")
    assert share > 0

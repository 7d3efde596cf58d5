"""The runner on the research data (skipped when ../shared/data is absent)."""

from __future__ import annotations

import pytest

from mvemo.bench.adapters import lyrics_path
from mvemo.bench.runner import RunConfig, load_items, run_bench


@pytest.mark.parametrize("data, task, n_test", [("emopia", "symbolic-static", 88), ("lyrics", "lyrics-static", 175)])
def test_dataset_splits_are_the_loaders(shared_data, data, task, n_test):
    rec = run_bench(RunConfig(task=task, model="majority", data=data, data_home=str(shared_data)))
    assert rec["split"]["n_scored"] == n_test and rec["data"]["kind"] == "dataset"
    assert rec["scores"]["error_rate"] == 0.0


def test_lyrics_text_of_a_csv_dataset(shared_data, tmp_path):
    items, _ = load_items("lyrics", data_home=str(shared_data))
    p = lyrics_path(items[0], tmp_path)
    assert p.parent == tmp_path and p.read_text(encoding="utf-8").strip()

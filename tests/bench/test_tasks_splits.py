"""Task definitions, benchmark splits and the dynamic subset."""

from __future__ import annotations

from collections import Counter

import pytest

from mvemo.bench.splits import assign_splits, seeded_subset, split_items
from mvemo.bench.tasks import TASKS, get_task, has_complete_dynamic, list_tasks, media_role
from mvemo.data import Item
from mvemo.errors import ParameterError

from .conftest import make_items


def test_task_set_matches_the_paper_plus_symbolic_extra():
    paper = [t for t in list_tasks() if TASKS[t].paper]
    assert paper == [
        "lyrics-static",
        "music-static",
        "music-dynamic",
        "video-static",
        "video-dynamic",
        "multimodal-static",
        "multimodal-dynamic",
    ]
    assert not get_task("symbolic-static").paper
    assert get_task("music-dynamic").labels == "dynamic" and get_task("lyrics-static").labels == "static"
    with pytest.raises(ParameterError, match="unknown task"):
        get_task("music-statc")


def test_eligibility_needs_media_and_labels(tmp_path):
    items = make_items(tmp_path, 4, dynamic=True)
    music_s, music_d, lyr = get_task("music-static"), get_task("music-dynamic"), get_task("lyrics-static")
    assert all(music_s.eligible(it) and music_d.eligible(it) for it in items)
    assert not any(lyr.eligible(it) for it in items)
    gap = Item(
        "x:1",
        "x",
        "audio",
        media={"audio": "a.wav"},
        static={"category": "sad", "intensity": 0.5},
        dynamic=[
            {"time": 2.5, "category": "sad", "intensity": 0.5},
            {"time": 3.0, "category": None, "intensity": None},
        ],
    )
    assert music_s.eligible(gap) and not has_complete_dynamic(gap) and not music_d.eligible(gap)
    # The music tasks read a music video's sound track when there is no audio file.
    video = Item("v:1", "v", "video", media={"video": "v.mp4"}, static={"category": "sad", "intensity": 0.5})
    assert music_s.eligible(video) and media_role(music_s, video) == "video"
    # Dynamic labels may refer to another media role.
    piece = Item(
        "p:1",
        "p",
        "midi",
        media={"midi": "a.mid", "piece": "b.mid"},
        custom={"dynamic_media": "piece"},
        dynamic=[{"time": 2.5, "category": "sad", "intensity": 0.5}],
    )
    assert media_role(get_task("music-dynamic"), piece) == "piece"


def test_manifest_split_used_with_aliases(tmp_path):
    items = make_items(tmp_path, 20)
    items[2].split, items[3].split, items[4].split = "development", "evaluation", "unassigned"
    roles = assign_splits(items)
    assert roles[items[2].id] == "train" and roles[items[3].id] == "test" and items[4].id not in roles
    parts = split_items(items)
    assert len(parts["test"]) == 3 and len(parts["validation"]) == 2 and len(parts["train"]) == 14


def test_seeded_split_is_8_1_1_stratified_and_reproducible(tmp_path):
    items = make_items(tmp_path, 200, split=False)
    a = split_items(items, seed=3)
    b = split_items(list(reversed(items)), seed=3)
    assert {k: len(v) for k, v in a.items()} == {"train": 160, "validation": 20, "test": 20}
    assert {k: {it.id for it in v} for k, v in a.items()} == {k: {it.id for it in v} for k, v in b.items()}
    per_class = Counter(it.static["category"] for it in a["test"])
    assert per_class == Counter(dict.fromkeys(("happy", "sad", "calm", "tense"), 5))
    assert {it.id for it in split_items(items, seed=4)["test"]} != {it.id for it in a["test"]}
    # auto falls back to seeded without a test split; "manifest" then refuses.
    assert a == split_items(items, source="auto", seed=3)
    with pytest.raises(ParameterError, match="no item has"):
        split_items(items, source="manifest")


def test_seeded_subset(tmp_path):
    items = make_items(tmp_path, 50, split=False)
    sub = seeded_subset(items, 10, seed=1)
    assert len(sub) == 10 and [it.id for it in sub] == sorted(it.id for it in sub)
    assert [it.id for it in seeded_subset(items[::-1], 10, seed=1)] == [it.id for it in sub][::-1]
    assert seeded_subset(items, None) == items and seeded_subset(items, 500) == items
    with pytest.raises(ParameterError):
        seeded_subset(items, 0)

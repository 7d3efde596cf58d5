"""The informative target beside the paper label: manifest round trip and loaders (fixtures, real data)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mvemo.conversion.informative import InformativeTarget, from_quadrant, from_words
from mvemo.conversion.point import summarize
from mvemo.data import Item, load, read_manifest, write_manifest

from .conftest import shared_dataset
from .fixtures import make_4q, make_deam, make_emomusic, make_emopia, make_emotify


def _items():
    target = from_words(["sad", "gloomy", "happy"]).to_dict()
    return [
        Item(
            id="x:1",
            dataset="x",
            modality="none",
            static={"category": "sad", "intensity": 0.5},
            informative=target,
            split="train",
        ),
        Item(id="x:2", dataset="x", modality="none", static={"category": "calm", "intensity": 0.5}),
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_informative_round_trips_and_items_without_it_are_unchanged(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    items = _items()
    path = tmp_path / f"m{suffix}"
    write_manifest(items, path)
    back = read_manifest(path)
    assert back == items
    assert back[1].informative is None and "informative" not in back[1].to_dict()
    t = InformativeTarget.from_dict(back[0].informative)
    assert summarize(t.soft()).category == back[0].informative["category"]


def test_jsonl_without_informative_has_no_such_key(tmp_path):
    path = tmp_path / "m.jsonl"
    write_manifest(_items()[1:], path)
    assert "informative" not in json.loads(path.read_text(encoding="utf-8"))


def test_parquet_without_informative_has_no_such_column(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "m.parquet"
    write_manifest(_items()[1:], path)
    assert "informative" not in pq.read_table(path).column_names
    write_manifest(_items(), path)
    assert "informative" in pq.read_table(path).column_names


def test_4q_fixture_targets(tmp_path, word_map):
    make_4q(tmp_path, n_per_quadrant=1, audio=False)  # moods "Happy; Calm", PQuad 0.5
    ds = load("4q_panda2018", data_home=tmp_path, word_map=word_map)
    by_q = {it.labels["quadrant"]: it.informative for it in ds}
    assert by_q["Q1"]["rule"] == "4q-words" and by_q["Q1"]["category"] == "happy"
    assert by_q["Q1"]["intensity"] == 0.3  # PQuad 0.5 x one in-quadrant word (agreement unknown: 0.5)
    assert by_q["Q4"]["category"] == "calm" and by_q["Q4"]["quadrant_share"] == 0.5
    assert by_q["Q2"] == from_quadrant("Q2").to_dict()  # no word in the quadrant: the paper label
    assert all(it.static["intensity"] == 0.5 for it in ds)  # the reference stays the paper's


def test_emotify_fixture_votes(tmp_path, word_map):
    make_emotify(tmp_path)
    ds = load("emotify", data_home=tmp_path, word_map=word_map)
    calm, rock, pop = ds["1"].informative, ds["101"].informative, ds["301"].informative
    assert calm["rule"] == "votes" and calm["n"] == 2.0
    assert rock["n"] == 4.0 and 0.0 < rock["agreement"] < 1.0
    assert pop["n"] == 1.0 and pop["intensity"] == 0.5  # one rater: agreement unknown


def test_va_and_quadrant_fixture_targets(tmp_path):
    make_deam(tmp_path)
    make_emopia(tmp_path)
    deam = load("deam", data_home=tmp_path)
    assert {it.informative["rule"] for it in deam} == {"va-spread"}
    it = deam["5"]
    assert it.informative["category"] == it.static["category"]
    emopia = load("emopia", data_home=tmp_path)
    assert {it.informative["weight"] for it in emopia} == {0.5}


def test_emomusic_fixture_static_spread(tmp_path):
    make_emomusic(tmp_path)
    ds = load("emomusic", data_home=tmp_path)
    assert ds["3"].static is None and ds["3"].informative is None  # out-of-scale mean: neither label
    for it in [it for it in ds if it.static is not None]:
        assert it.informative["rule"] == "va-spread"
        assert it.informative["category"] == it.static["category"]


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["4q_panda2018", "emotify", "deam", "emomusic", "emopia", "lyrics"])
def test_real_loaders_attach_informative_targets(shared_root, name):
    ds = shared_dataset(name)
    items = [it for it in ds if it.static is not None]
    with_target = [it for it in items if it.informative is not None]
    assert len(with_target) == len(items)
    inten = np.array([it.informative["intensity"] for it in with_target])
    if name in ("4q_panda2018", "emotify", "deam", "emomusic"):
        assert inten.std() >= 0.1 and len(set(inten.tolist())) >= 6
    for it in with_target[:200]:
        t = InformativeTarget.from_dict(it.informative)
        pt = summarize(t.soft())
        assert (pt.category, pt.intensity) == (t.category, t.intensity)
    if name == "emomusic":
        assert any(it.informative.get("dynamic") for it in with_target)


def test_vgmidi_frames_use_the_annotators_spread():
    from mvemo.data.datasets.vgmidi import _informative_frames

    trace = {"time": [1.0, 3.0, 5.0, 7.0], "valence": [0.6, 0.6, 0.6, 0.6], "arousal": [0.4, 0.4, 0.4, 0.4]}
    narrow = _informative_frames({**trace, "valence_std": [0.1] * 4, "arousal_std": [0.1] * 4}, "-1-1", max_gap=2.5)[0]
    wide = _informative_frames({**trace, "valence_std": [0.8] * 4, "arousal_std": [0.8] * 4}, "-1-1", max_gap=2.5)[0]
    bare = _informative_frames(trace, "-1-1", max_gap=2.5)[0]
    assert [f["time"] for f in narrow] == [2.5 + 0.5 * k for k in range(10)]
    assert all(n["intensity"] > w["intensity"] for n, w in zip(narrow, wide, strict=True))
    assert narrow[0]["intensity"] == 1.0 and bare[0]["intensity"] == 0.6  # no spread: the paper's radius


@pytest.mark.shared_data
def test_real_vgmidi_dynamic_frames(shared_root):
    items = shared_dataset("vgmidi").index()
    frames = [f for it in items for f in it.informative.get("dynamic", [])]
    assert len(frames) > 1000
    assert np.std([f["intensity"] for f in frames]) >= 0.1

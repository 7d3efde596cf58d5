"""Lyrics that a dataset keeps in a table reach the predictor as text: no file is written."""

from __future__ import annotations

import sys
import types

from mvemo.bench import adapters
from mvemo.bench.adapters import RecordModelAdapter, lyrics_input
from mvemo.bench.tasks import get_task
from mvemo.data import Item

GIVEN: list[object] = []


class _TextPredictor:
    name = "text-v1"

    def predict(self, path_or_text, *, dynamic=True):
        GIVEN.append(path_or_text)
        return {
            "file": "<lyrics>",
            "model": self.name,
            "modality": "lyrics",
            "duration": None,
            "static": {"category": "sad", "intensity": 0.5, "valence": -0.5, "arousal": -0.2, "quadrant": "Q3"},
            "dynamic": [],
            "features": {},
        }


class _Table:
    def lyrics(self, item):
        return f"words of {item.id}\nsecond line"


def test_table_lyrics_go_as_text(tmp_path, monkeypatch):
    (tmp_path / "lyrics.csv").write_text("x", encoding="utf-8")
    item = Item(
        "songs:1",
        "songs",
        "lyrics",
        media={"lyrics": "lyrics.csv"},
        static={"category": "sad", "intensity": 0.5},
        root=tmp_path,
    )
    monkeypatch.setitem(adapters._LOADED, ("songs", str(tmp_path)), _Table())
    assert lyrics_input(item) == "words of songs:1\nsecond line"
    mod = types.ModuleType("mvemo_test_text_predictor")
    mod.load = lambda weights=None: _TextPredictor()
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    before = sorted(tmp_path.rglob("*"))
    GIVEN.clear()
    pred = RecordModelAdapter(loader=f"{mod.__name__}:load").predict([item], task=get_task("lyrics-static"))[0]
    assert GIVEN == ["words of songs:1\nsecond line"] and pred.category == "sad" and pred.error is None
    assert sorted(tmp_path.rglob("*")) == before
    (tmp_path / "a.lrc").write_text("[00:01.00]la", encoding="utf-8")
    assert (
        lyrics_input(Item("songs:2", "songs", "lyrics", media={"lyrics": "a.lrc"}, root=tmp_path)) == tmp_path / "a.lrc"
    )

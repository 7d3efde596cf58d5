"""The model registry: every entry loads a real Predictor; its users read it; in-memory inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mvemo.errors import ParameterError
from mvemo.models.registry import MODELS, Predictor, list_model_entries, load_model, model_entry, version_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_entries_are_complete_and_weights_ship():
    assert list(MODELS) == ["music", "symbolic", "lyrics", "video", "multimodal"]
    for e in list_model_entries():
        module, attr = e.loader.split(":")
        assert module.startswith("mvemo.predict.") and attr.startswith("load_")
        assert e.version and e.model_name.endswith(e.version)
        if e.weights is not None:
            assert e.weights_path().is_file(), e.weights
            assert Path(e.weights).stem == e.model_name
    with pytest.raises(ParameterError, match="unknown model 'painting'; known: music, symbolic"):
        model_entry("painting")
    assert version_of("x-v12") == "v12" and version_of("prior") == ""


def test_users_read_the_registry():
    from mvemo.bench.registry import model_spec
    from mvemo.cli.train import LAZY_TRAINERS
    from mvemo.predict.router import LOADERS

    assert LOADERS == {e.name: e.loader for e in list_model_entries() if e.routed}
    assert set(LAZY_TRAINERS) == {"symbolic", "lyrics", "video", "fusion"}
    assert all(LAZY_TRAINERS[e.train_command] == e.trainer for e in list_model_entries() if e.name != "music")
    for e in list_model_entries():
        spec, va = model_spec(e.bench_name), model_spec(f"{e.bench_name}-va")
        assert spec.tasks == va.tasks == e.bench_tasks and spec.pair == va.name
    from mvemo.cli.predict import _parse_weights

    with pytest.raises(ParameterError, match="unknown model 'painting'"):
        _parse_weights(("painting=x.pt",))
    with pytest.raises(ParameterError, match="videos go to 'multimodal'"):
        _parse_weights(("video=x.pt",))


# -- the shipped models -------------------------------------------------------------------------
torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def shipped():
    pytest.importorskip("musicnn", exc_type=ImportError)
    return {e.name: load_model(e.name) for e in list_model_entries()}


def test_every_shipped_model_is_a_predictor(shipped):
    for name, model in shipped.items():
        assert isinstance(model, Predictor), name
        assert model.name == model_entry(name).model_name and model.version == model_entry(name).version
    assert not isinstance(object(), Predictor)


def _same_but_file(a, b):
    da, db = a.to_dict(), b.to_dict()
    da.pop("file"), db.pop("file")
    return da == db


def test_symbolic_in_memory_matches_the_file(shipped):
    pretty_midi = pytest.importorskip("pretty_midi")
    path = EXAMPLES / "midi" / "bach_chorale_bwv66.6.mid"
    from_file = shipped["symbolic"].predict(path)
    in_memory = shipped["symbolic"].predict(pretty_midi.PrettyMIDI(str(path)))
    assert in_memory.file == "<PrettyMIDI>" and from_file.file == str(path)
    assert _same_but_file(from_file, in_memory) and len(in_memory.dynamic) > 0


def test_music_in_memory_matches_the_file(shipped):
    from mvemo.audio import load_audio
    from mvemo.predict.inputs import AudioInput

    path = EXAMPLES / "audio" / "bach_chorale_bwv66.6.mp3"
    y, sr = load_audio(path)
    from_file = shipped["music"].predict(path, dynamic=False)
    pair = shipped["music"].predict((y, sr), dynamic=False)
    named = shipped["music"].predict(AudioInput(y, sr, name="bach"), dynamic=False)
    assert pair.file == "<audio>" and named.file == "bach"
    assert _same_but_file(from_file, pair) and _same_but_file(from_file, named)


def test_lyrics_text_matches_the_file(shipped):
    pytest.importorskip("sentence_transformers")
    path = EXAMPLES / "lyrics" / "rainy_platform.lrc"
    from_file = shipped["lyrics"].predict(path)
    text = shipped["lyrics"].predict(path.read_text(encoding="utf-8"))
    as_str_path = shipped["lyrics"].predict(str(path))
    assert text.file == "<lyrics>" and as_str_path.file == str(path)
    assert _same_but_file(from_file, text) and len(text.dynamic) > 0
    assert as_str_path == from_file

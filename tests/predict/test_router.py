"""The dispatcher: which model gets which file, sidecar lyrics, and the predict CLI over it."""

import json

import pytest

from mvemo.cli.main import main
from mvemo.errors import DataError, ParameterError
from mvemo.predict import router as router_mod
from mvemo.predict.router import Router, collect_inputs, modality_of, sidecar_lyrics

LOADED: list[tuple[str, object]] = []


class _FakeModel:
    def __init__(self, modality, weights):
        self.name = f"fake-{modality}"
        self.modality = modality
        self.weights = weights
        self.calls = []

    def predict(self, path, *, dynamic=True, **kw):
        self.calls.append((str(path), dynamic, kw))
        static = {"category": "calm", "intensity": 0.5, "valence": 0.1, "arousal": -0.2, "quadrant": "Q4"}
        return {
            "file": str(path),
            "model": self.name,
            "duration": 1.0,
            "static": static,
            "dynamic": [],
            "features": {},
            "lyrics_seen": str(kw.get("lyrics")) if kw.get("lyrics") else None,
        }


def _loader(modality):
    def load(weights=None, **kw):
        LOADED.append((modality, weights))
        model = _FakeModel(modality, weights)
        model.shared = {m: f() for m, f in kw.get("loaders", {}).items()}
        return model

    return load


fake_music, fake_symbolic, fake_lyrics, fake_multimodal = (
    _loader(m) for m in ("music", "symbolic", "lyrics", "multimodal")
)


@pytest.fixture
def fake_loaders(monkeypatch):
    LOADED.clear()
    for m in router_mod.LOADERS:
        monkeypatch.setitem(router_mod.LOADERS, m, f"tests.predict.test_router:fake_{m}")
    return LOADED


@pytest.mark.parametrize(
    "name, lyrics, expected",
    [
        ("a.mp3", None, "music"),
        ("a.OPUS", None, "music"),
        ("a.mp4", None, "multimodal"),
        ("a.webm", None, "multimodal"),
        ("a.mid", None, "symbolic"),
        ("a.midi", None, "symbolic"),
        ("a.lrc", None, "lyrics"),
        ("a.txt", None, "lyrics"),
        ("a.wav", "a.lrc", "multimodal"),
        ("a.mkv", "a.txt", "multimodal"),
    ],
)
def test_modality_of(name, lyrics, expected):
    assert modality_of(name, lyrics=lyrics) == expected


def test_modality_of_rejects_unknown_and_misplaced_lyrics():
    with pytest.raises(DataError, match="notes.docx.*'.docx'"):
        modality_of("notes.docx")
    with pytest.raises(ParameterError, match="piece.mid"):
        modality_of("piece.mid", lyrics="x.lrc")


def test_sidecars_are_used_by_their_media_and_not_listed_alone(tmp_path):
    for name in ("song.mp3", "song.lrc", "clip.mp4", "clip.txt", "solo.lrc", "piece.mid", "readme.md"):
        (tmp_path / name).write_bytes(b"x")
    assert sidecar_lyrics(tmp_path / "song.mp3") == tmp_path / "song.lrc"
    assert sidecar_lyrics(tmp_path / "piece.mid") is None
    pairs = dict(collect_inputs([tmp_path]))
    assert pairs == {
        tmp_path / "clip.mp4": tmp_path / "clip.txt",
        tmp_path / "piece.mid": None,
        tmp_path / "solo.lrc": None,
        tmp_path / "song.mp3": tmp_path / "song.lrc",
    }
    no_side = dict(collect_inputs([tmp_path], sidecars=False))
    assert no_side[tmp_path / "song.mp3"] is None and tmp_path / "song.lrc" in no_side
    with pytest.raises(DataError, match="missing.mp3"):
        collect_inputs([tmp_path / "missing.mp3"])


def test_router_loads_each_model_once_and_passes_lyrics(fake_loaders, tmp_path):
    r = Router(weights={"symbolic": "sym.pt"}, dynamic=False)
    a = r.predict(tmp_path / "a.mp3")
    b = r.predict(tmp_path / "b.mp3")
    c = r.predict(tmp_path / "c.mid")
    d = r.predict(tmp_path / "d.mp3", lyrics=tmp_path / "d.lrc")
    assert [x["modality"] for x in (a, b, c, d)] == ["music", "music", "symbolic", "multimodal"]
    assert d["lyrics_seen"] == str(tmp_path / "d.lrc")
    assert fake_loaders == [("music", None), ("symbolic", "sym.pt"), ("multimodal", None), ("lyrics", None)]
    assert r.model("multimodal").shared == {"music": r.model("music"), "lyrics": r.model("lyrics")}
    assert r.loaded == ["lyrics", "multimodal", "music", "symbolic"]
    assert r.model("music").calls[0][1] is False


def test_router_rejects_unknown_modality():
    with pytest.raises(ParameterError, match="'painting'"):
        Router(weights={"painting": "x.pt"})
    with pytest.raises(ParameterError, match="'painting'"):
        Router().model("painting")


def test_predict_cli_routes_folders_and_sidecars(fake_loaders, tmp_path):
    media = tmp_path / "in"
    media.mkdir()
    for name in ("song.mp3", "song.lrc", "piece.mid", "words.txt"):
        (media / name).write_bytes(b"x")
    out = tmp_path / "r.jsonl"
    main(["predict", str(media), "--out", str(out), "--quiet"])
    recs = {json.loads(line)["file"]: json.loads(line) for line in out.read_text().splitlines()}
    assert {k.rsplit("/", 1)[1]: v["modality"] for k, v in recs.items()} == {
        "piece.mid": "symbolic",
        "song.mp3": "multimodal",
        "words.txt": "lyrics",
    }
    assert recs[str(media / "song.mp3")]["lyrics_seen"] == str(media / "song.lrc")

    csv_out = tmp_path / "r.csv"
    main(["predict", str(media / "song.mp3"), "--no-sidecar", "--out", str(csv_out), "--quiet"])
    header, row = csv_out.read_text().splitlines()
    assert header.split(",")[:3] == ["file", "model", "modality"] and ",music," in row


def test_predict_cli_lyrics_option_needs_one_input(fake_loaders, tmp_path, capsys):
    for name in ("a.mp3", "b.mp3", "a.lrc"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "predict",
                str(tmp_path / "a.mp3"),
                str(tmp_path / "b.mp3"),
                "--lyrics",
                str(tmp_path / "a.lrc"),
                "--out",
                str(tmp_path / "o.jsonl"),
            ]
        )
    assert exc.value.code == 1
    assert "exactly one media file, got 2" in capsys.readouterr().err


def test_predict_cli_weights_option_names_missing_file(fake_loaders, tmp_path, capsys):
    (tmp_path / "a.mid").write_bytes(b"x")
    with pytest.raises(SystemExit):
        main(["predict", str(tmp_path / "a.mid"), "--weights", "symbolic=nope.pt", "--out", str(tmp_path / "o.jsonl")])
    assert "'nope.pt'" in capsys.readouterr().err

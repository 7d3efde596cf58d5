"""Plots: unique names, circumplex words that don't overlap, timeline lanes, true messages."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from mvemo.predict.plot import empty_reason, figure_of, plot_names, plot_prediction  # noqa: E402
from mvemo.representation import default_circumplex  # noqa: E402


def _record(file="song.mp3", n=40, cats=("relaxed", "calm", "tense", "sad", "happy"), **extra):
    dyn = [
        {
            "time": 2.5 + 0.5 * i,
            "category": cats[i % len(cats)],
            "intensity": round(0.1 * (i % 10), 1),
            "valence": float(np.sin(i / 5)),
            "arousal": float(np.cos(i / 7)),
        }
        for i in range(n)
    ]
    rec = {
        "file": file,
        "model": "m",
        "modality": "music",
        "duration": 2.5 + 0.5 * n + 2.5,
        "static": {"category": "relaxed", "intensity": 0.5, "valence": 0.4, "arousal": -0.4, "quadrant": "Q4"},
        "dynamic": dyn,
        "features": {},
    }
    rec.update(extra)
    return rec


def _multimodal():
    music = _record("clip.mp4")
    return {
        **_record("clip.mp4"),
        "modality": "multimodal",
        "modalities": {"music": music, "video": {"missing": "no video stream"}, "lyrics": {"error": "DataError: x"}},
        "fused": {**music, "weights": {"music": 1.0}},
    }


def _label_boxes(fig):
    renderer = fig.canvas.get_renderer()
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "circumplex-label"]
    return texts, [t.get_window_extent(renderer) for t in texts]


@pytest.mark.parametrize("make", [_record, _multimodal], ids=["single", "multimodal"])
def test_circumplex_words_do_not_overlap(make):
    import matplotlib.pyplot as plt

    fig = figure_of(make())
    fig.canvas.draw()  # the final layout, as saved
    texts, boxes = _label_boxes(fig)
    assert sorted(t.get_text() for t in texts) == sorted(default_circumplex().categories)
    clashes = [
        (a.get_text(), b.get_text())
        for (a, ba), (b, bb) in itertools.combinations(zip(texts, boxes), 2)
        if ba.overlaps(bb)
    ]
    assert clashes == []
    # every word is inside the figure
    W, H = fig.canvas.get_width_height()
    assert all(b.x0 >= 0 and b.y0 >= 0 and b.x1 <= W and b.y1 <= H for b in boxes)
    plt.close(fig)


def test_timeline_lane_ordered_by_angle_and_coloured_by_quadrant():
    import matplotlib.pyplot as plt

    fig = figure_of(_record())
    lane = next(ax for ax in fig.axes if ax.get_title().startswith("category every 0.5 s"))
    names = [t.get_text().split(" (")[0] for t in lane.get_yticklabels()]
    circ = default_circumplex()
    assert names == sorted({"relaxed", "calm", "tense", "sad", "happy"}, key=lambda c: circ.angles[circ.index(c)])
    colours = {tuple(c) for c in lane.collections[0].get_facecolors().round(3)}
    assert len(colours) == 4  # happy Q1, tense Q2, sad Q3, calm/relaxed Q4
    intensity = next(ax for ax in fig.axes if ax.get_ylabel() == "intensity")
    assert intensity is not lane and intensity.get_ylim() == pytest.approx((-0.05, 1.05))
    plt.close(fig)


def test_fused_line_does_not_hide_music_line():
    import matplotlib.pyplot as plt

    fig = figure_of(_multimodal())
    ax_v = next(ax for ax in fig.axes if ax.get_ylabel() == "valence")
    lines = {ln.get_label(): ln for ln in ax_v.lines if not ln.get_label().startswith("_")}
    music, fused = lines["music"], lines["fused"]
    np.testing.assert_allclose(music.get_ydata(), fused.get_ydata())  # same data: the worst case
    assert music.get_zorder() > fused.get_zorder() and fused.get_alpha() < 1
    assert music.get_linewidth() < fused.get_linewidth()
    note = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "video: missing: no video stream" in note and "lyrics: failed: DataError: x" in note
    plt.close(fig)


def test_true_messages_and_no_unknown_key(tmp_path):
    import matplotlib.pyplot as plt

    txt = _record("words.txt", n=0, modality="lyrics", duration=None)
    assert "no timing in plain-text lyrics" in empty_reason(txt)
    assert "shorter than" in empty_reason(_record("s.mp3", n=0, duration=3.2))
    fig = figure_of(txt)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [fig._suptitle.get_text()]
    assert any("no timing in plain-text lyrics" in t for t in texts)
    assert not any("5 s" in t for t in texts) and "key ?" not in fig._suptitle.get_text()
    plt.close(fig)
    fig = figure_of(_record(features={"key": "Ab major", "tempo": 96.0}))
    assert "key Ab major, 96 BPM" in fig._suptitle.get_text()
    plt.close(fig)
    assert plot_prediction(txt, tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_plot_names_unique():
    names = plot_names(["ex/audio/bach.mp3", "ex/midi/bach.mid", "ex/lyrics/bach.lrc"])
    assert names == {
        "ex/audio/bach.mp3": "bach.mp3.png",
        "ex/midi/bach.mid": "bach.mid.png",
        "ex/lyrics/bach.lrc": "bach.lrc.png",
    }
    names = plot_names(["a/x.mp3", "b/x.mp3", "x.mp3"])
    assert len(set(names.values())) == 3


def test_cli_two_inputs_with_one_stem_get_two_plots(tmp_path, monkeypatch):
    """The issue's case: the MIDI of a piece must not overwrite its audio's plot."""
    from mvemo.cli.main import main
    from mvemo.predict import router as router_mod

    (tmp_path / "audio").mkdir()
    (tmp_path / "midi").mkdir()
    a = tmp_path / "audio" / "piece.mp3"
    m = tmp_path / "midi" / "piece.mid"
    a.write_bytes(b"x")
    m.write_bytes(b"x")
    from mvemo.records import PredictionRecord

    monkeypatch.setattr(
        router_mod.Router, "predict", lambda self, p, lyrics=None: PredictionRecord.from_dict(_record(str(p)))
    )
    main(["predict", str(a), str(m), "--out", str(tmp_path / "r.jsonl"), "--plot", str(tmp_path / "plots"), "--quiet"])
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["piece.mid.png", "piece.mp3.png"]

"""#18 cases 8 and 9: bounded work from tiny inputs, and clear failure signals from `mvemo predict`."""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import numpy as np
import pytest

from mvemo.conversion.dynamic import grid_times
from mvemo.errors import DataError
from mvemo.io.lyrics import parse_lrc, read_lyrics
from mvemo.limits import MAX_TIMELINE_SECONDS
from mvemo.predict.checks import audio_warnings, language_warning, ogg_is_complete, spectral_flatness


# -- case 8: LRC ----------------------------------------------------------------------------------
def test_lrc_999_minutes_is_refused_naming_the_line(tmp_path):
    p = tmp_path / "huge.lrc"
    p.write_text("[00:01.00]hello there\n[999:59.99]the end\n")
    with pytest.raises(DataError, match=r"huge.lrc: line 2: time 59999.99 s is past the maximum LRC time"):
        read_lyrics(p)


def test_lrc_seconds_out_of_range_is_an_error():
    with pytest.raises(DataError, match=r"x.lrc: line 1: time tag '\[99:99.99\]' has 99 seconds"):
        parse_lrc("[99:99.99]la la\n", source="x.lrc")


@pytest.mark.parametrize("tag", ["[00:1a]", "[1:2:3:4]", "[-1:00]", "[00:12.00][00:99]", "[0:00.1234]"])
def test_malformed_time_tags_are_errors_not_dropped(tag):
    with pytest.raises(DataError, match=r"x.lrc: line 2: (malformed time tag|time tag)"):
        parse_lrc(f"[00:01.00]first\n{tag}second\n", source="x.lrc")


def test_lrc_bounded_by_the_audio_it_goes_with(tmp_path):
    p = tmp_path / "song.lrc"
    p.write_text("[00:01.00]a\n[01:00.00]b\n")
    assert read_lyrics(p).duration == 60.0
    with pytest.raises(DataError, match=r"line 2: .* past the end of the media it goes with \(35 s\)"):
        read_lyrics(p, max_time=35.0)


def test_largest_accepted_lrc_gives_a_bounded_grid():
    lyr = parse_lrc(f"[00:01.00]a\n[{int(MAX_TIMELINE_SECONDS // 60)}:00.00]b\n")
    assert lyr.duration == MAX_TIMELINE_SECONDS
    assert len(grid_times(lyr.duration)) <= 3596


def test_bad_offset_is_an_error():
    with pytest.raises(DataError, match="offset"):
        parse_lrc("[offset:1e12]\n[00:01.00]a\n", source="x.lrc")
    with pytest.raises(DataError, match="offset"):
        parse_lrc("[offset:nan]\n[00:01.00]a\n", source="x.lrc")


# -- case 8: MIDI ---------------------------------------------------------------------------------
def test_one_note_held_for_an_hour_is_refused(tmp_path):
    pretty_midi = pytest.importorskip("pretty_midi")
    from mvemo.features.midi import midi_features

    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    inst.notes.append(pretty_midi.Note(velocity=80, pitch=60, start=0.0, end=3600.0))
    pm.instruments.append(inst)
    path = tmp_path / "long.mid"
    pm.write(str(path))
    assert path.stat().st_size < 100
    with pytest.raises(DataError, match=r"long.mid: the MIDI lasts 3600 s .* past the maximum of 1800 s"):
        midi_features(path)


# -- case 9: failure signals ----------------------------------------------------------------------
def _fake_predict(self, path, *, lyrics=None):
    if "bad" in Path(path).name:
        raise DataError(f"{path}: not audio")
    from mvemo.records import PredictionRecord

    return PredictionRecord.from_dict(
        {
            "file": str(path),
            "model": "fake",
            "modality": "music",
            "duration": 1.0,
            "static": {"category": "calm", "intensity": 0.4, "valence": 0.3, "arousal": -0.3, "quadrant": "Q4"},
            "dynamic": [],
            "features": {},
        }
    )


@pytest.fixture
def fake_router(monkeypatch):
    from mvemo.predict import router

    monkeypatch.setattr(router.Router, "predict", _fake_predict)


def _run(args, capsys):
    from mvemo.cli.main import main

    try:
        main(["predict", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


def test_exit_status_is_1_when_any_file_failed(tmp_path, fake_router, capsys):
    (tmp_path / "good.wav").write_bytes(b"x")
    (tmp_path / "bad.wav").write_bytes(b"x")
    out = tmp_path / "o.jsonl"
    code, err = _run([str(tmp_path / "good.wav"), str(tmp_path / "bad.wav"), "--out", str(out)], capsys)
    assert code == 1 and "1 predicted" in err and "1 failed" in err
    assert err.count("bad.wav") == 2  # the progress line and the summary, each naming it once
    assert "bad.wav: " + str(tmp_path / "bad.wav") not in err and "bad.wav: bad.wav" not in err
    code, _ = _run(
        [str(tmp_path / "good.wav"), str(tmp_path / "bad.wav"), "--out", str(out), "--allow-failures"], capsys
    )
    assert code == 0


def test_fifo_argument_is_reported_and_the_batch_goes_on(tmp_path, fake_router, capsys):
    (tmp_path / "good.wav").write_bytes(b"x")
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    out = tmp_path / "o.jsonl"
    code, err = _run([str(fifo), str(tmp_path / "good.wav"), "--out", str(out)], capsys)
    assert "pipe.wav: FAILED: not a regular file (a FIFO)" in err
    assert code == 1 and [json.loads(x)["file"] for x in out.read_text().splitlines()] == [str(tmp_path / "good.wav")]


def test_fifos_and_dangling_links_in_folders_are_reported(tmp_path, fake_router, capsys):
    d = tmp_path / "music"
    d.mkdir()
    (d / "good.wav").write_bytes(b"x")
    os.mkfifo(d / "pipe.mp3")
    (d / "gone.flac").symlink_to(tmp_path / "nowhere.flac")
    out = tmp_path / "o.jsonl"
    code, err = _run([str(d), "--out", str(out)], capsys)
    assert "pipe.mp3: FAILED: not a regular file (a FIFO)" in err
    assert "gone.flac: FAILED: dangling symbolic link" in err
    assert code == 1 and "1 predicted, 0 already done, 2 failed" in err


# -- case 9: warnings -----------------------------------------------------------------------------
def _wav(path: Path, y: np.ndarray, sr: int = 22050) -> Path:
    pcm = (np.clip(y, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return path


def _tone(seconds=20.0, sr=48000):
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 660 * t)).astype(np.float32)


def _encode(path: Path, fmt: str, codec: str, sr=48000) -> Path:
    av = pytest.importorskip("av")
    y = _tone(sr=sr)
    c = av.open(str(path), "w", format=fmt)
    s = c.add_stream(codec, rate=sr)
    s.layout = "mono"
    frame = av.AudioFrame.from_ndarray(y[None, :], format="flt", layout="mono")
    frame.sample_rate = sr
    for pkt in list(s.encode(frame)) + list(s.encode(None)):
        c.mux(pkt)
    c.close()
    return path


@pytest.mark.parametrize("fmt,codec,name", [("ogg", "libopus", "t.opus"), ("mp3", "libmp3lame", "t.mp3")])
def test_truncated_audio_is_flagged(tmp_path, fmt, codec, name):
    from mvemo.audio.io import load_audio

    full = _encode(tmp_path / name, fmt, codec)
    cut = tmp_path / f"cut_{name}"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    y, sr = load_audio(full, sr=22050)
    assert audio_warnings(full, y, sr) == []
    y, sr = load_audio(cut, sr=22050)
    assert any(w.startswith("truncated") for w in audio_warnings(cut, y, sr))
    if fmt == "ogg":
        assert ogg_is_complete(full) is True and ogg_is_complete(cut) is False


def test_noise_is_flagged_and_music_is_not(tmp_path):
    rng = np.random.default_rng(0)
    noise = rng.normal(scale=0.2, size=22050 * 10)
    assert spectral_flatness(noise) > 0.5
    assert any("no tonal content" in w for w in audio_warnings(_wav(tmp_path / "n.wav", noise), noise, 22050))
    root = Path(__file__).resolve().parents[2]
    from mvemo.audio.io import load_audio

    y, sr = load_audio(root / "examples" / "audio" / "joplin_maple_leaf_rag.mp3", sr=22050)
    assert audio_warnings(root / "examples" / "audio" / "joplin_maple_leaf_rag.mp3", y, sr) == []


@pytest.mark.parametrize("text", ["我爱你，你爱我，我们一起唱歌，天空很蓝", "أحبك يا قلبي في الليل والنهار"])
def test_non_english_lyrics_are_flagged(text):
    from mvemo.features.lyrics import language_hint

    assert "trained on English lyrics only" in language_warning(language_hint(text))
    assert language_warning(language_hint("I love you and you love me, we sing in the rain")) is None


def test_batch_prints_record_warnings_on_stderr(tmp_path, capsys):
    from mvemo.predict.batch import predict_files

    (tmp_path / "a.wav").write_bytes(b"x")

    def predict(path):
        return {**_fake_predict(None, path).to_dict(), "warnings": ["no tonal content: test"]}

    predict_files([tmp_path / "a.wav"], predict, out=tmp_path / "o.jsonl", progress=False)
    assert "a.wav: warning: no tonal content: test" in capsys.readouterr().err
    assert json.loads((tmp_path / "o.jsonl").read_text())["warnings"] == ["no tonal content: test"]


def test_real_music_record_of_white_noise_has_a_warning(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("librosa")
    from mvemo.predict.music import load_music_model

    noise = np.random.default_rng(1).normal(scale=0.2, size=22050 * 8)
    rec = load_music_model().predict(_wav(tmp_path / "noise.wav", noise))
    assert any("no tonal content" in w for w in rec["warnings"])

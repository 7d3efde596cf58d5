"""mvemo tag: tags written and read back, audio samples untouched, failures harmless, reruns no-ops."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mutagen")
av = pytest.importorskip("av")

from mvemo.cli.main import main  # noqa: E402
from mvemo.errors import DataError  # noqa: E402
from mvemo.tag import emotion_tags, read_tags, write_tags  # noqa: E402

# suffix -> (container format, codec, sample rate)
FORMATS = {".mp3": ("mp3", "libmp3lame", 44100), ".ogg": ("ogg", "vorbis", 44100),
           ".opus": ("opus", "libopus", 48000), ".m4a": ("ipod", "aac", 44100)}  # fmt: skip

RECORD = {"file": "x", "model": "music2emo-test",
          "static": {"category": "relaxed", "intensity": 0.6, "valence": 0.42, "arousal": -0.41}}  # fmt: skip


def _synth(path: Path) -> Path:
    """A 1-s stereo tone pair in the container of ``path``'s suffix."""
    fmt, codec, sr = FORMATS[path.suffix]
    t = np.arange(sr) / sr
    pcm = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)]).astype(np.float32)
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=sr, layout="stereo", options={"strict": "experimental"})
        fsize = stream.codec_context.frame_size or 1024
        for i in range(0, sr, fsize):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm[:, i : i + fsize]), format="fltp", layout="stereo"
            )
            frame.sample_rate = sr
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def _decode(path: Path) -> np.ndarray:
    with av.open(str(path)) as f:
        return np.concatenate([fr.to_ndarray() for fr in f.decode(audio=0)], axis=1)


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_tags_round_trip_and_audio_untouched(tmp_path, suffix):
    path = _synth(tmp_path / f"tone{suffix}")
    before = _decode(path)
    tags = emotion_tags(RECORD)
    res = write_tags(path, tags)
    assert res.status == "written"
    assert read_tags(path) == tags
    assert tags["MOOD"] == "relaxed" and tags["MVEMO_MODEL"] == "music2emo-test"
    np.testing.assert_array_equal(_decode(path), before)
    # a second run changes nothing, not even the bytes or the mtime
    data, mtime = path.read_bytes(), path.stat().st_mtime_ns
    assert write_tags(path, tags).status == "unchanged"
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    # new values replace the old ones (no duplicate frames)
    tags2 = emotion_tags({**RECORD, "static": {**RECORD["static"], "category": "tense", "intensity": 0.8}})
    write_tags(path, tags2)
    assert read_tags(path) == tags2
    np.testing.assert_array_equal(_decode(path), before)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary copies left


def test_dry_run_writes_nothing(tmp_path):
    path = _synth(tmp_path / "tone.mp3")
    data = path.read_bytes()
    assert write_tags(path, emotion_tags(RECORD), dry_run=True).status == "dry-run"
    assert path.read_bytes() == data


def test_failed_write_leaves_original_intact(tmp_path, monkeypatch):
    path = _synth(tmp_path / "tone.ogg")
    data = path.read_bytes()
    import mutagen.oggvorbis

    def broken_save(self, *a, **k):
        # write half a file and then fail, as a full disk would
        Path(self.filename).write_bytes(b"OggS" + b"\0" * 10)
        raise mutagen.MutagenError("disk full")

    monkeypatch.setattr(mutagen.oggvorbis.OggVorbis, "save", broken_save)
    with pytest.raises(DataError, match="unchanged"):
        write_tags(path, emotion_tags(RECORD))
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_not_a_media_file(tmp_path):
    p = tmp_path / "notes.mp3"
    p.write_text("not audio")
    with pytest.raises(DataError, match="notes.mp3"):
        write_tags(p, emotion_tags(RECORD))
    assert p.read_text() == "not audio"


def test_cli_from_results(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = _synth(tmp_path / "a.opus")
    b = _synth(tmp_path / "b.m4a")
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({**RECORD, "file": "a.opus"}) + "\n")
    with pytest.raises(SystemExit) as exc:  # b is not in the results: reported, a still tagged
        main(["tag", str(a), str(b), "--from", str(results)])
    assert exc.value.code == 1
    err = capsys.readouterr()
    assert "b.m4a: FAILED: not in" in err.err and "a.opus: written: MOOD=relaxed" in err.out
    assert read_tags(a)["MVEMO_CATEGORY"] == "relaxed" and read_tags(b) == {}
    main(["tag", str(a), "--from", str(results)])
    assert "unchanged" in capsys.readouterr().out


def test_cli_predicts_without_from(tmp_path, capsys):
    """Without --from the shipped music model predicts first."""
    pytest.importorskip("torch")
    src = Path(__file__).resolve().parents[2] / "examples" / "audio" / "bach_chorale_bwv66.6.mp3"
    p = tmp_path / src.name
    p.write_bytes(src.read_bytes())
    before = _decode(p)
    main(["tag", str(p)])
    tags = read_tags(p)
    assert tags["MVEMO_MODEL"].startswith("music2emo") and tags["MOOD"] == tags["MVEMO_CATEGORY"]
    np.testing.assert_array_equal(_decode(p), before)

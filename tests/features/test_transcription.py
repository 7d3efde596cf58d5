"""Audio -> lead sheet: RMS velocity (MVEmo eq. 13-14), grid, melody, and basic-pitch end to end."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.errors import ParameterError
from mvemo.features.transcription import (
    BP_SR,
    NoteEvent,
    frame_rms,
    quantize_notes,
    rms_velocity,
    skyline,
)


def test_frame_rms_is_eq_13():
    rng = np.random.default_rng(0)
    y = rng.normal(size=5000)
    n, h = 1024, 256
    levels = frame_rms(y, frame_length=n, hop_length=h)
    assert levels.shape == (int(np.ceil(5000 / h)),)
    for m in (0, 3, 10):
        seg = np.zeros(n)
        part = y[m * h : m * h + n]
        seg[: part.size] = part
        assert levels[m] == pytest.approx(np.sqrt(np.mean(seg**2)))
    with pytest.raises(ParameterError):
        frame_rms(y, frame_length=0)


def test_rms_velocity_is_eq_14():
    v = rms_velocity(np.array([0.0, 0.5, 1.0, 0.25]))
    assert v.tolist() == [40, round(87 * 0.5 + 40), 127, round(87 * 0.25 + 40)]
    assert rms_velocity(np.array([0.3, 0.3])).tolist() == [40, 40]


def test_quantize_snaps_to_tempo_grid():
    step = 60 / (120 * 4)  # 16th at 120 BPM = 0.125 s
    ev = [(0.13, 0.36, 60, 0.5), (0.51, 0.52, 62, 0.5), (0.12, 0.2, 60, 0.5)]
    q = quantize_notes(ev, bpm=120, offset=0.0, divisions=4)
    assert [(round(s / step), round(e / step), p) for s, e, p, _ in q] == [(1, 3, 60), (4, 5, 62)]
    shifted = quantize_notes([(0.14, 0.3, 60, 0.5)], bpm=120, offset=0.02)
    assert shifted[0][0] == pytest.approx(0.145)
    with pytest.raises(ParameterError):
        quantize_notes(ev, bpm=0)


def test_skyline_melody_is_monophonic_top_voice():
    notes = [
        NoteEvent(0.0, 1.0, 48, 80),
        NoteEvent(0.0, 1.0, 72, 80),
        NoteEvent(0.5, 1.0, 74, 80),
        NoteEvent(1.0, 2.0, 40, 80),
    ]
    mel, rest = skyline(notes, floor=48)
    assert [(n.pitch, n.start, n.end) for n in mel] == [(72, 0.0, 0.5), (74, 0.5, 1.0)]
    assert sorted(n.pitch for n in rest) == [40, 48]


def _tones(pitches, seconds=0.5, gap=0.0, sr=BP_SR, amp=0.3):
    out = []
    for p in pitches:
        t = np.arange(int(seconds * sr)) / sr
        f = 440.0 * 2 ** ((p - 69) / 12)
        env = np.minimum(1.0, np.minimum(t, seconds - t) / 0.01)
        out.append(amp * env * np.sin(2 * np.pi * f * t))
        out.append(np.zeros(int(gap * sr)))
    return np.concatenate(out).astype(np.float32)


def test_transcribe_end_to_end(tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("pretty_midi")
    pytest.importorskip("librosa")
    from mvemo.features.transcription import basic_pitch_model_path, transcribe

    try:
        basic_pitch_model_path()
    except Exception as exc:  # noqa: BLE001 - basic-pitch is an optional install
        pytest.skip(f"basic-pitch model unavailable: {exc}")
    import pretty_midi

    pitches = [69, 72, 76, 72, 69, 76]  # A minor arpeggio
    y = np.concatenate([_tones(pitches, seconds=0.5), np.zeros(BP_SR // 2, np.float32)])
    sheet = transcribe(y, BP_SR)
    found = [n.pitch for n in sheet.notes]
    assert set(pitches) <= set(found)
    assert all(40 <= n.velocity <= 127 for n in sheet.notes)
    assert sheet.tempo > 0
    step = 60 / (sheet.tempo * 4)
    for n in sheet.notes:  # on the grid
        k = (n.start - sheet.beat_offset) / step
        assert abs(k - round(k)) < 1e-6 or n.start == 0.0
    assert [n.pitch for n in sheet.melody][:3] == [69, 72, 76]
    path = sheet.write(tmp_path / "out.mid")
    pm = pretty_midi.PrettyMIDI(str(path))
    names = [i.name for i in pm.instruments]  # empty tracks are not written
    assert names[0] == "melody" and "chords" in names
    assert len(pm.instruments[0].notes) == len(sheet.melody)
    assert len(pm.key_signature_changes) == 1
    assert pm.get_tempo_changes()[1][0] == pytest.approx(sheet.tempo, rel=1e-3)
    assert sheet.key.split()[1] in ("major", "minor")


def test_transcribe_rejects_bad_input():
    from mvemo.features.transcription import transcribe

    with pytest.raises(ParameterError):
        transcribe(np.zeros((2, 10), np.float32), BP_SR)
    with pytest.raises(ParameterError):
        transcribe(np.zeros(100, np.float32), 0)

"""MIDI features: notes, key, chords (template matching, encoding) and window statistics."""

from __future__ import annotations

import numpy as np
import pytest

pretty_midi = pytest.importorskip("pretty_midi")

from mvemo.errors import DataError, ParameterError  # noqa: E402
from mvemo.features.harmony import CHORD_QUALITIES  # noqa: E402
from mvemo.features.midi import STAT_NAMES, chords_from_notes, midi_features, notes_from_midi  # noqa: E402


def _progression(tonic: int = 7, minor: bool = False, bpm: float = 120.0, velocity: int = 80):
    """Block chords, one per half bar (2 beats): I IV V I in the given key, plus a melody."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    inst = pretty_midi.Instrument(program=0)
    beat = 60.0 / bpm
    third = 3 if minor else 4
    prog = [(0, third), (5, third), (7, 4), (0, third)]
    for k, (iv, th) in enumerate(prog * 2):
        t0, t1 = k * 2 * beat, (k + 1) * 2 * beat
        root = 48 + tonic + iv
        for off in (0, th, 7):
            inst.notes.append(pretty_midi.Note(velocity, root + off, t0, t1))
        for j in range(4):  # eighth-note melody on chord tones
            inst.notes.append(
                pretty_midi.Note(
                    velocity + 10, root + 24 + (0, th, 7, 12)[j], t0 + j * beat / 2, t0 + (j + 1) * beat / 2
                )
            )
    pm.instruments.append(inst)
    return pm


def test_notes_sorted_and_drums_ignored():
    pm = _progression()
    drums = pretty_midi.Instrument(program=0, is_drum=True)
    drums.notes.append(pretty_midi.Note(100, 36, 0.0, 0.1))
    pm.instruments.append(drums)
    n = notes_from_midi(pm)
    assert len(n) == 8 * 3 + 8 * 4
    assert np.all(np.diff(n.start) >= 0)
    assert 36 not in set(n.pitch.tolist())


def test_key_tempo_and_chords_of_a_major_progression():
    f = midi_features(_progression(tonic=7, bpm=100.0))  # G major
    assert f.key.label == "G major"
    assert f.tempo == pytest.approx(100.0)
    labels = [c.label for c in f.chords]
    assert labels[:4] == ["G:maj", "C:maj", "D:maj", "G:maj"]
    # key-normalised to C major: I IV V I
    assert [c.label for c in f.normalized][:4] == ["C:maj", "F:maj", "G:maj", "C:maj"]
    assert f.roots[:4].tolist() == [0, 5, 7, 0]
    assert [CHORD_QUALITIES[q] for q in f.qualities[:4]] == ["maj"] * 4


def test_minor_key_normalises_to_a_minor():
    f = midi_features(_progression(tonic=4, minor=True))  # E minor
    assert f.key.label == "E minor"
    assert f.mode == 1.0
    assert f.normalized[0].label == "A:min"


def test_chords_from_notes_gives_no_chord_for_silence():
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    for p in (60, 64, 67):
        inst.notes.append(pretty_midi.Note(80, p, 0.0, 1.0))
    pm.instruments.append(inst)
    segs = chords_from_notes(notes_from_midi(pm), np.array([0.0, 1.0, 2.0, 3.0]))
    assert [s.label for s in segs] == ["C:maj", "N"]
    assert segs[1].start == 1.0 and segs[1].end == 3.0  # merged N segments
    with pytest.raises(ParameterError):
        chords_from_notes(notes_from_midi(pm), np.array([1.0, 0.5]))


def test_window_stats_follow_density_and_velocity():
    soft = midi_features(_progression(velocity=40))
    loud = midi_features(_progression(velocity=100))
    s_soft = soft.window_stats(np.array([0.0]), np.array([soft.duration]))[0]
    s_loud = loud.window_stats(np.array([0.0]), np.array([loud.duration]))[0]
    assert s_soft.shape == (len(STAT_NAMES),)
    v = STAT_NAMES.index("velocity_mean")
    assert s_loud[v] > s_soft[v]
    fast = midi_features(_progression(bpm=180.0))
    slow = midi_features(_progression(bpm=60.0))
    d = STAT_NAMES.index("log_density")
    sf = fast.window_stats(np.array([0.0]), np.array([fast.duration]))[0]
    ss = slow.window_stats(np.array([0.0]), np.array([slow.duration]))[0]
    assert sf[d] > ss[d]
    assert sf[STAT_NAMES.index("log_ioi_median")] < ss[STAT_NAMES.index("log_ioi_median")]
    # key-normalised pitch classes: the tonic is the largest share
    pcs = s_soft[[STAT_NAMES.index(f"pc_{k}") for k in range(12)]]
    assert pcs.argmax() == 0 and pcs.sum() == pytest.approx(1.0, abs=1e-5)


def test_window_chords_and_empty_windows():
    f = midi_features(_progression())
    roots, quals, mask = f.window_chords(np.array([0.0, 100.0]), np.array([2.0, 105.0]))
    assert roots.shape == quals.shape == mask.shape
    assert mask[0].sum() == 2 and mask[1].sum() == 0  # 1 s per chord at 120 BPM
    empty = f.window_stats(np.array([100.0]), np.array([105.0]))[0]
    assert empty[STAT_NAMES.index("velocity_mean")] == 0.0
    with pytest.raises(ParameterError):
        f.window_stats(np.array([2.0]), np.array([1.0]))


def test_summary_is_json_serialisable(tmp_path):
    import json

    path = tmp_path / "p.mid"
    _progression().write(str(path))
    s = midi_features(path).summary()
    json.dumps(s)
    assert s["key"] == "G major" and s["n_notes"] == 56 and s["chords"][0]["label"] == "G:maj"


def test_bad_files(tmp_path):
    with pytest.raises(DataError, match="no such"):
        midi_features(tmp_path / "missing.mid")
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not a midi file")
    with pytest.raises(DataError, match="bad.mid"):
        midi_features(bad)
    empty = tmp_path / "empty.mid"
    pretty_midi.PrettyMIDI().write(str(empty))
    with pytest.raises(DataError, match="no notes"):
        midi_features(empty)


def test_mode_strength_sign():
    major = midi_features(_progression(tonic=2))
    minor = midi_features(_progression(tonic=2, minor=True))
    i = STAT_NAMES.index("mode_strength")
    j = STAT_NAMES.index("local_mode_strength")
    smaj = major.window_stats(np.array([0.0]), np.array([major.duration]))[0]
    smin = minor.window_stats(np.array([0.0]), np.array([minor.duration]))[0]
    assert smaj[i] > 0 > smin[i]
    assert smaj[j] > smin[j]


@pytest.mark.shared_data
def test_real_emopia_clips():
    import os
    from pathlib import Path

    root = Path(os.environ.get("MVEMO_DATA") or Path(__file__).resolve().parents[2].parent / "shared" / "data")
    midis = sorted((root / "emopia" / "midis").glob("*.mid"))[:3]
    if not midis:
        pytest.skip(f"EMOPIA MIDI not found under {root}")
    for path in midis:
        f = midi_features(path)
        assert f.duration > 5 and len(f.notes) > 20
        assert len(f.roots) == len(f.chords) >= 1
        stats = f.window_stats(np.array([0.0, 2.5]), np.array([f.duration, 7.5]))
        assert np.all(np.isfinite(stats))


def test_frames_channels_and_transposition():
    from mvemo.features.midi import FRAME_CHANNELS, FRAME_RATE

    f = midi_features(_progression(tonic=0))
    x = f.frames()
    assert x.shape == (int(np.ceil(f.duration * FRAME_RATE)), len(FRAME_CHANNELS)) and x.dtype == np.float32
    # first half bar: C major triad (C3 E3 G3) + melody on C5: sounding pcs C, E, G only; bass is C
    first = x[1]
    assert set(np.flatnonzero(first[:12])) == {0, 4, 7}
    assert np.flatnonzero(first[24:36]).tolist() == [0]
    assert first[41] == pytest.approx(4 / 8)  # three chord notes + one melody note
    assert x[0, 12 + 0] > 0 and x[0, 36] > 0  # onsets in the first frame
    # transposing by 2 semitones rolls the pitch-class blocks by 2
    y = midi_features(_progression(tonic=2)).frames()
    n = min(len(x), len(y))
    for b in range(3):
        np.testing.assert_allclose(np.roll(x[:n, 12 * b : 12 * b + 12], 2, axis=1), y[:n, 12 * b : 12 * b + 12])
    with pytest.raises(ParameterError, match="fps"):
        f.frames(fps=0)


def test_valence_features_major_minor_empty_and_shape():
    from mvemo.features.midi import VALENCE_FEATURE_NAMES, valence_features

    major = midi_features(_progression(tonic=2))
    minor = midi_features(_progression(tonic=2, minor=True))
    t0, t1 = np.array([0.0, 100.0, 1.0]), np.array([major.duration, 105.0, 2.0])  # whole, empty, 1-s window
    vmaj, vmin = major.valence_features(t0, t1), minor.valence_features(t0, t1)
    assert vmaj.shape == (3, len(VALENCE_FEATURE_NAMES)) and vmaj.dtype == np.float32
    assert np.all(np.isfinite(vmaj)) and np.all(np.isfinite(vmin))
    k = VALENCE_FEATURE_NAMES.index
    for w in (4, 8):
        assert vmaj[0, k(f"key{w}_diff_mean")] > 0 > vmin[0, k(f"key{w}_diff_mean")]
        assert vmaj[0, k(f"key{w}_major_frac")] == 1.0 and vmin[0, k(f"key{w}_major_frac")] == 0.0
        assert vmaj[0, k(f"key{w}_major_mean")] > vmin[0, k(f"key{w}_major_mean")]
    assert not vmaj[1].any() and not vmin[1].any()  # no notes: zeros
    ic = vmaj[0, [k(f"ic{i}") for i in range(1, 7)]]
    assert ic.sum() == pytest.approx(1.0, abs=1e-5)
    # triads with a fifth: ic3 (minor third / major sixth), ic4 and ic5 only; no seconds or tritones
    assert ic[0] == ic[1] == ic[5] == 0.0 and ic[2] > 0 and ic[3] > 0 and ic[4] > 0
    # the melody climbs the chord (root, third, fifth, octave): mostly upward steps
    assert vmaj[0, k("mel_up_frac")] > vmaj[0, k("mel_down_frac")]
    assert vmaj[0, k("reg_top_mean")] > vmaj[0, k("reg_bottom_mean")] > 0
    np.testing.assert_allclose(valence_features(major.notes, t0, t1), vmaj)
    with pytest.raises(ParameterError):
        major.valence_features(np.array([2.0]), np.array([1.0]))


def test_valence_features_follow_velocity_and_articulation():
    from mvemo.features.midi import VALENCE_FEATURE_NAMES

    k = VALENCE_FEATURE_NAMES.index
    soft, loud = midi_features(_progression(velocity=40)), midi_features(_progression(velocity=100))
    win = (np.array([0.0]), np.array([soft.duration]))
    assert (
        loud.valence_features(*win)[0, k("dyn_velocity_mean")] > soft.valence_features(*win)[0, k("dyn_velocity_mean")]
    )
    pm = _progression()
    for n in pm.instruments[0].notes:  # staccato: every note cut to a fifth of its length
        n.end = n.start + (n.end - n.start) / 5
    short = midi_features(pm).valence_features(*win)[0]
    legato = soft.valence_features(*win)[0]
    assert short[k("art_staccato_frac")] > legato[k("art_staccato_frac")]
    assert short[k("art_log_ratio")] < legato[k("art_log_ratio")]

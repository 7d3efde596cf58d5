"""Keys and chords spelled by key; tempo consistent between audio and notes (octave/metre handled)."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.features.harmony import KRUMHANSL_MAJOR, KRUMHANSL_MINOR, key_from_chroma, parse_chord
from mvemo.features.spelling import key_accidental, spell_chord, spell_key, spell_pitch_class
from mvemo.features.tempo import estimate_tempo, tempo_agreement, tempo_from_note_onsets

FLAT_MAJOR = {"F", "Bb", "Eb", "Ab", "Db"}
FLAT_MINOR = {"D", "G", "C", "F", "Bb", "Eb"}


@pytest.mark.parametrize("mode", ["major", "minor"])
def test_every_estimated_key_is_spelled_by_its_signature(mode):
    profile = KRUMHANSL_MAJOR if mode == "major" else KRUMHANSL_MINOR
    names = [key_from_chroma(np.roll(profile, pc), partials=False) for pc in range(12)]
    assert [k.mode for k in names] == [mode] * 12
    tonics = [k.tonic for k in names]
    flats = {t for t in tonics if "b" in t}
    assert flats == (FLAT_MAJOR if mode == "major" else FLAT_MINOR) - {"C", "D", "G", "F"}
    assert (tonics[8], tonics[3]) == (("Ab", "Eb") if mode == "major" else ("G#", "Eb"))


def test_spelling_keeps_pitch_classes():
    for tonic in range(12):
        for mode in ("major", "minor"):
            for pc in range(12):
                name = spell_pitch_class(pc, tonic, mode)
                assert parse_chord(f"{name}:maj")[0] == pc
                assert ("b" in name[1:]) <= (key_accidental(tonic, mode) in ("b", ""))
                assert ("#" in name) <= (key_accidental(tonic, mode) in ("#", ""))


def test_chords_in_a_flat_major():
    assert [spell_chord(c, "Ab", "major") for c in ("G#:maj", "D#:7", "C#:maj", "A#:min7/b7", "N")] == [
        "Ab:maj",
        "Eb:7",
        "Db:maj",
        "Bb:min7/b7",
        "N",
    ]
    assert spell_key("G#", "major") == "Ab" and spell_key("F#", "minor") == "F#"


def _clicks(onsets, sr=22050, dur=None):
    dur = dur or onsets.max() + 2
    y = np.zeros(int(sr * dur), np.float32)
    burst = np.random.default_rng(0).standard_normal(300).astype(np.float32) * np.hanning(300).astype(np.float32)
    for t in onsets:
        i = int(t * sr)
        y[i : i + 300] += burst[: len(y) - i]
    return y


def test_syncopated_rag_pattern_gives_the_beat_not_three_halves():
    """3+3+2 sixteenths over eighth-note bass at 120 BPM: peaks at 80 BPM fool a plain
    autocorrelation; audio and its notes must both give 120."""
    beat = 0.5
    onsets = np.unique(
        np.concatenate(
            [k * 2 * beat + np.array([0, 3, 6, 8, 11, 14]) * beat / 4 for k in range(20)]
            + [k * 2 * beat + np.arange(4) * beat / 2 for k in range(20)]
        )
    )
    audio = estimate_tempo(_clicks(onsets), 22050).bpm
    notes = tempo_from_note_onsets(onsets).bpm
    assert audio == pytest.approx(120, rel=0.03) and notes == pytest.approx(120, rel=0.03)
    assert tempo_agreement(audio, notes) == "same"


def test_tempo_agreement_octaves():
    assert tempo_agreement(60, 120) == "octave" and tempo_agreement(120, 80) == "metrical"
    assert tempo_agreement(0, 120) == "no"

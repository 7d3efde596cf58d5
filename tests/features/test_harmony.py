"""Tests for mvemo.features.harmony and mvemo.features.tempo on clips synthesised here."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

pytest.importorskip("librosa")

from mvemo.errors import ParameterError  # noqa: E402
from mvemo.features.harmony import (  # noqa: E402
    CHORD_QUALITIES,
    KRUMHANSL_MAJOR,
    N_ROOTS,
    ChordPosteriors,
    Key,
    _viterbi_loop,  # noqa: E402
    analyze_harmony,
    chord_posteriors,
    chord_templates,
    decode_chords,
    encode_chords,
    estimate_key,
    key_from_chroma,
    normalize_chords,
    parse_chord,
    recognize_chords,
)
from mvemo.features.tempo import estimate_tempo  # noqa: E402

SR = 22050
NOTE = {"C": 0, "C#": 1, "D": 2, "D#": 3, "E": 4, "F": 5, "F#": 6, "G": 7, "G#": 8, "A": 9, "A#": 10, "B": 11}
SHAPES = {"maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10)}


def _chord_audio(label: str, dur: float, rng: np.random.Generator) -> np.ndarray:
    """Bass root plus a close voicing, six decaying partials per note."""
    root, quality = label.split(":")
    r = NOTE[root]
    midis = [36 + r] + [60 + r + iv for iv in SHAPES[quality]]
    t = np.arange(int(dur * SR)) / SR
    y = np.zeros_like(t)
    for m in midis:
        f0 = 440 * 2 ** ((m - 69) / 12)
        for h in range(1, 7):
            y += h**-1.2 * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 2 * np.pi))
    return y * np.minimum(t / 0.01, 1) * np.exp(-t / 1.5)


def _progression(labels, dur=1.5, seed=0, snr_db=35.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = np.concatenate([_chord_audio(lab, dur, rng) for lab in labels])
    y = 0.5 * y / np.abs(y).max()
    y += rng.standard_normal(len(y)) * np.sqrt(np.mean(y**2)) * 10 ** (-snr_db / 20)
    return y.astype(np.float32)


def _share(segments, label) -> float:
    total = segments[-1].end - segments[0].start
    return sum(s.end - s.start for s in segments if s.label == label) / total


def test_sustained_c_major_triad():
    segs = recognize_chords(_progression(["C:maj"], dur=3.0), SR)
    assert segs[0].start == 0.0 and segs[-1].end == pytest.approx(3.0, abs=1e-3)
    assert _share(segs, "C:maj") > 0.9


def test_progression_labels_and_times():
    labels = ["C:maj", "A:min", "F:maj", "G:7"]
    segs = recognize_chords(_progression(labels, dur=1.5), SR)
    for i, lab in enumerate(labels):  # label at the middle of each chord
        mid = 1.5 * i + 0.75
        assert next(s.label for s in segs if s.start <= mid < s.end) == lab


def test_a_minor_progression_key():
    key = estimate_key(_progression(["A:min", "D:min", "E:7", "A:min", "F:maj", "E:7", "A:min"], seed=1), SR)
    assert (key.tonic, key.mode) == ("A", "minor") and key.label == "A minor"
    assert 0.5 < key.confidence <= 1.0


def test_g_major_progression_normalises_to_c():
    res = analyze_harmony(_progression(["G:maj", "C:maj", "D:7", "G:maj"], seed=2), SR)
    assert res.key.label == "G major"
    assert res.chords[0].label == "G:maj" and res.normalized[0].label == "C:maj"
    assert [s.label for s in res.normalized if s.end - s.start > 0.5] == ["C:maj", "F:maj", "G:7", "C:maj"]
    assert res.roots.dtype == np.int64 and res.roots.shape == res.qualities.shape == (len(res.chords),)


def test_normalize_chords_major_and_minor():
    segs = [(0.0, 1.0, "G:maj"), (1.0, 2.0, "D:7/3"), (2.0, 2.5, "N"), (2.5, 3.0, "Bb:min")]
    assert [s.label for s in normalize_chords(segs, Key("G", "major"))] == ["C:maj", "G:7", "N", "D#:min"]
    minor = normalize_chords([(0, 1, "E:min"), (1, 2, "B:7")], "E minor")
    assert [s.label for s in minor] == ["A:min", "E:7"]
    assert normalize_chords(segs, ("G", "major"))[1].start == 1.0
    with pytest.raises(ParameterError):
        normalize_chords(segs, "G dorian")


def test_encode_chords_vocabulary():
    roots, quals = encode_chords([(0, 1, "C:maj"), (1, 2, "A:min7"), (2, 3, "N"), (3, 4, "F#:sus4")])
    assert roots.tolist() == [0, 9, 12, 6] and N_ROOTS == 13
    assert [CHORD_QUALITIES[q] for q in quals] == ["maj", "min7", "N", "sus4"]
    assert {"maj", "min", "dim", "aug", "sus2", "sus4", "7", "maj7", "min7"} <= set(CHORD_QUALITIES)
    with pytest.raises(ParameterError, match="C:weird"):
        encode_chords([(0, 1, "C:weird")])


def test_parse_chord_and_templates():
    assert parse_chord("Db:maj7/3") == (1, "maj7") and parse_chord("G") == (7, "maj")
    assert parse_chord("X") == (None, "N") and parse_chord("E:9") == (4, "7")
    labels, t = chord_templates(["maj", "min"])
    assert len(labels) == 25 and labels[12] == "C:min" and t.shape == (25, 12)
    np.testing.assert_allclose(np.linalg.norm(t, axis=1), 1.0)
    assert np.argmax(t[labels.index("C:maj")]) in (0, 7)  # root (or its fifth via partials)
    with pytest.raises(ParameterError):
        chord_templates(["power"])


def test_viterbi_smoothing_reduces_segments():
    y = _progression(["C:maj", "F:maj"], dur=3.0, seed=3, snr_db=0.0)
    post = chord_posteriors(y, SR, harmonic=False)
    raw = decode_chords(post, self_prob=None)
    smooth = decode_chords(post, self_prob=0.95)
    assert len(smooth) < len(raw) and len(smooth) <= 4
    assert post.probs.shape == (len(post.labels), len(post.times))
    np.testing.assert_allclose(post.probs.sum(axis=0), 1.0, rtol=1e-6)


@pytest.mark.parametrize("p", [0.7, 0.15])  # 0.15 < 1/K: moving can beat staying
def test_viterbi_matches_brute_force(p):
    rng = np.random.default_rng(0)
    k, t_len = 4, 5
    log_obs = np.log(rng.dirichlet(np.ones(k), size=t_len).T)
    trans = np.full((k, k), math.log((1 - p) / (k - 1)))
    np.fill_diagonal(trans, math.log(p))

    def score(path):
        steps = zip(path[:-1], path[1:], range(1, t_len))
        return log_obs[path[0], 0] + sum(trans[a, b] + log_obs[b, i] for a, b, i in steps)

    best = max(itertools.product(range(k), repeat=t_len), key=score)
    assert score(_viterbi_loop(log_obs, p).tolist()) == pytest.approx(score(best))


def test_silence_is_no_chord():
    post = ChordPosteriors(("C:maj", "N"), np.array([[0.9, 0.1], [0.1, 0.9]]), np.array([0.0, 0.1]), 0.1, 0.2)
    assert [s.label for s in decode_chords(post, self_prob=None)] == ["C:maj", "N"]
    segs = recognize_chords(np.zeros(SR, np.float32), SR, harmonic=False)
    assert [s.label for s in segs] == ["N"]


def test_key_from_profiles_and_bad_input():
    assert key_from_chroma(np.roll(KRUMHANSL_MAJOR, 7), partials=False)[:2] == ("G", "major")
    with pytest.raises(ParameterError):
        recognize_chords(np.zeros((2, 100), np.float32), SR)
    with pytest.raises(ParameterError):
        recognize_chords(np.ones(SR, np.float32), SR, hop_length=1000)
    with pytest.raises(ParameterError, match="11025"):
        recognize_chords(np.ones(8000, np.float32), 8000)


def test_tempo_of_click_track_120_bpm():
    y = np.zeros(8 * SR, np.float32)
    n = int(0.01 * SR)
    click = np.sin(2 * np.pi * 1000 * np.arange(n) / SR) * np.exp(-np.arange(n) / (0.002 * SR))
    for t in np.arange(0.25, 7.9, 0.5):
        i = int(t * SR)
        y[i : i + n] += click.astype(np.float32)
    tempo = estimate_tempo(y, SR)
    assert tempo.bpm == pytest.approx(120.0, rel=0.02)
    assert len(tempo.beat_times) >= 10
    np.testing.assert_allclose(np.diff(tempo.beat_times), 0.5, atol=0.03)


def test_stft_chroma_recognises_a_progression_and_its_key():
    from mvemo.features.harmony import analyze_harmony

    labels = ["A:min", "D:min", "E:7", "A:min"]
    res = analyze_harmony(_progression(labels, dur=1.5, seed=3), SR, harmonic=False, method="stft")
    for i, lab in enumerate(labels):
        mid = 1.5 * i + 0.75
        assert next(s.label for s in res.chords if s.start <= mid < s.end) == lab
    assert res.key.label == "A minor"
    assert res.chords[-1].end == pytest.approx(6.0, abs=1e-3)


def test_stft_tuning_estimate_follows_detuning():
    from mvemo.features.chroma import _stft_power, _stft_tuning, resample_for_stft

    t = np.arange(3 * SR) / SR
    for cents in (-30.0, 0.0, 25.0):
        f0 = 220.0 * 2 ** (cents / 1200)
        y = sum(np.sin(2 * np.pi * h * f0 * t) / h for h in range(1, 6)).astype(np.float32)
        tuning = _stft_tuning(_stft_power(resample_for_stft(0.3 * y, SR), 2048, 1024), 2048)
        assert tuning == pytest.approx(cents / 100, abs=0.04)


def test_unknown_chroma_method_is_refused():
    from mvemo.features.harmony import analyze_harmony

    with pytest.raises(ParameterError, match="method"):
        analyze_harmony(_progression(["C:maj"], dur=1.0), SR, method="fft")


def test_tempo_of_silence_is_zero_without_beats():
    tempo = estimate_tempo(np.zeros(3 * SR, np.float32), SR)
    assert tempo.bpm == 0.0 and tempo.beat_times.size == 0


def test_tempo_of_click_track_90_bpm_with_a_prior_at_120():
    y = np.zeros(12 * SR, np.float32)
    n = int(0.01 * SR)
    click = np.sin(2 * np.pi * 1500 * np.arange(n) / SR) * np.exp(-np.arange(n) / (0.002 * SR))
    for t in np.arange(0.3, 11.8, 60 / 90):
        i = int(t * SR)
        y[i : i + n] += click.astype(np.float32)
    tempo = estimate_tempo(y, SR)
    assert tempo.bpm == pytest.approx(90.0, rel=0.02)
    np.testing.assert_allclose(np.diff(tempo.beat_times), 60 / 90, atol=0.03)


def test_key_profiles_by_name():
    from mvemo.features.harmony import ALBRECHT_SHANAHAN_MINOR, AUDIO_KEY_PROFILES, key_scores

    assert AUDIO_KEY_PROFILES == "albrecht"
    assert key_from_chroma(np.roll(ALBRECHT_SHANAHAN_MINOR, 2), partials=False, profiles="albrecht")[:2] == (
        "D",
        "minor",
    )
    # the default stays Krumhansl-Kessler (the MIDI features' key)
    v = np.random.default_rng(0).random(12)
    np.testing.assert_array_equal(key_scores(v), key_scores(v, profiles="krumhansl"))
    assert not np.allclose(key_scores(v), key_scores(v, profiles="albrecht"))
    with pytest.raises(ParameterError, match="'temperley'"):
        key_scores(v, profiles="temperley")


def test_maple_leaf_rag_audio_reads_a_flat_not_its_dominant():
    """The example's A strain dwells on E-flat 7: Krumhansl-Kessler read the dominant (E-flat
    major); the audio key's Albrecht-Shanahan profiles read A-flat major, as its MIDI does."""
    from pathlib import Path

    from mvemo.audio.io import load_audio
    from mvemo.features.chroma import _chroma_bass, resample_for_stft
    from mvemo.features.harmony import _sounding, analyze_harmony

    mp3 = Path(__file__).resolve().parents[2] / "examples" / "audio" / "joplin_maple_leaf_rag.mp3"
    y, sr = load_audio(mp3, sr=22050)
    y11 = resample_for_stft(y, sr)
    assert analyze_harmony(y, sr, harmonic=False, method="stft", y_stft=y11).key.label == "Ab major"
    ch, _, level = _chroma_bass(y, sr, hop_length=2048, harmonic=False, method="stft", y_stft=y11)
    assert key_from_chroma(ch[:, _sounding(level)], profiles="krumhansl").label == "Eb major"  # before

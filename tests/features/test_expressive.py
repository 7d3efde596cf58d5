"""Tests for mvemo.features.expressive on signals synthesised here, with known truth."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("librosa")

from mvemo.errors import ParameterError  # noqa: E402
from mvemo.features.expressive import (  # noqa: E402
    EXPRESSIVE_NAMES,
    EXPRESSIVE_SR,
    PitchTrack,
    expressive_features,
    melody_descriptors,
    roughness,
    tremolo,
)

SR = EXPRESSIVE_SR


def _tone(freq: np.ndarray, amp: np.ndarray | float = 1.0, sr: int = SR) -> np.ndarray:
    """Four harmonics (1/k) of an instantaneous frequency track (Hz per sample)."""
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return (0.3 * amp * sum(np.sin(k * phase) / k for k in range(1, 5))).astype(np.float32)


def _hz(midi):
    return 440.0 * 2 ** ((np.asarray(midi, float) - 69) / 12)


def _t(seconds, sr=SR):
    return np.arange(int(seconds * sr)) / sr


def _notes(pitches, *, on: float, period: float) -> np.ndarray:
    """Notes of ``on`` seconds every ``period`` seconds (5-ms ramps), then 0.5 s of silence."""
    y = np.zeros(int((len(pitches) * period + 0.5) * SR), np.float32)
    n = int(on * SR)
    ramp = np.minimum(1.0, np.minimum(_t(on), _t(on)[::-1]) / 0.005)
    for i, p in enumerate(pitches):
        s = int(i * period * SR)
        y[s : s + n] += _tone(np.full(n, _hz(p)), ramp)
    return y


def _named(v):
    assert v.shape == (len(EXPRESSIVE_NAMES),) and np.all(np.isfinite(v))
    return dict(zip(EXPRESSIVE_NAMES, v))


@pytest.fixture(scope="module")
def steady():
    return _named(expressive_features(_tone(np.full(int(4 * SR), 440.0)), SR))


def test_vibrato_6hz_50_cents_is_measured_as_that(steady):
    t = _t(4)
    d = _named(expressive_features(_tone(440 * 2 ** (0.5 * np.sin(2 * np.pi * 6 * t) / 12)), SR))
    assert d["vibrato_rate"] == pytest.approx(6.0, abs=0.2)
    assert d["vibrato_extent"] == pytest.approx(50.0, abs=7.0)
    assert d["vibrato_coverage"] > 0.9
    assert steady["vibrato_extent"] == 0 and steady["vibrato_coverage"] == 0
    assert steady["pitch_mean"] == pytest.approx(69.0, abs=0.1)  # register of A4


def test_vibrato_rate_follows_the_signal():
    t = _t(4)
    d = _named(expressive_features(_tone(330 * 2 ** (0.8 * np.sin(2 * np.pi * 5 * t) / 12)), SR))
    assert d["vibrato_rate"] == pytest.approx(5.0, abs=0.2)
    assert d["vibrato_extent"] == pytest.approx(80.0, abs=12.0)


def test_tremolo_4hz(steady):
    t = _t(4)
    d = _named(expressive_features(_tone(np.full(len(t), 440.0), 1 + 0.5 * np.sin(2 * np.pi * 4 * t)), SR))
    assert d["tremolo_rate"] == pytest.approx(4.0, abs=0.2)
    assert d["tremolo_depth"] == pytest.approx(0.5, abs=0.08)
    assert d["tremolo_coverage"] > 0.8
    assert steady["tremolo_depth"] == 0 and steady["tremolo_coverage"] == 0


def test_tremolo_function_on_an_envelope():
    fps = 43.0
    t = np.arange(int(6 * fps)) / fps
    rate, depth, coverage = tremolo(1 + 0.3 * np.sin(2 * np.pi * 7 * t), fps)
    assert rate == pytest.approx(7.0, abs=0.15) and depth == pytest.approx(0.3, abs=0.03) and coverage == 1.0
    assert tremolo(np.ones(200), fps) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("direction", [1, -1])
def test_glissando_direction_and_extent(direction, steady):
    t = _t(3)
    f = 220 * 2 ** (t / 3) if direction > 0 else 440 * 2 ** (-t / 3)  # one octave in 3 s
    d = _named(expressive_features(_tone(f), SR))
    assert d["glissando_direction"] == direction
    assert d["glissando_coverage"] > 0.8
    assert d["glissando_extent"] == pytest.approx(12.0, abs=1.5)
    assert steady["glissando_coverage"] == 0 and steady["glissando_extent"] == 0


def test_staccato_vs_legato():
    scale = [60, 62, 64, 65, 67, 65, 64, 62] * 2
    stac = _named(expressive_features(_notes(scale, on=0.1, period=0.4), SR))
    leg = _named(expressive_features(_notes(scale, on=0.4, period=0.4), SR))
    assert stac["staccato_share"] > 0.6 and stac["legato_share"] == 0
    assert leg["legato_share"] > 0.8 and leg["staccato_share"] == 0
    assert stac["articulation_mean"] < 0.55 and leg["articulation_mean"] > 0.9
    for d in (stac, leg):  # 16 notes every 0.4 s
        assert d["ioi_mean"] == pytest.approx(0.4, abs=0.05)
    assert leg["note_density"] == pytest.approx(16 / 6.9, rel=0.15)
    assert leg["note_dur_mean"] == pytest.approx(0.4, abs=0.08)
    assert stac["note_dur_mean"] < 0.25
    # the scale moves in steps, up and down
    assert leg["interval_step"] > 0.8 and leg["contour_up"] == pytest.approx(0.5, abs=0.1)


def test_major_triad_is_major_minor_triad_is_minor():
    t = _t(3)
    maj, mnr = [
        _named(expressive_features(sum(_tone(np.full(len(t), _hz(60 + i))) for i in chord), SR))
        for chord in ((0, 4, 7), (0, 3, 7))
    ]
    assert maj["mode_strength"] > 0 > mnr["mode_strength"]
    assert maj["key_clarity"] > 0.5 and mnr["key_clarity"] > 0.5


def test_roughness_orders_intervals_and_ignores_level():
    a = np.ones(2)
    minor_second = roughness(np.array([440.0, 466.16]), a)
    fifth = roughness(np.array([440.0, 660.0]), a)
    octave = roughness(np.array([440.0, 880.0]), a)
    assert minor_second > 10 * fifth > 10 * octave > 0
    assert roughness(np.array([440.0, 466.16]), 10 * a) == pytest.approx(minor_second)
    assert roughness(np.array([440.0]), np.ones(1)) == 0.0
    t = _t(3)
    dyad = {
        iv: _named(expressive_features(sum(_tone(np.full(len(t), _hz(60 + i))) for i in (0, iv)), SR)) for iv in (1, 7)
    }
    assert dyad[1]["roughness_mean"] > 3 * dyad[7]["roughness_mean"]


def test_crescendo_and_decrescendo(steady):
    t = _t(4)
    rising = 10 ** ((-40 + 10 * t) / 20)  # +10 dB/s
    up = _named(expressive_features(_tone(np.full(len(t), 440.0), rising), SR))
    down = _named(expressive_features(_tone(np.full(len(t), 440.0), rising[::-1]), SR))
    assert up["crescendo_share"] > 0.8 and up["decrescendo_share"] < 0.1
    assert down["decrescendo_share"] > 0.8 and down["crescendo_share"] < 0.1
    assert up["rms_range_db"] == pytest.approx(36.0, abs=4.0)  # 95th - 5th percentile of a 40-dB ramp
    assert steady["crescendo_share"] < 0.05 and steady["rms_range_db"] < 1.0


def test_melody_descriptors_on_a_known_pitch_track():
    fps = 40.0
    # C4 E4 G4 C5 G4, 0.5 s each, then 0.5 s unvoiced: intervals +4 +3 +5 -5
    midi = np.repeat([60.0, 64.0, 67.0, 72.0, 67.0, np.nan], 20)
    d = dict(zip(EXPRESSIVE_NAMES, melody_descriptors(PitchTrack(midi, fps))))
    assert d["voiced_fraction"] == pytest.approx(5 / 6)
    assert d["pitch_range"] == pytest.approx(12.0, abs=0.5)
    assert d["interval_third"] == pytest.approx(0.5) and d["interval_fourth_fifth"] == pytest.approx(0.5)
    assert d["interval_mean"] == pytest.approx(4.25)
    assert d["contour_up"] == pytest.approx(0.75) and d["contour_down"] == pytest.approx(0.25)
    assert d["contour_turns"] == pytest.approx(1 / 3)
    assert d["note_dur_mean"] == pytest.approx(0.5, abs=0.03) and d["ioi_mean"] == pytest.approx(0.5, abs=0.03)
    assert d["vibrato_coverage"] == 0 and d["glissando_coverage"] == 0


def test_resamples_and_crops_long_input():
    y = _tone(np.full(int(8 * 22050), 440.0), sr=22050)
    full = _named(expressive_features(y, 22050))
    short = _named(expressive_features(y, 22050, max_duration=2.0))
    assert full["pitch_mean"] == pytest.approx(69.0, abs=0.1) and short["pitch_mean"] == pytest.approx(69.0, abs=0.1)
    assert full["note_dur_mean"] > 3 * short["note_dur_mean"]


def test_bad_input_raises():
    with pytest.raises(ParameterError, match="mono"):
        expressive_features(np.zeros((2, SR)), SR)
    with pytest.raises(ParameterError, match="0.5 s"):
        expressive_features(np.zeros(100), SR)
    with pytest.raises(ParameterError, match="max_duration"):
        expressive_features(np.zeros(SR), SR, max_duration=0)


def test_silence_gives_zeros_not_nans():
    d = _named(expressive_features(np.zeros(2 * SR, np.float32), SR))
    assert d["voiced_fraction"] == 0 and d["note_density"] == 0 and d["vibrato_rate"] == 0


def test_expressive_arrays_share_one_analysis():
    from mvemo.features.expressive import N_MELS, TIMBRE_NAMES, expressive_arrays

    y = _tone(np.full(int(3 * SR), 440.0))
    a = expressive_arrays(y, SR)
    np.testing.assert_allclose(a["expressive"], expressive_features(y, SR))
    assert a["timbre"].shape == (len(TIMBRE_NAMES),) and np.all(np.isfinite(a["timbre"]))
    assert a["logmel"].shape[0] == N_MELS and a["logmel"].dtype == np.float16
    # a 440-Hz tone: the spectral centroid lies between the fundamental and its 4th harmonic
    centroid = dict(zip(TIMBRE_NAMES, a["timbre"]))["centroid_mean"]
    assert 440 < centroid < 1760

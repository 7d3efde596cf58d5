"""Informative targets: agreement statistics, soft targets and the per-source rules."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy.special import i0, i1

from mvemo.conversion import quadrant_to_label, va_to_label
from mvemo.conversion.informative import (
    WEIGHTS,
    InformativeTarget,
    agreement,
    category_distribution,
    dynamic_from_va,
    from_4q_words,
    from_quadrant,
    from_va,
    from_votes,
    from_words,
    kappa_from_rho,
    level_distribution,
    rho_from_va_spread,
    soft_target,
    soft_targets,
)
from mvemo.conversion.point import LEVELS, summarize
from mvemo.conversion.quadrant import category_quadrants
from mvemo.errors import ParameterError
from mvemo.representation import CATEGORIES, default_circumplex


def _units(deg):
    t = np.deg2rad(np.asarray(deg, dtype=float))
    return np.stack([np.cos(t), np.sin(t)], axis=1)


# -- agreement ----------------------------------------------------------------------
def test_agreement_of_identical_directions_is_one():
    a = agreement(_units([40.0, 40.0, 40.0]))
    assert a.theta == pytest.approx(40.0)
    assert a.resultant == pytest.approx(1.0) and a.rho == pytest.approx(1.0) and a.n_eff == 3.0


def test_agreement_equals_pairwise_phase_consistency_for_unit_vectors():
    deg = [10.0, 80.0, 200.0, 35.0, 60.0]
    a = agreement(_units(deg))
    n = len(deg)
    ppc = (n * a.resultant**2 - 1) / (n - 1)
    assert a.rho == pytest.approx(math.sqrt(ppc))
    # it is the mean cosine over pairs of different observations
    t = np.deg2rad(deg)
    pairs = [math.cos(t[i] - t[j]) for i in range(n) for j in range(n) if i != j]
    assert a.rho**2 == pytest.approx(np.mean(pairs))


def test_random_directions_have_resultant_about_one_over_sqrt_n_but_agreement_near_zero():
    rng = np.random.default_rng(0)
    for n in (3, 6, 20):
        rs, rho2 = [], []
        for _ in range(2000):
            a = agreement(_units(rng.uniform(0, 360, n)))
            rs.append(a.resultant**2)
            # unclipped estimate: rho^2 from the same numbers
            rho2.append((n * a.resultant**2 - 1) / (n - 1))
        assert np.mean(rs) == pytest.approx(1 / n, rel=0.1)
        assert abs(np.mean(rho2)) < 0.02


def test_agreement_weights_and_single_observation():
    a = agreement(_units([0.0, 90.0]), [3.0, 1.0])
    assert a.theta == pytest.approx(math.degrees(math.atan2(1, 3)))
    assert a.n_eff == pytest.approx(16 / 10)
    assert math.isnan(agreement(_units([30.0])).rho)
    with pytest.raises(ParameterError, match="cancel"):
        agreement(_units([0.0, 180.0]))
    with pytest.raises(ParameterError):
        agreement(_units([0.0]), [-1.0])


def test_kappa_inverts_the_von_mises_resultant():
    for rho in (0.1, 0.3, 0.5, 0.7, 0.9, 0.95):
        k = kappa_from_rho(rho)
        assert i1(k) / i0(k) == pytest.approx(rho, abs=0.01)
    assert kappa_from_rho(1.0) == 50.0


def test_rho_from_va_spread_matches_monte_carlo():
    rng = np.random.default_rng(1)
    for d, s in ((0.3, 0.3), (0.6, 0.2), (0.1, 0.5)):
        x = rng.normal([d, 0.0], s, size=(200_000, 2))
        mc = (x / np.linalg.norm(x, axis=1, keepdims=True)).mean(axis=0)[0]
        assert rho_from_va_spread(d, s) == pytest.approx(mc, abs=0.01)
    assert rho_from_va_spread(0.5, 0.0) == 1.0
    assert rho_from_va_spread(0.0, 0.3) == 0.0


# -- soft targets -------------------------------------------------------------------
@pytest.mark.parametrize("x", [0.0, 0.04, 0.25, 0.5, 0.73, 0.96, 1.0])
def test_level_distribution_has_the_intensity_as_mean(x):
    lv = level_distribution(x)
    assert lv.sum() == pytest.approx(1.0) and np.all(lv >= 0)
    assert lv @ LEVELS == pytest.approx(x)
    if abs(x * 10 - round(x * 10) - 0.5) > 0.1:  # away from a half step the mode is the rounded level
        assert LEVELS[lv.argmax()] == pytest.approx(round(x, 1))


def test_soft_targets_summarize_to_their_label():
    rng = np.random.default_rng(2)
    circ = default_circumplex()
    for _ in range(500):
        theta = float(rng.uniform(0, 360))
        rho = float(rng.uniform(0, 1))
        c = int(circ.category_index_of(theta))
        share = None if rng.random() < 0.5 else float(rng.uniform(0.55, 1.0))
        grid = soft_target(theta, rho, kappa_from_rho(rho), c, quadrant_share=share)
        pt = summarize(grid)
        assert pt.category == CATEGORIES[c]
        assert pt.intensity == pytest.approx(round(rho + 1e-9, 1))
        q = int(category_quadrants()[c])
        if share is not None:
            assert pt.quadrant_probabilities[f"Q{q + 1}"] == pytest.approx(share)


def test_concentration_controls_the_spread_over_categories():
    c = CATEGORIES.index("sad")
    theta = float(default_circumplex().angles[c])
    wide = category_distribution(theta, kappa_from_rho(0.2), c)
    sharp = category_distribution(theta, kappa_from_rho(0.95), c)

    def entropy(p):
        return float(-(p * np.log(p + 1e-300)).sum())

    assert entropy(wide) > entropy(sharp) + 0.5
    assert sharp.argmax() == wide.argmax() == c


# -- words and votes ----------------------------------------------------------------
def test_from_words_agreement_gives_the_intensity():
    agree = from_words({"sad": 1, "gloomy": 1, "melancholic": 1})
    mixed = from_words({"sad": 1, "gloomy": 1, "melancholic": 1, "happy": 1, "calm": 1})
    assert agree.category == "sad" and agree.intensity >= 0.9 and agree.weight == WEIGHTS["words"]
    assert mixed.intensity < agree.intensity
    assert agree.n == 3.0


def test_from_words_leaves_out_words_without_meaning_and_unknown_words():
    base = from_words(["sad", "gloomy"])
    assert from_words(["sad", "gloomy", "christmas", "no-such-word"]) == base
    assert from_words(["christmas", "film"]) is None
    assert from_words(["sad", "happy"]) is None or from_words(["sad", "happy"]).intensity == 0.0
    one = from_words(["angry"])
    assert one.category == "angry" and one.intensity == 0.5  # one word: agreement unknown


def test_from_words_direction_is_the_papers_circular_mean():
    from mvemo.conversion import default_word_map
    from mvemo.data.labels import static_from_words

    w = {"tenderness": 0.4, "calmness": 0.3, "sadness": 0.2, "power": 0.1}
    paper, _ = static_from_words(w, word_map=default_word_map())
    assert from_words(w).category == paper["category"]


def test_from_votes_counts_raters_and_their_disagreement():
    unanimous = from_votes([["sadness"]] * 10)
    split = from_votes([["sadness"]] * 5 + [["joyful_activation"]] * 5 + [["calmness"]] * 3)
    torn = from_votes([["sadness", "joyful_activation"]] * 10)  # each rater ticks opposites
    assert unanimous.intensity == 1.0 and unanimous.n == 10.0
    assert split.intensity < 0.5
    from mvemo.conversion import default_word_map

    circ, wm = default_circumplex(), default_word_map()
    u = _units([circ.angles[circ.index(wm.category(w))] for w in ("sadness", "joyful_activation")]).mean(axis=0)
    assert torn.agreement == pytest.approx(float(np.hypot(*u)))  # identical torn raters: rho = |u|
    assert torn.agreement < 0.3
    assert from_votes([[], ["christmas"]]) is None


def test_from_4q_words_category_in_quadrant_and_intensity_from_pquad():
    t = from_4q_words(["Sad", "Gloomy", "Melancholy", "Cheerful"], "Q3", 0.75)
    assert t.quadrant == "Q3" and t.rule == "4q-words" and t.quadrant_share == 0.75
    inside = from_words(["Sad", "Gloomy", "Melancholy"])
    assert t.agreement == pytest.approx(0.75 * inside.agreement)
    lower = from_4q_words(["Sad", "Gloomy", "Melancholy", "Cheerful"], "Q3", 0.55)
    assert lower.agreement < t.agreement
    # no word of the clip lies in its quadrant: the paper conversion at half weight
    fb = from_4q_words(["Cheerful", "Happy"], "Q3", 0.6)
    assert fb.rule == "quadrant" and fb.category == "depressed" and fb.weight == 0.5
    pt = summarize(t.soft())
    assert (pt.category, pt.intensity, pt.quadrant) == (t.category, t.intensity, "Q3")


def test_from_4q_words_keeps_the_category_inside_the_labelled_quadrant():
    # tense (92.8 deg) is Q2 by its word angle; a Q1 clip of "aroused"-like words stays Q1
    for quadrant, words in (("Q1", ["aroused", "intense", "energetic"]), ("Q4", ["sleepy", "calm"])):
        t = from_4q_words(words, quadrant, 1.0)
        assert t.quadrant == quadrant


# -- valence-arousal ----------------------------------------------------------------
def test_from_va_certainty_shrinks_with_the_spread():
    ints = [from_va(7.0, 6.5, scale="1-9", valence_std=s, arousal_std=s).agreement for s in (0.5, 1, 2, 3)]
    assert all(a > b for a, b in itertools.pairwise(ints))
    t = from_va(7.0, 6.5, scale="1-9", valence_std=1.0, arousal_std=1.0)
    assert t.category == va_to_label(7.0, 6.5, scale="1-9").category and t.rule == "va-spread"


def test_from_va_without_spread_is_the_paper_label_at_lower_weight():
    t = from_va(0.8, 0.3, scale="0-1")
    paper = va_to_label(0.8, 0.3, scale="0-1")
    assert (t.category, t.intensity) == (paper.category, paper.intensity)
    assert t.rule == "va" and t.weight < 1.0


def test_dynamic_from_va_frames():
    frames = dynamic_from_va(
        [15.0, 15.5, 16.0],
        [0.5, float("nan"), -0.4],
        [0.2, 0.1, -0.3],
        scale="-1-1",
        valence_std=[0.1, 0.1, 0.6],
        arousal_std=[0.1, 0.1, 0.6],
    )
    assert [f["time"] for f in frames] == [15.0, 16.0]
    assert frames[0]["intensity"] > frames[1]["intensity"]
    with pytest.raises(ParameterError):
        dynamic_from_va([1.0], [0.1, 0.2], [0.1], scale="-1-1")


# -- quadrants and serialisation ----------------------------------------------------
@pytest.mark.parametrize("q", ["Q1", "Q2", "Q3", 4])
def test_from_quadrant_is_the_paper_conversion(q):
    t = from_quadrant(q)
    paper = quadrant_to_label(q)
    assert (t.category, t.intensity, t.weight, t.rule) == (paper.category, paper.intensity, 0.5, "quadrant")
    soft = t.soft()
    quads = category_quadrants()
    assert soft[quads != quads[t.category_index]].sum() == pytest.approx(0.0)


def test_target_round_trips_through_json_and_stacks():
    t = from_4q_words(["Sad", "Gloomy", "Melancholy", "Cheerful"], "Q3", 0.75)
    back = InformativeTarget.from_dict(json.loads(json.dumps(t.to_dict())))
    assert back.category == t.category and back.intensity == t.intensity
    assert np.allclose(back.soft(), t.soft(), atol=1e-3)
    grids, weights = soft_targets([t, from_quadrant("Q1").to_dict()])
    assert grids.shape == (2, 28, 11) and weights.tolist() == [1.0, 0.5]
    with pytest.raises(ParameterError):
        InformativeTarget.from_dict({"category": "sad"})
    with pytest.raises(ParameterError):
        InformativeTarget.from_dict({**t.to_dict(), "rule": "guess"})


@pytest.mark.shared_data
def test_real_4q_targets_are_informative_and_coherent(shared_data):
    import csv

    path = shared_data / "4q_panda2018" / "metadata.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ts = [from_4q_words(r["MoodsStr"].split(";"), r["Quadrant"], float(r["PQuad"])) for r in rows]
    inten = np.array([t.intensity for t in ts])
    assert inten.std() >= 0.1 and len(set(inten.tolist())) >= 6
    assert len({t.category for t in ts}) >= 14
    for t, r in zip(ts, rows):
        assert t.quadrant == r["Quadrant"]
        pt = summarize(t.soft())
        assert (pt.category, pt.intensity) == (t.category, t.intensity)


# -- word-map coverage --------------------------------------------------------------
def _build_word_map_script():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "build_word_map.py"
    spec = importlib.util.spec_from_file_location("build_word_map", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_word_map"] = module
    spec.loader.exec_module(module)
    return module


def test_coverage_counts_occurrences_not_distinct_words():
    from collections import Counter

    from mvemo.conversion.words import WordMap

    bwm = _build_word_map_script()
    wm = WordMap.from_dict({"sad": "sad", "film": None})
    (row,) = bwm.coverage({"mine": Counter({"sad": 8, "film": 1, "unknown": 1})}, wm)
    assert (row["occurrences"], row["placed"], row["distinct"]) == (10, 8, 3)
    assert row["share"] == pytest.approx(0.8) and dict(row["left_out"]) == {"film": 1, "unknown": 1}


@pytest.mark.shared_data
def test_word_map_places_95_percent_of_the_4q_mood_occurrences(shared_data):
    from mvemo.conversion.words import default_word_map

    bwm = _build_word_map_script()
    rows = {r["vocabulary"]: r for r in bwm.coverage(bwm.word_occurrences(shared_data), default_word_map())}
    assert rows["allmusic-4q"]["share"] >= 0.95
    assert rows["emotify-gems9"]["share"] == 1.0 and rows["muvi"]["share"] == 1.0

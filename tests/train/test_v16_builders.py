"""Issue #16 builders: the symbolic v4 intensity-rule choice and the lyrics v3 category temperature."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")

from mvemo.conversion.quadrant import conform_categories  # noqa: E402
from mvemo.metrics.calibration import apply_temperature  # noqa: E402
from mvemo.train.lyrics_v3 import fit_category_temperature  # noqa: E402
from mvemo.train.symbolic.informative import choose_level_rules, meets_intensity_goal  # noqa: E402


def _rep(std, n_levels, static_de, dyn_de):
    return {
        "static_intensity": {"std": std, "levels": [i / 10 for i in range(n_levels)]},
        "informative": {"emotion_distance": static_de},
        "informative_dynamic": {"emotion_distance": dyn_de},
    }


def test_intensity_goal():
    assert meets_intensity_goal({"std": 0.10, "levels": list(range(6))})
    assert not meets_intensity_goal({"std": 0.099, "levels": list(range(9))})
    assert not meets_intensity_goal({"std": 0.3, "levels": list(range(5))})


def test_choose_level_rules():
    # the head misses the goal statically: certainty wins there even at a higher D_e;
    # the dynamic rule goes by the informative frames' D_e
    static, dynamic, why = choose_level_rules(_rep(0.069, 5, 0.29, 0.47), _rep(0.2, 9, 0.41, 0.48))
    assert (static, dynamic) == ("certainty", "head")
    assert why["static_meets_goal"] == {"head": False, "certainty": True}
    # both meet the goal: the lower static D_e; dynamic: certainty when it is better
    static, dynamic, _ = choose_level_rules(_rep(0.12, 7, 0.30, 0.50), _rep(0.2, 9, 0.41, 0.45))
    assert (static, dynamic) == ("head", "certainty")
    # neither meets it: the head
    assert choose_level_rules(_rep(0.0, 1, 0.2, 0.5), _rep(0.05, 3, 0.3, 0.5))[0] == "head"


def test_category_temperature_recovers_a_known_sharpening():
    rng = np.random.default_rng(0)
    n = 3000
    logits = rng.normal(size=(n, 28)) * 1.5
    quad = rng.dirichlet(np.ones(4) * 2, size=n)
    true = conform_categories(apply_temperature(logits, 0.5), quad)  # the truth is twice as sharp
    y = np.array([rng.choice(28, p=p / p.sum()) for p in true])
    t = fit_category_temperature(apply_temperature(logits, 1.0), quad, y, t_q=1.0)
    assert abs(t - 0.5) < 0.08


def test_shipped_cards_are_what_their_reports_write():
    """The lyrics v3 and symbolic v4 cards regenerate byte for byte from the reports shipped beside them."""
    import json
    from importlib import resources

    from mvemo.train.lyrics_v3 import v3_card
    from mvemo.train.symbolic.informative import CARD_COMMAND, v4_card

    weights = resources.files("mvemo.models") / "weights"
    for name, card in (
        ("lyrics-minilm-lex-bow-v3", v3_card),
        ("symbolic-emopia-vgmidi-v4", lambda r: v4_card(r, command=CARD_COMMAND)),
    ):
        report = json.loads((weights / f"{name}.json").read_text(encoding="utf-8"))
        assert card(report) == (weights / f"{name}.md").read_text(encoding="utf-8"), name

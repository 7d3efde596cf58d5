import numpy as np
import pytest

from mvemo.conversion.grids import grid_of_label
from mvemo.conversion.point import coherence_problems, summarize
from mvemo.models.fusion import (
    N_FUSION_INPUTS,
    category_distribution,
    confidence,
    fuse_dynamic,
    fuse_static,
    fusion_input,
    quadrant_distribution,
    static_from_distribution,
)
from mvemo.representation import CATEGORIES


def _static(cat, v, a, inten, peak=0.9):
    p = np.full(len(CATEGORIES), (1 - peak) / (len(CATEGORIES) - 1))
    p[CATEGORIES.index(cat)] = peak
    return static_from_distribution(p, v, a, inten)


def test_confidence_is_one_minus_normalised_entropy():
    assert confidence([1, 0, 0]) == 1.0 and confidence([1, 1, 1]) == 0.0
    assert 0 < confidence([0.7, 0.2, 0.1]) < 1
    assert confidence({"a": 0.5, "b": 0.5}) == 0.0


def test_category_distribution_and_quadrants():
    p = category_distribution(np.array([0.8, -0.8, 0.0]), np.array([0.8, -0.6, 0.0]))
    assert p.shape == (3, 28) and np.allclose(p.sum(1), 1)
    assert CATEGORIES[p[0].argmax()] == "excited" and confidence(p[2]) < 1e-9  # origin: uniform
    q = quadrant_distribution(p)
    assert q[0].argmax() == 0 and q[1].argmax() == 2 and np.allclose(q.sum(1), 1)


def test_static_fusion_weights_by_confidence():
    music = _static("sad", -0.6, -0.4, 0.7, peak=0.95)
    video = _static("excited", 0.6, 0.6, 0.5, peak=0.2)
    cm, cv = confidence(music["probabilities"]), confidence(video["probabilities"])
    fused = fuse_static({"music": music, "video": video}, {"music": cm, "video": cv})
    w = cm / (cm + cv)
    assert fused["category"] == "sad" and w > 0.5
    # the fused fields are those of the confidence-weighted mixture of the modalities' grids
    mix = w * grid_of_label(music["probabilities"], "sad", -0.6, -0.4) + (1 - w) * grid_of_label(
        video["probabilities"], "excited", 0.6, 0.6
    )
    pt = summarize(mix)
    assert (fused["category"], fused["intensity"], fused["quadrant"]) == (pt.category, pt.intensity, pt.quadrant)
    assert fused["valence"] == pytest.approx(pt.valence, abs=1e-4) and fused["valence"] < 0
    assert fused["probabilities"]["sad"] == pytest.approx(w * 0.95 + (1 - w) * 0.8 / 27, abs=1e-4)
    assert abs(sum(fused["probabilities"].values()) - 1) < 1e-3 and fused["quadrant"] == "Q3"
    assert (
        coherence_problems(fused["category"], fused["intensity"], fused["valence"], fused["arousal"], fused["quadrant"])
        == []
    )
    # equal weights when no modality is confident: the music's peak still carries the mixture
    even = fuse_static({"music": music, "video": video}, {"music": 0.0, "video": 0.0})
    assert even["probabilities"]["sad"] == pytest.approx(0.5 * 0.95 + 0.5 * 0.8 / 27, abs=1e-4)


def test_dynamic_fusion_over_the_union_of_times():
    m = [
        {"time": 2.5, "category": "sad", "intensity": 0.6, "valence": -0.5, "arousal": -0.3},
        {"time": 3.0, "category": "sad", "intensity": 0.6, "valence": -0.5, "arousal": -0.3},
    ]
    v = [
        {"time": 3.0, "category": "happy", "intensity": 0.4, "valence": 0.5, "arousal": 0.1},
        {"time": 3.5, "category": "happy", "intensity": 0.4, "valence": 0.5, "arousal": 0.1},
    ]
    out = fuse_dynamic({"music": m, "video": v}, {"music": 3.0, "video": 1.0})
    assert [d["time"] for d in out] == [2.5, 3.0, 3.5]
    assert [d["modalities"] for d in out] == [["music"], ["music", "video"], ["video"]]
    assert out[0]["category"] == "sad" and out[2]["category"] == "happy"
    assert out[1]["category"] == "sad" and out[1]["valence"] < 0
    for d in out:
        assert coherence_problems(d["category"], d["intensity"], d["valence"], d["arousal"]) == []
    # one modality alone: its one-hot category at its point's relative radius
    from mvemo.conversion.va import va_to_polar

    assert out[0]["intensity"] == round(float(va_to_polar(-0.5, -0.3)[1]), 1) == 0.5
    assert out[2]["intensity"] == round(float(va_to_polar(0.5, 0.1)[1]), 1)


def test_fusion_input_and_head():
    x = fusion_input({"music": _static("calm", 0.3, -0.5, 0.5), "lyrics": None}, {"music": 0.4})
    assert x.shape == (N_FUSION_INPUTS,) and x[0] == 1.0 and x[1] == 0.4
    assert np.all(x[7:] == 0)  # video and lyrics absent
    torch = pytest.importorskip("torch")
    from mvemo.models.fusion import FusionHead

    with torch.no_grad():
        out = FusionHead()(torch.zeros(4, N_FUSION_INPUTS))
    assert out["category"].shape == (4, 28) and out["va"].shape == (4, 2) and out["intensity"].shape == (4,)
    assert float(out["va"].abs().max()) <= 1 and 0 <= float(out["intensity"].min())

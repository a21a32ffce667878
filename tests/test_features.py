"""``transform``: the learned features of the recurrent estimators."""

import numpy as np
import pandas as pd
import pytest
from helpers import separable_text
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceGenerator,
    Word2VecTransformer,
    load,
    make_windows,
    save,
)

TINY = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
rng = np.random.default_rng(0)
X2 = rng.normal(size=(30, 10))
Y = (X2[:, 0] > 0).astype(int)
RAGGED = [rng.normal(size=(int(rng.integers(3, 12)), 2)) for _ in range(30)]
SERIES = np.sin(0.3 * np.arange(80)) + 0.1 * rng.normal(size=80)
COVARIATE = np.cos(0.3 * np.arange(80))


def _ids():
    docs, labels = separable_text(40)
    w2v = Word2VecTransformer(output="ids", vector_size=4, min_count=1, random_state=0)
    return w2v.fit_transform(docs), labels


def _windows():
    return make_windows(SERIES, lookback=8)


def _covariate_windows():
    return make_windows(SERIES, lookback=8, past_covariates=COVARIATE)


# case -> (an unfitted estimator, X, y, features per row)
CASES = {
    "classifier numeric": (SequenceClassifier(**TINY), X2, Y, 16),
    "classifier ragged": (SequenceClassifier(**TINY), RAGGED, Y, 16),
    "classifier word ids": (SequenceClassifier(**TINY), *_ids(), 16),
    "classifier last": (SequenceClassifier(pooling="last", **TINY), X2, Y, 8),
    "forecaster windows": (RNNForecaster(**TINY), *_windows(), 4),
    "forecaster covariates": (
        RNNForecaster(n_past_covariates=1, **TINY),
        *_covariate_windows(),
        4,
    ),
    "generator vectors": (SequenceGenerator(**TINY), X2, np.cumsum(X2, axis=1), 4),
    "generator ragged": (SequenceGenerator(**TINY), RAGGED, ["ab", "ba"] * 15, 4),
    "generator word ids": (
        SequenceGenerator(**TINY),
        _ids()[0],
        [["a"], ["b", "c"]] * 20,
        4,
    ),
}


def _rows(X, index):
    if isinstance(X, list):
        return [X[i] for i in index]
    return X[index]


@pytest.mark.parametrize("case", CASES)
def test_transform_gives_one_row_of_features_per_sequence(case):
    est, X, y, width = CASES[case]
    est = clone(est).fit(X, y)
    Z = est.transform(X)
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    assert Z.shape == (n, width) and Z.dtype == np.float64
    assert np.isfinite(Z).all() and Z.std(axis=0).max() > 0
    names = est.get_feature_names_out()
    prefix = type(est).__name__.lower()
    assert list(names) == [f"{prefix}{i}" for i in range(width)]
    # a row does not depend on its batch-mates: alone, reversed, or in a subset
    order = np.arange(n)[::-1]
    np.testing.assert_allclose(est.transform(_rows(X, order)), Z[order], atol=1e-6)
    np.testing.assert_allclose(est.transform(_rows(X, [3])), Z[[3]], atol=1e-6)
    # fit_transform is fit, then transform
    np.testing.assert_array_equal(clone(est).fit_transform(X, y), Z)


@pytest.mark.parametrize(
    "case", ["classifier numeric", "forecaster covariates", "generator vectors"]
)
def test_transform_survives_the_safe_file(case, tmp_path):
    est, X, y, _ = CASES[case]
    est = clone(est).fit(X, y)
    save(est, tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors")
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))


def test_pandas_output_names_the_columns_and_keeps_the_index():
    frame = pd.DataFrame(X2, index=[f"s{i}" for i in range(30)])
    clf = SequenceClassifier(**TINY).set_output(transform="pandas").fit(frame, Y)
    out = clf.transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == list(frame.index)
    assert list(out.columns) == list(clf.get_feature_names_out())
    np.testing.assert_array_equal(
        out.to_numpy(), SequenceClassifier(**TINY).fit(X2, Y).transform(X2)
    )


def test_classifier_features_feed_a_linear_model():
    clf = SequenceClassifier(**{**TINY, "max_epochs": 20})
    features = make_pipeline(clf, LogisticRegression())
    # a pipeline's intermediate step is fitted with y, then transforms
    features.fit(X2, Y)
    assert features.score(X2, Y) > 0.8


def test_transform_refuses_bad_input():
    with pytest.raises(NotFittedError):
        SequenceClassifier(**TINY).transform(X2)
    clf = SequenceClassifier(**TINY).fit(RAGGED, Y)
    with pytest.raises(ValueError, match="channels"):
        clf.transform([seq[:, :1] for seq in RAGGED])
    with pytest.raises(ValueError, match="NaN|finite"):
        clf.transform([np.full((4, 2), np.nan)])
    gen = SequenceGenerator(**TINY).fit(X2, np.cumsum(X2, axis=1))
    with pytest.raises(ValueError, match="features"):
        gen.transform(X2[:, :5])

"""sample_weight: a weight of k counts a sample as k copies of it, through routing too."""

import numpy as np
import pytest
import sklearn
import torch
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceEncoder,
    SequenceGenerator,
    make_windows,
)
from sklearn_seq.datasets import load_italy_power_demand

# one batch per epoch (batch_size above the sample count), so duplicating a sample
# changes no batch: the weighted and the duplicated fits are the same sums
ONE_BATCH = {"hidden_size": 8, "max_epochs": 5, "batch_size": 256, "random_state": 0}
# float32 training summed in another order: agreement to float rounding, not bits
RTOL = 1e-6
# batch normalization (the classifier's conv front end) and dropout see a repeated
# sample as two samples, so exact equivalence needs the network without them
PLAIN = {"front_end": None, "dropout": 0.0}


def _italy(n=40):
    X_train, X_test, y_train, _ = load_italy_power_demand(return_X_y=True)
    return X_train[:n], y_train[:n], X_test[:50]


def _series_windows(n=60):
    series = np.sin(0.2 * np.arange(n + 10)) + 0.01 * np.arange(n + 10)
    return make_windows(series, lookback=10)


def _duplicated(X, y, idx):
    X_dup = X + [X[i] for i in idx] if isinstance(X, list) else np.concatenate([X, X[idx]])
    y_dup = y + [y[i] for i in idx] if isinstance(y, list) else np.concatenate([y, y[idx]])
    weights = np.ones(len(y))
    weights[idx] += 1
    return X_dup, y_dup, weights


def _cases():
    X, y, X_new = _italy()
    yield (
        "classifier",
        SequenceClassifier(class_weight="balanced", **PLAIN, **ONE_BATCH),
        X,
        y,
        X_new,
    )
    X, y = _series_windows()
    # no calibration: it splits the windows in time order, and the copies come last
    yield "forecaster", RNNForecaster(calibration_fraction=None, **ONE_BATCH), X, y, X
    rng = np.random.RandomState(0)
    V = rng.rand(40, 3)
    yield "generator", SequenceGenerator(**ONE_BATCH), V, np.cumsum(V, axis=1), V
    X, y, X_new = _italy()
    # the reconstruction: the masked objective draws masks per sample, as dropout draws
    yield (
        "encoder",
        SequenceEncoder(objective="reconstruct", **PLAIN, **ONE_BATCH),
        X,
        y,
        X_new,
    )


@pytest.mark.parametrize("name, est, X, y, X_new", list(_cases()), ids=lambda v: v)
def test_doubling_a_weight_equals_duplicating_the_sample(name, est, X, y, X_new):
    idx = np.arange(0, 10, 2)
    X_dup, y_dup, weights = _duplicated(X, y, idx)
    method = {"classifier": "predict_proba", "encoder": "transform"}.get(name, "predict")
    weighted = getattr(clone(est).fit(X, y, sample_weight=weights), method)(X_new)
    duplicated = getattr(clone(est).fit(X_dup, y_dup), method)(X_new)
    plain = getattr(clone(est).fit(X, y), method)(X_new)
    assert_allclose(weighted, duplicated, rtol=RTOL, atol=1e-7)
    assert np.abs(weighted - plain).max() > 100 * np.abs(weighted - duplicated).max()


def test_token_targets_weigh_each_sample_by_its_tokens():
    rng = np.random.RandomState(1)
    seqs = [rng.rand(rng.randint(3, 7), 2) for _ in range(30)]
    words = ["ab" if s[:, 0].mean() > 0.5 else "bba" for s in seqs]
    gen = SequenceGenerator(**ONE_BATCH)
    X_dup, y_dup, weights = _duplicated(seqs, words, np.array([0, 1, 2]))
    weighted = clone(gen).fit(seqs, words, sample_weight=weights)
    duplicated = clone(gen).fit(X_dup, y_dup)
    assert_allclose(
        weighted.net_.history[-1, "train_loss"],
        duplicated.net_.history[-1, "train_loss"],
        rtol=RTOL,
    )


def test_zero_weight_is_leaving_the_sample_out():
    X, y, X_new = _italy()
    weights = np.ones(len(y))
    weights[:6] = 0
    est = SequenceClassifier(**PLAIN, **ONE_BATCH)
    weighted = clone(est).fit(X, y, sample_weight=weights).predict_proba(X_new)
    left_out = clone(est).fit(X[6:], y[6:]).predict_proba(X_new)
    assert_allclose(weighted, left_out, rtol=RTOL, atol=1e-7)


def test_grid_search_and_pipeline_route_sample_weight():
    X, y, X_new = _italy()
    weights = np.where(y == y[0], 5.0, 1.0)
    est = SequenceClassifier(**ONE_BATCH)
    expected = clone(est).fit(X, y, sample_weight=weights).predict_proba(X_new)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = clone(est).set_fit_request(sample_weight=True)
        routed.set_score_request(sample_weight=True)
        search = GridSearchCV(routed, {"hidden_size": [8]}, cv=2).fit(
            X, y, sample_weight=weights
        )
        pipe = Pipeline([("identity", FunctionTransformer()), ("rnn", clone(routed))])
        pipe.fit(X, y, sample_weight=weights)
    assert_allclose(search.best_estimator_.predict_proba(X_new), expected, rtol=1e-12)
    assert_allclose(pipe.predict_proba(X_new), expected, rtol=1e-12)
    unweighted = clone(est).fit(X, y).predict_proba(X_new)
    assert not np.allclose(unweighted, expected, rtol=1e-6)


@pytest.mark.parametrize(
    "weights, match",
    [
        (-np.ones(40), "Negative values in data passed to `sample_weight`"),
        (np.ones(39), r"sample_weight.shape == \(39,\), expected \(40,\)"),
        (np.zeros(40), "at least one non-zero"),
        (np.r_[np.ones(39), np.nan], "NaN"),
    ],
)
def test_bad_sample_weight_is_refused_clearly(weights, match):
    X, y, _ = _italy()
    with pytest.raises(ValueError, match=match):
        SequenceClassifier(**ONE_BATCH).fit(X, y, sample_weight=weights)


def test_unweighted_loss_is_the_mean_and_equals_weights_of_one():
    from sklearn_seq._training import WeightedRegressorNet

    net = WeightedRegressorNet(
        torch.nn.Linear(3, 3), criterion=torch.nn.MSELoss, criterion__reduction="none"
    ).initialize()
    rng = np.random.default_rng(0)
    y_pred, y_true = (torch.from_numpy(rng.normal(size=(10, 3)).astype("f4")) for _ in "ab")
    plain = net.get_loss(y_pred, y_true, X={"values": y_pred})
    ones = net.get_loss(y_pred, y_true, X={"sample_weight": torch.ones(10)})
    mean = torch.nn.functional.mse_loss(y_pred, y_true)
    assert_allclose(plain.item(), mean.item(), rtol=RTOL)
    assert_allclose(ones.item(), plain.item(), rtol=RTOL)


def test_weights_that_break_the_loss_are_named_as_the_cause():
    X = np.random.default_rng(0).normal(size=(12, 6))
    y = np.array(["a", "b", "c"] * 4)
    model = SequenceClassifier(hidden_size=2, max_epochs=1, class_weight="balanced")
    with pytest.raises(ValueError, match=r"cannot weigh class\(es\) \['c'\]: every sample"):
        model.fit(X, y, sample_weight=np.where(y == "c", 0.0, 1.0))
    with pytest.raises(ValueError, match="sums to 1e\\+39, beyond float32's range"):
        SequenceClassifier(hidden_size=2, max_epochs=1).fit(
            X, y, sample_weight=np.r_[1e39, np.ones(11)]
        )

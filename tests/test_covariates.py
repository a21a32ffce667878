"""Covariates: channels a forecaster reads but does not forecast, past and future-known."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone

from sklearn_seq import RNNForecaster, load, make_windows, save
from sklearn_seq._scaling import WindowFrame
from sklearn_seq._sequences import Sequences
from sklearn_seq._validation import check_sequences

LOOKBACK, HORIZON, N_TRAIN = 14, 24, 300
TINY = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}


def sales(n=N_TRAIN + HORIZON, seed=0):
    """Daily sales with a weekly cycle; a promotion, planned ahead, adds 10."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    promo = (rng.random(n) < 0.15).astype(float)
    values = 20 + 3 * np.sin(2 * np.pi * t / 7) + 10 * promo
    return values + rng.normal(scale=0.5, size=n), promo


@pytest.fixture(scope="module")
def promo_models():
    """One model with the promotion as a future covariate, one without; both
    trained on the first N_TRAIN days."""
    values, promo = sales()
    params = {
        "hidden_size": 16,
        "max_epochs": 30,
        "lr": 0.01,
        "scaling": "global",  # a stationary series (see scaling)
        "calibration_fraction": None,
        "random_state": 0,
    }
    X, y = make_windows(values[:N_TRAIN], LOOKBACK, future_covariates=promo[:N_TRAIN])
    with_promo = RNNForecaster(n_future_covariates=1, **params).fit(X, y)
    X, y = make_windows(values[:N_TRAIN], LOOKBACK)
    without = RNNForecaster(**params).fit(X, y)
    return with_promo, without


def test_make_windows_puts_covariates_after_the_series():
    series = np.arange(10.0)
    past, future = 100 + np.arange(10.0), 1000 + np.arange(10.0)
    X, y = make_windows(
        series, 3, horizon=2, past_covariates=past, future_covariates=future
    )
    assert X.shape == (6, 3, 3) and y.shape == (6, 2)
    assert_array_equal(X[1, :, 0], [1, 2, 3])  # the series
    assert_array_equal(X[1, :, 1], [101, 102, 103])  # past: the window's own steps
    assert_array_equal(X[1, :, 2], [1003, 1004, 1005])  # future: horizon steps ahead
    assert_array_equal(y[1], [4, 5])  # the last 2 future values sit beside y
    X0, y0 = make_windows(series, 3, horizon=2)
    assert_array_equal(y, y0) and assert_array_equal(X[:, :, 0], X0)
    # a list of series takes a list of covariates; windows stay within a series
    X, y = make_windows(
        [series, series[:6]], 3, future_covariates=[future, future[:6, None]]
    )
    assert X.shape == (7 + 3, 3, 2)
    assert_array_equal(X[7, :, 1], [1001, 1002, 1003])


def test_a_promotion_known_ahead_cuts_the_24_step_error_threefold(promo_models):
    with_promo, without = promo_models
    values, promo = sales()
    history, truth = values[:N_TRAIN], values[N_TRAIN:]
    seed = np.column_stack([history[-LOOKBACK:], promo[N_TRAIN - LOOKBACK : N_TRAIN]])
    plan = promo[N_TRAIN:]
    assert plan.sum() >= 2  # the forecast period holds promotions
    err_with = np.abs(with_promo.forecast(seed, HORIZON, future_covariates=plan) - truth)
    err_without = np.abs(without.forecast(history[-LOOKBACK:], HORIZON) - truth)
    assert err_with.mean() * 3 <= err_without.mean(), (err_with.mean(), err_without)
    assert err_with.mean() < 1.0  # near the noise, 0.5 * sqrt(2 / pi) = 0.4


def test_the_forecast_follows_the_promotion_plan(promo_models):
    model = promo_models[0]
    values, promo = sales()
    seed = np.column_stack([values[N_TRAIN - LOOKBACK : N_TRAIN], promo[:LOOKBACK] * 0])
    plans = np.zeros((2, HORIZON))
    plans[1, [5, 17]] = 1  # the same seed, two promotions planned
    base, promoted = model.forecast(
        np.stack([seed, seed]), HORIZON, future_covariates=plans
    )
    lift = promoted - base
    assert lift[5] > 5 and lift[17] > 5  # about 10 on the promotion days
    assert np.abs(np.delete(lift, [5, 17])).mean() < 2


def _predict_one(model, window):
    return model.predict(window[None])[0]


@pytest.mark.parametrize("horizon", [1, 2])
def test_forecast_rolls_the_future_covariates_with_the_window(horizon):
    """forecast equals predict on the windows make_windows would cut, pass by pass."""
    rng = np.random.default_rng(1)
    series, cov = rng.normal(size=60), rng.normal(size=(60, 2))
    X, y = make_windows(series[:40], 6, horizon, future_covariates=cov[:40])
    model = RNNForecaster(n_future_covariates=2, **TINY).fit(X, y)
    steps = 3 * horizon
    seed = np.column_stack([series[34:40], cov[34:40]])
    got = model.forecast(seed, steps, future_covariates=cov[40 : 40 + steps])
    timeline, expected = series[:40].copy(), []
    for _ in range(3):  # each pass: the last 6 values, covariates `horizon` ahead
        end = len(timeline)
        window = np.column_stack([timeline[-6:], cov[end - 6 + horizon : end + horizon]])
        nxt = np.atleast_1d(_predict_one(model, window))
        expected.extend(nxt)
        timeline = np.concatenate([timeline, nxt])
    assert_allclose(got, expected, rtol=1e-6)


def test_past_covariates_forecast_one_pass_only():
    rng = np.random.default_rng(2)
    series, price = rng.normal(size=50), rng.normal(size=50)
    X, y = make_windows(series, 8, horizon=3, past_covariates=price)
    model = RNNForecaster(n_past_covariates=1, **TINY).fit(X, y)
    assert model.n_target_channels_ == 1 and model.n_channels_in_ == 2
    seed = np.column_stack([series[-8:], price[-8:]])  # as observed
    assert_allclose(model.forecast(seed, 3), _predict_one(model, seed), rtol=1e-6)
    assert model.forecast(seed, 2).shape == (2,)
    with pytest.raises(ValueError, match="reaches 3 step\\(s\\) .* at most; got steps=4"):
        model.forecast(seed, 4)


def test_covariates_stay_out_of_the_window_frame():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(5, 10, 3)) * [1, 50, 0.1] + [10, -3, 7]
    seqs = Sequences(values.astype(np.float32), np.full(5, 10), "3d")
    alone_seqs = Sequences(seqs.values[:, :, :1], seqs.lengths, "3d")
    for kind in ("mean", "last", "diff"):
        frame = WindowFrame.of(seqs, kind, n_framed=1)
        alone = WindowFrame.of(alone_seqs, kind)
        assert_array_equal(frame.offset[:, :1], alone.offset)
        assert_array_equal(frame.scale[:, :1], alone.scale)
        assert (frame.offset[:, 1:] == 0).all() and (frame.scale[:, 1:] == 1).all()
        inputs = frame.inputs(seqs).values
        assert_array_equal(inputs[:, :, 1:], seqs.values[:, :, 1:])  # never differenced
        assert_allclose(inputs[:, :, :1], alone.inputs(alone_seqs).values, rtol=1e-6)


def test_covariate_models_keep_intervals_and_survive_clone_pickle_and_the_file(tmp_path):
    values, promo = sales(200, seed=4)
    X, y = make_windows(values[:180], 10, future_covariates=promo[:180])
    model = RNNForecaster(n_future_covariates=1, **TINY).fit(X, y)  # calibrated
    assert model.calibration_errors_.shape[2] == 1  # the target channel only
    seed = np.column_stack([values[170:180], promo[170:180]])
    plan = promo[180:]
    center = model.forecast(seed, 20, future_covariates=plan)
    lower, upper = model.forecast_interval(seed, 20, 0.8, future_covariates=plan)
    assert lower.shape == upper.shape == center.shape == (20,)
    assert np.all(lower <= center) and np.all(center <= upper)
    path = tmp_path / "covariates.safetensors"
    save(model, path)
    for restored in (pickle.loads(pickle.dumps(model)), load(path)):
        assert restored.n_future_covariates == 1 and restored.n_target_channels_ == 1
        got = restored.forecast_interval(seed, 20, 0.8, future_covariates=plan)
        assert_allclose(got, (lower, upper), rtol=1e-12)
    again = clone(model).fit(X, y)
    assert_array_equal(again.forecast(seed, 20, future_covariates=plan), center)


def test_the_loader_refuses_target_channels_that_do_not_add_up():
    X, y = make_windows(np.arange(30.0), 5, future_covariates=np.ones(30))
    model = RNNForecaster(n_future_covariates=1, calibration_fraction=None, **TINY)
    model.fit(X, y)
    weights = model.get_weights()
    model.n_target_channels_ = 2
    with pytest.raises(ValueError, match="n_target_channels_=2 does not match"):
        model.set_weights(weights)


def test_models_without_covariates_record_all_channels_as_targets():
    X, y = make_windows(np.sin(np.arange(40.0)), 5)
    model = RNNForecaster(calibration_fraction=None, **TINY).fit(X, y)
    assert model.n_target_channels_ == model.n_channels_in_ == 1
    del model.n_target_channels_  # a model pickled before covariates existed
    assert model.forecast(X[-1], 3).shape == (3,)


def test_many_series_take_one_plan_per_seed():
    rng = np.random.default_rng(5)
    series = [rng.normal(size=40) + level for level in (0, 10, 100)]
    covs = [rng.normal(size=(40, 2)) for _ in series]
    X, y = make_windows(series, 6, future_covariates=covs)
    model = RNNForecaster(n_future_covariates=2, calibration_fraction=None, **TINY)
    model.fit(X, y)
    seeds = np.stack(
        [np.column_stack([s[-6:], c[-6:]]) for s, c in zip(series, covs, strict=True)]
    )
    plans = rng.normal(size=(3, 5, 2))
    batch = model.forecast(seeds, 5, future_covariates=plans)
    assert batch.shape == (3, 5)
    for i in range(3):
        alone = model.forecast(seeds[i], 5, future_covariates=plans[i])
        assert_allclose(batch[i], alone, rtol=1e-6)
    with pytest.raises(ValueError, match="values for 2 seed window\\(s\\), X_seed has 3"):
        model.forecast(seeds, 5, future_covariates=plans[:2])


def test_calibrated_rollouts_of_a_multi_step_model_read_each_pass_covariates():
    """A 3-step model's windows step by one: the rollout's pass c from window i
    reads the promotions of window i + 3c, whose targets are its truth."""
    values, promo = sales(500)
    X, y = make_windows(values, LOOKBACK, horizon=3, future_covariates=promo)
    model = RNNForecaster(
        hidden_size=16,
        max_epochs=30,
        lr=0.01,
        scaling="global",
        n_future_covariates=1,
        random_state=0,
    ).fit(X, y)
    errors = model.calibration_errors_[:, :, 0]
    assert np.isfinite(errors[:, 3:12]).sum(axis=0).min() >= 50  # known truth
    # the next passes err about as much as the first (another window's
    # promotions would miss the +10 days: 6x the error)
    assert np.nanmean(errors[:, 3:12]) < 1.5 * np.nanmean(errors[:, :3])


def test_covariate_windows_are_views_that_fit_like_a_copy():
    """Windows with covariates are a view of one array as long as the series,
    which fit reads a batch at a time; the model is the one a copy gives."""
    values, promo = sales(200)
    X, y = make_windows(values, LOOKBACK, past_covariates=promo, future_covariates=promo)
    assert X.shape == (200 - LOOKBACK, LOOKBACK, 3) and not X.flags.writeable
    owner = X
    while owner.base is not None:
        owner = owner.base
    assert owner.size <= 3 * 200  # the memory X reads: not windows x lookback
    assert check_sequences(X).values.__class__.__name__ == "WindowRows"
    copy = np.ascontiguousarray(X)
    params = {**TINY, "n_past_covariates": 1, "n_future_covariates": 1}
    view_model = RNNForecaster(**params).fit(X, y)
    copy_model = RNNForecaster(**params).fit(copy, y)
    assert_array_equal(view_model.predict(X), copy_model.predict(copy))
    assert_array_equal(view_model.calibration_errors_, copy_model.calibration_errors_)

"""RNNForecaster(combine): the network combined with exponential smoothing and
seasonal naive fitted on the history given to forecast, on real series."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_seq import RNNForecaster, load, make_windows, save

QUICK = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


@pytest.fixture(scope="module")
def co2():
    """Monthly Mauna Loa CO2 (statsmodels), the last 24 months held out."""
    from statsmodels.datasets import co2

    series = co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    return series.to_numpy()[:-24], series.to_numpy()[-24:]


@pytest.fixture(scope="module")
def co2_model(co2):
    train, _ = co2
    return RNNForecaster(**QUICK).fit(*make_windows(train, lookback=24))


def ets_by_hand(history, steps, season, coverage=None):
    """statsmodels' ETSModel, additive errors, the three forms (six with a season),
    the smallest AIC."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best = None
    for seasonal in (None, "add") if season > 1 else (None,):
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ETSModel(
                    pd.Series(history),
                    error="add",
                    trend=trend,
                    damped_trend=damped,
                    seasonal=seasonal,
                    seasonal_periods=season if seasonal else None,
                ).fit(disp=False)
            if best is None or fit.aic < best.aic:
                best = fit
    mean = best.forecast(steps).to_numpy()
    if coverage is None:
        return mean
    frame = best.get_prediction(len(history), len(history) + steps - 1)
    frame = frame.summary_frame(alpha=1 - coverage)
    return mean, frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()


def test_the_forecast_blends_the_network_with_ets_fitted_on_the_whole_history(
    co2, co2_model
):
    train, test = co2
    network = copy.deepcopy(co2_model).set_params(combine=None)
    alone = network.forecast(train, steps=24)
    # a history longer than the window: the network reads its last 24 values
    np.testing.assert_array_equal(alone, network.forecast(train[-24:], steps=24))
    blended = copy.deepcopy(co2_model).set_params(combine=0.5)
    ets = ets_by_hand(train, 24, season=12)  # monthly: the season found is 12
    np.testing.assert_allclose(
        blended.forecast(train, steps=24), 0.5 * alone + 0.5 * ets, rtol=1e-9
    )
    # three epochs leave the network far from the seasonal cycle; ETS holds it
    error = {
        w: np.abs(blended.set_params(combine=w).forecast(train, steps=24) - test).mean()
        for w in (None, 0.5, 1.0)
    }
    assert error[1.0] < error[0.5] < error[None], error


def test_intervals_blend_the_networks_bounds_with_ets_own(co2, co2_model):
    train, _ = co2
    network = copy.deepcopy(co2_model).set_params(combine=None)
    lower, upper = network.forecast_interval(train, steps=12, coverage=0.8)
    mean, ets_lower, ets_upper = ets_by_hand(train, 12, season=12, coverage=0.8)
    model = copy.deepcopy(co2_model).set_params(combine=0.25)
    blended = model.forecast_interval(train, steps=12, coverage=0.8)
    np.testing.assert_allclose(blended[0], 0.75 * lower + 0.25 * ets_lower, rtol=1e-9)
    np.testing.assert_allclose(blended[1], 0.75 * upper + 0.25 * ets_upper, rtol=1e-9)
    center = model.forecast(train, steps=12)
    assert (blended[0] < center).all() and (center < blended[1]).all()


def seasonal_naive_by_hand(history, steps, season):
    """The last season repeated."""
    return np.array([history[len(history) - season + i % season] for i in range(steps)])


def test_the_median_of_the_network_ets_and_seasonal_naive(co2, co2_model):
    train, test = co2
    network = copy.deepcopy(co2_model).set_params(combine=None)
    model = copy.deepcopy(co2_model).set_params(combine="median")
    alone = network.forecast(train, 24)
    means = {  # co2's season found is 12
        "network": alone,
        "ets": ets_by_hand(train, 24, season=12),
        "snaive": seasonal_naive_by_hand(train, 24, season=12),
    }
    center = np.median(list(means.values()), axis=0)
    np.testing.assert_allclose(model.forecast(train, 24), center, rtol=1e-9)
    # the interval: the network's own distances to its bounds, around the median
    lower, upper = network.forecast_interval(train, 24, coverage=0.8)
    combined = model.forecast_interval(train, 24, coverage=0.8)
    np.testing.assert_allclose(combined[0], center - (alone - lower), rtol=1e-9)
    np.testing.assert_allclose(combined[1], center + (upper - alone), rtol=1e-9)
    assert not np.allclose(center, alone)  # so the bounds did move with the center
    # three epochs leave the network far from co2; the median follows the others
    error = {name: np.abs(mean - test).mean() for name, mean in means.items()}
    assert np.abs(center - test).mean() < 0.6 * error["network"], error


def test_seasonal_naive_repeats_the_last_season_or_the_last_value():
    from sklearn_seq._statistical import seasonal_naive

    history = np.array([1.0, 5.0, 2.0, 6.0, 3.0, 7.0])
    np.testing.assert_array_equal(
        seasonal_naive(history, 5, season=2), [3.0, 7.0, 3.0, 7.0, 3.0]
    )
    for season in (4, 12):  # a season the history does not hold twice: naive
        naive = seasonal_naive(history, 3, season=season)
        np.testing.assert_array_equal(naive, [7.0, 7.0, 7.0])


def test_ets_takes_the_networks_season_or_finds_none_in_a_quarterly_break():
    from statsmodels.datasets import macrodata

    realinv = macrodata.load_pandas().data["realinv"].to_numpy()[:-8]
    X, y = make_windows(realinv, lookback=24)
    model = RNNForecaster(season_length=4, combine=1.0, **QUICK).fit(X, y)
    np.testing.assert_allclose(model.forecast(realinv, 8), ets_by_hand(realinv, 8, 4))
    model = RNNForecaster(combine=1.0, **QUICK).fit(X, y)  # seasonally adjusted
    expected = ets_by_hand(realinv, 8, season=1)  # no season found: no seasonal form
    np.testing.assert_allclose(model.forecast(realinv, 8), expected)


def test_a_batch_of_histories_and_a_dated_history(co2, co2_model):
    train, _ = co2
    model = copy.deepcopy(co2_model).set_params(combine=0.5)
    histories = np.stack([train[-120:], train[-120:] + 10.0])
    batch = model.forecast(histories, steps=6)
    np.testing.assert_allclose(batch[0], model.forecast(train[-120:], steps=6))
    np.testing.assert_allclose(batch[1], batch[0] + 10.0, rtol=1e-6)  # level-free
    dated = pd.Series(train[-120:], pd.period_range("2001-01", periods=120, freq="M"))
    out = model.forecast(dated, steps=6)
    assert str(out.index[0]) == "2011-01"
    np.testing.assert_allclose(out.to_numpy(), batch[0])


def test_combine_errors_name_the_problem(co2, co2_model):
    train, _ = co2
    model = copy.deepcopy(co2_model).set_params(combine=0.5)
    with pytest.raises(ValueError, match="windows have 5 time steps"):
        model.forecast(train[-5:], steps=3)
    history = train[-60:].copy()
    history[3] = np.nan  # before the window the network reads
    with pytest.raises(ValueError, match="history given to forecast contains NaN"):
        model.forecast(history, steps=3)
    np.testing.assert_array_equal(  # the network alone reads the last window only
        model.set_params(combine=None).forecast(history, steps=3),
        model.forecast(history[-24:], steps=3),
    )
    short = RNNForecaster(combine=0.5, **QUICK).fit(*make_windows(train, lookback=4))
    with pytest.raises(ValueError, match="a history of at least 8 values to fit"):
        short.forecast(train[-6:], steps=3)  # longer than the window, too short for ETS
    np.testing.assert_array_equal(  # "auto": the network alone reads the last window
        short.set_params(combine="auto").forecast(train[-6:], steps=3),
        short.set_params(combine=None).forecast(train[-4:], steps=3),
    )
    with pytest.raises(ValueError, match="'combine' parameter"):
        RNNForecaster(combine=1.5).fit(*make_windows(train[:100], lookback=24))


def test_combine_is_read_when_forecasting_saved_and_warm_starts(co2, tmp_path):
    train, _ = co2
    X, y = make_windows(train[-200:], lookback=24)
    model = RNNForecaster(**QUICK).fit(X, y).set_params(combine=0.5)
    save(model, tmp_path / "model.safetensors")
    loaded = load(tmp_path / "model.safetensors")
    assert loaded.combine == 0.5  # as it is now, not as it was at fit
    np.testing.assert_array_equal(loaded.forecast(train, 12), model.forecast(train, 12))
    model.set_params(warm_start=True, max_epochs=1).fit(X, y)  # a prediction parameter
    assert model.n_epochs_ == QUICK["max_epochs"] + 1


def test_auto_takes_the_median_for_one_series_history_only(co2, co2_model):
    train, _ = co2
    assert co2_model.combine == "auto"  # the default
    network = copy.deepcopy(co2_model).set_params(combine=None)
    median = copy.deepcopy(co2_model).set_params(combine="median")
    np.testing.assert_array_equal(  # one series' history: the median
        co2_model.forecast(train, 12), median.forecast(train, 12)
    )
    bands = co2_model.forecast_interval(train, 12, 0.8)
    np.testing.assert_array_equal(bands, median.forecast_interval(train, 12, 0.8))
    for seeds in (train[-24:], np.stack([train[-60:], train[-60:] + 1.0])):
        # a window alone, or a batch of histories: the network alone
        np.testing.assert_array_equal(
            co2_model.forecast(seeds, 12), network.forecast(seeds, 12)
        )
    assert not np.allclose(co2_model.forecast(train, 12), network.forecast(train, 12))


def test_a_flat_history_and_a_failed_fit_under_auto(co2, co2_model, monkeypatch):
    from sklearn_seq import _statistical

    train, _ = co2
    network = copy.deepcopy(co2_model).set_params(combine=None)
    flat = np.zeros(60)  # ETS and seasonal naive of a flat history: its value
    assert np.abs(network.forecast(flat, 6)).min() > 0
    np.testing.assert_array_equal(co2_model.forecast(flat, 6), np.zeros(6))
    # the interval: the network's widths around the flat forecast
    lower, upper = co2_model.forecast_interval(flat, 6, 0.8)
    net_lower, net_upper = network.forecast_interval(flat, 6, 0.8)
    alone = network.forecast(flat, 6)
    np.testing.assert_allclose(lower, net_lower - alone, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(upper, net_upper - alone, rtol=1e-9, atol=1e-12)
    assert (lower < 0).all() and (upper > 0).all()
    monkeypatch.setattr(_statistical, "_forms_by_aic", lambda *args: [])  # no form fits
    with pytest.warns(UserWarning, match="seed 0: exponential smoothing could not"):
        out = co2_model.forecast(train, 6)  # "auto": the network alone, and a warning
    np.testing.assert_array_equal(out, network.forecast(train, 6))
    strict = copy.deepcopy(co2_model).set_params(combine=0.25)
    with pytest.raises(ValueError, match="exponential smoothing could not be fitted"):
        strict.forecast(train, 6)  # a weight the user set: an error

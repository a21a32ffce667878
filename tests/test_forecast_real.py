"""RNNForecaster on real-world series: levels, trends, many series, intervals, dates."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from sklearn_seq import RNNForecaster, _intervals, load, make_windows, save

TINY = {"hidden_size": 16, "max_epochs": 20, "random_state": 0}


def test_one_model_over_50_series_of_every_scale_beats_naive():
    rng = np.random.default_rng(0)
    levels = np.logspace(0, 4, 50)  # 1 to 10,000
    t = np.arange(60)
    series = [
        level * (1 + rng.uniform(-0.02, 0.02) * t + 0.05 * np.sin(2 * np.pi * t / 12))
        + level * 0.01 * rng.normal(size=len(t))
        for level in levels
    ]
    lookback, horizon = 12, 6
    X, y = make_windows([s[:-horizon] for s in series], lookback=lookback)
    model = RNNForecaster(
        hidden_size=16, max_epochs=15, calibration_fraction=None, random_state=0
    ).fit(X, y)
    seeds = np.stack([s[-horizon - lookback : -horizon] for s in series])
    pred = model.forecast(seeds, steps=horizon)
    truth = np.stack([s[-horizon:] for s in series])
    model_err = np.abs(pred - truth).mean(axis=1) / levels
    naive_err = np.abs(seeds[:, -1:] - truth).mean(axis=1) / levels
    for decade in range(4):  # every scale: 1-10, 10-100, 100-1,000, 1,000-10,000
        mine = (levels >= 10**decade) & (levels <= 10 ** (decade + 1))
        assert model_err[mine].mean() < naive_err[mine].mean(), decade


@pytest.fixture(scope="module")
def noisy():
    """A noisy seasonal AR series: 600 steps to train on, 1,000 held out."""
    rng = np.random.default_rng(1)
    noise = np.zeros(1600)
    for i in range(1, 1600):
        noise[i] = 0.5 * noise[i - 1] + rng.normal(scale=0.3)
    return 5 + np.sin(2 * np.pi * np.arange(1600) / 20) + noise


@pytest.fixture(scope="module")
def noisy_model(noisy):
    X, y = make_windows(noisy[:600], lookback=20)
    return RNNForecaster(**TINY).fit(X, y)


def test_interval_coverage_on_a_long_held_out_stretch(noisy, noisy_model):
    X, y = make_windows(noisy[580:], lookback=20)  # 1,000 windows after training
    lower, upper = noisy_model.predict_interval(X, coverage=0.9)
    assert lower.shape == upper.shape == y.shape
    covered = np.mean((lower <= y) & (y <= upper))
    assert 0.85 <= covered <= 0.95, covered
    lo80, hi80 = noisy_model.predict_interval(X, coverage=0.8)
    assert np.all(hi80 - lo80 <= upper - lower)


def test_forecast_intervals_cover_and_widen(noisy, noisy_model):
    X, _ = make_windows(noisy[580:], lookback=20)
    starts = np.arange(0, 950, 10)
    lower, upper = noisy_model.forecast_interval(X[starts], steps=10, coverage=0.9)
    center = noisy_model.forecast(X[starts], steps=10)
    assert lower.shape == upper.shape == center.shape == (len(starts), 10)
    truth = np.stack([noisy[600 + s : 610 + s] for s in starts])
    covered = np.mean((lower <= truth) & (truth <= upper))
    assert 0.8 <= covered <= 0.98, covered
    widths = (upper - lower)[0]
    assert np.all(np.diff(widths) >= -1e-12)  # never narrower further ahead
    lo, hi = noisy_model.forecast_interval(X[0], steps=300)  # past the calibrated steps
    assert lo.shape == (300,) and (hi - lo)[-1] > (hi - lo)[0]


@pytest.mark.parametrize("coverage", [0, 1, 1.5, -0.1, float("nan"), "0.9", True])
def test_bad_coverage(noisy_model, coverage):
    X = np.zeros((2, 20))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        noisy_model.predict_interval(X, coverage=coverage)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        noisy_model.forecast_interval(X[0], 5, coverage=coverage)


def test_too_little_data_to_calibrate(noisy):
    X, y = make_windows(noisy[:45], lookback=20)  # 25 windows: 8 held out
    model = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    assert model.calibration_errors_.shape[0] == 0
    with pytest.raises(ValueError, match="too little data to calibrate"):
        model.predict_interval(X)
    off = RNNForecaster(calibration_fraction=None, hidden_size=4, max_epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="too little data to calibrate"):
        off.forecast_interval(X[0], 3)
    X, y = make_windows(noisy[:120], lookback=20)  # 20 held out: 90% yes, 99% no
    model = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    model.predict_interval(X, coverage=0.9)
    with pytest.raises(ValueError, match="needs at least 99"):
        model.predict_interval(X, coverage=0.99)


def test_calibration_rolls_forward_from_a_bounded_number_of_windows(noisy, monkeypatch):
    """A long series holds far more held-out windows than the quantiles need:
    rollouts start from at most ``MAX_CALIBRATION_ORIGINS`` of them, spread
    evenly, and each records the errors the full calibration records there."""
    X, y = make_windows(noisy[:600], lookback=20)  # 580 windows: 116 held out
    params = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
    full = RNNForecaster(**params).fit(X, y).calibration_errors_
    monkeypatch.setattr(_intervals, "MAX_CALIBRATION_ORIGINS", 30)
    some = RNNForecaster(**params).fit(X, y)
    origins = _intervals.calibration_origins(len(full))
    assert len(origins) == 30 and (origins[0], origins[-1]) == (0, len(full) - 1)
    assert some.calibration_errors_.shape == (30, *full.shape[1:])
    # NaN (no truth that far ahead) in the same places; rows in 8-row blocks of
    # other batch-mates agree to float32 rounding
    np.testing.assert_allclose(some.calibration_errors_, full[origins], rtol=1e-5)
    lower, upper = some.forecast_interval(X[-1], steps=5)
    assert np.all(upper > lower)


@pytest.mark.parametrize("chunk_values", [1, 1 << 22])
def test_window_chain_breaks_between_series_and_at_the_end(monkeypatch, chunk_values):
    monkeypatch.setattr(_intervals, "_CHUNK_VALUES", chunk_values)  # 1: a window a chunk
    X, y = make_windows([np.arange(30.0), 100 + np.arange(25.0)], lookback=5)
    follows = _intervals.window_chain(X[:, :, None], y[:, None, None], 1)
    expected = np.ones(len(X), dtype=bool)
    expected[[24, len(X) - 1]] = False  # the last window of each series
    np.testing.assert_array_equal(follows, expected)
    for unit in [1e-15, 1e15]:  # in any units: the same chain
        chain = _intervals.window_chain(unit * X[:, :, None], unit * y[:, None, None], 1)
        np.testing.assert_array_equal(chain, expected, err_msg=unit)
    truth = _intervals.chain_truth(follows, y[:, None, None], np.array([0, 22, 40]), 3)
    np.testing.assert_array_equal(
        truth[:, :, 0], [[5, 6, 7], [27, 28, 29], [120, 121, 122]]
    )
    tail = _intervals.chain_truth(follows, y[:, None, None], np.array([24, 44]), 3)
    assert tail[0, 0, 0] == 29 and np.isnan(tail[0, 1:]).all()  # the chain breaks
    assert tail[1, 0, 0] == 124 and np.isnan(tail[1, 1:]).all()  # the data ends


def test_intervals_survive_clone_pickle_and_the_safe_file(noisy, noisy_model, tmp_path):
    X, y = make_windows(noisy[:600], lookback=20)
    expected = noisy_model.forecast_interval(X[-3:], steps=15)
    path = tmp_path / "model.safetensors"
    save(noisy_model, path)
    for restored in (pickle.loads(pickle.dumps(noisy_model)), load(path)):
        np.testing.assert_array_equal(
            restored.calibration_errors_, noisy_model.calibration_errors_
        )
        got = restored.forecast_interval(X[-3:], steps=15)
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    again = clone(noisy_model).fit(X, y)  # the same random_state, the same model
    np.testing.assert_array_equal(again.forecast_interval(X[-3:], steps=15), expected)
    np.testing.assert_array_equal(again.predict(X), noisy_model.predict(X))


def test_multichannel_and_direct_multi_step_intervals():
    t = np.arange(400)
    track = np.stack([np.sin(0.2 * t), np.cos(0.2 * t) + 0.01 * t], axis=1)
    X, y = make_windows(track, lookback=15, horizon=3)
    model = RNNForecaster(**TINY).fit(X, y)
    lower, upper = model.predict_interval(X[:5])
    assert lower.shape == upper.shape == model.predict(X[:5]).shape == (5, 3, 2)
    lower, upper = model.forecast_interval(X[0], steps=7)
    assert lower.shape == (7, 2) and np.all(lower < upper)


def test_direct_multi_step_models_calibrate_their_rollouts(noisy):
    """Windows with a 5-step horizon step by one: the truth of a rollout's
    next pass is in the targets of the window 5 later."""
    X, y = make_windows(noisy[:600], lookback=20, horizon=5)
    model = RNNForecaster(**TINY).fit(X, y)
    known = np.isfinite(model.calibration_errors_[:, :, 0]).sum(axis=0)
    assert known[5:50].min() >= 40, known  # steps past the horizon, not extrapolated
    Xh, _ = make_windows(noisy[580:], lookback=20)
    starts = np.arange(0, 950, 10)
    lower, upper = model.forecast_interval(Xh[starts], steps=15, coverage=0.9)
    truth = np.stack([noisy[600 + s : 615 + s] for s in starts])
    covered = np.mean((lower <= truth) & (truth <= upper), axis=0)
    assert 0.8 <= covered[5:].mean() <= 0.98, covered


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2001-01", periods=80, freq="M"),
        pd.date_range("2001-01-01", periods=80, freq="D"),
        pd.DatetimeIndex(pd.date_range("2001-01-01", periods=80, freq="W-SUN").values),
    ],
    ids=["period", "datetime", "datetime-inferred"],
)
def test_dated_seed_gives_dated_forecast(noisy_model, noisy, index):
    history = pd.Series(noisy[:80], index=index, name="demand")
    out = noisy_model.forecast(history, steps=4)
    assert isinstance(out, pd.Series) and out.name == "demand"
    assert len(out) == 4 and out.index[0] > index[-1]
    assert len(pd.Index([*index, *out.index]).unique()) == 84
    if isinstance(index, pd.PeriodIndex):
        assert out.index[0] == index[-1] + 1
    else:
        assert out.index[1] - out.index[0] == index[1] - index[0]
    # the history as an array forecasts alike; the network reads its last window,
    # which combine="auto" combines with ETS and seasonal naive fitted on all of it
    np.testing.assert_array_equal(out.to_numpy(), noisy_model.forecast(noisy[:80], 4))
    alone = noisy_model.set_params(combine=None).forecast(history, steps=4)
    noisy_model.set_params(combine="auto")
    np.testing.assert_array_equal(alone.to_numpy(), noisy_model.forecast(noisy[60:80], 4))
    assert not np.allclose(alone, out)
    bands = noisy_model.forecast_interval(history, steps=4, coverage=0.8)
    assert list(bands.columns) == ["lower", "upper"]
    assert bands.index.equals(out.index)
    assert np.all((bands["lower"] < out) & (out < bands["upper"]))


def test_dated_seed_without_a_frequency(noisy_model, noisy):
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(21) ** 2, unit="D")
    history = pd.Series(noisy[:21], index=days)  # no frequency pandas can infer
    with pytest.raises(ValueError, match="no frequency"):
        noisy_model.forecast(history, steps=2)


def _months(*labels):
    return pd.PeriodIndex([*labels, *pd.period_range("2002-01", periods=20, freq="M")])


@pytest.mark.parametrize(
    "index, message",
    [
        (
            pd.date_range("2020-01-01", periods=22, freq="D")[::-1],
            r"runs backwards.*sort_index",
        ),
        (
            pd.DatetimeIndex(
                pd.date_range("2020-01-01", periods=22, freq="D")[::-1].values
            ),
            r"not in increasing order.*sort_index",
        ),
        (
            pd.to_datetime(["2020-01-01", "2020-01-03", "2020-01-04"] * 7 + ["2020-01-05"]),
            "sort_index",
        ),
        (_months("2001-01", "2001-02").sort_values(ascending=False), "sort_index"),
        (
            _months("2001-01", "2001-03", "2001-02").delete(-1),
            r"2001-03 at position 1.*sort_index",
        ),
        (_months("2001-01", "2001-02", "2001-02").delete(-1), "repeats 2001-02"),
        (_months("2001-01", "2001-03"), "skips from 2001-01 to 2001-03"),
        (_months("2001-11", "2001-12").delete(5), "skips from 2002-03 to 2002-05"),
        (
            pd.PeriodIndex(
                ["2001-01", None, *pd.period_range("2001-03", periods=20, freq="M")]
            ),
            "NaT",
        ),
    ],
    ids=[
        "newest-first",
        "newest-first-inferred",
        "shuffled-days",
        "newest-first-periods",
        "shuffled-periods",
        "repeated-period",
        "period-gap",
        "period-gap-late",
        "missing-period",
    ],
)
def test_dated_seed_out_of_order_is_refused(noisy_model, noisy, index, message):
    """A newest-first index was read with frequency -1D (the forecast dated before
    the data, seeded from its oldest values); periods were never checked."""
    history = pd.Series(noisy[: len(index)], index=index)
    with pytest.raises(ValueError, match=message):
        noisy_model.forecast(history, steps=2)
    with pytest.raises(ValueError, match=message):
        noisy_model.forecast_interval(history, steps=2, coverage=0.8)


def test_make_windows_over_a_list_never_crosses_series():
    a, b = np.arange(6.0), pd.Series(100 + np.arange(5.0))
    X, y = make_windows([a, b], lookback=3)
    assert X.shape == (5, 3)
    np.testing.assert_array_equal(y, [3, 4, 5, 103, 104])
    np.testing.assert_array_equal(X[3], [100, 101, 102])
    X, y = make_windows([np.ones((7, 2)), np.zeros((5, 2))], lookback=3, horizon=2)
    assert X.shape == (4, 3, 2) and y.shape == (4, 2, 2)
    X, y = make_windows([0.0, 1.0, 2.0, 3.0], lookback=2)  # plain numbers: one series
    np.testing.assert_array_equal(y, [2, 3])


@pytest.mark.parametrize(
    "series, message",
    [
        ([np.arange(10.0), np.arange(3.0)], r"series\[1\] has 3 time steps"),
        ([np.arange(10.0), np.r_[1.0, np.nan, 2, 3, 4]], r"series\[1\].*time step 1"),
        ([], "empty list"),
        ([np.zeros(10), np.zeros((10, 2))], "same channels"),
        ([np.zeros((10, 3)), np.zeros((10, 2))], "same channels"),
    ],
    ids=["too-short", "nan", "empty", "1d-and-2d", "channel-counts"],
)
def test_make_windows_list_errors(series, message):
    with pytest.raises(ValueError, match=message):
        make_windows(series, lookback=4)


def test_last_window_of_every_series_in_one_forecast_call():
    rng = np.random.default_rng(0)
    series = [lvl + np.cumsum(rng.normal(size=40)) for lvl in (5.0, 50.0, 500.0)]
    X, y = make_windows(series, lookback=8)
    model = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    out = model.forecast(np.stack([s[-8:] for s in series]), steps=5)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(out[2], model.forecast(series[2][-8:], 5))


def test_window_scaling_is_level_free():
    series = np.sin(0.3 * np.arange(200)) + 0.02 * np.arange(200)
    X, y = make_windows(series, lookback=10)
    model = RNNForecaster(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    shifted = model.predict(1000 * X[:5] + 7)
    np.testing.assert_allclose(shifted, 1000 * model.predict(X[:5]) + 7, rtol=1e-6)


def test_a_seasonal_baseline_learns_the_season_of_co2_at_once():
    from statsmodels.datasets import co2

    co2 = co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    train, test = co2.to_numpy()[:-24], co2.to_numpy()[-24:]
    X, y = make_windows(train, lookback=24)
    quick = {"hidden_size": 8, "max_epochs": 3, "calibration_fraction": None}
    error = {}
    for season in (None, "auto"):
        model = RNNForecaster(season_length=season, random_state=0, **quick).fit(X, y)
        error[season] = np.abs(model.forecast(train[-24:], steps=24) - test).mean()
    assert model.season_length_ == 12  # monthly data
    seasonal_naive = np.abs(np.resize(train[-12:], 24) - test).mean()
    # three epochs: the plain model has not found the season yet, the baseline has it
    assert error["auto"] < 0.5 * min(error[None], seasonal_naive), error


@pytest.mark.parametrize("season", [7, 12])
def test_auto_season_recovers_a_known_season_and_none_in_a_random_walk(season):
    rng = np.random.default_rng(season)
    t = np.arange(400)
    seasonal = 0.02 * t + np.sin(2 * np.pi * t / season) + 0.2 * rng.normal(size=400)
    walk = np.cumsum(rng.normal(size=400))
    quick = {"hidden_size": 4, "max_epochs": 1, "calibration_fraction": None}
    model = RNNForecaster(season_length="auto", **quick)
    found = [
        model.fit(*make_windows(s, lookback=30)).season_length_
        for s in (seasonal, walk, np.sin(0.1 * t))  # the last: one slow cycle, no season
    ]
    assert found == [season, 1, 1]


def test_auto_season_is_the_season_not_a_multiple_in_long_windows():
    from statsmodels.datasets import co2

    co2 = co2.load_pandas().data["co2"].resample("MS").mean().interpolate().to_numpy()
    quick = {"hidden_size": 4, "max_epochs": 1, "calibration_fraction": None}
    model = RNNForecaster(season_length="auto", **quick)
    # 120-month windows: the autocorrelation peaks at 12, 24, ... 60 months
    assert model.fit(*make_windows(co2, lookback=120)).season_length_ == 12


@pytest.mark.parametrize(
    "season, match",
    [
        (0, "'season_length' parameter of RNNForecaster must be an int in the range"),
        (2.5, "'season_length' parameter"),
        ("weekly", "'season_length' parameter"),
        (13, "season_length=13 is longer than the windows"),
    ],
)
def test_bad_season_length(season, match):
    X, y = make_windows(np.arange(40.0), lookback=12)
    with pytest.raises(ValueError, match=match):
        RNNForecaster(season_length=season, **TINY).fit(X, y)


def test_seasonal_baseline_survives_clone_pickle_and_the_safe_file(noisy, tmp_path):
    X, y = make_windows(noisy[:300], lookback=40)
    model = RNNForecaster(season_length="auto", hidden_size=8, max_epochs=3, random_state=0)
    model.fit(X, y)
    assert model.season_length_ > 1  # the season of 20, near the longest lag seen
    expected = model.forecast_interval(X[-3:], steps=25)
    path = tmp_path / "model.safetensors"
    save(model, path)
    for restored in (pickle.loads(pickle.dumps(model)), load(path)):
        assert restored.season_length_ == model.season_length_
        np.testing.assert_allclose(restored.forecast_interval(X[-3:], 25), expected)
    again = clone(model).fit(X, y)  # the same random_state, the same model
    np.testing.assert_array_equal(again.forecast(X[-3:], 25), model.forecast(X[-3:], 25))


@pytest.mark.parametrize("scaling", ["mean", "last", "diff"])
def test_seasonal_baseline_is_level_free_and_leaves_covariates_out(scaling):
    rng = np.random.default_rng(0)
    t = np.arange(120)
    series = np.sin(2 * np.pi * t / 7) + 0.02 * t
    X, y = make_windows(series, 14, future_covariates=rng.normal(size=120))
    model = RNNForecaster(
        season_length=7, scaling=scaling, n_future_covariates=1, hidden_size=4, max_epochs=1
    ).fit(X, y)
    moved = X.copy()
    moved[:, :, 0] = 1000 * moved[:, :, 0] + 7  # the series, not its covariate
    np.testing.assert_allclose(model.predict(moved), 1000 * model.predict(X) + 7, rtol=1e-5)


def test_a_short_series_holds_out_enough_windows_for_a_95_interval(noisy):
    """20% of 60 windows is 12, too few for a 95% quantile: 19 are held out,
    while they are at most a third of the windows."""
    X, y = make_windows(noisy[:80], lookback=20)  # 60 windows
    model = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    lower, upper = model.forecast_interval(X[-1], 5, coverage=0.95)
    assert np.all(upper - lower > 0)
    assert 19 <= len(model.calibration_errors_)
    X, y = make_windows(noisy[:50], lookback=20)  # 30 windows: a third is 10
    model = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    model.forecast_interval(X[-1], 5, coverage=0.8)
    with pytest.raises(ValueError, match="needs at least 19"):
        model.forecast_interval(X[-1], 5, coverage=0.95)


def test_scaling_auto_keeps_the_frame_with_the_smaller_held_out_error():
    """``scaling="auto"`` trains one model per frame on the first windows, as a
    model with that frame fitted on them alone would be, and keeps the one whose
    rollouts miss the held-out windows by less; its errors are the calibration."""
    from statsmodels.datasets import nile

    series = nile.load_pandas().data["volume"].to_numpy(dtype=float)
    X, y = make_windows(series, lookback=12)  # 88 windows: 19 held out
    model = RNNForecaster(scaling="auto", **TINY).fit(X, y)
    head = len(X) - _intervals.held_out_count(len(X), 0.2)
    epochs, more = _intervals.continuation_epochs(TINY["max_epochs"], 0.2)
    scores, alone = {}, {}
    for frame in ("diff", "mean"):
        alone[frame] = RNNForecaster(
            **{**TINY, "max_epochs": epochs}, scaling=frame, calibration_fraction=None
        ).fit(X[:head], y[:head])
        scores[frame] = _intervals.held_out_errors(alone[frame], X[head:], y[head:])[1]
    chosen = min(scores, key=scores.get)
    assert scores["diff"] != scores["mean"]
    assert model.scaling == "auto" and model.scaling_ == chosen
    # the calibration: the chosen network's errors on the held-out windows
    expected = _intervals.held_out_errors(alone[chosen], X[head:], y[head:])[0]
    np.testing.assert_array_equal(model.calibration_errors_, expected)
    assert model.n_epochs_ == epochs + more == TINY["max_epochs"]
    assert clone(model).get_params()["scaling"] == "auto"
    back = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(back.forecast(X[-1], 5), model.forecast(X[-1], 5))

"""Forecast accuracy of RNNForecaster on real series, beside the classical baselines.

Five real series that ship inside statsmodels, passed raw as a user would (no
log transform, no detrending): co2 (monthly means of the weekly Mauna Loa
record), sunspots (yearly), macrodata realgdp (quarterly), nile (yearly flow)
and elnino (monthly sea surface temperature). Each series' tail is held out;
every method sees only the rest. The methods:

* ``RNNForecaster(random_state=0)`` with its defaults, trained on windows of
  ``LOOKBACK`` values (``make_windows``) and rolled forward with ``forecast``;
* naive (repeat the last value), seasonal naive (repeat the last season; the
  naive forecast for yearly data), drift (the line through the first and last
  values);
* statsmodels ``ETSModel`` with additive errors, the form (trend none,
  additive or damped; seasonality none or additive) with the lowest AIC.

Errors are MASE: mean absolute error over the held-out tail, divided by the
in-sample mean absolute error of the seasonal naive forecast. The script
prints MASE per series, the geometric mean over the series of RNN MASE / ETS
MASE, and a many-series case: one RNNForecaster trained on the windows of all
five series at once (levels from 20 to 13,000), forecasting all of them in one
``forecast`` call.

Last, a covariate case: macrodata's real personal consumption (realcons),
its last 8 quarters held out, forecast by RNNForecaster with and without the
quarterly growth of real disposable income (realdpi, in percent) as a future
covariate, its values over the held-out quarters given to ``forecast`` (as a
scenario or a published estimate would be), beside ETS and drift on the
consumption alone. ``--only-covariates`` runs this case alone.

With ``--seeds N`` every RNN row is repeated for ``random_state`` 0 to N-1:
on series of 100 to 700 points the seed alone moves a series' MASE by a
factor of two or more, which is the yardstick for any change of defaults.
``--params`` applies RNNForecaster parameters to every variant, for example
the seasonal baseline: ``--params '{"season_length": "auto"}' --seeds 5``.

``--suite extended`` adds seven more real series to the single-series table
(``load_extended``; the geometric mean over the first five is printed as
before, and over all twelve beside it) and a case of many short series: one
model over the yearly fertility rates of about 190 countries
(``fertility_case``).

Run: ``python benchmarks/bench_forecast_accuracy.py [--scaling mean,last,...]
[--params JSON] [--seeds N] [--suite core|extended] [--only-covariates]``
(statsmodels comes with the ``bench`` extra: ``pip install -e ".[bench]"``).
"""

import argparse
import json
import time

import numpy as np

from sklearn_seq import RNNForecaster, make_windows

LOOKBACK = 24


def periods(start, n, freq):
    """A PeriodIndex of ``n`` periods of ``freq`` from ``start``."""
    import pandas as pd

    return pd.period_range(start=start, periods=n, freq=freq)


def load_series() -> dict:
    """name -> (series as a pandas Series with a PeriodIndex, season length, horizon)."""
    import pandas as pd
    import statsmodels.api as sm

    co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
    co2.index = co2.index.to_period("M")
    sun = sm.datasets.sunspots.load_pandas().data
    macro = sm.datasets.macrodata.load_pandas().data
    nile = sm.datasets.nile.load_pandas().data
    nino = sm.datasets.elnino.load_pandas().data.set_index("YEAR")

    return {
        "co2": (co2, 12, 24),
        "sunspots": (
            pd.Series(sun["SUNACTIVITY"].to_numpy(), periods("1700", len(sun), "Y")),
            1,
            11,
        ),
        "realgdp": (
            pd.Series(macro["realgdp"].to_numpy(), periods("1959Q1", len(macro), "Q")),
            4,
            8,
        ),
        "nile": (
            pd.Series(nile["volume"].to_numpy(), periods("1871", len(nile), "Y")),
            1,
            10,
        ),
        "elnino": (
            pd.Series(nino.to_numpy().ravel(), periods("1950-01", nino.size, "M")),
            12,
            24,
        ),
    }


def load_extended() -> dict:
    """More real series, as ``load_series``: ``--suite extended`` adds them.

    macrodata's unemployment rate, consumer prices, M1 money stock, 3-month
    treasury bill rate and real private investment (quarterly, 8 held out,
    all ending in the 2008 recession), and interest_inflation's German
    inflation (quarterly change of the log price level) and long-term
    interest rate (1972-1998, 8 held out).
    """
    import pandas as pd
    import statsmodels.api as sm

    macro = sm.datasets.macrodata.load_pandas().data
    rates = sm.datasets.interest_inflation.load_pandas().data
    quarters = periods("1959Q1", len(macro), "Q")
    german = periods("1972Q2", len(rates), "Q")
    series = {
        name: (pd.Series(macro[name].to_numpy(), quarters), 4, 8)
        for name in ("unemp", "cpi", "m1", "tbilrate", "realinv")
    }
    series["de_infl"] = (pd.Series(rates["Dp"].to_numpy(), german), 4, 8)
    series["de_rate"] = (pd.Series(rates["R"].to_numpy(), german), 4, 8)
    return series


def fertility_case(runs: dict, held_out: int = 6) -> None:
    """One model over many short yearly series: fertility rates of ~190 countries.

    statsmodels' fertility data (births per woman, 1960-2011, the countries
    with every year), the last ``held_out`` years held out; one RNNForecaster
    per run trained on the windows of every country's training part and
    forecasting all countries in one call, beside naive, drift and ETS fitted
    per country. MASE per country (m=1); printed: the mean MASE and the
    geometric mean over the countries of MASE / ETS MASE.
    """
    import statsmodels.api as sm

    data = sm.datasets.fertility.load_pandas().data
    years = [str(year) for year in range(1960, 2012)]
    values = data[years].dropna().to_numpy(dtype=float)
    trains, tests = values[:, :-held_out], values[:, -held_out:]
    print(f"\nFertility: {len(values)} countries, 1960-2011, last {held_out} held out:")

    def per_country(preds) -> np.ndarray:
        triples = zip(trains, tests, preds, strict=True)
        return np.array([mase(test, pred, train, 1) for train, test, pred in triples])

    scores, seconds = {}, {}
    for name, method in (("naive", naive), ("drift", drift), ("ets", ets)):
        scores[name] = per_country([method(train, held_out, 1) for train in trains])
    X, y = make_windows(list(trains), lookback=LOOKBACK)
    for name, params in runs.items():
        start = time.perf_counter()
        model = RNNForecaster(**{"random_state": 0, **params}).fit(X, y)
        preds = model.forecast(trains, steps=held_out)  # the last LOOKBACK years seed it
        scores[name] = per_country(preds)
        seconds[name] = time.perf_counter() - start
    for name, row in scores.items():
        ratio = geo_mean(row / scores["ets"])
        beats = np.mean(row < scores["naive"])
        extra = f", fit + forecast {seconds[name]:.1f}s" if name in seconds else ""
        print(
            f"{name:>16}: mean MASE {row.mean():.3f}, geo-mean MASE / ETS MASE "
            f"{ratio:.3f}, beats naive on {beats:.0%}{extra}"
        )


def mase(truth, pred, train, m) -> float:
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(np.asarray(truth) - np.asarray(pred))) / scale)


def naive(train, h, m):
    return np.repeat(train[-1], h)


def seasonal_naive(train, h, m):
    return np.resize(train[-m:], h)


def drift(train, h, m):
    slope = (train[-1] - train[0]) / (len(train) - 1)
    return train[-1] + slope * np.arange(1, h + 1)


def ets(train, h, m):
    """statsmodels' ETS, its form by AIC: the development suite's
    ``ets_forecast`` (imported here: the suite imports this module)."""
    from bench_forecast_suite import ets_forecast

    return ets_forecast(np.asarray(train, dtype=float), h, m)["mean"]


def rnn(train, h, m, **params):
    X, y = make_windows(train, lookback=LOOKBACK)
    model = RNNForecaster(**{"random_state": 0, **params}).fit(X, y)
    return model.forecast(train[-LOOKBACK:], steps=h)


def covariate_case(variants: dict) -> None:
    """realcons forecast with and without income growth known over the forecast."""
    import statsmodels.api as sm

    macro = sm.datasets.macrodata.load_pandas().data
    consumption = macro["realcons"].to_numpy(dtype=float)
    income = macro["realdpi"].to_numpy(dtype=float)
    growth = np.r_[0.0, 100 * np.diff(np.log(income))]  # quarterly, percent
    h, m = 8, 4
    train, test = consumption[:-h], consumption[-h:]
    print(f"\nrealcons, last {h} quarters held out (MASE):")
    for name, method in (("ets", ets), ("drift", drift), ("naive", naive)):
        print(f"  {name:>32}: {mase(test, method(train, h, m), train, m):.3f}")
    seed = np.column_stack([train[-LOOKBACK:], growth[-h - LOOKBACK : -h]])
    for name, params in variants.items():
        params = {"random_state": 0, "calibration_fraction": None, **params}
        start = time.perf_counter()
        X, y = make_windows(train, lookback=LOOKBACK)
        alone = RNNForecaster(**params).fit(X, y).forecast(train[-LOOKBACK:], steps=h)
        X, y = make_windows(train, lookback=LOOKBACK, future_covariates=growth[:-h])
        model = RNNForecaster(n_future_covariates=1, **params).fit(X, y)
        informed = model.forecast(seed, steps=h, future_covariates=growth[-h:])
        elapsed = time.perf_counter() - start
        print(f"  {name + ', consumption alone':>32}: {mase(test, alone, train, m):.3f}")
        print(
            f"  {name + ', with income growth':>32}: {mase(test, informed, train, m):.3f}"
            f" (both fits {elapsed:.1f}s)"
        )


def geo_mean(values) -> float:
    return float(np.exp(np.mean(np.log(values))))


def geo_ratio(row: dict, reference: dict) -> float:
    """Geometric mean over the series of ``row``'s MASE divided by ``reference``'s."""
    return geo_mean([row[s] / reference[s] for s in row])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scaling", default=None, help="comma-separated options to compare"
    )
    parser.add_argument(
        "--only-covariates", action="store_true", help="run the covariate case alone"
    )
    parser.add_argument(
        "--params",
        default="{}",
        help="JSON of RNNForecaster parameters for every variant, e.g. '{\"lr\": 1e-3}'",
    )
    parser.add_argument(
        "--suite",
        choices=("core", "extended"),
        default="core",
        help="extended: seven more real series and the fertility case",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="fit with random_state 0 .. SEEDS-1 and print each seed's row: the "
        "spread from the seed alone, against which a change of defaults is judged",
    )
    args = parser.parse_args()
    extra = json.loads(args.params)
    variants = {"rnn": extra}
    if args.scaling:
        variants = {f"rnn[{s}]": {**extra, "scaling": s} for s in args.scaling.split(",")}
    if args.only_covariates:
        covariate_case(variants)
        return
    data = load_series()
    core = list(data)
    if args.suite == "extended":
        data.update(load_extended())
    baselines = {"naive": naive, "snaive": seasonal_naive, "drift": drift, "ets": ets}
    runs = {
        (name if args.seeds == 1 else f"{name} s{seed}"): {**params, "random_state": seed}
        for name, params in variants.items()
        for seed in range(args.seeds)
    }
    scores = {name: {} for name in [*baselines, *runs]}
    seconds = {name: {} for name in runs}
    for series_name, (series, m, h) in data.items():
        values = series.to_numpy(dtype=float)
        train, test = values[:-h], values[-h:]
        for name, method in baselines.items():
            scores[name][series_name] = mase(test, method(train, h, m), train, m)
        for name, params in runs.items():
            start = time.perf_counter()
            pred = rnn(train, h, m, **params)
            seconds[name][series_name] = time.perf_counter() - start
            scores[name][series_name] = mase(test, pred, train, m)

    names = list(data)
    print(f"MASE on each series' held-out tail (lookback {LOOKBACK}):")
    print(f"{'method':>16}" + "".join(f"{s:>10}" for s in names))
    for method, row in scores.items():
        print(f"{method:>16}" + "".join(f"{row[s]:10.3f}" for s in names))
    for name in runs:
        ratio = geo_ratio({s: scores[name][s] for s in core}, scores["ets"])
        beats = all(scores[name][s] < scores["snaive"][s] for s in core)
        fits = " ".join(f"{s} {seconds[name][s]:.1f}s" for s in core)
        print(f"{name}: geo-mean MASE / ETS MASE = {ratio:.3f}; beats seasonal naive on")
        print(f"  every series: {beats}; fit + forecast times: {fits}")
        if len(names) > len(core):
            wins = sum(scores[name][s] < scores["snaive"][s] for s in names)
            print(
                f"  all {len(names)} series: geo-mean MASE / ETS MASE = "
                f"{geo_ratio(scores[name], scores['ets']):.3f}; beats seasonal naive "
                f"on {wins}"
            )

    # many series, one model: windows of every training part, one forecast call
    print("\nOne model over all five series (list input to make_windows):")
    data = {name: data[name] for name in core}
    trains = [series.to_numpy(dtype=float)[:-h] for series, _, h in data.values()]
    horizon = max(h for _, _, h in data.values())
    X, y = make_windows(trains, lookback=LOOKBACK)
    for name, params in runs.items():
        start = time.perf_counter()
        model = RNNForecaster(**{"random_state": 0, **params}).fit(X, y)
        seeds = np.stack([train[-LOOKBACK:] for train in trains])
        preds = model.forecast(seeds, steps=horizon)
        elapsed = time.perf_counter() - start
        shared = {}
        for i, (series_name, (series, m, h)) in enumerate(data.items()):
            values = series.to_numpy(dtype=float)
            shared[series_name] = mase(values[-h:], preds[i, :h], values[:-h], m)
        print(f"{name}: MASE " + ", ".join(f"{s} {v:.3f}" for s, v in shared.items()))
        print(
            f"  geo-mean MASE / ETS MASE = {geo_ratio(shared, scores['ets']):.3f}; "
            f"{len(X)} windows, fit + forecast {elapsed:.1f}s"
        )
    covariate_case(variants)
    if args.suite == "extended":
        fertility_case(runs)


if __name__ == "__main__":
    main()

"""A forecasting development suite for RNNForecaster that cannot be won by luck.

Data: seventeen real series, fixed before any result was seen (``SERIES``),
passed raw (no log transform, no detrending), each with its season length
``m`` and horizon ``h``:

* statsmodels: co2 (monthly means of the weekly Mauna Loa record, m=12,
  h=24), sunspots (yearly, m=1, h=11), nile (yearly flow, m=1, h=10), elnino
  (monthly sea surface temperature, m=12, h=24), macrodata's realgdp,
  unemp, cpi, m1, tbilrate and realinv (quarterly, m=4, h=8),
  interest_inflation's German inflation Dp (de_infl) and long-term rate R
  (de_rate) (quarterly, m=4, h=8);
* pmdarima: wineind (monthly, m=12, h=12), woolyrnq and austres (quarterly,
  m=4, h=8), heartrate (m=1, h=10), taylor (half-hourly electricity demand,
  m=48, h=48, its last 1,344 values: four weeks).

Left out (``DROPPED``): statsmodels' elec_equip (statsmodels 0.15 has no
``sm.datasets.elec_equip``) and pmdarima's gasoline (pmdarima downloads it
on first use; this suite reads offline data only). airpassengers and lynx
are never used, nor anything bundled with aeon or sktime.

The sorted names are split once, by ``numpy.random.default_rng(27)``, into a
tuning half (the first ``ceil(n / 2)`` of the permutation) and a confirming
half (``TUNING`` and ``CONFIRMING``, checked against that permutation at
every run). Tune on the first; judge a change once on the second.

A fresh set (``FRESH``, ``--half fresh``), fixed after the confirming half
had been looked at too often to judge another change and before any result
on it: the offline series the halves leave unused, macrodata's realcons,
realgovt, realdpi, pop, infl and realint, danish_data's lrm, lry, lpy, ibo
and ide (55 quarters; all m=4, h=8), pmdarima's ausbeer (m=4, h=8, its
trailing NaN dropped) and msft's last 500 daily closes (m=1, h=10).

Origins: three per series. For ``j`` = 0, 1, 2 the training part is
``values[:n - h - j*h]`` and the test part the ``h`` values that follow it.

Methods:

* baselines, deterministic, once per series and origin: naive (the last
  value), seasonal naive (the last season; naive for m=1), drift (the line
  through the first and last training values) and ETS: statsmodels
  ``ETSModel`` with additive errors, its form (trend none, additive or
  damped; seasonality none or additive, the latter only for m > 1 and a
  training part of at least ``2 m + 2`` values) chosen by AIC, with its own
  80% and 95% prediction intervals (``get_prediction(...).summary_frame``).
  A form that fails to fit is left out; when the chosen form's forecast or
  intervals fail, the next form by AIC is used; both are printed.
* RNN variants: ``RNNForecaster`` trained on ``make_windows(train,
  lookback=L)``, ``L = max(24, 2 m)`` but at most ``len(train) // 3``,
  forecast with ``forecast(train, steps=h)`` (the network reads the last
  ``L`` values; ETS and seasonal naive, under ``combine``, are fitted on all of
  them), intervals from ``forecast_interval(train, steps=h, coverage=c)`` for c = 0.8 and
  0.95 (NaN, and counted, where too few windows were held out to calibrate
  them). ``--variants`` is a JSON dict name -> RNNForecaster parameters, each
  variant run for ``random_state`` 0 .. SEEDS-1 (``--seeds``). The fits run
  in ``--jobs`` processes (joblib), one torch thread each; every fit's
  forecasts, intervals, fit seconds and process CPU seconds are cached in
  ``benchmarks/.cache/forecast_suite/`` under (parameters JSON, series,
  origin, seed), so a rerun with more variants or seeds fits only what is
  new.

Metrics: MASE (mean absolute error over the test part divided by the
in-sample mean absolute error of the seasonal naive forecast on the training
part), averaged over origins (and seeds for a variant). For each variant:

1. the series won against ETS and against seasonal naive (the variant's mean
   MASE more than 0.1% below the baseline's; within 0.1% either way is a
   tie, listed apart), and the series it fails on every seed (each
   seed's origin-mean MASE above 1.2 times seasonal naive's);
2. the geometric mean over the series of the variant's MASE over ETS's, and
   over seasonal naive's;
3. per series: the baselines' MASE, the variant's mean, min and max over
   seeds (the seed spread), the mean fit seconds;
4. interval coverage at 80% and 95%, per horizon step pooled over series,
   origins and seeds (steps 1 to 24 one by one, then blocks of 12), and per
   series (mean and minimum over the steps), with the interval score
   (Gneiting & Raftery; Winkler) at alpha 0.2 and 0.05 divided by the MASE
   scale, all beside ETS's own intervals;
5. the mean CPU seconds per fit.

Run (statsmodels, pandas and pmdarima come with the ``bench`` extra)::

    python benchmarks/bench_forecast_suite.py --only-baselines --half all
    python benchmarks/bench_forecast_suite.py --half tuning --seeds 3 --jobs 2 \\
        --variants '{"default": {}, "lr3e-3": {"lr": 3e-3}}'

``--cached-only`` reports from the cache alone (no fitting): series that
miss fits are listed and left out.

``--combinations`` adds, for each variant, the combinations its cached
forecasts make possible without another fit (``report_combinations``): the
mean and median over 3 of the seeds' forecasts (every triple) and over all
of them, which is what an ensemble of that many networks differing by
``random_state`` forecasts, and ``w`` network + ``(1 - w)`` ETS for ``w`` =
0.25, 0.5, 0.75, each seed on its own, and every mixture of the network,
ETS and seasonal naive in quarters with some seasonal naive. ETS here is fitted on the whole
training part, which ``forecast(seed window)`` does not see, and seasonal
naive knows the season: an upper bound of what a combination could give,
not a method the forecaster offers. Last,
a choice on the training data alone (``report_backtest_choice``): for each
series, origin and seed, the network or a baseline, whichever had the
smaller MASE at the origin one horizon earlier, scored at the two latest
origins against the baselines at those origins.
"""

import argparse
import hashlib
import json
import math
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_forecast_accuracy import (  # noqa: E402
    drift,
    geo_mean,
    load_extended,
    load_series,
    naive,
    seasonal_naive,
)

import sklearn_seq  # noqa: E402
from sklearn_seq import RNNForecaster, make_windows  # noqa: E402

# name -> (source, season length m, horizon h); fixed before any result was seen
SERIES = {
    "co2": ("statsmodels", 12, 24),
    "sunspots": ("statsmodels", 1, 11),
    "nile": ("statsmodels", 1, 10),
    "elnino": ("statsmodels", 12, 24),
    "realgdp": ("statsmodels", 4, 8),
    "unemp": ("statsmodels", 4, 8),
    "cpi": ("statsmodels", 4, 8),
    "m1": ("statsmodels", 4, 8),
    "tbilrate": ("statsmodels", 4, 8),
    "realinv": ("statsmodels", 4, 8),
    "de_infl": ("statsmodels", 4, 8),
    "de_rate": ("statsmodels", 4, 8),
    "wineind": ("pmdarima", 12, 12),
    "woolyrnq": ("pmdarima", 4, 8),
    "austres": ("pmdarima", 4, 8),
    "heartrate": ("pmdarima", 1, 10),
    "taylor": ("pmdarima", 48, 48),
}
DROPPED = {
    "elec_equip": "statsmodels 0.15 has no sm.datasets.elec_equip",
    "gasoline": "pmdarima downloads it from alkaline-ml.com on first use (not offline)",
}
TAIL = {"taylor": 1344, "msft": 500}  # values kept from the end
# A third set, fixed (2026-12-05) before any result on it was seen, after the
# confirming half had been looked at too often to judge another change: the
# offline series the two halves do not use. name -> (source, m, h)
FRESH = {
    **{name: ("macrodata", 4, 8) for name in ("realcons", "realgovt", "realdpi")},
    **{name: ("macrodata", 4, 8) for name in ("pop", "infl", "realint")},
    **{f"dk_{name}": ("danish_data", 4, 8) for name in ("lrm", "lry", "lpy", "ibo", "ide")},
    "ausbeer": ("pmdarima", 4, 8),
    "msft": ("pmdarima", 1, 10),
}
SPLIT_SEED = 27
TUNING = (
    *("cpi", "nile", "woolyrnq", "taylor", "austres"),
    *("sunspots", "co2", "heartrate", "realgdp"),
)
CONFIRMING = (
    *("elnino", "realinv", "wineind", "de_infl"),
    *("de_rate", "unemp", "m1", "tbilrate"),
)
N_ORIGINS = 3
COVERAGES = (0.8, 0.95)
FAIL_FACTOR = 1.2
# a mean MASE within this share of a baseline's is a tie, neither won nor lost:
# where two of the median's three forecasts agree (ETS that is naive, a
# random walk's seasonal naive), it equals them up to rounding
TIE = 1e-3
BASELINES = ("ets", "snaive", "naive", "drift")
CACHE = HERE / ".cache" / "forecast_suite"


def halves() -> tuple[list, list]:
    """The tuning and confirming halves: a fixed permutation of the sorted names.

    Returns
    -------
    tuning, confirming : list of str
        The first ``ceil(n / 2)`` names of ``default_rng(27).permutation`` of
        the sorted series names, and the rest.

    Raises
    ------
    RuntimeError
        When the permutation no longer gives ``TUNING`` and ``CONFIRMING``
        (the series list or numpy's generator changed): the halves are fixed.
    """
    names = sorted(SERIES)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(names))
    shuffled = [names[i] for i in order]
    cut = math.ceil(len(names) / 2)
    tuning, confirming = shuffled[:cut], shuffled[cut:]
    if tuple(tuning) != TUNING or tuple(confirming) != CONFIRMING:
        raise RuntimeError(f"the halves moved: {tuning} / {confirming}")
    return tuning, confirming


def load_all() -> dict:
    """Every series of ``SERIES``.

    Returns
    -------
    dict
        name -> (values as a float64 array, season length m, horizon h).
    """
    import pmdarima.datasets as pm_data

    statsmodels_series = {**load_series(), **load_extended()}
    data = {}
    for name, (source, m, h) in SERIES.items():
        if source == "statsmodels":
            series, m_known, h_known = statsmodels_series[name]
            assert (m_known, h_known) == (m, h), name
            values = series.to_numpy(dtype=float)
        else:
            values = np.asarray(getattr(pm_data, f"load_{name}")(), dtype=float)
        data[name] = (values[-TAIL.get(name, len(values)) :], m, h)
    for name, (source, m, h) in FRESH.items():
        values = load_fresh(name, source)
        data[name] = (values[-TAIL.get(name, len(values)) :], m, h)
    return data


def load_fresh(name: str, source: str) -> np.ndarray:
    """One series of ``FRESH`` as a float64 array (ausbeer without its trailing NaN;
    msft: daily closing prices)."""
    import pmdarima.datasets as pm_data
    import statsmodels.api as sm

    if source == "macrodata":
        return sm.datasets.macrodata.load_pandas().data[name].to_numpy(dtype=float)
    if source == "danish_data":
        frame = sm.datasets.danish_data.load_pandas().data
        return frame[name.removeprefix("dk_")].to_numpy(dtype=float)
    if name == "msft":
        return pm_data.load_msft()["Close"].to_numpy(dtype=float)
    values = np.asarray(pm_data.load_ausbeer(), dtype=float)
    return values[: int(np.flatnonzero(np.isfinite(values))[-1]) + 1]


def origins(values: np.ndarray, h: int, count: int = N_ORIGINS) -> list:
    """The rolling origins' (train, test) pairs, latest first.

    Parameters
    ----------
    values : ndarray
        The whole series.
    h : int
        Horizon.
    count : int, default=N_ORIGINS
        Origins wanted. Those past the first ``N_ORIGINS`` (the suite's) are
        taken only while the training part keeps half the series
        (``bench_forecast_intervals.py`` asks for more).

    Returns
    -------
    list of tuple
        For ``j`` in 0 .. ``count`` - 1: ``values[:n - h - j*h]`` and the
        ``h`` values after it.
    """
    n = len(values)
    pairs = []
    for j in range(count):
        end = n - h - j * h
        if j >= N_ORIGINS and end < n / 2:
            break
        pairs.append((values[:end], values[end : end + h]))
    return pairs


def lookback(train: np.ndarray, m: int) -> int:
    """Window length: ``max(24, 2 m)``, at most a third of the training part."""
    return min(max(24, 2 * m), len(train) // 3)


def mase_scale(train: np.ndarray, m: int) -> float:
    """In-sample mean absolute error of the seasonal naive forecast (MASE's scale)."""
    return float(np.mean(np.abs(train[m:] - train[:-m])))


def interval_score(lower, upper, truth, alpha: float) -> np.ndarray:
    """Interval score of a central ``1 - alpha`` interval (Gneiting & Raftery 2007).

    Parameters
    ----------
    lower, upper, truth : ndarray
        Bounds and observed values, of one shape.
    alpha : float
        One minus the nominal coverage.

    Returns
    -------
    ndarray
        ``(upper - lower) + 2/alpha * (lower - y)`` where ``y < lower``,
        ``+ 2/alpha * (y - upper)`` where ``y > upper``; NaN where a bound is.
    """
    below = np.where(truth < lower, lower - truth, 0.0)
    above = np.where(truth > upper, truth - upper, 0.0)
    return (upper - lower) + 2.0 / alpha * (below + above)


def covered(lower, upper, truth) -> np.ndarray:
    """1.0 where ``truth`` lies within the bounds, 0.0 outside, NaN without bounds."""
    inside = ((lower <= truth) & (truth <= upper)).astype(float)
    return np.where(np.isfinite(lower) & np.isfinite(upper), inside, np.nan)


def ets_form(trend, damped, seasonal) -> str:
    """ETS(error, trend, season) label, such as ``A,Ad,A``."""
    trend_label = "N" if trend is None else ("Ad" if damped else "A")
    return f"A,{trend_label},{'A' if seasonal else 'N'}"


def ets_forecast(train: np.ndarray, h: int, m: int) -> dict:
    """ETS with additive errors, its form chosen by AIC, and its own intervals:
    the forms ``RNNForecaster(combine)`` fits (``_statistical._forms_by_aic``),
    with this suite's season ``m`` given rather than found, and notes.

    Parameters
    ----------
    train : ndarray
        Training part.
    h : int
        Horizon.
    m : int
        Season length; seasonal forms only for m > 1 and at least ``2 m + 2``
        training values.

    Returns
    -------
    dict
        ``mean`` (h,), ``lower``/``upper``: coverage -> (h,) bounds, ``form``
        (the form used), ``notes``: failures and fallbacks, in words. When no
        form works, the naive forecast with NaN bounds and the form "naive".
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    from sklearn_seq._statistical import _forms_by_aic, _interval, forms

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = _forms_by_aic(ETSModel, train, m)  # the smallest AIC first
    labelled = [
        (ets_form(fit.model.trend, fit.model.damped_trend, fit.model.seasonal), fit)
        for fit in fits
    ]
    llf = {form: fit.llf for form, fit in labelled}
    tried = [ets_form(*form) for form in forms(len(train), m)]
    notes = [f"{form} failed to fit" for form in tried if form not in llf]
    for form in llf:  # a seasonal form nests the form without season: not below it
        plain = form[:-1] + "N"
        if form.endswith(",A") and plain in llf and llf[form] < llf[plain] - 1e-6:
            notes.append(
                f"{form} log-likelihood {llf[form]:.1f} below {plain}'s "
                f"{llf[plain]:.1f}, which it nests (optimizer)"
            )
    for rank, (form, fit) in enumerate(labelled):
        try:
            mean = np.asarray(fit.forecast(h), dtype=float)
            intervals = {c: _interval(fit, len(train), h, c) for c in COVERAGES}
            lower = {c: bounds[0] for c, bounds in intervals.items()}
            upper = {c: bounds[1] for c, bounds in intervals.items()}
            bounds = [*lower.values(), *upper.values()]
            if not all(np.isfinite(b).all() and b.shape == (h,) for b in [mean, *bounds]):
                raise ValueError("non-finite forecast or bounds")
        except Exception as exc:  # noqa: BLE001 - fall back to the next form by AIC
            notes.append(f"{form} (AIC rank {rank + 1}) failed to forecast ({exc})")
            continue
        if rank:
            notes.append(f"fell back to {form}, AIC rank {rank + 1}")
        if isinstance(fit.mle_retvals, dict) and fit.mle_retvals.get("converged") is False:
            notes.append(f"{form}: the optimizer did not report convergence")
        return {"mean": mean, "lower": lower, "upper": upper, "form": form, "notes": notes}
    notes.append("no ETS form worked: naive forecast, no intervals")
    nan = np.full(h, np.nan)
    return {
        "mean": naive(train, h, m),
        "lower": dict.fromkeys(COVERAGES, nan),
        "upper": dict.fromkeys(COVERAGES, nan),
        "form": "naive",
        "notes": notes,
    }


def run_baselines(data: dict, names: list) -> dict:
    """The baselines on every origin of the named series.

    Returns
    -------
    dict
        name -> list over origins of dicts: ``scale`` (MASE scale), ``test``,
        ``mase`` (method -> MASE), ``ets`` (``ets_forecast``'s dict),
        ``snaive`` (the seasonal naive forecast) and ``seconds`` (ETS's form
        search and forecast).
    """
    methods = {"naive": naive, "snaive": seasonal_naive, "drift": drift}
    out = {}
    for name in names:
        values, m, h = data[name]
        out[name] = []
        for train, test in origins(values, h):
            scale = mase_scale(train, m)
            preds = {method: f(train, h, m) for method, f in methods.items()}
            start = time.perf_counter()
            ets = ets_forecast(train, h, m)
            seconds = time.perf_counter() - start
            preds["ets"] = ets["mean"]
            mase = {k: float(np.mean(np.abs(test - p)) / scale) for k, p in preds.items()}
            out[name].append(
                {
                    **{"scale": scale, "test": test, "mase": mase, "ets": ets},
                    **{"snaive": preds["snaive"], "seconds": seconds},
                }
            )
    return out


def fit_one(params: dict, train: np.ndarray, h: int, m: int, seed: int) -> dict:
    """Fit one RNNForecaster on one training part and forecast ``h`` steps.

    Parameters
    ----------
    params : dict
        RNNForecaster parameters; ``random_state`` is ``seed`` and
        ``n_threads`` 1 whatever they say.
    train : ndarray
        Training part.
    h, m : int
        Horizon and season length.
    seed : int
        ``random_state``.

    Returns
    -------
    dict
        ``point`` (h,), ``lower``/``upper``: str(coverage) -> (h,) bounds as
        lists (None for NaN), ``interval_errors``, ``fit_s`` (wall seconds of
        ``fit``), ``cpu_s`` (this process's CPU seconds over ``fit``),
        ``forecast_s``, ``lookback``, ``n_windows``, ``n_calibration`` (held-out
        windows the intervals were calibrated on).
    """
    L = lookback(train, m)
    # "_direct": true trains windows whose targets are the next h values (one
    # pass forecasts the horizon) instead of the next value (a rollout)
    X, y = make_windows(train, lookback=L, horizon=h if params.get("_direct") else 1)
    # other keys from "_" on only label a variant (a code version: "_code": "v2")
    params = {key: value for key, value in params.items() if not key.startswith("_")}
    model = RNNForecaster(**{**params, "random_state": seed, "n_threads": 1})
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(X, y)
    fit_s, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    start = time.perf_counter()
    # the whole training part: the network reads its last L values, ETS
    # and seasonal naive (combine) are fitted on all of it
    point = model.forecast(train, steps=h)
    lower, upper, errors = {}, {}, {}
    for coverage in COVERAGES:
        try:
            lo, hi = model.forecast_interval(train, steps=h, coverage=coverage)
        except ValueError as exc:
            lo = hi = np.full(h, np.nan)
            errors[str(coverage)] = str(exc)
        lower[str(coverage)], upper[str(coverage)] = as_json(lo), as_json(hi)
    return {
        "point": as_json(point),
        "lower": lower,
        "upper": upper,
        "interval_errors": errors,
        "fit_s": fit_s,
        "cpu_s": cpu_s,
        "forecast_s": time.perf_counter() - start,
        "lookback": L,
        "n_windows": len(X),
        "n_calibration": len(getattr(model, "calibration_errors_", ())),
    }


def as_json(values) -> list:
    """A float array as a JSON list, None for NaN."""
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values)]


def as_array(values) -> np.ndarray:
    """A JSON list (None for NaN) as a float array."""
    return np.array(values, dtype=float)


def cache_entry(params: dict, name: str, origin: int, seed: int, train) -> tuple:
    """The cache key of one fit, its file, and the checksum of its training part."""
    key = json.dumps(
        {
            "params": json.dumps(params, sort_keys=True),
            "series": name,
            "origin": origin,
            "seed": seed,
        },
        sort_keys=True,
    )
    path = CACHE / f"{hashlib.sha1(key.encode()).hexdigest()}.json"
    return key, path, hashlib.sha1(np.ascontiguousarray(train).tobytes()).hexdigest()


def read_cached(path: Path, key: str, checksum: str):
    """The cached record at ``path`` if it holds ``key`` on the same training part."""
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if record.get("key") != key or record.get("train_sha1") != checksum:
        return None
    return record


def write_cached(path: Path, record: dict) -> None:
    """Write ``record`` to ``path`` atomically (a killed run leaves no half file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, path)


def run_variants(variants, data, names, seeds, jobs, cached_only, count=N_ORIGINS) -> dict:
    """Every fit of every variant, from the cache or fitted in ``jobs`` processes,
    at ``count`` origins (``origins``).

    Returns
    -------
    dict
        variant -> series -> (origin, seed) -> record (``fit_one``'s dict plus
        the cache fields); fits neither cached nor run are absent.
    """
    from joblib import Parallel, delayed

    results = {variant: {name: {} for name in names} for variant in variants}
    todo = []
    for variant, params in variants.items():
        for name in names:
            values, m, h = data[name]
            for origin, (train, _) in enumerate(origins(values, h, count)):
                for seed in range(seeds):
                    key, path, checksum = cache_entry(params, name, origin, seed, train)
                    record = read_cached(path, key, checksum)
                    if record is not None:
                        results[variant][name][origin, seed] = record
                    else:
                        todo.append((variant, params, name, origin, seed, train, m, h))
    n_fits = sum(len(fits) for by_name in results.values() for fits in by_name.values())
    n_fits += len(todo)
    print(f"\n{n_fits} fits: {n_fits - len(todo)} cached, {len(todo)} to run", end="")
    if cached_only:
        print(" (--cached-only: not run)")
        return results
    print(f" in {jobs} process(es)", flush=True)
    if not todo:
        return results
    start = time.perf_counter()
    calls = (delayed(tagged_fit)(task) for task in todo)
    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    for done, (task, record) in enumerate(parallel(calls), 1):
        variant, params, name, origin, seed, train, m, h = task
        key, path, checksum = cache_entry(params, name, origin, seed, train)
        record.update(
            key=key,
            train_sha1=checksum,
            n_train=len(train),
            h=h,
            sklearn_seq=sklearn_seq.__version__,
            finished=time.strftime("%Y-%m-%d %H:%M:%S"),
        )
        write_cached(path, record)
        results[variant][name][origin, seed] = record
        print(
            f"  [{done}/{len(todo)}, {time.perf_counter() - start:.0f}s] {variant} "
            f"{name} origin {origin} seed {seed}: fit {record['fit_s']:.1f}s "
            f"(CPU {record['cpu_s']:.1f}s)",
            flush=True,
        )
    return results


def tagged_fit(task: tuple) -> tuple:
    """``fit_one`` on a task, returned with the task (results come back unordered)."""
    _, params, _, _, seed, train, m, h = task
    return task, fit_one(params, train, h, m, seed)


def fmt(value: float, width: int = 7, digits: int = 3) -> str:
    """A number right-aligned in ``width``, '-' for NaN."""
    if value is None or not np.isfinite(value):
        return f"{'-':>{width}}"
    return f"{value:{width}.{digits}f}"


def print_baselines(data: dict, base: dict, names: list) -> None:
    """The baselines' table: mean MASE over origins, ETS forms, intervals, notes."""
    print("\nBaselines: MASE averaged over the 3 origins")
    head = f"{'series':>10} {'n':>5} {'m':>3} {'h':>3} {'L':>3}"
    head += "".join(f"{b:>8}" for b in BASELINES)
    head += f"  {'ETS cov80':>9} {'cov95':>6}  ETS forms (origin 0, 1, 2)"
    print(head)
    for name in names:
        values, m, h = data[name]
        runs = base[name]
        row = f"{name:>10} {len(values):5d} {m:3d} {h:3d} "
        row += f"{lookback(origins(values, h)[0][0], m):3d}"
        row += "".join(fmt(np.mean([r["mase"][b] for r in runs]), 8) for b in BASELINES)
        cover = {
            c: np.nanmean(
                [
                    covered(r["ets"]["lower"][c], r["ets"]["upper"][c], r["test"])
                    for r in runs
                ]
            )
            for c in COVERAGES
        }
        row += f"  {fmt(cover[0.8], 9, 2)} {fmt(cover[0.95], 6, 2)}  "
        print(row + ", ".join(r["ets"]["form"] for r in runs))
    for b in ("snaive", "naive", "drift"):
        ratio = geo_mean([mean_mase(base[s], b) / mean_mase(base[s], "ets") for s in names])
        print(f"geo-mean over series of {b} MASE / ETS MASE: {ratio:.3f}")
    seconds = [r["seconds"] for s in names for r in base[s]]
    print(
        f"ETS form search + forecast: {np.mean(seconds):.2f}s per origin on average, "
        f"{max(seconds):.2f}s at most"
    )
    notes = [
        (name, j, note)
        for name in names
        for j, r in enumerate(base[name])
        for note in r["ets"]["notes"]
    ]
    print(f"ETS notes ({len(notes)}):" + ("" if notes else " none"))
    for name, j, note in notes:
        print(f"  {name} origin {j}: {note}")


def mean_mase(runs: list, method: str) -> float:
    """A baseline's MASE averaged over the origins."""
    return float(np.mean([r["mase"][method] for r in runs]))


def evaluate(fits: dict, base: list, seeds: int) -> dict:
    """One variant on one series: MASE, coverage and interval scores.

    Returns
    -------
    dict
        ``mase`` (seeds, origins); ``hits``: coverage -> (seeds * origins, h)
        with NaN where there is no interval; ``score`` and ``ets_score``:
        coverage -> mean interval score / MASE scale of the variant's
        intervals, and of ETS's on the same origins, over the fits that have
        that interval (NaN where none has);
        ``missing``: coverage -> fits without that interval; ``fit_s``,
        ``cpu_s``: lists over the fits; ``n_calibration``: list.
    """
    mase = np.full((seeds, N_ORIGINS), np.nan)
    hits = {c: [] for c in COVERAGES}
    scores = {c: [] for c in COVERAGES}
    ets_scores = {c: [] for c in COVERAGES}
    missing = dict.fromkeys(COVERAGES, 0)
    for (origin, seed), record in sorted(fits.items()):
        run = base[origin]
        test, scale = run["test"], run["scale"]
        mase[seed, origin] = np.mean(np.abs(test - as_array(record["point"]))) / scale
        for c in COVERAGES:
            lo, hi = as_array(record["lower"][str(c)]), as_array(record["upper"][str(c)])
            hits[c].append(covered(lo, hi, test))
            if not np.isfinite(lo).all():
                missing[c] += 1
                continue
            scores[c].append(np.mean(interval_score(lo, hi, test, 1 - c)) / scale)
            ets_lo, ets_hi = run["ets"]["lower"][c], run["ets"]["upper"][c]
            ets_scores[c].append(
                np.mean(interval_score(ets_lo, ets_hi, test, 1 - c)) / scale
            )
    return {
        "mase": mase,
        "hits": {c: np.array(hits[c]) for c in COVERAGES},
        "score": {c: nanmean_or_nan(scores[c] or [np.nan]) for c in COVERAGES},
        "ets_score": {c: nanmean_or_nan(ets_scores[c] or [np.nan]) for c in COVERAGES},
        "missing": missing,
        "fit_s": [r["fit_s"] for r in fits.values()],
        "cpu_s": [r["cpu_s"] for r in fits.values()],
        "n_calibration": [r["n_calibration"] for r in fits.values()],
    }


def nanmean_or_nan(values, axis=None):
    """``np.nanmean`` without the warning for all-NaN slices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def ets_coverage_hits(runs: list) -> dict:
    """ETS's hits per coverage: (origins, h), 1.0 inside its interval, NaN without."""
    return {
        c: np.array(
            [covered(r["ets"]["lower"][c], r["ets"]["upper"][c], r["test"]) for r in runs]
        )
        for c in COVERAGES
    }


def pooled_steps(blocks: list, max_h: int) -> tuple:
    """Per-step coverage pooled over rows of several series (NaN-padded to ``max_h``)."""
    padded = [
        np.pad(b, ((0, 0), (0, max_h - b.shape[1])), constant_values=np.nan)
        for b in blocks
        if b.size
    ]
    stacked = np.concatenate(padded)
    return nanmean_or_nan(stacked, axis=0), np.sum(np.isfinite(stacked), axis=0)


def step_groups(max_h: int) -> list:
    """Steps 1 .. 24 one by one, then blocks of 12: list of (label, slice)."""
    groups = [(str(k), slice(k - 1, k)) for k in range(1, min(max_h, 24) + 1)]
    for first in range(25, max_h + 1, 12):
        last = min(first + 11, max_h)
        groups.append((f"{first}-{last}", slice(first - 1, last)))
    return groups


def report_variant(variant, params, results, data, base, names, seeds) -> None:
    """The five parts of a variant's report (see the module docstring)."""
    need = N_ORIGINS * seeds
    complete = [s for s in names if len(results[s]) == need]
    incomplete = [f"{s} ({len(results[s])}/{need})" for s in names if s not in complete]
    print(
        f"\n=== variant {variant}: {json.dumps(params, sort_keys=True)}, "
        f"seeds 0..{seeds - 1}, {len(complete)} series ==="
    )
    if incomplete:
        print("left out, fits missing: " + ", ".join(incomplete))
    if not complete:
        return
    stats = {s: evaluate(results[s], base[s], seeds) for s in complete}
    mean = {s: float(stats[s]["mase"].mean()) for s in complete}
    per_seed = {s: stats[s]["mase"].mean(axis=1) for s in complete}
    ref = {b: {s: mean_mase(base[s], b) for s in complete} for b in BASELINES}

    failing = [s for s in complete if (per_seed[s] > FAIL_FACTOR * ref["snaive"][s]).all()]
    print("1. Lead")
    for b, label in (("ets", "ETS"), ("snaive", "seasonal naive")):
        won = [s for s in complete if mean[s] < (1 - TIE) * ref[b][s]]
        tied = [s for s in complete if abs(mean[s] / ref[b][s] - 1) <= TIE]
        print(
            f"  won against {label}: {len(won)}/{len(complete)} ({', '.join(won)}); "
            f"tied (within {TIE:.1%}): {len(tied)} ({', '.join(tied)})"
        )
    print(
        f"  fails on every seed (each seed > {FAIL_FACTOR}x seasonal naive): "
        f"{len(failing)} ({', '.join(failing)})"
    )
    print("2. Geometric mean over series of variant MASE / baseline MASE")
    for b in ("ets", "snaive"):
        print(f"  / {b}: {geo_mean([mean[s] / ref[b][s] for s in complete]):.3f}")

    print("3. Per series (MASE averaged over origins; variant also over seeds)")
    head = f"{'series':>10}" + "".join(f"{b:>8}" for b in BASELINES)
    print(head + f" | {'mean':>7} {'min':>7} {'max':>7} {'fit s':>7}")
    for s in complete:
        row = f"{s:>10}" + "".join(fmt(ref[b][s], 8) for b in BASELINES)
        row += f" | {fmt(mean[s])} {fmt(per_seed[s].min())} {fmt(per_seed[s].max())}"
        print(row + f" {np.mean(stats[s]['fit_s']):7.1f}")

    ets_stats = {s: ets_coverage_hits(base[s]) for s in complete}
    max_h = max(data[s][2] for s in complete)
    print("4. Intervals: coverage per horizon step, pooled over series, origins, seeds")
    print(f"{'step':>7} {'n80':>5} {'cov80':>6} {'ETS80':>6} {'cov95':>6} {'ETS95':>6}")
    pooled = {
        c: pooled_steps([stats[s]["hits"][c] for s in complete], max_h) for c in COVERAGES
    }
    pooled_ets = {
        c: pooled_steps([ets_stats[s][c] for s in complete], max_h) for c in COVERAGES
    }
    for label, steps in step_groups(max_h):
        cells = []
        for c in COVERAGES:
            hits, counts = pooled[c]
            ets_hits, ets_counts = pooled_ets[c]
            cells.append(weighted(hits[steps], counts[steps]))
            cells.append(weighted(ets_hits[steps], ets_counts[steps]))
        n = int(pooled[0.8][1][steps].sum())
        print(f"{label:>7} {n:5d} " + " ".join(fmt(v, 6, 2) for v in cells))
    for c in COVERAGES:
        rnn = np.concatenate([stats[s]["hits"][c].ravel() for s in complete])
        ets = np.concatenate([ets_stats[s][c].ravel() for s in complete])
        print(
            f"  all steps, {c:.0%}: {fmt(nanmean_or_nan(rnn), 5, 3)} "
            f"(ETS {fmt(nanmean_or_nan(ets), 5, 3).strip()})"
        )

    print(
        "  per series: coverage mean and min over steps (pooled over origins and "
        "seeds), fits without an interval, held-out calibration windows, mean "
        "interval score / MASE scale (ETS's over the same origins)"
    )
    print(
        f"{'series':>10} {'cov80':>6} {'min':>5} {'ETS80':>6} {'cov95':>6} {'min':>5} "
        f"{'ETS95':>6} {'no80':>5} {'no95':>5} {'cal':>7} {'IS80':>7} {'ETS':>7} "
        f"{'IS95':>7} {'ETS':>7}"
    )
    for s in complete:
        st = stats[s]
        row = f"{s:>10}"
        for c in COVERAGES:
            per_step = nanmean_or_nan(st["hits"][c], axis=0)
            row += f" {fmt(nanmean_or_nan(per_step), 6, 2)} "
            lowest = np.nanmin(per_step) if np.isfinite(per_step).any() else np.nan
            row += fmt(lowest, 5, 2)
            row += f" {fmt(nanmean_or_nan(ets_stats[s][c]), 6, 2)}"
        row += f" {st['missing'][0.8]:5d} {st['missing'][0.95]:5d}"
        row += f" {min(st['n_calibration']):3d}-{max(st['n_calibration']):<3d}"
        for c in COVERAGES:
            row += f" {fmt(st['score'][c], 7, 2)} {fmt(st['ets_score'][c], 7, 2)}"
        print(row)
    total = len(complete) * need
    for c in COVERAGES:
        lacking = [s for s in complete if stats[s]["missing"][c]]
        scored = [
            s
            for s in complete
            if np.isfinite(stats[s]["score"][c]) and np.isfinite(stats[s]["ets_score"][c])
        ]
        ratio = geo_mean([stats[s]["score"][c] / stats[s]["ets_score"][c] for s in scored])
        n_missing = sum(stats[s]["missing"][c] for s in complete)
        print(
            f"  {c:.0%}: {n_missing}/{total} fits without an interval (on "
            f"{', '.join(lacking) or 'none'}); geo-mean over the {len(scored)} series "
            f"with intervals of interval score / ETS's: {ratio:.3f}"
        )

    fit_s = np.concatenate([stats[s]["fit_s"] for s in complete])
    cpu_s = np.concatenate([stats[s]["cpu_s"] for s in complete])
    print(
        f"5. CPU seconds per fit: mean {cpu_s.mean():.2f} (wall {fit_s.mean():.2f}s, "
        f"{len(fit_s)} fits, total CPU {cpu_s.sum():.0f}s)"
    )


def run_mase(run: dict, point) -> float:
    """MASE of a forecast ``point`` at one origin (a ``run_baselines`` entry)."""
    return float(np.mean(np.abs(run["test"] - point)) / run["scale"])


def weighted(means: np.ndarray, counts: np.ndarray) -> float:
    """The mean of per-step means weighted by their counts (NaN with no count)."""
    if counts.sum() == 0:
        return float("nan")
    return float(np.nansum(means * counts) / counts.sum())


def combination_counts(mase_of, names, base) -> str:
    """Lead counts of one combination: ``mase_of(series)`` is (members, origins)."""
    won_ets = won_snaive = failing = 0
    ratios = []
    for s in names:
        mase = mase_of(s)
        ets, snaive = mean_mase(base[s], "ets"), mean_mase(base[s], "snaive")
        won_ets += mase.mean() < (1 - TIE) * ets
        won_snaive += mase.mean() < (1 - TIE) * snaive
        failing += bool((mase.mean(axis=1) > FAIL_FACTOR * snaive).all())
        ratios.append(mase.mean() / ets)
    return (
        f"won/ETS {won_ets}, won/s.naive {won_snaive}, failing {failing}, "
        f"geo / ETS {geo_mean(ratios):.3f}"
    )


def report_combinations(results, base, names, seeds) -> None:
    """Seed ensembles and ETS combinations of one variant's cached forecasts."""
    from itertools import combinations

    names = [s for s in names if len(results[s]) == N_ORIGINS * seeds]

    def ensemble(members, pool):
        def mase_of(s):
            points = {key: as_array(record["point"]) for key, record in results[s].items()}
            return np.array(
                [
                    [
                        run_mase(run, pool([points[o, seed] for seed in group], axis=0))
                        for o, run in enumerate(base[s])
                    ]
                    for group in members
                ]
            )

        return mase_of

    def with_baselines(w, w_ets, w_snaive=0.0):
        def mase_of(s):
            return np.array(
                [
                    [
                        run_mase(
                            run,
                            w * as_array(results[s][o, seed]["point"])
                            + w_ets * np.asarray(run["ets"]["mean"])
                            + w_snaive * np.asarray(run["snaive"]),
                        )
                        for o, run in enumerate(base[s])
                    ]
                    for seed in range(seeds)
                ]
            )

        return mase_of

    print(f"6. Combinations of the cached forecasts ({len(names)} series)")
    singles = [[seed] for seed in range(seeds)]
    counts = combination_counts(ensemble(singles, np.mean), names, base)
    print(f"  {'one network':<34} {counts}")
    triples = [list(group) for group in combinations(range(seeds), 3)]
    for size, members in ((3, triples), (seeds, [list(range(seeds))])):
        for pool in (np.mean, np.median):
            label = f"{pool.__name__} of {size} seeds"
            counts = combination_counts(ensemble(members, pool), names, base)
            print(f"  {label:<34} {counts}")
    for w in (0.25, 0.5, 0.75):
        label = f"{w} network + {1 - w} ETS"
        print(f"  {label:<34} {combination_counts(with_baselines(w, 1 - w), names, base)}")
    quarters = (0.0, 0.25, 0.5, 0.75)
    for w, w_ets in ((w, w_ets) for w in quarters for w_ets in quarters if w + w_ets < 1):
        w_snaive = 1 - w - w_ets
        label = f"{w} net + {w_ets} ETS + {w_snaive} s.naive"
        counts = combination_counts(with_baselines(w, w_ets, w_snaive), names, base)
        print(f"  {label:<34} {counts}")
    report_backtest_choice(results, base, names, seeds)


def report_backtest_choice(results, base, names, seeds) -> None:
    """Choose per series, origin and seed, among the network and the
    baselines, the method with the smaller MASE at the origin one horizon
    earlier (whose test part lies inside this origin's training part: a
    backtest on the training data alone). Scored at the two latest origins,
    the only ones with an earlier origin cached, beside the baselines' MASE
    at those two origins."""

    def score(s, method, origin, seed):
        if method == "net":
            return run_mase(base[s][origin], as_array(results[s][origin, seed]["point"]))
        return base[s][origin]["mase"][method]

    print(f"  chosen by the backtest at the origin before (origins 0-{N_ORIGINS - 2}):")
    latest = range(N_ORIGINS - 1)
    trimmed = {s: base[s][: N_ORIGINS - 1] for s in names}
    for pool in (["net"], ["net", "ets"], ["net", "ets", "snaive"], ["net", *BASELINES]):

        def mase_of(s, pool=pool):
            return np.array(
                [
                    [
                        score(s, min(pool, key=lambda m: score(s, m, o + 1, seed)), o, seed)
                        for o in latest
                    ]
                    for seed in range(seeds)
                ]
            )

        label = "network alone" if len(pool) == 1 else "best of " + ", ".join(pool)
        print(f"    {label:<38} {combination_counts(mase_of, names, trimmed)}")


def main():
    # a SIGTERM (kill, pkill) unwinds like Ctrl-C, so joblib stops its worker
    # processes; by default the parent dies alone and they fit on, orphaned
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--variants",
        default='{"default": {}}',
        help="JSON dict: variant name -> RNNForecaster parameters",
    )
    parser.add_argument("--seeds", type=int, default=5, help="random_state 0 .. SEEDS-1")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the fits")
    parser.add_argument(
        "--half", choices=("tuning", "confirming", "fresh", "all"), default="tuning"
    )
    parser.add_argument(
        "--only-baselines", action="store_true", help="print the baselines' table alone"
    )
    parser.add_argument(
        "--combinations",
        action="store_true",
        help="also report seed ensembles and ETS combinations of the cached forecasts",
    )
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="report from the cache alone: fit nothing",
    )
    args = parser.parse_args()
    variants = json.loads(args.variants)
    if not isinstance(variants, dict) or not all(
        isinstance(p, dict) for p in variants.values()
    ):
        parser.error("--variants must be a JSON dict of dicts")

    tuning, confirming = halves()
    print(f"tuning half ({len(tuning)}): {', '.join(tuning)}")
    print(f"confirming half ({len(confirming)}): {', '.join(confirming)}")
    print(f"fresh set ({len(FRESH)}): {', '.join(FRESH)}")
    print("dropped: " + "; ".join(f"{k} ({v})" for k, v in DROPPED.items()))
    names = {
        **{"tuning": tuning, "confirming": confirming, "fresh": list(FRESH)},
        "all": tuning + confirming,
    }
    names = names[args.half]
    print(
        f"selected: {args.half} ({len(names)} series); sklearn_seq "
        f"{sklearn_seq.__version__} from {Path(sklearn_seq.__file__).parent}"
    )

    data = load_all()
    base = run_baselines(data, names)
    print_baselines(data, base, names)
    if args.only_baselines:
        return
    results = run_variants(variants, data, names, args.seeds, args.jobs, args.cached_only)
    for variant, params in variants.items():
        report_variant(variant, params, results[variant], data, base, names, args.seeds)
        if args.combinations and args.seeds >= 3:
            report_combinations(results[variant], base, names, args.seeds)


if __name__ == "__main__":
    main()

"""Statistical forecasts on a forecast's history, for ``RNNForecaster(combine)``.

statsmodels' ``ETSModel`` with additive errors, fitted on the history given
to ``forecast``, one series and channel at a time. Its form is chosen by AIC
among no trend, an additive trend and a damped one, each without a season
and, for a season of ``m > 1`` steps and a history of at least ``2 m + 2``
values, with an additive one. Seasonal naive repeats the last season (the
last value for ``m = 1``). They combine with the network's forecast in one
of two ways:

* ``"median"``: step by step, the median of the network's, ETS's and
  seasonal naive's forecasts; the interval runs from that median by the
  network's own distances to its bounds, below and above: its
  split-conformal widths, the only ones of the three measured on data the
  model had not seen (ETS's assume its form and parameters known, seasonal
  naive's a random walk across seasons; where both are too narrow, as on a
  series that breaks, a median of the three widths followed them);
* a weight ``w``: ``(1 - w) network + w ETS``, bound by bound for intervals
  (an average of quantiles).

statsmodels is imported only here, when a forecaster combines.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._scaling import detect_season
from ._sequences import Sequences
from ._validation import check_finite_steps, nonfinite

__all__ = [
    *("MIN_HISTORY", "combine", "ets_forecast", "forms", "history_season"),
    "seasonal_naive",
]

# ETS estimates a level, a trend and their smoothing weights: fewer values than
# this leave its AIC meaningless
MIN_HISTORY = 8
# forms tried, as (trend, damped): none, additive, damped additive
_TRENDS = ((None, False), ("add", False), ("add", True))


def _statsmodels():
    try:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    except ImportError:  # pragma: no cover - a dependency of the package
        raise ImportError(
            "RNNForecaster(combine) fits statsmodels' exponential smoothing, a "
            "dependency of sklearn-seq: `pip install statsmodels`, or set "
            "combine=None."
        ) from None
    return ETSModel


def history_season(history: np.ndarray, season: int | None, max_lag: int) -> int:
    """The season of ETS's seasonal forms and of seasonal naive: ``season``,
    else detected on ``history``
    ``(T,)`` at lags up to ``max_lag``, as ``season_length="auto"`` detects it
    on windows of ``2 max_lag`` steps (``_scaling.detect_season``)."""
    if season is not None:
        return int(season)
    return detect_season(Sequences.full(history[None, :, None]), 1, max_lag)


def ets_forecast(history: np.ndarray, steps: int, season: int, coverage=None):
    """ETS's forecast ``(steps,)`` of ``history`` ``(T,)``, and its interval bounds.

    Parameters
    ----------
    history : ndarray of shape (T,)
        The series, finite, at least ``MIN_HISTORY`` values.
    steps : int
        Steps to forecast.
    season : int
        Season length; seasonal forms only for ``season > 1`` and at least
        ``2 season + 2`` values.
    coverage : float or None
        The interval's coverage; None for the forecast alone.

    Returns
    -------
    mean : ndarray of shape (steps,)
    bounds : tuple of two ndarrays of shape (steps,), or None
        The lower and upper bounds of ETS's own prediction interval.

    Raises
    ------
    ValueError
        When no form can be fitted and forecast.
    """
    if np.ptp(history) == 0:  # a flat history: every form forecasts its value
        flat = np.full(steps, history[0])
        return flat, None if coverage is None else (flat, flat.copy())
    model_class = _statsmodels()  # imported first: its import resets warning filters
    with warnings.catch_warnings():  # convergence notes of forms AIC rejects
        warnings.simplefilter("ignore")
        for fit in _forms_by_aic(model_class, history, season):
            mean = np.asarray(fit.forecast(steps), dtype=np.float64)
            bounds = coverage and _interval(fit, len(history), steps, coverage)
            if not nonfinite(np.stack([mean, *(bounds or ())])).any():
                return mean, bounds
    raise ValueError(
        f"exponential smoothing could not be fitted to a history of {len(history)} "
        "values (no form gave a finite forecast)"
    )


def _forms_by_aic(model_class, history: np.ndarray, season: int) -> list:
    """The forms of ``model_class`` (statsmodels' ``ETSModel``) that fit
    ``history``, fitted, the smallest AIC first."""
    import pandas as pd

    series = pd.Series(history)  # statsmodels' predictions need an index
    fitted = []
    for trend, damped, period in forms(len(history), season):
        model = model_class(
            series,
            error="add",
            trend=trend,
            damped_trend=damped,
            seasonal="add" if period else None,
            seasonal_periods=period,
        )
        try:
            fit = model.fit(disp=False)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):  # leave it out
            continue
        if -np.inf < fit.aic < np.inf:  # NaN fails this too
            fitted.append((fit.aic, len(fitted), fit))
    return [fit for _, _, fit in sorted(fitted, key=lambda entry: entry[:2])]


def forms(length: int, season: int) -> list:
    """The ETS forms tried on a history of ``length`` values, as ``(trend,
    damped, season)``: the three trends without a season, then, for a season
    ``m > 1`` the history holds at least ``2 m + 2`` values of, with it."""
    seasons = [None] + ([season] if season > 1 and length >= 2 * season + 2 else [])
    return [(trend, damped, period) for period in seasons for trend, damped in _TRENDS]


def _interval(fit, start: int, steps: int, coverage: float) -> tuple:
    """The lower and upper bounds of a fitted ETS's own prediction interval."""
    frame = fit.get_prediction(start, start + steps - 1).summary_frame(alpha=1 - coverage)
    return tuple(frame[column].to_numpy(np.float64) for column in ("pi_lower", "pi_upper"))


def seasonal_naive(history: np.ndarray, steps: int, season: int) -> np.ndarray:
    """Seasonal naive's forecast ``(steps,)`` of ``history`` ``(T,)``: its last
    ``season`` values repeated. A season the history does not hold twice falls
    back to the naive forecast, the last value repeated."""
    season = season if 1 <= season and 2 * season <= len(history) else 1
    return np.resize(history[-season:], steps).astype(np.float64)


def _median_of(network, others) -> tuple:
    """The step-by-step median of the ``network``'s ``(mean, bounds)`` forecast
    and the ``others``' means, and its interval: the network's distances to its
    own bounds, below and above the median."""
    mean, bounds = network
    center = np.median(np.stack([mean, *others]), axis=0)
    if bounds is None:
        return center, None
    return center, (center - (mean - bounds[0]), center + (bounds[1] - mean))


def combine(center, history, steps, how, season, max_lag, bounds=None, strict=True):
    """The network's forecast combined with ETS's (and seasonal naive's).

    Parameters
    ----------
    center : ndarray of shape (n, steps, k)
        The network's forecast.
    history : ndarray of shape (n, T, k)
        The target channels' histories given to ``forecast``.
    steps : int
        Steps forecast.
    how : float or "median"
        ETS's share in ``(1 - how) network + how ETS``, in [0, 1]; or
        ``"median"``, the median of the network's, ETS's and seasonal naive's
        forecasts (see the module's text).
    season : int or None
        The season of ETS's seasonal forms and of seasonal naive; None detects
        one per history, at lags up to ``max_lag``.
    max_lag : int
        The longest season detected: half the network's window, the lags
        ``season_length="auto"`` searches.
    bounds : tuple of (lower, upper, coverage) or None
        The network's interval bounds, each like ``center``, and their
        coverage: the combined bounds are returned as well.
    strict : bool
        Whether a history ETS cannot be fitted to raises a ValueError; else
        that seed keeps the network's forecast, with a warning.

    Returns
    -------
    center : ndarray of shape (n, steps, k)
    lower, upper : ndarray of shape (n, steps, k)
        Only with ``bounds``.
    """
    n, length, k = history.shape
    if length < MIN_HISTORY:
        raise ValueError(
            f"combine needs a history of at least {MIN_HISTORY} values to fit "
            f"exponential smoothing on, got {length}: give forecast the series "
            "itself (its last window is the network's seed), or set combine=None."
        )
    check_finite_steps(np.moveaxis(history, 1, 0), "the history given to forecast")
    coverage = None if bounds is None else bounds[2]
    parts = [center] + ([] if bounds is None else list(bounds[:2]))
    out = [part.copy() for part in parts]
    median = how == "median"  # the median's interval is the network's
    for i in range(n):
        for c in range(k):
            series = history[i, :, c]
            network = (
                center[i, :, c],
                None if bounds is None else tuple(part[i, :, c] for part in parts[1:]),
            )
            m = history_season(series, season, max_lag)
            try:
                ets = ets_forecast(series, steps, m, None if median else coverage)
            except ValueError as exc:
                if strict:
                    raise
                note = f"seed {i}: {exc}; the network forecasts it alone."
                warnings.warn(note, stacklevel=4)  # the caller of forecast
                continue
            if median:
                naive = seasonal_naive(series, steps, m)
                mean, interval = _median_of(network, [ets[0], naive])
            else:
                mean = (1 - how) * network[0] + how * ets[0]
                interval = ets[1] and tuple(
                    (1 - how) * mine + how * theirs
                    for mine, theirs in zip(network[1], ets[1], strict=True)
                )
            for part, value in zip(out, (mean, *(interval or ())), strict=True):
                part[i, :, c] = value
    return tuple(out) if bounds is not None else out[0]

"""Sliding windows over a series, as zero-copy views."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._covariates import check_covariate_series
from ._validation import as_array, check_count, check_finite_steps


def make_windows(
    series,
    lookback: int,
    horizon: int = 1,
    *,
    past_covariates=None,
    future_covariates=None,
):
    """Cut a series, or a list of series, into input windows and the values that follow.

    For one series both outputs are read-only views of ``series`` (no copy
    is made), so a long series costs no extra memory. For a list of series
    the windows of each are stacked in list order, and no window crosses
    from one series into the next: one model then learns from all of them.
    Covariates become more input channels of ``X``, after the series' own
    (``X`` is then a read-only view of one new array holding the series and
    its covariates side by side, as long as the series); ``y`` holds the
    series' values only.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, C), or list of such
        A univariate series, or a series of ``C`` channels (channels last); a
        pandas Series or DataFrame is read as its values. A list (or tuple)
        of numpy arrays or pandas objects, of any lengths and all with the
        same number of channels, gives the windows of every series (a nested
        list of plain numbers is read as one series, as numpy reads it).
    lookback : int
        Length of each input window (>= 1).
    horizon : int, default=1
        Number of future steps in each target (>= 1).
    past_covariates : array-like of shape (T,) or (T, P), or list of such, default=None
        Values observed alongside the series but not forecast (a price, a
        temperature reading), at the series' own time steps (a list of
        series takes a list of covariates, one per series). Each window
        holds their values over its own steps. Fit
        :class:`~sklearn_seq.RNNForecaster` with ``n_past_covariates=P``.
    future_covariates : array-like of shape (T,) or (T, F), or list of such, default=None
        Values known in advance (planned promotions, holidays, calendar
        features), at the series' own time steps. Each window holds them
        ``horizon`` steps ahead: step ``t`` of a window holds their value at
        ``t + horizon``, so its last ``horizon`` steps hold their values over
        the steps of its target. Fit :class:`~sklearn_seq.RNNForecaster`
        with ``n_future_covariates=F``.

    Returns
    -------
    X : ndarray of shape (n_windows, lookback) or (n_windows, lookback, C)
        Input windows; ``n_windows = T - lookback - horizon + 1`` (summed over
        the series of a list). With covariates, ``X`` is 3-D with the
        channels of the series, then ``P`` past covariates, then ``F``
        future covariates.
    y : ndarray
        Targets: ``(n_windows,)`` / ``(n_windows, horizon)`` for a 1-D series,
        ``(n_windows, C)`` / ``(n_windows, horizon, C)`` for a 2-D series.

    Raises
    ------
    ValueError
        For a series shorter than ``lookback + horizon``, or holding NaN or
        infinity (naming the series of a list and the time step), an empty
        list, or a list mixing channel counts; for covariates of another
        length than their series, holding NaN or infinity, or not one per
        series of a list.

    Notes
    -----
    To forecast every series of a list with one call, stack the last
    ``lookback`` values of each as the seeds: ``model.forecast(np.stack([s[-lookback:]
    for s in series_list]), steps)`` returns one row per series.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import make_windows
    >>> X, y = make_windows(np.arange(6.0), lookback=3)
    >>> X
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]])
    >>> y
    array([3., 4., 5.])
    >>> X, y = make_windows([np.arange(5.0), 100 + np.arange(4.0)], lookback=3)
    >>> y
    array([  3.,   4., 103.])
    >>> promotion = np.array([0, 0, 1, 0, 0, 1.0])
    >>> X, y = make_windows(np.arange(6.0), lookback=3, future_covariates=promotion)
    >>> X[0]  # the series' steps 0-2 beside the promotion at steps 1-3
    array([[0., 0.],
           [1., 1.],
           [2., 0.]])
    """
    lookback, horizon = check_count(lookback, "lookback"), check_count(horizon, "horizon")
    if isinstance(series, (list, tuple)) and not series:
        raise ValueError("series is an empty list; give at least one series.")
    covariates = {
        "past_covariates": past_covariates,
        "future_covariates": future_covariates,
    }
    if not _is_series_list(series):
        array = _check_series(series, "series", lookback + horizon)
        given = {
            k: check_covariate_series(v, k, len(array), _index(series))
            for k, v in covariates.items()
            if v is not None
        }
        return _windows(array, lookback, horizon, **given)
    arrays = [
        _check_series(s, f"series[{i}]", lookback + horizon) for i, s in enumerate(series)
    ]
    _check_same_channels(arrays, "series")
    given = [{} for _ in arrays]
    for key, values in covariates.items():
        if values is None:
            continue
        if not isinstance(values, (list, tuple)) or len(values) != len(arrays):
            raise ValueError(
                f"{key} must be a list of {len(arrays)} covariate series, one for each "
                "series of the list."
            )
        for i, (array, cov) in enumerate(zip(arrays, values, strict=True)):
            index = _index(series[i])
            given[i][key] = check_covariate_series(cov, f"{key}[{i}]", len(array), index)
        _check_same_channels([g[key] for g in given], key)
    pairs = [
        _windows(a, lookback, horizon, **g) for a, g in zip(arrays, given, strict=True)
    ]
    return np.concatenate([X for X, _ in pairs]), np.concatenate([y for _, y in pairs])


def _check_same_channels(arrays: list, name: str) -> None:
    """Refuse a list of arrays whose channel layouts differ."""
    layouts = {a.shape[1:] for a in arrays}
    if len(layouts) > 1:

        def channels(a):
            return a.shape[1] if a.ndim == 2 else "none (1-D)"

        found = ", ".join(
            f"{name}[{i}] {channels(a)}"
            for i, a in enumerate(arrays)
            if a.shape[1:] != arrays[0].shape[1:]
        )
        raise ValueError(
            f"the {name} of a list must all have the same channels: {name}[0] has "
            f"{channels(arrays[0])}, {found}."
        )


def _index(series):
    """The index of a pandas series or frame, else None."""
    return series.index if hasattr(series, "to_numpy") else None


def _is_series_list(series) -> bool:
    return isinstance(series, (list, tuple)) and any(
        isinstance(s, np.ndarray) or hasattr(s, "to_numpy") for s in series
    )


def _check_series(series, name: str, needed: int) -> np.ndarray:
    """One series as a 1-D or 2-D array of at least ``needed`` finite steps."""
    if hasattr(series, "to_numpy"):  # pandas Series / DataFrame
        series = series.to_numpy()
    series = as_array(series, name)
    if series.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (T,) or 2-D (T, n_channels), got shape {series.shape}."
        )
    if len(series) < needed:
        raise ValueError(
            f"{name} has {len(series)} time steps, fewer than lookback + horizon = "
            f"{needed}; it cannot make a single window."
        )
    if series.dtype.kind in "biuf":
        check_finite_steps(series, name, ("time step",))
    return series


def _windows(
    series: np.ndarray,
    lookback: int,
    horizon: int,
    past_covariates=None,
    future_covariates=None,
):
    """``(X, y)`` of one checked series: views of it, or for ``X`` with
    covariates, of one array holding the series and covariates side by side."""
    n = len(series) - lookback - horizon + 1
    # window along time; sliding_window_view puts the window axis last
    windows = sliding_window_view(series, lookback + horizon, axis=0)[:n]
    if series.ndim == 2:
        windows = windows.transpose(0, 2, 1)  # (n, lookback + horizon, C), still a view
    X = windows[:, :lookback]
    y = windows[:, lookback] if horizon == 1 else windows[:, lookback:]
    if past_covariates is None and future_covariates is None:
        return X, y
    # every step's channels side by side, once (memory of the order of the
    # series): X is a view of it, and fit reads a batch of windows at a time
    steps = n + lookback - 1
    columns = [series[:steps].reshape(steps, -1)]
    if past_covariates is not None:
        columns.append(past_covariates[:steps])
    if future_covariates is not None:  # read horizon steps ahead
        columns.append(future_covariates[horizon : horizon + steps])
    combined = np.concatenate(columns, axis=1)
    X = sliding_window_view(combined, lookback, axis=0)[:n].transpose(0, 2, 1)
    return X, y

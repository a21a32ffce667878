"""Sliding windows over a series, as zero-copy views."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import check_count


def make_windows(series, lookback: int, horizon: int = 1):
    """Cut a series into input windows and the values that follow them.

    Both outputs are read-only views of ``series`` (no copy is made), so a
    long series costs no extra memory.

    Parameters
    ----------
    series : array-like of shape (T,) or (T, C)
        A univariate series, or a series of ``C`` channels (channels last).
    lookback : int
        Length of each input window (>= 1).
    horizon : int, default=1
        Number of future steps in each target (>= 1).

    Returns
    -------
    X : ndarray of shape (n_windows, lookback) or (n_windows, lookback, C)
        Input windows; ``n_windows = T - lookback - horizon + 1``.
    y : ndarray
        Targets: ``(n_windows,)`` / ``(n_windows, horizon)`` for a 1-D series,
        ``(n_windows, C)`` / ``(n_windows, horizon, C)`` for a 2-D series.

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
    """
    lookback, horizon = check_count(lookback, "lookback"), check_count(horizon, "horizon")
    if hasattr(series, "to_numpy"):  # pandas Series / DataFrame
        series = series.to_numpy()
    series = np.asarray(series)
    if series.ndim not in (1, 2):
        raise ValueError(
            f"series must be 1-D (T,) or 2-D (T, n_channels), got shape {series.shape}."
        )
    if len(series) < lookback + horizon:
        raise ValueError(
            f"series has {len(series)} time steps, fewer than lookback + horizon = "
            f"{lookback + horizon}; it cannot make a single window."
        )
    n = len(series) - lookback - horizon + 1
    # window along time; sliding_window_view puts the window axis last
    windows = sliding_window_view(series, lookback + horizon, axis=0)[:n]
    if series.ndim == 2:
        windows = windows.transpose(0, 2, 1)  # (n, lookback + horizon, C), still a view
    X = windows[:, :lookback]
    y = windows[:, lookback] if horizon == 1 else windows[:, lookback:]
    return X, y

"""Split-conformal prediction intervals for forecasts, horizon by horizon.

A forecaster holds out the last part of its training windows, trains a copy
of itself on the rest, and records that copy's errors on the held-out
windows: the one-step (or direct multi-step) errors and the errors of
rollouts from each held-out window (from at most ``MAX_CALIBRATION_ORIGINS``
of them, spread evenly), step by step, as far as the held-out data reaches.
Each error is divided by its window's scale when the model scales windows,
so one calibration serves series of any level. At a requested coverage
``c`` the half-width at step ``h`` is the ``ceil((n + 1) c)``-th smallest
of the ``n`` errors recorded at that step (the split-conformal quantile),
made non-decreasing in ``h``; steps past the calibrated ones grow from the
last calibrated width as the square root of the step (a random walk's
spread).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "calibration_origins",
    "chain_truth",
    "check_coverage",
    "half_widths",
    "window_chain",
]

MIN_CALIBRATION = 10  # fewer held-out windows than this: no calibration
# rollouts start from at most this many held-out windows: a long series holds
# many more, and rolling from each would cost more than training (120x the
# time of an epoch at 200,000 windows), while the quantiles need far fewer
MAX_CALIBRATION_ORIGINS = 2000
_CHUNK_VALUES = 1 << 22  # window values compared at a time (32 MB as float64)


def check_coverage(coverage) -> float:
    """``coverage`` as a float strictly between 0 and 1, else a clear ValueError."""
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, Real)
        or not 0 < coverage < 1  # NaN fails this too
    ):
        raise ValueError(
            f"coverage must be a number strictly between 0 and 1 (0.9 for a 90% "
            f"interval), got {coverage!r}."
        )
    return float(coverage)


def calibration_origins(n: int, limit: int | None = None) -> np.ndarray:
    """The held-out windows that rollouts start from: all ``n``, or ``limit``
    (None: ``MAX_CALIBRATION_ORIGINS``) of them spread evenly over the held-out
    stretch, the first and the last included."""
    limit = MAX_CALIBRATION_ORIGINS if limit is None else limit
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def window_chain(windows, targets: np.ndarray, n_channels: int, lag: int = 1) -> np.ndarray:
    """Whether each window is continued ``lag`` windows later: ``follows`` ``(n,)``.

    ``follows[j]`` is true when window ``j + lag`` is window ``j`` moved on by
    its ``p`` target steps (``targets`` ``(n, p, C)``): ``lag=1`` for windows
    that step by ``p`` (consecutive windows of one series for one-step
    targets), ``lag=p`` for windows that step by one, as :func:`make_windows`
    gives with a longer horizon. It is false between the series of a list and
    where the data ends. ``windows`` (an array or
    :class:`~sklearn_seq._sequences.Rows` ``(n, T, ...)``, of which the first
    ``n_channels`` channels continue into the targets) is read a chunk of
    windows at a time, so that memory does not grow with the number of windows.
    """
    n, p = targets.shape[:2]
    follows = np.zeros(n, dtype=bool)
    per_chunk = max(1, _CHUNK_VALUES // max(1, windows.shape[1] * n_channels))
    for start in range(0, n - lag, per_chunk):
        stop = min(start + per_chunk, n - lag)  # windows start .. stop - 1 and + lag
        rows = np.asarray(windows[start : stop + lag], dtype=np.float64)[:, :, :n_channels]
        joined = np.concatenate([rows[: stop - start], targets[start:stop]], axis=1)
        moved_on = joined[:, p:]
        same = np.isclose(rows[lag:], moved_on, rtol=1e-6, atol=0.0)  # at any units
        follows[start:stop] = same.reshape(stop - start, -1).all(axis=1)
    return follows


def chain_truth(
    follows: np.ndarray,
    targets: np.ndarray,
    origins: np.ndarray,
    n_chunks: int,
    lag: int = 1,
) -> np.ndarray:
    """What followed each origin window for ``n_chunks`` of its targets; NaN where unknown.

    The truth of a rollout from window ``i`` reads on in the targets of
    windows ``i + lag``, ``i + 2 lag`` ... (``targets`` ``(n, p, C)``), as
    long as the chain of ``follows`` (:func:`window_chain`, same ``lag``)
    holds: it breaks between the series of a list, and at the end of the
    data. Returns ``(len(origins), n_chunks * p, C)``.
    """
    n, p, channels = targets.shape
    truth = np.full((len(origins), n_chunks, p, channels), np.nan)
    truth[:, 0] = targets[origins]
    known = np.ones(len(origins), dtype=bool)
    for chunk in range(1, n_chunks):
        previous = origins + (chunk - 1) * lag
        known &= previous + lag < n
        known[known] = follows[previous[known]]
        truth[known, chunk] = targets[previous[known] + lag]
    return truth.reshape(len(origins), n_chunks * p, channels)


def half_widths(errors: np.ndarray, coverage: float, steps: int) -> np.ndarray:
    """Interval half-widths ``(steps, k)`` (in window scales) at ``coverage``.

    ``errors`` ``(n, n_steps, k)``: scaled absolute errors, NaN where unknown.
    """
    n_steps = errors.shape[1]
    counts = np.sum(~np.isnan(errors), axis=0)  # (n_steps, k)
    ranks = np.ceil((counts + 1) * coverage).astype(int)
    usable = (ranks <= counts).all(axis=1)
    if not n_steps or not usable[0]:
        n = int(counts.min()) if counts.size else 0
        raise ValueError(
            f"too little data to calibrate a {coverage:.0%} interval: the model was "
            f"calibrated on {n} held-out window(s), and this coverage needs at least "
            f"{math.ceil(coverage / (1 - coverage))}. Fit on more windows, raise "
            "calibration_fraction, or ask for a lower coverage."
        )
    last = int(np.argmin(usable)) if not usable.all() else n_steps  # first unusable step
    ordered = np.sort(errors[:, :last], axis=0)  # NaN sorts last
    width = np.take_along_axis(ordered, ranks[None, :last] - 1, axis=0)[0]
    width = np.maximum.accumulate(width, axis=0)
    if steps > last:  # beyond the calibrated steps: a random walk's sqrt growth
        grow = np.sqrt(np.arange(last + 1, steps + 1) / last)[:, None]
        width = np.concatenate([width, width[-1] * grow])
    return width[:steps]

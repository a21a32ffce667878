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


def window_chain(windows, targets: np.ndarray, n_channels: int) -> np.ndarray:
    """Whether each window is continued by the next: ``follows`` of shape ``(n,)``.

    ``follows[j]`` is true when window ``j + 1`` is window ``j`` moved on by its
    ``p`` target steps (``targets`` ``(n, p, C)``), as consecutive windows of
    one series are; it is false between the series of a list and for the last
    window. ``windows`` (an array or :class:`~sklearn_seq._sequences.Rows`
    ``(n, T, ...)``, of which the first ``n_channels`` channels continue into
    the targets) is read a chunk of windows at a time, so that memory does not
    grow with the number of windows.
    """
    n, p = targets.shape[:2]
    follows = np.zeros(n, dtype=bool)
    per_chunk = max(1, _CHUNK_VALUES // max(1, windows.shape[1] * n_channels))
    for start in range(0, n - 1, per_chunk):
        stop = min(start + per_chunk, n - 1)  # compares windows start .. stop
        rows = np.asarray(windows[start : stop + 1], dtype=np.float64)[:, :, :n_channels]
        moved_on = np.concatenate([rows[:-1], targets[start:stop]], axis=1)[:, p:]
        same = np.isclose(rows[1:], moved_on, rtol=1e-6, atol=1e-12)
        follows[start:stop] = same.reshape(stop - start, -1).all(axis=1)
    return follows


def chain_truth(
    follows: np.ndarray, targets: np.ndarray, origins: np.ndarray, n_chunks: int
) -> np.ndarray:
    """What followed each origin window for ``n_chunks`` of its targets; NaN where unknown.

    The truth of a rollout from window ``i`` reads on in the targets of the
    windows after it (``targets`` ``(n, p, C)``), as long as the chain of
    ``follows`` (:func:`window_chain`) holds: it breaks between the series of
    a list, and at the end of the data. Returns ``(len(origins), n_chunks * p, C)``.
    """
    n, p, channels = targets.shape
    breaks = np.concatenate([[0], np.cumsum(~follows[: n - 1])])  # [j]: among 0 .. j-1
    later = origins[:, None] + np.arange(n_chunks)  # the window whose targets come next
    known = later < n
    inside = np.minimum(later, n - 1)
    known &= breaks[inside] == breaks[origins][:, None]  # no break from i to i + c
    truth = np.full((len(origins), n_chunks, p, channels), np.nan)
    truth[known] = targets[later[known]]
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

"""Split-conformal prediction intervals for forecasts, horizon by horizon.

A forecaster holds out the last part of its training windows, trains a copy
of itself on the rest, and records that copy's errors on the held-out
windows: the one-step (or direct multi-step) errors and the errors of
rollouts from each held-out window, step by step, as far as the held-out
data reaches. Each error is divided by its window's scale when the model
scales windows, so one calibration serves series of any level. At a
requested coverage ``c`` the half-width at step ``h`` is the
``ceil((n + 1) c)``-th smallest of the ``n`` errors recorded at that step
(the split-conformal quantile), made non-decreasing in ``h``; steps past the
calibrated ones grow from the last calibrated width as the square root of
the step (a random walk's spread).
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["check_coverage", "chain_truth", "half_widths"]

MIN_CALIBRATION = 10  # fewer held-out windows than this: no calibration


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


def chain_truth(windows: np.ndarray, targets: np.ndarray, n_chunks: int) -> np.ndarray:
    """What followed each window for ``n_chunks`` of its targets; NaN where unknown.

    ``windows`` ``(n, T, C)`` and ``targets`` ``(n, p, C)`` are consecutive
    windows of a series when window ``j + 1`` is window ``j`` moved on by its
    ``p`` target steps; the truth of a rollout from window ``i`` then reads
    on in the targets of the windows after it, as long as that chain holds
    (it breaks between the series of a list, and at the end of the data).
    Returns ``(n, n_chunks * p, C)``.
    """
    n, length, channels = windows.shape
    p = targets.shape[1]
    joined = np.concatenate([windows, targets], axis=1)[:, p:]  # window j moved on
    follows = np.zeros(n, dtype=bool)  # window j + 1 continues window j
    if n > 1:
        same = np.isclose(windows[1:], joined[:-1], rtol=1e-6, atol=1e-12)
        follows[:-1] = same.reshape(n - 1, -1).all(axis=1)
    truth = np.full((n, n_chunks, p, channels), np.nan)
    truth[:, 0] = targets
    ok = np.ones(n, dtype=bool)
    for c in range(1, n_chunks):
        ok[: n - c] &= follows[c - 1 : n - 1]
        ok[n - c :] = False
        truth[ok, c] = targets[c:][ok[: n - c]]
    return truth.reshape(n, n_chunks * p, channels)


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

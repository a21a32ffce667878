"""Split-conformal prediction intervals for forecasts, horizon by horizon.

A forecaster holds out the last part of its training windows, trains on the
rest, records its errors on the held-out windows, then trains on with all
windows (one network, :func:`fit_calibrated`). The errors are the one-step
(or direct multi-step) errors and the errors of rollouts from each held-out
window (from at most ``MAX_CALIBRATION_ORIGINS`` of them, spread evenly),
step by step, as far as the held-out data reaches.
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
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

__all__ = [
    "calibration_origins",
    "chain_truth",
    "check_coverage",
    "continuation_epochs",
    "fit_calibrated",
    "half_widths",
    "held_out_count",
    "held_out_errors",
    "window_chain",
]

MIN_CALIBRATION = 10  # fewer held-out windows than this: no calibration
# a 95% split-conformal quantile needs 19 errors: a short series holds out at
# least this many windows, where they leave two thirds of them to train on first
FOR_95 = 19
MAX_CALIBRATED_STEPS = 100  # rollouts from held-out windows reach this far at most
# rollouts start from at most this many held-out windows: a long series holds
# many more, and rolling from each would cost more than training (120x the
# time of an epoch at 200,000 windows), while the quantiles need far fewer
MAX_CALIBRATION_ORIGINS = 200
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


def fit_calibrated(est, X, y, sample_weight) -> None:
    """Train forecaster ``est`` and calibrate its intervals in one training run.

    ``est`` trains on all windows but the last ``calibration_fraction`` of
    them for ``max_epochs`` less the ``calibration_fraction`` share of them
    (:func:`continuation_epochs`), records its errors on the held-out windows
    in ``calibration_errors_`` (one prediction each, or rollouts when the
    targets continue the input channels), then trains on with all windows
    for the remaining epochs. The intervals so cost no second network; the
    errors are those of the model before it saw the held-out windows, as
    split-conformal calibration needs. Fewer than ``MIN_CALIBRATION``
    held-out windows: one run on all windows, and no calibration. Where
    ``est._candidates()`` offers several models (``scaling="auto"``), each
    trains on the first windows and the one with the smallest held-out mean
    absolute error is kept (``est._adopt``) and trains on.
    """
    if not isinstance(X, np.ndarray):  # the fit's own errors for what cannot be split
        est._check_input(X, reset=True)  # (sparse matrices, word ids for a forecaster)
    n = _num_samples(X)
    n_cal = held_out_count(n, est.calibration_fraction)
    weights = None if sample_weight is None else np.asarray(sample_weight)
    if (
        n_cal < MIN_CALIBRATION
        or n - n_cal < 2
        or y is None  # the fit refuses these with its own errors
        or (weights is not None and (weights.shape != (n,) or not weights.any()))
    ):
        est._fit_unguarded(X, y, sample_weight)
        steps = est._calibrated_steps() or 1
        est.calibration_errors_ = np.empty((0, steps, est._calibration_width()))
        return
    head, tail = slice(0, n - n_cal), slice(n - n_cal, n)  # slices keep views
    if not isinstance(X, list) and not hasattr(X, "iloc"):
        X = np.asarray(X)  # array-likes without indexing of their own
    if not isinstance(y, list) and not hasattr(y, "iloc"):
        y = np.asarray(y)
    if weights is not None and not weights[head].any():
        raise ValueError(
            f"sample_weight is 0 for each of the first {head.stop} windows, on "
            f"which the model trains before the last {n_cal} calibrate its "
            f"intervals (calibration_fraction={est.calibration_fraction}): give "
            "some of them a weight > 0, or set calibration_fraction=None."
        )
    epochs, more = continuation_epochs(est._max_epochs(), est.calibration_fraction)
    best = None
    X_tail, y_tail = _safe_indexing(X, tail), np.asarray(y, dtype=np.float64)[tail]
    for candidate in est._candidates():  # the model, or one per choice to make
        candidate._fit_unguarded(
            _safe_indexing(X, head),
            _safe_indexing(y, head),
            None if weights is None else weights[head],
            epochs=epochs,
        )
        errors, error = held_out_errors(candidate, X_tail, y_tail)
        if best is None or error < best[2]:  # ties keep the first candidate
            best = candidate, errors, error
    est._adopt(best[0])
    est.calibration_errors_ = best[1]
    if more:
        if est.verbose:
            print(
                f"Intervals calibrated on the last {n_cal} windows; training on with "
                f"all {n} windows for {more} more epoch(s)."
            )
        est._fit_unguarded(X, y, sample_weight, epochs=more, more=True)


def held_out_count(n: int, fraction: float | None) -> int:
    """Windows held out of ``n`` to calibrate: the ``fraction`` share, and at
    least ``FOR_95`` (a 95% interval's need) up to a third of them."""
    if fraction is None:
        return 0
    return max(int(n * fraction), min(FOR_95, n // 3))


def continuation_epochs(max_epochs: int, fraction: float) -> tuple[int, int]:
    """Epochs on the first windows, then on all: ``max_epochs`` in all, the
    second run ``fraction`` of them (at least one, unless ``max_epochs`` is 1)."""
    more = min(max_epochs - 1, max(1, round(max_epochs * fraction)))
    return max_epochs - more, more


def held_out_errors(est, X_tail, y_tail: np.ndarray) -> tuple[np.ndarray, float]:
    """The errors of fitted ``est`` on held-out windows ``X_tail`` (one
    prediction each, or rollouts when the targets continue the input channels):
    the absolute errors divided by each window's scale, ``(n, steps, values)``
    (NaN where a rollout runs past the data), and the mean absolute error in
    the units of ``y`` (what candidates are chosen by)."""
    steps = est._calibrated_steps()
    rolls, per_call = steps is not None, steps or 1
    k, width = est._n_targets(), est._calibration_width()
    n_cal = len(y_tail)
    seqs = est._check_input(X_tail, reset=False, names=False)
    truth = y_tail.reshape(n_cal, per_call, width)
    frame = est._frame(seqs)
    scale = np.ones((n_cal, 1, width)) if frame is None else frame.step_scale(k)
    if not rolls or seqs.kind == "list":  # no rollouts: one prediction each
        pred = est._predict_sequences(seqs, frame).reshape(truth.shape)
    else:
        origins, truth, pred = _rollouts(est, seqs, truth, k, per_call)
        scale = scale[origins]
    errors = np.abs(truth - pred)
    return errors / scale, float(np.nanmean(errors))


def _rollouts(helper, seqs, truth: np.ndarray, k: int, per_call: int):
    """Rollouts of ``helper`` from held-out windows, as far as the windows that
    follow them hold the truth: ``(origins, truth, predictions)``."""
    n_cal = len(truth)
    chunks = min(-(-n_cal // 2), -(-MAX_CALIBRATED_STEPS // per_call))
    origins = calibration_origins(n_cal)
    lag = 1  # windows that step by their targets, else (a horizon) by one
    follows = window_chain(seqs.values, truth, k)
    if per_call > 1 and not follows.any():
        lag, follows = per_call, window_chain(seqs.values, truth, k, per_call)
    truth = chain_truth(follows, truth, origins, chunks, lag)

    def rows(index):  # held-out windows, as float64 of the float32 rows
        return np.asarray(seqs.values[index], dtype=np.float64)

    def covariates(call):  # window i + call * lag has them
        return rows(np.minimum(origins + call * lag, n_cal - 1))[:, :, k:]

    covs = None if k == seqs.n_channels else covariates
    return origins, truth, helper._rollout(rows(origins)[:, :, :k], chunks * per_call, covs)

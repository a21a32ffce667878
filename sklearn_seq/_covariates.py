"""Covariates: input channels a forecaster reads but does not forecast.

Two kinds, declared by where :func:`~sklearn_seq.make_windows` puts them and
by the forecaster's ``n_past_covariates`` and ``n_future_covariates``:

* a **past covariate** is observed alongside the target (a price, a
  temperature reading): its channel holds, at each step of a window, its
  value at that same step. The model reads its past only, so a forecast can
  reach as far as one forward pass predicts (the model's horizon) and no
  further: rolling on would need values nobody has yet.
* a **future covariate** is known ahead (a planned promotion, a holiday,
  the calendar): its channel is read ``p`` steps ahead, ``p`` being the
  steps one forward pass predicts (the ``horizon`` of ``make_windows``), so
  step ``t`` of a window holds its value at ``t + p`` and the last ``p``
  steps of a window hold its values over the steps the model predicts.
  ``forecast`` takes its values over the forecast period.

Channels are ordered targets, past covariates, future covariates. Seeds of
``forecast`` hold every channel as observed, unshifted (the last rows of the
data); the forecaster shifts the future covariates itself.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array, check_finite_steps

__all__ = ["check_covariate_series", "check_future_covariates"]


def check_covariate_series(values, name: str, length: int, index=None) -> np.ndarray:
    """A covariate series as a finite float ``(length, k)`` array, else a ValueError.

    ``index``, the pandas index of its series (None: not pandas), must be the
    covariates' own index when they are pandas too: the two are paired by
    position, so a covariate indexed differently would be paired wrongly.
    """
    if hasattr(values, "to_numpy"):  # pandas Series / DataFrame
        _check_same_index(values.index, index, name)
        values = values.to_numpy()
    values = as_array(values, name)
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers (a 1-D or 2-D array).") from None
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (T,) or 2-D (T, n_covariates), got shape {values.shape}."
        )
    if len(values) != length:
        raise ValueError(
            f"{name} has {len(values)} time steps, but its series has {length}; give "
            "the covariates' values at the series' own time steps."
        )
    check_finite_steps(values, name)
    return values


def _check_same_index(own, index, name: str) -> None:
    """Refuse pandas covariates indexed otherwise than their pandas series."""
    if index is None or len(own) != len(index) or own.equals(index):
        return  # (another length: the length check says so)
    i = int(np.flatnonzero(own != index)[0]) if own.dtype == index.dtype else 0
    raise ValueError(
        f"{name} is indexed differently from its series (label {own[i]!r} at "
        f"position {i}, where the series has {index[i]!r}), and the two are paired "
        "by position, not by label. Align it first, e.g. "
        f"{name}.reindex(series.index), or pass {name}.to_numpy() to pair them by "
        "position."
    )


def check_future_covariates(values, n_seeds: int, single: bool, steps: int, width: int):
    """The future covariates of ``forecast`` as float ``(n_seeds, steps, width)``."""
    layout = f"({steps}, {width})" if single else f"({n_seeds}, {steps}, {width})"
    if values is None:
        raise ValueError(
            f"this model reads {width} future covariate(s) (n_future_covariates="
            f"{width}): forecast needs their values over the forecast period, "
            f"future_covariates of shape {layout}."
        )
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("future_covariates must hold numbers.") from None
    if single:  # (steps,) for one covariate, or (steps, width)
        if values.ndim == 1 and width == 1:
            values = values[:, None]
        if values.ndim == 2:
            values = values[None]
    elif values.ndim == 2 and width == 1:  # (n, steps) for one covariate
        values = values[:, :, None]
    if values.ndim != 3:
        raise ValueError(
            f"future_covariates must be shaped {layout}, got shape {np.shape(values)}."
        )
    if values.shape[2] != width:
        raise ValueError(
            f"future_covariates have {values.shape[2]} column(s), but the model was "
            f"fitted on {width} future covariate(s)."
        )
    if values.shape[0] != n_seeds:
        raise ValueError(
            f"future_covariates hold values for {values.shape[0]} seed window(s), "
            f"X_seed has {n_seeds}."
        )
    if values.shape[1] < steps:
        raise ValueError(
            f"future covariates cover {values.shape[1]} steps, forecast asked for {steps}."
        )
    values = values[:, :steps]
    check_finite_steps(values, "future_covariates", ("seed", "step"))
    return values

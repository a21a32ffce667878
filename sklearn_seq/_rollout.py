"""Forecasting time: seed windows split into targets and covariates, and the
rollout loop that feeds a model its own predictions.

Plain numpy around a ``predict(seqs)`` function, and ``SeedsMixin``, how the
forecaster reads the seeds given to ``forecast`` and ``forecast_interval``.
"""

from __future__ import annotations

import numpy as np

from ._covariates import check_future_covariates
from ._dates import following_dates
from ._sequences import Sequences
from ._validation import check_count

__all__ = ["SeedsMixin", "roll_forward", "split_seed"]


def split_seed(window, k, counts, per_call, steps, future_covariates, single):
    """Seed windows ``(n, T, C)`` as their target channels and their covariates.

    ``k`` target channels, ``counts`` ``(n_past, n_future)`` covariates,
    ``per_call`` steps per forward pass. Returns the target channels ``(n, T,
    k)`` and None when there are no covariates, else a function of the
    forward pass ``c`` giving the covariate channels of the window after
    ``c`` passes: past covariates as the seed holds them (a model with past
    covariates makes one pass only), future ones read ``per_call`` steps
    ahead, from the seed and then from ``future_covariates``.
    """
    n_past, n_future = counts
    if not n_future and future_covariates is not None:
        raise ValueError(
            "future_covariates were given, but this model was fitted without future "
            "covariates (n_future_covariates=0); it cannot read them."
        )
    if k == window.shape[2]:
        return window, None
    if n_past and steps > per_call:
        raise ValueError(
            f"this model reads {n_past} past covariate(s), known only up to the end "
            f"of the seed window, so a forecast reaches {per_call} step(s) (one "
            f"forward pass) at most; got steps={steps}. Give covariates known in "
            "advance as future covariates, or fit a model with a longer horizon."
        )
    n, length = window.shape[:2]
    past = window[:, :, k : k + n_past]
    if not n_future:
        return window[:, :, :k], lambda call: past
    future = check_future_covariates(future_covariates, n, single, steps, n_future)
    needed = -(-steps // per_call) * per_call  # the last pass may reach past steps
    future = np.concatenate([future, np.repeat(future[:, -1:], needed - steps, 1)], 1)
    timeline = np.concatenate([window[:, :, k + n_past :], future], axis=1)

    def covariates(call: int) -> np.ndarray:
        start = (call + 1) * per_call
        return np.concatenate([past, timeline[:, start : start + length]], axis=2)

    return window[:, :, :k], covariates


def roll_forward(predict, window: np.ndarray, steps: int, per_call: int, covariates=None):
    """``steps`` values rolled forward from windows ``(n, T, C)``: ``(n, steps, C)``.

    ``predict(seqs)`` gives ``per_call`` steps of the ``C`` target channels for
    each window; they are appended to it, its oldest steps dropped, and the
    model applied again. ``window`` holds the target channels;
    ``covariates(c)``, when given, the covariate channels ``(n, T, C_cov)`` of
    the window after ``c`` passes.
    """
    n, length, channels = window.shape
    produced = []
    for call in range(-(-steps // per_call)):
        inputs = (
            window
            if covariates is None
            else np.concatenate([window, covariates(call)], axis=2)
        )
        nxt = predict(Sequences.full(inputs.astype(np.float32))).reshape(
            n, per_call, channels
        )
        produced.append(nxt)
        window = np.concatenate([window, nxt], axis=1)[:, -length:]
    return np.concatenate(produced, axis=1)[:, :steps]


class SeedsMixin:
    """The forecaster's reading of its seeds: windows as float64 ``(n, T, C)``,
    their target channels and covariates, a dated seed's following dates, and
    the output shaped as the seed was given."""

    def _seed_covariates(self, window, steps, future_covariates, single):
        """Seed windows ``(n, T, C)`` as target channels and the covariates of
        each forward pass (``_covariates.split_seed``)."""
        k = self._n_targets()
        per_call = self._steps_per_call() if k < window.shape[2] else 1
        return split_seed(
            window, k, self._covariate_counts(), per_call, steps, future_covariates, single
        )

    def _seed_windows(self, X_seed) -> tuple[np.ndarray, bool, np.ndarray]:
        """The seed windows as float64 ``(n, T, C)``, whether one was given alone,
        and the histories given ``(n, T', C)`` (``T' >= T``; the windows are
        their last ``T`` steps, the only ones checked here)."""
        channels = self.n_channels_in_
        seed = np.asarray(X_seed)
        single = seed.ndim == (1 if channels == 1 else 2)
        if single:
            seed = seed[None]
        if channels == 1 and seed.ndim == 2:
            seed = seed[:, :, None]
        if seed.ndim != 3:
            layout = (
                "(T,) or (n, T)"
                if channels == 1
                else f"(T, {channels}) or (n, T, {channels})"
            )
            raise ValueError(
                f"X_seed must be shaped {layout} for this model, "
                f"got shape {np.shape(X_seed)}."
            )
        length = getattr(self, "n_features_in_", None) or seed.shape[1]
        if seed.shape[1] < length:
            raise ValueError(
                f"X_seed windows have {seed.shape[1]} time steps, but the model was "
                f"fitted on windows of {length}."
            )
        window = self._check_input(seed[:, -length:], reset=False, names=False)
        return window.values.astype(np.float64), single, seed

    def _shaped(self, out: np.ndarray, single: bool) -> np.ndarray:
        if self._n_targets() == 1:
            out = out[..., 0]
        return out[0] if single else out

    def _seed(self, X_seed, steps, future_covariates):
        """What ``forecast`` and ``forecast_interval`` read from their arguments:
        ``steps``, the seed windows ``(n, T, C)`` as float64, their target
        channels, the covariates of each pass (``_rollout.split_seed``), whether
        one seed was given alone, the dates after a dated seed (or None), and
        the target channels of the histories given, ``(n, T', k)``."""
        self._check_fitted()
        steps = check_count(steps, "steps")
        dates = following_dates(X_seed, steps)
        seed = X_seed if dates is None else X_seed.to_numpy()
        window, single, history = self._seed_windows(seed)
        target, covariates = self._seed_covariates(window, steps, future_covariates, single)
        history = history[:, :, : self._n_targets()]
        return steps, window, target, covariates, single, dates, history

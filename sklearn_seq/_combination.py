"""The seasonal naive forecast a forecaster's network is combined with.

A forecaster that holds out windows to calibrate its intervals
(``calibration_fraction``) also weighs its network's forecast against the
seasonal naive forecast, the value a season before, read from the window
itself (the last value for a season of 1): it predicts
``(1 - w) * network + w * naive``, ``w`` the weight of ``NAIVE_WEIGHTS``
whose rollouts miss the held-out windows by least (ties keep the smaller
weight; 0 is the network alone). A combination that the held-out errors
choose is what forecast combinations have long done (the M competitions'
simple and validation-weighted combinations): where a short series gives the
network too little to learn a season or a trend, part of the naive forecast
steadies it, and where the network learned them, it keeps weight 1. The
season is ``season_length_`` when the model has a seasonal baseline, else
the one :func:`~sklearn_seq._scaling.detect_season` finds in the held-out
windows. The weight applies to what ``predict`` and ``forecast`` return, not
inside the rollout: the network rolls forward on its own predictions.
"""

from __future__ import annotations

import numpy as np

from ._sequences import Sequences

__all__ = ["NAIVE_WEIGHTS", "combine", "naive_paths", "naive_weight", "naive_windows"]

# weights of the seasonal naive forecast tried on the held-out windows
NAIVE_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def naive_paths(windows: np.ndarray, season: int, steps: int, lengths=None) -> np.ndarray:
    """The seasonal naive forecast of ``steps`` steps from each window.

    ``windows`` ``(n, T, k)`` holds the target channels (zero-padded after
    ``lengths``, the windows' true lengths, when given); step ``j`` repeats
    the value ``season - j % season`` steps before the window's end. Returns
    ``(n, steps, k)``.
    """
    n, length = windows.shape[:2]
    ends = np.full(n, length) if lengths is None else np.asarray(lengths)
    season = np.minimum(season, ends)[:, None]
    index = ends[:, None] - season + np.arange(steps)[None, :] % season
    return np.take_along_axis(windows, index[:, :, None], axis=1)


def naive_windows(seqs: Sequences, k: int, season: int, steps: int) -> np.ndarray:
    """:func:`naive_paths` of the first ``k`` channels of ``seqs``, a chunk of
    windows at a time (windows of a long series stay views until then)."""
    parts = [
        naive_paths(values[:, :, :k].astype(np.float64), season, steps, lengths)
        for _, values, lengths in seqs.chunks()
    ]
    return np.concatenate(parts) if parts else np.empty((0, steps, k))


def combine(network: np.ndarray, naive: np.ndarray, weight: float) -> np.ndarray:
    """``(1 - weight) * network + weight * naive`` (the network alone at 0)."""
    return network if weight == 0 else (1 - weight) * network + weight * naive


def naive_weight(truth: np.ndarray, network: np.ndarray, naive: np.ndarray) -> float:
    """The weight of ``NAIVE_WEIGHTS`` whose combination has the smallest mean
    absolute error against ``truth`` (NaN where unknown); ties keep the first."""
    errors = [
        float(np.nanmean(np.abs(truth - combine(network, naive, weight))))
        for weight in NAIVE_WEIGHTS
    ]
    return NAIVE_WEIGHTS[int(np.nanargmin(errors))]

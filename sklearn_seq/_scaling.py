"""Scaling: global standardization, per-window frames, and the one home of
weighted statistics (:func:`weighted_stats`, :func:`channel_stats`).

Global standardization (``standardize=True``) learns one mean and scale per
input channel (:func:`channel_stats`) and applies them (:func:`standardize`).
Window-relative scaling puts each input window in its own frame of reference.

A global standardization (one mean and scale for the whole training set)
leaves a network unable to extrapolate a trend past the training range or to
share what it learns across series whose levels differ by orders of
magnitude. A :class:`WindowFrame` instead takes, for every sample and
channel, an offset and a scale from that sample's own window (as
neuralforecast's temporal scalers, DeepAR's mean scaling and RevIN do),
expresses the window and its targets in that frame, and maps the network's
outputs back. It holds no fitted state: the frame of a window is computed
from the window, at fit and at every prediction. Covariate channels (after
the target channels) stay out of it: their frame is the identity, and the
forecaster standardizes them with global statistics instead.
"""

from __future__ import annotations

from itertools import chain
from math import prod

import numpy as np

from ._sequences import Sequences, valid_mask

__all__ = [
    "FRAMES",
    "WindowFrame",
    "channel_stats",
    "detect_season",
    "safe_scale",
    "standardize",
    "typical_scale",
    "weighted_stats",
]

# scaling option -> what the frame takes as its offset
FRAMES = ("mean", "last", "diff")
# a window whose scale is at most FLAT times its largest absolute value is flat
FLAT = 1e-8
# detect_season: the smallest autocorrelation a season's peak must reach
SEASON_THRESHOLD = 0.3
# a peak at least this share of the highest one, and shorter, is the season
SEASON_MULTIPLE_SHARE = 0.9


class WindowFrame:
    """Per-sample, per-channel offset and scale taken from each input window.

    Parameters
    ----------
    offset, scale : ndarray of shape (n_samples, n_channels)
        The frame of each sample: a value ``v`` reads ``(v - offset) / scale``.
    kind : {"mean", "last", "diff", "global"}
        ``"mean"``: offset the window's mean, scale its standard deviation;
        ``"last"``: offset the window's last value, scale its standard
        deviation; ``"diff"``: offset the last value, scale the mean absolute
        step, and the network reads the window's steps (first differences)
        rather than its values; ``"global"``: offset 0 and scale 1 (the
        window as it is), for a seasonal baseline alone.
    n_framed : int or None
        The channels the frame applies to, the first ones (the targets); the
        others (covariates) have offset 0 and scale 1 and are never
        differenced. None: all channels.
    season : ndarray of shape (n_samples, season_length, n_channels) or None
        The last ``season_length`` values of each window: target step ``j``
        (from 0) is read relative to ``season[:, j % season_length]``, the
        seasonal naive forecast, instead of ``offset``. None: no baseline.
    """

    def __init__(
        self,
        offset: np.ndarray,
        scale: np.ndarray,
        kind: str,
        n_framed: int | None = None,
        season: np.ndarray | None = None,
    ):
        self.offset = offset
        self.scale = scale
        self.kind = kind
        self.n_framed = offset.shape[1] if n_framed is None else n_framed
        self.season = season

    @classmethod
    def of(
        cls,
        seqs: Sequences,
        kind: str,
        n_framed: int | None = None,
        season_length: int | None = None,
        flat_scale: np.ndarray | None = None,
    ) -> WindowFrame:
        """The frame of each window of ``seqs`` (statistics over its valid steps),
        for its first ``n_framed`` channels (None: all), computed a chunk of
        windows at a time (:meth:`Sequences.chunks`), with the seasonal
        baseline of ``season_length`` (None: none).

        A flat window (a run of zeros in an intermittent series) has no scale
        of its own: ``flat_scale``, one entry per framed channel (a fitted
        :func:`typical_scale`), stands in for it, so that what follows the
        window (a demand spike) reads on the series' usual scale. None: a tiny
        scale relative to the window's size, which makes such a target huge.
        Flatness is relative (:func:`_flat_floor`), so a series and the same
        series in other units get the same frames, in those units.
        """
        mean, last, scale, floor, season = _window_statistics(seqs, kind, season_length)
        if flat_scale is not None:
            k = len(flat_scale)
            scale[:, :k] = np.where(scale[:, :k] <= floor[:, :k], flat_scale, scale[:, :k])
        # a flat window keeps a tiny scale relative to its size: it reads as zeros
        scale = np.maximum(scale, floor)
        scale[scale == 0] = FLAT  # all zeros: no size to be tiny next to
        offset = mean if kind == "mean" else last
        if kind == "global":
            offset, scale = np.zeros_like(mean), np.ones_like(mean)
        if n_framed is not None and n_framed < seqs.n_channels:  # covariates: identity
            offset[:, n_framed:], scale[:, n_framed:] = 0.0, 1.0
        return cls(offset, scale, kind, n_framed, season)

    def inputs(self, seqs: Sequences) -> Sequences:
        """The windows in their frames (the padding stays zero)."""
        if self.kind == "global":  # the baseline alone: inputs as they are
            return seqs
        return seqs.map(self._apply)

    def _apply(self, values, index, mask):
        values = values - self.offset[index][:, None]
        values /= self.scale[index][:, None]
        if self.kind == "diff" and self.n_framed == values.shape[2]:
            values = np.diff(values, axis=1, prepend=values[:, :1])
        elif self.kind == "diff":  # covariates are read as they are
            k = self.n_framed
            values[:, :, :k] = np.diff(values[:, :, :k], axis=1, prepend=values[:, :1, :k])
        if mask is not None:
            values *= mask
        return values.astype(np.float32)

    def channels(self, target_shape: tuple) -> np.ndarray:
        """The input channel each entry of a target row continues."""
        n_channels = self.n_framed
        if len(target_shape) <= 1 and (n_channels == 1 or target_shape == (n_channels,)):
            return np.arange(prod(target_shape)) % n_channels
        if len(target_shape) == 2 and target_shape[1] == n_channels:
            return np.tile(np.arange(n_channels), target_shape[0])
        raise ValueError(
            f"scaling={self.kind!r} expresses each target in the frame of the input "
            f"channel it continues, so target rows must be shaped (), (horizon,) for "
            f"univariate windows or ({n_channels},) / (horizon, {n_channels}) for "
            f"{n_channels} channels; got rows shaped {target_shape}. Use "
            "scaling='global' for other targets."
        )

    def _origin(self, target_shape: tuple) -> np.ndarray:
        """What each target entry is read relative to, ``(n, n_outputs)``: the
        window's offset, or the seasonal naive forecast of the entry's step."""
        ch = self.channels(target_shape)
        if self.season is None:
            return self.offset[:, ch]
        step = np.arange(len(ch)) // self.n_framed  # entries run step by step
        return self.season[:, step % self.season.shape[1], ch]

    def to_frame(self, rows: np.ndarray, target_shape: tuple) -> np.ndarray:
        """Target rows ``(n, n_outputs)`` in each sample's frame."""
        return (rows - self._origin(target_shape)) / self.target_scale(target_shape)

    def from_frame(self, rows: np.ndarray, target_shape: tuple) -> np.ndarray:
        """Network outputs ``(n, n_outputs)`` back in the units of the series."""
        return rows * self.target_scale(target_shape) + self._origin(target_shape)

    def step_scale(self, n_channels: int) -> np.ndarray:
        """The scale of each of the first ``n_channels`` channels, ``(n, 1,
        n_channels)``: what a step of a rollout is measured in."""
        return self.scale[:, None, :n_channels]

    def target_scale(self, target_shape: tuple) -> np.ndarray:
        """The scale of each target entry, ``(n, n_outputs)``."""
        return self.scale[:, self.channels(target_shape)]


def typical_scale(seqs: Sequences, kind: str, n_framed: int) -> np.ndarray | None:
    """The mean scale of the windows that are not flat, per framed channel.

    What :meth:`WindowFrame.of` gives a flat window (``flat_scale``); fitted
    once on the training windows. None when every window is flat.
    """
    _, _, scale, floor, _ = _window_statistics(seqs, kind)
    scale, floor = scale[:, :n_framed], floor[:, :n_framed]
    moving = scale > floor
    counts = moving.sum(axis=0)
    if not counts.all():
        return None
    return np.where(moving, scale, 0.0).sum(axis=0) / counts


def _flat_floor(size: np.ndarray) -> np.ndarray:
    """The scale at or below which a window is flat: tiny (``FLAT``) next to its
    size, the largest absolute value of its valid steps. Relative, so that it
    moves with the series' units: a constant window is flat and a moving one
    is not, whatever the units."""
    return FLAT * size


def _window_statistics(seqs: Sequences, kind: str, season_length=None) -> tuple:
    """:func:`_statistics` of every window, a chunk at a time."""
    parts = [
        _statistics(values, lengths, kind, season_length)
        for _, values, lengths in seqs.chunks()
    ]
    if len(parts) == 1:
        return parts[0]
    return tuple(
        np.concatenate(part) if part[0] is not None else None
        for part in zip(*parts, strict=True)
    )


def _statistics(values: np.ndarray, lengths: np.ndarray, kind: str, season_length=None):
    """Mean, last value, scale (before its floor) and flat floor of each window
    ``(n, C)``, and its last ``season_length`` values ``(n, season_length, C)``
    (or None)."""
    values = values.astype(np.float64)
    count = lengths[:, None].astype(np.float64)
    rows = np.arange(len(values))
    last = values[rows, lengths - 1]
    season = None
    if season_length:  # a window shorter than the season repeats its first value
        where = np.maximum(lengths[:, None] - season_length + np.arange(season_length), 0)
        season = values[rows[:, None], where]
    valid = None  # windows of one length: no padding to mask out
    if lengths.min() < values.shape[1]:
        valid = valid_mask(lengths, values.shape[1])[:, :, None]

    def masked(steps, skip=0):
        return steps if valid is None else steps * valid[:, skip:]

    mean = masked(values).sum(axis=1) / count
    if kind == "diff":
        steps = masked(np.abs(np.diff(values, axis=1)), 1)
        scale = steps.sum(axis=1) / np.maximum(count - 1, 1)
    else:
        scale = np.sqrt((masked(values - mean[:, None]) ** 2).sum(axis=1) / count)
    floor = _flat_floor(masked(np.abs(values)).max(axis=1))
    return mean, last, scale, floor, season


def detect_season(seqs: Sequences, n_channels: int, max_lag: int | None = None) -> int:
    """The season length of the series behind training windows, or 1 for none.

    Within each window, the first differences of the first ``n_channels``
    channels (the targets) are centred; their autocorrelation at lags 1 to
    ``T // 2`` (``T`` the longest window; at most ``max_lag``) is pooled over
    all windows and channels. The season is the lag from 2 up whose autocorrelation is a
    peak (above both neighbours) reaching ``SEASON_THRESHOLD`` (0.3): the
    shortest such peak at least ``SEASON_MULTIPLE_SHARE`` (0.9) of the
    highest, since the multiples of a season peak about as high (a long
    window of monthly data peaks at 12, 24, 36 ...); without one, 1.
    """
    longest = int(seqs.lengths.max()) // 2
    max_lag = longest if max_lag is None else min(longest, max_lag)
    if max_lag < 2:
        return 1
    products = np.zeros(max_lag + 2)
    pairs = np.zeros(max_lag + 2)
    for _, values, lengths in seqs.chunks():
        steps = np.diff(values[:, :, :n_channels].astype(np.float64), axis=1)
        valid = valid_mask(lengths - 1, steps.shape[1])[:, :, None]
        count = np.maximum(lengths - 1, 1)[:, None, None]
        steps = (steps - (steps * valid).sum(axis=1, keepdims=True) / count) * valid
        for lag in range(min(max_lag + 2, steps.shape[1])):
            both = valid[:, lag:] & valid[:, : steps.shape[1] - lag]
            products[lag] += (steps[:, lag:] * steps[:, : steps.shape[1] - lag]).sum()
            pairs[lag] += both.sum()
    if products[0] <= 0:
        return 1
    acf = np.where(pairs > 0, products / np.maximum(pairs, 1), 0.0)
    acf /= acf[0]
    peaks = [
        lag
        for lag in range(2, max_lag + 1)
        if acf[lag] >= max(SEASON_THRESHOLD, acf[lag + 1]) and acf[lag] > acf[lag - 1]
    ]
    if not peaks:
        return 1
    # a season's multiples peak too, about as high: the shortest near the highest
    highest = max(acf[lag] for lag in peaks)
    return min(lag for lag in peaks if acf[lag] >= SEASON_MULTIPLE_SHARE * highest)


def channel_stats(seqs: Sequences, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over the valid time steps.

    Each step counts with its sample's weight (``sample_weight``, default 1).
    Reads a chunk of samples at a time (:meth:`Sequences.chunks`); the
    moments of several chunks are merged as in Chan et al.'s parallel variance.
    """
    chunks = (_valid_steps(*chunk, sample_weight) for chunk in seqs.chunks())
    first = next(chunks)
    second = next(chunks, None)
    if second is None:  # one chunk: all valid steps at once
        return weighted_stats(*first)
    total, mean, squares = 0.0, 0.0, 0.0
    for part in chain([first, second], chunks):
        weight, part_mean, part_squares = _moments(*part)
        if weight == 0:
            continue
        delta, merged = part_mean - mean, total + weight
        mean = mean + delta * (weight / merged)
        squares = squares + part_squares + delta**2 * (total * weight / merged)
        total = merged
    return mean, safe_scale(np.sqrt(squares / total), mean)


def _moments(values: np.ndarray, weights) -> tuple[float, np.ndarray, np.ndarray]:
    """Total weight, weighted column means and weighted squared deviations."""
    if weights is None:
        mean = values.mean(axis=0)
        return float(len(values)), mean, ((values - mean) ** 2).sum(axis=0)
    weight = float(weights.sum())
    if weight == 0:
        return 0.0, 0.0, 0.0
    mean = weights @ values / weight
    return weight, mean, weights @ (values - mean) ** 2


def _valid_steps(rows, values, lengths, sample_weight):
    """A chunk's valid steps ``(m, C)`` as float64, and each step's weight (or None)."""
    weights = None if sample_weight is None else np.asarray(sample_weight)[rows]
    width = values.shape[1]
    if lengths.min() == width:  # no padding: every step in order, without a mask
        steps = values.reshape(-1, values.shape[2]).astype(np.float64)
        return steps, None if weights is None else np.repeat(weights, width)
    mask = valid_mask(lengths, width)
    if weights is not None:
        weights = np.broadcast_to(weights[:, None], mask.shape)[mask]
    return np.asarray(values[mask], dtype=np.float64), weights


def standardize(seqs: Sequences, mean: np.ndarray, scale: np.ndarray) -> Sequences:
    """Standardize each channel, keeping the padding at zero."""
    mean, scale = mean.astype(np.float32), scale.astype(np.float32)

    def apply(values, index, mask):
        values = (values - mean) / scale
        if mask is not None:
            values *= mask
        return values.astype(np.float32, copy=False)

    return seqs.map(apply)


def weighted_stats(values: np.ndarray, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of ``values`` ``(n, k)``, rows weighted.

    A constant column (:func:`safe_scale`) gets scale 1, so that dividing by the
    scale is always safe.
    """
    values = np.asarray(values, dtype=np.float64)
    mean = np.average(values, axis=0, weights=weights)
    scale = np.sqrt(np.average((values - mean) ** 2, axis=0, weights=weights))
    return mean, safe_scale(scale, mean)


def safe_scale(scale: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """``scale`` with 1 for a constant column, safe to divide by.

    Given the columns' ``mean``, a column is constant when its scale is at most
    1e-12 times its mean's size (rounding), at any units; without it, when its
    scale is below 1e-12.
    """
    if mean is None:
        scale[scale < 1e-12] = 1.0
    else:
        scale[scale <= 1e-12 * np.abs(mean)] = 1.0
    return scale

"""The ``Sequences`` container: sequences padded a batch at a time, and their
valid steps.

A :class:`Sequences` holds validated sequences (made by
:func:`~sklearn_seq._validation.check_sequences`) as a padded array or as
:class:`Rows`, which pad a batch at a time: ragged lists
(:class:`RaggedRows`), the sliding windows of a series (:class:`WindowRows`),
word ids (:class:`IdRows`) and rows derived from others (:class:`MappedRows`).
:func:`valid_mask` is the one spelling of "which steps are real" in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._word_ids import WordIds

__all__ = [
    "CroppedRows",
    "IdRows",
    "MappedRows",
    "RaggedRows",
    "Rows",
    "Sequences",
    "WindowRows",
    "valid_mask",
]


def valid_mask(lengths: np.ndarray, width: int) -> np.ndarray:
    """Boolean ``(n, width)`` mask of the steps before each sequence's end."""
    return np.arange(width)[None, :] < lengths[:, None]


CHUNK = 1 << 21  # padded values (rows x steps x channels) a statistic reads at a time


class Rows:
    """Sequences kept as given and padded a batch at a time: a lazy, read-only array.

    It reads like the zero-padded float32 array of shape ``(n_samples,
    max_length, n_channels)`` it stands for, without ever holding it:
    ``rows[index]`` returns the rows ``index`` (integers or a slice) padded to
    their own longest length, ``rows[index, :width]`` to ``width`` steps; any
    other key indexes the rows padded to the longest. Subclasses say where
    the values live (:class:`RaggedRows`, :class:`WindowRows`) or how they are
    derived from other rows (:class:`MappedRows`).
    """

    ndim = 3
    dtype = np.dtype(np.float32)

    def __init__(self, lengths: np.ndarray, n_channels: int):
        self.lengths = lengths
        self.shape = (len(lengths), int(lengths.max()), n_channels)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key) -> np.ndarray:
        index, *rest = key if isinstance(key, tuple) else (key,)
        if isinstance(index, slice):
            index = np.arange(*index.indices(len(self)))
        index = np.asarray(index)
        if index.dtype.kind not in "iu":
            raise TypeError(f"Rows take integer row indices or a slice, got {index.dtype}.")
        single, index = index.ndim == 0, np.where(index < 0, index + len(self), index)
        index = index.reshape(-1)
        width = int(self.lengths[index].max()) if len(index) else 0
        if len(rest) == 1 and _is_leading(rest[0]):  # rows[index, :width]
            width, rest = min(rest[0].stop, self.shape[1]), ()
        elif rest:  # any other steps or channels: of the rows padded to the longest
            width = self.shape[1]
        out = self._fill(index, width)
        return (out[0] if single else out)[tuple(rest)]

    def _fill(self, index: np.ndarray, width: int) -> np.ndarray:
        """Rows ``index`` as float32 ``(len(index), width, n_channels)``, zero-padded."""
        raise NotImplementedError

    def astype(self, dtype) -> np.ndarray:
        """Every row, padded to the longest (the whole array: memory!), as ``dtype``."""
        return self[:].astype(dtype)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self.astype(dtype or self.dtype)


def _is_leading(steps) -> bool:
    """Whether ``steps`` is a slice ``[:width]`` of the first steps."""
    return (
        isinstance(steps, slice)
        and steps.start in (None, 0)
        and steps.step in (None, 1)
        and isinstance(steps.stop, (int, np.integer))
        and steps.stop >= 0
    )


class RaggedRows(Rows):
    """Sequences of their own lengths, each a ``(length_i, n_channels)`` array."""

    def __init__(self, arrays: list, lengths: np.ndarray):
        super().__init__(lengths, arrays[0].shape[1])
        self.arrays = arrays

    def _fill(self, index, width):
        out = np.zeros((len(index), width, self.shape[2]), dtype=np.float32)
        for row, i in enumerate(index):
            part = self.arrays[i][:width]
            out[row, : len(part)] = part
        return out


class WindowRows(Rows):
    """Windows of one series: row ``i`` is ``series[i * step : i * step + length]``."""

    def __init__(self, series: np.ndarray, n_windows: int, length: int, step: int):
        lengths = np.broadcast_to(np.int64(length), (n_windows,))  # one number, no memory
        super().__init__(lengths, series.shape[1])
        self.series, self.step = series, step
        # (n_windows, n_channels, length), a view: indexing it copies only the rows asked
        self._windows = sliding_window_view(series, length, axis=0)[::step][:n_windows]

    def _fill(self, index, width):
        return self._windows[index, :, :width].transpose(0, 2, 1).astype(np.float32)


class IdRows(Rows):
    """Documents as word ids (a :class:`~sklearn_seq._word_ids.WordIds`): id
    ``row + 1`` per known word, a document without one as one padding step."""

    dtype = np.dtype(np.int32)

    def __init__(self, words: WordIds, lengths: np.ndarray):
        super().__init__(lengths, 1)
        self.words = words

    def _fill(self, index, width):
        starts, counts = self.words.indptr[index], self.words.lengths()[index]
        counts = np.minimum(counts, width)
        out = np.zeros((len(index), width, 1), dtype=np.int32)
        row = np.repeat(np.arange(len(index)), counts)
        step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        out[row, step, 0] = self.words.indices[np.repeat(starts, counts) + step] + 1
        return out


class MappedRows(Rows):
    """Rows derived from other rows, batch by batch: see :meth:`Sequences.map`."""

    def __init__(self, rows: Rows, fn):
        super().__init__(rows.lengths, rows.shape[2])
        self.rows, self.fn = rows, fn

    def _fill(self, index, width):
        lengths = self.lengths[index]
        full = bool((lengths >= width).all())  # no padding: the mask changes nothing
        mask = None if full else valid_mask(lengths, width)[:, :, None]
        return self.fn(self.rows._fill(index, width), index, mask)


class CroppedRows(Rows):
    """Row ``i`` cut to ``lengths[i]`` steps from ``starts[i]`` (:meth:`Sequences.crop`)."""

    def __init__(self, rows: Rows, starts: np.ndarray, lengths: np.ndarray):
        super().__init__(lengths, rows.shape[2])
        self.rows, self.starts, self.dtype = rows, starts, rows.dtype

    def _fill(self, index, width):
        starts = self.starts[index]
        reach = min(int((starts + width).max()) if len(index) else 0, self.rows.shape[1])
        return cut(self.rows._fill(index, reach), starts, self.lengths[index], width)


def cut(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int):
    """Row ``i`` of ``values`` (rows, steps, channels) from step ``starts[i]``
    for ``lengths[i]`` steps, zero-padded to ``width`` steps."""
    steps = np.arange(width)
    index = np.minimum(starts[:, None] + steps, max(values.shape[1] - 1, 0))
    out = np.take_along_axis(values, index[:, :, None], axis=1)
    out[steps[None, :] >= lengths[:, None]] = 0
    return out


@dataclass
class Sequences:
    """Validated sequences, zero-padded to a common length.

    Attributes
    ----------
    values : ndarray or Rows of shape (n_samples, max_length, n_channels), float32
        The sequences, zero-padded after each sequence's end (int32 word ids
        for kind ``"ids"``). Sequences of many lengths, and the sliding
        windows of a series, are held as :class:`Rows`, which pad a batch at a
        time: memory then follows the batch, not the longest sequence or the
        number of windows.
    lengths : ndarray of shape (n_samples,), int64
        The true length of each sequence.
    kind : {"2d", "3d", "list", "vectors", "ids", "words"}
        The layout the user gave; ``"vectors"`` is a 2-D X read as one
        conditioning vector per sample (each a sequence of length 1);
        ``"ids"`` is documents as word ids (see :func:`from_word_ids`);
        ``"words"`` a list of sequences marked as documents' word vectors
        (:class:`~sklearn_seq._word_ids.WordVectors`).
    words : WordIds or None
        For kind ``"ids"``, the documents given (their vectors and vocabulary).
    """

    values: np.ndarray | Rows
    lengths: np.ndarray
    kind: str
    words: WordIds | None = None

    @classmethod
    def full(cls, values: np.ndarray, kind: str = "3d") -> Sequences:
        """Sequences of one length, every step valid: ``values`` ``(n, T, C)``."""
        return cls(values, np.full(len(values), values.shape[1]), kind)

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    @property
    def n_channels(self) -> int:
        return self.values.shape[2]

    @property
    def n_features(self) -> int | None:
        """scikit-learn's ``n_features_in_`` for 2-D input (time steps, or vector
        features); None for other layouts."""
        if self.kind == "2d":
            return self.values.shape[1]
        return self.values.shape[2] if self.kind == "vectors" else None

    def mask(self) -> np.ndarray:
        """Boolean ``(n_samples, max_length)`` mask of the valid time steps."""
        return valid_mask(self.lengths, self.values.shape[1])

    def padded(self) -> bool:
        """Whether some sequence ends before the common length (``mask()`` has a False)."""
        return len(self.lengths) > 0 and bool(self.lengths.min() < self.values.shape[1])

    def take(self, indices) -> Sequences:
        """The sequences at ``indices``, trimmed to their own longest length."""
        lengths = self.lengths[indices]
        width = int(lengths.max()) if len(lengths) else 0
        return Sequences(self.values[indices, :width], lengths, self.kind, self.words)

    def crop(self, share: float, where: float, longer_than: int = 0) -> Sequences:
        """Each sequence of more than ``longer_than`` steps cut to its
        ``ceil(share * length)`` consecutive steps, at its start (``where=0``),
        middle (0.5) or end (1); shorter sequences stay whole.

        The crops :class:`~sklearn_seq._training.RandomCrops` draws at random,
        at fixed places; held as :class:`CroppedRows` where the values are
        rows, so a batch is cut when it is read.
        """
        lengths = self.lengths
        kept = np.maximum(1, np.ceil(lengths * share).astype(np.int64))
        kept = np.where(lengths > longer_than, np.minimum(kept, lengths), lengths)
        starts = np.floor((lengths - kept) * where).astype(np.int64)
        if isinstance(self.values, Rows):
            values = CroppedRows(self.values, starts, kept)
        else:
            values = cut(self.values, starts, kept, int(kept.max()) if len(kept) else 0)
        return Sequences(values, kept, self.kind, self.words)

    def map(self, fn) -> Sequences:
        """Sequences of values ``fn(values, index, mask)``, a float32 array.

        ``fn`` gets rows of values, which samples they are (``index``, a slice
        or indices) and the ``(rows, steps, 1)`` boolean mask of their valid
        steps (None where every step is valid), and must treat each value on
        its own. It runs now on an array, and batch by batch on :class:`Rows`
        (the result is the same, bit for bit).
        """
        if isinstance(self.values, Rows):
            return Sequences(MappedRows(self.values, fn), self.lengths, self.kind)
        mask = self.mask()[:, :, None] if self.padded() else None
        values = fn(self.values, slice(None), mask)
        return Sequences(values, self.lengths, self.kind)

    def chunks(self):
        """Yield ``(rows, values, lengths)`` over consecutive runs of samples.

        ``rows`` is a slice of the samples, ``values`` their padded values
        trimmed to their own longest length, at most about ``CHUNK`` values
        in all (a longer sequence comes alone), so statistics over every
        sample never hold all of them at once.
        """
        lengths, per_step = self.lengths, self.n_channels
        if lengths.min() == lengths.max():
            step = max(1, CHUNK // (int(lengths[0]) * per_step))
            bounds = list(range(0, len(lengths), step)) + [len(lengths)]
        else:
            bounds, start, longest = [0], 0, 0
            for i, length in enumerate(lengths.tolist()):
                longest = max(longest, length)
                if i > start and (i + 1 - start) * longest * per_step > CHUNK:
                    bounds.append(i)
                    start, longest = i, length
            bounds.append(len(lengths))
        for start, stop in zip(bounds[:-1], bounds[1:], strict=False):
            width = int(lengths[start:stop].max())
            yield slice(start, stop), self.values[start:stop, :width], lengths[start:stop]

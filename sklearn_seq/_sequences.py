"""Turn user input into padded sequence arrays, lengths and tensors.

This is the one place that knows the package's sequence conventions:

* a 2-D float array ``(n_samples, n_timesteps)``: univariate sequences of one
  length (the view scikit-learn's own checks use);
* a 3-D float array ``(n_samples, n_timesteps, n_channels)``: multivariate
  sequences of one length, channels last;
* a list (or 1-D object array) of arrays shaped ``(length_i,)`` or
  ``(length_i, n_channels)``: variable-length sequences (nested Python lists
  that form a rectangle are read as an array, as scikit-learn reads them);
* pandas DataFrames (read as 2-D arrays), and pandas Series whose elements
  are arrays (one sequence per row, read as a list of sequences);
* documents as word ids (``Word2VecTransformer(output="ids")``, a
  :class:`~sklearn_seq._word_ids.WordIds`): integer sequences, one channel.

Everything is validated here, with errors that name the offending sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from numpy.lib.stride_tricks import as_strided, sliding_window_view
from scipy import sparse
from skorch.dataset import Dataset
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, Subset

from ._word_ids import WordIds, WordVectors
from .datasets._long_format import long_format_hint

__all__ = [
    "BatchDataset",
    "LengthBuckets",
    "RandomCrops",
    "Rows",
    "Sequences",
    "check_sequences",
    "check_n_targets",
    "check_target",
    "from_word_ids",
    "shuffled_loader",
    "iter_batches",
    "keep_batch",
    "require_y",
]


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
        mask = None if full else (np.arange(width) < lengths[:, None])[:, :, None]
        return self.fn(self.rows._fill(index, width), index, mask)


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
        return np.arange(self.values.shape[1])[None, :] < self.lengths[:, None]

    def padded(self) -> bool:
        """Whether some sequence ends before the common length (``mask()`` has a False)."""
        return len(self.lengths) > 0 and bool(self.lengths.min() < self.values.shape[1])

    def take(self, indices) -> Sequences:
        """The sequences at ``indices``, trimmed to their own longest length."""
        lengths = self.lengths[indices]
        width = int(lengths.max()) if len(lengths) else 0
        return Sequences(self.values[indices, :width], lengths, self.kind, self.words)

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


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _is_missing(value) -> bool:
    """None, or pandas' ``NA`` / ``NaT`` (recognised without importing pandas)."""
    return value is None or type(value).__name__ in ("NAType", "NaTType")


def _as_float(values, name: str, where: str = "") -> np.ndarray:
    """Convert to a float64 array with a clear error for non-numeric data."""
    if isinstance(values, np.ma.MaskedArray):
        raise ValueError(
            f"{name}{where} is a masked array; the mask would be lost. Fill or drop the "
            "masked values first (e.g. with .filled(value) or .compressed())."
        )
    arr = np.asarray(values)
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name}{where} is complex.")
    if arr.dtype.kind == "O" and any(_is_missing(v) for v in arr.flat):
        raise ValueError(
            f"{name}{where} contains missing values (None or pandas NA); clean or "
            "impute them first."
        )
    if arr.dtype.kind in "USa" or (
        arr.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in arr.flat)
    ):
        raise ValueError(
            f"{name}{where} contains strings; sequences must hold numbers "
            "(encode text first, e.g. with Word2VecTransformer)."
        )
    try:
        return arr.astype(np.float64, copy=False)
    except TypeError as exc:
        # keep numpy's message: "float() argument must be a string or a real number"
        raise TypeError(f"{name}{where} contains a non-numeric value: {exc}") from None
    except ValueError as exc:
        raise ValueError(
            f"{name}{where} contains non-numeric values ({exc}); "
            "sequences must hold numbers."
        ) from None


def _check_finite(arr: np.ndarray, name: str, samples: bool = True, windows=None) -> None:
    """Raise a ValueError for NaN, infinity or a value beyond float32's range (the
    network would turn it into infinity), naming the first such sample.

    ``windows``: ``(n_windows, length, step)`` when ``arr`` is the series under
    sliding windows (:class:`WindowRows`); its samples are then the windows.
    """
    if np.abs(arr).max(initial=0.0) <= _FLOAT32_MAX:  # NaN fails this comparison too
        return
    rows = arr.reshape(len(arr) if samples else 1, -1)
    for problem, bad in (
        ("contains NaN or infinity", ~np.isfinite(rows)),
        (f"holds values beyond float32's range (|value| > {_FLOAT32_MAX:.3g})", None),
    ):
        bad = np.abs(rows) > _FLOAT32_MAX if bad is None else bad
        bad = bad.any(axis=1)
        if windows is not None and bad.any():
            bad = _windows_over(bad, *windows)
        found = np.flatnonzero(bad)
        if len(found):
            where = f" (first in sample {found[0]}, {len(found)} sample(s) in all)"
            raise ValueError(
                f"{name} {problem}{where if samples else ''}; clean, impute or "
                "rescale it first."
            )


def _windows_over(bad_steps: np.ndarray, n_windows: int, length: int, step: int):
    """Which windows (``length`` steps, ``step`` apart) hold one of the bad steps."""
    t = np.flatnonzero(bad_steps)
    first = np.clip(-((length - 1 - t) // step), 0, n_windows)  # ceil((t-length+1)/step)
    last = np.clip(t // step + 1, 0, n_windows)
    cover = np.zeros(n_windows + 1, dtype=np.int64)
    np.add.at(cover, first, 1)
    np.add.at(cover, last, -1)
    return np.cumsum(cover[:-1]) > 0


def _window_layout(X):
    """``(series, step)`` when ``X``'s rows are overlapping windows of one series.

    A 2-D or 3-D array whose rows lie ``step`` time steps apart in memory
    (``X.strides[0] == step * X.strides[1]``, ``step`` shorter than a window),
    as :func:`~sklearn_seq.make_windows` and ``sliding_window_view`` return,
    is a view of the series ``series[i * step + j] = X[i, j]``: that series
    holds every value. Anything else returns None (and is copied).
    """
    if (
        type(X) is not np.ndarray  # not a masked array, matrix or other subclass
        or X.ndim not in (2, 3)
        or X.dtype.kind not in "biuf"
        or X.shape[0] < 2
        or X.shape[1] < 2
    ):
        return None
    along, within = X.strides[:2]
    if within == 0 or along % within or not 1 <= along // within < X.shape[1]:
        return None
    step = along // within
    steps = (X.shape[0] - 1) * step + X.shape[1]
    series = as_strided(X, (steps, *X.shape[2:]), (within, *X.strides[2:]), writeable=False)
    return series, step


def _is_sequence_list(X) -> bool:
    """A list of arrays (or a 1-D object array) is read as variable-length sequences.

    Nested Python lists of numbers that form a rectangle are array-like, as in
    scikit-learn, and read as a 2-D or 3-D array; ragged ones are sequences.
    """
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    if not isinstance(X, (list, tuple)):
        return False
    if any(isinstance(item, np.ndarray) for item in X) or len(X) == 0:
        return True
    try:
        return np.asarray(X).dtype == object
    except ValueError:  # inhomogeneous shape: ragged sequences
        return True


def _from_list(X, name: str, kind: str = "list") -> Sequences:
    if len(X) == 0:
        raise ValueError(f"{name} is empty: it holds 0 sequences.")
    arrays, ndims = [], set()
    for i, item in enumerate(X):
        if np.ndim(item) == 0:
            raise ValueError(
                f"{name}[{i}] is a scalar; a list must hold one array per sequence, "
                "shaped (length,) or (length, n_channels)."
            )
        arr = _as_float(item, name, f"[{i}]")
        if arr.ndim > 2:
            raise ValueError(
                f"{name}[{i}] has {arr.ndim} dimensions; each sequence must be "
                "shaped (length,) or (length, n_channels)."
            )
        if arr.shape[0] == 0:
            raise ValueError(f"{name}[{i}] is a sequence of length 0.")
        ndims.add(arr.ndim)
        arrays.append(arr if arr.ndim == 2 else arr[:, None])
    if len(ndims) > 1:
        raise ValueError(
            f"{name} mixes 1-D (length,) and 2-D (length, n_channels) sequences; "
            "give all sequences the same layout."
        )
    n_channels = arrays[0].shape[1]
    for i, arr in enumerate(arrays):
        if arr.shape[1] != n_channels:
            raise ValueError(
                f"{name}[{i}] has {arr.shape[1]} channels but {name}[0] has "
                f"{n_channels}; all sequences need the same channels."
            )
        _check_finite(arr, f"{name}[{i}]", samples=False)
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    return Sequences(RaggedRows(arrays, lengths), lengths, kind)


def check_sequences(X, *, name: str = "X", vectors: bool = False) -> Sequences:
    """Validate sequence input in any supported layout.

    Parameters
    ----------
    X : array-like of shape (n, T) or (n, T, C), or list of arrays
        Sequences in one of the package's layouts.
    name : str, default="X"
        Name used in error messages.
    vectors : bool, default=False
        Read a 2-D X as conditioning vectors ``(n, d)``: each becomes a
        sequence of one step with ``d`` channels (kind ``"vectors"``).

    Returns
    -------
    Sequences
        Zero-padded float32 values and lengths. A list of sequences, and the
        sliding windows of a series (a view such as :func:`~sklearn_seq.make_windows`
        returns), keep their values as given, in :class:`Rows` padded a batch
        at a time; any other array is copied to float32.
    """
    if isinstance(X, WordIds):
        return from_word_ids(X, name)
    if sparse.issparse(X):
        raise TypeError(
            f"Sparse input is not supported: {name} must be a dense array or a "
            "list of arrays. Convert it with X.toarray()."
        )
    if hasattr(X, "to_numpy") and hasattr(X, "columns"):  # pandas DataFrame
        hint = long_format_hint(X.columns)  # judged by the column names only
        if hint is not None:
            raise ValueError(hint)
        X = X.to_numpy()
    elif hasattr(X, "to_numpy") and getattr(X.dtype, "kind", "") == "O":
        X = X.to_numpy()  # a pandas Series of arrays: one sequence per row
    if _is_sequence_list(X):
        # documents' word vectors are read word by word
        return _from_list(X, name, "words" if isinstance(X, WordVectors) else "list")
    layout = None if vectors else _window_layout(X)
    if layout is not None:
        return _from_windows(X, *layout, name)
    arr = _as_float(X, name)
    if arr.ndim < 2:
        raise ValueError(
            f"Expected a 2-D (n_samples, n_timesteps) or 3-D (n_samples, n_timesteps, "
            f"n_channels) array or a list of sequences, got a {arr.ndim}-D array for "
            f"{name}. Reshape your data, e.g. x.reshape(1, -1) for one univariate sequence."
        )
    if arr.ndim > 3:
        raise ValueError(
            f"{name} has {arr.ndim} dimensions {arr.shape}; expected 2-D "
            "(n_samples, n_timesteps) or 3-D (n_samples, n_timesteps, n_channels)."
        )
    kind, shape = f"{arr.ndim}d", arr.shape
    if arr.ndim == 2:
        arr = arr[:, :, None]
    n, length, n_channels = arr.shape
    if n == 0:
        raise ValueError(f"{name} is empty: it holds 0 sequences (shape={shape}).")
    if length == 0:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={shape}) while a minimum of 1 is "
            "required: its sequences have length 0."
        )
    if n_channels == 0:
        raise ValueError(f"{name} has 0 channels (shape={shape}).")
    _check_finite(arr, name)
    if vectors and kind == "2d":
        arr, length, kind = arr.transpose(0, 2, 1), 1, "vectors"
    return Sequences(
        np.ascontiguousarray(arr, dtype=np.float32),
        np.full(n, length, dtype=np.int64),
        kind,
    )


def _from_windows(X: np.ndarray, series: np.ndarray, step: int, name: str) -> Sequences:
    """Sliding windows ``X`` as :class:`WindowRows` over ``series``, checked once."""
    n, length = X.shape[:2]
    series = _as_float(series, name)
    series = series if series.ndim == 2 else series[:, None]
    if series.shape[1] == 0:
        raise ValueError(f"{name} has 0 channels (shape={X.shape}).")
    _check_finite(series, name, windows=(n, length, step))
    rows = WindowRows(series, n, length, step)
    return Sequences(rows, rows.lengths, f"{X.ndim}d")


def from_word_ids(words: WordIds, name: str = "X") -> Sequences:
    """Documents as word ids -> integer sequences for an embedding layer.

    Id ``row + 1`` stands for vocabulary row ``row``; 0 is padding. A document
    with no known word becomes one padding step (id 0, whose embedding stays
    zero), as ``output="sequence"`` gives it one zero vector. The ids stay in
    their compact form and are padded a batch at a time (:class:`IdRows`).
    """
    if len(words) == 0:
        raise ValueError(f"{name} is empty: it holds 0 documents.")
    size = len(words.wv)
    if len(words.indices) and (words.indices.min() < 0 or words.indices.max() >= size):
        bad = np.flatnonzero((words.indices < 0) | (words.indices >= size))[0]
        doc = int(np.searchsorted(words.indptr, bad, side="right")) - 1
        raise ValueError(
            f"{name}[{doc}] holds word id {words.indices[bad]}, outside the "
            f"vocabulary of {size} words (ids 0 to {size - 1})."
        )
    lengths = np.maximum(words.lengths(), 1).astype(np.int64)
    return Sequences(IdRows(words, lengths), lengths, "ids", words)


def require_y(y, estimator_name: str) -> None:
    """Refuse a missing target (the message scikit-learn's checks expect)."""
    if y is None:
        raise ValueError(
            f"{estimator_name} requires y to be passed, but the target y is None."
        )


def check_n_targets(n_targets: int, n_samples: int) -> None:
    """Refuse a target whose row count differs from the number of sequences."""
    if n_targets != n_samples:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {n_samples} "
            f"sequences, y has {n_targets} targets."
        )


def check_target(y, n_samples: int, estimator_name: str = "This estimator") -> np.ndarray:
    """Validate a numeric target with one row per sequence.

    Returns a float64 array of shape ``(n_samples, *target_shape)``.
    """
    require_y(y, estimator_name)
    if sparse.issparse(y):
        raise TypeError("Sparse targets are not supported; pass a dense array.")
    if hasattr(y, "to_numpy"):  # pandas Series / DataFrame
        y = y.to_numpy()
    y = _as_float(y, "y")
    if y.ndim == 0:
        raise ValueError("y must be an array with one row per sequence, got a scalar.")
    check_n_targets(y.shape[0], n_samples)
    if y.size == 0:
        raise ValueError(f"y is empty (shape {y.shape}).")
    _check_finite(y, "y")
    return y


BLOCK = 8  # rows of every inference block on the CPU


def iter_batches(seqs: Sequences, batch_size: int, device="cpu"):
    """Yield ``(values, lengths, index)`` for inference; ``index`` are the rows' samples.

    On the CPU every block has exactly ``BLOCK`` rows of one sequence length
    (sequences are grouped by length; all-zero filler rows come after the
    ``len(index)`` real ones). Each matrix product then has the same shape
    whoever the batch-mates are, and rows never mix. How a CPU splits a
    product's sums depends on the number of rows (and on AVX2 against
    AVX-512), which is why the shape, not only the padding, is fixed. Some
    kernels (oneMKL on AVX-512, for a few shapes) also round a row by its
    position in the block, by a unit or two in float32's last place; the
    classifier, whose probabilities scikit-learn compares to 1e-9, therefore
    runs its blocks through a float64 copy of the module
    (``_modules.float64_copy``), which puts that rounding near 1e-16.
    Elsewhere (a GPU) batches hold ``batch_size`` sequences, padded to their
    longest and packed.
    """
    if torch.device(device).type != "cpu":
        for start in range(0, seqs.n_samples, batch_size):
            index = np.arange(start, min(start + batch_size, seqs.n_samples))
            batch = seqs.take(index)
            yield (
                torch.from_numpy(batch.values).to(device),
                torch.from_numpy(batch.lengths),
                index,
            )
        return
    padded = seqs.padded()
    if padded:  # sequences of several lengths: group them by length
        order = np.argsort(seqs.lengths, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(seqs.lengths[order])) + 1)
    else:
        groups = [np.arange(seqs.n_samples)]
    for group in groups:
        length = int(seqs.lengths[group[0]])
        lengths = torch.full((BLOCK,), length)
        # read many blocks' rows at once (of Rows: padded and scaled in one go)
        per_read = BLOCK * max(1, CHUNK // (BLOCK * length * seqs.n_channels))
        for first in range(0, len(group), per_read):
            # one length: the rows in order, a slice (no fancy-index copy of an array)
            part = (
                group[first : first + per_read]
                if padded
                else slice(first, first + per_read)
            )
            rows = seqs.values[part, :length]
            for start in range(0, len(rows), BLOCK):
                index = group[first + start : first + start + BLOCK]
                values = np.zeros((BLOCK, length, seqs.n_channels), dtype=rows.dtype)
                values[: len(index)] = rows[start : start + BLOCK]
                yield torch.from_numpy(values), lengths, index


class BatchDataset(Dataset):
    """A skorch dataset that fetches a whole batch with one fancy index.

    ``torch.utils.data.DataLoader`` calls ``__getitems__`` with the batch's
    indices; pair it with :func:`keep_batch` as ``collate_fn``. This avoids
    indexing and re-stacking sample by sample.
    """

    def __getitems__(self, indices):
        idx = np.asarray(indices)
        X = {key: torch.from_numpy(np.asarray(value[idx])) for key, value in self.X.items()}
        y = torch.from_numpy(np.asarray(self.y[idx])) if self.y is not None else None
        return X, y


def keep_batch(batch):
    """``collate_fn`` for :class:`BatchDataset`: the batch is already built."""
    return batch


class RandomCrops:
    """``collate_fn`` for training batches of :class:`BatchDataset`: each
    sequence cut to a random run of its steps ("window slicing", Le Guennec
    et al., 2016).

    Each batch draws one share ``s`` uniformly from ``[smallest, 1]``; a
    sequence of ``L > longer_than`` steps keeps ``ceil(s * L)`` consecutive
    steps from a start drawn uniformly among those that fit, shorter ones stay
    whole. Sequences of one length keep one length (no packing). Draws come
    from torch's global generator, as a shuffling ``DataLoader``'s do, so a
    seeded fit crops alike every time; a batch with nothing to crop draws
    nothing.

    Parameters
    ----------
    smallest : float
        The smallest share of a sequence a crop keeps, in (0, 1].
    longer_than : int, default=0
        Sequences of at most this many steps are never cropped.
    """

    def __init__(self, smallest: float, longer_than: int = 0):
        self.smallest = smallest
        self.longer_than = longer_than

    def __call__(self, batch):
        X, y = batch
        values, lengths = X["values"], X["lengths"]
        if int(lengths.max()) <= self.longer_than:
            return batch
        share = self.smallest + (1.0 - self.smallest) * float(torch.rand(()))
        kept = torch.clamp(torch.ceil(lengths * share).long(), min=1)
        kept = torch.where(lengths > self.longer_than, kept, lengths)
        start = (torch.rand(len(lengths)) * (lengths - kept + 1)).long()
        width = int(kept.max())
        steps = torch.arange(width)
        index = (start[:, None] + steps).clamp(max=values.shape[1] - 1)
        cropped = torch.gather(values, 1, index[:, :, None].expand(-1, -1, values.shape[2]))
        cropped = cropped * (steps < kept[:, None])[:, :, None].to(cropped.dtype)
        return {**X, "values": cropped, "lengths": kept}, y


BUCKET_BATCHES = 50  # batches per bucket of LengthBuckets


def padded_step_budget(lengths: np.ndarray, batch_size: int) -> int:
    """Padded steps (rows x steps) a training batch may hold: ``batch_size``
    sequences of twice the length that 90% of the sequences do not exceed.

    Input of one length never reaches it, so ``batch_size`` keeps its meaning
    there; a batch that would exceed it is split (:func:`within_budget`).
    """
    return batch_size * 2 * max(1, int(np.quantile(lengths, 0.9)))


def within_budget(batch, lengths: np.ndarray, budget: int):
    """Split a batch (sample indices) into batches of at most ``budget`` padded
    steps each, as fairseq's ``max_tokens`` does; a batch within it stays whole
    and in order. A sequence longer than the budget makes a batch of its own, so
    memory follows the longest sequence, not the longest times the batch size."""
    batch = np.asarray(batch)
    own = lengths[batch]
    if len(batch) * int(own.max()) <= budget:
        return [batch.tolist()]
    order = batch[np.argsort(-own, kind="stable")]  # longest first
    out, start = [], 0
    while start < len(order):
        rows = max(1, budget // int(lengths[order[start]]))  # the first is the longest
        out.append(order[start : start + rows].tolist())
        start += rows
    return out


class BudgetBatches:
    """A ``batch_sampler``: the batches of ``batches`` (an iterable of index
    lists), each split to at most ``budget`` padded steps (:func:`within_budget`).

    Over a shuffling ``BatchSampler`` it draws exactly what a shuffling
    ``DataLoader`` draws, so a batch within the budget is the one the
    ``DataLoader`` would have made.
    """

    def __init__(self, batches, lengths: np.ndarray, budget: int):
        self.batches, self.lengths, self.budget = batches, np.asarray(lengths), budget

    def __len__(self) -> int:  # before splits, which the draws decide
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            yield from within_budget(batch, self.lengths, self.budget)


def _lengths_of(dataset) -> np.ndarray:
    """The sequence lengths of a :class:`BatchDataset` or a ``Subset`` of one."""
    if isinstance(dataset, Subset):
        return np.asarray(dataset.dataset.X["lengths"])[np.asarray(dataset.indices)]
    return np.asarray(dataset.X["lengths"])


def shuffled_loader(dataset, batch_size: int, shuffle: bool = True, **kwargs):
    """A skorch ``iterator_train``: shuffled batches of ``batch_size`` samples, as
    a shuffling ``DataLoader`` makes them, split where they would pad more than
    :func:`padded_step_budget` (``shuffle`` is ignored: always shuffled)."""
    lengths = _lengths_of(dataset)
    batches = BatchSampler(RandomSampler(dataset), batch_size, drop_last=False)
    sampler = BudgetBatches(batches, lengths, padded_step_budget(lengths, batch_size))
    return DataLoader(dataset, batch_sampler=sampler, **kwargs)


class LengthBuckets:
    """Training batches of sequences of similar lengths (a ``batch_sampler``).

    Each epoch shuffles the samples, cuts the shuffled order into buckets of
    ``BUCKET_BATCHES`` batches, sorts each bucket by length, cuts it into
    batches and shuffles the batches. A batch then pads little, and a
    recurrent layer runs about as many steps as the batch's own longest
    sequence needs rather than a long one drawn at random into it
    (torchtext's ``BucketIterator``, ``group_by_length`` in Hugging Face's
    trainer). Draws come from torch's global generator, as a shuffling
    ``DataLoader``'s do.

    Parameters
    ----------
    lengths : ndarray of shape (n_samples,)
        Length of each sample.
    batch_size : int
        Samples per batch.
    """

    def __init__(self, lengths: np.ndarray, batch_size: int):
        self.lengths, self.batch_size = np.asarray(lengths), batch_size

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        size = self.batch_size
        order = torch.randperm(len(self.lengths)).numpy()
        batches = []
        for start in range(0, len(order), size * BUCKET_BATCHES):
            bucket = order[start : start + size * BUCKET_BATCHES]
            bucket = bucket[np.argsort(self.lengths[bucket], kind="stable")]
            batches += [bucket[i : i + size] for i in range(0, len(bucket), size)]
        return (batches[i].tolist() for i in torch.randperm(len(batches)).tolist())

    @classmethod
    def loader(cls, dataset, batch_size: int, shuffle: bool = True, **kwargs):
        """A skorch ``iterator_train``: a ``DataLoader`` over these batches.

        ``dataset`` is a :class:`BatchDataset` or a ``Subset`` of one;
        ``shuffle`` is ignored (the batches are always drawn at random).
        """
        lengths = _lengths_of(dataset)
        budget = padded_step_budget(lengths, batch_size)
        sampler = BudgetBatches(cls(lengths, batch_size), lengths, budget)
        return DataLoader(dataset, batch_sampler=sampler, **kwargs)

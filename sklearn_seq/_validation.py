"""User input -> validated data: sequences, targets and argument checks (no torch).

This is the one place that knows the package's sequence conventions, and the
one finiteness check of user input (:func:`check_finite`):

* a 2-D float array ``(n_samples, n_timesteps)``: univariate sequences of one
  length (the view scikit-learn's own checks use);
* a 3-D float array ``(n_samples, n_timesteps, n_channels)``: multivariate
  sequences of one length, channels last;
* a list (or 1-D object array) of arrays shaped ``(length_i,)`` or
  ``(length_i, n_channels)``: variable-length sequences (nested Python lists
  that form a rectangle are read as an array, as scikit-learn reads them);
* pandas DataFrames (read as 2-D arrays, or one column of arrays as a
  Series of them), and pandas Series whose elements
  are arrays (one sequence per row, read as a list of sequences);
* documents as word ids (``Word2VecTransformer(output="ids")``, a
  :class:`~sklearn_seq._word_ids.WordIds`): integer sequences, one channel.

Everything is validated here, with errors that name the offending sample.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import as_strided
from scipy import sparse
from sklearn.utils import check_random_state

from ._sequences import IdRows, RaggedRows, Sequences, WindowRows
from ._word_ids import WordIds, WordVectors

__all__ = [
    "as_array",
    "as_float",
    "check_count",
    "check_finite",
    "check_finite_steps",
    "check_n_targets",
    "check_sequences",
    "check_target",
    "derive_seed",
    "from_word_ids",
    "require_y",
]


def as_array(values, name: str) -> np.ndarray:
    """``np.asarray(values)``, with a ValueError naming the first item whose shape
    differs where a nested list is ragged (numpy's "inhomogeneous shape")."""
    try:
        return np.asarray(values)
    except ValueError:
        if not isinstance(values, (list, tuple)):
            raise
        shapes = [_shape(item) for item in values]
        i = next((i for i, shape in enumerate(shapes) if shape != shapes[0]), None)
        if i is None:
            raise
        raise ValueError(
            f"{name} is a nested list of uneven rows: {name}[0] is {shapes[0]}, "
            f"{name}[{i}] {shapes[i]}. A nested list of numbers is "
            "read as one series, one row per time step, (T,) or (T, n_channels); "
            "for several series of different lengths give a list of arrays, "
            "[np.asarray(s) for s in series]."
        ) from None


def _shape(item) -> str:
    try:
        return f"shaped {np.shape(item)}"
    except ValueError:
        return "uneven itself"


def check_count(value, name: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise a ValueError naming it."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def derive_seed(random_state) -> int:
    """One integer seed from ``random_state`` (an int, a ``RandomState`` or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


FLOAT32_MAX = float(np.finfo(np.float32).max)


def _is_missing(value) -> bool:
    """None, or pandas' ``NA`` / ``NaT`` (recognised without importing pandas)."""
    return value is None or type(value).__name__ in ("NAType", "NaTType")


def as_float(values, name: str, where: str = "") -> np.ndarray:
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


def nonfinite(values: np.ndarray, lead: int = 1) -> np.ndarray:
    """Which positions along the first ``lead`` axes hold NaN or infinity
    (boolean, shaped like those axes): the one test of finiteness of user data."""
    values = np.asarray(values)
    return ~np.isfinite(values.reshape(*values.shape[:lead], -1)).all(axis=-1)


def check_finite_steps(values: np.ndarray, name: str, axes=("step",)) -> None:
    """Raise a ValueError naming the first step (of ``axes``, the leading axes of
    ``values``: ``("seed", "step")``, say) that holds NaN or infinity."""
    bad = nonfinite(values, len(axes))
    if bad.any():
        first = np.argwhere(bad)[0]
        place = " of ".join(
            f"{axis} {i}" for axis, i in reversed(list(zip(axes, first, strict=True)))
        )
        raise ValueError(
            f"{name} contains NaN or infinity at {place} ({int(bad.sum())} step(s) in "
            "all); clean or impute it first."
        )


def check_finite(arr: np.ndarray, name: str, samples: bool = True, windows=None) -> None:
    """Raise a ValueError for NaN, infinity or a value beyond float32's range (the
    network would turn it into infinity), naming the first such sample.

    ``windows``: ``(n_windows, length, step)`` when ``arr`` is the series under
    sliding windows (:class:`WindowRows`); its samples are then the windows.
    """
    if np.abs(arr).max(initial=0.0) <= FLOAT32_MAX:  # NaN fails this comparison too
        return
    rows = arr.reshape(len(arr) if samples else 1, -1)
    for problem, bad in (
        ("contains NaN or infinity", nonfinite(rows)),
        (f"holds values beyond float32's range (|value| > {FLOAT32_MAX:.3g})", None),
    ):
        bad = (np.abs(rows) > FLOAT32_MAX).any(axis=1) if bad is None else bad
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
        arr = as_float(item, name, f"[{i}]")
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
        check_finite(arr, f"{name}[{i}]", samples=False)
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
        from .datasets.long_format import long_format_hint  # (datasets reads this module)

        hint = long_format_hint(X.columns)  # judged by the column names only
        if hint is not None:
            raise ValueError(hint)
        X = X.to_numpy()
        if X.dtype == object and X.shape[1:] == (1,) and len(X) and np.ndim(X[0, 0]):
            X = X[:, 0]  # one column of arrays (a ColumnTransformer's ["col"])
    elif hasattr(X, "to_numpy") and getattr(X.dtype, "kind", "") == "O":
        X = X.to_numpy()  # a pandas Series of arrays: one sequence per row
    if _is_sequence_list(X):
        # documents' word vectors are read word by word
        return _from_list(X, name, "words" if isinstance(X, WordVectors) else "list")
    layout = None if vectors else _window_layout(X)
    if layout is not None:
        return _from_windows(X, *layout, name)
    arr = as_float(X, name)
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
    check_finite(arr, name)
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
    series = as_float(series, name)
    series = series if series.ndim == 2 else series[:, None]
    if series.shape[1] == 0:
        raise ValueError(f"{name} has 0 channels (shape={X.shape}).")
    check_finite(series, name, windows=(n, length, step))
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
    y = as_float(y, "y")
    if y.ndim == 0:
        raise ValueError("y must be an array with one row per sequence, got a scalar.")
    check_n_targets(y.shape[0], n_samples)
    if y.size == 0:
        raise ValueError(f"y is empty (shape {y.shape}).")
    check_finite(y, "y")
    return y

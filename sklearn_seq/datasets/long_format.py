"""Long-format tables (one row per sequence and time step) to lists of sequences."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

import numpy as np

from .._validation import nonfinite

# Column names, lower-cased and split into words, that read as a sequence id or a time
# step. Whole words only, and a name ending in a number ("step_3", "t17") is a column of
# a wide table, not a time column, so wide tables are not mistaken for long ones.
_ID_WORDS = {"id", "ids", "uid", "key"}
_ID_NAMES = {"series", "sequence", "sample", "case", "instance", "entity", "unit", "item"}
_TIME_WORDS = {"time", "times", "timestamp", "date", "datetime", "timestep", "step"}
_TIME_NAMES = {"t", "ds", "tick", "frame", "period"}


def _words(name: Hashable) -> list[str]:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))  # seriesId -> series Id
    return [word for word in re.split(r"[^0-9a-zA-Z]+", text.lower()) if word]


def _is_id_like(name: Hashable) -> bool:
    words = _words(name)
    return bool(words) and (words[-1] in _ID_WORDS or "".join(words) in _ID_NAMES)


def _is_time_like(name: Hashable) -> bool:
    words = _words(name)
    if not words or words[-1].isdigit():
        return False
    return bool(_TIME_WORDS.intersection(words)) or "".join(words) in _TIME_NAMES


def long_format_hint(X) -> str | None:
    """Say how to convert a table that looks long-format, or return None.

    A long-format table has one row per sequence and time step, which the
    estimators would misread as one short sequence per row. This function is
    for error and warning messages: it returns a sentence pointing to
    :func:`from_long_format` when ``X`` looks long-format, and ``None``
    otherwise.

    Parameters
    ----------
    X : DataFrame or iterable of column names
        A table looks long-format when it has an id-like column (``id``,
        ``series_id``, ``unique_id``, ...) and a time-like one (``time``,
        ``timestamp``, ``date``, ``step``, ``t``, ...). Given a DataFrame, the
        data are looked at too: a table of at most 4 columns whose first column
        repeats (at most half as many distinct values as rows, at least 8 rows)
        looks long-format whatever its column names.

    Returns
    -------
    hint : str or None
        A sentence naming the columns and the call that converts the table, or
        ``None`` when the table does not look long-format.

    See Also
    --------
    from_long_format : The conversion the hint points to.

    Examples
    --------
    >>> from sklearn_seq.datasets import long_format_hint
    >>> hint = long_format_hint(["series_id", "time", "value"])
    >>> "from_long_format(X, id_col='series_id', time_col='time')" in hint
    True
    >>> long_format_hint([f"t{i}" for i in range(24)]) is None  # a wide table
    True
    """
    columns = list(X.columns) if hasattr(X, "columns") else list(X)
    id_cols = [c for c in columns if _is_id_like(c)]
    time_cols = [c for c in columns if _is_time_like(c) and c not in id_cols]
    if id_cols and time_cols:
        id_col, time_col = id_cols[0], time_cols[0]
        reason = f"id column {id_col!r}, time column {time_col!r}"
    elif (n_ids := _repeated_first_column(X)) is not None:
        id_col = columns[0]
        time_col = time_cols[0] if time_cols else "<time column>"
        reason = (
            f"{len(columns)} columns, {len(X)} rows, and its first column {id_col!r} "
            f"takes only {n_ids} values"
        )
    else:
        return None
    return (
        "X looks like a long-format table, one row per sequence and time step "
        f"({reason}). Convert it to a list of sequences first: sequences, ids = "
        "sklearn_seq.datasets.from_long_format("
        f"X, id_col={id_col!r}, time_col={time_col!r})"
    )


def _repeated_first_column(X) -> int | None:
    """The number of distinct values in X's first column when few columns repeat it."""
    if not hasattr(X, "iloc"):
        return None
    n_rows, n_columns = X.shape
    if not 2 <= n_columns <= 4 or n_rows < 8:
        return None
    n_ids = X.iloc[:, 0].nunique()
    return n_ids if n_ids <= n_rows // 2 else None


def from_long_format(
    df,
    *,
    id_col: Hashable,
    time_col: Hashable,
    value_cols: Hashable | Iterable[Hashable] | None = None,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Turn a long-format DataFrame into a list of sequences, one per id.

    A long-format table (tidy data; the layout of tsfresh, Nixtla's
    ``unique_id``/``ds`` frames and most databases) has one row per sequence
    and time step. The estimators take one entry per sequence instead: this
    function groups the rows by ``id_col``, sorts each group by ``time_col``
    and returns the values as a list of arrays, the package's variable-length
    layout.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (id, time step). Sequences may have different lengths.
    id_col : hashable
        The column naming the sequence each row belongs to.
    time_col : hashable
        The column ordering the rows within a sequence: numbers, dates or
        anything else pandas can sort, all of one type. Only the order is used;
        gaps and uneven spacing are not filled in. Strings sort as text, so a
        column of strings that all read as numbers ("8", "9", "10") is refused:
        convert it first with ``pd.to_numeric`` (or ``pd.to_datetime``).
    value_cols : hashable or list of hashable, default=None
        The value column(s). ``None`` takes every column except ``id_col`` and
        ``time_col``, in the frame's order. Values must be numbers (bool
        counts as 0/1), with no NaN or infinity.

    Returns
    -------
    sequences : list of ndarray
        One float64 array per id: ``(length_i,)`` for one value column,
        ``(length_i, n_value_cols)`` for several, rows in time order.
    ids : ndarray
        The id of each sequence, ``ids[i]`` for ``sequences[i]``, in order of
        first appearance in ``df``. Use it to line up the targets, for example
        ``y = labels.loc[ids]`` for a Series of labels indexed by id.

    Raises
    ------
    ImportError
        If pandas is not installed.
    ValueError
        If a named column is missing, an id or time is missing, the times mix
        types or are strings of numbers, an (id, time) pair appears twice, or a
        value is not a finite number.

    See Also
    --------
    long_format_hint : Detects tables that look long-format, for error messages.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_seq.datasets import from_long_format
    >>> df = pd.DataFrame({
    ...     "sensor": ["b", "a", "b", "a", "b"],
    ...     "time": [2, 1, 1, 2, 3],
    ...     "temp": [20.5, 18.0, 20.0, 18.5, 21.0],
    ... })
    >>> sequences, ids = from_long_format(df, id_col="sensor", time_col="time")
    >>> ids
    array(['b', 'a'], dtype=object)
    >>> sequences
    [array([20. , 20.5, 21. ]), array([18. , 18.5])]
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is in the test extra
        raise ImportError(
            "from_long_format needs pandas: pip install pandas (or the [test] extra)"
        ) from exc
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if id_col == time_col:
        raise ValueError(f"id_col and time_col are the same column {id_col!r}")
    if value_cols is None:
        value_cols = [c for c in df.columns if c not in (id_col, time_col)]
    elif isinstance(value_cols, str) or not isinstance(value_cols, Iterable):
        value_cols = [value_cols]
    else:
        value_cols = list(value_cols)
    missing = [c for c in (id_col, time_col, *value_cols) if c not in df.columns]
    if missing:
        raise ValueError(
            f"column(s) {missing} not in the DataFrame; its columns are {list(df.columns)}"
        )
    if not value_cols:
        raise ValueError(
            f"no value columns: the DataFrame has only {id_col!r} and {time_col!r}"
        )
    if {id_col, time_col} & set(value_cols):
        raise ValueError("value_cols must not include id_col or time_col")
    if len(df) == 0:
        raise ValueError("the DataFrame has no rows")

    for col in (id_col, time_col):
        missing_rows = np.flatnonzero(df[col].isna().to_numpy())
        if missing_rows.size:
            raise ValueError(
                f"column {col!r} is missing in {missing_rows.size} row(s), first at "
                f"row {_plain(df.index[missing_rows[0]])!r}"
            )
    _check_time_order(df[time_col], time_col)
    duplicated = df.duplicated([id_col, time_col], keep="first").to_numpy()
    if duplicated.any():
        first = np.flatnonzero(duplicated)[0]
        pair = (_plain(df[id_col].iloc[first]), _plain(df[time_col].iloc[first]))
        raise ValueError(
            f"{duplicated.sum()} duplicate ({id_col!r}, {time_col!r}) pair(s), first "
            f"{pair!r} at row {_plain(df.index[first])!r}: a sequence has one row per "
            "time step"
        )

    values = _numeric_values(df, value_cols, id_col, time_col)
    codes, ids = pd.factorize(df[id_col], sort=False)  # order of first appearance
    times = pd.factorize(df[time_col], sort=True)[0]  # ranks, for any sortable dtype
    order = np.lexsort((times, codes))
    values = values[order] if len(value_cols) > 1 else values[order, 0]
    bounds = np.cumsum(np.bincount(codes, minlength=len(ids)))[:-1]
    return np.split(values, bounds), np.asarray(ids)


def _check_time_order(times, time_col) -> None:
    """Refuse times that pandas would sort in an order nobody meant: values of
    several types (1, "2", 3.0 sort as 1, 3.0, "2") and strings of numbers
    ("10" before "8")."""
    import pandas as pd

    if times.dtype != object and not isinstance(times.dtype, pd.StringDtype):
        return  # numbers, dates, periods, categories: one type, sorted by value
    kind = pd.api.types.infer_dtype(times, skipna=True)
    if kind in ("mixed", "mixed-integer"):
        types = sorted({type(value).__name__ for value in times.unique()})
        raise ValueError(
            f"time column {time_col!r} mixes values of types {', '.join(types)}, "
            "which have no order between them. Convert it to one type first, e.g. "
            f"df[{time_col!r}] = pd.to_numeric(df[{time_col!r}]) or pd.to_datetime(...)"
        )
    if kind == "string" and pd.to_numeric(times, errors="coerce").notna().all():
        raise ValueError(
            f"time column {time_col!r} holds strings that all read as numbers "
            f"(first {_plain(times.iloc[0])!r}); they would sort as text, '10' before "
            f"'8'. Convert it first: df[{time_col!r}] = pd.to_numeric(df[{time_col!r}]) "
            "(or pd.to_datetime for dates written as numbers)"
        )


def _numeric_values(df, value_cols, id_col, time_col) -> np.ndarray:
    import pandas as pd

    for col in value_cols:
        dtype = df[col].dtype
        if not pd.api.types.is_numeric_dtype(dtype):
            raise ValueError(
                f"value column {col!r} holds {dtype} values, not numbers; pass the "
                "numeric columns as value_cols or convert this one first"
            )
    values = df[value_cols].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = nonfinite(values, 2)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{bad.sum()} NaN or infinite value(s); the first in column "
            f"{value_cols[col]!r} at {id_col}={_plain(df[id_col].iloc[row])!r}, "
            f"{time_col}={_plain(df[time_col].iloc[row])!r}"
        )
    return values


def _plain(value):
    """A numpy scalar as the Python value it holds, for readable messages."""
    return value.item() if isinstance(value, np.generic) else value

"""Dates for forecasts: the periods that follow a dated seed series."""

from __future__ import annotations

import numpy as np

__all__ = ["following_dates", "pd_frame", "pd_series"]


def following_dates(seed, steps: int):
    """The ``steps`` dates after a pandas Series seed's date index; None if undated.

    A ``PeriodIndex`` carries its frequency; a ``DatetimeIndex`` gives its
    ``freq`` or one pandas can infer from the dates, else a ValueError. The
    dates must increase strictly (a ValueError says to sort or deduplicate
    them), and periods by exactly one period each step.
    """
    import sys

    pd = sys.modules.get("pandas")  # a pandas object means pandas is imported
    if pd is None or not isinstance(seed, pd.Series) or len(seed) == 0:
        return None
    index = seed.index
    if not isinstance(index, pd.PeriodIndex | pd.DatetimeIndex):
        return None
    _check_increasing(index)
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(start=index[-1] + 1, periods=steps, freq=index.freq)
    freq = index.freq
    if freq is None and len(index) >= 3:
        try:
            freq = pd.DatetimeIndex(index, freq="infer").freq
        except ValueError:  # dates out of order
            freq = None
    if freq is None:
        raise ValueError(
            "the seed's DatetimeIndex has no frequency and pandas cannot infer one from "
            "its dates; set one (series.asfreq('MS'), say) or pass the values as an array."
        )
    return pd.date_range(start=index[-1], periods=steps + 1, freq=freq)[1:]


def _check_increasing(index):
    """Refuse a date index that is missing a date, repeats one or runs backwards,
    and a period index that skips a period."""
    kind = type(index).__name__
    if index.hasnans:
        raise ValueError(
            f"the seed's {kind} holds a missing date (NaT) at position "
            f"{int(np.flatnonzero(index.isna())[0])}; drop or fill it before forecasting."
        )
    freq = index.freq
    if freq is not None and freq.n < 0:
        raise ValueError(
            f"the seed's {kind} runs backwards (frequency {freq.freqstr}): the newest date "
            "must come last. Sort the series first: series.sort_index()."
        )
    stamps = index.asi8
    steps = np.diff(stamps)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        i = int(bad[0])
        first, then = index[i], index[i + 1]
        if steps[i] == 0:
            raise ValueError(
                f"the seed's {kind} repeats {first} (positions {i} and {i + 1}): give "
                "one value per date, e.g. series.groupby(level=0).mean()."
            )
        raise ValueError(
            f"the seed's {kind} is not in increasing order ({first} at position {i}, "
            f"then {then}): the newest date must come last. Sort the series first: "
            "series.sort_index()."
        )
    if kind == "PeriodIndex" and len(index) > 1:
        step = (index[0] + 1).ordinal - index[0].ordinal
        gaps = np.flatnonzero(steps != step)
        if gaps.size:
            i = int(gaps[0])
            raise ValueError(
                f"the seed's PeriodIndex skips from {index[i]} to {index[i + 1]} "
                f"(positions {i} and {i + 1}): each period must follow the one before. "
                "Reindex onto pd.period_range(start, end, freq=...) and fill the gaps."
            )


def pd_series(values, index, name):
    """A forecast as a pandas Series over ``index``."""
    import pandas as pd

    return pd.Series(values, index=index, name=name)


def pd_frame(columns: dict, index):
    """Interval bounds as a pandas DataFrame over ``index``."""
    import pandas as pd

    return pd.DataFrame(columns, index=index)

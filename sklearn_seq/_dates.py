"""Dates for forecasts: the periods that follow a dated seed series."""

from __future__ import annotations

__all__ = ["following_dates", "pd_frame", "pd_series"]


def following_dates(seed, steps: int):
    """The ``steps`` dates after a pandas Series seed's date index; None if undated.

    A ``PeriodIndex`` carries its frequency; a ``DatetimeIndex`` gives its
    ``freq`` or one pandas can infer from the dates, else a ValueError.
    """
    import sys

    pd = sys.modules.get("pandas")  # a pandas object means pandas is imported
    if pd is None or not isinstance(seed, pd.Series):
        return None
    index = seed.index
    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(start=index[-1] + 1, periods=steps, freq=index.freq)
    if not isinstance(index, pd.DatetimeIndex):
        return None
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


def pd_series(values, index, name):
    """A forecast as a pandas Series over ``index``."""
    import pandas as pd

    return pd.Series(values, index=index, name=name)


def pd_frame(columns: dict, index):
    """Interval bounds as a pandas DataFrame over ``index``."""
    import pandas as pd

    return pd.DataFrame(columns, index=index)

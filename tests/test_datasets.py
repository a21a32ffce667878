import numpy as np
import pytest

from sklearn_seq.datasets import (
    from_long_format,
    load_gunpoint,
    load_italy_power_demand,
    long_format_hint,
)


@pytest.mark.parametrize(
    "loader, shapes",
    [
        (load_gunpoint, ((50, 150), (150, 150))),
        (load_italy_power_demand, ((67, 24), (1029, 24))),
    ],
)
def test_archive_split_shapes_and_labels(loader, shapes):
    data = loader()
    assert (data.X_train.shape, data.X_test.shape) == shapes
    assert len(data.y_train) == shapes[0][0] and len(data.y_test) == shapes[1][0]
    assert set(np.unique(data.y_train)) == {1, 2} == set(np.unique(data.y_test))
    assert np.isfinite(data.X_train).all() and np.isfinite(data.X_test).all()
    assert "UCR" in data.DESCR
    # the archive z-normalises every series
    np.testing.assert_allclose(data.X_train.mean(axis=1), 0, atol=1e-3)


def test_return_X_y_matches_bunch():
    X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
    data = load_gunpoint()
    np.testing.assert_array_equal(X_train, data.X_train)
    np.testing.assert_array_equal(y_test, data.y_test)


def test_aeon_layout_converts_with_one_transpose():
    X_train = load_gunpoint().X_train
    X_aeon = X_train[:, None, :]  # aeon/sktime hold (n, channels, T)
    X = np.transpose(X_aeon, (0, 2, 1))  # the documented one-line conversion
    assert X.shape == (50, 150, 1)
    np.testing.assert_array_equal(X[:, :, 0], X_train)


def _long_frame(X, rng, columns=("value",)):
    """A shuffled long-format table of X (n, T) or (n, T, k): one row per step."""
    pd = pytest.importorskip("pandas")
    n, T = X.shape[:2]
    values = X.reshape(n * T, -1)
    frame = pd.DataFrame(values, columns=list(columns))
    frame.insert(0, "series_id", np.repeat([f"s{i:03d}" for i in range(n)], T))
    frame.insert(1, "hour", np.tile(np.arange(T), n))
    return frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)


def test_from_long_format_round_trips_italy_power_demand():
    X = load_italy_power_demand().X_train
    frame = _long_frame(X, np.random.default_rng(0), columns=("demand",))
    sequences, ids = from_long_format(frame, id_col="series_id", time_col="hour")
    # ids in order of first appearance in the shuffled frame
    first_rows = frame.drop_duplicates("series_id")["series_id"].to_numpy()
    np.testing.assert_array_equal(ids, first_rows)
    rows = [int(i[1:]) for i in ids]
    assert all(s.shape == (24,) and s.dtype == np.float64 for s in sequences)
    np.testing.assert_array_equal(np.stack(sequences), X[rows])


def test_from_long_format_several_channels_and_lengths():
    X = load_gunpoint().X_train
    X2 = np.stack([X, np.gradient(X, axis=1)], axis=-1)  # position and velocity
    frame = _long_frame(X2, np.random.default_rng(1), columns=("x", "dx"))
    frame = frame[frame["hour"] < 100 + frame["series_id"].str[1:].astype(int)]
    sequences, ids = from_long_format(frame, id_col="series_id", time_col="hour")
    for seq, name in zip(sequences, ids, strict=True):
        i = int(name[1:])
        np.testing.assert_array_equal(seq, X2[i, : min(100 + i, 150)])
    # value_cols picks and orders the channels; one column gives 1-D arrays
    only_dx, _ = from_long_format(
        frame, id_col="series_id", time_col="hour", value_cols=["dx"]
    )
    assert only_dx[0].ndim == 1
    swapped, _ = from_long_format(
        frame, id_col="series_id", time_col="hour", value_cols=["dx", "x"]
    )
    np.testing.assert_array_equal(swapped[0], sequences[0][:, ::-1])


def test_from_long_format_sorts_by_timestamps():
    pd = pytest.importorskip("pandas")
    X = load_italy_power_demand().X_test[:3]
    frame = _long_frame(X, np.random.default_rng(2))
    frame["hour"] = pd.Timestamp("2024-03-30") + pd.to_timedelta(frame["hour"], "h")
    sequences, ids = from_long_format(frame, id_col="series_id", time_col="hour")
    np.testing.assert_array_equal(np.stack(sequences), X[[int(i[1:]) for i in ids]])


@pytest.fixture
def small_long():
    X = load_italy_power_demand().X_train[:4]
    return _long_frame(X, np.random.default_rng(3), columns=("demand",))


@pytest.mark.parametrize(
    "change, kwargs, match",
    [
        (None, {"id_col": "day"}, r"\['day'\] not in the DataFrame; its columns are"),
        (None, {"value_cols": ["demand", "load"]}, r"\['load'\] not in"),
        (None, {"time_col": "series_id"}, "the same column"),
        (None, {"value_cols": ["hour"]}, "must not include"),
        ("duplicate", {}, r"1 duplicate \('series_id', 'hour'\) pair\(s\), first"),
        (
            "nan",
            {},
            r"1 NaN or infinite value\(s\); the first in column 'demand' at "
            r"series_id='s002', hour=5",
        ),
        ("inf", {}, "NaN or infinite"),
        ("text", {}, "value column 'demand' holds (object|str) values, not numbers"),
        ("no_time", {}, r"column 'hour' is missing in 1 row\(s\)"),
        ("mixed_time", {}, "time column 'hour' mixes values of types int, str"),
        ("text_time", {}, r"'hour' holds strings that all read as numbers.*pd.to_numeric"),
        ("empty", {}, "no rows"),
    ],
)
def test_from_long_format_errors(small_long, change, kwargs, match):
    frame = small_long.copy()
    where = (frame["series_id"] == "s002") & (frame["hour"] == 5)
    if change == "duplicate":
        frame = pytest.importorskip("pandas").concat([frame, frame[where]])
    elif change == "nan":
        frame.loc[where, "demand"] = np.nan
    elif change == "inf":
        frame.loc[where, "demand"] = np.inf
    elif change == "text":
        frame["demand"] = frame["demand"].astype(str)
    elif change == "mixed_time":  # 1, "2", 3.0 sorted as 1, 3.0, "2"
        frame["hour"] = frame["hour"].astype(object).where(~where, "5")
    elif change == "text_time":  # "10" sorted before "8"
        frame["hour"] = frame["hour"].astype(str)
    elif change == "no_time":
        frame["hour"] = frame["hour"].where(~where)
    elif change == "empty":
        frame = frame.iloc[:0]
    kwargs = {"id_col": "series_id", "time_col": "hour", **kwargs}
    with pytest.raises(ValueError, match=match):
        from_long_format(frame, **kwargs)


def test_from_long_format_orders_numbers_of_mixed_types_by_value():
    pd = pytest.importorskip("pandas")
    times = pd.Series([10, 2.5, 8, 1.0], dtype=object)  # ints and floats: all numbers
    frame = pd.DataFrame({"id": 0, "t": times, "v": [4.0, 2.0, 3.0, 1.0]})
    sequences, _ = from_long_format(frame, id_col="id", time_col="t")
    np.testing.assert_array_equal(sequences[0], [1, 2, 3, 4])


def test_from_long_format_wants_a_dataframe():
    with pytest.raises(TypeError, match="must be a pandas DataFrame, got ndarray"):
        from_long_format(np.zeros((4, 3)), id_col=0, time_col=1)


@pytest.mark.parametrize(
    "columns, id_col, time_col",
    [
        (["series_id", "hour", "demand"], None, None),  # hour alone is not time-like
        (["series_id", "time", "demand"], "series_id", "time"),
        (["unique_id", "ds", "y"], "unique_id", "ds"),  # Nixtla's layout
        (["id", "t", "x", "y"], "id", "t"),
        (["patientId", "timestamp", "hr"], "patientId", "timestamp"),
        (["sensor", "Date", "temp"], None, None),  # no id-like name
        ([f"t{i}" for i in range(24)], None, None),  # wide: a column per step
        (list(range(150)), None, None),
        (["id", *[f"step_{i}" for i in range(10)]], None, None),  # wide, with ids
        (["valid", "time_of_day"], None, None),  # "valid" ends in "id" but is no id
    ],
)
def test_long_format_hint_from_column_names(columns, id_col, time_col):
    hint = long_format_hint(columns)
    if id_col is None:
        assert hint is None
    else:
        assert f"from_long_format(X, id_col={id_col!r}, time_col={time_col!r})" in hint


def test_long_format_hint_from_a_frame_with_a_repeated_first_column():
    pd = pytest.importorskip("pandas")
    X = load_italy_power_demand().X_train
    long = _long_frame(X, np.random.default_rng(4)).rename(
        columns={"series_id": "day", "hour": "h"}
    )
    assert long_format_hint(long.columns) is None  # the names alone say nothing
    hint = long_format_hint(long)
    assert "first column 'day' takes only 67 values" in hint
    assert "from_long_format(X, id_col='day', time_col='<time column>')" in hint
    # the UCR tables themselves are wide: many columns, nothing repeats
    assert long_format_hint(pd.DataFrame(X)) is None
    assert long_format_hint(pd.DataFrame(X[:, :3])) is None

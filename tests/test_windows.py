import numpy as np
import pytest

from sklearn_seq import make_windows


def test_univariate_one_step():
    series = np.arange(10.0)
    X, y = make_windows(series, lookback=4)
    assert X.shape == (6, 4) and y.shape == (6,)
    np.testing.assert_array_equal(X[2], [2, 3, 4, 5])
    assert y[2] == 6


def test_univariate_multi_step():
    X, y = make_windows(np.arange(10.0), lookback=4, horizon=3)
    assert X.shape == (4, 4) and y.shape == (4, 3)
    np.testing.assert_array_equal(y[0], [4, 5, 6])
    np.testing.assert_array_equal(y[-1], [7, 8, 9])


def test_multichannel_is_channels_last():
    series = np.stack([np.arange(8.0), -np.arange(8.0)], axis=1)
    X, y = make_windows(series, lookback=3)
    assert X.shape == (5, 3, 2) and y.shape == (5, 2)
    np.testing.assert_array_equal(X[1], series[1:4])
    np.testing.assert_array_equal(y[1], series[4])
    X, y = make_windows(series, lookback=3, horizon=2)
    assert y.shape == (4, 2, 2)
    np.testing.assert_array_equal(y[0], series[3:5])


@pytest.mark.parametrize("shape", [(50,), (50, 3)])
def test_windows_are_zero_copy_views(shape):
    series = np.random.default_rng(0).normal(size=shape)
    X, y = make_windows(series, lookback=10, horizon=2)
    assert np.shares_memory(X, series) and np.shares_memory(y, series)
    assert X.base is not None


def test_series_shorter_than_lookback_plus_horizon():
    with pytest.raises(ValueError, match="fewer than lookback \\+ horizon = 6"):
        make_windows(np.arange(5.0), lookback=4, horizon=2)


@pytest.mark.parametrize("kwargs", [{"lookback": 0}, {"lookback": 2, "horizon": 0}])
def test_bad_lookback_or_horizon(kwargs):
    with pytest.raises(ValueError, match="must be an integer >= 1"):
        make_windows(np.arange(10.0), **kwargs)


def test_3d_series_is_refused():
    with pytest.raises(ValueError, match="1-D"):
        make_windows(np.zeros((10, 2, 2)), lookback=3)

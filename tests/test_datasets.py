import numpy as np
import pytest

from sklearn_seq.datasets import load_gunpoint, load_italy_power_demand


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

"""Bounded memory: sliding windows stay views, ragged input is padded per batch.

The lazy paths (:class:`~sklearn_seq._sequences.Rows`) must give the same
model, bit for bit, as the paths that copy and pad everything up front.
"""

import tracemalloc

import numpy as np
import pytest
from gensim.models import KeyedVectors
from numpy.lib.stride_tricks import sliding_window_view
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback

import sklearn_seq._base
from sklearn_seq import RNNForecaster, SequenceClassifier, make_windows
from sklearn_seq._sequences import RaggedRows, Sequences, WindowRows
from sklearn_seq._validation import check_sequences
from sklearn_seq._word_ids import WordIds
from sklearn_seq.datasets import load_italy_power_demand

SMALL = dict(hidden_size=4, max_epochs=2, random_state=0)


def _dense(check):
    """``check_sequences`` as it was: every sequence padded to the longest, up front."""

    def padded(X, **kwargs):
        seqs = check(X, **kwargs)
        values = seqs.values if isinstance(seqs.values, np.ndarray) else seqs.values[:]
        return Sequences(values, seqs.lengths, seqs.kind, seqs.words)

    return padded


@pytest.fixture
def small_chunks(monkeypatch):
    """Statistics read a few windows at a time, as they do on long series."""
    monkeypatch.setattr("sklearn_seq._sequences.CHUNK", 200)


@pytest.mark.parametrize("scaling", ["mean", "global"])
def test_window_view_fits_as_the_copy_does(scaling, small_chunks):
    series = np.sin(0.1 * np.arange(250)) + 0.01 * np.arange(250)
    X, y = make_windows(series, lookback=20)
    assert isinstance(check_sequences(X).values, WindowRows)
    assert isinstance(check_sequences(np.ascontiguousarray(X)).values, np.ndarray)
    params = dict(SMALL, scaling=scaling, early_stopping=True)
    view = RNNForecaster(**params).fit(X, y)
    copy = RNNForecaster(**params).fit(np.ascontiguousarray(X), np.ascontiguousarray(y))
    assert_array_equal(view.predict(X), copy.predict(np.ascontiguousarray(X)))
    assert_array_equal(view.predict(X[::7]), copy.predict(np.ascontiguousarray(X[::7])))
    assert_array_equal(view.x_mean_, copy.x_mean_)
    assert_array_equal(view.calibration_errors_, copy.calibration_errors_)
    assert_array_equal(view.forecast(X[-2:], 5), copy.forecast(X[-2:].copy(), 5))


def test_multichannel_windows_of_a_strided_view_match_the_copy():
    rng = np.random.RandomState(0)
    series = np.cumsum(rng.standard_normal((300, 2)), axis=0).astype(np.float32)
    X, y = make_windows(series, lookback=12)
    X, y = X[::3], y[::3]  # every third window: still a view of the series
    rows = check_sequences(X).values
    assert isinstance(rows, WindowRows) and rows.step == 3
    assert_array_equal(rows[:], np.ascontiguousarray(X, dtype=np.float32))
    params = dict(SMALL, calibration_fraction=None)
    view = RNNForecaster(**params).fit(X, y)
    copy = RNNForecaster(**params).fit(np.ascontiguousarray(X), y)
    assert_array_equal(view.predict(X), copy.predict(np.ascontiguousarray(X)))


def test_arrays_that_are_not_overlapping_windows_are_copied():
    rng = np.random.RandomState(0)
    for X in (
        rng.standard_normal((30, 10)),
        np.asfortranarray(rng.standard_normal((30, 10))),
        sliding_window_view(np.arange(40.0), 4)[::4],  # windows that do not overlap
    ):
        assert isinstance(check_sequences(X).values, np.ndarray)
    with pytest.raises(ValueError, match="masked array"):
        check_sequences(np.ma.masked_array(sliding_window_view(np.arange(40.0), 4)))


def test_a_bad_value_in_the_series_names_the_window_as_the_copy_does():
    series = np.arange(60.0)
    series[25] = np.nan
    X = sliding_window_view(series, 10)[::2]
    with pytest.raises(ValueError) as copied:
        check_sequences(np.ascontiguousarray(X))
    with pytest.raises(ValueError, match="first in sample 8, 5 sample") as viewed:
        check_sequences(X)
    assert str(viewed.value) == str(copied.value)
    series[25] = 1e39
    with pytest.raises(ValueError, match="beyond float32's range"):
        check_sequences(sliding_window_view(series, 10))


def test_ragged_input_is_not_padded_to_the_longest():
    rng = np.random.RandomState(0)
    X = [rng.standard_normal(5) for _ in range(200)] + [rng.standard_normal(50_000)]
    tracemalloc.start()
    seqs = check_sequences(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    padded = len(X) * 50_000 * 4  # 40 MB of float32
    assert isinstance(seqs.values, RaggedRows)
    assert peak < padded / 20, peak
    assert seqs.values.shape == (201, 50_000, 1)
    assert seqs.values[np.arange(200)].shape == (200, 5, 1)  # padded per batch
    expected = np.float32([X[3].tolist() + [0], X[200][:6]])
    assert_array_equal(seqs.values[[3, 200], :6][:, :, 0], expected)


def test_ragged_classifier_fits_as_the_padded_path_does(monkeypatch, small_chunks):
    X_train, X_test, y_train, _ = load_italy_power_demand(return_X_y=True)
    rng = np.random.RandomState(0)
    ragged = [x[: rng.randint(8, 25)] for x in X_train]
    test = [x[: rng.randint(8, 25)] for x in X_test[:20]]
    params = dict(SMALL, max_epochs=3)
    lazy = SequenceClassifier(**params).fit(ragged, y_train)
    expected = lazy.predict_proba(test)
    monkeypatch.setattr(sklearn_seq._base, "check_sequences", _dense(check_sequences))
    padded = SequenceClassifier(**params).fit(ragged, y_train)
    assert_array_equal(lazy.x_mean_, padded.x_mean_)
    assert_array_equal(expected, padded.predict_proba(test))


def test_ragged_forecaster_fits_as_the_padded_path_does(monkeypatch, small_chunks):
    rng = np.random.RandomState(1)
    X = [np.cumsum(rng.standard_normal(rng.randint(5, 30))) for _ in range(80)]
    y = np.array([x[-1] + 0.5 for x in X])
    params = dict(SMALL, scaling="mean")
    expected = RNNForecaster(**params).fit(X, y).predict(X)
    monkeypatch.setattr(sklearn_seq._base, "check_sequences", _dense(check_sequences))
    assert_array_equal(expected, RNNForecaster(**params).fit(X, y).predict(X))


# --- what a training batch pads ----------------------------------------------------------
PADDED = []  # (rows, steps) of each training batch, from every copy of the callback


class BatchShapes(Callback):
    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            PADDED.append(tuple(batch[0]["values"].shape[:2]))


def test_word_ids_are_padded_a_batch_at_a_time():
    """20,001 documents with one long one: the ids are not padded up front (that
    would take 20,001 x 5,000 int32 ids, 400 MB), and no batch pads the short
    documents to the long one's length."""
    wv = KeyedVectors(4)
    wv.add_vectors(
        [f"w{i}" for i in range(50)], np.random.default_rng(0).normal(size=(50, 4))
    )
    lengths = np.r_[np.full(20_000, 3), 5_000]
    indptr = np.r_[0, np.cumsum(lengths)]
    ids = WordIds(indptr, np.arange(indptr[-1]) % 50, wv)
    tracemalloc.start()
    seqs = check_sequences(ids)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20 and seqs.values.shape == (20_001, 5_000, 1)
    np.testing.assert_array_equal(seqs.values[[20_000], :7][0, :, 0], np.arange(7) % 50 + 1)
    PADDED.clear()
    labels = np.arange(20_001) % 2
    model = SequenceClassifier(
        hidden_size=2, max_epochs=1, batch_size=64, callbacks=[BatchShapes()]
    )
    model.fit(ids, labels)
    assert max(rows * steps for rows, steps in PADDED) <= 5_000
    assert sum(rows for rows, _ in PADDED) == 20_001


@pytest.mark.parametrize("long_one", [True, False])
def test_a_training_batch_pads_within_a_budget_of_steps(long_one):
    """2,000 five-step sequences and one of 9,000: the batch that draws the long
    one does not pad 63 short ones to its length. Input of one length keeps
    batches of batch_size."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=5) for _ in range(2_000)] + (
        [rng.normal(size=9_000)] if long_one else []
    )
    y = np.arange(len(X)) % 2
    PADDED.clear()
    model = SequenceClassifier(
        hidden_size=4,
        max_epochs=1,
        batch_size=64,
        random_crop=None,
        callbacks=[BatchShapes()],
    )
    model.fit(X, y)
    assert sum(rows for rows, _ in PADDED) == len(X)
    if long_one:
        assert max(rows * steps for rows, steps in PADDED) <= 9_000
        assert (1, 9_000) in PADDED
    else:
        assert sorted({rows for rows, _ in PADDED}) == [2_000 % 64, 64]

"""Bad input, table-driven: every case gets a clear error naming the problem, or a
documented result; never a crash inside torch and never a silent NaN."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import NotFittedError

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceGenerator,
    Word2VecTransformer,
    make_windows,
)

TINY = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
rng = np.random.default_rng(0)
X2 = rng.normal(size=(12, 6))
Y = rng.normal(size=12)
LABELS = np.array(["a", "b"] * 6)
CORPUS = ["the cat sat on the mat", "the dog sat on the log"] * 5


def with_nan(a, index=(3, 2), value=np.nan):
    a = a.copy()
    a[index] = value
    return a


def forecaster():
    return RNNForecaster(**TINY).fit(X2, Y)


def classifier():
    return SequenceClassifier(**TINY).fit(X2, LABELS)


def generator():
    return SequenceGenerator(**TINY).fit(X2, ["ab", "abc"] * 6)


def w2v(**kw):
    return Word2VecTransformer(vector_size=4, min_count=1, random_state=0, **kw)


# (case id, action, expected exception, message pattern)
ERROR_CASES = [
    (
        "forecaster: NaN in X",
        lambda: RNNForecaster(**TINY).fit(with_nan(X2), Y),
        ValueError,
        r"X contains NaN or infinity \(first in sample 3",
    ),
    (
        "forecaster: inf in y",
        lambda: RNNForecaster(**TINY).fit(X2, with_nan(Y, 5, np.inf)),
        ValueError,
        r"y contains NaN or infinity \(first in sample 5",
    ),
    (
        "forecaster: empty X",
        lambda: RNNForecaster(**TINY).fit(np.empty((0, 6)), []),
        ValueError,
        "X is empty",
    ),
    (
        "forecaster: 4-D X",
        lambda: RNNForecaster(**TINY).fit(np.ones((2, 2, 2, 2)), [1, 2]),
        ValueError,
        "4 dimensions",
    ),
    (
        "forecaster: strings in X",
        lambda: RNNForecaster(**TINY).fit([["1", "x"]] * 2, [1, 2]),
        ValueError,
        "strings",
    ),
    (
        "forecaster: sparse X",
        lambda: RNNForecaster(**TINY).fit(sparse.csr_matrix(X2), Y),
        TypeError,
        "Sparse input is not supported",
    ),
    (
        "forecaster: X/y length mismatch",
        lambda: RNNForecaster(**TINY).fit(X2, Y[:-2]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "forecaster: wrong channel count at predict",
        lambda: forecaster().predict(np.ones((2, 6, 3))),
        ValueError,
        "X has 3 channels",
    ),
    (
        "forecaster: series shorter than lookback",
        lambda: make_windows(np.arange(5.0), lookback=8),
        ValueError,
        "fewer than lookback",
    ),
    (
        "forecaster: steps < 1",
        lambda: forecaster().forecast(np.zeros(6), steps=0),
        ValueError,
        "steps must be an integer >= 1",
    ),
    (
        "forecaster: huge learning rate",
        lambda: RNNForecaster(
            optimizer="sgd",
            lr=1e12,
            gradient_clip=None,
            max_epochs=5,
            hidden_size=4,
            random_state=0,
        ).fit(X2, Y * 100),
        ValueError,
        r"Training diverged: the training loss became (nan|inf) at epoch \d",
    ),
    (
        "forecaster: predict before fit",
        lambda: RNNForecaster().predict(X2),
        NotFittedError,
        "not fitted",
    ),
    (
        "classifier: one class",
        lambda: SequenceClassifier(**TINY).fit(X2, ["a"] * 12),
        ValueError,
        "only one class",
    ),
    (
        "classifier: continuous labels",
        lambda: SequenceClassifier(**TINY).fit(X2, Y),
        ValueError,
        "Unknown label type",
    ),
    (
        "classifier: ragged channel counts",
        lambda: SequenceClassifier(**TINY).fit(
            [np.ones((3, 2)), np.ones((4, 3))], ["a", "b"]
        ),
        ValueError,
        r"X\[1\] has 3 channels but X\[0\] has 2",
    ),
    (
        "classifier: sequence of length 0",
        lambda: SequenceClassifier(**TINY).fit([np.ones(3), np.ones(0)], ["a", "b"]),
        ValueError,
        r"X\[1\] is a sequence of length 0",
    ),
    (
        "classifier: unseen label at warm start",
        lambda: (
            SequenceClassifier(warm_start=True, **TINY)
            .fit(X2, LABELS)
            .fit(X2, np.array(["a", "c"] * 6))
        ),
        ValueError,
        "labels not seen in the first fit",
    ),
    (
        "classifier: unknown label in class_weight",
        lambda: SequenceClassifier(class_weight={"z": 2.0}, **TINY).fit(X2, LABELS),
        ValueError,
        "class_weight names labels that are not in y",
    ),
    (
        "classifier: wrong channel count at predict",
        lambda: classifier().predict([np.ones((4, 2))]),
        ValueError,
        "X has 2 channels",
    ),
    (
        "generator: empty target",
        lambda: SequenceGenerator(**TINY).fit(X2[:2], ["ab", ""]),
        ValueError,
        r"y\[1\] is an empty sequence",
    ),
    (
        "generator: mixed numeric and token targets",
        lambda: SequenceGenerator(**TINY).fit(X2[:2], ["ab", [1.0]]),
        ValueError,
        "mixes numeric and token targets",
    ),
    (
        "generator: marker inside token targets",
        lambda: SequenceGenerator(**TINY).fit(X2[:2], [["a", "<end>"], ["b"]]),
        ValueError,
        "internal marker",
    ),
    (
        "generator: wrong input dimension at predict",
        lambda: generator().predict(np.ones((1, 5))),
        ValueError,
        "X has 5 features",
    ),
    (
        "word2vec: None in the corpus",
        lambda: w2v().fit(["a b", None]),
        ValueError,
        r"X\[1\] is NoneType",
    ),
    (
        "word2vec: a number in the corpus",
        lambda: w2v().fit([3, "a b"]),
        ValueError,
        r"X\[0\] is int",
    ),
    ("word2vec: empty corpus", lambda: w2v().fit([]), ValueError, "X is empty"),
    (
        "word2vec: min_count empties the vocabulary",
        lambda: Word2VecTransformer(min_count=50).fit(CORPUS),
        ValueError,
        "left the vocabulary empty",
    ),
    (
        "word2vec: missing pretrained file",
        lambda: w2v(pretrained="no/such/vectors.txt").fit(CORPUS),
        FileNotFoundError,
        "does not exist",
    ),
    (
        "word2vec: transform before fit",
        lambda: w2v().transform(CORPUS),
        NotFittedError,
        "not fitted",
    ),
]


@pytest.mark.parametrize(
    "action, exception, pattern",
    [c[1:] for c in ERROR_CASES],
    ids=[c[0] for c in ERROR_CASES],
)
def test_bad_input_gets_a_clear_error(action, exception, pattern):
    with pytest.raises(exception, match=pattern):
        action()


def test_table_has_at_least_20_cases_over_all_estimators():
    assert len(ERROR_CASES) >= 20
    assert {c[0].split(":")[0] for c in ERROR_CASES} == {
        "forecaster",
        "classifier",
        "generator",
        "word2vec",
    }


# --- documented results rather than errors ---------------------------------------------


def test_document_without_known_words_is_a_zero_vector_or_one_zero_step():
    model = w2v().fit(CORPUS)
    pooled = model.transform(["zebra quagga", ""])
    assert pooled.shape == (2, 4) and not pooled.any()
    steps = model.set_params(output="sequence").transform(["zebra quagga"])
    assert steps[0].shape == (1, 4) and not steps[0].any()


def test_classifier_reads_sequences_longer_than_any_seen_in_fit():
    model = SequenceClassifier(**TINY).fit([np.ones(3), np.zeros(4)] * 4, ["a", "b"] * 4)
    proba = model.predict_proba([np.ones(50)])
    assert np.isfinite(proba).all() and np.allclose(proba.sum(), 1)


def test_constant_series_gives_finite_predictions():
    model = RNNForecaster(**TINY).fit(np.ones((10, 5)), np.ones(10))
    assert np.isfinite(model.predict(np.ones((2, 5)))).all()


def test_classifier_with_huge_lr_stays_finite():
    model = SequenceClassifier(optimizer="sgd", lr=1e12, gradient_clip=None, **TINY)
    proba = model.fit(X2, LABELS).predict_proba(X2)
    assert np.isfinite(proba).all()


# --- properties over random shapes, lengths and channel counts --------------------------


def ragged(draw, n, channels):
    lengths = draw(st.lists(st.integers(1, 9), min_size=n, max_size=n))
    seed = draw(st.integers(0, 2**16))
    local = np.random.default_rng(seed)
    return [local.normal(size=(length, channels)) for length in lengths]


PROPERTY = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(data=st.data(), n=st.integers(2, 7), channels=st.integers(1, 3))
def test_classifier_any_shape_gives_finite_probabilities(data, n, channels):
    X = ragged(data.draw, n, channels)
    y = ["a", "b"] * (n // 2) + ["a"] * (n % 2)
    model = SequenceClassifier(hidden_size=3, max_epochs=1, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (n, 2) and np.isfinite(proba).all()


@PROPERTY
@given(
    data=st.data(),
    n=st.integers(1, 6),
    channels=st.integers(1, 3),
    horizon=st.integers(1, 3),
)
def test_forecaster_any_shape_gives_finite_predictions(data, n, channels, horizon):
    X = ragged(data.draw, n, channels)
    y = np.random.default_rng(n).normal(size=(n, horizon, channels))
    model = RNNForecaster(hidden_size=3, max_epochs=1, random_state=0).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (n, horizon, channels) and np.isfinite(pred).all()


@PROPERTY
@given(
    data=st.data(), n=st.integers(1, 6), channels=st.integers(1, 3), steps=st.integers(1, 4)
)
def test_generator_any_shape_gives_finite_outputs(data, n, channels, steps):
    X = ragged(data.draw, n, channels)
    y = np.random.default_rng(n).normal(size=(n, steps))
    model = SequenceGenerator(hidden_size=3, max_epochs=1, random_state=0).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (n, steps) and np.isfinite(pred).all()

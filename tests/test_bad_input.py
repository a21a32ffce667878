"""Bad input, table-driven: every case gets a clear error naming the problem, or a
documented result; never a crash inside torch and never a silent NaN."""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

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


def with_na(a):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(a).astype(object)
    frame.iloc[2, 3] = pd.NA
    return frame


def text_vectors_named_bin():
    """A word2vec text file whose name says binary."""
    import tempfile

    path = os.path.join(tempfile.mkdtemp(), "vectors.bin")
    with open(path, "w") as f:
        f.write("2 3\na 0.5 0.25 1.0\nb -1.0 2.0 0.125\n")
    return path


def windows_with_a_dated_covariate(shift=0, reverse=False):
    """make_windows of a dated series whose future covariate is a Series of other
    dates: shifted ``shift`` days or in reverse order."""
    pd = pytest.importorskip("pandas")
    days = pd.date_range("2020-01-01", periods=10, freq="D")
    other = days[::-1] if reverse else days + pd.Timedelta(days=shift)
    series = pd.Series(np.arange(10.0), index=days)
    return make_windows(series, 2, future_covariates=pd.Series(np.ones(10), index=other))


def forecaster():
    return RNNForecaster(**TINY).fit(X2, Y)


def with_promotion():
    """A forecaster fitted with one future covariate, and its seed window."""
    series, promo = rng.normal(size=40), (np.arange(40) % 5 == 0).astype(float)
    X, y = make_windows(series, 6, future_covariates=promo)
    model = RNNForecaster(n_future_covariates=1, calibration_fraction=None, **TINY)
    return model.fit(X, y), np.column_stack([series[-6:], promo[-6:]])


def forecast_with(future, steps=24):
    model, seed = with_promotion()
    return model.forecast(seed, steps, future_covariates=future)


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
        "forecaster: future covariates too short",
        lambda: forecast_with(np.zeros(10)),
        ValueError,
        "future covariates cover 10 steps, forecast asked for 24",
    ),
    (
        "forecaster: future covariates of another column count",
        lambda: forecast_with(np.zeros((24, 2))),
        ValueError,
        r"future_covariates have 2 column\(s\), but the model was fitted on 1",
    ),
    (
        "forecaster: NaN in future covariates",
        lambda: forecast_with(with_nan(np.zeros(24), 7)),
        ValueError,
        "future_covariates contains NaN or infinity at step 7",
    ),
    (
        "forecaster: future covariates missing",
        lambda: forecast_with(None),
        ValueError,
        r"forecast needs their values .* future_covariates of shape \(24, 1\)",
    ),
    (
        "forecaster: future covariates for a model fitted without them",
        lambda: forecaster().forecast(np.zeros(6), 3, future_covariates=np.zeros(3)),
        ValueError,
        r"fitted without future covariates \(n_future_covariates=0\)",
    ),
    (
        "forecaster: a seed without the covariate channel",
        lambda: with_promotion()[0].forecast(np.zeros(6), 3, future_covariates=np.zeros(3)),
        ValueError,
        "X_seed must be shaped",
    ),
    (
        "forecaster: more covariates declared than channels",
        lambda: RNNForecaster(n_future_covariates=1, **TINY).fit(X2, Y),
        ValueError,
        r"declare 1 covariate channel\(s\), but X has 1 channel\(s\)",
    ),
    (
        "forecaster: y holding the covariate channel too",
        lambda: RNNForecaster(n_past_covariates=1, **TINY).fit(
            *make_windows(np.ones((20, 2)), 4, horizon=2)
        ),
        ValueError,
        r"y holds the target channels only: .* y rows are shaped \(2, 2\)",
    ),
    (
        "forecaster: covariates of another length than the series",
        lambda: make_windows(np.arange(20.0), 4, future_covariates=np.zeros(19)),
        ValueError,
        "future_covariates has 19 time steps, but its series has 20",
    ),
    (
        "forecaster: NaN in a past covariate",
        lambda: make_windows(np.arange(20.0), 4, past_covariates=with_nan(np.zeros(20), 3)),
        ValueError,
        "past_covariates contains NaN or infinity at step 3",
    ),
    (
        "forecaster: ragged plain lists",
        lambda: make_windows([[1.0, 2, 3, 4, 5], [1.0, 2, 3]], lookback=2),
        ValueError,
        r"series is a nested list of uneven rows: series\[0\] is shaped \(5,\), "
        r"series\[1\] shaped \(3,\).*list of arrays",
    ),
    (
        "forecaster: ragged plain lists in a list of series",
        lambda: make_windows([np.arange(9.0), [[1.0, 2], [3.0], [4.0, 5]]], lookback=2),
        ValueError,
        r"series\[1\] is a nested list of uneven rows: series\[1\]\[0\] is shaped "
        r"\(2,\), series\[1\]\[1\] shaped \(1,\)",
    ),
    (
        "forecaster: ragged covariate rows",
        lambda: make_windows(np.arange(6.0), 2, past_covariates=[[1, 2]] * 3 + [[1]] * 3),
        ValueError,
        r"past_covariates is a nested list of uneven rows: .*\[3\] shaped \(1,\)",
    ),
    (
        "forecaster: a covariate Series indexed unlike its series",
        lambda: windows_with_a_dated_covariate(shift=1),
        ValueError,
        r"future_covariates is indexed differently from its series \(label "
        r"Timestamp\('2020-01-02.*position 0.*reindex\(series.index\)",
    ),
    (
        "forecaster: a covariate Series in reverse order",
        lambda: windows_with_a_dated_covariate(reverse=True),
        ValueError,
        r"future_covariates is indexed differently .* position 0, where the series has "
        r"Timestamp\('2020-01-01",
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
    # the hardening pass: values float32 cannot hold, and weak answers made clear
    (
        "forecaster: X beyond float32's range",
        lambda: RNNForecaster(**TINY).fit(with_nan(X2, (4, 1), 1e39), Y),
        ValueError,
        r"X holds values beyond float32's range .*first in sample 4",
    ),
    (
        "forecaster: y * 1e200",
        lambda: RNNForecaster(**TINY).fit(X2, Y * 1e200),
        ValueError,
        "y holds values beyond float32's range",
    ),
    (
        "forecaster: X beyond float32's range at predict",
        lambda: forecaster().predict(X2 * 1e300),
        ValueError,
        "X holds values beyond float32's range",
    ),
    (
        "classifier: X beyond float32's range at predict",
        lambda: classifier().predict_proba([np.array([1.0, -1e40])]),
        ValueError,
        r"X\[0\] holds values beyond float32's range",
    ),
    (
        "forecaster: numeric strings in an object array",
        lambda: RNNForecaster(**TINY).fit(X2.astype(str).astype(object), Y),
        ValueError,
        "X contains strings",
    ),
    (
        "forecaster: masked array",
        lambda: RNNForecaster(**TINY).fit(np.ma.masked_less(X2, 0), Y),
        ValueError,
        "X is a masked array; the mask would be lost",
    ),
    (
        "forecaster: pandas NA",
        lambda: RNNForecaster(**TINY).fit(with_na(X2), Y),
        ValueError,
        r"X contains missing values \(None or pandas NA\)",
    ),
    (
        "classifier: all-zero class_weight",
        lambda: SequenceClassifier(class_weight={"a": 0, "b": 0}, **TINY).fit(X2, LABELS),
        ValueError,
        "every sample has a loss weight of 0",
    ),
    (
        "classifier: early stopping on tiny data",
        lambda: SequenceClassifier(early_stopping=True, **TINY).fit(X2[:6], LABELS[:6]),
        ValueError,
        r"validation_fraction=0.1 .* cannot hold every class",
    ),
    (
        "classifier: network parameter changed before a warm start",
        lambda: (
            SequenceClassifier(warm_start=True, **TINY)
            .fit(X2, LABELS)
            .set_params(cell="lstm", hidden_size=5)
            .fit(X2, LABELS)
        ),
        ValueError,
        r"warm_start: cell='gru' -> 'lstm', hidden_size=4 -> 5 changed",
    ),
    (
        "generator: temperature=nan",
        lambda: generator().sample(X2[:2], temperature=float("nan")),
        ValueError,
        "temperature must be a finite number",
    ),
    (
        "generator: tiny temperature",
        lambda: generator().sample(X2[:2], temperature=1e-300),
        ValueError,
        "temperature must be a finite number >= 0.0001",
    ),
    (
        "generator: score with a wrong-length y",
        lambda: generator().score(X2, ["ab"] * 5),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "word2vec: emoji-only documents",
        lambda: w2v().fit(["\U0001f600 \U0001f601", "\U0001f44d"]),
        ValueError,
        "the documents hold no tokens",
    ),
    (
        "word2vec: max_vocab_size=1",
        lambda: w2v(max_vocab_size=1).fit(["aa bb cc dd", "ee ff gg hh"]),
        ValueError,
        "max_vocab_size=1 pruned",
    ),
    (
        "word2vec: a tokenizer returning ints",
        lambda: w2v(tokenizer=lambda doc: [len(w) for w in doc.split()]).fit(CORPUS),
        ValueError,
        r"tokenizer .* returned non-string tokens for X\[0\]",
    ),
    (
        "word2vec: a list inside a token list at transform",
        lambda: w2v().fit(CORPUS).transform([["the", ["cat"]]]),
        ValueError,
        r"X\[0\] is list with a list token",
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


# --- the hardening pass: no half-fitted models, shared modules, changed parameters ------


def diverging(**kw):
    return RNNForecaster(
        optimizer="sgd", lr=1e12, gradient_clip=None, hidden_size=4, max_epochs=3, **kw
    )


def test_a_failed_fit_leaves_a_fresh_estimator_unfitted():
    model = diverging(random_state=0)
    before = dict(vars(model))
    with pytest.raises(ValueError, match="Training diverged"):
        model.fit(X2, Y * 100)
    assert vars(model) == before
    with pytest.raises(NotFittedError):
        model.predict(X2)


def test_a_failed_warm_start_keeps_the_previous_model():
    model = RNNForecaster(warm_start=True, **TINY).fit(X2, Y * 100)
    before, state = model.predict(X2), dict(vars(model))
    model.set_params(optimizer="sgd", lr=1e12, gradient_clip=None, max_epochs=5)
    with pytest.raises(ValueError, match="Training diverged"):
        model.fit(X2, Y * 100)
    assert vars(model).keys() == state.keys() and model.net_ is state["net_"]
    np.testing.assert_array_equal(model.predict(X2), before)


CALLS = []


class FailsOnSecondTraining(Callback):
    """Raises when the second training run of a fit begins (the one on all
    windows, after the calibration on the last)."""

    def on_train_begin(self, net, **kwargs):
        CALLS.append(1)
        if len(CALLS) == 2:
            raise RuntimeError("boom in a user callback")


@pytest.mark.parametrize("failure", ["weights", "callback"])
def test_a_failed_calibration_keeps_the_previous_model(failure):
    X, y = make_windows(np.sin(0.3 * np.arange(200)), lookback=10)
    model = RNNForecaster(**TINY).fit(X, y)
    before, state = model.predict(X), dict(vars(model))
    if failure == "weights":  # before calibrating, the model trains on the first 152
        weights = np.r_[np.zeros(152), np.ones(38)]
        match = "sample_weight is 0 for each of the first 152 windows, on which the model"
        with pytest.raises(ValueError, match=match):
            model.fit(X, y, sample_weight=weights)
    else:
        CALLS.clear()
        model.set_params(callbacks=[FailsOnSecondTraining()])
        with pytest.raises(RuntimeError, match="boom"):
            model.fit(X, y)
        assert len(CALLS) == 2
        model.set_params(callbacks=None)
    assert vars(model).keys() == state.keys() and model.net_ is state["net_"]
    assert model.calibration_errors_ is state["calibration_errors_"]
    np.testing.assert_array_equal(model.predict(X), before)


def test_a_warm_start_applies_changed_training_parameters():
    model = RNNForecaster(warm_start=True, **TINY).fit(X2, Y)
    model.set_params(lr=0.05, optimizer="sgd", max_epochs=3).fit(X2, Y)
    assert type(model.net_.optimizer_).__name__ == "SGD"
    assert model.net_.optimizer_.param_groups[0]["lr"] == 0.05
    assert model.n_epochs_ == TINY["max_epochs"] + 3


@pytest.mark.parametrize("fitted_with", [True, False])
def test_standardize_changed_after_fit_does_not_change_predictions(fitted_with):
    model = RNNForecaster(standardize=fitted_with, **TINY).fit(X2, Y * 10 + 3)
    before = model.predict(X2)
    np.testing.assert_array_equal(
        model.set_params(standardize=not fitted_with).predict(X2), before
    )


def test_threads_predicting_with_one_dropout_model_agree():
    from concurrent.futures import ThreadPoolExecutor

    model = SequenceClassifier(
        num_layers=2, dropout=0.5, hidden_size=8, max_epochs=1, random_state=0
    ).fit(X2, LABELS)
    model.net_.module_.train()  # as skorch leaves it after fit
    expected = model.predict_proba(X2)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: model.predict_proba(X2), range(40)))
    for proba in results:
        np.testing.assert_array_equal(proba, expected)


def test_fit_on_very_long_sequences_warns():
    with pytest.warns(UserWarning, match="sequences of up to 10001 steps"):
        RNNForecaster(hidden_size=2, max_epochs=1).fit([np.ones(10_001), np.ones(3)], Y[:2])


def test_word2vec_trains_words_beyond_gensims_10000_token_limit():
    doc = [f"w{i % 500}" for i in range(10_000)] + [f"tail{i % 50}" for i in range(5000)]
    one, three = (w2v(epochs=n).fit([doc]).wv_ for n in (1, 3))
    assert not np.allclose(one["tail7"], three["tail7"])  # trained, not left at random


def test_default_tokenizer_drops_words_over_15_letters_as_documented():
    assert "2 to 15" in " ".join(Word2VecTransformer.__doc__.split())
    docs = [
        "internationalization is long",
        "a wordsofsixteenxx is short",
    ] * 3  # 2 of every 6 tokens long ("a" is too short)
    match = r"at most 15 letters and dropped 6 longer token\(s\) \(33.33% of the tokens\)"
    with pytest.warns(UserWarning, match=match) as w:
        model = w2v().fit(docs)
    assert "'internationalization'" in str(w[0].message) and "max_len" in str(w[0].message)
    assert "internationalization" not in model.wv_ and "long" in model.wv_
    assert "wordsofsixteenxx" not in model.wv_ and "short" in model.wv_
    assert model.transform(docs).shape == (6, 4)  # transform drops them quietly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w2v().fit([["internationalization", "is", "long"]] * 3)  # tokens: kept
        w2v(tokenizer=str.split).fit(docs)


def test_word2vec_text_vectors_in_a_file_named_bin_are_read_as_text():
    model = w2v(pretrained=text_vectors_named_bin()).fit(None)
    assert model.wv_.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(model.transform([["b"]]), [[-1.0, 2.0, 0.125]])

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, train_test_split

from sklearn_seq import SequenceGenerator, make_windows

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
FAST = {"hidden_size": 32, "max_epochs": 20, "random_state": 0}


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    words = [NAMES[t] for t in data.target]
    return train_test_split(data.data, words, test_size=0.3, random_state=0)


@pytest.fixture(scope="module")
def words_model(digits):
    X_train, _, y_train, _ = digits
    return SequenceGenerator(**FAST).fit(X_train, y_train)


def sine_from_parameters(n, seed=0, length=50):
    rng = np.random.default_rng(seed)
    params = np.column_stack(
        [rng.uniform(0.5, 1.5, n), rng.uniform(0.1, 0.5, n), rng.uniform(0, 2 * np.pi, n)]
    )
    t = np.arange(length)
    return params, params[:, [0]] * np.sin(params[:, [1]] * t + params[:, [2]])


def test_token_outputs_stop_at_the_end_marker(words_model, digits):
    _, X_test, _, _ = digits
    lengths = {len(w) for w in words_model.predict(X_test)}
    assert lengths <= {3, 4, 5}  # "one" .. "seven": outputs stop at their own end
    assert words_model.vocabulary_[:2] == ["<start>", "<end>"]
    assert words_model.max_length_ == 5


def test_max_length_caps_outputs(digits):
    X_train, X_test, y_train, _ = digits
    gen = SequenceGenerator(max_length=2, **FAST).fit(X_train, y_train)
    assert max(len(w) for w in gen.predict(X_test)) <= 2


def test_token_list_targets_give_token_lists():
    X = np.repeat(np.eye(3), 20, axis=0)
    captions = [["the", "cat", "sat"], ["a", "dog"], ["birds", "fly", "south", "now"]]
    y = [captions[i // 20] for i in range(60)]  # one caption per one-hot input
    gen = SequenceGenerator(hidden_size=32, max_epochs=40, random_state=0).fit(X, y)
    pred = gen.predict(np.eye(3))
    assert pred == captions
    assert gen.score(X, y) == 1.0


def test_sample_repeats_with_a_seed_and_varies_without(words_model, digits):
    _, X_test, _, _ = digits
    a = words_model.sample(X_test[:30], temperature=2.0, random_state=1)
    b = words_model.sample(X_test[:30], temperature=2.0, random_state=1)
    c = words_model.sample(X_test[:30], temperature=2.0, random_state=2)
    assert a == b
    assert a != c
    cold = words_model.sample(X_test[:30], temperature=1e-3, random_state=0)
    assert cold == words_model.predict(X_test[:30])  # near-zero temperature is greedy


def test_sequence_to_sequence_numeric():
    rng = np.random.default_rng(0)
    series = np.sin(0.2 * np.arange(900)) + 0.05 * rng.normal(size=900)
    X, y = make_windows(series, lookback=30, horizon=10)
    X3 = X[:, :, None]  # sequences are 3-D (2-D X means conditioning vectors)
    gen = SequenceGenerator(max_epochs=30, random_state=0).fit(X3[:700], y[:700])
    assert gen.input_mode_ == "sequence" and gen.target_shape_ == (10,)
    pred = gen.predict(X3[700:])
    assert pred.shape == (len(X) - 700, 10)
    assert np.sqrt(np.mean((pred - y[700:]) ** 2)) < 0.15


def test_multichannel_numeric_targets_and_variable_length_inputs():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(3, 12, 80)]
    y = np.stack(
        [np.stack([np.full(4, x[:, 0].mean()), np.full(4, x[:, 1].mean())], 1) for x in X]
    )
    gen = SequenceGenerator(**FAST).fit(X, y)
    assert gen.predict(X[:5]).shape == (5, 4, 2)


def test_same_random_state_identical_and_pickle_clone_round_trips(words_model, digits):
    X_train, X_test, y_train, _ = digits
    restored = pickle.loads(pickle.dumps(words_model))
    assert restored.predict(X_test) == words_model.predict(X_test)
    assert clone(words_model).fit(X_train, y_train).predict(X_test) == words_model.predict(
        X_test
    )
    params, waves = sine_from_parameters(100)
    a = SequenceGenerator(**FAST).fit(params, waves)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(a)).predict(params), a.predict(params)
    )


def test_grid_search_over_cell_and_hidden_size():
    params, waves = sine_from_parameters(120, length=10)
    grid = GridSearchCV(
        SequenceGenerator(max_epochs=3, random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [8, 16]},
        cv=KFold(3),
    )
    grid.fit(params, waves)
    assert len(grid.cv_results_["params"]) == 4
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_teacher_forcing_below_one_trains():
    params, waves = sine_from_parameters(200, length=20)
    gen = SequenceGenerator(teacher_forcing=0.5, **FAST).fit(params, waves)
    assert gen.score(params, waves) > 0.5


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "y, match",
    [
        (["ab", ""], r"y\[1\] is an empty sequence"),
        ([["a"], []], r"y\[1\] is an empty sequence"),
        (["ab", [1.0, 2.0]], "mixes numeric and token targets"),
        ([["a", "<end>"], ["b"]], r"y\[0\] contains the internal marker"),
        ([["<start>"], ["b"]], r"y\[0\] contains the internal marker"),
        (np.ones((2, 0)), "empty"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN or infinity"),
        (None, "requires y to be passed"),
        (["ab", "cd", "ef"], "inconsistent numbers of samples"),
    ],
)
def test_bad_targets(y, match):
    with pytest.raises(ValueError, match=match):
        SequenceGenerator(**FAST).fit(np.ones((2, 3)), y)


def test_wrong_input_dimension_at_predict(words_model):
    with pytest.raises(
        ValueError,
        match="X has 10 features, but SequenceGenerator is expecting 64 features",
    ):
        words_model.predict(np.ones((2, 10)))
    with pytest.raises(ValueError, match="fitted on conditioning vectors"):
        words_model.predict(np.ones((2, 5, 64)))


def test_predict_and_sample_before_fit():
    with pytest.raises(NotFittedError):
        SequenceGenerator().predict(np.ones((2, 3)))
    with pytest.raises(NotFittedError):
        SequenceGenerator().sample(np.ones((2, 3)))


def test_sample_needs_token_targets_and_a_positive_temperature(words_model):
    params, waves = sine_from_parameters(40, length=5)
    numeric = SequenceGenerator(hidden_size=8, max_epochs=1, random_state=0).fit(
        params, waves
    )
    with pytest.raises(ValueError, match="numeric targets"):
        numeric.sample(params)
    with pytest.raises(ValueError, match="temperature must be a finite number >= 0.0001"):
        words_model.sample(np.ones((1, 64)), temperature=0)


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_generation_and_sampling(digits):
    X_train, X_test, y_train, y_test = digits
    gen = SequenceGenerator(device="cuda", **FAST).fit(X_train, y_train)
    assert gen.score(X_test, y_test) > 0.5
    assert gen.sample(X_test[:10], random_state=0) == gen.sample(
        X_test[:10], random_state=0
    )

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from sklearn_seq import RNNForecaster, SequenceClassifier
from sklearn_seq.datasets import load_gunpoint, load_italy_power_demand

FAST = {"hidden_size": 16, "max_epochs": 15, "random_state": 0}


def make_variable_length(n=160, n_channels=3, seed=0):
    """Lengths 5..60, 3 channels; the class is the frequency of the oscillation."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = []
    for label in y:
        t = np.arange(rng.integers(5, 61))
        freq = 0.4 if label else 1.2
        phase = rng.uniform(0, 2 * np.pi)
        channels = [
            np.sin(freq * t + phase),
            np.cos(freq * t + phase),
            rng.normal(size=len(t)),
        ]
        X.append(
            np.stack(channels[:n_channels], axis=1) + 0.1 * rng.normal(size=(len(t), 1))
        )
    return X, np.where(y == 1, "slow", "fast")


@pytest.fixture(scope="module")
def varlen():
    return make_variable_length()


@pytest.fixture(scope="module")
def varlen_model(varlen):
    X, y = varlen
    return SequenceClassifier(hidden_size=16, max_epochs=20, random_state=0).fit(
        X[:120], y[:120]
    )


@pytest.mark.parametrize(
    "loader, baseline", [(load_gunpoint, 0.907), (load_italy_power_demand, 0.950)]
)
def test_defaults_beat_1nn_dtw_on_ucr(loader, baseline):
    X_train, X_test, y_train, y_test = loader(return_X_y=True)
    clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= baseline


def test_random_crops_read_gunpoint_wherever_the_motion_sits():
    # trained on crops, the network reads the motion where it sits; trained on whole
    # series, it drops to 0.90 on series that start 30 steps later (both 40 epochs)
    X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
    late = list(X_test[:, 30:])
    scores = {}
    for crop in ("auto", None):
        clf = SequenceClassifier(max_epochs=40, random_crop=crop, random_state=0)
        scores[crop] = clf.fit(X_train, y_train).score(late, y_test)
    assert scores["auto"] >= 0.95
    assert scores["auto"] > scores[None]


def test_test_time_crops_average_the_whole_series_and_six_fixed_crops():
    X_train, X_test, y_train, _ = load_gunpoint(return_X_y=True)  # 150 steps
    clf = SequenceClassifier(hidden_size=16, max_epochs=5, random_state=0)
    averaged = clf.fit(X_train, y_train).predict_proba(X_test[:20])
    clf.set_params(test_time_crops=False)  # a prediction parameter: no refit
    views = [X_test[:20]]
    for share in (0.8, 0.9):  # random_crop="auto" and halfway to whole
        k = int(np.ceil(share * 150))
        starts = (0, (150 - k) // 2, 150 - k)  # a list: 2-D input keeps its length
        views += [list(X_test[:20, start : start + k]) for start in starts]
    expected = np.mean([clf.predict_proba(view) for view in views], axis=0)
    np.testing.assert_allclose(averaged, expected, rtol=1e-12, atol=1e-15)
    assert np.abs(averaged - clf.predict_proba(X_test[:20])).max() > 1e-4  # not whole


def test_test_time_crops_leave_short_series_and_whole_training_alone():
    X_train, X_test, y_train, _ = load_italy_power_demand(return_X_y=True)  # 24 steps
    clf = SequenceClassifier(hidden_size=16, max_epochs=3, random_state=0)
    crops = clf.fit(X_train, y_train).predict_proba(X_test)
    whole = clf.set_params(test_time_crops=False).predict_proba(X_test)
    np.testing.assert_array_equal(crops, whole)
    X_train, X_test, y_train, _ = load_gunpoint(return_X_y=True)  # trained whole
    clf = SequenceClassifier(hidden_size=16, max_epochs=3, random_crop=None, random_state=0)
    crops = clf.fit(X_train, y_train).predict_proba(X_test)
    whole = clf.set_params(test_time_crops=False).predict_proba(X_test)
    np.testing.assert_array_equal(crops, whole)


def test_variable_length_multichannel_end_to_end(varlen, varlen_model):
    X, y = varlen
    assert varlen_model.n_channels_in_ == 3
    assert set(varlen_model.classes_) == {"fast", "slow"}
    assert varlen_model.score(X[120:], y[120:]) >= 0.9
    assert not hasattr(varlen_model, "n_features_in_")


def test_short_sequence_same_alone_and_among_long_ones(varlen, varlen_model):
    X, _ = varlen
    short = X[0][:5]
    long_ones = [x for x in X if len(x) > 50][:6]
    alone = varlen_model.predict_proba([short])
    together = varlen_model.predict_proba(long_ones[:3] + [short] + long_ones[3:])
    # inference runs in float64 on the CPU: agreement to float64 rounding, any CPU
    np.testing.assert_allclose(together[3], alone[0], rtol=1e-12, atol=0)


def test_probabilities_are_the_same_one_by_one_and_in_batches(varlen, varlen_model):
    X, _ = varlen
    one_by_one = np.vstack([varlen_model.predict_proba([x]) for x in X[:20]])
    np.testing.assert_allclose(
        varlen_model.predict_proba(X[:20]), one_by_one, rtol=1e-12, atol=0
    )


def test_string_labels_and_proba_column_order():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 12))
    X[:30] += 2  # "high" sequences sit higher
    X[30:60] -= 2
    y = np.array(["high"] * 30 + ["low"] * 30 + ["mid"] * 30)
    clf = SequenceClassifier(**FAST).fit(X, y)
    assert list(clf.classes_) == ["high", "low", "mid"]
    proba = clf.predict_proba(X)
    assert proba.shape == (90, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))
    assert clf.score(X, y) > 0.9


def test_integer_labels_are_kept():
    X, _, y, _ = load_italy_power_demand(return_X_y=True)
    clf = SequenceClassifier(**FAST).fit(X, y)
    assert clf.predict(X[:4]).dtype == y.dtype
    assert set(clf.predict(X)) <= {1, 2}


@pytest.mark.parametrize("pooling", ["last", "mean", "max", "mean_max", "attention"])
def test_every_pooling_learns(varlen, pooling):
    X, y = varlen
    clf = SequenceClassifier(pooling=pooling, hidden_size=16, max_epochs=15, random_state=0)
    assert clf.fit(X[:120], y[:120]).score(X[120:], y[120:]) > 0.75


def test_class_weight_balanced_and_dict_reach_the_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6))
    y = np.array(["a"] * 50 + ["b"] * 10)
    clf = SequenceClassifier(class_weight="balanced", **FAST).fit(X, y)
    np.testing.assert_allclose(clf.class_weights_, [0.6, 3.0], rtol=1e-6)
    clf = SequenceClassifier(class_weight={"b": 5.0}, **FAST).fit(X, y)
    np.testing.assert_allclose(clf.class_weights_, [1.0, 5.0])
    # a class weight is a loss weight on each sample of that class (sample weights
    # also weigh the input statistics, so compare without standardization)
    by_class = SequenceClassifier(class_weight={"b": 5.0}, standardize=False, **FAST)
    by_sample = SequenceClassifier(standardize=False, **FAST)
    by_sample.fit(X, y, sample_weight=np.where(y == "b", 5.0, 1.0))
    np.testing.assert_allclose(
        by_class.fit(X, y).predict_proba(X), by_sample.predict_proba(X), rtol=1e-12
    )
    with pytest.raises(ValueError, match="class_weight names labels that are not in y"):
        SequenceClassifier(class_weight={"c": 2.0}, **FAST).fit(X, y)


def test_class_weight_shifts_predictions_to_the_weighted_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = np.where(X.mean(axis=1) + rng.normal(scale=0.5, size=200) > 0.6, "rare", "common")
    plain = SequenceClassifier(**FAST).fit(X, y)
    heavy = SequenceClassifier(class_weight={"rare": 10.0}, **FAST).fit(X, y)
    assert (heavy.predict(X) == "rare").sum() > (plain.predict(X) == "rare").sum()


def test_early_stopping_uses_a_stratified_split(varlen):
    X, y = varlen
    clf = SequenceClassifier(
        early_stopping=True,
        validation_fraction=0.25,
        patience=3,
        max_epochs=100,
        hidden_size=16,
        random_state=0,
    ).fit(X, y)
    assert clf.n_epochs_ < 100
    _, valid = clf.net_.train_split(np.arange(len(y)), y)
    assert len(valid.indices) == 40
    # stratified: the held-out share of "fast" matches the whole set's, to one sample
    assert abs(np.mean(y[valid.indices] == "fast") - np.mean(y == "fast")) <= 1 / 40


def test_standardization_per_channel(varlen):
    X, y = varlen
    clf = SequenceClassifier(**FAST).fit([x * [1, 100, 1] for x in X], y)
    assert clf.x_scale_[1] > 50 * clf.x_scale_[0]
    assert not hasattr(SequenceClassifier(standardize=False, **FAST).fit(X, y), "x_mean_")


def test_grid_search_and_cross_val_score(varlen):
    X, y = varlen
    grid = GridSearchCV(
        SequenceClassifier(hidden_size=8, max_epochs=4, random_state=0),
        {"cell": ["lstm", "gru"], "pooling": ["last", "mean_max"]},
        cv=StratifiedKFold(3),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert 0.0 <= grid.best_score_ <= 1.0
    scores = cross_val_score(SequenceClassifier(**FAST), X, y, cv=StratifiedKFold(3))
    assert scores.shape == (3,) and scores.mean() > 0.7


def test_clone_and_pickle_round_trips(varlen, varlen_model):
    X, y = varlen
    restored = pickle.loads(pickle.dumps(varlen_model))
    np.testing.assert_array_equal(restored.predict_proba(X), varlen_model.predict_proba(X))
    refit = clone(varlen_model).fit(X[:120], y[:120])
    np.testing.assert_array_equal(refit.predict_proba(X), varlen_model.predict_proba(X))


# --- bad input --------------------------------------------------------------------


def test_unseen_channel_count_at_predict(varlen_model):
    with pytest.raises(
        ValueError,
        match="X has 2 channels, but SequenceClassifier was "
        "fitted on sequences with 3 channels",
    ):
        varlen_model.predict([np.ones((10, 2))])


def test_sequence_of_length_zero(varlen_model):
    with pytest.raises(ValueError, match=r"X\[1\] is a sequence of length 0"):
        varlen_model.predict([np.ones((10, 3)), np.ones((0, 3))])


def test_nan_inside_a_sequence(varlen):
    X, y = varlen
    X = list(X)
    X[7] = X[7].copy()
    X[7][3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X\[7\] contains NaN or infinity"):
        SequenceClassifier(**FAST).fit(X, y)


def test_single_class_in_y():
    with pytest.raises(ValueError, match="only one class"):
        SequenceClassifier(**FAST).fit(np.ones((5, 4)), ["a"] * 5)


def test_continuous_y_is_refused():
    with pytest.raises(ValueError, match="Unknown label type"):
        SequenceClassifier(**FAST).fit(np.ones((5, 4)), np.linspace(0, 1, 5))


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        SequenceClassifier().predict(np.ones((2, 4)))
    with pytest.raises(NotFittedError):
        SequenceClassifier().predict_proba(np.ones((2, 4)))


def test_mixed_2d_and_3d_elements_in_one_list():
    with pytest.raises(ValueError, match=r"X\[1\] has 3 dimensions"):
        SequenceClassifier(**FAST).fit([np.ones((4, 2)), np.ones((1, 4, 2))], [0, 1])
    with pytest.raises(ValueError, match="mixes 1-D"):
        SequenceClassifier(**FAST).fit([np.ones((4, 2)), np.ones(4)], [0, 1])


def test_y_length_mismatch():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SequenceClassifier(**FAST).fit(np.ones((5, 4)), [0, 1, 0])


def test_invalid_pooling_names_the_choices():
    with pytest.raises(ValueError, match="'pooling' parameter of SequenceClassifier"):
        SequenceClassifier(pooling="avg").fit(np.ones((4, 3)), [0, 1, 0, 1])


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_training_and_cpu_unpickling(varlen):
    X, y = varlen
    gpu = SequenceClassifier(device="cuda", **FAST).fit(X, y)
    cpu = SequenceClassifier(**FAST).fit(X, y)
    assert abs(gpu.score(X, y) - cpu.score(X, y)) < 0.1
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_allclose(restored.predict_proba(X), gpu.predict_proba(X), atol=1e-6)


def test_dataframe_column_names_are_remembered_and_checked():
    pd = pytest.importorskip("pandas")
    X_train, X_test, y_train, _ = load_italy_power_demand(return_X_y=True)
    hours = [f"h{i}" for i in range(X_train.shape[1])]
    clf = SequenceClassifier(hidden_size=4, max_epochs=1, random_state=0)
    clf.fit(pd.DataFrame(X_train, columns=hours), y_train)
    assert clf.feature_names_in_.tolist() == hours
    assert clf.predict(pd.DataFrame(X_test, columns=hours)).shape == (len(X_test),)
    renamed = pd.DataFrame(X_test, columns=[f"x{i}" for i in range(len(hours))])
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(renamed)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.predict(X_test)


@pytest.mark.parametrize("params", [{}, {"cell": "rnn", "nonlinearity": "elu"}])
def test_probabilities_ignore_the_order_of_the_samples(params):
    # scikit-learn's sample-order check, to the bit and over several orders: some
    # CPU kernels (oneMKL on AVX-512) round a float32 row by its place in a block
    rng = np.random.RandomState(0)
    X = 3 * rng.uniform(size=(20, 3))
    y = np.arange(20) % 3
    clf = SequenceClassifier(
        hidden_size=16, max_epochs=40, lr=1e-2, batch_size=16, random_state=0, **params
    ).fit(X, y)
    proba = clf.predict_proba(X)
    for seed in range(6):
        order = np.random.RandomState(seed).permutation(len(X))
        np.testing.assert_array_equal(clf.predict_proba(X[order]), proba[order])


# --- standardize="series": each sequence in its own frame ---------------------------


@pytest.fixture(scope="module")
def series_model(varlen):
    X, y = varlen  # each sequence standardized by its own statistics
    return SequenceClassifier(
        hidden_size=8, max_epochs=10, standardize="series", random_state=0
    ).fit(X[:120], y[:120])


def test_series_standardization_ignores_level_and_scale(varlen, varlen_model, series_model):
    X, y = varlen
    assert not hasattr(series_model, "x_mean_")
    rng = np.random.default_rng(1)
    moved = [x * rng.uniform(0.5, 20, 3) + rng.uniform(-50, 50, 3) for x in X[120:]]
    proba = series_model.predict_proba(X[120:])
    np.testing.assert_allclose(series_model.predict_proba(moved), proba, atol=1e-5)
    assert series_model.score(moved, y[120:]) >= 0.9
    # the training set's statistics (the default) read the moved series as others
    assert (
        np.abs(
            varlen_model.predict_proba(moved) - varlen_model.predict_proba(X[120:])
        ).max()
        > 0.1
    )


def test_series_standardization_reads_only_the_valid_steps(varlen, series_model):
    X, _ = varlen
    short, long_ones = X[0][:5], [x for x in X if len(x) > 50][:6]
    alone = series_model.predict_proba([short])
    together = series_model.predict_proba(long_ones[:3] + [short] + long_ones[3:])
    np.testing.assert_allclose(together[3], alone[0], rtol=1e-12, atol=0)
    # a constant channel reads as zeros: no division by its zero deviation
    flat = np.column_stack([np.full(30, 7.0), np.full(30, -2.0), np.zeros(30)])
    np.testing.assert_allclose(
        series_model.predict_proba([flat]),
        series_model.predict_proba([0 * flat]),
        atol=1e-9,
    )


def test_series_standardization_survives_refit_and_pickle(varlen, series_model):
    X, y = varlen
    tiny = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
    fresh = SequenceClassifier(standardize="series", **tiny).fit(X[:40], y[:40])
    refit = SequenceClassifier(**tiny).fit(X[:40], y[:40])  # standardize=True first
    refit.set_params(standardize="series").fit(X[:40], y[:40])
    assert not hasattr(refit, "x_mean_")
    np.testing.assert_array_equal(refit.predict_proba(X), fresh.predict_proba(X))
    restored = pickle.loads(pickle.dumps(series_model))
    np.testing.assert_array_equal(restored.predict_proba(X), series_model.predict_proba(X))


def test_standardize_names_its_choices():
    X, y = np.ones((6, 5)), np.arange(6) % 2
    with pytest.raises(ValueError, match="'standardize' parameter.*'series'"):
        SequenceClassifier(standardize="per_series").fit(X, y)
    with pytest.raises(ValueError, match="'standardize' parameter of RNNForecaster"):
        RNNForecaster(standardize="series").fit(X, y)  # it has scaling="mean" instead


@pytest.mark.parametrize("write", ["data", "vector_to_parameters"])
def test_the_float64_inference_copy_follows_writes_that_bump_no_version(write):
    X = np.random.default_rng(0).normal(size=(30, 8))
    model = SequenceClassifier(hidden_size=4, max_epochs=2, random_state=0)
    model.fit(X, ["a", "b", "c"] * 10)
    assert not np.allclose(model.predict_proba(X), 1 / 3)  # the copy is made and kept
    module = model.net_.module_
    if write == "data":
        for p in module.parameters():
            p.data.zero_()
    else:
        zeros = torch.zeros(sum(p.numel() for p in module.parameters()))
        torch.nn.utils.vector_to_parameters(zeros, module.parameters())
    np.testing.assert_allclose(model.predict_proba(X), 1 / 3)

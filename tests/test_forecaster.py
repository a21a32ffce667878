import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from sklearn_seq import RNNForecaster, make_windows

FAST = {"hidden_size": 16, "max_epochs": 5, "random_state": 0}


@pytest.fixture(scope="module")
def sine():
    """sin(0.1 t) cut into lookback-40 windows; the last 20% of windows held out."""
    t = np.arange(1000)
    X, y = make_windows(np.sin(0.1 * t), lookback=40)
    cut = int(0.8 * len(X))
    return X[:cut], y[:cut], X[cut:], y[cut:], cut


@pytest.fixture(scope="module")
def sine_model(sine):
    # a pure oscillator of one known amplitude: global scaling keeps the amplitude in
    # long rollouts and from an all-zeros seed (a window-relative frame cannot)
    X_train, y_train, *_ = sine
    model = RNNForecaster(max_epochs=40, scaling="global", random_state=0)
    return model.fit(X_train, y_train)


def test_sine_one_step_and_rollout_accuracy(sine, sine_model):
    _, _, X_test, y_test, cut = sine
    mse = np.mean((sine_model.predict(X_test) - y_test) ** 2)
    assert mse <= 1e-3
    rollout = sine_model.forecast(X_test[0], steps=200)
    truth = np.sin(0.1 * np.arange(cut + 40, cut + 240))
    assert np.sqrt(np.mean((rollout - truth) ** 2)) <= 0.1
    assert sine_model.score(X_test, y_test) > 0.99


def test_forecast_from_all_zeros_seed(sine_model):
    out = sine_model.forecast(np.zeros(40), steps=200)
    assert out.shape == (200,)
    assert np.isfinite(out).all()
    # the model has learned an oscillator: the rollout leaves zero and swings both ways
    assert np.ptp(out) > 0.5
    assert out.max() > 0.2 and out.min() < -0.2


def test_forecast_batch_of_seeds_matches_single(sine, sine_model):
    X_test = sine[2]
    batch = sine_model.forecast(X_test[:3], steps=25)
    assert batch.shape == (3, 25)
    np.testing.assert_allclose(batch[1], sine_model.forecast(X_test[1], 25), atol=1e-5)
    # the first step of a rollout is the one-step prediction
    np.testing.assert_allclose(batch[:, 0], sine_model.predict(X_test[:3]), atol=1e-6)


def test_direct_multi_step_and_rollout_in_chunks():
    X, y = make_windows(np.sin(0.2 * np.arange(400)), lookback=20, horizon=5)
    model = RNNForecaster(max_epochs=30, random_state=0).fit(X, y)
    assert model.target_shape_ == (5,)
    pred = model.predict(X[-10:])
    assert pred.shape == (10, 5)
    assert np.mean((pred - y[-10:]) ** 2) < 1e-2
    assert model.forecast(X[-1], steps=12).shape == (12,)


def test_multichannel_trajectory_forecast():
    t = np.arange(600) * 0.05
    track = np.stack([np.cos(t), 0.5 * np.sin(2 * t)], axis=1)  # a figure-eight
    X, y = make_windows(track, lookback=30)
    model = RNNForecaster(max_epochs=30, random_state=0).fit(X[:450], y[:450])
    assert model.n_channels_in_ == 2 and model.target_shape_ == (2,)
    assert model.predict(X[450:]).shape == (len(X) - 450, 2)
    path = model.forecast(X[450], steps=40)
    assert path.shape == (40, 2)
    truth = track[480:520]
    assert np.sqrt(np.mean((path - truth) ** 2)) < 0.2
    assert model.forecast(X[450:453], steps=7).shape == (3, 7, 2)


def test_multichannel_multi_step_targets():
    track = np.stack([np.sin(0.1 * np.arange(300)), np.cos(0.1 * np.arange(300))], axis=1)
    X, y = make_windows(track, lookback=10, horizon=3)
    model = RNNForecaster(**FAST).fit(X, y)
    assert model.predict(X[:4]).shape == (4, 3, 2)
    assert model.forecast(X[0], steps=7).shape == (7, 2)


def test_forecast_refuses_targets_that_are_not_the_channels():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 8, 2)), rng.normal(size=(30, 3))
    model = RNNForecaster(scaling="global", **FAST).fit(X, y)
    with pytest.raises(ValueError, match="continue the input channels"):
        model.forecast(np.zeros((8, 2)), steps=3)
    with pytest.raises(ValueError, match="scaling='diff' expresses each target"):
        RNNForecaster(**FAST).fit(X, y)


def test_variable_length_list_input():
    rng = np.random.default_rng(0)
    lengths, phases = rng.integers(5, 30, 200), rng.uniform(0, 2 * np.pi, 200)
    X = [np.sin(0.3 * np.arange(n) + p) for n, p in zip(lengths, phases, strict=True)]
    y = np.sin(0.3 * lengths + phases)  # the next value of each sequence
    model = RNNForecaster(hidden_size=32, max_epochs=30, random_state=0).fit(X, y)
    assert model.predict(X[:5]).shape == (5,)
    assert not hasattr(model, "n_features_in_")
    assert model.score(X, y) > 0.95


def test_pandas_input(sine):
    X, y = sine[0][:200], sine[1][:200]
    a = (
        RNNForecaster(**FAST)
        .fit(pd.DataFrame(X), pd.Series(y))
        .predict(pd.DataFrame(X[:5]))
    )
    b = RNNForecaster(**FAST).fit(X, y).predict(X[:5])
    np.testing.assert_array_equal(a, b)


def test_same_random_state_gives_identical_predictions(sine):
    X, y = sine[0][:300], sine[1][:300]
    a = RNNForecaster(**FAST).fit(X, y).predict(X)
    b = RNNForecaster(**FAST).fit(X, y).predict(X)
    c = RNNForecaster(**{**FAST, "random_state": 1}).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_fit_leaves_global_random_state_unchanged(sine):
    X, y = sine[0][:200], sine[1][:200]
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    RNNForecaster(**FAST).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state[1])


def test_clone_and_pickle_round_trips(sine):
    X, y = sine[0][:200], sine[1][:200]
    model = RNNForecaster(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    np.testing.assert_array_equal(restored.forecast(X[0], 20), model.forecast(X[0], 20))
    cloned = clone(model)
    assert not hasattr(cloned, "net_")
    np.testing.assert_array_equal(cloned.fit(X, y).predict(X), model.predict(X))


def test_grid_search_over_cells_with_time_series_split(sine):
    X, y = sine[0][:300], sine[1][:300]
    grid = GridSearchCV(
        RNNForecaster(max_epochs=3, random_state=0),
        {"cell": ["lstm", "gru", "rnn"], "hidden_size": [16, 32]},
        cv=TimeSeriesSplit(3),
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 6
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_estimator_.cell in {"lstm", "gru", "rnn"}


def test_cross_val_score_and_pipeline(sine):
    X, y = sine[0][:300], sine[1][:300]
    scores = cross_val_score(RNNForecaster(**FAST), X, y, cv=TimeSeriesSplit(2))
    assert scores.shape == (2,)
    from sklearn.preprocessing import FunctionTransformer

    pipe = make_pipeline(FunctionTransformer(lambda a: 2 * a), RNNForecaster(**FAST))
    assert pipe.fit(X, y).predict(X[:3]).shape == (3,)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_every_cell_learns(sine, cell):
    X, y = sine[0][:400], sine[1][:400]
    model = RNNForecaster(cell=cell, hidden_size=32, max_epochs=10, random_state=0)
    assert model.fit(X, y).score(X, y) > 0.9


def test_architecture_parameters_reach_the_module(sine):
    X, y = sine[0][:100], sine[1][:100]
    model = RNNForecaster(
        cell="rnn",
        nonlinearity="relu",
        num_layers=2,
        bidirectional=True,
        dropout=0.1,
        hidden_size=6,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    rnn = model.net_.module_.encoder.rnn
    assert isinstance(rnn, torch.nn.RNN)
    assert (rnn.nonlinearity, rnn.num_layers, rnn.bidirectional, rnn.hidden_size) == (
        "relu",
        2,
        True,
        6,
    )
    assert rnn.dropout == 0.1


def test_standardize_off_still_fits(sine):
    X, y = sine[0][:300], sine[1][:300]
    model = RNNForecaster(standardize=False, **FAST).fit(X, y)
    assert not hasattr(model, "x_mean_")
    assert np.isfinite(model.predict(X)).all()


@pytest.mark.parametrize("scaling", ["global", "mean", "last", "diff"])
def test_standardize_undone_in_predict(scaling):
    X, y = make_windows(1000 + 50 * np.sin(0.1 * np.arange(400)), lookback=20)
    model = RNNForecaster(max_epochs=20, scaling=scaling, random_state=0).fit(X, y)
    if scaling == "global":  # learned on the windows trained on before calibration
        head = len(y) - int(0.2 * len(y))
        assert model.y_mean_[0] == pytest.approx(y[:head].mean())
        alone = RNNForecaster(max_epochs=1, scaling="global", calibration_fraction=None)
        alone.fit(X, y)
        assert alone.y_mean_[0] == pytest.approx(y.mean())
    assert abs(model.predict(X).mean() - 1000) < 5


def test_early_stopping_stops_and_uses_the_tail_for_validation(sine):
    X, y = sine[0], sine[1]
    model = RNNForecaster(
        early_stopping=True,
        patience=2,
        max_epochs=200,
        hidden_size=16,
        lr=0.05,
        random_state=0,
    ).fit(X, y)
    assert model.n_epochs_ < 200
    assert "valid_loss" in model.net_.history[-1]
    split = model.net_.train_split
    train, valid = split(np.arange(10))
    assert list(valid.indices) == [9]


def test_gradient_clip_on_by_default_and_off_with_none(sine):
    X, y = sine[0][:64], sine[1][:64]
    on = RNNForecaster(**FAST).fit(X, y)
    off = RNNForecaster(gradient_clip=None, **FAST).fit(X, y)
    assert "gradient_clip" in dict(on.net_.callbacks_)
    assert "gradient_clip" not in dict(off.net_.callbacks_)


@pytest.mark.parametrize(
    "optimizer", ["adam", "adamw", "sgd", "rmsprop", torch.optim.Adagrad]
)
def test_optimizers(sine, optimizer):
    X, y = sine[0][:64], sine[1][:64]
    model = RNNForecaster(optimizer=optimizer, weight_decay=1e-4, **FAST).fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert model.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-4


def test_user_callbacks_run_and_are_not_mutated(sine):
    class Count(Callback):
        def __init__(self):
            self.epochs = 0

        def on_epoch_end(self, net, **kwargs):
            self.epochs += 1

    counter = Count()
    model = RNNForecaster(callbacks=[("count", counter)], **FAST).fit(
        sine[0][:64], sine[1][:64]
    )
    assert dict(model.net_.callbacks_)["count"].epochs == FAST["max_epochs"]
    assert counter.epochs == 0


def test_verbose_prints_the_epoch_table(sine, capsys):
    RNNForecaster(verbose=1, **FAST).fit(sine[0][:64], sine[1][:64])
    out = capsys.readouterr().out
    assert "train_loss" in out and "epoch" in out
    RNNForecaster(verbose=0, **FAST).fit(sine[0][:64], sine[1][:64])
    assert capsys.readouterr().out == ""


def test_warm_start_continues_training(sine):
    X, y = sine[0][:200], sine[1][:200]
    model = RNNForecaster(warm_start=True, **FAST).fit(X, y)
    first_loss = model.net_.history[-1, "train_loss"]
    net = model.net_
    model.fit(X, y)
    # it trains a copy of the net, so that a failed fit could go back to this one
    assert len(net.history) == FAST["max_epochs"]
    assert model.n_epochs_ == 2 * FAST["max_epochs"]
    assert model.net_.history[-1, "train_loss"] < first_loss


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_cuda_without_gpu_is_a_clear_error(sine):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        RNNForecaster(device="cuda", **FAST).fit(sine[0][:20], sine[1][:20])


def test_device_auto_trains(sine):
    model = RNNForecaster(device="auto", **FAST).fit(sine[0][:20], sine[1][:20])
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert next(model.net_.module_.parameters()).device.type == expected


# --- bad input: every case is a clear error naming the problem --------------------


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    return RNNForecaster(**FAST).fit(rng.normal(size=(30, 8)), rng.normal(size=30))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.array([[0.0, np.nan]] * 3), np.ones(3), "X contains NaN or infinity"),
        (np.array([[0.0, np.inf]] * 3), np.ones(3), "X contains NaN or infinity"),
        (np.ones((3, 2)), np.array([1.0, np.nan, 0.0]), "y contains NaN or infinity"),
        (np.ones((3, 2)), np.array([1.0, np.inf, 0.0]), "y contains NaN or infinity"),
        (np.ones((0, 4)), np.ones(0), "empty"),
        (np.ones((3, 2, 2, 2)), np.ones(3), "4 dimensions"),
        (np.array([["a", "b"]] * 3), np.ones(3), "strings"),
        (np.ones((3, 2)), np.ones(4), "inconsistent numbers of samples"),
        (np.ones((3, 2)), np.array(["a", "b", "c"]), "y contains strings"),
    ],
)
def test_bad_fit_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        RNNForecaster(**FAST).fit(X, y)


def test_wrong_channel_count_at_predict(fitted):
    with pytest.raises(
        ValueError,
        match="X has 3 channels, but RNNForecaster was fitted on sequences with 1 channels",
    ):
        fitted.predict(np.ones((2, 8, 3)))


def test_wrong_window_length_for_2d_input(fitted):
    with pytest.raises(
        ValueError, match="X has 5 features, but RNNForecaster is expecting 8"
    ):
        fitted.predict(np.ones((2, 5)))


def test_predict_and_forecast_before_fit():
    with pytest.raises(NotFittedError):
        RNNForecaster().predict(np.ones((2, 5)))
    with pytest.raises(NotFittedError):
        RNNForecaster().forecast(np.ones(5), steps=3)


@pytest.mark.parametrize("steps", [0, -1, 2.5, "3"])
def test_steps_must_be_positive_int(fitted, steps):
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        fitted.forecast(np.zeros(8), steps=steps)


def test_forecast_seed_checks(fitted):
    with pytest.raises(ValueError, match="X_seed windows have 5 time steps"):
        fitted.forecast(np.zeros(5), steps=2)
    with pytest.raises(ValueError, match="NaN or infinity"):
        fitted.forecast(np.array([np.nan] * 8), steps=2)
    with pytest.raises(ValueError, match=r"X_seed must be shaped \(T,\) or \(n, T\)"):
        fitted.forecast(np.zeros((2, 8, 1, 1)), steps=2)


def test_invalid_parameters_name_the_choices():
    with pytest.raises(
        ValueError, match="'cell' parameter of RNNForecaster must be a str among"
    ):
        RNNForecaster(cell="lsmt").fit(np.ones((4, 3)), np.ones(4))
    with pytest.raises(ValueError, match="hidden_size"):
        RNNForecaster(hidden_size=0).fit(np.ones((4, 3)), np.ones(4))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        RNNForecaster(optimizer=len).fit(np.ones((4, 3)), np.ones(4))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_training_matches_cpu_quality_and_unpickles_on_cpu(sine):
    X, y = sine[0][:300], sine[1][:300]
    gpu = RNNForecaster(device="cuda", **FAST).fit(X, y)
    assert next(gpu.net_.module_.parameters()).device.type == "cuda"
    cpu = RNNForecaster(**FAST).fit(X, y)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), atol=1e-3)
    assert gpu.forecast(X[0], steps=10).shape == (10,)
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_allclose(restored.predict(X), gpu.predict(X), rtol=1e-6)


class _RecordModes(Callback):
    """Record, at every training step, whether every submodule is in training mode."""

    def initialize(self):
        self.modes = []
        return self

    def on_grad_computed(self, net, **kwargs):
        self.modes.append(all(m.training for m in net.module_.modules()))


def test_modes_switch_whenever_a_submodule_is_off(sine):
    # predict puts the network in eval mode and training puts it back, also when
    # only a submodule is in the other mode (both skip the switch when none is)
    X, y = sine[0][:64], sine[1][:64]
    params = {**FAST, "dropout": 0.5, "num_layers": 2, "calibration_fraction": None}
    model = RNNForecaster(**params).fit(X, y)
    expected = model.predict(X[:20])
    model.net_.module_.encoder.train()  # dropout on in the encoder only
    np.testing.assert_array_equal(model.predict(X[:20]), expected)
    recorder = _RecordModes()
    model.set_params(warm_start=True, max_epochs=1, callbacks=[("modes", recorder)])
    model.net_.module_.train()
    model.net_.module_.encoder.eval()  # the top module already in training mode
    model.fit(X, y)
    assert dict(model.net_.callbacks_)["modes"].modes == [True, True]


class _Weights(Callback):
    """Records the module's weights at the end of every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.epochs = []

    def on_epoch_end(self, net, **kwargs):
        self.epochs.append([p.detach().clone() for p in net.module_.parameters()])


@pytest.mark.parametrize("share, averaged", [(0.5, 3), (0.2, 1), (1.0, 5), (None, 0)])
def test_weight_averaging_keeps_the_mean_of_the_last_epochs(share, averaged):
    X, y = make_windows(np.sin(0.3 * np.arange(120)), lookback=10)
    record = _Weights()
    model = RNNForecaster(
        hidden_size=4,
        max_epochs=5,
        weight_averaging=share,
        calibration_fraction=None,
        callbacks=[("weights", record)],
        random_state=0,
    ).fit(X, y)
    epochs = model.net_.callbacks_[-1][1].epochs  # the net's copy of the callback
    assert len(epochs) == 5
    last = epochs[-averaged:] if averaged else epochs[-1:]
    for i, param in enumerate(model.net_.module_.parameters()):
        expected = torch.stack([weights[i] for weights in last]).mean(0)
        torch.testing.assert_close(param.detach(), expected, rtol=1e-5, atol=1e-7)
    if averaged > 1:  # the average is not any one epoch's weights
        assert not torch.equal(next(model.net_.module_.parameters()), epochs[-1][0])


def test_early_stopping_keeps_its_best_epoch_not_an_average():
    X, y = make_windows(np.sin(0.3 * np.arange(120)), lookback=10)
    model = RNNForecaster(
        hidden_size=4, max_epochs=3, early_stopping=True, calibration_fraction=None
    ).fit(X, y)
    names = [name for name, _ in model.net_.callbacks_]
    assert "early_stopping" in names and "weight_averaging" not in names
    assert RNNForecaster().weight_averaging == 0.5


@pytest.mark.parametrize("share", [0, 1.5, -0.1, "half"])
def test_bad_weight_averaging(share):
    X, y = make_windows(np.sin(0.3 * np.arange(60)), lookback=10)
    with pytest.raises(ValueError, match="weight_averaging"):
        RNNForecaster(weight_averaging=share, max_epochs=1).fit(X, y)


@pytest.mark.parametrize("scaling", ["diff", "mean", "last"])
def test_intermittent_series_forecasts_stay_finite(scaling):
    # 95% zeros: many windows are flat, and a spike after one would read as a change
    # of 1e8 window scales; the fitted flat_scale_ stands in for their scale instead
    rng = np.random.default_rng(0)
    series = rng.poisson(0.05, 400) * rng.integers(1, 10, 400).astype(float)
    X, y = make_windows(series, lookback=24)
    model = RNNForecaster(scaling=scaling, calibration_fraction=None, **FAST).fit(X, y)
    flat = np.abs(np.diff(X, axis=1)).sum(axis=1) == 0
    assert 0.1 < flat.mean() < 0.9  # the case is real: flat and moving windows
    assert model.flat_scale_.shape == (1,) and model.flat_scale_[0] > 0.1
    out = model.forecast(np.zeros(24), steps=30)  # from a flat seed
    assert np.all(np.isfinite(out)) and np.abs(out).max() < series.max()
    assert np.all(np.isfinite(model.predict(X)))


def test_flat_scale_is_the_mean_scale_of_moving_windows():
    from sklearn_seq._scaling import WindowFrame, typical_scale
    from sklearn_seq._sequences import Sequences

    windows = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 1.0], [0, 1, 2]])
    seqs = Sequences(windows[:, :, None], np.full(4, 3), "3d")
    # mean absolute steps 0, 2, 0, 1: the moving windows average 1.5
    np.testing.assert_allclose(typical_scale(seqs, "diff", 1), [1.5])
    frame = WindowFrame.of(seqs, "diff", 1, flat_scale=np.array([1.5]))
    np.testing.assert_allclose(frame.scale[:, 0], [1.5, 2.0, 1.5, 1.0])
    still = Sequences(np.zeros((2, 3, 1)), np.full(2, 3), "3d")
    assert typical_scale(still, "diff", 1) is None


UNITS = [1e-12, 1e-9, 1e-6, 1.0, 1e3, 1e12]


@pytest.mark.parametrize("scaling", ["diff", "mean", "last", "global"])
def test_forecasts_follow_the_series_units(scaling):
    """The same series in other units forecasts the same, in those units: the
    flat-window threshold was absolute, and in units of 1e-9 every window read as
    flat (a 30-step error 4.8 times the signal). The network reads float32, so
    the units agree to float32 rounding, not bit for bit (2.4e-7 of the signal's
    range seen)."""
    t = np.arange(300)
    series = np.sin(2 * np.pi * t / 25) + 0.01 * t
    outs, bands, flats = [], [], []
    for unit in UNITS:
        X, y = make_windows(series[:260] * unit, lookback=20)
        model = RNNForecaster(hidden_size=8, max_epochs=5, random_state=0, scaling=scaling)
        model.fit(X, y)
        seed = series[240:260] * unit
        outs.append(model.forecast(seed, steps=30) / unit)
        bands.append(np.stack(model.forecast_interval(seed, steps=30, coverage=0.8)) / unit)
        if scaling != "global":
            flats.append(model.flat_scale_ / unit)
    tolerance = 1e-5 * np.ptp(series)
    for unit, out, band in zip(UNITS, outs, bands, strict=True):
        np.testing.assert_allclose(out, outs[3], rtol=0, atol=tolerance, err_msg=unit)
        np.testing.assert_allclose(band, bands[3], rtol=0, atol=tolerance, err_msg=unit)
    for flat in flats:
        np.testing.assert_allclose(flat, flats[3], rtol=1e-6)  # windows are read as float32


@pytest.mark.parametrize("kind", ["diff", "mean", "last"])
def test_flat_windows_are_flat_at_any_level(kind):
    from sklearn_seq._scaling import WindowFrame, typical_scale
    from sklearn_seq._sequences import Sequences

    # a window of constant c is flat at any c; one moving by 1e-6 of its level is not
    for level in [0.0, 1e-15, 1e-9, 1.0, 1e9, 1e15]:
        size = level or 1e-30
        still = np.full((1, 5, 1), level)
        moving = level + 1e-6 * size * np.array([0.0, 1.0, 0.0, -1.0, 0.0])[None, :, None]
        seqs = Sequences(np.concatenate([still, moving]), np.full(2, 5), "3d")
        own = typical_scale(seqs, kind, 1)  # the moving window's scale alone
        assert own is not None and 3e-7 * size < own[0] < 1.5e-6 * size, level
        scale = WindowFrame.of(seqs, kind, 1, flat_scale=np.array([7.0 * size])).scale
        assert scale[0, 0] == 7.0 * size, level  # the flat one gets flat_scale
        assert scale[1, 0] == own[0], level

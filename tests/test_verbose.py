"""What ``verbose=1`` writes when the output is a log file rather than a terminal."""

import io
import sys

import numpy as np
import pytest
from skorch.callbacks import Callback, EarlyStopping

from sklearn_seq import RNNForecaster, SequenceClassifier, SequenceGenerator
from sklearn_seq._progress import arrange_callbacks

TINY = {"hidden_size": 4, "max_epochs": 3, "random_state": 0, "verbose": 1}
# noise targets and a large step: the validation loss soon stops improving
# (one training run: no interval calibration, which trains on the first windows first)
STOPS_EARLY = {
    **TINY,
    **{"max_epochs": 50, "lr": 0.1, "early_stopping": True, "patience": 1},
    "calibration_fraction": None,
}


def noise(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 10)), rng.normal(size=n)


def table_epochs(out):
    """The epoch numbers of the table's rows, in order."""
    firsts = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [int(word) for word in firsts if word.isdigit()]


class Terminal(io.StringIO):
    def isatty(self):
        return True


ESTIMATORS = {
    "forecaster": lambda: (RNNForecaster(**TINY), noise()),
    "classifier": lambda: (SequenceClassifier(**TINY), (noise()[0], np.arange(64) % 2)),
    "generator": lambda: (SequenceGenerator(**TINY), (noise()[0], noise()[0][:, :5])),
}


@pytest.mark.parametrize("name", ESTIMATORS)
def test_table_is_plain_text_with_every_epoch(name, capfd):
    model, (X, y) = ESTIMATORS[name]()
    model.fit(X, y)
    out, err = capfd.readouterr()
    assert "train_loss" in out
    assert "\x1b[" not in out + err
    assert table_epochs(out) == [1, 2, 3]


def test_progress_bar_is_left_out_when_stderr_is_not_a_terminal(capfd):
    model = RNNForecaster(**TINY).fit(*noise())
    assert "progress_bar" not in dict(model.net_.callbacks_)
    assert capfd.readouterr().err == ""


def test_epoch_where_early_stopping_stops_is_in_the_table(capfd):
    model = RNNForecaster(**STOPS_EARLY).fit(*noise())
    out = capfd.readouterr().out
    assert model.n_epochs_ < STOPS_EARLY["max_epochs"]
    assert table_epochs(out) == list(range(1, model.n_epochs_ + 1))
    assert "\x1b[" not in out
    # the row comes before the message that training stopped
    assert out.index("Stopping since") > out.rindex(f"\n{model.n_epochs_:>7}  ")


def test_user_callbacks_see_the_epoch_where_training_stops():
    class Count(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    params = {**STOPS_EARLY, "verbose": 0}
    model = RNNForecaster(callbacks=[("count", Count())], **params).fit(*noise())
    assert dict(model.net_.callbacks_)["count"].epochs_ == model.n_epochs_


def test_silent_with_early_stopping(capfd):
    RNNForecaster(**{**STOPS_EARLY, "verbose": 0}).fit(*noise())
    assert capfd.readouterr() == ("", "")


def test_terminal_keeps_colours_and_progress_bar(monkeypatch):
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", Terminal())
    model = RNNForecaster(**TINY).fit(*noise())
    assert "progress_bar" in dict(model.net_.callbacks_)
    assert "\x1b[" in sys.stdout.getvalue()
    assert table_epochs(sys.stdout.getvalue()) == [1, 2, 3]


def test_arrange_callbacks_puts_what_stops_training_last():
    stop, user = ("stop", EarlyStopping()), ("user", Callback())
    names = [name for name, _ in arrange_callbacks([stop, user], verbose=0)]
    assert names == ["user", "stop"]
    names = [name for name, _ in arrange_callbacks([stop, user], verbose=1)]
    assert names == ["user", "epoch_table", "stop"]

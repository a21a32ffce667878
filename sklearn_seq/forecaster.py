"""RNNForecaster: sequence -> next value(s), with recursive rollouts."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._base import RecurrentEstimator
from ._docs import shared_docs
from ._modules import SequenceToVector
from ._nets import WeightedRegressorNet
from ._sequences import Sequences
from ._targets import ScaledTargets
from ._validation import check_count


@shared_docs
class RNNForecaster(RegressorMixin, RecurrentEstimator):
    """Recurrent neural network forecaster (LSTM, GRU or plain RNN).

    Learns to map a window of a series to the value(s) that follow it: the
    next value (``y`` 1-D), several values ahead at once (``y`` 2-D, direct
    multi-step), or the next step of every channel of a multichannel series.
    :meth:`forecast` then rolls the model forward on its own predictions.
    Build ``(X, y)`` from a series with :func:`make_windows`.

    Parameters
    ----------
    {network_parameters}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}
    target_shape_ : tuple
        Shape of one target row (``()`` for a 1-D ``y``).
    y_mean_, y_scale_ : ndarray of shape ``(n_outputs_,)``
        Target standardization (only with ``standardize=True``).

    See Also
    --------
    make_windows : Cut a series into ``(X, y)`` training windows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import RNNForecaster, make_windows
    >>> X, y = make_windows(np.sin(0.1 * np.arange(300)), lookback=20)
    >>> model = RNNForecaster(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
    >>> model.forecast(X[-1], steps=50).shape
    (50,)
    """

    _net_class = WeightedRegressorNet
    _criterion = nn.MSELoss
    _doc_fill = {
        "targets": " and each target column",
        "units": "; predictions come back in the units of ``y``",
        "draws": "",
        "outputs": " (the values of one target row)",
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        normalization=None,
        max_epochs=100,
        batch_size=32,
        lr=3e-3,
        lr_schedule=None,
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        device="cpu",
        n_threads=1,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.normalization = normalization
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.gradient_clip = gradient_clip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def _build_module(self, n_channels, n_outputs):
        return SequenceToVector(n_outputs, **self._encoder_kwargs(n_channels))

    def _make_codec(self, y=None):
        return ScaledTargets(self.standardize)

    def fit(self, X, y, sample_weight=None):
        """Fit the forecaster on windows ``X`` and the values that follow them.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Input windows.
        y : array-like of shape (n,), (n, k) or (n, horizon, C)
            Targets: the next value, ``k`` values ahead (or the next value of
            each of ``k`` channels), or ``horizon`` steps of ``C`` channels.
        sample_weight : array-like of shape (n,), default=None
            Weight of each sample in the loss: a weight of 2 counts a sample as
            two copies of it would, 0 leaves it out. None weighs all equally.

        Returns
        -------
        self : RNNForecaster
            The fitted forecaster.
        """
        return self._fit(X, y, sample_weight)

    def _predict_sequences(self, seqs: Sequences) -> np.ndarray:
        """Predictions in the units of ``y``, shaped ``(n,) + target_shape_``."""
        return self._target_codec().inverse_transform(self._infer(seqs))

    def predict(self, X):
        """Predict the target of each window.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Input windows, with the channels seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape ``(n,) + target_shape_``
            Predictions in the units of ``y``.
        """
        check_is_fitted(self)
        return self._predict_sequences(self._check_input(X, reset=False))

    def _steps_per_call(self) -> int:
        """Time steps of the input channels predicted by one forward pass."""
        n_outputs = int(np.prod(self.target_shape_))
        channels = self.n_channels_in_
        if len(self.target_shape_) == 2 and self.target_shape_[1] == channels:
            return self.target_shape_[0]
        if len(self.target_shape_) <= 1 and n_outputs % channels == 0:
            if channels == 1 or n_outputs == channels:
                return n_outputs // channels
        raise ValueError(
            f"forecast needs targets that continue the input channels: y rows shaped "
            f"(), (horizon,) for univariate series or ({channels},) / (horizon, "
            f"{channels}) for {channels} channels; this model was fitted on rows "
            f"shaped {self.target_shape_}."
        )

    def forecast(self, X_seed, steps):
        """Roll the model forward on its own predictions.

        Each forward pass predicts the next value(s) of every input channel;
        they are appended to the window, whose oldest steps are dropped, and
        the model is applied again until ``steps`` values exist. This needs a
        model whose targets are the input channels (as :func:`make_windows`
        builds them).

        Parameters
        ----------
        X_seed : array-like
            The seed window(s): ``(T,)`` or a batch ``(n, T)`` for univariate
            models; ``(T, C)`` or a batch ``(n, T, C)`` for ``C`` channels.
            All zeros is allowed.
        steps : int
            Number of future time steps to produce (>= 1).

        Returns
        -------
        forecast : ndarray
            ``(steps,)`` / ``(n, steps)`` for univariate models, ``(steps, C)`` /
            ``(n, steps, C)`` for ``C`` channels.
        """
        check_is_fitted(self)
        steps = check_count(steps, "steps")
        per_call = self._steps_per_call()
        channels = self.n_channels_in_
        seed = np.asarray(X_seed)
        single = seed.ndim == (1 if channels == 1 else 2)
        if single:
            seed = seed[None]
        if channels == 1 and seed.ndim == 2:
            seed = seed[:, :, None]
        if seed.ndim != 3:
            layout = (
                "(T,) or (n, T)"
                if channels == 1
                else f"(T, {channels}) or (n, T, {channels})"
            )
            raise ValueError(
                f"X_seed must be shaped {layout} for this model, "
                f"got shape {np.shape(X_seed)}."
            )
        window = self._check_input(seed, reset=False, names=False).values.astype(np.float64)
        if getattr(self, "n_features_in_", None) not in (None, window.shape[1]):
            raise ValueError(
                f"X_seed windows have {window.shape[1]} time steps, but the model was "
                f"fitted on windows of {self.n_features_in_}."
            )
        n, length, _ = window.shape
        produced = []
        for _ in range(-(-steps // per_call)):
            seqs = Sequences(window.astype(np.float32), np.full(n, length), "3d")
            nxt = self._predict_sequences(seqs).reshape(n, per_call, channels)
            produced.append(nxt)
            window = np.concatenate([window, nxt], axis=1)[:, -length:]
        out = np.concatenate(produced, axis=1)[:, :steps]
        if channels == 1:
            out = out[:, :, 0]
        return out[0] if single else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

"""SequenceClassifier: sequence -> label."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from torch import nn

from ._base import RecurrentEstimator
from ._modules import SequenceToVector
from ._sequences import check_n_targets, require_y


class SequenceClassifier(ClassifierMixin, RecurrentEstimator):
    """Recurrent neural network classifier for sequences.

    Reads each sequence with a recurrent encoder (LSTM, GRU or plain RNN),
    pools its outputs over time into one vector, and classifies that vector.
    Sequences may be univariate or multichannel, of one length or of many:
    uneven batches are packed, so a sequence's prediction does not depend on
    the sequences it is batched with.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="gru"
        Recurrent cell.
    hidden_size : int, default=64
        Units per recurrent layer and direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=True
        Also read each sequence backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``"rnn"`` cell (ignored by LSTM and GRU).
    pooling : {"last", "mean", "max", "mean_max", "attention"}, default="mean_max"
        How the outputs over time become one vector: the final hidden state,
        the mean or the max over each sequence's valid steps, both side by side
        (``"mean_max"``), or a learned attention-weighted sum.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss: ``{label: weight}``, or
        ``"balanced"`` for weights inversely proportional to class frequencies.
    max_epochs : int, default=100
        Training epochs (fewer with ``early_stopping``).
    batch_size : int, default=16
        Sequences per gradient step (and per inference batch).
    lr : float, default=1e-2
        Learning rate.
    lr_schedule : {"cosine", "plateau"} or None, default="cosine"
        Learning-rate schedule: cosine annealing to zero over ``max_epochs``,
        or halving when the loss plateaus for 5 epochs.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or Optimizer class, default="adam"
        Optimizer.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    gradient_clip : float or None, default=1.0
        Maximum gradient norm; ``None`` turns clipping off.
    early_stopping : bool, default=False
        Stop when the validation loss has not improved for ``patience``
        epochs, and keep the best weights. The validation set is a stratified
        random ``validation_fraction`` of the training data.
    validation_fraction : float, default=0.1
        Share of sequences held out when ``early_stopping`` is on.
    patience : int, default=10
        Epochs without improvement before stopping.
    standardize : bool, default=True
        Standardize each channel with statistics of the training data.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train; ``"auto"`` picks a GPU when torch sees one.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split. The
        same integer gives identical predictions on CPU; the caller's global
        random state is left as it was.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar and the epoch table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (copied at each fit).
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit`` call.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, in the order of ``predict_proba``'s columns.
    net_ : skorch.NeuralNetClassifier
        The trained net; ``net_.history`` holds the per-epoch losses.
    n_channels_in_ : int
        Channels of the training sequences.
    n_features_in_ : int
        Time steps of a 2-D training array (only set for 2-D ``X``).
    n_epochs_ : int
        Epochs trained in total.
    class_weights_ : ndarray of shape (n_classes,) or None
        Loss weight of each class in ``classes_`` order (from ``class_weight``).
    x_mean_, x_scale_ : ndarray of shape ``(n_channels_in_,)``
        Input standardization (only with ``standardize=True``).

    See Also
    --------
    RNNForecaster : Recurrent regression of the next value(s) of a series.

    Notes
    -----
    The defaults (bidirectional GRU, mean and max pooling side by side, Adam at
    1e-2 annealed to zero by a cosine schedule over 100 epochs, batches of 16)
    were chosen by measurement on the UCR GunPoint and ItalyPowerDemand data
    sets, where they beat the archive's 1-NN DTW baseline (0.907 and 0.950)
    for each of the random states 0, 1 and 2. A plain LSTM with last-step
    pooling gets about 0.79 on GunPoint; mean pooling alone, or a learning rate
    of 3e-3, sits on a loss plateau there, and max pooling alone overfits
    ItalyPowerDemand.

    Examples
    --------
    >>> from sklearn_seq import SequenceClassifier
    >>> from sklearn_seq.datasets import load_italy_power_demand
    >>> X_train, X_test, y_train, y_test = load_italy_power_demand(return_X_y=True)
    >>> clf = SequenceClassifier(max_epochs=10, random_state=0).fit(X_train, y_train)
    >>> clf.classes_
    array([1, 2])
    >>> clf.predict_proba(X_test[:3]).shape
    (3, 2)
    """

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "pooling": [StrOptions({"last", "mean", "max", "mean_max", "attention"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _net_class = NeuralNetClassifier
    _criterion = nn.CrossEntropyLoss
    _stratified_split = True

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        nonlinearity="tanh",
        pooling="mean_max",
        class_weight=None,
        max_epochs=100,
        batch_size=16,
        lr=1e-2,
        lr_schedule="cosine",
        optimizer="adam",
        weight_decay=0.0,
        gradient_clip=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        device="cpu",
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
        self.pooling = pooling
        self.class_weight = class_weight
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
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def _build_module(self, n_channels, n_outputs):
        return SequenceToVector(
            n_outputs, pooling=self.pooling, **self._encoder_kwargs(n_channels)
        )

    def _encode_labels(self, y, n_samples: int) -> np.ndarray:
        require_y(y, type(self).__name__)
        y = column_or_1d(y, warn=True)
        check_n_targets(len(y), n_samples)
        check_classification_targets(y)
        if self._is_warm():
            unseen = np.setdiff1d(y, self.classes_)
            if len(unseen):
                raise ValueError(f"y contains labels not seen in the first fit: {unseen}.")
            return self._label_encoder.transform(y)
        self._label_encoder = LabelEncoder().fit(y)
        self.classes_ = self._label_encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"y contains only one class ({self.classes_[0]!r}); a classifier "
                "needs samples of at least 2 classes."
            )
        return self._label_encoder.transform(y)

    def _class_weights(self, y_encoded: np.ndarray):
        """Loss weights in ``classes_`` order, or None."""
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, dict):
            unknown = sorted(map(str, set(self.class_weight) - set(self.classes_.tolist())))
            if unknown:
                raise ValueError(
                    f"class_weight names labels that are not in y: {unknown}; "
                    f"the classes are {self.classes_.tolist()}."
                )
        weights = compute_class_weight(
            self.class_weight, classes=self.classes_, y=self.classes_[y_encoded]
        )
        return weights.astype(np.float32)

    def _net_kwargs(self) -> dict:
        if getattr(self, "class_weights_", None) is None:
            return {}
        return {"criterion__weight": torch.from_numpy(self.class_weights_)}

    def fit(self, X, y):
        """Fit the classifier.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Training sequences.
        y : array-like of shape (n,)
            Class labels of any type (strings, ints, ...).

        Returns
        -------
        self : SequenceClassifier
            The fitted classifier.
        """
        self._validate_params()
        seqs = self._check_input(X, reset=not self._is_warm())
        y_encoded = self._encode_labels(y, seqs.n_samples)
        self._fit_input_scaler(seqs)
        if not self._is_warm():
            self.class_weights_ = self._class_weights(y_encoded)
        return self._fit_net(seqs, y_encoded.astype(np.int64), n_outputs=len(self.classes_))

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Sequences with the channels seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        logits = self._forward(self._check_input(X, reset=False))
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predict the class label of each sequence.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Sequences with the channels seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

"""SequenceEncoder: features of sequences learned without labels."""

from __future__ import annotations

import torch
from sklearn.utils._param_validation import StrOptions
from torch import nn

from ._autoencoder import SequenceAutoencoder
from ._base import RecurrentEstimator
from ._docs import shared_docs
from ._features import FeaturesMixin
from ._inference import float64_copy
from ._targets import InputTargets
from ._training import ReconstructionNet


@shared_docs
class SequenceEncoder(FeaturesMixin, RecurrentEstimator):
    """Learn fixed-length features of sequences without labels (an autoencoder).

    ``fit(X)`` trains a recurrent encoder, which reads each sequence and pools
    its outputs over time into one vector (the code), together with a
    recurrent decoder that rebuilds the whole sequence from the code alone.
    ``transform(X)`` returns the codes: one row of features per sequence,
    for the models a scikit-learn user already has (logistic regression,
    gradient boosting, a ``ColumnTransformer`` beside tabular columns).
    Sequences may be univariate or multichannel, of one length or of many;
    the reconstruction loss of a ragged batch counts each sequence's own
    steps only.

    Parameters
    ----------
    {network_parameters}
    pooling : {"last", "mean", "max", "mean_max", "attention"}, default="mean_max"
        How the encoder's outputs over time become the code: the final hidden
        state, the mean or the max over each sequence's valid steps, both side
        by side (``"mean_max"``), or a learned attention-weighted sum.
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    SequenceClassifier : Its ``transform`` gives features learned from labels.

    Notes
    -----
    The features are those of a network trained to rebuild its input, so
    they describe what varies most between the training sequences, not
    necessarily what tells classes apart; with labels for enough sequences,
    the classifier's own ``transform`` is the stronger choice. The encoder
    pays where labels are few: fit it on every sequence, labelled or not,
    and a linear model on the codes of the labelled ones.

    The objective is reconstruction (the decoder rebuilds the standardized
    input, in order, from the code). Word ids
    (``Word2VecTransformer(output="ids")``) are not read: give word vectors
    (``output="sequence"``) instead.

    Examples
    --------
    >>> from sklearn_seq import SequenceEncoder
    >>> from sklearn_seq.datasets import load_italy_power_demand
    >>> X_train, X_test, y_train, y_test = load_italy_power_demand(return_X_y=True)
    >>> encoder = SequenceEncoder(hidden_size=8, max_epochs=5, random_state=0)
    >>> encoder.fit(X_train).transform(X_test).shape
    (1029, 32)
    """

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "pooling": [StrOptions({"last", "mean", "max", "mean_max", "attention"})],
    }
    _fitted_attributes = InputTargets.fitted
    _net_class = ReconstructionNet
    _criterion = nn.MSELoss  # unused: ReconstructionNet asks the module for the loss
    _doc_fill = {
        "targets": "",
        "units": " (the decoder rebuilds the standardized inputs)",
        "draws": "",
        "outputs": " (the decoder's: one value per input channel and step)",
    }

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.0,
        nonlinearity="tanh",
        normalization=None,
        front_end="auto",
        patch_size="auto",
        pooling="mean_max",
        max_epochs="auto",
        batch_size=16,
        lr=1e-2,
        lr_schedule="cosine",
        optimizer="adam",
        weight_decay=0.0,
        weight_averaging=None,
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
        self.front_end = front_end
        self.patch_size = patch_size
        self.pooling = pooling
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.weight_averaging = weight_averaging
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
        return SequenceAutoencoder(
            n_outputs, pooling=self.pooling, **self._encoder_kwargs(n_channels)
        )

    def _make_codec(self, y=None):
        return InputTargets(self.n_channels_in_)

    def _fit_targets(self, y, seqs):
        return seqs  # the inputs are the targets; y is ignored

    def _inference_module(self, module, device):
        # features are compared as probabilities are (scikit-learn's checks, to
        # 1e-9): on the CPU through a float64 copy, as the classifier predicts
        return float64_copy(module) if torch.device(device).type == "cpu" else module

    def fit(self, X, y=None, sample_weight=None):
        """Train the encoder and its decoder to rebuild the sequences.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Training sequences.
        y : None
            Ignored (present for the API of pipelines).
        sample_weight : array-like of shape (n,), default=None
            Weight of each sample in the loss: a weight of 2 counts a sample as
            two copies of it would, 0 leaves it out. None weighs all equally.

        Returns
        -------
        self : SequenceEncoder
            The fitted encoder.
        """
        return self._fit(X, y, sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

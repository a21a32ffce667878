"""SequenceEncoder: features of sequences learned without labels."""

from __future__ import annotations

import torch
from sklearn.utils._param_validation import StrOptions
from torch import nn

from ._autoencoder import ContrastiveEncoder, MaskedEncoder, SequenceAutoencoder
from ._base import RecurrentEstimator
from ._docs import shared_docs
from ._features import FeaturesMixin
from ._inference import float64_copy
from ._targets import InputTargets
from ._training import ReconstructionNet


@shared_docs
class SequenceEncoder(FeaturesMixin, RecurrentEstimator):
    """Learn fixed-length features of sequences without labels.

    ``fit(X)`` trains a recurrent encoder, which reads each sequence and pools
    its outputs over time into one vector (the code). By default it learns to
    fill in blocks of each sequence's values hidden from it (masked-value
    pre-training); with ``objective="reconstruct"``, together with a decoder
    that rebuilds the whole sequence from the code alone (an autoencoder); with
    ``objective="contrastive"``, to tell each sequence from the others of its
    batch.
    ``transform(X)`` returns the codes: one row of features per sequence,
    for the models a scikit-learn user already has (logistic regression,
    gradient boosting, a ``ColumnTransformer`` beside tabular columns).
    Sequences may be univariate or multichannel, of one length or of many;
    the loss of a ragged batch counts each sequence's own steps only.

    Parameters
    ----------
    {network_parameters}
    pooling : {"last", "mean", "max", "mean_max", "attention"}, default="mean_max"
        How the encoder's outputs over time become the code: the final hidden
        state, the mean or the max over each sequence's valid steps, both side
        by side (``"mean_max"``), or a learned attention-weighted sum.
    objective : {"masked", "reconstruct", "contrastive"}, default="masked"
        What the encoder is trained for. ``"masked"``: blocks of 5 steps (or
        of one front-end patch, where patches are longer) of each channel are
        hidden with probability 0.3, at least one per sequence and channel;
        the encoder reads the rest, and a linear layer predicts the hidden
        values from its outputs at their steps (Zerveas et al., KDD 2021).
        ``"reconstruct"``: a recurrent decoder rebuilds the whole standardized
        sequence from the code alone. ``"contrastive"``: two random views of
        each sequence (a crop of 80% to all of its steps at a random place, a
        random scale near 1, noise) must pick each other out among the views
        of the batch's other sequences (SimCLR's InfoNCE on a small projection
        head over the code). In every case the features are the codes of
        whole, unmasked sequences.
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}

    See Also
    --------
    SequenceClassifier : Its ``transform`` gives features learned from labels.

    Notes
    -----
    The features are those of a network trained without labels, so they
    describe the training sequences, not necessarily what tells classes
    apart; with labels for enough sequences, the classifier's own
    ``transform`` is the stronger choice. The encoder pays where labels are
    few: fit it on every sequence, labelled or not, and a linear model on the
    codes of the labelled ones.

    The default objective was chosen on the development suite of
    ``benchmarks/bench_features.py`` (seven sets, random states 0-2, logistic
    regression on the codes): with 10% of the labels the masked objective
    scored 0.778 on average, the reconstruction 0.694, the same encoder
    untrained 0.713 and the classifier trained on the labelled series 0.723;
    with all labels 0.925, 0.939 and 0.897. Filling in a block teaches the
    outputs at every step what the shapes around it look like, which pooling
    keeps wherever they happen; rebuilding a whole sequence from its code
    keeps *where* things happen instead, so ``"reconstruct"`` is the choice
    when the position of an event tells the classes apart (the ``bumps`` set:
    0.795 against 0.548 with all labels). The contrastive objective, measured
    with ``lr=1e-3`` and ``batch_size=32``, keeps what repeats (frequencies).
    Masks are drawn per sample, so a sample weight of 2 equals a duplicated
    sample in expectation, not draw for draw. Word ids
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
        "objective": [StrOptions({"masked", "reconstruct", "contrastive"})],
    }
    _fitted_attributes = InputTargets.fitted
    _net_class = ReconstructionNet
    _criterion = nn.MSELoss  # unused: ReconstructionNet asks the module for the loss
    _doc_fill = {
        "targets": "",
        "units": " (the objective predicts the standardized inputs)",
        "draws": ", the hidden blocks and the contrastive views",
        "outputs": " (the predicted or rebuilt values: one per input channel and step)",
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
        objective="masked",
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
        distributed=None,
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
        self.objective = objective
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
        self.distributed = distributed
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def _build_module(self, n_channels, n_outputs):
        if self.objective == "contrastive":
            return ContrastiveEncoder(
                pooling=self.pooling, **self._encoder_kwargs(n_channels)
            )
        if self.objective == "masked":
            return MaskedEncoder(
                n_outputs, pooling=self.pooling, **self._encoder_kwargs(n_channels)
            )
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
        """Train the encoder for its ``objective``: to fill in hidden values,
        to rebuild the sequences with its decoder, or to tell them apart.

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

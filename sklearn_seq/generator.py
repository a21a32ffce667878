"""SequenceGenerator: vector -> sequence and sequence -> sequence."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import RecurrentEstimator
from ._docs import shared_docs
from ._features import FeaturesMixin
from ._fitted import one_of
from ._modules import SequenceCrossEntropy, SequenceDecoder
from ._targets import ScaledTargets, TokenCodec, target_kind
from ._training import WeightedNet
from ._validation import check_n_targets, check_sequences, check_target, derive_seed
from ._word_input import WordInputMixin

MIN_TEMPERATURE = 1e-4  # below it the scaled logits may overflow: use predict (greedy)


@shared_docs
class SequenceGenerator(RegressorMixin, FeaturesMixin, WordInputMixin, RecurrentEstimator):
    """Generate a sequence from a vector or from another sequence.

    An encoder reads the input, a conditioning vector (2-D ``X``, the
    vector-to-sequence shape: a caption from an image vector) or a sequence
    (3-D or list ``X``, sequence-to-sequence: next month from this month). A
    recurrent decoder, started from the encoding and fed its own previous
    output, then writes the output sequence: numbers, or tokens that end at an
    end marker.

    Parameters
    ----------
    {network_parameters}
    teacher_forcing : float, default=1.0
        Probability, per step and sample, that training feeds the decoder the
        true previous output rather than its own prediction (1.0: always).
    embedding_dim : int, default=32
        Size of the token embeddings (token targets).
    max_length : int or None, default=None
        Most tokens a generated output may have (the end marker not counted);
        None allows the longest training target. Numeric outputs always have
        the training length.
    {embedding_parameters}
    {training_parameters}

    Attributes
    ----------
    {fitted_attributes}
    input_mode_ : {"vector", "sequence"}
        Whether ``fit`` saw conditioning vectors or sequences.
    target_kind_ : {"numeric", "chars", "tokens"}
        Kind of ``y``: numeric sequences, strings (character sequences), or
        lists of tokens.
    vocabulary_ : list of str
        Token targets: the start and end markers, then the tokens.
    target_shape_ : tuple
        Numeric targets: shape of one target (``()``, ``(T,)`` or ``(T, k)``).
    {embedding_attributes}
    max_length_ : int
        Token targets: the most tokens a generated output may have.
    y_mean_, y_scale_ : ndarray of shape ``(n_outputs_,)``
        Numeric targets: standardization of each output channel (only with
        ``standardize=True``).

    See Also
    --------
    RNNForecaster : Direct multi-step forecasts and recursive rollouts.

    Notes
    -----
    ``score`` is R² (averaged over all output values) for numeric targets and
    exact-sequence accuracy (the share of outputs equal to their target
    sequence as a whole) for token targets. Token targets may not contain the
    marker tokens ``"<start>"`` and ``"<end>"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import SequenceGenerator
    >>> X = np.array([[0.0], [1.0]] * 20)
    >>> y = ["no", "yes"] * 20
    >>> gen = SequenceGenerator(hidden_size=16, max_epochs=30, random_state=0).fit(X, y)
    >>> gen.predict(np.array([[0.0], [1.0]]))
    ['no', 'yes']
    """

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "teacher_forcing": [Interval(Real, 0, 1, closed="both")],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "freeze_embeddings": ["boolean"],
    }
    _fitted_attributes = {
        "input_mode_": one_of("vector", "sequence"),
        "target_kind_": one_of("numeric", "chars", "tokens"),
        **ScaledTargets.fitted,
        **TokenCodec.fitted,
    }
    _net_class = WeightedNet
    _doc_fill = {
        "targets": " and each numeric target channel",
        "units": "; outputs come back in the units of ``y``",
        "draws": " and teacher forcing draws",
        "outputs": " (values per output step, or the vocabulary size)",
        "features": "Features of the conditioning vectors",
        "vector_channels": " (features of a conditioning vector)",
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        normalization=None,
        front_end=None,
        patch_size="auto",
        teacher_forcing=1.0,
        embedding_dim=32,
        max_length=None,
        freeze_embeddings=False,
        max_epochs="auto",
        batch_size=32,
        lr=3e-3,
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
        self.teacher_forcing = teacher_forcing
        self.embedding_dim = embedding_dim
        self.max_length = max_length
        self.freeze_embeddings = freeze_embeddings
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

    @property
    def _criterion(self):
        return SequenceCrossEntropy if self.target_kind_ != "numeric" else nn.MSELoss

    def _fit_targets(self, y, seqs):
        """``y``, whose kind a fresh fit records (``target_kind_``) and a warm
        start checks."""
        y = super()._fit_targets(y, seqs)
        kind = target_kind(y)
        if self._is_warm() and kind != self.target_kind_:
            raise ValueError(
                f"warm_start: y holds {kind} targets, the first fit {self.target_kind_}."
            )
        self.target_kind_ = kind
        return y

    def _make_codec(self, y=None):
        if self.target_kind_ == "numeric":
            return ScaledTargets(self.standardize, per_step=True)
        return TokenCodec(self.target_kind_, self.max_length)

    def _extra_inputs(self, codec, targets):
        return {"decoder_inputs": codec.teacher_inputs(targets)}

    def _build_module(self, n_channels, n_outputs):
        rnn_kwargs = self._encoder_kwargs(n_channels)
        return SequenceDecoder(
            rnn_kwargs.pop("input_size"),
            n_outputs,
            vector_input=self.input_mode_ == "vector",
            token_output=self.target_kind_ != "numeric",
            teacher_forcing=self.teacher_forcing,
            embedding_dim=self.embedding_dim,
            **rnn_kwargs,
        )

    def _read_sequences(self, X):
        return check_sequences(X, vectors=True)  # a 2-D X: conditioning vectors

    def _check_layout(self, seqs, reset):
        """2-D X are conditioning vectors; 3-D X or lists are sequences."""
        mode = "vector" if seqs.kind == "vectors" else "sequence"
        if reset:
            self.input_mode_ = mode
        elif mode != self.input_mode_:
            fitted = (
                "conditioning vectors (2-D X)"
                if self.input_mode_ == "vector"
                else "sequences (3-D X or a list)"
            )
            raise ValueError(
                f"{type(self).__name__} was fitted on {fitted}; X has a different layout."
            )

    def fit(self, X, y, sample_weight=None):
        """Fit the generator.

        Parameters
        ----------
        X : array-like of shape (n, d), or (n, T, C) / list of sequences
            Conditioning vectors (2-D) or input sequences.
        y : array-like of shape (n,), (n, T) or (n, T, k); list of str; or list of lists
            Numeric output sequences of one length, strings (generated
            character by character), or token lists (generated token by token).
        sample_weight : array-like of shape (n,), default=None
            Weight of each sample in the loss: a weight of 2 counts a sample as
            two copies of it would, 0 leaves it out. None weighs all equally.

        Returns
        -------
        self : SequenceGenerator
            The fitted generator.
        """
        return self._fit(X, y, sample_weight)

    def _generate(self, X, temperature=None, seed=None):
        self._check_fitted()
        seqs = self._check_input(X, reset=False)
        codec = self._target_codec()
        start = getattr(codec, "start_id", 0)
        uniforms = None  # one row of draws per sample, in the order given
        if seed is not None:
            uniforms = np.random.RandomState(seed).random_sample(
                (seqs.n_samples, codec.steps)
            )

        def step(module, values, lengths, index):
            draws = None if uniforms is None else torch.from_numpy(uniforms[index])
            if draws is not None and len(draws) < len(values):  # filler rows
                draws = torch.cat(
                    [draws, draws.new_zeros(len(values) - len(draws), draws.shape[1])]
                )
            return module.generate(values, lengths, codec.steps, start, temperature, draws)

        return codec.inverse_transform(self._infer(seqs, step))

    def predict(self, X):
        """Generate the most likely output for each input (greedy decoding).

        Parameters
        ----------
        X : array-like of shape (n, d), or (n, T, C) / list of sequences
            Inputs of the layout seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape ``(n,) + target_shape_``, or list
            Numeric outputs in the units of ``y``; or a list of strings, or of
            token lists, each stopped at the end marker or at ``max_length_``.
        """
        return self._generate(X)

    def sample(self, X, temperature=1.0, random_state=None):
        """Draw random outputs for token targets.

        Parameters
        ----------
        X : array-like of shape (n, d), or (n, T, C) / list of sequences
            Inputs of the layout seen in ``fit``.
        temperature : float, default=1.0
            Softmax temperature: lower is closer to greedy, higher more varied;
            at least 1e-4 (``predict`` is the greedy limit).
        random_state : int, RandomState instance or None, default=None
            Seed of the draws; the same integer repeats the same outputs.

        Returns
        -------
        y_sampled : list of str or list of list of str
            One drawn output per input.
        """
        self._check_fitted()
        if self.target_kind_ == "numeric":
            raise ValueError("sample draws token outputs; this model has numeric targets.")
        if not isinstance(temperature, Real) or not MIN_TEMPERATURE <= temperature < np.inf:
            raise ValueError(
                f"temperature must be a finite number >= {MIN_TEMPERATURE}, got "
                f"{temperature!r} (for the most likely output, use predict)."
            )
        seed = derive_seed(random_state)
        return self._generate(X, temperature=float(temperature), seed=seed)

    def score(self, X, y, sample_weight=None):
        """R² for numeric targets; exact-sequence accuracy for token targets.

        Parameters
        ----------
        X : array-like
            Inputs.
        y : array-like or list
            True outputs, of the kind seen in ``fit``.
        sample_weight : array-like of shape (n,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R² averaged over all output values, or the share of outputs equal
            to their whole target sequence.
        """
        pred = self.predict(X)
        if self.target_kind_ == "numeric":
            y = check_target(y, len(pred))
            return r2_score(
                y.reshape(len(y), -1),
                pred.reshape(len(pred), -1),
                sample_weight=sample_weight,
            )
        truth = [item if isinstance(item, str) else list(item) for item in y]
        check_n_targets(len(truth), len(pred))
        hits = np.array([p == t for p, t in zip(pred, truth, strict=True)], dtype=float)
        return float(np.average(hits, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

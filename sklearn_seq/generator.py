"""SequenceGenerator: vector -> sequence and sequence -> sequence."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from torch import nn

from ._base import RecurrentEstimator
from ._modules import SequenceCrossEntropy, SequenceDecoder
from ._sequences import (
    Sequences,
    check_n_targets,
    check_sequences,
    check_target,
    iter_batches,
    require_y,
)

START, END = "<start>", "<end>"
_IGNORE = -100  # loss target of the padding after the end marker


def _target_kind(y) -> str:
    """'chars' (strings), 'tokens' (lists of strings) or 'numeric'."""
    if isinstance(y, str):
        raise ValueError("y must hold one target per sample, got a single string.")
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    if not isinstance(y, (list, tuple)):
        y = np.asarray(y)  # array-likes, e.g. objects with __array__
    if isinstance(y, np.ndarray) and y.dtype.kind not in "OUS":
        return "numeric"
    kinds = set()
    for item in y:
        if isinstance(item, str):
            kinds.add("chars")
        elif (
            isinstance(item, (list, tuple))
            and item
            and all(isinstance(t, str) for t in item)
        ):
            kinds.add("tokens")
        elif isinstance(item, (list, tuple)) and not item:
            kinds.add("tokens")  # empty; rejected with its index later
        else:
            kinds.add("numeric")
    if len(kinds) > 1:
        raise ValueError(
            f"y mixes numeric and token targets ({', '.join(sorted(kinds))}); give all "
            "samples numeric sequences, or all strings, or all lists of string tokens."
        )
    if not kinds:
        raise ValueError("y is empty.")
    return kinds.pop()


class SequenceGenerator(RegressorMixin, RecurrentEstimator):
    """Generate a sequence from a vector or from another sequence.

    An encoder reads the input, a conditioning vector (2-D ``X``, the
    vector-to-sequence shape: a caption from an image vector) or a sequence
    (3-D or list ``X``, sequence-to-sequence: next month from this month). A
    recurrent decoder, started from the encoding and fed its own previous
    output, then writes the output sequence: numbers, or tokens that end at an
    end marker.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell of the encoder (for sequences) and the decoder.
    hidden_size : int, default=128
        Units per recurrent layer (and of the vector encoder).
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Read input sequences in both directions (the decoder is one-way).
    dropout : float, default=0.0
        Dropout between stacked layers.
    nonlinearity : {"tanh", "relu"}, default="tanh"
        Activation of the plain ``"rnn"`` cell.
    teacher_forcing : float, default=1.0
        Probability, per step and sample, that training feeds the decoder the
        true previous output rather than its own prediction (1.0: always).
    embedding_dim : int, default=32
        Size of the token embeddings (token targets).
    max_length : int or None, default=None
        Most tokens a generated output may have (the end marker not counted);
        None allows the longest training target. Numeric outputs always have
        the training length.
    max_epochs : int, default=100
        Training epochs.
    batch_size : int, default=32
        Samples per gradient step.
    lr : float, default=3e-3
        Learning rate.
    lr_schedule : {"cosine", "plateau"} or None, default="cosine"
        Learning-rate schedule.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or Optimizer class, default="adam"
        Optimizer.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    gradient_clip : float or None, default=1.0
        Maximum gradient norm; ``None`` turns clipping off.
    early_stopping : bool, default=False
        Stop when the validation loss stalls for ``patience`` epochs.
    validation_fraction : float, default=0.1
        Share of samples held out (the last ones) with ``early_stopping``.
    patience : int, default=10
        Epochs without improvement before stopping.
    standardize : bool, default=True
        Standardize input features/channels and numeric target channels.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and teacher forcing draws.
    verbose : int, default=0
        0 is silent; 1 shows a progress bar and the epoch table.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks.
    warm_start : bool, default=False
        Continue training the fitted network on the next ``fit`` call.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net.
    input_mode_ : {"vector", "sequence"}
        Whether ``fit`` saw conditioning vectors or sequences.
    target_kind_ : {"numeric", "chars", "tokens"}
        Kind of ``y``: numeric sequences, strings (character sequences), or
        lists of tokens.
    vocabulary_ : list of str
        Token targets: the start and end markers, then the tokens.
    target_shape_ : tuple
        Numeric targets: shape of one target (``()``, ``(T,)`` or ``(T, k)``).
    max_length_ : int
        Token targets: the most tokens a generated output may have.
    n_channels_in_ : int
        Features of a conditioning vector, or channels of input sequences.
    n_features_in_ : int
        Features of 2-D ``X`` (vector input only).

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
    }
    _net_class = NeuralNet

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        teacher_forcing=1.0,
        embedding_dim=32,
        max_length=None,
        max_epochs=100,
        batch_size=32,
        lr=3e-3,
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
        self.teacher_forcing = teacher_forcing
        self.embedding_dim = embedding_dim
        self.max_length = max_length
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

    @property
    def _criterion(self):
        return SequenceCrossEntropy if self.target_kind_ != "numeric" else nn.MSELoss

    def _build_module(self, n_channels, n_outputs):
        return SequenceDecoder(
            n_channels,
            n_outputs,
            vector_input=self.input_mode_ == "vector",
            token_output=self.target_kind_ != "numeric",
            teacher_forcing=self.teacher_forcing,
            embedding_dim=self.embedding_dim,
            **{
                k: v
                for k, v in self._encoder_kwargs(n_channels).items()
                if k != "input_size"
            },
        )

    # --- input ------------------------------------------------------------------------
    def _check_input(self, X, *, reset: bool) -> Sequences:
        """2-D X are conditioning vectors (as ``(n, 1, d)``); 3-D or lists are sequences."""
        seqs = check_sequences(X)
        name = type(self).__name__
        mode = "vector" if seqs.kind == "2d" else "sequence"
        if mode == "vector":
            n = seqs.n_samples
            seqs = Sequences(seqs.values.transpose(0, 2, 1), np.ones(n, np.int64), "2d")
        if reset:
            self.input_mode_ = mode
            self.n_channels_in_ = seqs.n_channels
            if mode == "vector":
                self.n_features_in_ = seqs.n_channels
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            return seqs
        if mode != self.input_mode_:
            fitted = (
                "conditioning vectors (2-D X)"
                if self.input_mode_ == "vector"
                else ("sequences (3-D X or a list)")
            )
            raise ValueError(f"{name} was fitted on {fitted}; X has a different layout.")
        if seqs.n_channels != self.n_channels_in_:
            unit = "features" if mode == "vector" else "channels"
            raise ValueError(
                f"X has {seqs.n_channels} {unit}, but {name} is expecting "
                f"{self.n_channels_in_} {unit} as input."
            )
        return seqs

    # --- targets ----------------------------------------------------------------------
    def _encode_tokens(self, y, n_samples: int):
        sequences = [list(item) for item in y]
        check_n_targets(len(sequences), n_samples)
        for i, seq in enumerate(sequences):
            if not seq:
                raise ValueError(f"y[{i}] is an empty sequence; targets need >= 1 token.")
            if START in seq or END in seq:
                raise ValueError(
                    f"y[{i}] contains the internal marker {START!r} or {END!r}; rename "
                    "that token."
                )
        if not self._is_warm():
            self.vocabulary_ = [START, END, *sorted({t for seq in sequences for t in seq})]
            self._token_ids = {t: i for i, t in enumerate(self.vocabulary_)}
            longest = max(map(len, sequences))
            self.max_length_ = self.max_length if self.max_length is not None else longest
        unknown = {t for seq in sequences for t in seq} - set(self._token_ids)
        if unknown:
            raise ValueError(
                f"warm_start: y has tokens not seen in the first fit: {unknown}."
            )
        width = max(map(len, sequences)) + 1
        inputs = np.full((n_samples, width), self._token_ids[END], dtype=np.int64)
        targets = np.full((n_samples, width), _IGNORE, dtype=np.int64)
        for i, seq in enumerate(sequences):
            ids = [self._token_ids[t] for t in seq]
            inputs[i, : len(ids) + 1] = [self._token_ids[START], *ids]
            targets[i, : len(ids) + 1] = [*ids, self._token_ids[END]]
        return inputs, targets, len(self.vocabulary_)

    def _encode_numeric(self, y, n_samples: int):
        y = check_target(y, n_samples, type(self).__name__)
        if y.ndim > 3:
            raise ValueError(f"numeric y must be (n,), (n, T) or (n, T, k), got {y.shape}.")
        if self._is_warm() and y.shape[1:] != self.target_shape_:
            raise ValueError(
                f"warm_start: y rows have shape {y.shape[1:]}, but the model was "
                f"fitted on rows shaped {self.target_shape_}."
            )
        self.target_shape_ = y.shape[1:]
        y = y.reshape(n_samples, -1, 1) if y.ndim < 3 else y
        if self.standardize and not self._is_warm():
            self.y_mean_ = y.mean(axis=(0, 1))
            self.y_scale_ = y.std(axis=(0, 1))
            self.y_scale_[self.y_scale_ < 1e-12] = 1.0
        if self.standardize:
            y = (y - self.y_mean_) / self.y_scale_
        targets = y.astype(np.float32)
        inputs = np.concatenate([np.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)
        return inputs, targets, targets.shape[2]

    # --- fit / predict ------------------------------------------------------------------
    def fit(self, X, y):
        """Fit the generator.

        Parameters
        ----------
        X : array-like of shape (n, d), or (n, T, C) / list of sequences
            Conditioning vectors (2-D) or input sequences.
        y : array-like of shape (n,), (n, T) or (n, T, k); list of str; or list of lists
            Numeric output sequences of one length, strings (generated
            character by character), or token lists (generated token by token).

        Returns
        -------
        self : SequenceGenerator
            The fitted generator.
        """
        self._validate_params()
        warm = self._is_warm()
        seqs = self._check_input(X, reset=not warm)
        require_y(y, type(self).__name__)
        kind = _target_kind(y)
        if warm and kind != self.target_kind_:
            raise ValueError(
                f"warm_start: y holds {kind} targets, the first fit {self.target_kind_}."
            )
        self.target_kind_ = kind
        if kind == "numeric":
            inputs, targets, n_outputs = self._encode_numeric(y, seqs.n_samples)
        else:
            inputs, targets, n_outputs = self._encode_tokens(y, seqs.n_samples)
        self._fit_input_scaler(seqs)
        return self._fit_net(
            seqs, targets, n_outputs=n_outputs, extra_inputs={"decoder_inputs": inputs}
        )

    def _generate(self, X, temperature=None, seed=None):
        check_is_fitted(self)
        seqs = self._scale_inputs(self._check_input(X, reset=False))
        module = self.net_.module_
        device = next(module.parameters()).device
        generator = None
        if seed is not None:
            generator = torch.Generator(device=device).manual_seed(seed)
        tokens = self.target_kind_ != "numeric"
        if tokens:
            steps = self.max_length_ + 1  # room for the end marker
        else:
            steps = self.target_shape_[0] if self.target_shape_ else 1
        was_training = module.training
        module.eval()
        try:
            out = []
            for values, lengths, n in iter_batches(seqs, self.batch_size, device):
                rows = values.shape[0]
                if tokens:
                    start = torch.full((rows, 1), self._token_ids[START], device=device)
                else:
                    start = torch.zeros((rows, 1, module.head.out_features), device=device)
                generated = module.generate(
                    values, lengths, start, steps, temperature, generator
                )
                out.append(generated[:n].cpu().numpy())
        finally:
            module.train(was_training)
        out = np.concatenate(out)
        return self._decode_tokens(out) if tokens else self._decode_numeric(out)

    def _decode_numeric(self, out: np.ndarray) -> np.ndarray:
        out = out.astype(np.float64)
        if self.standardize:
            out = out * self.y_scale_ + self.y_mean_
        return out.reshape((len(out), *self.target_shape_))

    def _decode_tokens(self, ids: np.ndarray) -> list:
        end, start = self._token_ids[END], self._token_ids[START]
        outputs = []
        for row in ids:
            stop = np.flatnonzero(row == end)
            row = row[: stop[0] if len(stop) else self.max_length_]
            tokens = [self.vocabulary_[i] for i in row if i != start]
            outputs.append("".join(tokens) if self.target_kind_ == "chars" else tokens)
        return outputs

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
            Softmax temperature: lower is closer to greedy, higher more varied.
        random_state : int, RandomState instance or None, default=None
            Seed of the draws; the same integer repeats the same outputs.

        Returns
        -------
        y_sampled : list of str or list of list of str
            One drawn output per input.
        """
        check_is_fitted(self)
        if self.target_kind_ == "numeric":
            raise ValueError("sample draws token outputs; this model has numeric targets.")
        if not isinstance(temperature, Real) or temperature <= 0:
            raise ValueError(f"temperature must be a number > 0, got {temperature!r}.")
        seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
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
            y = check_target(y, len(pred), type(self).__name__)
            return r2_score(
                y.reshape(len(y), -1),
                pred.reshape(len(pred), -1),
                sample_weight=sample_weight,
            )
        truth = [item if isinstance(item, str) else list(item) for item in y]
        hits = np.array([p == t for p, t in zip(pred, truth, strict=True)], dtype=float)
        return float(np.average(hits, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

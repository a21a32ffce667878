"""The shared recurrent core: the hook contract, the input check, the one fit
template (built aside, swapped in), the skorch net, weights in and out."""

from __future__ import annotations

import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names,
    _check_sample_weight,
    check_is_fitted,
)
from skorch.history import History

from . import _distributed
from ._data_parallel import check_same_data
from ._distributed import MAX_PROCESSES
from ._fitted import check_fitted, count, flag, floats, labels
from ._inference import infer
from ._runtime import MAX_THREADS, limit_threads, resolve_device, seeded
from ._scaling import channel_stats, standardize
from ._sequences import Sequences
from ._targets import MAX_OUTPUT_STEPS, TargetCodec
from ._training import (
    OPTIMIZERS,
    BatchDataset,
    ValidationSplit,
    _is_optimizer_class,
    keep_batch,
    loss_weights,
    shuffled_loader,
    training_callbacks,
)
from ._validation import check_sequences, derive_seed, require_y
from ._warm_start import WarmStartMixin

AUTO_PATCHES = 64  # patch_size="auto": at most this many patches per sequence
# most steps per patch: what a patch pads a sequence by, so a bound on memory
MAX_PATCH_SIZE = 2**16
LONG_SEQUENCE = 10_000  # steps beyond which fit warns about time and memory


def train_for(net, epochs: int | None, method, inputs: dict, targets) -> None:
    """``method(inputs, targets)`` (the net's ``fit`` or ``partial_fit``) for
    ``epochs`` epochs, or ``net.max_epochs`` when None.

    The callbacks read ``net.max_epochs`` (weight averaging takes the last
    share of the run's epochs), so the net holds ``epochs`` while it trains.
    """
    if epochs is None:
        method(inputs, targets)
        return
    full, net.max_epochs = net.max_epochs, epochs
    try:
        method(inputs, targets)
    finally:
        net.max_epochs = full


class RecurrentEstimator(WarmStartMixin, BaseEstimator):
    """Shared core of the recurrent estimators (not for direct use).

    Subclasses list the shared parameters in their own ``__init__`` (as
    scikit-learn requires) and provide what is theirs: a target codec
    (``_make_codec``), a network (``_build_module``), a loss (``_criterion``).
    This class holds the one fit template (validate, check inputs, fit or
    reuse the codec, scale, train the skorch net ``net_``), the one inference
    loop, and rebuilding ``net_`` from saved weights.
    """

    _parameter_constraints: dict = {
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "nonlinearity": [StrOptions({"tanh", "relu", "leaky_relu", "elu"})],
        "normalization": [StrOptions({"layer", "batch"}), None],
        "front_end": [StrOptions({"patch", "conv", "auto"}), None],
        "patch_size": [
            Interval(Integral, 1, MAX_PATCH_SIZE, closed="both"),
            StrOptions({"auto"}),
        ],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "weight_averaging": [Interval(Real, 0, 1, closed="right"), None],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [Interval(Integral, 1, MAX_THREADS, closed="both"), None],
        "distributed": [
            Interval(Integral, 1, MAX_PROCESSES, closed="both"),
            StrOptions({"join"}),
            None,
        ],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "lr_schedule": [StrOptions({"cosine", "plateau"}), None],
        "standardize": ["boolean"],
    }

    # the fitted attributes the core sets, with their checks (``_fitted``); each
    # subclass declares its own, and those of its target codec
    _fitted_attributes = {
        "n_channels_in_": count(),
        "n_features_in_": count(),
        "feature_names_in_": labels(),
        "n_outputs_": count(),
        "patch_size_": count(maximum=MAX_PATCH_SIZE),
        "n_epochs_": count(minimum=0),
        "x_mean_": floats(lambda est: (est.n_channels_in_,)),
        "x_scale_": floats(lambda est: (est.n_channels_in_,), positive=True),
        "reads_word_vectors_": flag,
    }

    # --- what subclasses provide -------------------------------------------------
    _net_class = None  # a skorch NeuralNet class
    _criterion = None  # a torch loss class

    def _make_codec(self, y=None) -> TargetCodec:
        """An unfitted target codec for ``y`` (None: for the fitted targets)."""
        raise NotImplementedError

    def _build_module(self, n_channels: int, n_outputs: int):
        raise NotImplementedError

    def _extra_inputs(self, codec: TargetCodec, targets: np.ndarray) -> dict:
        """More arrays for the module's ``forward`` in training (one row per sample)."""
        return {}

    def _fit_targets(self, y, seqs: Sequences):
        """What the target codec learns from: ``y``, required here; an
        unsupervised estimator ignores it and takes its targets from ``seqs``."""
        require_y(y, type(self).__name__)
        return y

    def _check_layout(self, seqs: Sequences, reset: bool) -> None:
        """Record (``reset``) or check an input layout the estimator depends on."""

    def _frame(self, seqs: Sequences):
        """Each sample's own frame for its inputs and targets (``_scaling``); None: none."""
        return None

    # --- shared helpers ------------------------------------------------------------
    def _encoder_kwargs(self, n_channels: int) -> dict:
        return {
            "input_size": n_channels,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "cell": self.cell,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "nonlinearity": self.nonlinearity,
            "normalization": self.normalization,
            "front_end": self._front_end(),
            "patch_size": getattr(self, "patch_size_", 1),  # 1: fitted before front ends
        }

    def _front_end(self) -> str | None:
        """``front_end``, with ``"auto"`` resolved: None for documents (word ids or
        word vectors), else "conv"."""
        if self.front_end == "auto":
            return None if self._reads_words() else "conv"
        return self.front_end

    def _train_collate(self):
        """The ``collate_fn`` of training batches: the batch as built."""
        return keep_batch

    def _resolve_patch_size(self, lengths: np.ndarray) -> int:
        """Steps per patch: ``patch_size``, or for "auto" enough that the
        longest training sequence makes at most ``AUTO_PATCHES`` patches (1
        without a front end)."""
        if self._front_end() is None:
            return 1
        if self.patch_size == "auto":
            return min(max(1, -(-int(lengths.max()) // AUTO_PATCHES)), MAX_PATCH_SIZE)
        return self.patch_size

    def __sklearn_is_fitted__(self) -> bool:
        # what check_is_fitted asks, without walking every attribute of the estimator
        return hasattr(self, "net_")

    def _check_fitted(self) -> None:
        """``check_is_fitted(self)``, without reading the tags when fitted (a
        prediction of one window notices their cost)."""
        if not self.__sklearn_is_fitted__():
            check_is_fitted(self)  # raises scikit-learn's NotFittedError

    def _read_sequences(self, X) -> Sequences:
        """``X`` as sequences (:func:`~sklearn_seq._validation.check_sequences`)."""
        return check_sequences(X)

    def _check_input(self, X, *, reset: bool, names: bool = True) -> Sequences:
        """Validate X; on ``reset`` record its layout, else check it matches.

        ``names``: record or check a DataFrame's column names (``feature_names_in_``).
        """
        if names and (reset or hasattr(X, "columns") or hasattr(self, "feature_names_in_")):
            _check_feature_names(self, X, reset=reset)
        seqs = self._read_sequences(X)
        self._check_layout(seqs, reset)
        self._check_word_ids(seqs, reset)
        name = type(self).__name__
        if reset:  # (a fresh fit starts with no fitted attribute)
            if seqs.kind == "words":
                self.reads_word_vectors_ = True
            self.n_channels_in_ = seqs.n_channels
            if seqs.n_features is not None:
                self.n_features_in_ = seqs.n_features
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            return seqs
        if seqs.n_channels != self.n_channels_in_ and seqs.kind != "vectors":
            raise ValueError(
                f"X has {seqs.n_channels} channels, but {name} was fitted on "
                f"sequences with {self.n_channels_in_} channels."
            )
        n_features = getattr(self, "n_features_in_", None)
        if None not in (seqs.n_features, n_features) and seqs.n_features != n_features:
            hint = (
                f" (a 2-D X holds sequences of {n_features} time steps; pass a list "
                "for other lengths)"
                if seqs.kind == "2d"
                else ""
            )
            raise ValueError(
                f"X has {seqs.n_features} features, but {name} is expecting "
                f"{n_features} features as input{hint}."
            )
        return seqs

    def _check_word_ids(self, seqs: Sequences, reset: bool) -> None:
        """Record (``reset``) or check word-id input: refused here; estimators that
        read it take ``_word_input.WordInputMixin``."""
        if seqs.words is not None:
            raise ValueError(
                f"{type(self).__name__} does not read word ids; give numeric sequences."
            )

    def _reads_words(self) -> bool:
        """Whether the estimator was fitted on documents (word vectors here)."""
        return getattr(self, "reads_word_vectors_", False)

    def _max_epochs(self) -> int:
        """``max_epochs``, with ``"auto"`` resolved: 100."""
        return 100 if self.max_epochs == "auto" else self.max_epochs

    def _make_module(self):
        """The estimator's module for its fitted layout."""
        return self._build_module(self.n_channels_in_, self.n_outputs_)

    def _start_module(self, module, seqs: Sequences) -> None:
        """Set up a fresh module from the training data before training."""

    def _target_codec(self) -> TargetCodec:
        """The fitted target codec, rebuilt from the fitted attributes."""
        return self._make_codec().restore(self)

    def _scale_inputs(self, seqs: Sequences, frame=None) -> Sequences:
        """Inputs in their own ``frame`` (``_frame``), then standardized."""
        if frame is not None:
            seqs = frame.inputs(seqs)
        return self._standardize_inputs(seqs)

    def _standardize_inputs(self, seqs: Sequences) -> Sequences:
        """Inputs standardized with the statistics learned in ``fit``, if any."""
        if not hasattr(self, "x_mean_"):
            return seqs
        return standardize(seqs, self.x_mean_, self.x_scale_)

    def _learns_input_scale(self, seqs: Sequences) -> bool:
        """Whether a fresh fit learns input statistics (``x_mean_``, ``x_scale_``)."""
        return self.standardize is True

    def _validation_split(self, seed: int):
        """The early-stopping hold-out: the last ``validation_fraction`` (time order)."""
        return ValidationSplit(self.validation_fraction, False, seed)

    def _train_loader(self):
        """The skorch ``iterator_train``: shuffled batches within a padding budget."""
        return shuffled_loader

    def _make_net(self, module, seed: int, device: str | None = None):
        """The skorch net around ``module``; ``device`` overrides the parameter."""
        params = self.get_params(deep=False)
        ranks = _distributed.current()
        if ranks is not None and not ranks.main:  # rank 0 alone prints
            params["verbose"] = 0
        callbacks = training_callbacks(params, self._max_epochs())
        optimizer = (
            self.optimizer
            if _is_optimizer_class(self.optimizer)
            else OPTIMIZERS[self.optimizer]
        )
        split = self._validation_split(seed) if self.early_stopping else None
        return self._net_class(
            module=module,
            criterion=self._criterion,
            criterion__reduction="none",  # the net weights and averages the losses
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self._max_epochs(),
            batch_size=self.batch_size,
            dataset=BatchDataset,
            iterator_train=self._train_loader(),
            iterator_train__shuffle=True,
            iterator_train__collate_fn=self._train_collate(),
            iterator_valid__collate_fn=keep_batch,
            train_split=split,
            callbacks=callbacks,
            callbacks__print_log=None,
            device=resolve_device(self.device) if device is None else device,
            verbose=int(params["verbose"]),
        )

    def _train(self, X, y, sample_weight) -> None:
        """The training step of the fit template: :meth:`_fit_unguarded` once.

        The forecaster's trains on its first windows, calibrates its intervals
        on the last, then goes on with all of them (``_intervals.fit_calibrated``).
        """
        self._fit_unguarded(X, y, sample_weight)

    def _fit(self, X, y, sample_weight=None):
        """The fit template: validate, then :meth:`_train` (check inputs, encode y,
        scale, train).

        The fitted state is built aside, on a copy of the estimator's
        attributes, and replaces the old state in one step: a fit that raises
        leaves the estimator as it was, and a prediction in another thread
        during a refit uses the old model or the new one, never a mix.
        """
        self._validate_params()
        ranks = _distributed.plan(self.distributed, self.device)
        if isinstance(ranks, int):  # worker processes fit a copy; rank 0's comes back
            work = _distributed.launch(self, (X, y, sample_weight), ranks)
        else:
            work = object.__new__(type(self))
            work.__dict__ = dict(vars(self))
            with _distributed.active(ranks):
                work._train(X, y, sample_weight)
        self.__dict__ = work.__dict__  # one assignment: atomic for other threads
        return self

    def _fit_unguarded(self, X, y, sample_weight=None, *, epochs=None, more=False):
        """Train on ``X``: a fresh network, or the fitted one on a warm start.

        ``epochs`` trains that many epochs instead of ``max_epochs``; ``more``
        continues the fitted network as a warm start does, whatever
        ``warm_start`` says (the forecaster's calibration trains on the head
        of its windows, then goes on with all of them).
        """
        if self.optimizer not in OPTIMIZERS and not _is_optimizer_class(self.optimizer):
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch.optim.Optimizer "
                f"subclass, got {self.optimizer!r}."
            )
        warm = more or self._is_warm()
        if warm:
            if not more:
                self._check_warm_params()
        else:  # a fresh fit keeps nothing from an earlier one
            for key in [k for k in vars(self) if k.endswith("_") and k[0] != "_"]:
                delattr(self, key)
            self._built_with = None  # built from the parameters as they are now
        seqs, inputs, targets = self._training_data(X, y, sample_weight, warm)
        seed = derive_seed(self.random_state)
        if (ranks := _distributed.current()) is not None:  # one seed, one data set
            seed = ranks.same(seed)
            check_same_data(ranks, [*inputs.values(), targets])
        with seeded(seed), limit_threads(self.n_threads):
            if warm:  # train a copy: a failed fit leaves the previous net untouched
                self.net_ = self.net_ if more else copy.deepcopy(self.net_)
                if self._training_params_changed():
                    self._wrap_module(self.net_.module_, seed, self.net_.history)
                train_for(self.net_, epochs, self.net_.partial_fit, inputs, targets)
            else:
                self.patch_size_ = self._resolve_patch_size(seqs.lengths)
                module = self._make_module()
                self._start_module(module, seqs)
                self.net_ = self._make_net(module, seed)
                self._built_with = self.get_params(deep=False)
                train_for(self.net_, epochs, self.net_.fit, inputs, targets)
        self.n_epochs_ = len(self.net_.history)
        return self

    def _training_data(self, X, y, sample_weight, warm: bool):
        """The checked, scaled sequences, the module's inputs (with the loss
        weights) and the network targets; a fresh fit records the input layout,
        the codec's state and the input statistics."""
        seqs = self._check_input(X, reset=not warm)
        y = self._fit_targets(y, seqs)
        if seqs.lengths.max() > LONG_SEQUENCE:
            warnings.warn(
                f"X holds sequences of up to {seqs.lengths.max()} steps: training time "
                "and memory grow with the length of the longest sequence of a batch. "
                "Cut long series into windows (make_windows) to train faster.",
                UserWarning,
                stacklevel=3,
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, np.empty((seqs.n_samples, 0)), ensure_non_negative=True
            )
        frame = self._frame(seqs)
        if warm:
            codec = self._target_codec().within(frame)
        else:
            codec = self._make_codec(y).within(frame).fit(y, seqs.n_samples, sample_weight)
            vars(self).update(codec.state())
            self.n_outputs_ = codec.n_outputs
        targets = codec.transform(y, seqs.n_samples)
        weights = loss_weights(sample_weight, codec.loss_weights(targets), seqs.n_samples)
        if frame is not None:
            seqs = frame.inputs(seqs)
        if not warm and self._learns_input_scale(seqs):
            self.x_mean_, self.x_scale_ = channel_stats(seqs, sample_weight)
        seqs = self._scale_inputs(seqs)
        inputs = {
            "values": seqs.values,
            "lengths": seqs.lengths,
            **self._extra_inputs(codec, targets),
            **({} if weights is None else {"sample_weight": weights}),
        }
        return seqs, inputs, targets

    def _infer(self, seqs: Sequences, step=None, frame=None) -> np.ndarray:
        """Run the trained module over (unscaled) sequences, in the order given
        (:func:`~sklearn_seq._inference.infer`, with its ``step``).

        ``frame`` is the sequences' own frame (``_frame``), computed by the caller,
        which needs it again to read the outputs.
        """
        seqs = self._scale_inputs(seqs, frame)
        device = self.net_.device  # skorch keeps the module and its device together
        module = self._inference_module(self.net_.module_, device)
        n_threads = getattr(self, "n_threads", 1)
        return infer(module, seqs, self.batch_size, device, n_threads, step)

    def _inference_module(self, module, device):
        """The module predictions run: ``net_.module_`` itself, or a copy."""
        return module

    def get_weights(self) -> dict[str, np.ndarray]:
        """The trained network's weights, as float arrays by name.

        Returns
        -------
        weights : dict of str to ndarray
            The module's ``state_dict`` on the CPU; :meth:`set_weights` takes it.
        """
        self._check_fitted()
        state = self.net_.module_.state_dict()
        return {key: value.detach().cpu().numpy() for key, value in state.items()}

    def set_weights(self, weights, *, device=None, history=None):
        """Rebuild ``net_`` from weights, on an estimator whose fitted attributes are set.

        This is how a saved model is restored: set the fitted attributes
        (``n_channels_in_``, the target codec's state ...), then call this.

        Parameters
        ----------
        weights : dict of str to array-like
            As returned by :meth:`get_weights`.
        device : {"cpu", "cuda"} or None, default=None
            Where to put the network; None keeps ``device`` when it is
            available and uses the CPU otherwise.
        history : list of dict or None, default=None
            The per-epoch training records to restore in ``net_.history``.

        Returns
        -------
        self : estimator
            With ``net_`` predicting as the network the weights came from.

        Raises
        ------
        ValueError
            When a fitted attribute fails its declared check, or a weight is
            missing, unexpected, not float, not finite, or of the wrong shape.
        """
        if not hasattr(self, "n_outputs_"):  # files written before it was stored
            self.n_outputs_ = self._target_codec().n_outputs
        self._check_fitted_state()
        if self.num_layers > len(weights):  # each layer holds several tensors
            raise ValueError(
                f"num_layers={self.num_layers} but only {len(weights)} weight tensors."
            )
        with torch.device("meta"):  # the shapes the parameters declare, allocating nothing
            expected = self._make_module().state_dict()
        if set(weights) != set(expected):
            raise ValueError(
                f"the weights do not fit a {type(self).__name__}: missing "
                f"{sorted(set(expected) - set(weights))}, unexpected "
                f"{sorted(set(weights) - set(expected))}."
            )
        for key, value in weights.items():
            if tuple(np.shape(value)) != tuple(expected[key].shape):
                raise ValueError(
                    f"tensor {key!r} has shape {tuple(np.shape(value))} in the weights, "
                    f"but the model needs {tuple(expected[key].shape)}."
                )
            kind = np.asarray(value).dtype.kind
            if kind not in ("f" if expected[key].dtype.is_floating_point else "iu"):
                raise ValueError(
                    f"tensor {key!r} holds {np.asarray(value).dtype} values; the model "
                    f"needs {expected[key].dtype}."
                )
            if kind == "f" and not np.isfinite(value).all():
                raise ValueError(f"tensor {key!r} holds NaN or infinite values.")
        module = self._make_module()
        module.load_state_dict(
            {key: torch.as_tensor(np.array(value)) for key, value in weights.items()}
        )
        if device is None:
            device = resolve_device(self.device, fallback=True)
        self._built_with = None
        return self._wrap_module(module, 0, history, device)

    def _wrap_module(self, module, seed: int, history, device: str | None = None):
        """A new ``net_`` around a trained module, with the current training parameters."""
        self.net_ = self._make_net(module, seed=seed, device=device)
        self.net_.initialize()
        self.net_.history = History(list(history or []))
        for group in self.net_.optimizer_.param_groups:  # a schedule resumes from here
            group.setdefault("initial_lr", group["lr"])
        params = self.get_params(deep=False)
        self._built_with = {
            **self._built_params(),
            **{key: params[key] for key in self._training_params},
        }
        return self

    def _check_fitted_state(self) -> None:
        """Refuse fitted attributes that fail their declared checks
        (:func:`~sklearn_seq._fitted.check_fitted`), disagree with each other or
        bound no work."""
        check_fitted(self)
        codec = self._target_codec()
        if codec.n_outputs != self.n_outputs_:
            raise ValueError(
                f"n_outputs_={self.n_outputs_}, but the fitted targets make "
                f"{codec.n_outputs} outputs."
            )
        steps = getattr(codec, "steps", 1)
        if not 1 <= steps <= MAX_OUTPUT_STEPS:
            raise ValueError(
                f"the model would generate {steps} steps per output; at most "
                f"{MAX_OUTPUT_STEPS} are allowed."
            )

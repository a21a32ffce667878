"""The shared recurrent core: parameters, seeding, the skorch net, inference."""

from __future__ import annotations

import copy
import random
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    GradientNormClipping,
    LRScheduler,
)
from torch.utils.data import Subset

from ._progress import arrange_callbacks
from ._sequences import BatchDataset, Sequences, check_sequences, iter_batches, keep_batch

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


def _is_optimizer_class(value) -> bool:
    return isinstance(value, type) and issubclass(value, torch.optim.Optimizer)


@contextmanager
def seeded(seed: int):
    """Seed torch, numpy and ``random`` for a block, then restore their state.

    Fitting a model inside this block does not change the caller's random
    streams.
    """
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        np.random.seed(seed % 2**32)
        random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)


def resolve_device(device: str) -> str:
    """Map ``"auto"`` to ``"cuda"`` when available; refuse an absent GPU."""
    cuda = torch.cuda.is_available()
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ValueError(
            "device='cuda' was requested but no CUDA GPU is available to torch; "
            "use device='cpu' or device='auto'."
        )
    return device


class ValidationSplit:
    """A skorch ``train_split``: hold out a fraction for validation.

    Parameters
    ----------
    fraction : float
        Share of samples held out.
    stratified : bool
        Stratified random hold-out (classification). Otherwise the last
        ``fraction`` of the samples is held out, as time order demands.
    random_state : int
        Seed of the stratified shuffle.
    """

    def __init__(self, fraction: float, stratified: bool = False, random_state: int = 0):
        self.fraction = fraction
        self.stratified = stratified
        self.random_state = random_state

    def __call__(self, dataset, y=None):
        n = len(dataset)
        n_valid = max(1, int(round(n * self.fraction)))
        if n - n_valid < 1:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves no training samples "
                f"out of {n}."
            )
        if self.stratified:
            splitter = StratifiedShuffleSplit(
                n_splits=1, test_size=n_valid, random_state=self.random_state
            )
            train, valid = next(splitter.split(np.zeros(n), np.asarray(y)))
        else:
            train, valid = np.arange(n - n_valid), np.arange(n - n_valid, n)
        return Subset(dataset, train), Subset(dataset, valid)


class FiniteLossGuard(Callback):
    """Stop training with a clear error when the training loss is NaN or infinite."""

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if not np.isfinite(loss):
            raise ValueError(
                f"Training diverged: the training loss became {loss} at epoch "
                f"{len(net.history)}. Lower lr, keep gradient_clip on, or check the "
                "scale of the data (standardize=True)."
            )


class RecurrentEstimator(BaseEstimator):
    """Shared core of the recurrent estimators (not for direct use).

    Subclasses list the shared parameters in their own ``__init__`` (as
    scikit-learn requires) and implement ``_build_module`` plus the data
    handling that is theirs. This class builds the skorch net ``net_`` in
    ``fit``, seeds it, and runs batched inference.
    """

    _parameter_constraints: dict = {
        "cell": [StrOptions({"lstm", "gru", "rnn"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "nonlinearity": [StrOptions({"tanh", "relu"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), callable],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
        "lr_schedule": [StrOptions({"cosine", "plateau"}), None],
        "standardize": ["boolean"],
    }

    # --- what subclasses provide -------------------------------------------------
    _net_class = None  # a skorch NeuralNet class
    _criterion = None  # a torch loss class
    _stratified_split = False

    def _build_module(self, n_channels: int, n_outputs: int):
        raise NotImplementedError

    def _net_kwargs(self) -> dict:
        """Extra skorch net arguments derived from fitted state (e.g. loss weights)."""
        return {}

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
        }

    def _is_warm(self) -> bool:
        return self.warm_start and hasattr(self, "net_")

    def _check_input(self, X, *, reset: bool) -> Sequences:
        """Validate X; on ``reset`` record its layout, else check it matches."""
        seqs = check_sequences(X)
        name = type(self).__name__
        if reset:
            self.n_channels_in_ = seqs.n_channels
            if seqs.kind == "2d":
                self.n_features_in_ = seqs.values.shape[1]
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_
            return seqs
        if seqs.n_channels != self.n_channels_in_:
            raise ValueError(
                f"X has {seqs.n_channels} channels, but {name} was fitted on "
                f"sequences with {self.n_channels_in_} channels."
            )
        n_features = getattr(self, "n_features_in_", None)
        if seqs.kind == "2d" and n_features is not None:
            if seqs.values.shape[1] != n_features:
                raise ValueError(
                    f"X has {seqs.values.shape[1]} features, but {name} is expecting "
                    f"{n_features} features as input (a 2-D X holds sequences of "
                    f"{n_features} time steps; pass a list for other lengths)."
                )
        return seqs

    def _fit_input_scaler(self, seqs: Sequences) -> None:
        """Learn per-channel statistics (with ``standardize``, unless warm)."""
        if self.standardize and not self._is_warm():
            self.x_mean_, self.x_scale_ = channel_stats(seqs)

    def _scale_inputs(self, seqs: Sequences) -> Sequences:
        if not self.standardize:
            return seqs
        return standardize(seqs, self.x_mean_, self.x_scale_)

    def _make_net(self, module, seed: int, device: str | None = None, **net_kwargs):
        """The skorch net around ``module``; ``device`` overrides the parameter."""
        callbacks = [("finite_loss", FiniteLossGuard())]
        if self.gradient_clip is not None:
            callbacks.append(
                (
                    "gradient_clip",
                    GradientNormClipping(gradient_clip_value=self.gradient_clip),
                )
            )
        if self.early_stopping:
            callbacks.append(
                ("early_stopping", EarlyStopping(patience=self.patience, load_best=True))
            )
        if self.lr_schedule == "cosine":
            policy = {"policy": "CosineAnnealingLR", "T_max": self.max_epochs}
            callbacks.append(("lr_schedule", LRScheduler(**policy)))
        elif self.lr_schedule == "plateau":
            monitor = "valid_loss" if self.early_stopping else "train_loss"
            policy = {"policy": "ReduceLROnPlateau", "monitor": monitor}
            callbacks.append(("lr_schedule", LRScheduler(**policy, patience=5, factor=0.5)))
        for i, cb in enumerate(self.callbacks or []):
            named = cb if isinstance(cb, tuple) else (f"user_{i}", cb)
            callbacks.append(copy.deepcopy(named))
        callbacks = arrange_callbacks(callbacks, self.verbose)
        optimizer = (
            self.optimizer
            if _is_optimizer_class(self.optimizer)
            else OPTIMIZERS[self.optimizer]
        )
        split = (
            ValidationSplit(self.validation_fraction, self._stratified_split, seed)
            if self.early_stopping
            else None
        )
        return self._net_class(
            module=module,
            criterion=self._criterion,
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            dataset=BatchDataset,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=keep_batch,
            iterator_valid__collate_fn=keep_batch,
            train_split=split,
            callbacks=callbacks,
            callbacks__print_log=None,
            device=resolve_device(self.device) if device is None else device,
            verbose=int(self.verbose),
            **net_kwargs,
        )

    def _fit_net(
        self,
        seqs: Sequences,
        y: np.ndarray,
        n_outputs: int,
        extra_inputs: dict | None = None,
    ):
        """Build (or reuse, with ``warm_start``) and train ``net_`` on scaled input.

        ``extra_inputs`` are more arrays for the module's ``forward`` (one row per
        sample).
        """
        if self.optimizer not in OPTIMIZERS and not _is_optimizer_class(self.optimizer):
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a torch.optim.Optimizer "
                f"subclass, got {self.optimizer!r}."
            )
        warm = self._is_warm()
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        seqs = self._scale_inputs(seqs)
        inputs = {"values": seqs.values, "lengths": seqs.lengths, **(extra_inputs or {})}
        with seeded(seed):
            if warm:
                self.net_.partial_fit(inputs, y)
            else:
                module = self._build_module(seqs.n_channels, n_outputs)
                self.net_ = self._make_net(module, seed, **self._net_kwargs())
                self.net_.fit(inputs, y)
        self.n_epochs_ = len(self.net_.history)
        return self

    def _forward(self, seqs: Sequences) -> np.ndarray:
        """Run the trained module over all (unscaled) sequences, in eval mode."""
        seqs = self._scale_inputs(seqs)
        module = self.net_.module_
        device = next(module.parameters()).device
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = [
                    module(values, lengths)[:n].cpu().numpy()
                    for values, lengths, n in iter_batches(seqs, self.batch_size, device)
                ]
        finally:
            module.train(was_training)
        return np.concatenate(out).astype(np.float64)


def channel_stats(seqs: Sequences) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over the valid time steps."""
    valid = seqs.values[seqs.mask()].astype(np.float64)  # (n_valid_steps, C)
    mean = valid.mean(axis=0)
    scale = valid.std(axis=0)
    scale[scale < 1e-12] = 1.0
    return mean, scale


def standardize(seqs: Sequences, mean: np.ndarray, scale: np.ndarray) -> Sequences:
    """Standardize each channel, keeping the padding at zero."""
    values = (seqs.values - mean.astype(np.float32)) / scale.astype(np.float32)
    values *= seqs.mask()[:, :, None]
    return Sequences(values.astype(np.float32, copy=False), seqs.lengths, seqs.kind)

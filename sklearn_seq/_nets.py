"""Training plumbing: the skorch nets (skorch's own, with per-sample loss weights),
the validation split, the divergence guard, seeding and devices."""

from __future__ import annotations

import math
import random
import threading
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.utils import to_tensor
from torch.utils.data import Subset

from ._modules import has_mode

__all__ = [
    "OPTIMIZERS",
    "FiniteLossGuard",
    "WeightAveraging",
    "SampleWeightedNet",
    "ValidationSplit",
    "WeightedClassifierNet",
    "WeightedNet",
    "WeightedRegressorNet",
    "resolve_device",
    "seeded",
]


class SampleWeightedNet:
    """Mixin for a skorch net whose criterion has ``reduction="none"``.

    The loss is the weighted mean of the samples' losses,
    ``sum_i w_i * sum_e l_ie / sum_i w_i * n_i``, where sample ``i`` has
    ``n_i`` loss elements (target values, or tokens that are not padding) and
    weight ``w_i`` from ``X["sample_weight"]`` (1 when absent). With equal
    weights it is the criterion's ordinary mean; a weight of 2 counts a sample
    as twice as many samples would.
    """

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and "sample_weight" in x:
            x = {key: value for key, value in x.items() if key != "sample_weight"}
        return super().infer(x, **fit_params)

    def _set_training(self, training=True):
        # skorch sets the mode before every batch; Module.train walks and assigns
        # every submodule, so call it only when some submodule's mode differs
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and has_mode(module, not training):
                module.train(training)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        n = len(y_true)
        losses = self.criterion_(y_pred, y_true).reshape(n, -1)
        ignore = getattr(self.criterion_, "ignore_index", None)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if ignore is not None and not torch.is_floating_point(y_true):
            counts = (y_true != ignore).reshape(n, -1).sum(1).to(losses)
        elif weight is None:  # every loss element counts once: the plain mean
            return losses.sum() / losses.numel()
        else:
            counts = torch.full((n,), losses.shape[1], dtype=losses.dtype)
            counts = counts.to(losses.device)
        if weight is None:
            return losses.sum() / counts.sum()
        weight = weight.to(losses)
        return (weight * losses.sum(1)).sum() / (weight * counts).sum()


class WeightedNet(SampleWeightedNet, NeuralNet):
    """skorch's ``NeuralNet`` with per-sample loss weights."""


class WeightedClassifierNet(SampleWeightedNet, NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with per-sample loss weights."""


class WeightedRegressorNet(SampleWeightedNet, NeuralNetRegressor):
    """skorch's ``NeuralNetRegressor`` with per-sample loss weights."""


OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}


def _is_optimizer_class(value) -> bool:
    return isinstance(value, type) and issubclass(value, torch.optim.Optimizer)


# held by a thread inside ``seeded``: torch's, numpy's and Python's global random
# streams are shared by all threads, and dropout draws from torch's (the fused
# multi-layer LSTM/GRU takes no generator), so seeded blocks run one at a time
_SEEDED = threading.RLock()


@contextmanager
def seeded(seed: int):
    """Seed torch, numpy and ``random`` for a block, then restore their state.

    Fitting a model inside this block does not change the caller's random
    streams. The block holds a process-wide lock: fits in several threads
    (a Dask worker's, say) run their seeded parts one after the other, so
    each gives the model the same ``random_state`` gives alone. Fits in
    separate processes (joblib's default) run in parallel.
    """
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    with _SEEDED, torch.random.fork_rng(devices=devices):
        np_state, py_state = np.random.get_state(), random.getstate()
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
            try:
                train, valid = next(splitter.split(np.zeros(n), np.asarray(y)))
            except ValueError as exc:
                raise ValueError(
                    f"early_stopping holds out validation_fraction={self.fraction} of "
                    f"the {n} samples ({n_valid}) for validation, which cannot hold "
                    f"every class ({exc}). Raise validation_fraction, give more "
                    "samples, or set early_stopping=False."
                ) from None
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


class WeightAveraging(Callback):
    """Keep the average of the weights after each of the last epochs.

    Stochastic weight averaging at the training learning rate (Izmailov et
    al., 2018): the weights at the ends of the last epochs lie around a
    minimum, and their average sits nearer its centre than any one of them,
    which steadies what a small training set and the seed leave to chance.
    The last ``ceil(share * max_epochs)`` epochs (at least one) of the net's
    ``max_epochs`` are averaged. The running mean is updated in place after
    each epoch (deterministic, one copy of the weights) and loaded into the
    module when training ends. Buffers (a batch normalization's running
    statistics) keep their last values.
    """

    def __init__(self, share: float):
        self.share = share

    def on_train_begin(self, net, **kwargs):
        averaged = max(1, math.ceil(self.share * net.max_epochs))
        self.first_ = net.max_epochs - averaged + 1  # the first epoch averaged
        self.epoch_, self.average_ = 0, None

    def on_epoch_end(self, net, **kwargs):
        self.epoch_ += 1
        if self.epoch_ < self.first_:
            return
        params = [p.detach() for p in net.module_.parameters()]
        if self.average_ is None:
            self.average_ = [p.clone() for p in params]
            return
        count = self.epoch_ - self.first_ + 1  # epochs averaged, this one included
        for mean, value in zip(self.average_, params, strict=True):
            mean.add_(value - mean, alpha=1.0 / count)

    def on_train_end(self, net, **kwargs):
        if self.average_ is None:
            return
        with torch.no_grad():
            for param, mean in zip(net.module_.parameters(), self.average_, strict=True):
                param.copy_(mean)
        self.average_ = None  # the net keeps the callback: do not hold a second copy

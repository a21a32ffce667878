"""Everything the skorch net is built from: the nets (skorch's own, with
per-sample loss weights), training batches (one fancy index per batch, random
crops, length buckets, a padding budget), the validation split, the
divergence guard, weight averaging and the loss weights."""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from sklearn.model_selection import StratifiedShuffleSplit
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import (
    Callback,
    EarlyStopping,
    GradientNormClipping,
    LRScheduler,
)
from skorch.dataset import Dataset
from skorch.utils import to_tensor
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, Subset

from ._data_parallel import RankAwareNet
from ._inference import has_mode
from ._progress import arrange_callbacks
from ._validation import FLOAT32_MAX

__all__ = [
    "OPTIMIZERS",
    "BatchDataset",
    "BudgetBatches",
    "FiniteLossGuard",
    "LengthBuckets",
    "RandomCrops",
    "ReconstructionNet",
    "SampleWeightedNet",
    "ValidationSplit",
    "WeightAveraging",
    "WeightedClassifierNet",
    "WeightedNet",
    "WeightedRegressorNet",
    "keep_batch",
    "loss_weights",
    "shuffled_loader",
    "training_callbacks",
]


class SampleWeightedNet(RankAwareNet):
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
        total, weight = self.loss_terms(y_pred, y_true, X)
        return total / weight

    def loss_terms(self, y_pred, y_true, X=None):
        """The batch's weighted loss sum and the weight it is divided by."""
        y_true = to_tensor(y_true, device=self.device)
        n = len(y_true)
        losses = self.criterion_(y_pred, y_true).reshape(n, -1)
        ignore = getattr(self.criterion_, "ignore_index", None)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if ignore is not None and not torch.is_floating_point(y_true):
            counts = (y_true != ignore).reshape(n, -1).sum(1).to(losses)
        elif weight is None:  # every loss element counts once: the plain mean
            return losses.sum(), losses.numel()
        else:
            counts = torch.full((n,), losses.shape[1], dtype=losses.dtype)
            counts = counts.to(losses.device)
        return weighted_terms(losses, counts, weight)


def weighted_terms(losses, counts, weight=None):
    """``sum_i w_i * sum_e l_ie`` and ``sum_i w_i * counts_i`` over ``(n, k)``
    losses (``w_i`` 1 when ``weight`` is None): the weighted mean's terms."""
    if weight is None:
        return losses.sum(), counts.sum()
    weight = weight.to(losses)
    return (weight * losses.sum(1)).sum(), (weight * counts).sum()


class WeightedNet(SampleWeightedNet, NeuralNet):
    """skorch's ``NeuralNet`` with per-sample loss weights."""


class ReconstructionNet(WeightedNet):
    """A net whose targets are its inputs (``y`` is None): the module's
    ``losses`` give each sample's loss elements from the batch's own inputs
    (an autoencoder's squared errors, zero after each sequence's end; a
    contrastive module's InfoNCE; a masked module's errors on the values it
    hid) and their count, weighted as
    :class:`SampleWeightedNet` weighs them."""

    def loss_terms(self, y_pred, y_true, X=None):
        values, lengths = X["values"].to(y_pred.device), X["lengths"]
        weight = X.get("sample_weight")
        losses, counts = self.module_.losses(y_pred, values, lengths, weight)
        return weighted_terms(losses, counts, weight)


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


class BatchDataset(Dataset):
    """A skorch dataset that fetches a whole batch with one fancy index.

    ``torch.utils.data.DataLoader`` calls ``__getitems__`` with the batch's
    indices; pair it with :func:`keep_batch` as ``collate_fn``. This avoids
    indexing and re-stacking sample by sample.
    """

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.intp)  # an empty share of a batch too
        X = {key: torch.from_numpy(np.asarray(value[idx])) for key, value in self.X.items()}
        y = torch.from_numpy(np.asarray(self.y[idx])) if self.y is not None else None
        return X, y


def keep_batch(batch):
    """``collate_fn`` for :class:`BatchDataset`: the batch is already built."""
    return batch


class RandomCrops:
    """``collate_fn`` for training batches of :class:`BatchDataset`: each
    sequence cut to a random run of its steps ("window slicing", Le Guennec
    et al., 2016).

    Each batch draws one share ``s`` uniformly from ``[smallest, 1]``; a
    sequence of ``L > longer_than`` steps keeps ``ceil(s * L)`` consecutive
    steps from a start drawn uniformly among those that fit, shorter ones stay
    whole. Sequences of one length keep one length (no packing). Draws come
    from torch's global generator, as a shuffling ``DataLoader``'s do, so a
    seeded fit crops alike every time; a batch with nothing to crop draws
    nothing.

    Parameters
    ----------
    smallest : float
        The smallest share of a sequence a crop keeps, in (0, 1].
    longer_than : int, default=0
        Sequences of at most this many steps are never cropped.
    """

    def __init__(self, smallest: float, longer_than: int = 0):
        self.smallest = smallest
        self.longer_than = longer_than

    def __call__(self, batch):
        X, y = batch
        values, lengths = X["values"], X["lengths"]
        if not len(lengths) or int(lengths.max()) <= self.longer_than:
            return batch
        share = self.smallest + (1.0 - self.smallest) * float(torch.rand(()))
        kept = torch.clamp(torch.ceil(lengths * share).long(), min=1)
        kept = torch.where(lengths > self.longer_than, kept, lengths)
        start = (torch.rand(len(lengths)) * (lengths - kept + 1)).long()
        width = int(kept.max())
        steps = torch.arange(width)
        index = (start[:, None] + steps).clamp(max=values.shape[1] - 1)
        cropped = torch.gather(values, 1, index[:, :, None].expand(-1, -1, values.shape[2]))
        cropped = cropped * (steps < kept[:, None])[:, :, None].to(cropped.dtype)
        return {**X, "values": cropped, "lengths": kept}, y


BUCKET_BATCHES = 50  # batches per bucket of LengthBuckets


def padded_step_budget(lengths: np.ndarray, batch_size: int) -> int:
    """Padded steps (rows x steps) a training batch may hold: ``batch_size``
    sequences of twice the length that 90% of the sequences do not exceed.

    Input of one length never reaches it, so ``batch_size`` keeps its meaning
    there; a batch that would exceed it is split (:func:`within_budget`).
    """
    return batch_size * 2 * max(1, int(np.quantile(lengths, 0.9)))


def within_budget(batch, lengths: np.ndarray, budget: int):
    """Split a batch (sample indices) into batches of at most ``budget`` padded
    steps each, as fairseq's ``max_tokens`` does; a batch within it stays whole
    and in order. A sequence longer than the budget makes a batch of its own, so
    memory follows the longest sequence, not the longest times the batch size."""
    batch = np.asarray(batch)
    own = lengths[batch]
    if len(batch) * int(own.max()) <= budget:
        return [batch.tolist()]
    order = batch[np.argsort(-own, kind="stable")]  # longest first
    out, start = [], 0
    while start < len(order):
        rows = max(1, budget // int(lengths[order[start]]))  # the first is the longest
        out.append(order[start : start + rows].tolist())
        start += rows
    return out


class BudgetBatches:
    """A ``batch_sampler``: the batches of ``batches`` (an iterable of index
    lists), each split to at most ``budget`` padded steps (:func:`within_budget`).

    Over a shuffling ``BatchSampler`` it draws exactly what a shuffling
    ``DataLoader`` draws, so a batch within the budget is the one the
    ``DataLoader`` would have made.
    """

    def __init__(self, batches, lengths: np.ndarray, budget: int):
        self.batches, self.lengths, self.budget = batches, np.asarray(lengths), budget

    def __len__(self) -> int:  # before splits, which the draws decide
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            yield from within_budget(batch, self.lengths, self.budget)


def _lengths_of(dataset) -> np.ndarray:
    """The sequence lengths of a :class:`BatchDataset` or a ``Subset`` of one."""
    if isinstance(dataset, Subset):
        return np.asarray(dataset.dataset.X["lengths"])[np.asarray(dataset.indices)]
    return np.asarray(dataset.X["lengths"])


def shuffled_loader(dataset, batch_size: int, shuffle: bool = True, **kwargs):
    """A skorch ``iterator_train``: shuffled batches of ``batch_size`` samples, as
    a shuffling ``DataLoader`` makes them, split where they would pad more than
    :func:`padded_step_budget` (``shuffle`` is ignored: always shuffled)."""
    lengths = _lengths_of(dataset)
    batches = BatchSampler(RandomSampler(dataset), batch_size, drop_last=False)
    sampler = BudgetBatches(batches, lengths, padded_step_budget(lengths, batch_size))
    return DataLoader(dataset, batch_sampler=sampler, **kwargs)


class LengthBuckets:
    """Training batches of sequences of similar lengths (a ``batch_sampler``).

    Each epoch shuffles the samples, cuts the shuffled order into buckets of
    ``BUCKET_BATCHES`` batches, sorts each bucket by length, cuts it into
    batches and shuffles the batches. A batch then pads little, and a
    recurrent layer runs about as many steps as the batch's own longest
    sequence needs rather than a long one drawn at random into it
    (torchtext's ``BucketIterator``, ``group_by_length`` in Hugging Face's
    trainer). Draws come from torch's global generator, as a shuffling
    ``DataLoader``'s do.

    Parameters
    ----------
    lengths : ndarray of shape (n_samples,)
        Length of each sample.
    batch_size : int
        Samples per batch.
    """

    def __init__(self, lengths: np.ndarray, batch_size: int):
        self.lengths, self.batch_size = np.asarray(lengths), batch_size

    def __len__(self) -> int:
        return -(-len(self.lengths) // self.batch_size)

    def __iter__(self):
        size = self.batch_size
        order = torch.randperm(len(self.lengths)).numpy()
        batches = []
        for start in range(0, len(order), size * BUCKET_BATCHES):
            bucket = order[start : start + size * BUCKET_BATCHES]
            bucket = bucket[np.argsort(self.lengths[bucket], kind="stable")]
            batches += [bucket[i : i + size] for i in range(0, len(bucket), size)]
        return (batches[i].tolist() for i in torch.randperm(len(batches)).tolist())

    @classmethod
    def loader(cls, dataset, batch_size: int, shuffle: bool = True, **kwargs):
        """A skorch ``iterator_train``: a ``DataLoader`` over these batches.

        ``dataset`` is a :class:`BatchDataset` or a ``Subset`` of one;
        ``shuffle`` is ignored (the batches are always drawn at random).
        """
        lengths = _lengths_of(dataset)
        budget = padded_step_budget(lengths, batch_size)
        sampler = BudgetBatches(cls(lengths, batch_size), lengths, budget)
        return DataLoader(dataset, batch_sampler=sampler, **kwargs)


def loss_weights(sample_weight, class_weights, n_samples: int) -> np.ndarray | None:
    """Per-sample loss weights from ``sample_weight`` and the codec's class weights."""
    if sample_weight is None and class_weights is None:
        return None
    weights = np.ones(n_samples) if sample_weight is None else sample_weight
    if class_weights is not None:
        weights = weights * class_weights
    if not weights.sum() <= FLOAT32_MAX:  # the network sums them in float32
        raise ValueError(
            f"sample_weight times class_weight sums to {weights.sum():.3g}, beyond "
            f"float32's range ({FLOAT32_MAX:.3g}) in which the network weighs its "
            "losses; rescale sample_weight (only the ratios between weights count)."
        )
    if not weights.any():
        raise ValueError(
            "every sample has a loss weight of 0 (sample_weight times class_weight): "
            "there is nothing to learn. Give some samples or classes a weight > 0."
        )
    return weights.astype(np.float32)


def training_callbacks(params: dict, max_epochs: int) -> list:
    """The named callbacks of a training run, from an estimator's parameters
    (``get_params``): the divergence guard, gradient clipping, early stopping or
    weight averaging, the learning-rate schedule, then copies of the user's
    ``callbacks``, arranged for ``verbose`` (``_progress.arrange_callbacks``)."""
    callbacks = [("finite_loss", FiniteLossGuard())]
    if params["gradient_clip"] is not None:
        clip = GradientNormClipping(gradient_clip_value=params["gradient_clip"])
        callbacks.append(("gradient_clip", clip))
    if params["early_stopping"]:
        stop = EarlyStopping(patience=params["patience"], load_best=True)
        callbacks.append(("early_stopping", stop))
    elif params["weight_averaging"] is not None:  # early stopping keeps its best epoch
        callbacks.append(("weight_averaging", WeightAveraging(params["weight_averaging"])))
    if params["lr_schedule"] == "cosine":
        policy = {"policy": "CosineAnnealingLR", "T_max": max_epochs}
        callbacks.append(("lr_schedule", LRScheduler(**policy)))
    elif params["lr_schedule"] == "plateau":
        monitor = "valid_loss" if params["early_stopping"] else "train_loss"
        policy = {"policy": "ReduceLROnPlateau", "monitor": monitor}
        callbacks.append(("lr_schedule", LRScheduler(**policy, patience=5, factor=0.5)))
    for i, cb in enumerate(params["callbacks"] or []):
        named = cb if isinstance(cb, tuple) else (f"user_{i}", cb)
        callbacks.append(copy.deepcopy(named))
    return arrange_callbacks(callbacks, params["verbose"])

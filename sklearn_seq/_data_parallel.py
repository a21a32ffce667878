"""A rank's training steps in a distributed fit (``_distributed``): its shares of
the global batches, the gradients summed over the ranks, the global figures
every callback reads, and the check that the ranks hold the same data."""

from __future__ import annotations

import zlib

import numpy as np
import torch
from skorch.dataset import unpack_data

from . import _distributed
from ._distributed import Ranks, current

__all__ = ["RankAwareNet", "RankShards", "check_same_data", "reduce_gradients"]

CHECK_BLOCK = 256  # rows per block of the data checksum


def _epoch_seed(seed: int, epoch: int, rank: int = 0) -> int:
    """A seed for the shuffle of ``epoch`` (all ranks alike) or for a rank's own
    draws (``rank + 1``, with epoch 0)."""
    return int(np.random.SeedSequence([seed % 2**63, epoch, rank]).generate_state(1)[0])


class RankShards:
    """A ``batch_sampler``: this rank's share of each global batch.

    Each epoch, the global batches come from ``batches`` (a batch sampler that
    draws from torch's global generator) with that generator seeded from
    ``seed`` and the epoch, and restored afterwards, so every rank draws the
    same global batches whatever else it has drawn. Each global batch is cut
    into ``world`` contiguous parts, one per rank: each sample is read once per
    epoch, by one rank, and a rank whose part is empty (the last, uneven
    batches) takes a step with no samples rather than a repeated one.
    """

    def __init__(self, batches, ranks: Ranks, seed: int, epoch: int = 0):
        self.batches, self.ranks, self.seed, self.epoch = batches, ranks, seed, epoch

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self):
        with torch.random.fork_rng(devices=[]):  # the CPU generator, restored after
            torch.default_generator.manual_seed(_epoch_seed(self.seed, self.epoch))
            batches = [np.asarray(batch, dtype=np.intp) for batch in self.batches]
        self.epoch += 1
        for batch in batches:
            yield np.array_split(batch, self.ranks.world)[self.ranks.rank].tolist()


def reduce_gradients(params: list, loss: torch.Tensor, ranks: Ranks) -> torch.Tensor:
    """Sum the gradients of ``params`` and ``loss`` over the ranks, in one
    all-reduce; return the summed loss. A parameter no rank's step reached
    keeps no gradient (as on one process, where an optimizer skips it)."""
    if ranks.world == 1:
        return loss.detach()
    parts, used = [], []
    for p in params:
        used.append(p.grad is not None)
        parts.append(p.grad.reshape(-1) if p.grad is not None else p.new_zeros(p.numel()))
    flags = loss.new_tensor(used, dtype=parts[0].dtype if parts else loss.dtype)
    flat = ranks.sum(torch.cat([*parts, flags, loss.detach().reshape(1).to(flags)]))
    reached = (flat[-1 - len(params) : -1] > 0).tolist()  # one transfer from a GPU
    offset = 0
    for p, used_somewhere in zip(params, reached, strict=True):
        n = p.numel()
        p.grad = flat[offset : offset + n].view_as(p) if used_somewhere else None
        offset += n
    return flat[-1]


class RankAwareNet:
    """Mixin for the skorch nets: each step as one rank of a distributed fit
    (while :func:`current` is not None), else skorch's own. The net provides
    ``loss_terms(y_pred, y_true, X)``: a batch's weighted loss sum and weight."""

    def fit_loop(self, X, y=None, *args, **kwargs):
        ranks = current()
        if ranks is None:
            return super().fit_loop(X, y, *args, **kwargs)
        self._refuse_per_share_figures(ranks)
        self._shard_seed = torch.initial_seed()  # the fit's seed: alike on every rank
        ranks.broadcast(self.module_)  # start alike, as DDP does
        torch.manual_seed(_epoch_seed(self._shard_seed, 0, ranks.rank + 1))  # own dropout
        try:
            return super().fit_loop(X, y, *args, **kwargs)
        finally:  # not part of the fitted net
            del self._shard_seed
            vars(self).pop("_global_batch_size", None)

    def _refuse_per_share_figures(self, ranks: Ranks) -> None:
        """Refuse what would read one rank's share as if it were the batch."""
        if ranks.world == 1:
            return
        if getattr(self.module_, "couples_batch", False):
            raise ValueError(
                "this model's loss compares each sequence with the others of its "
                "batch (the contrastive objective): split across processes it would "
                "learn another task. Train it with distributed=None or 1."
            )
        for name, callback in self.callbacks_:
            if getattr(callback, "on_train", False) and hasattr(callback, "scoring"):
                raise ValueError(
                    f"callback {name!r} scores the training predictions, which each "
                    "process sees only its share of: score on the validation split "
                    "(on_train=False) in a distributed fit."
                )

    def notify(self, method_name, **kwargs):
        ranks = current()
        if ranks is None or ranks.world == 1 or method_name != "on_epoch_end":
            return super().notify(method_name, **kwargs)
        stop = None
        try:  # a callback that stops (EarlyStopping) stops every rank
            super().notify(method_name, **kwargs)
        except KeyboardInterrupt as exc:
            stop = exc
        flag = ranks.sum(torch.tensor([float(stop is not None)], device=self.device))
        for group in self.optimizer_.param_groups:  # rank 0's schedule everywhere
            group["lr"] = ranks.same(group["lr"])
        if flag.item() > 0:
            raise stop or KeyboardInterrupt

    def get_iterator(self, dataset, training=False):
        loader = super().get_iterator(dataset, training=training)
        ranks = current()
        if ranks is None or not training:  # every rank validates on the whole split
            return loader
        shards = RankShards(
            loader.batch_sampler, ranks, self._shard_seed, len(self.history)
        )
        return torch.utils.data.DataLoader(
            dataset, batch_sampler=shards, collate_fn=loader.collate_fn
        )

    def train_step_single(self, batch, **fit_params):
        ranks = current()
        if ranks is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        n = len(Xi["lengths"])
        params = [p for _, p in self.get_all_learnable_params() if p.requires_grad]
        if n:
            y_pred = self.infer(Xi, **fit_params)
            total, weight = self.loss_terms(y_pred, yi, Xi)
        else:  # an empty share of an uneven batch: no samples, no gradient
            y_pred, total, weight = None, params[0].new_zeros(()), 0.0
        size = ranks.sum(total.new_tensor([float(weight), float(n)]))
        loss = total / size[0]
        if n:
            loss.backward()
        self._global_batch_size = int(size[1])
        return {"loss": reduce_gradients(params, loss, ranks), "y_pred": y_pred}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        ranks = current()
        if ranks is None or iterator is None:
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        batches = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].item())
            size = self._global_batch_size if training else len(batch[0]["lengths"])
            self.history.record_batch(prefix + "_batch_size", size)
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batches += 1
        self.history.record(prefix + "_batch_count", batches)
        if training:  # batch norm statistics: rank 0's, as DDP broadcasts them
            ranks.broadcast(self.module_)
        else:  # the same figures on every rank, to the last bit
            key = prefix + "_loss"
            records = [r for r in self.history[-1]["batches"] if key in r]
            losses = [r[key] for r in records]  # on the net's device: NCCL reduces there
            losses = torch.tensor(losses, dtype=torch.float64, device=self.device)
            losses = ranks.sum(losses).cpu()
            for record, value in zip(records, (losses / ranks.world).tolist(), strict=True):
                record[key] = value


def check_same_data(ranks: Ranks, arrays: list) -> None:
    """Refuse a ``"join"`` fit whose ranks were given different training data
    (a checksum of each array, read a block of rows at a time: lazy rows are
    padded block by block, never whole). Launched workers skip it: their data
    are one pickle."""
    if ranks.world == 1 or _distributed.in_worker():
        return
    crc = 0
    for array in arrays:
        if array is None:
            continue
        for start in range(0, len(array), CHECK_BLOCK):
            rows = np.arange(start, min(start + CHECK_BLOCK, len(array)))
            block = np.ascontiguousarray(np.asarray(array[rows]))
            crc = zlib.crc32(block.view(np.uint8).reshape(-1), crc)
    seen = ranks.gather(crc)
    if len(set(seen)) > 1:
        raise ValueError(
            "the ranks of distributed='join' were given different training data "
            f"(checksums {seen}): every rank passes the same X, y and sample_weight "
            "to fit, and trains on its own share of each batch."
        )

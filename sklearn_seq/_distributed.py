"""One model trained by several processes (``distributed``), on torch.distributed.

Data-parallel training as PyTorch's ``DistributedDataParallel`` does it, in the
skorch net's own steps: every rank holds the whole model and the whole
training set, reads its share of each global batch (:class:`RankShards`), and
sums the gradients over the ranks (:func:`reduce_gradients`) before each
optimizer step, so every rank takes the same step. The loss of a step is the
global weighted mean, its denominator summed over the ranks first; every
figure a decision reads (the training and validation losses in the history)
is the same on every rank, so early stopping, the divergence guard and the
learning-rate schedule decide alike everywhere.

``distributed=N`` starts ``N`` worker processes through torch's elastic
launcher (:func:`launch`) and returns rank 0's fitted estimator to the caller;
``distributed="join"`` trains within a process group a launcher (torchrun,
Spark's ``TorchDistributor``, Ray Train) already started; ``distributed=1``
runs this same data path in the calling process (a world of one rank).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import traceback
import uuid
import zlib
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from skorch.dataset import unpack_data

from ._runtime import available_cores

__all__ = [
    "MAX_PROCESSES",
    "RankAwareNet",
    "RankShards",
    "Ranks",
    "active",
    "current",
    "is_main_process",
    "launch",
    "plan",
]

MAX_PROCESSES = 1024  # the most worker processes ``distributed`` may ask for
TIMEOUT = timedelta(minutes=10)  # a collective that waits longer fails the fit

_WORKER = False  # True in a worker process this module launched
_ACTIVE = None  # the Ranks of the fit under way, if it is distributed


class Ranks:
    """The processes training one model: this one's ``rank`` among ``world``.

    A world of one (``distributed=1``) has no process group: its collectives
    leave their tensors as they are.
    """

    def __init__(self, rank: int, world: int):
        self.rank, self.world = rank, world

    @property
    def main(self) -> bool:
        return self.rank == 0

    def sum(self, tensor: torch.Tensor) -> torch.Tensor:
        """``tensor`` summed over the ranks, in place (every rank gets the sum)."""
        if self.world > 1:
            dist.all_reduce(tensor)
        return tensor

    def same(self, value: int) -> int:
        """Rank 0's integer ``value``, on every rank."""
        if self.world == 1:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def broadcast(self, module: torch.nn.Module) -> None:
        """Rank 0's parameters and buffers into ``module`` on every rank."""
        if self.world > 1:
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor.data, src=0)

    def gather(self, value) -> list:
        """Every rank's picklable ``value``, in rank order."""
        if self.world == 1:
            return [value]
        out = [None] * self.world
        dist.all_gather_object(out, value)
        return out


def current() -> Ranks | None:
    """The ranks of the distributed fit under way in this process, or None."""
    return _ACTIVE


def is_main_process() -> bool:
    """False only on ranks other than 0 of a process group (files, printing)."""
    if _ACTIVE is not None:
        return _ACTIVE.main
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


@contextmanager
def active(ranks: Ranks | None):
    """Make ``ranks`` the current ones for a block (a fit inside a fit nests)."""
    global _ACTIVE
    previous, _ACTIVE = _ACTIVE, ranks if ranks is not None else _ACTIVE
    try:
        yield
    finally:
        _ACTIVE = previous


def plan(distributed, device: str):
    """What a fit with ``distributed`` does here: None (one process, as without
    the parameter), a :class:`Ranks` (train as one of them, in this process),
    or an int (launch that many worker processes)."""
    if distributed is None:
        return None
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise RuntimeError(
            "fit(distributed=...) ran while a worker process was starting: worker "
            "processes are spawned and import the main module again, so the script "
            'must start training under `if __name__ == "__main__":`.'
        )
    group = dist.is_available() and dist.is_initialized()
    if distributed == "join":
        if not group:
            _join_group(device)
        return Ranks(dist.get_rank(), dist.get_world_size())
    if distributed == 1:
        return Ranks(0, 1)
    if _WORKER and group and dist.get_world_size() == distributed:
        return Ranks(dist.get_rank(), distributed)
    if group:
        raise ValueError(
            f"distributed={distributed} starts worker processes, but this process "
            f"is already rank {dist.get_rank()} of a process group of "
            f"{dist.get_world_size()} (torchrun, a Spark or Ray launcher): use "
            "distributed='join' to train within it."
        )
    _check_devices(distributed, device)
    return distributed


def _join_group(device: str) -> None:
    """Start the process group a launcher described in the environment."""
    missing = [
        k
        for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
        if k not in os.environ
    ]
    if missing:
        raise ValueError(
            "distributed='join' trains within a process group, but none is running "
            f"and the environment lacks {', '.join(missing)}: start the script with "
            "torchrun (or another torch.distributed launcher), or call "
            "torch.distributed.init_process_group first."
        )
    dist.init_process_group(
        _backend(device, int(os.environ.get("LOCAL_RANK", 0))), timeout=TIMEOUT
    )


def _backend(device: str, local_rank: int) -> str:
    """NCCL with one GPU per process on CUDA, else gloo (CPU processes)."""
    if device in ("cuda", "auto") and torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return "nccl"
    return "gloo"


def _check_devices(n: int, device: str) -> None:
    if device in ("cuda", "auto") and torch.cuda.is_available():
        if n > torch.cuda.device_count():
            raise ValueError(
                f"distributed={n} starts one process per GPU, but torch sees "
                f"{torch.cuda.device_count()} GPUs."
            )
    elif n > available_cores():
        raise ValueError(
            f"distributed={n} starts {n} CPU processes, but this process may use "
            f"{available_cores()} cores: more processes than cores only wait for "
            "each other. Lower distributed."
        )


# --- launching worker processes ----------------------------------------------------


def launch(est, args: tuple, n: int):
    """Fit a copy of ``est`` on ``args`` in ``n`` spawned worker processes
    (torch's ``elastic_launch``, no command-line launcher) and return rank 0's
    fitted copy. A worker's exception is raised here, with the rank it came
    from; the launcher stops the other workers."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=n,
        run_id=uuid.uuid4().hex,
        rdzv_backend="c10d",
        rdzv_endpoint="localhost:0",
        max_restarts=0,
        start_method="spawn",
        monitor_interval=0.1,
    )
    payload = pickle.dumps((est, args))
    with tempfile.TemporaryDirectory() as errors:
        try:
            results = elastic_launch(config, _worker)(payload, errors)
        except ChildFailedError as exc:
            first = exc.get_first_failure()[0]  # the root cause, not a peer it cut off
            raise _worker_error(errors, [first, *range(n)], n) from exc
    return pickle.loads(results[0])


def _worker(payload: bytes, errors: str):
    """A worker process: join the group, fit, return the fitted estimator (rank 0)."""
    global _WORKER
    _WORKER = True
    rank = int(os.environ["RANK"])
    try:
        est, args = pickle.loads(payload)
        if est.n_threads is None:  # torch's own count: share the cores, not each take all
            share = available_cores() // int(os.environ["WORLD_SIZE"])
            torch.set_num_threads(max(1, share))
        dist.init_process_group(
            _backend(est.device, int(os.environ["LOCAL_RANK"])), timeout=TIMEOUT
        )
        try:
            est._fit(*args)
        finally:
            dist.destroy_process_group()
        return pickle.dumps(est) if rank == 0 else None
    except BaseException as exc:
        exc.add_note(f"(raised on rank {rank}: {traceback.format_exc(limit=-3)})")
        with open(os.path.join(errors, f"rank{rank}"), "wb") as file:
            try:
                pickle.dump(exc, file)
            except Exception:  # an exception that does not pickle
                pickle.dump(RuntimeError(f"{type(exc).__name__}: {exc}"), file)
        raise


def _worker_error(errors: str, ranks: list, n: int) -> BaseException:
    """The exception of the first of ``ranks`` that wrote one, or an error saying
    no worker reported one."""
    for rank in ranks:
        path = os.path.join(errors, f"rank{rank}")
        if os.path.exists(path):
            with open(path, "rb") as file:
                return pickle.load(file)
    return RuntimeError(
        f"a worker process of distributed={n} failed before it started training "
        "(see its output above). Spawned workers import the main module again: a "
        'script must start training under `if __name__ == "__main__":`, and the '
        "estimator, its callbacks and the data must pickle."
    )


# --- the training steps of a rank -----------------------------------------------------


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
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(_epoch_seed(self.seed, self.epoch))
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
        if ranks is not None:
            self._shard_seed = torch.initial_seed()  # the fit's seed: alike on every rank
            ranks.broadcast(self.module_)  # start alike, as DDP does
            torch.manual_seed(
                _epoch_seed(self._shard_seed, 0, ranks.rank + 1)
            )  # own dropout
        return super().fit_loop(X, y, *args, **kwargs)

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
        params = [p for _, p in self.get_all_learnable_params()]
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
            device = next(self.module_.parameters()).device  # NCCL reduces on GPUs
            losses = torch.tensor([r[key] for r in records], dtype=torch.float64)
            losses = ranks.sum(losses.to(device)).cpu()
            for record, value in zip(records, (losses / ranks.world).tolist(), strict=True):
                record[key] = value


def check_same_data(ranks: Ranks, arrays: list) -> None:
    """Refuse a fit whose ranks were given different training data."""
    if ranks.world == 1:
        return
    crc = 0
    for array in arrays:
        if array is not None:
            crc = zlib.crc32(np.ascontiguousarray(array).view(np.uint8).reshape(-1), crc)
    seen = ranks.gather(crc)
    if len(set(seen)) > 1:
        raise ValueError(
            "the ranks of distributed='join' were given different training data "
            f"(checksums {seen}): every rank passes the same X, y and sample_weight "
            "to fit, and trains on its own share of each batch."
        )

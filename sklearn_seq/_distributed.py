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
import signal
import tempfile
import threading
import traceback
import uuid
from contextlib import contextmanager
from datetime import timedelta

import torch
import torch.distributed as dist

from ._runtime import available_cores

__all__ = [
    "MAX_PROCESSES",
    "Ranks",
    "active",
    "current",
    "in_worker",
    "launch",
    "plan",
    "writes_here",
]

MAX_PROCESSES = 1024  # the most worker processes ``distributed`` may ask for
TIMEOUT = timedelta(minutes=10)  # a collective that waits longer fails the fit

_WORKER = False  # True in a worker process this module launched
_STATE = threading.local()  # .ranks: the Ranks of this thread's fit, if distributed


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

    def same(self, value):
        """Rank 0's picklable ``value`` (a seed, a learning rate), on every rank."""
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


def in_worker() -> bool:
    """Whether this process is a worker :func:`launch` started."""
    return _WORKER


def current() -> Ranks | None:
    """The ranks of the distributed fit under way in this thread, or None."""
    return getattr(_STATE, "ranks", None)


def writes_here(estimator) -> bool:
    """False on ranks other than 0 of a process group, for an estimator (or a
    pipeline step) trained with ``distributed="join"``: rank 0 writes its files."""
    steps = [step for _, step in getattr(estimator, "steps", [])] or [estimator]
    joined = any(getattr(step, "distributed", None) == "join" for step in steps)
    group = dist.is_available() and dist.is_initialized()
    return not (joined and group) or dist.get_rank() == 0


@contextmanager
def active(ranks: Ranks | None):
    """Make ``ranks`` this thread's current ones for a block (None: none)."""
    previous = current()
    _STATE.ranks = ranks
    try:
        yield
    finally:
        _STATE.ranks = previous


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
    from torch.distributed.elastic.multiprocessing import DefaultLogsSpecs
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    payload = pickle.dumps((est, args))
    handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS}  # the launcher's stay
    with tempfile.TemporaryDirectory() as errors:  # the launcher's log files too
        config = LaunchConfig(
            min_nodes=1,
            max_nodes=1,
            nproc_per_node=n,
            logs_specs=DefaultLogsSpecs(log_dir=errors),
            run_id=uuid.uuid4().hex,
            rdzv_backend="c10d",
            rdzv_endpoint="localhost:0",
            max_restarts=0,
            start_method="spawn",
            monitor_interval=0.1,
        )
        try:
            results = elastic_launch(config, _worker)(payload, errors)
        except ChildFailedError as exc:
            rank, failure = exc.get_first_failure()  # the root cause, not a peer it cut off
            raise _worker_error(errors, rank, failure.exitcode, n) from exc
        finally:
            if threading.current_thread() is threading.main_thread():
                for sig, handler in handlers.items():
                    signal.signal(sig, handler)
    return pickle.loads(results[0])


_SIGNALS = [signal.SIGINT, signal.SIGTERM] + [
    getattr(signal, name) for name in ("SIGHUP", "SIGQUIT") if hasattr(signal, name)
]


def _worker(payload: bytes, errors: str):
    """A worker process: join the group, fit, return the fitted estimator (rank 0)."""
    global _WORKER
    _WORKER = True
    rank, local_rank = int(os.environ["RANK"]), int(os.environ["LOCAL_RANK"])
    try:
        if torch.cuda.is_available() and local_rank < torch.cuda.device_count():
            torch.cuda.set_device(local_rank)  # before a CUDA net is unpickled
        est, args = pickle.loads(payload)
        if est.n_threads is None:  # torch's own count: share the cores, not each take all
            share = available_cores() // int(os.environ["WORLD_SIZE"])
            torch.set_num_threads(max(1, share))
        dist.init_process_group(_backend(est.device, local_rank), timeout=TIMEOUT)
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


def _worker_error(errors: str, rank: int, exitcode: int, n: int) -> BaseException:
    """The exception the first failed worker (``rank``) reported, or an error
    saying how it ended when it reported none (killed, or never started)."""
    path = os.path.join(errors, f"rank{rank}")
    if os.path.exists(path):
        with open(path, "rb") as file:
            return pickle.load(file)
    if exitcode is not None and exitcode < 0:
        return RuntimeError(
            f"worker rank {rank} of distributed={n} was killed by signal {-exitcode} "
            "(out of memory, or stopped from outside); the other workers were stopped."
        )
    return RuntimeError(
        f"worker rank {rank} of distributed={n} failed before it started training "
        "(see its output above). Spawned workers import the main module again: a "
        'script must start training under `if __name__ == "__main__":`, and the '
        "estimator, its callbacks and the data must pickle."
    )

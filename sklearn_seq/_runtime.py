"""Where and how a fit runs: threads, random streams and the device.

Scoped control of the threads torch and numpy's BLAS use
(:class:`limit_threads`), seeded random streams restored afterwards
(:func:`seeded`), and the device a network goes to (:func:`resolve_device`).
Everything here is process-wide state, set for a block and put back.
"""

from __future__ import annotations

import os
import random
import threading
from contextlib import contextmanager

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from ._validation import check_count

# the most threads ``n_threads`` may ask for: more than any machine this package
# runs on has cores, few enough that creating them cannot exhaust the process
MAX_THREADS = 1024


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this system
        return os.cpu_count() or 1


def check_threads(n, name: str = "n_threads") -> int:
    """``n`` if it is an integer in ``[1, MAX_THREADS]``, else a ValueError naming it."""
    n = check_count(n, name)
    if n > MAX_THREADS:
        raise ValueError(
            f"{name}={n} is more threads than the {MAX_THREADS} allowed; this process "
            f"may use {available_cores()} core(s)."
        )
    return n


class limit_threads:  # noqa: N801 (a context manager, named and used as a function)
    """Run a block with at most ``n`` threads in torch and in BLAS/OpenMP.

    Sets ``torch.set_num_threads(n)`` (which also sets the count of the oneMKL
    that torch carries) and, with ``blas``, limits the native thread pools
    that ``threadpoolctl`` finds (numpy's and scipy's BLAS, OpenMP) for the
    block, then restores the previous settings, also when the block raises.
    Nested blocks restore their outer block's limit. ``None`` changes nothing.
    ``n`` above :data:`MAX_THREADS` is refused; above the cores this process
    may use, it is lowered to them (a model saved on a large server still
    runs on a laptop). Finding the pools takes milliseconds, so inference, where
    torch does all the work, passes ``blas=False``; a class rather than a
    generator, so that entering costs a prediction of one window next to
    nothing.

    The settings are global to the process: a block limits every thread of
    it, not only the one that entered it.

    Examples
    --------
    >>> import torch
    >>> from sklearn_seq._runtime import limit_threads
    >>> before = torch.get_num_threads()
    >>> with limit_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """

    def __init__(self, n: int | None, *, blas: bool = True):
        self.n = None if n is None else min(check_threads(n), available_cores())
        self.blas = blas

    def __enter__(self) -> None:
        if self.n is None:
            return
        # read before the pools are limited: torch reads OpenMP's count, which
        # the limit changes, while oneMKL keeps the count torch last set
        self._previous = torch.get_num_threads()
        self._pools = threadpool_limits(limits=self.n) if self.blas else None
        torch.set_num_threads(self.n)  # always: oneMKL may disagree with OpenMP

    def __exit__(self, *exc) -> None:
        if self.n is None:
            return
        if torch.get_num_threads() != self._previous:
            torch.set_num_threads(self._previous)
        if self._pools is not None:
            self._pools.restore_original_limits()


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


def resolve_device(device: str, *, fallback: bool = False) -> str:
    """Map ``"auto"`` to ``"cuda"`` when available; refuse an absent GPU, or with
    ``fallback`` use the CPU instead."""
    cuda = torch.cuda.is_available()
    if device == "auto" or (fallback and device == "cuda"):
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ValueError(
            "device='cuda' was requested but no CUDA GPU is available to torch; "
            "use device='cpu' or device='auto'."
        )
    return device

"""Scoped control of the threads torch and numpy's BLAS use."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext

import torch
from threadpoolctl import threadpool_limits

from ._validation import check_count


@contextmanager
def limit_threads(n: int | None, *, blas: bool = True):
    """Run a block with at most ``n`` threads in torch and in BLAS/OpenMP.

    Sets ``torch.set_num_threads(n)`` and, with ``blas``, limits the native
    thread pools that ``threadpoolctl`` finds (numpy's and scipy's BLAS,
    OpenMP) for the block, then restores the previous settings, also when the
    block raises. Nested blocks restore their outer block's limit. ``None``
    changes nothing. Finding the pools takes milliseconds, so inference, where
    torch does all the work, passes ``blas=False``.

    The settings are global to the process: a block limits every thread of
    it, not only the one that entered it.

    Examples
    --------
    >>> import torch
    >>> from sklearn_seq._threads import limit_threads
    >>> before = torch.get_num_threads()
    >>> with limit_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if n is None:
        yield
        return
    n = check_count(n, "n_threads")
    previous = torch.get_num_threads()
    with threadpool_limits(limits=n) if blas else nullcontext():
        torch.set_num_threads(n)
        try:
            yield
        finally:
            torch.set_num_threads(previous)

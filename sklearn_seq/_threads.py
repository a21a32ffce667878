"""Scoped control of the threads torch and numpy's BLAS use."""

from __future__ import annotations

import torch
from threadpoolctl import threadpool_limits

from ._validation import check_count


class limit_threads:  # noqa: N801 (a context manager, named and used as a function)
    """Run a block with at most ``n`` threads in torch and in BLAS/OpenMP.

    Sets ``torch.set_num_threads(n)`` and, with ``blas``, limits the native
    thread pools that ``threadpoolctl`` finds (numpy's and scipy's BLAS,
    OpenMP) for the block, then restores the previous settings, also when the
    block raises. Nested blocks restore their outer block's limit. ``None``
    changes nothing. Finding the pools takes milliseconds, so inference, where
    torch does all the work, passes ``blas=False``; a class rather than a
    generator, so that entering costs a prediction of one window next to
    nothing.

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

    def __init__(self, n: int | None, *, blas: bool = True):
        self.n = None if n is None else check_count(n, "n_threads")
        self.blas = blas

    def __enter__(self) -> None:
        if self.n is None:
            return
        self._pools = threadpool_limits(limits=self.n) if self.blas else None
        self._previous = torch.get_num_threads()
        if self._previous != self.n:
            torch.set_num_threads(self.n)

    def __exit__(self, *exc) -> None:
        if self.n is None:
            return
        if torch.get_num_threads() != self._previous:
            torch.set_num_threads(self._previous)
        if self._pools is not None:
            self._pools.restore_original_limits()

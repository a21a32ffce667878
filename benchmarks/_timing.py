"""Timing helper shared by the benchmark scripts."""

import time

import numpy as np


def timed(fn, repeat=3, reduce=np.median, clock=time.perf_counter) -> float:
    """Seconds one call of ``fn`` takes: ``reduce`` (median or min) of ``repeat`` runs.

    ``clock``: ``time.perf_counter`` (wall time) or ``time.process_time`` (CPU
    time of this process, which leaves out the time the machine gave to other
    processes; for single-threaded work on a loaded machine).
    """
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return float(reduce(times))

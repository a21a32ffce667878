"""Timing helper shared by the benchmark scripts."""

import time

import numpy as np


def timed(fn, repeat=3, reduce=np.median) -> float:
    """Seconds one call of ``fn`` takes: ``reduce`` (median or min) of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(reduce(times))

"""A fit with ``n_threads=1`` after a ``predict`` in the same process, on an idle
core and beside a busy one.

A ``predict`` block restores the caller's torch thread count on exit, which
also sets oneMKL's count; the next fit must still run oneMKL on one thread.
Prints wall and CPU seconds of the second fit of a ``SequenceClassifier``
(defaults, 3 epochs) on 200 random walks of 427 steps, and CPU / wall: about
1 when one thread runs, near 2 when a second oneMKL thread spins beside it.

Run: ``python benchmarks/bench_fit_after_predict.py``
"""

import multiprocessing
import resource
import time
import warnings

import numpy as np

from sklearn_seq import SequenceClassifier


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def busy() -> None:
    while True:
        pass


def measure(label: str) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 427)).cumsum(axis=1), np.arange(200) % 4
    model = SequenceClassifier(max_epochs=3, random_state=0)
    model.fit(X, y)
    model.predict(X)
    wall, cpu = time.perf_counter(), cpu_seconds()
    model.fit(X, y)
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"{label}: wall {wall:.1f} s, CPU {cpu:.1f} s, CPU / wall {cpu / wall:.2f}")


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    measure("idle")
    burner = multiprocessing.Process(target=busy, daemon=True)
    burner.start()
    try:
        measure("one core busy")
    finally:
        burner.terminate()

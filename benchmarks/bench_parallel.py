"""Speed-up of a grid search with ``n_jobs=2`` over ``n_jobs=1``.

A GridSearchCV over 8 RNNForecaster candidates (cell x hidden size x learning
rate) with 3-fold TimeSeriesSplit on sine windows. With ``n_jobs=2`` joblib's
worker processes get ``OMP_NUM_THREADS=1`` each, which torch follows, so the two
fits do not compete for the cores. Goal on 2 cores: >= 1.6x.

Run: ``python benchmarks/bench_parallel.py``
"""

import os
import time

import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_seq import RNNForecaster, make_windows

GRID = {"cell": ["lstm", "gru"], "hidden_size": [16, 32], "lr": [3e-3, 1e-2]}


def search(X, y, n_jobs):
    grid = GridSearchCV(
        RNNForecaster(max_epochs=8, random_state=0),
        GRID,
        cv=TimeSeriesSplit(3),
        n_jobs=n_jobs,
    )
    start = time.perf_counter()
    grid.fit(X, y)
    return time.perf_counter() - start, grid.best_params_


def main():
    X, y = make_windows(np.sin(0.1 * np.arange(1200)), lookback=30)
    search(X[:100], y[:100], n_jobs=2)  # start the worker processes once
    t1, best1 = search(X, y, n_jobs=1)
    t2, best2 = search(X, y, n_jobs=2)
    assert best1 == best2, "parallel search must pick the same candidate"
    cores = os.cpu_count()
    print(f"GridSearchCV, 8 candidates x 3 folds, {len(X)} windows, {cores} cores")
    print(f"  n_jobs=1 {t1:.1f} s, n_jobs=2 {t2:.1f} s", end=", ")
    print(f"speed-up {t1 / t2:.2f}x (goal >= 1.6x)")


if __name__ == "__main__":
    main()

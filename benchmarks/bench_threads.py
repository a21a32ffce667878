"""SequenceClassifier fit and predict with one torch thread against torch's default.

A bidirectional GRU of 32 units trained for 2 epochs on 200 variable-length sequences
(lengths 5..60, 3 channels), then predicting them, with ``limit_threads(1)``
and with torch's default thread count, each twice: on the machine as it is
("idle") and while a pure-Python busy loop burns one core ("contended"), as
when another process or a second joblib worker shares the machine. Prints the
seconds, the milliseconds per training step, and default / 1-thread (above 1
means one thread is faster).

Run: ``python benchmarks/bench_threads.py``
"""

import multiprocessing
import os
import time
from contextlib import contextmanager, nullcontext

import torch
from _timing import timed
from bench_classifier import make_data

from sklearn_seq import SequenceClassifier
from sklearn_seq._runtime import limit_threads

N, EPOCHS, BATCH = 200, 2, 16
PARAMS = dict(
    front_end=None,  # the raw steps, as when the figures in the docs were measured
    cell="gru",
    hidden_size=32,
    bidirectional=True,
    max_epochs=EPOCHS,
    batch_size=BATCH,
    random_state=0,
)
ROW = "{:10} {:>5} {:>7} {:>7} {:>8} {:>9}"


def burn():
    """Keep one core busy until terminated."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    while True:
        pass


@contextmanager
def one_core_busy():
    busy = multiprocessing.Process(target=burn, daemon=True)
    busy.start()
    time.sleep(0.2)
    try:
        yield
    finally:
        busy.terminate()
        busy.join()


def measure(X, y, n_threads):
    """Seconds of one fit and of one predict with ``n_threads`` torch threads."""
    model = SequenceClassifier(**PARAMS)
    with limit_threads(n_threads):
        t_fit = timed(lambda: model.fit(X, y))
        t_predict = timed(lambda: model.predict(X))
    return t_fit, t_predict


def main():
    X, y = make_data(n=N)
    default = torch.get_num_threads()
    steps = EPOCHS * -(-N // BATCH)
    SequenceClassifier(**{**PARAMS, "max_epochs": 1}).fit(X[:50], y[:50])  # warm up
    print(f"SequenceClassifier, bidirectional GRU 32, {N} sequences of 5..60 steps,")
    print(f"{EPOCHS} epochs = {steps} steps; {os.cpu_count()} cores")
    print(ROW.format("", "load", "threads", "fit s", "ms/step", "predict s"))
    for condition, context in (("idle", nullcontext), ("contended", one_core_busy)):
        load = os.getloadavg()[0]
        with context():
            rows = {n: measure(X, y, n) for n in (1, default)}
        for n, (t_fit, t_predict) in rows.items():
            ms = 1000 * t_fit / steps
            cells = f"{load:.2f}", n, f"{t_fit:.2f}", f"{ms:.1f}", f"{t_predict:.3f}"
            print(ROW.format(condition, *cells))
        fit, predict = (rows[default][i] / rows[1][i] for i in (0, 1))
        print(f"{'':10} default / 1 thread: fit {fit:.2f}, predict {predict:.2f}")


if __name__ == "__main__":
    main()

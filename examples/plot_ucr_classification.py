"""
==================================================
Classifying GunPoint gestures with a recurrent net
==================================================

GunPoint (UCR archive): the X coordinate of an actor's hand over 150 frames,
either drawing a replica gun from a holster (class 1) or just pointing a finger
(class 2). The classic baseline, 1-nearest-neighbour with dynamic time warping,
gets 0.907 on the archive's test split. ``SequenceClassifier`` with its
defaults and nothing else set is compared with it.
"""

# %%
import sys

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

from sklearn_seq import SequenceClassifier
from sklearn_seq.datasets import load_gunpoint

X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
print(f"train {X_train.shape}, test {X_test.shape}")

# %%
# Defaults only: a convolutional front end, a bidirectional GRU, mean and max
# pooling, 100 epochs
clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
accuracy = clf.score(X_test, y_test)
print(f"SequenceClassifier test accuracy: {accuracy:.3f}  (1-NN DTW reference: 0.907)")

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
names = {1: "Gun-Draw", 2: "Point"}
for label, color in zip((1, 2), ("tab:red", "tab:blue"), strict=True):
    for series in X_train[y_train == label]:
        axes[0, 0].plot(series, color=color, alpha=0.3, lw=1)
    axes[0, 0].plot([], color=color, label=names[label])
axes[0, 0].set(title="GunPoint training series by class", xlabel="frame")
axes[0, 0].legend()

axes[0, 1].bar(
    ["1-NN DTW", "SequenceClassifier"], [0.907, accuracy], color=["0.6", "tab:green"]
)
axes[0, 1].set(ylim=(0.5, 1.0), title="Test accuracy")
for i, value in enumerate([0.907, accuracy]):
    axes[0, 1].text(i, value + 0.01, f"{value:.3f}", ha="center")

ConfusionMatrixDisplay.from_estimator(
    clf,
    X_test,
    y_test,
    display_labels=[names[c] for c in clf.classes_],
    ax=axes[1, 0],
    colorbar=False,
)
axes[1, 0].set(title="Confusion matrix (test)")

history = clf.net_.history
axes[1, 1].plot(history[:, "train_loss"], label="training loss")
axes[1, 1].set(
    title="Training curve (net_.history)", xlabel="epoch", ylabel="cross-entropy"
)
ax_lr = axes[1, 1].twinx()
ax_lr.plot(history[:, "event_lr"], color="0.6", ls="--", label="learning rate")
ax_lr.set(ylabel="learning rate")
axes[1, 1].legend(loc="upper right")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

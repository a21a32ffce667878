"""
=====================================================
What a front end hands to the recurrent layer
=====================================================

A recurrent layer reads one input vector per step, so a series of 2,000 steps
costs 2,000 sequential updates per epoch and asks the state to carry the
start across all of them. A *front end* summarizes each patch of
``patch_size`` steps into one vector first, and the recurrent layer reads the
patches instead:

* ``front_end="patch"``: a linear embedding of each patch's raw values;
* ``front_end="conv"``: a convolution over the raw steps (kernel 7, ReLU), the
  maximum of each feature over each patch, then a convolution over the
  patches (kernel 5, ReLU), like LSTM-FCN's convolutional block;
* ``front_end=None``: the raw steps, one value per step.

This example trains all three on GunPoint (150 frames of a hand's position)
with patches of 10 frames, and draws one series beside what each front end
hands to the recurrent layer: 15 vectors instead of 150 values.
"""

# %%
import sys
import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_seq import SequenceClassifier
from sklearn_seq.datasets import load_gunpoint

X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
PATCH = 10
models, scores = {}, {}
for front_end in (None, "patch", "conv"):
    start = time.perf_counter()
    clf = SequenceClassifier(
        front_end=front_end, patch_size=PATCH, hidden_size=32, max_epochs=40, random_state=0
    ).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    models[front_end], scores[front_end] = clf, clf.score(X_test, y_test)
    print(
        f"front_end={front_end!r:8} accuracy {scores[front_end]:.3f}, fit {seconds:.1f} s"
    )


# %%
# The front end is the first part of the fitted network
# (``net_.module_.encoder.front_end``); it reads the standardized series.
def handed_over(clf, series):
    """The vectors the recurrent layer reads for one series: (n_patches, hidden_size)."""
    values = (series[None, :, None] - clf.x_mean_) / clf.x_scale_
    values = torch.as_tensor(values, dtype=torch.float32)
    with torch.no_grad():
        patches, _ = clf.net_.module_.encoder.front_end(values, torch.tensor([len(series)]))
    return patches[0].numpy()


series = X_test[0]
fig, axes = plt.subplots(3, 1, figsize=(9, 9), constrained_layout=True)
axes[0].plot(series, color="k")
for edge in range(0, len(series) + 1, PATCH):
    axes[0].axvline(edge - 0.5, color="tab:orange", lw=0.8)
axes[0].set(
    title=f"front_end=None: the recurrent layer reads {len(series)} values "
    f"(accuracy {scores[None]:.3f}); orange: patches of {PATCH} steps",
    xlabel="frame",
    xlim=(-0.5, len(series) - 0.5),
)
for ax, front_end in zip(axes[1:], ("patch", "conv"), strict=True):
    vectors = handed_over(models[front_end], series)
    limit = np.abs(vectors).max()
    image = ax.imshow(vectors.T, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(
        title=f"front_end={front_end!r}: {len(vectors)} vectors of {vectors.shape[1]} "
        f"features (accuracy {scores[front_end]:.3f})",
        xlabel="patch",
        ylabel="feature",
    )
    fig.colorbar(image, ax=ax)

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

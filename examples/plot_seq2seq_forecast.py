"""
==================================================
Sequence to sequence: the next 10 steps from 30
==================================================

A noisy series, cut into windows of 30 steps and the 10 that follow. Two ways
to forecast all 10 at once: ``SequenceGenerator`` (an encoder reads the
window, a decoder writes the next steps one by one, each fed the previous
one) and ``RNNForecaster`` with a direct multi-step target (one output layer
gives all 10). Both are scored on the last windows, unseen in training.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq import RNNForecaster, SequenceGenerator, make_windows

rng = np.random.default_rng(0)
steps = np.arange(1200)
series = np.sin(0.15 * steps) + 0.5 * np.sin(0.045 * steps) + 0.1 * rng.normal(size=1200)
X, y = make_windows(series, lookback=30, horizon=10)  # X (n, 30), y (n, 10)
cut = 900

# SequenceGenerator reads 2-D X as conditioning vectors: give the windows as 3-D sequences
seq2seq = SequenceGenerator(max_epochs=40, random_state=0).fit(X[:cut, :, None], y[:cut])
direct = RNNForecaster(max_epochs=40, random_state=0).fit(X[:cut], y[:cut])

pred_seq2seq = seq2seq.predict(X[cut:, :, None])
pred_direct = direct.predict(X[cut:])
for name, pred in [("SequenceGenerator", pred_seq2seq), ("RNNForecaster", pred_direct)]:
    rmse = np.sqrt(np.mean((pred - y[cut:]) ** 2, axis=0))
    print(f"{name:<18} RMSE by horizon 1..10: {np.round(rmse, 3)}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
i = 40
axes[0].plot(np.arange(30), X[cut + i], "k", label="input window")
axes[0].plot(np.arange(30, 40), y[cut + i], lw=3, alpha=0.4, label="truth")
colors = {"SequenceGenerator": "tab:orange", "RNNForecaster": "tab:green"}
axes[0].plot(
    np.arange(30, 40),
    pred_seq2seq[i],
    "--o",
    ms=3,
    color=colors["SequenceGenerator"],
    label="SequenceGenerator",
)
axes[0].plot(
    np.arange(30, 40),
    pred_direct[i],
    ":s",
    ms=3,
    color=colors["RNNForecaster"],
    label="RNNForecaster",
)
axes[0].set(title="One held-out window", xlabel="step")
axes[0].legend(loc="lower left")
for name, pred in [("SequenceGenerator", pred_seq2seq), ("RNNForecaster", pred_direct)]:
    axes[1].plot(
        np.arange(1, 11), np.sqrt(np.mean((pred - y[cut:]) ** 2, axis=0)), "-o", label=name
    )
axes[1].axhline(0.1, color="0.6", ls=":", label="noise level")
axes[1].set(title="Held-out RMSE by horizon", xlabel="steps ahead", ylim=(0, None))
axes[1].legend()

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

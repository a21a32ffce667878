"""
==========================================
Forecasting a car's (x, y) trajectory
==========================================

A multichannel series: the position of a car driving a figure-eight, with a
little sensor noise. Both channels are inputs and targets, so the forecaster
predicts the next (x, y) point and :meth:`~sklearn_seq.RNNForecaster.forecast`
drives on along the track from a seed window.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq import RNNForecaster, make_windows

rng = np.random.default_rng(0)
t = np.arange(1500) * 0.03
track = np.stack([np.cos(t), 0.6 * np.sin(2 * t)], axis=1)  # (T, 2): x and y
observed = track + rng.normal(scale=0.005, size=track.shape)

X, y = make_windows(observed, lookback=30)  # X: (n, 30, 2), y: (n, 2)
cut = 1100
model = RNNForecaster(cell="gru", max_epochs=30, random_state=0).fit(X[:cut], y[:cut])

# %%
# Drive on for 150 steps from the first held-out window
steps = 150
path = model.forecast(X[cut], steps=steps)  # (150, 2)
truth = track[cut + 30 : cut + 30 + steps]
rmse = np.sqrt(np.mean((path - truth) ** 2))
print(f"one-step R^2 on held-out windows: {model.score(X[cut:], y[cut:]):.4f}")
print(f"{steps}-step trajectory RMSE: {rmse:.3f}")

# %%
fig, ax = plt.subplots(figsize=(7, 5), constrained_layout=True)
ax.plot(*observed[: cut + 30].T, color="0.8", label="observed track")
ax.plot(*X[cut].T, "k", lw=2, label="seed window")
ax.plot(*truth.T, lw=3, alpha=0.5, label="true continuation")
ax.plot(*path.T, "--", label=f"forecast (RMSE {rmse:.3f})")
ax.set(xlabel="x", ylabel="y", title="Multichannel (x, y) forecast", aspect="equal")
ax.legend(loc="lower right")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

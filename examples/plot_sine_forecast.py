"""
=====================================
Forecasting a sine wave with an LSTM
=====================================

The classic recurrent-network demo: learn ``sin(0.1 t)`` from windows of 40
past values, check the one-step predictions on the held-out end of the
series, then let the model run on its own predictions for 200 steps, once
from a real window and once from a window of zeros.

Run it as a script with an output path to save the figure::

    python examples/plot_sine_forecast.py sine_forecast.png
"""

# %%
# Data: windows of 40 values and the value that follows each
import sys

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq import RNNForecaster, make_windows

t = np.arange(1000)
series = np.sin(0.1 * t)
X, y = make_windows(series, lookback=40)
cut = int(0.8 * len(X))  # hold out the last 20% of windows
X_train, y_train, X_test, y_test = X[:cut], y[:cut], X[cut:], y[cut:]

# %%
# Train an LSTM of 64 units, fewer epochs to stay quick. A pure oscillator of
# one amplitude is the case for ``scaling="global"``: one mean and scale for the
# whole series keep the amplitude through long rollouts, even from zeros (the
# default, window-relative scaling suits real series with trends and levels)
model = RNNForecaster(max_epochs=40, scaling="global", random_state=0)
model.fit(X_train, y_train)
one_step = model.predict(X_test)
mse = np.mean((one_step - y_test) ** 2)
print(f"one-step MSE on the held-out 20%: {mse:.2e}")

# %%
# Roll forward 200 steps from the first held-out window, and from zeros
steps = 200
t_future = np.arange(cut + 40, cut + 40 + steps)
truth = np.sin(0.1 * t_future)
rollout = model.forecast(X_test[0], steps=steps)
from_zeros = model.forecast(np.zeros(40), steps=steps)
rmse = np.sqrt(np.mean((rollout - truth) ** 2))
print(f"200-step rollout RMSE from a real seed window: {rmse:.3f}")
print(
    f"200-step rollout from an all-zeros window spans [{from_zeros.min():.2f}, "
    f"{from_zeros.max():.2f}]"
)

# %%
# Plot the training curve, one-step predictions and both rollouts
fig, axes = plt.subplots(3, 1, figsize=(9, 9), constrained_layout=True)
axes[0].semilogy(model.net_.history[:, "train_loss"])
axes[0].set(title="Training loss (standardized MSE)", xlabel="epoch")
t_test = t[cut + 40 : cut + 40 + len(y_test)]
axes[1].plot(t_test, y_test, lw=3, alpha=0.4, label="truth")
axes[1].plot(t_test, one_step, "--", label=f"one-step prediction (MSE {mse:.1e})")
axes[1].set(title="One-step predictions on held-out windows")
axes[1].legend(loc="upper right")
axes[2].plot(t_future, truth, lw=3, alpha=0.4, label="truth")
axes[2].plot(t_future, rollout, "--", label=f"rollout from real window (RMSE {rmse:.3f})")
axes[2].plot(t_future, from_zeros, ":", label="rollout from all zeros")
axes[2].set(title=f"{steps}-step recursive forecast", xlabel="t")
axes[2].legend(loc="upper right")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
    print(f"figure saved to {sys.argv[1]}")
plt.show()

"""
=======================================
Drawing a sine wave from its parameters
=======================================

Vector to numeric sequence: from (amplitude, frequency, phase) the generator
writes the 50 values of ``amplitude * sin(frequency * t + phase)``. It never
sees the formula, only 600 examples, and is judged on parameters it has not
seen.
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq import SequenceGenerator

rng = np.random.default_rng(0)
n, t = 800, np.arange(50)
params = np.column_stack(
    [
        rng.uniform(0.5, 1.5, n),  # amplitude
        rng.uniform(0.1, 0.5, n),  # frequency
        rng.uniform(0, 2 * np.pi, n),  # phase
    ]
)
waves = params[:, [0]] * np.sin(params[:, [1]] * t + params[:, [2]])

gen = SequenceGenerator(random_state=0).fit(params[:600], waves[:600])
drawn = gen.predict(params[600:])
rmse = np.sqrt(np.mean((drawn - waves[600:]) ** 2))
print(f"RMSE on 200 held-out parameter sets: {rmse:.4f}")
print(f"R^2 on the same sets: {gen.score(params[600:], waves[600:]):.3f}")

# %%
fig, axes = plt.subplots(
    2, 3, figsize=(11, 5), sharex=True, sharey=True, constrained_layout=True
)
for ax, i in zip(axes.flat, range(600, 606), strict=True):
    amplitude, frequency, phase = params[i]
    ax.plot(t, waves[i], lw=3, alpha=0.4, label="true")
    ax.plot(t, drawn[i - 600], "--", label="generated")
    ax.set_title(f"A={amplitude:.2f}, f={frequency:.2f}, phase={phase:.2f}", fontsize=9)
axes[0, 0].legend(loc="lower left")
fig.suptitle(f"Sine waves generated from unseen parameters (RMSE {rmse:.3f})")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

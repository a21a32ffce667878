"""
===============================================
Forecasting sales with a promotion known ahead
===============================================

Daily sales follow a weekly cycle, and on promotion days, planned weeks in
advance, they jump by 10. A forecaster that sees only the sales cannot know
when the next jump comes; one that reads the promotion plan as a **future
covariate** can. We train :class:`~sklearn_seq.RNNForecaster` both ways on
300 days and forecast the next 42: ``make_windows(..., future_covariates=...)``
adds the plan as an input channel read ``horizon`` steps ahead, the model is
told with ``n_future_covariates=1``, and ``forecast`` takes the plan for the
forecast period. The covariate model's 80% interval comes from
``forecast_interval``, which takes the same plan.

Run it as a script with an output path to save the figure::

    python examples/plot_covariates.py covariates.png
"""

# %%
# Sales with a weekly cycle and promotion spikes; the plan is known ahead
import sys

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq import RNNForecaster, make_windows

rng = np.random.default_rng(0)
n_train, steps, lookback = 300, 42, 14
t = np.arange(n_train + steps)
promo = (rng.random(len(t)) < 0.15).astype(float)
sales = 20 + 3 * np.sin(2 * np.pi * t / 7) + 10 * promo + rng.normal(scale=0.5, size=len(t))
history, truth, plan = sales[:n_train], sales[n_train:], promo[n_train:]

# %%
# Train with and without the promotion channel. The series is stationary, so
# one global scaling suits it (``scaling="global"``)
params = {"hidden_size": 16, "max_epochs": 30, "lr": 0.01, "scaling": "global"}
X, y = make_windows(history, lookback, future_covariates=promo[:n_train])
with_plan = RNNForecaster(n_future_covariates=1, random_state=0, **params).fit(X, y)
X, y = make_windows(history, lookback)
without = RNNForecaster(calibration_fraction=None, random_state=0, **params).fit(X, y)

# %%
# Forecast 42 days. The covariate model's seed holds the last 14 days of both
# channels as observed; ``future_covariates`` the plan for the 42 days ahead
seed = np.column_stack([history[-lookback:], promo[n_train - lookback : n_train]])
forecast = with_plan.forecast(seed, steps, future_covariates=plan)
lower, upper = with_plan.forecast_interval(seed, steps, 0.8, future_covariates=plan)
blind = without.forecast(history[-lookback:], steps)
for name, pred in (("with the plan", forecast), ("without", blind)):
    print(f"{name:>14}: mean absolute error {np.mean(np.abs(pred - truth)):.2f}")
print(f"80% interval holds {np.mean((lower <= truth) & (truth <= upper)):.0%} of the days")

# %%
# Plot the last weeks of history, the truth and both forecasts; promotion
# days are shaded
fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
days = np.arange(n_train - 42, n_train + steps)
for day in days[promo[days] == 1]:
    ax.axvspan(day - 0.5, day + 0.5, color="C1", alpha=0.15, lw=0)
ax.plot(days[:42], history[-42:], color="k", lw=1, label="history")
future_days = days[42:]
ax.plot(future_days, truth, color="k", lw=2, alpha=0.4, label="truth (held out)")
ax.fill_between(future_days, lower, upper, color="C0", alpha=0.2, label="80% interval")
ax.plot(future_days, forecast, color="C0", lw=2, label="with the promotion plan")
ax.plot(future_days, blind, color="C3", lw=1.5, ls="--", label="sales only")
ax.axvline(n_train - 0.5, color="grey", lw=0.8)
ax.set(title="A 42-day sales forecast, promotion days shaded", xlabel="day", ylabel="sales")
ax.set_ylim(top=sales.max() + 6)
ax.legend(loc="upper left", ncols=3)

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
    print(f"figure saved to {sys.argv[1]}")
plt.show()

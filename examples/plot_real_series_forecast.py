"""
=================================================
Forecasting a real series with prediction bands
=================================================

The Mauna Loa CO2 record (monthly means of weekly measurements, shipped with
statsmodels) rises year after year and swings with the seasons. We hold out
its last four years, train :class:`~sklearn_seq.RNNForecaster` with its
defaults on windows of the rest, and roll it forward with 80% and 95%
prediction intervals. The default window-relative scaling lets the network
carry the trend past the highest level it saw in training; the intervals are
split-conformal, calibrated on the last training windows before the network
trained on them, and they widen with the horizon. Given the whole history,
the forecast is, month by month, the median of the network's, exponential
smoothing's and seasonal naive's forecasts, the last two fitted on that
history, and the bands keep the network's half-widths around it
(``combine="auto"``; ``combine=None`` keeps the network alone).
co2 is a series where the network alone beats both statistical forecasts,
and there the median costs accuracy (the last lines print both): the
combination is the default because over many series it loses far less often
than any one method does (the forecasting guide has the tables).

Run it as a script with an output path to save the figure::

    python examples/plot_real_series_forecast.py co2_forecast.png
"""

# %%
# The series: a pandas Series with monthly dates, from statsmodels
import sys

import matplotlib.pyplot as plt
import numpy as np
import statsmodels.api as sm

from sklearn_seq import RNNForecaster, make_windows

co2 = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().interpolate()
horizon, lookback = 48, 36
history, future = co2[:-horizon], co2[-horizon:]

# %%
# Train on windows of three years and the month that follows each
X, y = make_windows(history, lookback=lookback)
model = RNNForecaster(random_state=0).fit(X, y)

# %%
# Forecast the held-out four years from the history; a dated seed gives dated
# forecasts, and the intervals come as a DataFrame with lower/upper columns
forecast = model.forecast(history, steps=horizon)
bands = {c: model.forecast_interval(history, horizon, coverage=c) for c in (0.8, 0.95)}
mae = np.mean(np.abs(forecast - future))
for c, band in bands.items():
    inside = np.mean((band["lower"] <= future) & (future <= band["upper"]))
    print(f"{c:.0%} interval holds {inside:.0%} of the held-out months")
print(f"mean absolute error over {horizon} months: {mae:.2f} ppm")
alone = model.set_params(combine=None).forecast(history, steps=horizon)
print(f"the network alone: {np.mean(np.abs(alone - future)):.2f} ppm")
model.set_params(combine="auto")

# %%
# Plot the last years of history, the truth, the forecast and both bands
fig, ax = plt.subplots(figsize=(9, 4.5), constrained_layout=True)
recent = history[-120:]
ax.plot(recent.index, recent, color="k", lw=1, label="history")
ax.plot(future.index, future, color="k", lw=2, alpha=0.4, label="truth (held out)")
for c, alpha in ((0.95, 0.2), (0.8, 0.35)):
    band = bands[c]
    ax.fill_between(
        band.index,
        band["lower"],
        band["upper"],
        color="C0",
        alpha=alpha,
        label=f"{c:.0%} interval",
    )
ax.plot(forecast.index, forecast, color="C0", lw=2, label="forecast")
ax.set(title="Mauna Loa CO2: a 48-month forecast", ylabel="ppm")
ax.legend(loc="upper left")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
    print(f"figure saved to {sys.argv[1]}")
plt.show()

"""Does a future-known covariate help RNNForecaster, and does noise not?

Data: statsmodels' macrodata (US, 1959Q1-2009Q3). The target is the
quarterly growth of real personal consumption (``realcons``, 100 x the
change of its log), the covariate the quarterly growth of real disposable
income (``realdpi``, the same way), known over the forecast as a scenario or
a published estimate would be. Three rolling origins (the last three spans of
8 quarters), ``random_state`` 0 to 4, windows of 24 quarters, MASE against
the in-sample seasonal naive (m=4) error as in ``bench_forecast_suite.py``.

Methods, all at their defaults:

* the training mean, and statsmodels' ETS (the suite's ``ets_forecast``);
* ``RNNForecaster`` on the consumption growth alone;
* ``RNNForecaster(n_future_covariates=1)`` with the income growth;
* the same with a covariate of pure noise (normal, seeded by the seed), its
  "future" values drawn alike: the control, which should not help.

Printed: the MASE of each method averaged over origins and seeds, and for the
covariate models the count of (origin, seed) pairs where they beat the model
without the covariate and the training mean.

Run: ``python benchmarks/bench_forecast_covariates.py [--seeds 5]`` (statsmodels
comes with the ``bench`` extra).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_forecast_suite import ets_forecast, mase_scale  # noqa: E402

from sklearn_seq import RNNForecaster, make_windows  # noqa: E402

H, M, LOOKBACK, N_ORIGINS = 8, 4, 24, 3


def load() -> tuple[np.ndarray, np.ndarray]:
    """Consumption growth and income growth, quarterly, in percent."""
    import statsmodels.api as sm

    macro = sm.datasets.macrodata.load_pandas().data
    growth = [
        100 * np.diff(np.log(macro[c].to_numpy(dtype=float)))
        for c in ("realcons", "realdpi")
    ]
    return growth[0], growth[1]


def rnn(train, covariate, future, seed) -> np.ndarray:
    """The default forecaster's ``H`` steps, with ``covariate`` (and its
    ``future`` values) as a future covariate, or alone when None."""
    if covariate is None:
        X, y = make_windows(train, lookback=LOOKBACK)
        model = RNNForecaster(random_state=seed).fit(X, y)
        return model.forecast(train[-LOOKBACK:], steps=H)
    X, y = make_windows(train, lookback=LOOKBACK, future_covariates=covariate)
    model = RNNForecaster(n_future_covariates=1, random_state=seed).fit(X, y)
    window = np.column_stack([train[-LOOKBACK:], covariate[-LOOKBACK:]])
    return model.forecast(window, steps=H, future_covariates=future)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    target, income = load()
    n = len(target)
    scores = {k: [] for k in ("mean", "ets", "alone", "income", "noise")}
    for j in range(N_ORIGINS):
        cut = n - H - j * H
        train, test = target[:cut], target[cut : cut + H]
        scale = mase_scale(train, M)

        def mase(pred, test=test, scale=scale):
            return float(np.mean(np.abs(np.asarray(pred) - test)) / scale)

        scores["mean"].append([mase(np.full(H, train.mean()))] * args.seeds)
        scores["ets"].append([mase(ets_forecast(train, H, M)["mean"])] * args.seeds)
        row = {"alone": [], "income": [], "noise": []}
        for seed in range(args.seeds):
            noise = np.random.default_rng(seed).normal(size=cut + H)
            row["alone"].append(mase(rnn(train, None, None, seed)))
            row["income"].append(
                mase(rnn(train, income[:cut], income[cut : cut + H], seed))
            )
            row["noise"].append(mase(rnn(train, noise[:cut], noise[cut:], seed)))
        for key, values in row.items():
            scores[key].append(values)
        print(
            f"origin {j}: "
            + ", ".join(f"{k} {np.mean(v[-1]):.3f}" for k, v in scores.items())
        )
    table = {k: np.array(v) for k, v in scores.items()}  # (origins, seeds)
    pairs = table["alone"].size
    print(f"\nconsumption growth, {N_ORIGINS} origins x {args.seeds} seeds, MASE (mean):")
    for key, values in table.items():
        print(f"  {key:>7}: {values.mean():.3f}")
    for key in ("income", "noise"):
        over_alone = int(np.sum(table[key] < table["alone"]))
        over_mean = int(np.sum(table[key] < table["mean"]))
        print(
            f"  {key} covariate beats the model alone in {over_alone}/{pairs} and "
            f"the training mean in {over_mean}/{pairs} (origin, seed) pairs"
        )


if __name__ == "__main__":
    main()

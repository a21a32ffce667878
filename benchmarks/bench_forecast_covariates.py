"""Does a future-known covariate help RNNForecaster, and does noise not?

Data: statsmodels' macrodata (US, 1959Q1-2009Q3), quarterly growth rates
(100 x the change of the log) and the change of the unemployment rate. Three
cases, each a target and a covariate known over the forecast as a scenario
or a published estimate would be:

* ``consumption``: real personal consumption growth given real disposable
  income growth (a weak driver: they correlate at about 0.44);
* ``investment``: real private investment growth given real GDP growth
  (about 0.81);
* ``okun``: the change of the unemployment rate given real GDP growth
  (Okun's law, about -0.66).

Three rolling origins (the last three spans of 8 quarters), ``random_state``
0 to 4, windows of 24 quarters, MASE against the in-sample seasonal naive
(m=4) error as in ``bench_forecast_suite.py``.

Methods, all at their defaults:

* the training mean, statsmodels' ETS (the suite's ``ets_forecast``) and a
  least-squares line of the target on the covariate of the same quarter
  (``linear``: what a practitioner tries first with a known driver);
* ``RNNForecaster`` on the target alone;
* ``RNNForecaster(n_future_covariates=1)`` with the covariate;
* the same with a covariate of pure noise (normal, seeded by the seed), its
  "future" values drawn alike: the control, which should not help.

Printed per case: the MASE of each method averaged over origins and seeds,
and for the covariate models the count of (origin, seed) pairs where they
beat the model without the covariate and the training mean.

Run: ``python benchmarks/bench_forecast_covariates.py [--seeds 5] [--cases
okun,investment]`` (statsmodels comes with the ``bench`` extra).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_forecast_suite import ets_forecast, mase_scale  # noqa: E402

from sklearn_seq import RNNForecaster, make_windows  # noqa: E402

H, M, LOOKBACK, N_ORIGINS = 8, 4, 24, 3


CASES = {  # name -> (target, covariate, what they are)
    "consumption": ("realcons", "realdpi", "consumption growth | income growth"),
    "investment": ("realinv", "realgdp", "investment growth | GDP growth"),
    "okun": ("unemp", "realgdp", "unemployment change | GDP growth"),
}


def load(case: str) -> tuple[np.ndarray, np.ndarray]:
    """A case's target and covariate, quarterly: growth in percent (100 x the
    change of the log), and the unemployment rate as its change in points."""
    import statsmodels.api as sm

    macro = sm.datasets.macrodata.load_pandas().data

    def quarterly(column):
        values = macro[column].to_numpy(dtype=float)
        return np.diff(values) if column == "unemp" else 100 * np.diff(np.log(values))

    target, covariate, _ = CASES[case]
    return quarterly(target), quarterly(covariate)


def linear(train, covariate, future) -> np.ndarray:
    """Least squares of the target on the same quarter's covariate."""
    design = np.column_stack([np.ones(len(train)), covariate])
    coef = np.linalg.lstsq(design, train, rcond=None)[0]
    return coef[0] + coef[1] * future


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


def run_case(case: str, seeds: int) -> None:
    """Every method on one case: MASE per origin as it goes, then the summary."""
    target, driver = load(case)
    n = len(target)
    scores = {k: [] for k in ("mean", "ets", "linear", "alone", "covariate", "noise")}
    print(f"\n{case}: {CASES[case][2]}")
    for j in range(N_ORIGINS):
        cut = n - H - j * H
        train, test, future = target[:cut], target[cut : cut + H], driver[cut : cut + H]
        scale = mase_scale(train, M)

        def mase(pred, test=test, scale=scale):
            return float(np.mean(np.abs(np.asarray(pred) - test)) / scale)

        scores["mean"].append([mase(np.full(H, train.mean()))] * seeds)
        scores["ets"].append([mase(ets_forecast(train, H, M)["mean"])] * seeds)
        scores["linear"].append([mase(linear(train, driver[:cut], future))] * seeds)
        row = {"alone": [], "covariate": [], "noise": []}
        for seed in range(seeds):
            noise = np.random.default_rng(seed).normal(size=cut + H)
            row["alone"].append(mase(rnn(train, None, None, seed)))
            row["covariate"].append(mase(rnn(train, driver[:cut], future, seed)))
            row["noise"].append(mase(rnn(train, noise[:cut], noise[cut:], seed)))
        for key, values in row.items():
            scores[key].append(values)
        print(
            f"origin {j}: "
            + ", ".join(f"{k} {np.mean(v[-1]):.3f}" for k, v in scores.items())
        )
    table = {k: np.array(v) for k, v in scores.items()}  # (origins, seeds)
    pairs = table["alone"].size
    print(f"{case}, {N_ORIGINS} origins x {seeds} seeds, MASE (mean):")
    for key, values in table.items():
        print(f"  {key:>9}: {values.mean():.3f}")
    for key in ("covariate", "noise"):
        over_alone = int(np.sum(table[key] < table["alone"]))
        over_mean = int(np.sum(table[key] < table["mean"]))
        print(
            f"  {key} beats the model alone in {over_alone}/{pairs} and "
            f"the training mean in {over_mean}/{pairs} (origin, seed) pairs"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated")
    args = parser.parse_args()
    for case in args.cases.split(","):
        run_case(case, args.seeds)


if __name__ == "__main__":
    main()

"""RNNForecaster's prediction intervals over many origins, step by step and per series.

The development suite (``bench_forecast_suite.py``) scores three origins per
series: per series and per horizon step that is three outcomes (times seeds
that share them), which cannot tell an 80% interval from a 70% one. This
study keeps the suite's series, sets, seasons, horizons, lookbacks and
seeds, and takes up to ``MAX_ORIGINS`` origins per series instead: for ``j``
= 0, 1, ... the training part is ``values[:n - h - j*h]`` and the test part
the ``h`` values after it (the suite's three origins first, then earlier
ones, the test parts never overlapping), as long as the training part keeps
at least half the series.

Fits: the network alone, ``RNNForecaster(combine=None)``, with the suite's
``fit_one`` (``random_state`` 0 .. SEEDS-1, one torch thread), cached in the
suite's cache under ``NETWORK``. Each fit serves every method below, so the
comparison costs one network per series, origin and seed:

* ``default``: ``combine="auto"``, which for one series' history is
  ``"median"``: the median of the network's, ETS's and seasonal naive's
  forecasts, with the network's distances to its own bounds. It is built
  from the network's forecast and bounds with the package's own
  ``_statistical`` functions, as ``forecast_interval`` builds it
  (``history_season`` at lags up to half the window, ``ets_forecast``,
  ``seasonal_naive``, ``_median_of``). ``--check N`` fits the default itself
  on the first ``N`` series (origin 0, seed 0) and stops if its bounds
  differ from the derived ones;
* ``network alone``: the network's split-conformal bounds;
* ``ETS``: the suite's ETS baseline, its own intervals (the reference of the
  interval score);
* ``seasonal naive``: the last season repeated (the season the forecaster
  finds), with the textbook interval: the root mean square of the history's
  seasonal differences, widening as the square root of the seasons ahead
  (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 5.5);
* ``median of widths``: the same median with, below and above it, the
  median of the three methods' distances to their own bounds (the package's
  ETS interval, seasonal naive's above and the network's): the rule before
  this study, kept for comparison.

Report, per set (tuning, confirming, fresh) and coverage (80%, 95%):

1. coverage per horizon step pooled over series, origins and seeds (steps 1
   to 8, which every series has, then the longer horizons in blocks), each
   with a 90% bootstrap band: series-and-origin blocks resampled 1,000 times
   (seeds share their origin's truth, so they are not independent draws),
   and the steps whose band lies wholly outside the target band (75-85%
   for 80% intervals, 90-97% for 95%);
2. all steps pooled, and the mean interval score (Gneiting & Raftery 2007,
   divided by the MASE scale) over ETS's on the same origins and steps;
3. per series: coverage over all its origins, steps and seeds, then a check
   of it against a calibrated interval's noise (``calibrated_noise``): how
   many series a calibrated interval would hold within the band, given these
   series' origins and steps, and how likely the dispersion seen is;
4. the point forecasts over the same origins, counted as the suite counts
   them (series won against ETS and seasonal naive, failing, geometric mean
   of MASE over ETS's), for the default and the network alone.

Fits without an interval (too few held-out windows: the 95% intervals of the
55-quarter danish series) are left out of that coverage, and counted.

Run (the ``bench`` extra)::

    python benchmarks/bench_forecast_intervals.py --seeds 5 --jobs 2

``--selftest`` runs only the per-series check on synthetic intervals
(calibrated, and 8 points off), to show how often it flags each (1 minute).
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_forecast_accuracy import seasonal_naive as known  # noqa: E402
from bench_forecast_suite import (  # noqa: E402
    COVERAGES,
    FAIL_FACTOR,
    FRESH,
    TIE,
    as_array,
    covered,
    ets_forecast,
    fit_one,
    halves,
    interval_score,
    load_all,
    lookback,
    mase_scale,
    origins,
    run_variants,
)

from sklearn_seq._statistical import (  # noqa: E402
    _median_of,
    history_season,
    seasonal_naive,
)
from sklearn_seq._statistical import ets_forecast as package_ets  # noqa: E402

MAX_ORIGINS = 10
NETWORK = {"combine": None, "_code": "net1"}
METHODS = ("default", "network alone", "ETS", "seasonal naive", "median of widths")
FIRST_STEPS = 8  # every series' horizon reaches this far
BOOTSTRAP = 1000
BANDS = {0.8: (0.75, 0.85), 0.95: (0.90, 0.97)}  # the target band of each coverage
SIMULATIONS = 20000


def many_origins(values: np.ndarray, h: int) -> list:
    """(train, test) pairs, latest first: the suite's ``N_ORIGINS``, then
    earlier ones while the training part keeps half the series, at most
    ``MAX_ORIGINS``."""
    return origins(values, h, MAX_ORIGINS)


def naive_interval(train: np.ndarray, h: int, season: int, coverage: float) -> tuple:
    """Seasonal naive's forecast and textbook interval: ``sigma * sqrt(1 + (k - 1)
    // season)`` either side at step ``k``, ``sigma`` the root mean square of
    the differences ``season`` steps apart (the naive forecast where the
    history does not hold the season twice, as the package's)."""
    from scipy.stats import norm

    season = season if 1 <= season and 2 * season <= len(train) else 1
    mean = seasonal_naive(train, h, season)
    sigma = np.sqrt(np.mean(np.square(train[season:] - train[:-season])))
    half = norm.ppf(0.5 + coverage / 2) * sigma * np.sqrt(1 + np.arange(h) // season)
    return mean, (mean - half, mean + half)


def intervals(data: dict, names: list, records: dict, seeds: int) -> list:
    """One row per (series, origin, seed, coverage): the test part, the MASE
    scale, every method's (lower, upper), and the point forecasts of the
    default, the network alone and the suite's ETS and seasonal naive (the
    season known) as ``points``."""
    rows = []
    for name in names:
        values, m, h = data[name]
        for origin, (train, test) in enumerate(many_origins(values, h)):
            window = lookback(train, m)
            season = history_season(train, None, window // 2)
            baseline = ets_forecast(train, h, m)
            ets_mean = package_ets(train, h, season)[0]
            naive_mean = known(train, h, m)  # the suite's baseline: the season known
            scale = mase_scale(train, m)
            for c in COVERAGES:
                ets = package_ets(train, h, season, c)
                naive = naive_interval(train, h, season, c)
                for seed in range(seeds):
                    record = records[name].get((origin, seed))
                    if record is None:
                        continue
                    point = as_array(record["point"])
                    bounds = tuple(as_array(record[s][str(c)]) for s in ("lower", "upper"))
                    row = {"name": name, "origin": origin, "seed": seed, "c": c, "h": h}
                    row.update(test=test, scale=scale)
                    row["ETS"] = (baseline["lower"][c], baseline["upper"][c])
                    row["seasonal naive"] = naive[1]
                    center, default = _median_of((point, bounds), [ets_mean, naive[0]])
                    row["points"] = {
                        **{"default": center, "network alone": point},
                        **{"ETS": baseline["mean"], "seasonal naive": naive_mean},
                    }
                    if np.isfinite(bounds[0]).all():
                        row["default"] = default
                        row["network alone"] = bounds
                        parts = ((point, bounds), ets, naive)
                        below = np.median([mean - lo for mean, (lo, _) in parts], axis=0)
                        above = np.median([hi - mean for mean, (_, hi) in parts], axis=0)
                        row["median of widths"] = (center - below, center + above)
                    rows.append(row)
    return rows


def check_default(data: dict, names: list, rows: list) -> None:
    """Stop unless the default fitted itself gives the derived bounds (origin 0, seed 0)."""
    for name in names:
        values, m, h = data[name]
        train, _ = many_origins(values, h)[0]
        direct = fit_one({}, train, h, m, 0)
        for row in rows:
            c = row["c"]
            if (row["name"], row["origin"], c) == (name, 0, COVERAGES[0]):
                fitted = tuple(as_array(direct[s][str(c)]) for s in ("lower", "upper"))
                if not np.allclose(fitted, row["default"], rtol=1e-9, atol=1e-9):
                    raise SystemExit(f"{name}: the derived default differs from a fit")
                break
    print(f"checked: the derived default equals a fit of it on {', '.join(names)}")


def step_groups(max_h: int) -> list:
    """Steps 1 .. ``FIRST_STEPS`` one by one, then blocks: list of (label, slice)."""
    groups = [(str(k), slice(k - 1, k)) for k in range(1, min(max_h, FIRST_STEPS) + 1)]
    edges = [FIRST_STEPS, 12, 24, 48]
    for first, last in zip(edges[:-1], edges[1:], strict=True):
        if max_h > first:
            groups.append((f"{first + 1}-{min(last, max_h)}", slice(first, last)))
    return groups


def block_hits(rows: list, method: str, c: float, max_h: int) -> tuple:
    """Hits per (series, origin) block, NaN-padded to ``max_h`` steps, averaged
    over seeds: (blocks x max_h array, block keys), and the rows without bounds."""
    blocks, missing = {}, 0
    for row in rows:
        if row["c"] != c:
            continue
        if method not in row:
            missing += 1
            continue
        hits = covered(*row[method], row["test"])
        padded = np.pad(hits, (0, max_h - row["h"]), constant_values=np.nan)
        blocks.setdefault((row["name"], row["origin"]), []).append(padded)
    keys = list(blocks)
    return np.array([np.mean(blocks[k], axis=0) for k in keys]), keys, missing


def score_ratio(rows: list, method: str, c: float) -> float:
    """Mean interval score over ETS's, on the rows where the method has bounds."""
    mine, theirs = [], []
    for row in rows:
        if row["c"] == c and method in row:
            for target, name in ((mine, method), (theirs, "ETS")):
                score = interval_score(*row[name], row["test"], 1 - c) / row["scale"]
                target.append(np.mean(score))
    return float(np.mean(mine) / np.mean(theirs))


def series_blocks(hits: np.ndarray, keys: list) -> dict:
    """Block coverages per series: name -> (block means over steps, steps per block)."""
    by_series = {}
    for key, block in zip(keys, hits, strict=True):
        by_series.setdefault(key[0], []).append(block)
    return {
        name: (np.nanmean(blocks, axis=1), int(np.sum(~np.isnan(blocks[0]))))
        for name, blocks in ((n, np.array(b)) for n, b in by_series.items())
    }


def correlation(blocks: list, sizes: list, c: float) -> np.ndarray:
    """``rho``, the correlation of hits within a block, from how blocks stray
    from their own series' mean: ``blocks`` holds one array per series,
    ``(..., n)`` block means (leading axes: simulations), ``sizes`` its ``(n, h)``.
    The expected sum of squares is the sum over series of ``(n - 1) c (1 - c)
    (1 + (h - 1) rho) / h``."""
    within = sum(np.sum((b - b.mean(axis=-1, keepdims=True)) ** 2, axis=-1) for b in blocks)
    base = sum((n - 1) * c * (1 - c) / h for n, h in sizes)
    slope = sum((n - 1) * c * (1 - c) * (h - 1) / h for n, h in sizes)
    return np.clip((within - base) / slope, 1e-3, 1 - 1e-3) if slope else np.ones(1)


def dispersion(blocks: list, sizes: list, c: float) -> tuple:
    """Each series' z-score, its coverage less ``c`` in the spread a calibrated
    interval's would have (:func:`correlation`'s ``rho``), and ``Q``, their
    sum of squares; ``rho`` too."""
    rho = correlation(blocks, sizes, c)
    z = [
        (b.mean(axis=-1) - c) / np.sqrt(c * (1 - c) * (1 + (h - 1) * rho) / (h * n))
        for b, (n, h) in zip(blocks, sizes, strict=True)
    ]
    return z, sum(value**2 for value in z), rho


def calibrated_noise(hits: np.ndarray, keys: list, c: float, rng) -> dict:
    """How far per-series coverage strays from ``c`` by chance alone.

    A series' coverage is the mean of its blocks (origins; seeds averaged in
    them, as they share the truth), each the mean of ``h`` correlated hits.
    Were the interval calibrated (every hit true with probability ``c``), a
    block mean would vary as ``c (1 - c) (1 + (h - 1) rho) / h``, ``rho`` the
    correlation of hits within a block (:func:`correlation`: estimated from
    how blocks stray from their own series' mean, so that differences between
    series do not enter it; a series whose coverage changes between origins
    raises it, which makes the check lenient). Blocks are then drawn
    ``SIMULATIONS`` times as beta-binomial counts with that correlation, and
    the whole check is repeated on each draw (``rho`` estimated again), to
    give: the series a calibrated interval would hold within the target band
    (mean and 90% range, and the chance that it holds all of them), the
    chance of a dispersion ``Q`` (the sum over series of squared z-scores) as
    large as the one seen, and each series' z-score.
    """
    series = series_blocks(hits, keys)
    blocks = [means for means, _ in series.values()]
    sizes = [(len(means), h) for means, h in series.values()]
    z, q, rho = dispersion(blocks, sizes, c)
    total = (1 - rho) / rho  # beta-binomial: a + b = (1 - rho) / rho
    drawn = [
        rng.binomial(h, rng.beta(c * total, (1 - c) * total, (SIMULATIONS, n))) / h
        for n, h in sizes
    ]
    q_sim = dispersion(drawn, sizes, c)[1]
    low, high = (bound + sign * 1e-9 for bound, sign in zip(BANDS[c], (-1, 1), strict=True))
    inside = sum((low <= b.mean(axis=-1)) & (b.mean(axis=-1) <= high) for b in drawn)
    observed = [b.mean() for b in blocks]
    return {
        "rho": float(rho),
        "inside": sum(low <= p <= high for p in observed),
        "expected": (inside.mean(), *np.percentile(inside, [5, 95])),
        "all inside": float(np.mean(inside == len(series))),
        "q": float(q),
        "p": float(np.mean(q_sim >= q)),
        "z": dict(zip(series, (float(value) for value in z), strict=True)),
        "n": len(series),
    }


def selftest(repeats: int = 100, seed: int = 1) -> None:
    """How often :func:`calibrated_noise` flags synthetic intervals (``--selftest``).

    Ten series of 8 origins and 8 steps, errors a Gaussian AR(1) over steps
    (0.8: errors that carry on, as a rollout's do), each series' interval its
    true ``coverage`` quantile: calibrated (all 80%), miscalibrated by 8
    points either way (72% and 88%), and all at 72%. Prints the share of
    ``repeats`` data sets with P < 0.05 and the mean count within the band.
    """
    from scipy.stats import norm

    rng = np.random.default_rng(seed)
    cases = {"calibrated": [0.8] * 10, "72% / 88%": [0.72, 0.88] * 5, "72%": [0.72] * 10}
    for label, coverages in cases.items():
        flagged, inside = [], []
        for _ in range(repeats):
            hits, keys = [], []
            for s, coverage in enumerate(coverages):
                shocks = rng.normal(size=(8, 8))
                errors = np.zeros((8, 8))
                errors[:, 0] = shocks[:, 0]
                for k in range(1, 8):
                    errors[:, k] = 0.8 * errors[:, k - 1] + 0.6 * shocks[:, k]
                hits.extend(np.abs(errors) < norm.ppf(0.5 + coverage / 2))
                keys.extend((f"s{s}", origin) for origin in range(8))
            noise = calibrated_noise(np.array(hits, dtype=float), keys, 0.8, rng)
            flagged.append(noise["p"] < 0.05)
            inside.append(noise["inside"])
        print(
            f"{label:>12}: flagged (P < 0.05) in {np.mean(flagged):.0%} of {repeats}; "
            f"{np.mean(inside):.1f} of 10 series in band on average"
        )


def print_noise(method: str, noise: dict) -> None:
    """One line of :func:`calibrated_noise`'s check, the series off by over 2 sd named."""
    mean, low, high = noise["expected"]
    off = " ".join(f"{s}{z:+.1f}" for s, z in noise["z"].items() if abs(z) > 2)
    print(
        f"    {method:>18}: {noise['inside']}/{noise['n']} in band "
        f"(calibrated: {mean:.1f}, 90% {low:.0f}-{high:.0f}, "
        f"all {noise['all inside']:.4f}); rho {noise['rho']:.2f}; "
        f"Q {noise['q']:.1f}, P(calibrated Q >= it) {noise['p']:.3f}; "
        f"|z| > 2: {off or 'none'}"
    )


def report(label: str, rows: list, seed: int = 0) -> None:
    """The three parts of one set's report (see the module docstring)."""
    rng = np.random.default_rng(seed)
    max_h = max(row["h"] for row in rows)
    groups = step_groups(max_h)
    print(f"\n=== {label}: {len({r['name'] for r in rows})} series ===")
    for c in COVERAGES:
        target_low, target_high = BANDS[c]
        print(f"\n{c:.0%} intervals: coverage per step, [90% bootstrap band]")
        print(f"{'step':>7} " + " ".join(f"{m:>19}" for m in METHODS))
        table = {}
        for method in METHODS:
            hits, keys, missing = block_hits(rows, method, c, max_h)
            draws = rng.integers(0, len(keys), (BOOTSTRAP, len(keys)))
            with warnings.catch_warnings():  # blocks of short horizons past their end
                warnings.simplefilter("ignore", RuntimeWarning)
                boot = np.array([np.nanmean(hits[d], axis=0) for d in draws])
                table[method] = (hits, keys, missing, boot)
        misses = {method: [] for method in METHODS}  # bands wholly outside the target
        for name, steps in groups:
            cells = []
            for method in METHODS:
                hits, _, _, boot = table[method]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(hits[:, steps])
                    band = np.nanmean(boot[:, steps], axis=1)
                    low, high = np.nanpercentile(band, [5, 95])
                cells.append(f"{mean:5.2f} [{low:4.2f}-{high:4.2f}]")
                if high < target_low - 1e-9 or low > target_high + 1e-9:
                    misses[method].append(f"{name} ({mean:.2f})")
            print(f"{name:>7} " + " ".join(f"{cell:>19}" for cell in cells))
        pooled = " ".join(f"{np.nanmean(table[m][0]):19.3f}" for m in METHODS)
        print(f"{'all':>7} " + pooled)
        ratios = " ".join(f"{score_ratio(rows, m, c):19.3f}" for m in METHODS)
        print(f"{'IS/ETS':>7} " + ratios)
        target = f"{target_low:.2f}-{target_high:.2f}"
        print(f"  steps whose 90% band lies wholly outside {target}:")
        for method in METHODS:
            print(f"    {method:>18}: {', '.join(misses[method]) or 'none'}")
        missing = {m: table[m][2] for m in METHODS if table[m][2]}
        if missing:
            counts = ", ".join(f"{m} {n}" for m, n in missing.items())
            print("  fits without an interval: " + counts)
        print("  per series (all origins, steps and seeds):")
        for method in METHODS:
            series = series_blocks(*table[method][:2])
            cells = " ".join(f"{s}={means.mean():.2f}" for s, (means, _) in series.items())
            print(f"    {method:>18}: {cells}")
        print(
            f"  per series against a calibrated interval's noise (band {target}; "
            f"z = coverage - {c} in the calibrated spread):"
        )
        for method in METHODS:
            hits, keys, _, _ = table[method]
            print_noise(method, calibrated_noise(hits, keys, c, rng))


def report_points(label: str, rows: list) -> None:
    """Point forecasts over the same origins, as the suite counts them: the
    series won against ETS and seasonal naive (mean MASE over origins and
    seeds more than ``TIE`` below the baseline's; within it, tied), those lost
    to seasonal naive by more than ``FAIL_FACTOR`` at every seed, and the
    geometric mean over series of MASE over ETS's."""
    mase = {}  # (method, series) -> seed -> MASEs over origins
    for row in rows:
        if row["c"] != COVERAGES[0]:
            continue
        for method, point in row["points"].items():
            error = np.mean(np.abs(point - row["test"])) / row["scale"]
            per_seed = mase.setdefault((method, row["name"]), {})
            per_seed.setdefault(row["seed"], []).append(error)
    names = list(dict.fromkeys(row["name"] for row in rows))
    mean = {key: np.mean([np.mean(v) for v in by.values()]) for key, by in mase.items()}
    print(f"\nPoint forecasts, {label}: won/ETS (+tied), won/s.naive, failing, geo/ETS")
    for method in ("default", "network alone"):
        ets = {s: mean["ETS", s] / mean[method, s] for s in names}
        naive = {s: mean["seasonal naive", s] / mean[method, s] for s in names}
        won = sum(ratio > 1 / (1 - TIE) for ratio in ets.values())
        tied = sum(abs(1 / ratio - 1) <= TIE for ratio in ets.values())
        beaten = sum(ratio > 1 / (1 - TIE) for ratio in naive.values())
        failing = sum(
            all(
                np.mean(v) > FAIL_FACTOR * mean["seasonal naive", s]
                for v in mase[method, s].values()
            )
            for s in names
        )
        geo = np.exp(np.mean([np.log(1 / ratio) for ratio in ets.values()]))
        print(f"  {method:>14}: {won}+{tied}, {beaten}, {failing}, {geo:.3f}")
    cells = " ".join(
        f"{s}={mean['default', s]:.2f}/{mean['ETS', s]:.2f}/{mean['seasonal naive', s]:.2f}"
        for s in names
    )
    print(f"  MASE default/ETS/s.naive: {cells}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="random_state 0 .. SEEDS-1")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the fits")
    parser.add_argument(
        "--check", type=int, default=3, help="series whose default is fitted to check it"
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="only check the per-series noise check on synthetic intervals",
    )
    args = parser.parse_args()
    if args.selftest:
        selftest()
        return
    tuning, confirming = halves()
    sets = {"tuning": tuning, "confirming": confirming, "fresh": list(FRESH)}
    names = [name for members in sets.values() for name in members]
    data = load_all()
    origins = {name: len(many_origins(data[name][0], data[name][2])) for name in names}
    print("origins per series: " + ", ".join(f"{s} {n}" for s, n in origins.items()))
    network = {"network": NETWORK}
    records = run_variants(network, data, names, args.seeds, args.jobs, False, MAX_ORIGINS)
    records = records["network"]
    rows = intervals(data, names, records, args.seeds)
    if args.check:
        check_default(data, names[: args.check], rows)
    for label, members in sets.items():
        chosen = [row for row in rows if row["name"] in members]
        report(label, chosen)
        report_points(label, chosen)


if __name__ == "__main__":
    main()

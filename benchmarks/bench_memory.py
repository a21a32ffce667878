"""Peak memory of fitting on long series and on ragged input, and time per window.

Each memory case runs in a fresh subprocess and reports its peak resident set
size (``ru_maxrss``), so one case's allocations do not hide another's:

* ``windows``: ``RNNForecaster`` (``scaling="mean"``, the default when these
  figures were first taken), one epoch on the
  ``make_windows`` view of a series with lookback 100, at 200,000 windows and
  at 10 million points (pass ``--quick`` to skip the long one, which takes
  several minutes). The network is cheap (``PARAMS``: a patch front end that
  reads the 100 steps as one patch, 8 units, batches of 1,024), so that an
  epoch over 10 million windows is affordable and the data path's share of
  the time is large, not hidden behind the recurrent layer;
* ``calibrated``: the ``windows`` case with interval calibration on (the
  default ``calibration_fraction=0.2``: a copy of the model trained on the
  first 80% of the windows rolls forward from the last 20%);
* ``copy``: the same 200,000 windows given as a contiguous copy
  (``np.ascontiguousarray``), the path arbitrary arrays take;
* ``ragged``: ``RNNForecaster`` (``scaling="global"``, batches of 32), one
  epoch on 2,000 sequences of 5 steps plus one of 100,000 given as a list.

Time per window: one process fits the same 200,000 windows alternately as the
view and as the copy (the median of three fits each); the ratio view / copy
is the figure (goal <= 1.0, no worse than copying all windows up front). The
same random state gives the same model both ways.

Run: ``python benchmarks/bench_memory.py [--quick]``
"""

import json
import resource
import subprocess
import sys
import time

import numpy as np

LOOKBACK = 100
# a cheap network (one patch of 100 steps, one recurrent step) so that one epoch
# over 10 million windows takes minutes and the data path weighs in the time
PARAMS = dict(
    hidden_size=8,
    front_end="patch",
    patch_size=LOOKBACK,
    max_epochs=1,
    batch_size=1024,
    calibration_fraction=None,
    scaling="mean",
    random_state=0,
)


def _series(n_points: int) -> np.ndarray:
    rng = np.random.RandomState(0)
    t = np.arange(n_points)
    return np.sin(0.05 * t) + 0.001 * t + 0.1 * rng.standard_normal(n_points)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _fit(X, y, **params):
    from sklearn_seq import RNNForecaster

    start = time.perf_counter()
    RNNForecaster(**{**PARAMS, **params}).fit(X, y)
    return time.perf_counter() - start


def run_case(case: str, n_windows: int) -> dict:
    """One memory case, in this process: peak RSS before and after the fit."""
    from sklearn_seq import make_windows

    _fit(*make_windows(_series(200), LOOKBACK))  # imports torch's lazy modules
    if case == "ragged":
        rng = np.random.RandomState(0)
        X = [rng.standard_normal(5) for _ in range(2000)] + [rng.standard_normal(100_000)]
        y = rng.standard_normal(len(X))
        input_mb = sum(x.nbytes for x in X) / 2**20
        before = _peak_mb()
        seconds = _fit(X, y, scaling="global", batch_size=32)
    else:
        series = _series(n_windows + LOOKBACK)
        X, y = make_windows(series, LOOKBACK)
        if case == "copy":
            X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
        input_mb = (X.nbytes if case == "copy" else series.nbytes) / 2**20
        before = _peak_mb()
        calibration = {"calibration_fraction": 0.2} if case == "calibrated" else {}
        seconds = _fit(X, y, **calibration)
    return {
        "input_mb": input_mb,
        "before_mb": before,
        "peak_mb": _peak_mb(),
        "us_per_window": 1e6 * seconds / len(X),
    }


def timing(n_windows: int = 200_000, repeat: int = 3) -> tuple[float, float]:
    """Median seconds per window of a fit on the view and on a copy, alternated."""
    from sklearn_seq import make_windows

    X, y = make_windows(_series(n_windows + LOOKBACK), LOOKBACK)
    Xc, yc = np.ascontiguousarray(X), np.ascontiguousarray(y)
    _fit(X[:200], y[:200])  # imports torch's lazy modules
    view, copy = [], []
    for _ in range(repeat):
        view.append(_fit(X, y) / n_windows)
        copy.append(_fit(Xc, yc) / n_windows)
    return float(np.median(view)), float(np.median(copy))


def _in_subprocess(case: str, n_windows: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--case", case, str(n_windows)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    if sys.argv[1:2] == ["--case"]:
        print(json.dumps(run_case(sys.argv[2], int(sys.argv[3]))))
        return
    cases = [
        ("windows", 200_000),
        ("calibrated", 200_000),
        ("copy", 200_000),
        ("ragged", 2001),
    ]
    if "--quick" not in sys.argv:
        cases.append(("windows", 10_000_000 - LOOKBACK))
    print(
        f"{'case':<10} {'windows':>10} {'input MB':>9} {'RSS before fit':>15} "
        f"{'peak RSS MB':>12} {'us/window':>10}"
    )
    for case, n in cases:
        r = _in_subprocess(case, n)
        print(
            f"{case:<10} {n:>10,} {r['input_mb']:>9.1f} {r['before_mb']:>15.0f} "
            f"{r['peak_mb']:>12.0f} {r['us_per_window']:>10.1f}"
        )
    view, copy = timing()
    print(
        f"\nfit time per window at 200,000 windows: view {1e6 * view:.1f} us, "
        f"copy {1e6 * copy:.1f} us, ratio view / copy {view / copy:.2f} (goal <= 1.0)"
    )


if __name__ == "__main__":
    main()

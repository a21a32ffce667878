"""One forecaster fit on one process against the same fit on several (``distributed``).

The data: ``--windows`` windows of ``--lookback`` steps from one long noisy
series of three sines. The model: an LSTM of 64 units, ``--epochs`` epochs,
batches of ``--batch``, no interval calibration (one network trained). The
runs, in one process, one after the other (the machine is shared: compare
within one run):

* one process, 1 thread and 2 threads (``distributed=None``);
* ``distributed=1``: the data-parallel path in this process;
* ``distributed=N`` (``--processes``, default 2) worker processes of 1 thread.

For each: wall seconds, CPU seconds (this process and its finished
children), training samples per second, the training loss after each epoch,
and the wall time until the loss first reached the worst of the runs' final
losses ("time to the same loss": the launch counted in, epochs at their
recorded durations). With ``--device cuda --processes N`` the same runs train
on ``N`` GPUs (NCCL); the threaded runs are then left out. The estimators
have no mixed-precision mode, so there is no bf16 run.

Run: ``python benchmarks/bench_distributed.py [--windows 40000] [--epochs 3]
[--processes 2] [--device cpu]``
"""

import argparse
import resource
import time

import numpy as np

from sklearn_seq import RNNForecaster, make_windows


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def series(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    waves = np.sin(t / 7) + 0.5 * np.sin(t / 23 + 1) + 0.3 * np.sin(t / 61 + 2)
    return (waves + 0.1 * rng.normal(size=n)).astype(np.float32)


def timed_fit(X, y, **params):
    wall, cpu = time.perf_counter(), cpu_seconds()
    model = RNNForecaster(**params).fit(X, y)
    return model, time.perf_counter() - wall, cpu_seconds() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=40_000)
    parser.add_argument("--lookback", type=int, default=48)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    X, y = make_windows(series(args.windows + args.lookback), args.lookback)
    params = {
        "cell": "lstm",
        "hidden_size": 64,
        "max_epochs": args.epochs,
        "batch_size": args.batch,
        "calibration_fraction": None,
        "random_state": 0,
        "device": args.device,
    }
    runs = [("distributed=1", {"distributed": 1, "n_threads": 1})]
    if args.device == "cpu":
        runs = [
            ("1 process, 1 thread", {"n_threads": 1}),
            ("1 process, 2 threads", {"n_threads": 2}),
            *runs,
        ]
    runs.append((f"distributed={args.processes}", {"distributed": args.processes}))
    print(
        f"RNNForecaster(LSTM 64), {len(y)} windows x {args.lookback} steps, "
        f"{args.epochs} epochs, batches of {args.batch}, device {args.device}"
    )
    timed_fit(X[:512], y[:512], **{**params, "max_epochs": 1})  # warm up: lazy setup
    results = []
    for name, extra in runs:
        model, wall, cpu = timed_fit(X, y, **params, **extra)
        history = model.net_.history
        results.append((name, wall, cpu, history[:, "train_loss"], history[:, "dur"]))
    target = max(losses[-1] for _, _, _, losses, _ in results)
    head = f"{'run':<24}{'wall s':>8}{'CPU s':>8}{'samples/s':>11}{'to loss s':>11}  losses"
    print(head + "\n" + "-" * len(head))
    for name, wall, cpu, losses, durations in results:
        overhead = wall - sum(durations)  # launch, data checks, building the net
        reached = next(i for i, loss in enumerate(losses) if loss <= target)
        to_loss = overhead + sum(durations[: reached + 1])
        rate = len(y) * args.epochs / wall
        shown = " ".join(f"{loss:.5f}" for loss in losses)
        print(f"{name:<24}{wall:>8.1f}{cpu:>8.1f}{rate:>11.0f}{to_loss:>11.1f}  {shown}")
    print(f"time to the same loss: until the training loss first reached {target:.5f}")


if __name__ == "__main__":
    main()

"""Time RNNForecaster's inference against the raw module on the same windows.

* ``predict`` of one window, for a tiny (4 units) and a default-size (64 units)
  LSTM, against a plain ``nn.LSTM`` and linear head of the same size on that
  window under ``torch.no_grad()`` (goal <= 1.5). On the CPU the estimator runs
  every batch as a block of 8 rows of one length (what makes a window's output
  the same alone or among others), so the table also gives the floor that
  block sets: the estimator's own module on 1 row and on a block of 8; and
  the floor of the Python around it: the same prediction in a few numpy
  lines (``lean_predict``).
* ``forecast`` rollouts: time per step from 1 and from 1,000 seed windows,
  against a raw loop over the same module (``module(window)``, append, drop the
  oldest step) on the whole batch at once, and on blocks of 8 (goal <= 1.3).

All timings are interleaved (one repetition of each in turn) and medians
taken, so that load from other processes hits every candidate alike; each
ratio is given in wall time and in CPU time of the process (which leaves out
the time the machine gave to other processes).

Run: ``python benchmarks/bench_inference.py``
"""

import time

import numpy as np
import torch
from torch import nn

from sklearn_seq import RNNForecaster, make_windows

LOOKBACK, STEPS, BLOCK = 40, 20, 8


class Reference(nn.Module):
    """A plain LSTM and linear head with the estimator's module's weights."""

    def __init__(self, module):
        super().__init__()
        rnn, head = module.encoder.rnn, module.head
        self.lstm = nn.LSTM(1, rnn.hidden_size, batch_first=True)
        self.head = nn.Linear(head.in_features, head.out_features)
        self.lstm.load_state_dict(rnn.state_dict())
        self.head.load_state_dict(head.state_dict())
        self.eval()

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


def interleaved(fns: dict, repeat: int) -> tuple[dict, dict]:
    """Median wall and CPU seconds of each function, timed one repetition of each in turn.

    CPU time (``time.process_time``) leaves out the time the machine gave to other
    processes; everything here runs on one thread.
    """
    wall = {name: [] for name in fns}
    cpu = {name: [] for name in fns}
    for fn in fns.values():  # warm up
        fn()
    for _ in range(repeat):
        for name, fn in fns.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    return (
        {name: float(np.median(t)) for name, t in wall.items()},
        {name: float(np.median(t)) for name, t in cpu.items()},
    )


def raw_rollout(ref, x, steps, block=None):
    """Roll ``ref`` forward ``steps`` times from windows ``x``, ``block`` rows a call."""
    with torch.no_grad():
        for _ in range(steps):
            if block is None:
                nxt = ref(x)
            else:
                nxt = torch.cat([ref(x[i : i + block]) for i in range(0, len(x), block)])
            x = torch.cat([x[:, 1:], nxt[:, :, None]], dim=1)
    return x


def lean_predict(model, window, lengths):
    """The least a prediction with the default frame must do, in a few numpy lines.

    The window read as its steps over their mean absolute size (``"diff"``,
    without the flat-window floor), standardized, run as one block of
    ``BLOCK`` rows, mapped back: the estimator's work on a window that is not
    flat (checked against ``predict``), as a floor for what Python around the
    module costs.
    """
    x = np.asarray(window, dtype=np.float64)[:, :, None]
    if not np.isfinite(x).all():
        raise ValueError("NaN")
    last, scale = x[:, -1], np.abs(np.diff(x, axis=1)).mean(axis=1)
    framed = (x - last[:, None]) / scale[:, None]
    steps = np.diff(framed, axis=1, prepend=framed[:, :1])
    block = np.zeros((BLOCK, x.shape[1], 1), dtype=np.float32)
    block[: len(x)] = (steps - model.x_mean_) / model.x_scale_
    with torch.no_grad():
        out = model.net_.module_(torch.from_numpy(block), lengths).numpy()[: len(x)]
    return (out * model.y_scale_ + model.y_mean_) * scale + last


def main():
    torch.set_num_threads(1)  # the estimators predict with n_threads=1 by default
    X, y = make_windows(np.sin(0.1 * np.arange(2000)), lookback=LOOKBACK)
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    window = X[:1]
    x1 = torch.from_numpy(window.astype(np.float32)[:, :, None])
    x8 = torch.zeros(BLOCK, LOOKBACK, 1)
    x8[:1] = x1
    l1, l8 = torch.tensor([LOOKBACK]), torch.full((BLOCK,), LOOKBACK)
    print(f"predict one window of {LOOKBACK} steps, ratios to the raw 1-row forward")
    print("(medians of interleaved runs, wall time / CPU time; goal for predict <= 1.5):")
    print(
        f"  {'units':>5} {'raw 1 row':>10}{'module 1':>13}{'module 8':>13}"
        f"{'lean':>13}{'predict':>13}"
    )
    for hidden in (4, 64):
        model = RNNForecaster(
            hidden_size=hidden, max_epochs=2, calibration_fraction=None, random_state=0
        ).fit(X[:500], y[:500])
        module = model.net_.module_
        ref = Reference(module)

        def raw(x=x1, ref=ref):
            with torch.no_grad():
                ref(x)

        def own(x, lengths, module=module):
            with torch.no_grad():
                module(x, lengths)

        np.testing.assert_allclose(
            lean_predict(model, window, l8)[:, 0], model.predict(window), rtol=1e-5
        )
        fns = {
            "raw": raw,
            "module1": lambda: own(x1, l1),
            "module8": lambda: own(x8, l8),
            "lean": lambda m=model: lean_predict(m, window, l8),
            "predict": lambda m=model: m.predict(window),
        }
        median, cpu = interleaved(fns, repeat=500)
        cells = [
            f"{median[k] / median['raw']:.2f} / {cpu[k] / cpu['raw']:.2f}" for k in fns
        ]
        print(
            f"  {hidden:>5} {median['raw'] * 1e6:>8.0f}us "
            + " ".join(f"{c:>12}" for c in cells[1:])
        )

    print(
        f"forecast {STEPS} steps from n seed windows, time per step, 64 units; ratios to a"
    )
    print("raw loop over the whole batch (medians, wall time / CPU time; goal <= 1.3):")
    for n_seeds in (1, 1000):
        seeds = X[:n_seeds]
        xs = torch.from_numpy(seeds.astype(np.float32)[:, :, None])
        fns = {
            "raw": lambda xs=xs: raw_rollout(ref, xs, STEPS),
            "raw8": lambda xs=xs: raw_rollout(ref, xs, STEPS, BLOCK),
            "forecast": lambda seeds=seeds: model.forecast(seeds, STEPS),
        }
        median, cpu = interleaved(fns, repeat=30 if n_seeds == 1 else 5)
        ratio = {
            k: f"{median[k] / median['raw']:.2f} / {cpu[k] / cpu['raw']:.2f}" for k in fns
        }
        print(
            f"  {n_seeds:>5} seeds: raw loop {median['raw'] / STEPS * 1e6:.0f}us/step; "
            f"raw loop on blocks of {BLOCK} {ratio['raw8']}; forecast {ratio['forecast']}"
        )


if __name__ == "__main__":
    main()

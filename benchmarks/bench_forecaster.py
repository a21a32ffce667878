"""Time RNNForecaster.fit against a minimal hand-written PyTorch loop.

Both train the same model (one LSTM layer of 64 units and a linear head) on the
same standardized sine windows (``scaling="global"``, no calibration copy),
with the same epochs, optimizer (Adam), learning rate and gradient clipping,
keeping the last epoch's weights (``weight_averaging=None``; the default's
averaging is timed beside, as a ratio to the fit without it), in the same
process, at batch sizes 32 (the default) and 128. The runs are interleaved
(reference, estimator, reference ...) so that load from other processes hits
both alike. Prints the ratio of the median times, in wall time and in CPU time
of the process (which leaves out the time the machine gave to other
processes; both train on one thread), goal <= 1.05 at batch 128.
One-window ``predict`` and ``forecast`` are timed in ``bench_inference.py``.

Then the price of interval calibration: on 12,000 sine windows (LSTM 64,
3 epochs, batch 128), the CPU seconds of the default fit (its
``calibration_fraction=0.2`` trains the network on the first 80% of the
windows, rolls it forward from the held-out ones, then trains on with all),
of the same fit with ``calibration_fraction=None`` (the network alone) and of
the hand-written loop over the same epochs; goal: the default within 1.25x of
the fit without calibration.

Run: ``python benchmarks/bench_forecaster.py``
"""

import time

import numpy as np
import torch
from torch import nn

from sklearn_seq import RNNForecaster, make_windows

HIDDEN, EPOCHS, LR, CLIP, LOOKBACK, REPEAT = 64, 20, 3e-3, 1.0, 40, 3


class Reference(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


def fit_reference(X, y, batch_size, epochs=EPOCHS):
    torch.manual_seed(0)
    Xs = torch.from_numpy(((X - X.mean()) / X.std()).astype(np.float32)[:, :, None])
    ys = torch.from_numpy(((y - y.mean()) / y.std()).astype(np.float32)[:, None])
    model = Reference()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(Xs, ys), batch_size=batch_size, shuffle=True
    )
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            opt.step()
    return model


def main():
    # the estimators train and predict with n_threads=1 by default: so does the reference
    torch.set_num_threads(1)
    X, y = make_windows(np.sin(0.1 * np.arange(2000)), lookback=LOOKBACK)
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    fit_reference(X[:200], y[:200], 32)  # warm up torch
    print(f"fit: {len(X)} windows x {EPOCHS} epochs, {REPEAT} interleaved runs each")
    for batch_size in (32, 128):
        params = dict(
            hidden_size=HIDDEN,
            max_epochs=EPOCHS,
            batch_size=batch_size,
            lr=LR,
            gradient_clip=CLIP,
            scaling="global",
            calibration_fraction=None,
            weight_averaging=None,  # the loop keeps its last weights
            random_state=0,
        )
        averaged = {**params, "weight_averaging": 0.5}  # the default
        wall = {"ref": [], "ours": [], "averaged": []}
        cpu = {"ref": [], "ours": [], "averaged": []}
        for _ in range(REPEAT):
            for name, fit in (
                ("ref", lambda b=batch_size: fit_reference(X, y, b)),
                ("ours", lambda p=params: RNNForecaster(**p).fit(X, y)),
                ("averaged", lambda p=averaged: RNNForecaster(**p).fit(X, y)),
            ):
                start, start_cpu = time.perf_counter(), time.process_time()
                fit()
                cpu[name].append(time.process_time() - start_cpu)
                wall[name].append(time.perf_counter() - start)
        t_ref, t_ours = np.median(wall["ref"]), np.median(wall["ours"])
        print(
            f"  batch {batch_size}: hand-written loop {t_ref:.2f} s, "
            f"RNNForecaster {t_ours:.2f} s, ratio {t_ours / t_ref:.3f} "
            f"(CPU time {np.median(cpu['ours']) / np.median(cpu['ref']):.3f}; "
            "goal <= 1.05 at batch 128)"
        )
        t_avg = np.median(wall["averaged"])
        print(
            f"    with weight_averaging=0.5 (the default) {t_avg:.2f} s, "
            f"{t_avg / t_ours:.3f} of the fit without it"
        )

    calibration_cost()


def calibration_cost(n_windows=12_000, epochs=3, batch_size=128):
    """CPU seconds of the default fit against the fit without calibration and
    the hand-written loop, medians of ``REPEAT`` interleaved runs."""
    X, y = make_windows(np.sin(0.1 * np.arange(n_windows + LOOKBACK)), lookback=LOOKBACK)
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    params = dict(max_epochs=epochs, batch_size=batch_size, random_state=0)
    runs = {
        "default": lambda: RNNForecaster(**params).fit(X, y),
        "no calibration": lambda: RNNForecaster(calibration_fraction=None, **params).fit(
            X, y
        ),
        "hand-written loop": lambda: fit_reference(X, y, batch_size, epochs),
    }
    cpu = {name: [] for name in runs}
    for _ in range(REPEAT):
        for name, fit in runs.items():
            start = time.process_time()
            fit()
            cpu[name].append(time.process_time() - start)
    t = {name: float(np.median(times)) for name, times in cpu.items()}
    print(
        f"calibration: {len(X)} windows x {epochs} epochs, batch {batch_size}, CPU s: "
        + ", ".join(f"{name} {value:.2f}" for name, value in t.items())
    )
    print(
        f"  default / no calibration {t['default'] / t['no calibration']:.2f} "
        f"(goal <= 1.25); default / hand-written loop "
        f"{t['default'] / t['hand-written loop']:.2f}"
    )


if __name__ == "__main__":
    main()

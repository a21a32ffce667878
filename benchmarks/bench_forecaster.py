"""Time RNNForecaster against a minimal hand-written PyTorch loop.

Both train the same model (one LSTM layer of 64 units and a linear head) on the
same standardized sine windows, with the same epochs, batch size, optimizer
(Adam), learning rate and gradient clipping, in the same process. Prints the
fit-time ratio (goal <= 1.15) and the one-window predict latency ratio against
the raw module's forward under ``torch.no_grad()`` (goal <= 5).

Run: ``python benchmarks/bench_forecaster.py``
"""

import numpy as np
import torch
from _timing import timed
from torch import nn

from sklearn_seq import RNNForecaster, make_windows

HIDDEN, EPOCHS, BATCH, LR, CLIP, LOOKBACK = 64, 20, 32, 3e-3, 1.0, 40


class Reference(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


def fit_reference(X, y):
    torch.manual_seed(0)
    Xs = torch.from_numpy(((X - X.mean()) / X.std()).astype(np.float32)[:, :, None])
    ys = torch.from_numpy(((y - y.mean()) / y.std()).astype(np.float32)[:, None])
    model = Reference()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(Xs, ys), batch_size=BATCH, shuffle=True
    )
    for _ in range(EPOCHS):
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
    params = dict(
        hidden_size=HIDDEN,
        max_epochs=EPOCHS,
        batch_size=BATCH,
        lr=LR,
        gradient_clip=CLIP,
        random_state=0,
    )
    fit_reference(X[:200], y[:200])  # warm up torch
    t_ref = timed(lambda: fit_reference(X, y), repeat=3)
    t_ours = timed(lambda: RNNForecaster(**params).fit(X, y), repeat=3)
    print(f"fit: {len(X)} windows x {EPOCHS} epochs")
    print(
        f"  hand-written loop {t_ref:.2f} s, RNNForecaster {t_ours:.2f} s, "
        f"ratio {t_ours / t_ref:.3f} (goal <= 1.15)"
    )

    model = RNNForecaster(**params).fit(X, y)
    module = fit_reference(X[:100], y[:100]).eval()
    window = X[:1]
    x_t = torch.from_numpy(window.astype(np.float32)[:, :, None])

    def raw():
        with torch.no_grad():
            module(x_t)

    n = 300
    t_raw = timed(raw, repeat=n)
    t_pred = timed(lambda: model.predict(window), repeat=n)
    print(f"predict one window of {LOOKBACK} steps (median of {n}):")
    print(
        f"  raw forward {t_raw * 1e6:.0f} us, RNNForecaster.predict {t_pred * 1e6:.0f} us, "
        f"ratio {t_pred / t_raw:.2f} (goal <= 5)"
    )


if __name__ == "__main__":
    main()

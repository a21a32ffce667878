"""Time SequenceClassifier.fit against a hand-written packed-sequence PyTorch loop.

Both train the same model on the same variable-length data (lengths 5..60,
3 channels): a bidirectional GRU of 64 units over packed batches, mean and max
pooling over each sequence's valid steps, a linear head, cross-entropy, Adam
with gradient-norm clipping and a cosine learning-rate schedule, the same
epochs and batch size. The reference pads each batch in its collate function,
as a hand-written loop usually does. Prints the ratio (goal <= 1.15).

Run: ``python benchmarks/bench_classifier.py``
"""

import numpy as np
import torch
from _timing import timed
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from sklearn_seq import SequenceClassifier

HIDDEN, EPOCHS, BATCH, LR, CLIP, N = 64, 5, 16, 1e-2, 1.0, 2000


def make_data(seed=0, n=N):
    """``n`` variable-length 3-channel sequences (5-60 steps) of two frequencies."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = []
    for label in y:
        t = np.arange(rng.integers(5, 61))
        phase = rng.uniform(0, 2 * np.pi)
        freq = 0.4 if label else 1.2
        X.append(
            np.stack(
                [
                    np.sin(freq * t + phase),
                    np.cos(freq * t + phase),
                    rng.normal(size=len(t)),
                ],
                axis=1,
            ).astype(np.float32)
        )
    return X, y


class Reference(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, HIDDEN, batch_first=True, bidirectional=True)
        self.head = nn.Linear(4 * HIDDEN, 2)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out, _ = pad_packed_sequence(out, batch_first=True)
        mask = (torch.arange(out.shape[1])[None, :] < lengths[:, None]).unsqueeze(-1)
        mean = (out * mask).sum(1) / lengths[:, None]
        peak = out.masked_fill(~mask, float("-inf")).amax(1)
        return self.head(torch.cat([mean, peak], 1))


def collate(batch):
    seqs, labels = zip(*batch, strict=True)
    lengths = torch.tensor([len(s) for s in seqs])
    return pad_sequence(list(seqs), batch_first=True), lengths, torch.stack(labels)


def fit_reference(X, y):
    torch.manual_seed(0)
    data = list(zip([torch.from_numpy(x) for x in X], torch.from_numpy(y), strict=True))
    loader = torch.utils.data.DataLoader(
        data, batch_size=BATCH, shuffle=True, collate_fn=collate
    )
    model = Reference()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(EPOCHS):
        for xb, lengths, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb, lengths), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            opt.step()
        schedule.step()
    return model


def main():
    # the estimators train and predict with n_threads=1 by default: so does the reference
    torch.set_num_threads(1)
    X, y = make_data()
    params = dict(
        hidden_size=HIDDEN,
        max_epochs=EPOCHS,
        batch_size=BATCH,
        lr=LR,
        gradient_clip=CLIP,
        front_end=None,  # the reference reads the raw steps
        random_state=0,
    )
    fit_reference(X[:100], y[:100])  # warm up torch
    t_ref = timed(lambda: fit_reference(X, y))
    t_ours = timed(lambda: SequenceClassifier(**params).fit(X, y))
    print(f"fit: {N} sequences of 5..60 steps x 3 channels, {EPOCHS} epochs, batch {BATCH}")
    print(
        f"  hand-written packed loop {t_ref:.2f} s, SequenceClassifier {t_ours:.2f} s, "
        f"ratio {t_ours / t_ref:.3f} (goal <= 1.15)"
    )


if __name__ == "__main__":
    main()

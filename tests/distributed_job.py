"""Scenarios of ``distributed="join"``, run by each rank of a launcher.

``tests/test_distributed.py`` starts this script with two CPU processes
(``python -m torch.distributed.run --nproc_per_node 2 distributed_job.py OUT``),
as a user's torchrun job would, and compares what every rank writes to
``OUT/rank<r>.pkl`` with fits in one process. Many scenarios share one launch:
a launch costs seconds.
"""

import contextlib
import io
import os
import pickle
import sys

import numpy as np
import torch.distributed as dist
from skorch.callbacks import Callback, EarlyStopping, EpochScoring

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceEncoder,
    SequenceGenerator,
    Word2VecTransformer,
    make_windows,
    save,
)

FAST = {"hidden_size": 8, "max_epochs": 3, "batch_size": 8, "random_state": 0}
EXACT = {**FAST, "front_end": None, "dropout": 0.0}  # nothing that differs per rank


def weighted(n):
    """Distinct sample weights: each names its sample in a recorded batch."""
    return 1.0 + np.arange(n) / 64.0


class SeenSamples(Callback):
    """Record the sample weights of each training batch, per epoch."""

    def on_epoch_begin(self, net, **kwargs):
        self.seen_ = [*getattr(self, "seen_", []), []]

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.seen_[-1] += batch[0]["sample_weight"].tolist()


class RankLoss(Callback):
    """A figure of this rank's own: rises from epoch 2 on rank 1, from 6 on rank 0."""

    def __init__(self, rank=0):
        self.rank = rank

    def on_epoch_end(self, net, **kwargs):
        turn = 2 if self.rank == 1 else 6
        net.history.record("rank_loss", abs(len(net.history) - turn))


train_acc = EpochScoring("accuracy", on_train=True, name="train_acc")


def seen(est):
    return [cb for name, cb in est.net_.callbacks_ if name.startswith("user")][0].seen_


def classifier_data(seed=0, n=37):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 24)).astype(np.float32)
    return X, (X[:, :6].sum(1) > 0).astype(int)


def ragged_data(n=37):
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(rng.integers(5, 30), 2)).astype(np.float32) for _ in range(n)]
    return X, np.array([int(x[:, 0].mean() > 0) for x in X])


def documents():
    from gensim.test.utils import common_texts

    docs = [" ".join(t) for t in common_texts * 5][:41]
    return docs, np.array([int("system" in d) for d in docs])


def series_windows():
    t = np.arange(160, dtype=np.float32)
    return make_windows(np.sin(t / 5) + t / 100, 12)


def scenarios(rank, distributed="join"):
    """What rank ``rank`` fits and predicts; ``distributed=1``: the same in one
    process (the reference), without the scenarios only a group has."""
    out = {}
    X, y = classifier_data()
    w = weighted(len(y))
    clf = SequenceClassifier(distributed=distributed, **EXACT).fit(X, y, sample_weight=w)
    out["exact"] = clf.predict_proba(X)
    out["exact_history"] = clf.net_.history[:, "train_loss"]

    stop = {**EXACT, "max_epochs": 60, "early_stopping": True, "patience": 2, "lr": 0.05}
    out["early_epochs"] = (
        SequenceClassifier(distributed=distributed, **stop).fit(X, y).n_epochs_
    )

    Xr, yr = ragged_data()
    ragged = SequenceClassifier(distributed=distributed, callbacks=[SeenSamples()], **EXACT)
    out["seen_ragged"] = seen(ragged.fit(Xr, yr, sample_weight=weighted(len(yr))))
    out["ragged"] = ragged.predict_proba(Xr)

    docs, yd = documents()
    words = Word2VecTransformer(
        vector_size=8, min_count=1, output="ids", random_state=0, workers=1
    ).fit(docs)
    ids = words.transform(docs)
    reader = SequenceClassifier(distributed=distributed, callbacks=[SeenSamples()], **EXACT)
    out["seen_ids"] = seen(reader.fit(ids, yd, sample_weight=weighted(len(yd))))
    out["ids"] = reader.predict_proba(ids)

    Xw, yw = series_windows()
    fc = RNNForecaster(distributed=distributed, callbacks=[SeenSamples()], **EXACT)
    out["seen_windows"] = seen(fc.fit(Xw, yw, sample_weight=weighted(len(yw))))
    out["forecast"] = fc.predict(Xw)
    out["interval"] = fc.predict_interval(Xw[:5], coverage=0.8)

    t = np.arange(160, dtype=np.float32)
    Xc, yc = make_windows(np.sin(t / 5), 12, future_covariates=np.cos(t / 3))
    fcov = RNNForecaster(distributed=distributed, n_future_covariates=1, **EXACT)
    out["covariates"] = fcov.fit(Xc, yc).predict(Xc)

    batch = {**EXACT, "normalization": "batch"}
    out["batch_norm"] = (
        SequenceClassifier(distributed=distributed, **batch).fit(X, y).predict_proba(X)
    )
    out["defaults"] = (
        SequenceClassifier(distributed=distributed, **FAST).fit(X, y).predict_proba(X)
    )

    warm = SequenceClassifier(distributed=distributed, warm_start=True, **EXACT).fit(X, y)
    out["warm"] = warm.set_params(max_epochs=2).fit(X, y).predict_proba(X)
    out["warm_epochs"] = warm.n_epochs_

    gen = SequenceGenerator(distributed=distributed, **EXACT)
    out["generator"] = gen.fit(Xw[:-3], Xw[3:, -3:]).predict(Xw[:4])
    enc = SequenceEncoder(distributed=distributed, objective="reconstruct", **EXACT).fit(X)
    out["encoder"] = enc.transform(X)

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        SequenceClassifier(distributed=distributed, verbose=1, **FAST).fit(X, y)
    out["printed"] = buffer.getvalue()

    if distributed != "join":
        return out
    own = EarlyStopping(monitor="rank_loss", patience=1, lower_is_better=True)
    stopped = SequenceClassifier(
        distributed="join", callbacks=[RankLoss(rank), own], **{**EXACT, "max_epochs": 40}
    )
    out["user_stop_epochs"] = stopped.fit(X, y).n_epochs_  # rank 1 stops first
    for name, refused in [
        ("contrastive", SequenceEncoder(objective="contrastive")),
        ("train_scores", SequenceClassifier(callbacks=[train_acc])),
    ]:
        try:
            refused.set_params(distributed="join", **FAST).fit(X, y)
        except ValueError as exc:
            out[name] = str(exc)
    save(clf, os.path.join(sys.argv[1], f"model-from-rank{rank}.safetensors"))
    Xo, yo = classifier_data(seed=rank)  # each rank with other data: refused alike
    try:
        SequenceClassifier(distributed="join", **FAST).fit(Xo, yo)
    except ValueError as exc:
        out["other_data"] = str(exc)
    return out


if __name__ == "__main__":
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    result = scenarios(rank)
    with open(os.path.join(sys.argv[1], f"rank{rank}.pkl"), "wb") as file:
        pickle.dump(result, file)
    dist.destroy_process_group()

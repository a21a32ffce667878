"""One model trained by several processes (``distributed``): the shards, a
torchrun job of many scenarios, the launched fit, its failures, and Dask
prediction. Each launch costs seconds, so the scenarios share launches."""

import multiprocessing
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
from numpy.testing import assert_allclose, assert_array_equal
from skorch.callbacks import Callback
from torch.utils.data import BatchSampler, SequentialSampler

from sklearn_seq import SequenceClassifier, load
from sklearn_seq._data_parallel import RankShards, reduce_gradients
from sklearn_seq._distributed import Ranks
from sklearn_seq._training import BudgetBatches, LengthBuckets

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from distributed_job import EXACT, FAST, classifier_data, scenarios, weighted  # noqa: E402

pytestmark = pytest.mark.skipif(not dist.is_available(), reason="no torch.distributed")


# --- shards: each sample once per epoch, alike on every rank ---------------------------


def epochs_of(make_batches, world, n_epochs=3, seed=7):
    """Each rank's shards for ``n_epochs``, drawn as in a fit (a rank's own draws
    between batches must not change the global batches)."""
    out = []
    for rank in range(world):
        shards = RankShards(make_batches(), Ranks(rank, world), seed)
        per_rank = []
        for _ in range(n_epochs):
            epoch = []
            for shard in shards:
                torch.rand(rank + 3)  # dropout and crops draw differently per rank
                epoch.append(shard)
            per_rank.append(epoch)
        out.append(per_rank)
    return out


LENGTHS = np.random.default_rng(0).integers(3, 90, 53)  # ragged, and word-id-like


@pytest.mark.parametrize("world", [2, 3])
@pytest.mark.parametrize(
    "make_batches",
    [
        # shuffled batches split to a padding budget (numeric, windowed input)
        lambda: BudgetBatches(
            BatchSampler(torch.utils.data.RandomSampler(range(53)), 8, False), LENGTHS, 200
        ),
        lambda: LengthBuckets(LENGTHS, 8),  # documents of word ids
    ],
    ids=["budget", "buckets"],
)
def test_each_sample_is_read_once_per_epoch_by_one_rank(make_batches, world):
    ranks = epochs_of(make_batches, world)
    for epoch in range(3):
        steps = {len(ranks[r][epoch]) for r in range(world)}
        assert len(steps) == 1, "every rank takes the same number of steps"
        seen = sorted(i for r in range(world) for shard in ranks[r][epoch] for i in shard)
        assert seen == list(range(53)), "53 is no multiple of world x batch: none lost"
    assert ranks[0][0] != ranks[0][1], "each epoch shuffles anew"
    assert epochs_of(make_batches, world) == ranks, "the same seed draws the same"


def test_an_uneven_last_batch_leaves_a_rank_an_empty_step_not_a_repeat():
    batches = lambda: BatchSampler(SequentialSampler(range(5)), 4, False)  # noqa: E731
    ranks = epochs_of(batches, 3, n_epochs=1)
    assert [ranks[r][0] for r in range(3)] == [[[0, 1], [4]], [[2], []], [[3], []]]


def test_summed_gradients_give_every_rank_the_one_process_step():
    layer = torch.nn.Linear(3, 2)
    params = list(layer.parameters())
    layer(torch.ones(4, 3)).sum().backward()
    grads = [p.grad.clone() for p in params]
    loss = reduce_gradients(params, torch.tensor(2.5), Ranks(0, 1))
    assert float(loss) == 2.5
    assert all(torch.equal(p.grad, g) for p, g in zip(params, grads, strict=True))


# --- a torchrun job: every rank, every family ---------------------------------------


def run_job(tmp_path, script="distributed_job.py", nproc=2, timeout=300):
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node", str(nproc), str(HERE / script), str(tmp_path)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), *sys.path])}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


# torch 2.13's gloo teardown, rarely, aborts a rank after every rank has written
# its results ("terminate called without an active exception", SIGABRT in
# destroy_process_group or at interpreter exit): seen three times over the
# project's test runs (once in a clean-clone CI run), 0 times in 51 runs of the
# job alone. Such a job is run again, once; every other failure fails.
TEARDOWN_ABORT = "terminate called without an active exception"


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    out = tmp_path_factory.mktemp("job")
    done = run_job(out)
    written = all((out / f"rank{r}.pkl").exists() for r in range(2))
    if done.returncode != 0 and written and TEARDOWN_ABORT in done.stderr:
        out = tmp_path_factory.mktemp("job")
        done = run_job(out)
    assert done.returncode == 0, done.stderr[-3000:]
    ranks = [pickle.loads((out / f"rank{r}.pkl").read_bytes()) for r in range(2)]
    return out, ranks, scenarios(0, distributed=1)  # and the same in one process


NEAR = 1e-5  # float32 rounding: sums over two shards added in another order


def test_every_rank_ends_with_the_same_model(job):
    _, (rank0, rank1), _ = job
    for key, value in rank0.items():
        if key not in ("printed", "other_data") and not key.startswith("seen"):
            assert_array_equal(value, rank1[key], err_msg=key)


@pytest.mark.parametrize(
    "key",
    [
        *("exact", "ragged", "ids", "forecast", "interval", "covariates"),
        *("warm", "generator", "encoder"),
    ],
)
def test_two_ranks_train_the_one_process_model(job, key):
    """Without dropout or batch normalization (which differ per rank), two ranks
    take the steps one process takes on the same global batches: weighted
    losses, word ids, ragged and windowed input, covariates, intervals (their
    calibration trains a second network on the ranks), a warm start."""
    _, (rank0, _), alone = job
    assert_allclose(rank0[key], alone[key], atol=NEAR, rtol=NEAR)


def test_per_rank_statistics_and_dropout_stay_close(job):
    """Batch norm reads each rank's share, dropout draws per rank: close, not equal."""
    _, (rank0, _), alone = job
    assert 0 < np.abs(rank0["batch_norm"] - alone["batch_norm"]).max() < 0.05
    assert np.abs(rank0["defaults"] - alone["defaults"]).mean() < 0.05


def test_history_and_early_stopping_decide_alike(job):
    _, (rank0, rank1), alone = job
    assert_allclose(rank0["exact_history"], alone["exact_history"], rtol=NEAR)
    assert rank0["early_epochs"] == rank1["early_epochs"] == alone["early_epochs"] < 60
    assert rank0["warm_epochs"] == alone["warm_epochs"] == 5


@pytest.mark.parametrize("key", ["seen_ragged", "seen_ids", "seen_windows"])
def test_the_ranks_together_read_each_sample_once_per_epoch(job, key):
    _, (rank0, rank1), alone = job
    for mine, theirs, whole in zip(rank0[key], rank1[key], alone[key], strict=True):
        assert sorted(mine + theirs) == sorted(whole) == sorted(set(whole))
        assert abs(len(mine) - len(theirs)) <= 8  # a batch's worth at most


def test_only_rank_0_prints_and_writes(job):
    out, (rank0, rank1), alone = job
    assert "train_loss" in rank0["printed"] and rank1["printed"] == ""
    assert (out / "model-from-rank0.safetensors").exists()
    assert not (out / "model-from-rank1.safetensors").exists()
    X, _ = classifier_data()
    saved = load(out / "model-from-rank0.safetensors")
    assert_allclose(saved.predict_proba(X), rank0["exact"], rtol=1e-6)


def test_a_users_stop_on_one_rank_stops_every_rank(job):
    """A callback that reads a figure of its rank's own and stops training there
    stops every rank at once (no rank waits for one that left)."""
    _, (rank0, rank1), _ = job
    assert rank0["user_stop_epochs"] == rank1["user_stop_epochs"] == 3


def test_what_a_share_cannot_stand_for_the_batch_is_refused(job):
    _, (rank0, rank1), _ = job
    assert "compares each sequence with the others" in rank0["contrastive"]
    assert "scores the training predictions" in rank1["train_scores"]


def test_ranks_given_other_data_are_refused_alike(job):
    _, (rank0, rank1), _ = job
    assert "different training data" in rank0["other_data"]
    assert rank0["other_data"] == rank1["other_data"]


# --- distributed=N from this process -----------------------------------------------------


class FailOnRank1(Callback):
    def on_epoch_end(self, net, **kwargs):
        if dist.is_initialized() and dist.get_rank() == 1 and len(net.history) == 2:
            raise ValueError("rank 1 gives up at epoch 2")


def launcher_dirs():
    import tempfile

    return set(Path(tempfile.gettempdir()).glob("torchelastic_*"))


@pytest.fixture(scope="module")
def launched():
    X, y = classifier_data()
    w = weighted(len(y))
    before = launcher_dirs()
    clf = SequenceClassifier(distributed=2, **EXACT).fit(X, y, sample_weight=w)
    assert launcher_dirs() <= before, "the launcher's log directories are removed"
    return X, y, w, clf


def test_a_launched_fit_returns_an_ordinary_estimator(launched, job):
    X, y, w, clf = launched
    _, (rank0, _), alone = job
    assert_allclose(clf.predict_proba(X), alone["exact"], atol=NEAR, rtol=NEAR)
    assert_array_equal(clf.predict_proba(X), rank0["exact"])  # the torchrun job's model
    again = pickle.loads(pickle.dumps(clf))
    assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert clf.get_params()["distributed"] == 2 and clf.n_epochs_ == 3


def test_a_failing_rank_raises_here_and_leaves_the_model_and_no_process(launched):
    X, y, w, clf = launched
    before = clf.predict_proba(X)
    clf.set_params(callbacks=[FailOnRank1()], max_epochs=5)
    with pytest.raises(ValueError, match="rank 1 gives up at epoch 2") as info:
        clf.fit(X, y)
    assert any("rank 1" in note for note in getattr(info.value, "__notes__", []))
    assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_epochs_ == 3
    assert multiprocessing.active_children() == []
    clf.set_params(callbacks=None, max_epochs=3)


def test_a_script_without_a_main_guard_gets_a_clear_error(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            from sklearn_seq import SequenceClassifier
            X = np.random.default_rng(0).normal(size=(20, 8))
            SequenceClassifier(distributed=2, max_epochs=1).fit(X, np.arange(20) % 2)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), *sys.path])}
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr


# --- the parameter ---------------------------------------------------------------------


def test_bad_values_name_the_problem():
    X, y = classifier_data()
    with pytest.raises(ValueError, match="distributed"):
        SequenceClassifier(distributed=0).fit(X, y)
    with pytest.raises(ValueError, match="torchrun"):
        SequenceClassifier(distributed="join").fit(X, y)
    with pytest.raises(ValueError, match="cores"):
        SequenceClassifier(distributed=4096 // 4).fit(X, y)


def test_a_group_already_running_takes_join_not_new_workers():
    X, y = classifier_data()
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        with pytest.raises(ValueError, match="distributed='join'"):
            SequenceClassifier(distributed=2, **FAST).fit(X, y)
        joined = SequenceClassifier(distributed="join", **EXACT).fit(X, y)
        alone = SequenceClassifier(distributed=1, **EXACT).fit(X, y)
        assert_array_equal(joined.predict_proba(X), alone.predict_proba(X))
    finally:
        dist.destroy_process_group()


def test_none_in_a_group_saves_and_prints_on_every_rank(tmp_path, capsys):
    """Within a process group, a model trained with distributed=None (say, one
    per rank of a sweep) is this rank's own: it prints and is saved here."""
    X, y = classifier_data()
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        own = SequenceClassifier(verbose=1, **FAST).fit(X, y)
        assert "train_loss" in capsys.readouterr().out
        from sklearn_seq import save

        save(own, tmp_path / "own.safetensors")
        assert (tmp_path / "own.safetensors").exists()
    finally:
        dist.destroy_process_group()


def test_a_fit_in_another_thread_does_not_take_the_ranks_of_this_one():
    import threading

    from sklearn_seq import _distributed

    X, y = classifier_data()
    before = SequenceClassifier(**FAST).fit(X, y).predict_proba(X)
    started = threading.Event()

    class Slow(Callback):
        def on_epoch_begin(self, net, **kwargs):
            started.set()

    other = threading.Thread(
        target=lambda: SequenceClassifier(
            distributed=1, callbacks=[Slow()], **{**FAST, "max_epochs": 30}
        ).fit(X, y)
    )
    other.start()
    started.wait(60)
    during = SequenceClassifier(**FAST).fit(X, y).predict_proba(X)
    other.join()
    assert _distributed.current() is None
    assert_array_equal(during, before)
    assert_array_equal(SequenceClassifier(**FAST).fit(X, y).predict_proba(X), before)


def test_one_process_is_repeatable_and_none_is_unchanged():
    X, y = classifier_data()
    one = [SequenceClassifier(distributed=1, **FAST).fit(X, y) for _ in "ab"]
    one = [clf.predict_proba(X) for clf in one]
    assert_array_equal(*one)
    plain = SequenceClassifier(**FAST).fit(X, y).predict_proba(X)
    assert not np.array_equal(plain, one[0])  # another batch order


# --- prediction over data larger than memory ---------------------------------------


def test_dask_blocks_predict_as_in_memory(launched):
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    X, _, _, clf = launched
    big = np.concatenate([X] * 4)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        model = client.scatter(clf, broadcast=True)
        blocks = da.from_array(big, chunks=(37, -1))
        proba = blocks.map_blocks(
            lambda block, model: model.predict_proba(block),
            model,
            chunks=(37, 2),
            dtype=float,
        )
        assert_array_equal(proba.compute(), clf.predict_proba(big))

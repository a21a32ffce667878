import json
import re

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from skorch.callbacks import Callback
from threadpoolctl import threadpool_info

from sklearn_seq import RNNForecaster, SequenceClassifier, load, save
from sklearn_seq._runtime import MAX_THREADS, available_cores, limit_threads
from sklearn_seq.persistence import UnsafeModelFileError


@pytest.fixture
def two_threads():
    """Start each test from two torch threads, whatever this machine has."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def blas_threads():
    return {lib["filepath"]: lib["num_threads"] for lib in threadpool_info()}


def test_limits_torch_and_blas_then_restores(two_threads):
    before = blas_threads()
    with limit_threads(1):
        assert torch.get_num_threads() == 1
        assert set(blas_threads().values()) <= {1}
    assert torch.get_num_threads() == 2
    assert blas_threads() == before


def test_restores_when_the_block_raises(two_threads):
    with pytest.raises(RuntimeError, match="boom"), limit_threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 2


def test_nested_blocks_restore_the_outer_limit(two_threads):
    with limit_threads(1):
        with limit_threads(2):
            assert torch.get_num_threads() == min(2, available_cores())
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


def test_none_changes_nothing(two_threads):
    with limit_threads(None):
        assert torch.get_num_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, 1.5, "1", True])
def test_rejects_what_is_not_a_thread_count(two_threads, bad):
    with pytest.raises(ValueError, match="integer >= 1"), limit_threads(bad):
        pass
    assert torch.get_num_threads() == 2


def mkl_threads():
    """oneMKL's thread count inside torch (None for a build without oneMKL)."""
    found = re.search(r"mkl_get_max_threads\(\) : (\d+)", torch.__config__.parallel_info())
    return None if found is None else int(found.group(1))


SEEN = []  # (torch, OpenMP, oneMKL) thread counts at each epoch, from every copy


class ThreadCounts(Callback):
    """Records torch's, OpenMP's and oneMKL's thread counts at each epoch."""

    def on_epoch_begin(self, net, **kwargs):
        info = torch.__config__.parallel_info()
        omp = re.search(r"omp_get_max_threads\(\) : (\d+)", info)
        SEEN.append((torch.get_num_threads(), omp and int(omp.group(1)), mkl_threads()))


@pytest.mark.skipif(mkl_threads() is None, reason="this torch build has no oneMKL")
def test_one_thread_is_one_thread_after_predict_and_set_num_threads(two_threads):
    """A predict's exit, or the caller, sets oneMKL's count; the next fit with
    n_threads=1 still runs oneMKL, OpenMP and torch on one thread."""
    X = np.random.default_rng(0).normal(size=(40, 6))
    y = ["a", "b"] * 20
    model = SequenceClassifier(hidden_size=4, max_epochs=2, callbacks=[ThreadCounts()])
    model.fit(X, y)
    model.predict(X)
    SEEN.clear()
    model.fit(X, y)  # after a predict
    assert SEEN and set(SEEN) == {(1, 1, 1)}
    SEEN.clear()
    torch.set_num_threads(2)
    assert mkl_threads() == 2
    model.fit(X, y)  # after the caller set two threads
    assert SEEN and set(SEEN) == {(1, 1, 1)}
    assert torch.get_num_threads() == 2  # the caller's setting, back after the fit


def test_more_threads_than_the_cap_are_refused(two_threads, tmp_path):
    X = np.random.default_rng(0).normal(size=(20, 5))
    y = X.sum(axis=1)
    with pytest.raises(ValueError, match="n_threads"):
        RNNForecaster(n_threads=MAX_THREADS + 1, max_epochs=1).fit(X, y)
    model = RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    model.set_params(n_threads=100_000)
    with pytest.raises(ValueError, match="more threads than the 1024 allowed"):
        model.predict(X)
    model.set_params(n_threads=1)
    path = tmp_path / "model.safetensors"
    save(model, path)
    with safe_open(str(path), framework="numpy") as f:
        document = json.loads(f.metadata()["sklearn_seq"])
    document["model"]["params"]["n_threads"] = 100_000
    save_file(
        load_file(str(path)), str(path), metadata={"sklearn_seq": json.dumps(document)}
    )
    with pytest.raises(UnsafeModelFileError, match="n_threads"):
        load(path)


def test_more_threads_than_cores_are_lowered_to_the_cores(two_threads):
    with limit_threads(available_cores() + 3):
        assert torch.get_num_threads() == available_cores()
    assert torch.get_num_threads() == 2

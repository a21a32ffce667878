import pytest
import torch
from threadpoolctl import threadpool_info

from sklearn_seq._threads import limit_threads


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
        with limit_threads(3):
            assert torch.get_num_threads() == 3
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

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from sklearn_seq._inference import BLOCK, iter_batches
from sklearn_seq._training import RandomCrops
from sklearn_seq._validation import check_sequences, check_target


def test_2d_is_univariate_fixed_length():
    seqs = check_sequences(np.arange(12.0).reshape(3, 4))
    assert seqs.kind == "2d"
    assert seqs.values.shape == (3, 4, 1)
    assert seqs.values.dtype == np.float32
    np.testing.assert_array_equal(seqs.lengths, [4, 4, 4])


def test_3d_keeps_channels_last():
    X = np.random.default_rng(0).normal(size=(5, 7, 3))
    seqs = check_sequences(X)
    assert seqs.kind == "3d" and seqs.n_channels == 3
    np.testing.assert_allclose(seqs.values, X.astype(np.float32))


def test_list_of_variable_length_sequences_is_padded():
    X = [np.ones((2, 3)), 2 * np.ones((5, 3)), np.ones((1, 3))]
    seqs = check_sequences(X)
    assert seqs.kind == "list"
    assert seqs.values.shape == (3, 5, 3)
    np.testing.assert_array_equal(seqs.lengths, [2, 5, 1])
    assert (seqs.values[0, 2:] == 0).all()
    assert seqs.mask().sum() == 8


def test_list_of_1d_sequences_has_one_channel():
    seqs = check_sequences([[1.0, 2.0], [3.0]])
    assert seqs.values.shape == (2, 2, 1)


def test_rectangular_nested_lists_read_as_an_array():
    assert check_sequences([[1.0, 2.0], [3.0, 4.0]]).kind == "2d"
    assert check_sequences([[[1.0], [2.0]]]).kind == "3d"
    assert check_sequences([np.ones(2), np.ones(2)]).kind == "list"


def test_pandas_dataframe_reads_as_2d():
    df = pd.DataFrame(np.arange(6.0).reshape(2, 3))
    assert check_sequences(df).values.shape == (2, 3, 1)


def test_take_trims_to_batch_length():
    seqs = check_sequences([np.ones(2), np.ones(9), np.ones(3)])
    part = seqs.take([0, 2])
    assert part.values.shape == (2, 3, 1)


def test_iter_batches_gives_fixed_blocks_of_one_length_on_the_cpu():
    lengths = [2, 3, 9, 3, 2, 3, 3, 3, 3, 3, 3, 3]
    seqs = check_sequences([np.full(n, float(i + 1)) for i, n in enumerate(lengths)])
    blocks = list(iter_batches(seqs, batch_size=4))
    assert all(tuple(v.shape)[0] == BLOCK for v, _, _ in blocks)
    seen = []
    for values, block_lengths, index in blocks:
        width = values.shape[1]
        assert (block_lengths == width).all()  # one length per block: no packing
        assert all(lengths[i] == width for i in index)
        assert values[len(index) :].abs().sum() == 0  # filler rows after the real ones
        assert values[: len(index), 0, 0].tolist() == [i + 1.0 for i in index]
        seen.extend(index.tolist())
    assert sorted(seen) == list(range(len(lengths)))


def test_vectors_are_sequences_of_one_step():
    seqs = check_sequences(np.arange(6.0).reshape(2, 3), vectors=True)
    assert seqs.kind == "vectors" and seqs.values.shape == (2, 1, 3)
    assert seqs.lengths.tolist() == [1, 1] and seqs.n_features == 3
    assert check_sequences(np.zeros((2, 4, 3)), vectors=True).kind == "3d"


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((0, 5)), "empty"),
        ([], "empty"),
        (np.zeros((2, 3, 4, 5)), "4 dimensions"),
        (np.zeros(5), "1-D array"),
        (np.array([["a", "b"], ["c", "d"]]), "strings"),
        ([np.ones(3), np.array([])], r"X\[1\] is a sequence of length 0"),
        ([np.ones(3), np.ones((3, 1))], "mixes 1-D"),
        ([np.ones((3, 2)), np.ones((3, 3))], r"X\[1\] has 3 channels"),
        ([np.ones(3), np.array([1.0, np.nan])], r"X\[1\] contains NaN"),
        ([1.0, 2.0], "1-D array"),
        ([np.ones(2), 3.0], "scalar"),
        (np.ones((2, 3)) + 1j, "Complex"),
    ],
)
def test_bad_input_is_named(X, match):
    with pytest.raises(ValueError, match=match):
        check_sequences(X)


def test_nan_error_names_the_sample():
    X = np.zeros((6, 4))
    X[3, 2] = np.inf
    with pytest.raises(ValueError, match="sample 3"):
        check_sequences(X)


def test_sparse_is_refused():
    with pytest.raises(TypeError, match="Sparse"):
        check_sequences(sparse.csr_matrix(np.ones((2, 3))))


def test_target_checks():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        check_target(np.ones(3), 4, "Est")
    with pytest.raises(ValueError, match="requires y to be passed"):
        check_target(None, 4, "Est")
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_target(np.array([1.0, np.nan]), 2, "Est")
    assert check_target(pd.Series([1, 2]), 2, "Est").dtype == np.float64


def test_pandas_series_of_arrays_is_a_list_of_sequences():
    rows = [np.arange(3.0), np.arange(5.0), np.arange(4.0)]
    seqs = check_sequences(pd.Series(rows, index=[10, 20, 30]))
    assert seqs.kind == "list" and seqs.lengths.tolist() == [3, 5, 4]
    assert seqs.values[1, :5, 0].tolist() == rows[1].tolist()


def test_long_format_frame_is_refused_with_the_conversion_to_use():
    long = pd.DataFrame({"series_id": [1, 1, 2, 2], "time": [0, 1, 0, 1], "value": 1.0})
    with pytest.raises(ValueError, match=r"from_long_format\(X, id_col='series_id'"):
        check_sequences(long)
    wide = pd.DataFrame(np.ones((2, 3)), columns=["t0", "t1", "t2"])
    assert check_sequences(wide).values.shape == (2, 3, 1)


def test_sequences_of_one_length_skip_the_mask_without_changing_a_bit(monkeypatch):
    # windows of one length skip the padding mask (frames, standardization) and
    # the grouping by length (inference blocks); the masked path must agree bit for bit
    from sklearn_seq._scaling import FRAMES, WindowFrame, standardize
    from sklearn_seq._sequences import Sequences

    rng = np.random.default_rng(0)
    seqs = check_sequences(rng.normal(size=(11, 7, 2)) * 10 + 3)
    assert not seqs.padded()
    assert check_sequences([np.ones(2), np.ones(3)]).padded()

    def everything():
        out = []
        for kind in FRAMES:
            frame = WindowFrame.of(seqs, kind)
            out += [frame.offset, frame.scale, frame.inputs(seqs).values]
        out.append(standardize(seqs, np.array([1.0, -2.0]), np.array([3.0, 0.5])).values)
        for values, lengths, index in iter_batches(seqs, batch_size=4):
            out += [values.numpy(), lengths.numpy(), index]
        return out

    fast = everything()
    monkeypatch.setattr(Sequences, "padded", lambda self: True)  # force the mask
    for a, b in zip(fast, everything(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_random_crops_keep_a_run_of_each_sequence():
    torch = pytest.importorskip("torch")
    lengths = torch.tensor([10, 6, 1, 10])
    values = torch.zeros(4, 10, 2)
    for i, n in enumerate(lengths.tolist()):  # step t of sequence i holds 100 i + t + 1
        values[i, :n, 0] = 100 * i + torch.arange(1, n + 1)
        values[i, :n, 1] = -values[i, :n, 0]
    X = {"values": values, "lengths": lengths, "sample_weight": torch.ones(4)}
    y = torch.arange(4)
    torch.manual_seed(0)
    shares = set()
    for _ in range(50):
        (out, out_y) = RandomCrops(0.5)((X, y))
        assert out["sample_weight"] is X["sample_weight"] and out_y is y
        kept = out["lengths"]
        assert out["values"].shape == (4, int(kept.max()), 2)
        for i, n in enumerate(lengths.tolist()):
            k = int(kept[i])
            assert -(-n // 2) <= k <= n  # at least half, at most all
            run = out["values"][i, :k, 0]
            first = int(run[0]) - 100 * i  # a consecutive run inside the sequence
            assert torch.equal(run, 100 * i + torch.arange(first, first + k).float())
            assert 1 <= first and first + k - 1 <= n
            assert torch.equal(out["values"][i, :k, 1], -run)
            assert not out["values"][i, k:].any()  # zero after the crop
        assert kept[0] == kept[3]  # one share per batch: equal lengths stay equal
        shares.add(int(kept[0]))
    assert len(shares) > 3  # the share is drawn anew for each batch
    torch.manual_seed(0)
    again = RandomCrops(0.5)((X, y))[0]["values"]
    torch.manual_seed(0)
    assert torch.equal(RandomCrops(0.5)((X, y))[0]["values"], again)


@pytest.mark.parametrize("ragged", [True, False])
def test_fixed_crops_cut_each_long_sequence_where_asked(ragged):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(n, 2)) for n in ((300, 200, 50) if ragged else (300, 300))]
    seqs = check_sequences(arrays if ragged else np.stack(arrays))
    for share, where in ((0.8, 0), (0.8, 0.5), (0.9, 1)):
        crops = seqs.crop(share, where, longer_than=128)
        for i, x in enumerate(arrays):
            n = len(x)
            k = math.ceil(share * n) if n > 128 else n
            start = int((n - k) * where)
            assert crops.lengths[i] == k
            row = crops.values[[i]][0]  # padded to its own length
            np.testing.assert_array_equal(row[:k], x[start : start + k].astype(np.float32))
            assert not row[k:].any()
    whole = seqs.crop(0.5, 0.5, longer_than=300)  # nothing longer: every sequence whole
    np.testing.assert_array_equal(whole.lengths, seqs.lengths)
    np.testing.assert_array_equal(np.asarray(whole.values), np.asarray(seqs.values))


def test_random_crops_leave_short_sequences_whole_and_draw_nothing_for_them():
    torch = pytest.importorskip("torch")
    values = torch.arange(2 * 12, dtype=torch.float32).reshape(2, 12, 1)
    X, y = {"values": values, "lengths": torch.tensor([12, 5])}, torch.arange(2)
    torch.manual_seed(0)
    out = RandomCrops(0.5, longer_than=5)((X, y))[0]
    assert out["lengths"][1] == 5 and torch.equal(out["values"][1, :5], values[1, :5])
    assert 6 <= out["lengths"][0] <= 12
    short = {"values": values[:, :5], "lengths": torch.tensor([5, 5])}
    state = torch.get_rng_state()
    assert RandomCrops(0.5, longer_than=5)((short, y))[0] is short
    assert torch.equal(torch.get_rng_state(), state)  # no draw: training as without

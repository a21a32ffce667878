"""Document pooling on small hand-made arrays, against plain Python loops."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from sklearn_seq import _pooling
from sklearn_seq._pooling import (
    all_strings,
    check_tokens,
    document_frequencies,
    index_documents,
    max_pool,
    pool,
    principal_direction,
    project_out,
    sif_weights,
    smooth_idf,
)

VOCABULARY = {"a": 0, "b": 1, "c": 2}


def random_documents(lengths, n_words=7, n_features=5, seed=0):
    """Word vectors and indexed documents of the given lengths."""
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((n_words, n_features)).astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    indices = rng.integers(0, n_words, indptr[-1])
    return vectors, indptr, indices


def loop_pool(vectors, indptr, indices, method, word_weights=None):
    """The obvious per-document, per-token Python loop."""
    out = np.zeros((len(indptr) - 1, vectors.shape[1]))
    for i in range(len(indptr) - 1):
        rows = indices[indptr[i] : indptr[i + 1]]
        if not len(rows):
            continue
        if method == "max":
            out[i] = vectors[rows[0]]
            for r in rows[1:]:
                out[i] = np.maximum(out[i], vectors[r])
            continue
        total, weight_sum = np.zeros(vectors.shape[1]), 0.0
        for r in rows:
            w = 1.0 if word_weights is None else word_weights[r]
            total += w * vectors[r]
            weight_sum += w
        divisor = {"sum": 1.0, "mean": len(rows), "weighted_mean": weight_sum}[method]
        out[i] = total / divisor
    return out


# --- indexing -------------------------------------------------------------------------


def test_index_documents_drops_unknown_tokens():
    docs = [["a", "x", "b"], [], ["x"], ("c", "c", "a")]
    indptr, indices = index_documents(docs, VOCABULARY)
    assert_array_equal(indptr, [0, 2, 2, 2, 5])
    assert_array_equal(indices, [0, 1, 2, 2, 0])


def test_index_documents_counts_unknown_tokens_by_document():
    # without max_length, documents are cut by their unknown tokens' counts alone
    rng = np.random.default_rng(0)
    words = ["a", "b", "c", "x", "y"]
    docs = [list(rng.choice(words, rng.integers(0, 6))) for _ in range(200)]
    indptr, indices = index_documents(docs, VOCABULARY)
    for i, doc in enumerate(docs):
        expected = [VOCABULARY[t] for t in doc if t in VOCABULARY]
        assert_array_equal(indices[indptr[i] : indptr[i + 1]], expected)
    assert indptr[-1] == len(indices)


def test_index_documents_max_length_counts_known_tokens_only():
    docs = [["x", "a", "y", "b", "c"], ["c"], ["a", "b", "c", "a"]]
    indptr, indices = index_documents(docs, VOCABULARY, max_length=2)
    assert_array_equal(indptr, [0, 2, 3, 5])
    assert_array_equal(indices, [0, 1, 2, 0, 1])


def test_index_documents_names_the_document_with_a_non_string_token():
    with pytest.raises(ValueError, match=r"X\[1\] is list"):
        index_documents([["a"], ["b", 3]], VOCABULARY)


def test_token_type_checks():
    class Word(str):
        pass

    assert all_strings(["a", Word("b")]) and not all_strings(["a", b"b"])
    check_tokens([["a", Word("b")], []])
    with pytest.raises(ValueError, match=r"X\[2\] is tuple"):
        check_tokens([["a"], [], ("b", None)])


# --- pooling --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["sum", "mean", "weighted_mean", "max"])
@pytest.mark.parametrize("weighted", [False, True])
def test_pool_matches_a_python_loop(method, weighted):
    vectors, indptr, indices = random_documents([3, 0, 1, 5, 0, 2, 7])
    weights = np.linspace(0.5, 2.0, len(vectors)) if weighted else None
    out = pool(vectors, indptr, indices, method, weights)
    assert out.dtype == np.float32 and out.shape == (7, 5)
    expected = loop_pool(vectors, indptr, indices, method, weights)
    assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert not out[[1, 4]].any()  # empty documents are zero vectors


def test_weighted_mean_with_idf_weights_by_hand():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [4.0, 4.0]], dtype=np.float32)
    idf = np.array([1.0, 3.0, 2.0])
    indptr, indices = np.array([0, 2, 5]), np.array([0, 1, 0, 0, 2])
    out = pool(vectors, indptr, indices, "weighted_mean", idf)
    # (1 * [1, 0] + 3 * [0, 1]) / 4 and (2 * [1, 0] + 2 * [4, 4]) / 4
    assert_allclose(out, [[0.25, 0.75], [2.5, 2.0]])


def test_max_pool_keeps_negative_maxima_and_zeros_empty_documents():
    vectors = np.array([[-1.0, -5.0], [-3.0, -2.0]], dtype=np.float32)
    out = pool(vectors, np.array([0, 2, 2, 3]), np.array([0, 1, 1]), "max")
    assert_array_equal(out, [[-1.0, -2.0], [0.0, 0.0], [-3.0, -2.0]])


@pytest.mark.parametrize(
    "lengths",
    [
        [0, 1, 63, 64, 65, 128, 129, 0, 300],
        [5000, 0, 3],  # more pieces than a piece holds: pooled twice over
        [0, 0],
        [],
    ],
)
def test_max_pool_on_long_and_empty_documents(lengths):
    vectors, indptr, indices = random_documents(lengths, n_words=50)
    out = max_pool(vectors, indptr, indices)
    assert out.shape == (len(lengths), 5)
    expected = loop_pool(vectors, indptr, indices, "max")
    assert_array_equal(out, expected.astype(np.float32))


def test_max_pool_over_many_blocks_and_pieces(monkeypatch):
    # small blocks and pieces: several blocks, and pieces pooled three levels deep
    monkeypatch.setattr(_pooling, "_BLOCK", 3)
    monkeypatch.setattr(_pooling, "_PIECE", 4)
    lengths = [0, 1, 3, 4, 5, 9, 17, 70, 0, 2, 4, 8]
    vectors, indptr, indices = random_documents(lengths, n_words=30)
    expected = loop_pool(vectors, indptr, indices, "max")
    assert_array_equal(max_pool(vectors, indptr, indices), expected.astype(np.float32))


def test_pooling_float64_vectors_gives_float32():
    vectors, indptr, indices = random_documents([2, 3])
    wide = vectors.astype(np.float64)
    for method in ["mean", "max"]:
        assert pool(wide, indptr, indices, method).dtype == np.float32
    assert_array_equal(
        pool(wide, indptr, indices, "max"), pool(vectors, indptr, indices, "max")
    )
    assert_allclose(
        pool(wide, indptr, indices, "mean"),
        pool(vectors, indptr, indices, "mean"),
        rtol=1e-6,
    )


# --- statistics -----------------------------------------------------------------------


def test_document_frequencies_in_one_or_several_batches():
    first = (np.array([0, 3, 4]), np.array([0, 0, 1, 1]))  # [0, 0, 1], [1]
    second = (np.array([0, 0, 2]), np.array([3, 0]))  # [], [3, 0]
    n_docs, doc_freq, counts = document_frequencies([first, second], n_words=5)
    assert n_docs == 4
    assert_array_equal(doc_freq, [2, 2, 0, 1, 0])
    assert_array_equal(counts, [3, 2, 0, 1, 0])
    whole = (np.array([0, 3, 4, 4, 6]), np.array([0, 0, 1, 1, 3, 0]))
    for a, b in zip(
        document_frequencies([whole], 5), (n_docs, doc_freq, counts), strict=True
    ):
        assert_array_equal(a, b)


def test_smooth_idf_equals_scikit_learn():
    indptr, indices = np.array([0, 3, 4, 4, 6]), np.array([0, 0, 1, 1, 3, 0])
    n_docs, doc_freq, _ = document_frequencies([(indptr, indices)], n_words=5)
    counts = sparse.csr_matrix((np.ones(6), indices, indptr), shape=(4, 5))
    counts.sum_duplicates()  # scikit-learn counts stored entries
    reference = TfidfTransformer(smooth_idf=True).fit(counts).idf_
    assert_allclose(smooth_idf(doc_freq, n_docs), reference)


def test_sif_weights_fall_with_frequency():
    weights = sif_weights(np.array([0.0, 1e-3, 0.5]), alpha=1e-3)
    assert_allclose(weights, [1.0, 0.5, 1e-3 / 0.501])


def test_principal_direction_and_projecting_it_out():
    rng = np.random.default_rng(0)
    direction = np.array([3.0, 4.0, 0.0]) / 5
    pooled = (rng.standard_normal((40, 1)) * 10 * direction).astype(np.float32)
    pooled += 0.1 * rng.standard_normal((40, 3)).astype(np.float32)
    found = principal_direction([pooled[:15], pooled[15:]])
    assert_allclose(np.linalg.norm(found), 1.0)
    assert abs(found @ direction) > 0.999
    assert_allclose(abs(found), abs(principal_direction([pooled])), rtol=1e-6)
    result = project_out(pooled, found)
    assert result is pooled  # in place
    assert_allclose(pooled @ found, 0.0, atol=1e-5)

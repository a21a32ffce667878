"""Documents of tokens -> rows of a vocabulary -> one vector per document.

Plain numpy/scipy: documents are lists of string tokens, a vocabulary is a
mapping from token to row, and word vectors are a 2-D array. A batch of
documents is indexed once into CSR form ``(indptr, indices)``: the known
tokens of document ``i`` are the rows ``indices[indptr[i]:indptr[i + 1]]`` of
the vectors, in order. Everything below works on that form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import NoReturn

import numpy as np
from scipy import sparse

_PIECE = 64  # tokens per piece in max pooling: the most positions one pass walks
_BLOCK = 1024  # documents max pooled together, so that their buffers stay in cache


def all_strings(tokens: Iterable) -> bool:
    """Whether every token is a ``str`` (one pass in C).

    Parameters
    ----------
    tokens : iterable
        Tokens of any type.

    Returns
    -------
    bool
        True when every token is a ``str`` or an instance of a subclass.
    """
    kinds = set(map(type, tokens))
    return kinds <= {str} or all(issubclass(kind, str) for kind in kinds)


def bad_document(i: int, doc) -> NoReturn:
    """Raise the ``ValueError`` for a document that is not text.

    Parameters
    ----------
    i : int
        Position of the document in ``X``.
    doc : object
        The document.

    Raises
    ------
    ValueError
        Always, naming ``X[i]`` and its type.
    """
    tokens = doc if isinstance(doc, (list, tuple)) else ()
    bad = next((t for t in tokens if not isinstance(t, str)), None)
    what = f"({doc!r:.40})" if bad is None else f"with a {type(bad).__name__} token"
    raise ValueError(
        f"X[{i}] is {type(doc).__name__} {what}; each document must be a string or a "
        "list of string tokens."
    )


def check_tokens(docs: Sequence[Sequence]) -> None:
    """Raise a ``ValueError`` naming the first document holding a non-string token.

    Parameters
    ----------
    docs : sequence of sequences
        Tokenized documents.
    """
    if all_strings(chain.from_iterable(docs)):
        return
    for i, doc in enumerate(docs):
        if not all_strings(doc):
            bad_document(i, doc)


def index_documents(
    docs: Sequence[Sequence[str]],
    vocabulary: Mapping[str, int],
    max_length: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Map every document's tokens to vocabulary rows, dropping unknown tokens.

    The per-token work runs in C (``map`` over a flat token stream, then
    numpy); nothing loops over tokens in Python bytecode.

    Parameters
    ----------
    docs : sequence of sequences of str
        Tokenized documents.
    vocabulary : mapping of str to int
        Row of each known token.
    max_length : int or None, default=None
        Keep at most the first ``max_length`` known tokens of each document.

    Returns
    -------
    indptr : ndarray of shape (n_documents + 1,), int64
        Document ``i`` holds ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of shape (n_known_tokens,), int64
        Vocabulary rows of the known tokens, document after document.

    Raises
    ------
    ValueError
        If an unknown token is not a string (known ones are vocabulary keys),
        naming its document.
    """
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    flat = list(chain.from_iterable(docs))
    try:
        ids = np.fromiter(
            map(vocabulary.get, flat, repeat(-1)),
            dtype=np.int64,
            count=len(flat),
        )
    except TypeError:  # an unhashable token (a list inside a token list)
        check_tokens(docs)
        raise
    unknown = np.flatnonzero(ids < 0)
    if len(unknown) and not all_strings(map(flat.__getitem__, unknown.tolist())):
        check_tokens(docs)
    token_indptr = np.concatenate([[0], np.cumsum(lengths)])
    if max_length is None:  # count each document's unknown tokens, not every token
        doc_of_unknown = np.searchsorted(token_indptr, unknown, side="right") - 1
        known = lengths - np.bincount(doc_of_unknown, minlength=len(docs))
        indptr = np.concatenate([[0], np.cumsum(known)])
        return indptr, np.delete(ids, unknown) if len(unknown) else ids
    keep = ids >= 0
    known_before = np.concatenate([[0], np.cumsum(keep)])  # [t]: known tokens before t
    doc_of_token = np.repeat(np.arange(len(docs)), lengths)
    rank = known_before[:-1] - known_before[token_indptr[doc_of_token]]  # in its doc
    keep &= rank < max_length
    known_before = np.concatenate([[0], np.cumsum(keep)])
    return known_before[token_indptr], ids[keep]


def document_frequencies(
    batches: Iterable[tuple[np.ndarray, np.ndarray]], n_words: int
) -> tuple[int, np.ndarray, np.ndarray]:
    """Count documents, documents holding each word, and occurrences of each word.

    Parameters
    ----------
    batches : iterable of (indptr, indices)
        Indexed documents (see :func:`index_documents`), in one or more batches.
    n_words : int
        Size of the vocabulary.

    Returns
    -------
    n_documents : int
        Number of documents.
    document_frequency : ndarray of shape (n_words,), float64
        Number of documents holding each word at least once.
    counts : ndarray of shape (n_words,), float64
        Occurrences of each word.
    """
    document_frequency = np.zeros(n_words)
    counts = np.zeros(n_words)
    n_documents = 0
    for indptr, indices in batches:
        n_docs = len(indptr) - 1
        rows = sparse.csr_matrix(
            (np.ones(len(indices)), indices, indptr), shape=(n_docs, n_words)
        )
        document_frequency += np.asarray((rows > 0).sum(axis=0)).ravel()
        counts += np.bincount(indices, minlength=n_words)
        n_documents += n_docs
    return n_documents, document_frequency, counts


def smooth_idf(document_frequency: np.ndarray, n_documents: int) -> np.ndarray:
    """Inverse document frequencies, smoothed as scikit-learn's ``TfidfTransformer``.

    Parameters
    ----------
    document_frequency : ndarray of shape (n_words,)
        Number of documents holding each word.
    n_documents : int
        Number of documents.

    Returns
    -------
    idf : ndarray of shape (n_words,)
        ``log((1 + n_documents) / (1 + document_frequency)) + 1``.
    """
    return np.log((1 + n_documents) / (1 + document_frequency)) + 1


def sif_weights(word_probability: np.ndarray, alpha: float) -> np.ndarray:
    """Smooth inverse frequency weights ``alpha / (alpha + p(w))`` (Arora et al.).

    Parameters
    ----------
    word_probability : ndarray of shape (n_words,)
        Frequency of each word in a corpus.
    alpha : float
        Smoothing: the smaller, the less frequent words weigh.

    Returns
    -------
    weights : ndarray of shape (n_words,)
    """
    return alpha / (alpha + word_probability)


def principal_direction(pooled: Iterable[np.ndarray]) -> np.ndarray:
    """First principal direction (uncentred, as in Arora et al.) of document vectors.

    Parameters
    ----------
    pooled : iterable of ndarray of shape (n_documents, n_features)
        Document vectors, in one or more (at least one) batches.

    Returns
    -------
    direction : ndarray of shape (n_features,), float64
        Unit eigenvector of the largest eigenvalue of ``X.T @ X``.
    """
    gram = sum(batch.T.astype(np.float64) @ batch for batch in pooled)
    return np.linalg.eigh(gram)[1][:, -1]


def project_out(pooled: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Project the document vectors off a unit direction, in place.

    Parameters
    ----------
    pooled : ndarray of shape (n_documents, n_features), float32
        Document vectors; modified.
    direction : ndarray of shape (n_features,)
        Unit vector (see :func:`principal_direction`).

    Returns
    -------
    pooled : ndarray of shape (n_documents, n_features), float32
        The same array, orthogonal to ``direction``.
    """
    u = direction.astype(np.float32)
    pooled -= np.outer(pooled @ u, u)
    return pooled


def max_pool(vectors: np.ndarray, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """Element-wise maximum of each document's vectors (zeros for an empty document).

    Documents are walked position by position, many at once: sorted longest
    first, the documents longer than ``k`` are a prefix of the block, so
    position ``k`` costs one gather and one ``np.maximum`` into reused
    buffers, with no Python loop over documents or tokens. Documents longer
    than 64 tokens are cut into pieces of at most 64, whose maxima are then
    pooled the same way, so that no pass walks more than 64 positions.

    Parameters
    ----------
    vectors : ndarray of shape (n_words, n_features)
        One vector per vocabulary row.
    indptr, indices : ndarray
        Indexed documents (see :func:`index_documents`); the indices must be
        rows of ``vectors`` (not checked).

    Returns
    -------
    pooled : ndarray of shape (n_documents, n_features), dtype of ``vectors``
    """
    lengths = np.diff(indptr)
    n_pieces = -(-lengths // _PIECE)
    if n_pieces.max(initial=0) > 1:
        first_piece = np.cumsum(n_pieces) - n_pieces
        piece_doc = np.repeat(np.arange(len(lengths)), n_pieces)
        starts = indptr[piece_doc] + _PIECE * (
            np.arange(len(piece_doc)) - first_piece[piece_doc]
        )
        piece_max = max_pool(vectors, np.append(starts, indptr[-1]), indices)
        return max_pool(
            piece_max, np.append(first_piece, len(piece_doc)), np.arange(len(piece_doc))
        )
    out = np.zeros((len(lengths), vectors.shape[1]), dtype=vectors.dtype)
    order = np.argsort(-lengths, kind="stable")[: np.count_nonzero(lengths)]
    acc = np.empty((min(_BLOCK, len(order)), vectors.shape[1]), dtype=vectors.dtype)
    gathered = np.empty_like(acc)
    for first in range(0, len(order), _BLOCK):
        rows = order[first : first + _BLOCK]
        starts = indptr[rows]
        # longer_than[k]: how many of the block's documents are longer than k
        longer_than = len(rows) - np.cumsum(np.bincount(lengths[rows]))
        # mode="clip" lets take write into its output without a temporary copy
        vectors.take(indices[starts], axis=0, out=acc[: len(rows)], mode="clip")
        for k, n in enumerate(longer_than[1:-1], start=1):
            vectors.take(indices[starts[:n] + k], axis=0, out=gathered[:n], mode="clip")
            np.maximum(acc[:n], gathered[:n], out=acc[:n])
        out[rows] = acc[: len(rows)]
    return out


def pool(
    vectors: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    method: str = "mean",
    word_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Pool each document's word vectors into one vector.

    Parameters
    ----------
    vectors : ndarray of shape (n_words, n_features)
        One vector per vocabulary row.
    indptr, indices : ndarray
        Indexed documents (see :func:`index_documents`).
    method : {"mean", "sum", "weighted_mean", "max"}, default="mean"
        ``"sum"``: the sum of ``w * v`` over the document's tokens;
        ``"mean"``: that sum divided by the number of tokens;
        ``"weighted_mean"``: that sum divided by the sum of the weights ``w``;
        ``"max"``: the element-wise maximum (weights unused).
    word_weights : ndarray of shape (n_words,) or None, default=None
        Weight ``w`` of each vocabulary row; None weighs every token 1.

    Returns
    -------
    pooled : ndarray of shape (n_documents, n_features), float32
        A document without tokens is a zero vector; no output is ever NaN.
    """
    if method == "max":
        return max_pool(vectors, indptr, indices).astype(np.float32, copy=False)
    n_docs = len(indptr) - 1
    lengths = np.diff(indptr)
    if word_weights is None:
        weights = np.ones(len(indices))
    else:
        weights = word_weights[indices]
    if method == "mean":
        weights /= np.repeat(lengths, lengths)
    elif method == "weighted_mean":
        doc_of_token = np.repeat(np.arange(n_docs), lengths)
        totals = np.bincount(doc_of_token, weights=weights, minlength=n_docs)
        weights /= np.repeat(totals, lengths)
    # float32 weights keep the product in float32 (5x faster than a float64 one)
    matrix = sparse.csr_matrix(
        (weights.astype(np.float32), indices, indptr), shape=(n_docs, len(vectors))
    )
    return np.asarray(matrix @ vectors, dtype=np.float32)

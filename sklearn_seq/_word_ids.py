"""Documents as words: what ``Word2VecTransformer(output="ids")`` and
``output="sequence"`` return.

A :class:`WordIds` holds each document's known words as rows of a vocabulary
(compact CSR form, as ``_pooling.index_documents`` gives) together with the
fitted word vectors those rows index. The recurrent estimators read it as
integer sequences, start an embedding layer from the vectors, and record the
vocabulary's fingerprint so that ids of another vocabulary are refused later.
Plain numpy and gensim: nothing here knows torch.
"""

from __future__ import annotations

import hashlib
import weakref

import numpy as np

__all__ = ["WordIds", "WordVectors", "same_vocabulary", "vocabulary_hash"]

_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LEGACY_HASHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# the fingerprint's version, before its digest; a legacy fingerprint has none
_HASH_PREFIX = "v2:"
_CHUNK = 100_000  # words hashed at a time


class WordVectors(list):
    """Documents as sequences of word vectors (``Word2VecTransformer(output="sequence")``).

    A list of ``(n_tokens, vector_size)`` float32 arrays, one per document,
    marked as words: a recurrent estimator fitted on it reads the documents
    word by word (``front_end="auto"`` adds no patches, which would merge
    words) and keeps them whole (``random_crop="auto"``), as for word ids.
    Anything a list does works; a slice or a copy into another list is a
    plain list, which reads as numeric sequences.
    """

    __slots__ = ()


def vocabulary_hash(wv) -> str:
    """Fingerprint of a vocabulary: its words in row order (cached per vectors object).

    Each word counts as its UTF-8 bytes (a lone surrogate as its own three
    bytes) after their length, so no two vocabularies share an input to the
    hash: ``["x\\0y", "z"]`` and ``["x", "y\\0z"]`` differ.

    Parameters
    ----------
    wv : gensim.models.KeyedVectors
        Word vectors; only their words and order count, not their values.

    Returns
    -------
    str
        ``"v2:"`` and 32 hex digits (BLAKE2b, 128 bits); equal for two
        vocabularies exactly when (but for hash collisions) they map the same
        words to the same rows. Models fitted before this fingerprint hold a
        legacy one of 16 hex digits: compare with :func:`same_vocabulary`.
    """
    cached = _HASHES.get(wv)
    if cached is not None and cached[0] == len(wv):
        return cached[1]
    digest = hashlib.blake2b(digest_size=16)
    for start in range(0, len(wv), _CHUNK):
        words = [_word_bytes(word) for word in wv.index_to_key[start : start + _CHUNK]]
        lengths = np.array([len(word) for word in words], dtype="<u8")
        digest.update(np.array([len(words)], dtype="<u8").tobytes())
        digest.update(lengths.tobytes())
        digest.update(b"".join(words))
    fingerprint = _HASH_PREFIX + digest.hexdigest()
    _HASHES[wv] = (len(wv), fingerprint)
    return fingerprint


def same_vocabulary(wv, fitted: str, n_words: int | None = None) -> bool:
    """Whether the vocabulary of ``wv`` is the one a model recorded as ``fitted``.

    ``fitted`` is a :func:`vocabulary_hash`, or the legacy fingerprint of a
    model fitted before it (16 hex digits over the words joined with NUL).
    That one is accepted only where it cannot be ambiguous: no word of ``wv``
    holds the NUL or \\x01 separators and, given the fitted vocabulary's size
    ``n_words``, ``wv`` has as many words. A vocabulary the legacy hash cannot
    encode (a lone surrogate) does not match it.
    """
    if not isinstance(fitted, str):
        return False
    if fitted.startswith(_HASH_PREFIX):
        return vocabulary_hash(wv) == fitted
    if n_words is not None and n_words != len(wv):
        return False
    return _legacy_hash(wv) == fitted


def _word_bytes(word) -> bytes:
    """A word's bytes, tagged by kind: a string's UTF-8 (lone surrogates kept),
    any other key (gensim allows ints) its repr."""
    if isinstance(word, str):
        return b"s" + word.encode("utf-8", "surrogatepass")
    return b"r" + repr(word).encode("utf-8", "surrogatepass")


def _legacy_hash(wv) -> str | None:
    """The fingerprint models held before :func:`vocabulary_hash` (cached): the
    words joined with NUL. None where it would be ambiguous (a word holds a
    separator) or cannot be computed (a lone surrogate, a key not a string)."""
    cached = _LEGACY_HASHES.get(wv)
    if cached is not None and cached[0] == len(wv):
        return cached[1]
    fingerprint, words = None, wv.index_to_key
    if all(
        isinstance(word, str) and "\0" not in word and "\1" not in word for word in words
    ):
        digest = hashlib.blake2b(digest_size=8)
        try:
            for start in range(0, len(words), _CHUNK):
                digest.update("\0".join(words[start : start + _CHUNK]).encode())
                digest.update(b"\1")
            fingerprint = digest.hexdigest()
        except UnicodeEncodeError:  # a lone surrogate
            pass
    _LEGACY_HASHES[wv] = (len(wv), fingerprint)
    return fingerprint


class WordIds:
    """Documents as sequences of vocabulary rows, with the vectors they index.

    Returned by ``Word2VecTransformer(output="ids").transform``. It behaves as
    a read-only sequence of documents: ``len(ids)``, ``ids[i]`` (the rows of
    document ``i``, an int64 array, empty when it has no known word) and
    ``ids[indices]`` (a ``WordIds`` of those documents, so scikit-learn can
    split it for cross-validation). It pickles, and holds a reference to the
    fitted vectors, not a copy.

    Parameters
    ----------
    indptr : ndarray of shape (n_documents + 1,)
        Document ``i`` holds ``indices[indptr[i]:indptr[i + 1]]``.
    indices : ndarray of shape (n_known_words,)
        Vocabulary rows of the known words, document after document.
    wv : gensim.models.KeyedVectors
        The vectors the rows index.

    Attributes
    ----------
    wv : gensim.models.KeyedVectors
        The word vectors; ``wv.index_to_key[row]`` is a row's word.
    vocabulary_hash : str
        Fingerprint of the vocabulary (see :func:`vocabulary_hash`).
    shape : tuple of int
        ``(n_documents,)``.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, wv):
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        self.wv = wv
        self.vocabulary_hash = vocabulary_hash(wv)

    @property
    def shape(self) -> tuple[int]:
        return (len(self.indptr) - 1,)

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        """Number of known words of each document."""
        return np.diff(self.indptr)

    def __getitem__(self, key):
        if isinstance(key, tuple):  # scikit-learn indexes arrays as X[key, ...]
            key = key[0]
        if isinstance(key, (int, np.integer)):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"document {key} out of range for {n} documents.")
            key %= n
            return self.indices[self.indptr[key] : self.indptr[key + 1]]
        rows = np.arange(len(self))[key]
        lengths = self.lengths()[rows]
        starts = self.indptr[rows]
        picked = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        picked += np.arange(lengths.sum())
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        return WordIds(indptr, self.indices[picked], self.wv)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return (
            f"WordIds({len(self)} documents, {len(self.indices)} words, "
            f"vocabulary of {len(self.wv)} words {self.vocabulary_hash})"
        )

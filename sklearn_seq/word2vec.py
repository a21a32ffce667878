"""Word2VecTransformer: text -> word vectors, pooled per document or as sequences."""

from __future__ import annotations

import os
import sys
import warnings
from numbers import Integral, Real

import numpy as np
from gensim.models import KeyedVectors, Word2Vec
from gensim.models.word2vec import MAX_WORDS_IN_BATCH, LineSentence
from gensim.utils import open as open_any
from gensim.utils import simple_preprocess
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._pooling import (
    all_strings,
    bad_document,
    check_tokens,
    document_frequencies,
    index_documents,
    pool,
    principal_direction,
    project_out,
    sif_weights,
    smooth_idf,
)
from ._runtime import MAX_THREADS
from ._validation import derive_seed, nonfinite
from ._word_ids import WordIds, WordVectors

# the default tokenizer's (simple_preprocess's) longest word, in letters
MAX_WORD_LETTERS = 15

_CHUNK = 10_000  # documents per chunk when streaming a corpus file


def _is_binary_word2vec(path: str) -> bool:
    """Whether a word2vec file is binary, judged by its first entry, not its name.

    Both formats start with a ``"n_words dim"`` line. In the text format the next
    line is a word and ``dim`` numbers; in the binary one raw float32 bytes follow
    the word, which almost never read as ``dim`` decimal numbers and a newline.
    """
    with open_any(path, "rb") as f:
        header = f.readline().split()
        first = f.readline(1 << 20)
    if len(header) != 2 or not all(part.isdigit() for part in header):
        raise ValueError(
            f"pretrained file {path!r} is not a word2vec text or binary file: its first "
            "line should be '<n_words> <dimensions>'."
        )
    fields = first.rstrip(b"\r\n").split(b" ")
    try:
        numbers = [float(field) for field in fields[1:] if field]
    except ValueError:
        return True
    return not (first.endswith(b"\n") and len(numbers) == int(header[1]))


class Word2VecTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Train gensim Word2Vec in ``fit``; turn documents into word vectors.

    Documents are strings (split into tokens by ``tokenizer``) or lists of
    tokens (used as they are). ``transform`` gives either one pooled vector
    per document, for any scikit-learn estimator, or each document's sequence
    of word vectors, in the variable-length format that
    :class:`SequenceClassifier` reads. Words outside the vocabulary are
    skipped.

    Parameters
    ----------
    vector_size : int, default=100
        Dimensionality of the word vectors (ignored with ``pretrained``).
    window : int, default=5
        Maximum distance between the current and the predicted word.
    min_count : int or "auto", default="auto"
        Ignore words with a lower total frequency. ``"auto"`` is 5, and 2
        with ``output="ids"``: a network that fine-tunes the embeddings learns
        a rare word from the labels, as a bag of words does, where its barely
        trained vector would only blur a pooled mean or a frozen sequence.
        Measured on the 2016 debates (``benchmarks/bench_text_accuracy.py``,
        3 splits): fine-tuned ids gained 2 points of accuracy with 2 instead
        of 5, pooled vectors lost 2.
    sg : {0, 1}, default=0
        Training algorithm: 0 is CBOW (predict a word from its context,
        better for small corpora), 1 is skip-gram (predict the context from a
        word, better for large ones).
    hs : {0, 1}, default=0
        1 trains with hierarchical softmax; 0 with negative sampling (when
        ``negative`` > 0).
    negative : int, default=5
        Noise words drawn per positive example in negative sampling (0 turns
        it off).
    sample : float, default=1e-3
        Threshold for down-sampling frequent words.
    alpha, min_alpha : float, default=0.025, 1e-4
        Learning rate, decayed linearly from ``alpha`` to ``min_alpha``.
    epochs : int, default=5
        Passes over the corpus.
    max_vocab_size : int or None, default=None
        Cap on the vocabulary while counting (None: no cap).
    workers : int, default=1
        Training threads. 1 makes training repeatable; more is faster. At
        most 1,024 (``_runtime.MAX_THREADS``).
    tokenizer : callable or None, default=None
        Splits a string document into tokens; None uses gensim's
        ``simple_preprocess``: lower-cased words of 2 to 15 letters (longer
        and shorter words are dropped, and ``fit`` warns of the longer ones;
        pass a tokenizer of your own to keep them). Documents given as token
        lists are never re-tokenized.
    pretrained : str, path or gensim KeyedVectors, default=None
        Word vectors to start from: a word2vec text or binary file (the
        format is read from the file, whatever its name), or loaded
        ``KeyedVectors``. Loaded in ``fit``. By default ``fit`` then does not
        train at all, and ``fit(None)`` is enough unless the pooling learns
        statistics (``"tfidf"``, ``"sif"``); see ``train_pretrained``.
    train_pretrained : bool, default=False
        With ``pretrained``, continue training the vectors on ``X`` (words of
        ``X`` absent from the pretrained vocabulary start from random vectors).
    corpus_file : str, path or None, default=None
        A corpus in gensim's ``LineSentence`` format (one document per line,
        tokens separated by spaces) to train on instead of ``X``, streamed from
        disk with all ``workers``. ``X`` may then be None; the pooling
        statistics (IDF, SIF) then come from the file too.
    pooling : {"mean", "sum", "max", "tfidf", "sif"}, default="mean"
        How a document's word vectors become one vector: their mean, sum or
        element-wise max; a mean weighted by TF-IDF (IDF learned in ``fit``);
        or smooth inverse frequency (weights ``a / (a + p(w))``, then the
        first principal component of the training documents, fitted in
        ``fit``, removed).
    output : {"pooled", "sequence", "ids"}, default="pooled"
        ``"pooled"``: an array ``(n_documents, vector_size)``. ``"sequence"``:
        a list of ``(length_i, vector_size)`` arrays, the known words in order,
        marked as words (a ``WordVectors`` list): a recurrent estimator fitted
        on it reads the documents word by word (see its ``front_end``).
        ``"ids"``: the known words' rows in ``wv_``, in order, as a
        ``WordIds`` that also carries ``wv_``: a :class:`SequenceClassifier`
        (or :class:`SequenceGenerator`) given it starts an embedding layer
        from these vectors and trains it with the network (see its
        ``freeze_embeddings``). Far smaller than ``"sequence"``.
    max_length : int or None, default=None
        With ``output="sequence"`` or ``"ids"``, keep at most the first
        ``max_length`` known words of each document.
    sif_alpha : float, default=1e-3
        The ``a`` of SIF weights.
    random_state : int, RandomState instance or None, default=None
        An integer is passed to gensim as ``seed``: with ``workers=1`` the
        vectors equal those of ``gensim.models.Word2Vec(seed=random_state)``.

    Attributes
    ----------
    wv_ : gensim.models.KeyedVectors
        The word vectors: ``wv_.most_similar(positive=["king", "woman"],
        negative=["man"])`` and the rest of gensim's API. Pickling keeps these
        vectors only, not gensim's training state.
    idf_ : ndarray of shape (n_words,)
        Inverse document frequencies (``pooling="tfidf"``).
    word_probability_ : ndarray of shape (n_words,)
        Word frequencies in the fit corpus (``pooling="sif"``).
    sif_component_ : ndarray of shape (vector_size,)
        The common component removed by SIF (``pooling="sif"``).

    See Also
    --------
    SequenceClassifier : Classifies the ``output="sequence"`` vectors, or the
        ``output="ids"`` ids with word embeddings it fine-tunes.

    Notes
    -----
    A document with no known word becomes a zero vector (pooled), or a single
    zero vector, a sequence of length 1 (``output="sequence"``), so every
    sequence is valid input for the recurrent estimators. No output is ever NaN.
    With ``output="ids"`` its ids are empty, and the recurrent estimators read
    it as one padding step, whose embedding is a zero vector that training
    leaves at zero: the same input as ``"sequence"`` gives them.

    Documents cannot be weighted: gensim trains on every sentence alike, so
    ``fit`` takes no ``sample_weight`` (passing one raises a ``TypeError``) and
    requests none through scikit-learn's metadata routing. In a pipeline, the
    weights go only to the steps that request them. To weight documents by
    whole numbers, repeat them.

    Examples
    --------
    >>> from sklearn_seq import Word2VecTransformer
    >>> docs = ["the cat sat on the mat", "the dog sat on the log"] * 20
    >>> w2v = Word2VecTransformer(vector_size=8, min_count=1, random_state=0)
    >>> w2v.fit_transform(docs).shape
    (40, 8)
    >>> [len(s) for s in w2v.set_params(output="sequence").transform(docs[:2])]
    [6, 6]
    """

    _parameter_constraints: dict = {
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "sg": [Interval(Integral, 0, 1, closed="both")],
        "hs": [Interval(Integral, 0, 1, closed="both")],
        "negative": [Interval(Integral, 0, None, closed="left")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_alpha": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "max_vocab_size": [Interval(Integral, 1, None, closed="left"), None],
        "workers": [Interval(Integral, 1, MAX_THREADS, closed="both")],
        "tokenizer": [callable, None],
        "pretrained": [str, os.PathLike, KeyedVectors, None],
        "train_pretrained": ["boolean"],
        "corpus_file": [str, os.PathLike, None],
        "pooling": [StrOptions({"mean", "sum", "max", "tfidf", "sif"})],
        "output": [StrOptions({"pooled", "sequence", "ids"})],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
        "sif_alpha": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        vector_size=100,
        window=5,
        min_count="auto",
        sg=0,
        hs=0,
        negative=5,
        sample=1e-3,
        alpha=0.025,
        min_alpha=1e-4,
        epochs=5,
        max_vocab_size=None,
        workers=1,
        tokenizer=None,
        pretrained=None,
        train_pretrained=False,
        corpus_file=None,
        pooling="mean",
        output="pooled",
        max_length=None,
        sif_alpha=1e-3,
        random_state=None,
    ):
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.sg = sg
        self.hs = hs
        self.negative = negative
        self.sample = sample
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.max_vocab_size = max_vocab_size
        self.workers = workers
        self.tokenizer = tokenizer
        self.pretrained = pretrained
        self.train_pretrained = train_pretrained
        self.corpus_file = corpus_file
        self.pooling = pooling
        self.output = output
        self.max_length = max_length
        self.sif_alpha = sif_alpha
        self.random_state = random_state

    # --- input ----------------------------------------------------------------------
    def _tokenize(self, X, fitting: bool = False) -> list:
        """Validate the documents and return them as token lists.

        Token types are not checked here: ``fit`` checks them all, ``transform``
        those missing from the vocabulary (see ``index_documents``). When
        ``fitting``, warn of the words the default tokenizer drops as too long.
        """
        if isinstance(X, (str, bytes)):
            raise ValueError(
                "X must be a list of documents, got a single string; wrap it in a list."
            )
        if hasattr(X, "to_numpy"):  # pandas Series / one-column DataFrame
            X = X.to_numpy()
        if isinstance(X, np.ndarray) and X.ndim != 1:
            if X.ndim == 2 and X.shape[1] == 1:
                X = X[:, 0]
            else:
                raise ValueError(
                    f"X must be a 1-D collection of documents, got an array of shape "
                    f"{X.shape}."
                )
        try:
            docs = list(X)
        except TypeError:
            raise ValueError(
                f"X must be a list of documents (strings or token lists), got "
                f"{type(X).__name__}."
            ) from None
        if not docs:
            raise ValueError("X is empty: it holds 0 documents.")
        if set(map(type, docs)) <= {list, tuple}:  # already tokenized: used untouched
            return docs
        tokenize = self.tokenizer or _words_of_any_length
        tokens, too_long, example, total = [], 0, None, 0
        for i, doc in enumerate(docs):
            if isinstance(doc, str):
                tokens.append(list(tokenize(doc)))
                if self.tokenizer is None:  # simple_preprocess: drop the long words
                    kept = [t for t in tokens[-1] if len(t) <= MAX_WORD_LETTERS]
                    total += len(tokens[-1])
                    if len(kept) < len(tokens[-1]):
                        too_long += len(tokens[-1]) - len(kept)
                        example = example or max(tokens[-1], key=len)
                        tokens[-1] = kept
                if not all_strings(tokens[-1]):
                    raise ValueError(
                        f"tokenizer {tokenize!r:.60} returned non-string tokens for "
                        f"X[{i}] ({tokens[-1]!r:.60}); a tokenizer must return strings."
                    )
            elif isinstance(doc, (list, tuple, np.ndarray)):
                tokens.append(doc)
            else:
                bad_document(i, doc)
        if fitting and too_long:
            warnings.warn(
                f"the default tokenizer (gensim's simple_preprocess) keeps words of at "
                f"most {MAX_WORD_LETTERS} letters and dropped {too_long} longer "
                f"token(s) ({too_long / total:.2%} of the tokens), such as "
                f"{example!r:.40}; they have no vector. To keep "
                "them, pass tokenizer=lambda doc: simple_preprocess(doc, max_len=100) "
                "or documents as token lists.",
                UserWarning,
                stacklevel=3,
            )
        return tokens

    # --- fitting --------------------------------------------------------------------
    def _load_pretrained(self) -> KeyedVectors:
        if isinstance(self.pretrained, KeyedVectors):
            return self.pretrained
        path = os.fspath(self.pretrained)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"pretrained file {path!r} does not exist.")
        binary = _is_binary_word2vec(path)
        kind = "binary" if binary else "text"
        try:
            kv = KeyedVectors.load_word2vec_format(path, binary=binary)
        except Exception as exc:  # noqa: BLE001 - gensim raises many kinds on bad files
            raise ValueError(
                f"pretrained file {path!r} looks like a word2vec {kind} file but cannot "
                f"be read as one: {exc!s:.200}"
            ) from None
        if nonfinite(kv.vectors).any():
            raise ValueError(f"pretrained file {path!r} holds NaN or infinite vectors.")
        return kv

    def _min_count(self) -> int:
        """``min_count``, with ``"auto"`` resolved: 2 for ``output="ids"``, else 5."""
        if self.min_count == "auto":
            return 2 if self.output == "ids" else 5
        return self.min_count

    def _gensim_params(self) -> dict:
        seed = self.random_state
        if not isinstance(seed, Integral):
            seed = derive_seed(seed)
        return dict(
            window=self.window,
            min_count=self._min_count(),
            sg=self.sg,
            hs=self.hs,
            negative=self.negative,
            sample=self.sample,
            alpha=self.alpha,
            min_alpha=self.min_alpha,
            epochs=self.epochs,
            max_vocab_size=self.max_vocab_size,
            workers=self.workers,
            seed=int(seed),
        )

    def _train(self, docs, initial: KeyedVectors | None) -> KeyedVectors:
        vector_size = initial.vector_size if initial is not None else self.vector_size
        model = Word2Vec(vector_size=vector_size, **self._gensim_params())
        if self.corpus_file is not None:
            model.build_vocab(corpus_file=os.fspath(self.corpus_file))
        else:
            if any(len(doc) > MAX_WORDS_IN_BATCH for doc in docs):
                # gensim trains only the first MAX_WORDS_IN_BATCH tokens of a document
                docs = [
                    doc[start : start + MAX_WORDS_IN_BATCH]
                    for doc in docs
                    for start in range(0, max(len(doc), 1), MAX_WORDS_IN_BATCH)
                ]
            model.build_vocab(docs)
        if len(model.wv) == 0:
            self._empty_vocabulary(model)
        if initial is not None:  # start known words from their pretrained vectors
            shared = [w for w in model.wv.index_to_key if w in initial.key_to_index]
            if shared:
                rows = [model.wv.key_to_index[w] for w in shared]
                model.wv.vectors[rows] = initial[shared]
        if self.corpus_file is not None:
            model.train(
                corpus_file=os.fspath(self.corpus_file),
                total_examples=model.corpus_count,
                total_words=model.corpus_total_words,
                epochs=model.epochs,
            )
        else:
            model.train(docs, total_examples=model.corpus_count, epochs=model.epochs)
        return model.wv  # keep the vectors, drop gensim's training state

    def _empty_vocabulary(self, model: Word2Vec):
        if model.corpus_total_words == 0:
            raise ValueError(
                "the documents hold no tokens, so there is nothing to learn: the "
                "tokenizer found no words (the default one keeps words of 2 to 15 "
                "letters, so digits, emoji and punctuation alone give none)."
            )
        if self.max_vocab_size is not None:
            raise ValueError(
                f"The vocabulary is empty: max_vocab_size={self.max_vocab_size} pruned "
                f"the rare words while counting, and none left occurs min_count="
                f"{self._min_count()} times. Raise max_vocab_size (or set it to None)."
            )
        raise ValueError(
            f"min_count={self._min_count()} left the vocabulary empty: no word occurs "
            f"{self._min_count()} times in the corpus. Lower min_count or give more text."
        )

    def fit(self, X=None, y=None):
        """Train (or load) the word vectors and learn the pooling statistics.

        There is no ``sample_weight``: documents cannot be weighted in gensim's
        training (see Notes).

        Parameters
        ----------
        X : list of str or list of list of str, or None
            Training documents. May be None when ``corpus_file`` is set, or
            when ``pretrained`` vectors are used as they are (no
            ``train_pretrained``) and the pooling learns no statistics.
        y : None
            Ignored.

        Returns
        -------
        self : Word2VecTransformer
            The fitted transformer.
        """
        self._validate_params()
        trains = self.pretrained is None or self.train_pretrained
        if X is None and self.corpus_file is None:
            if trains:
                raise ValueError("X is None: give documents, or set corpus_file.")
            if self.pooling in ("tfidf", "sif"):
                raise ValueError(
                    f"X is None: pooling={self.pooling!r} learns its statistics from "
                    "documents; give X, or set corpus_file."
                )
        docs = self._tokenize(X, fitting=True) if X is not None else None
        if docs is not None:
            check_tokens(docs)
        if self.pretrained is not None:
            initial = self._load_pretrained()
            self.wv_ = self._train(docs, initial) if trains else initial
        else:
            self.wv_ = self._train(docs, None)
        if self.pooling in ("tfidf", "sif"):
            self._fit_pooling_statistics(docs)
        return self

    def _doc_chunks(self, docs):
        """Yield lists of token lists, from memory or streamed from corpus_file."""
        if docs is not None:
            yield docs
            return
        chunk = []
        for doc in LineSentence(os.fspath(self.corpus_file)):
            chunk.append(doc)
            if len(chunk) == _CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _fit_pooling_statistics(self, docs) -> None:
        n_docs, doc_freq, counts = document_frequencies(
            map(self._index, self._doc_chunks(docs)), len(self.wv_)
        )
        if self.pooling == "tfidf":
            self.idf_ = smooth_idf(doc_freq, n_docs)
            return
        self.word_probability_ = counts / max(counts.sum(), 1)
        self.sif_component_ = principal_direction(
            self._pool(*self._index(chunk), remove_component=False)
            for chunk in self._doc_chunks(docs)
        )

    # --- transforming ---------------------------------------------------------------
    def _index(self, docs: list[list[str]]):
        """CSR ``(indptr, indices)`` of the documents' known words (see ``_pooling``)."""
        max_length = self.max_length if self.output in ("sequence", "ids") else None
        return index_documents(docs, self.wv_.key_to_index, max_length)

    def _pool(self, indptr, indices, remove_component: bool = True) -> np.ndarray:
        vectors = self.wv_.vectors
        if self.pooling == "tfidf":
            return pool(vectors, indptr, indices, "weighted_mean", self.idf_)
        if self.pooling != "sif":
            return pool(vectors, indptr, indices, self.pooling)
        weights = sif_weights(self.word_probability_, self.sif_alpha)
        out = pool(vectors, indptr, indices, "mean", weights)
        return project_out(out, self.sif_component_) if remove_component else out

    def transform(self, X):
        """Turn documents into pooled vectors or sequences of word vectors.

        Parameters
        ----------
        X : list of str or list of list of str
            Documents.

        Returns
        -------
        Xt : ndarray of shape (n_documents, vector_size), float32, list of ndarray, \
or WordIds
            Pooled vectors (``output="pooled"``), one ``(length_i,
            vector_size)`` array per document (``output="sequence"``), or the
            documents' word ids with ``wv_`` (``output="ids"``; ``Xt[i]`` is
            document ``i``'s rows in ``wv_``).
        """
        check_is_fitted(self)
        indptr, indices = self._index(self._tokenize(X))
        if self.output == "pooled":
            if self.pooling in ("tfidf", "sif") and not hasattr(
                self, "idf_" if self.pooling == "tfidf" else "sif_component_"
            ):
                raise ValueError(
                    f"pooling={self.pooling!r} was set after fit; refit to learn its "
                    "statistics."
                )
            return self._pool(indptr, indices)
        if self.output == "ids":
            return WordIds(indptr, indices, self.wv_)
        gathered = self.wv_.vectors[indices].astype(np.float32, copy=False)
        sequences = np.split(gathered, indptr[1:-1])
        empty = np.zeros((1, self.wv_.vector_size), dtype=np.float32)
        return WordVectors(seq if len(seq) else empty for seq in sequences)

    @property
    def _n_features_out(self):
        return self.wv_.vector_size

    def get_feature_names_out(self, input_features=None):
        """Names of the pooled output columns: ``word2vectransformer0``, ...

        Parameters
        ----------
        input_features : None
            Ignored (the input is text).

        Returns
        -------
        names : ndarray of str
            One name per vector dimension.
        """
        check_is_fitted(self)
        if self.output != "pooled":
            raise ValueError(
                "get_feature_names_out and set_output apply to output='pooled' only; "
                f"output={self.output!r} returns one sequence per document."
            )
        return super().get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _words_of_any_length(doc: str) -> list[str]:
    """gensim's ``simple_preprocess`` without its longest-word limit: the caller
    drops the words over ``MAX_WORD_LETTERS`` and counts them."""
    return simple_preprocess(doc, max_len=sys.maxsize)

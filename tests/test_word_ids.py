"""Documents as word ids: Word2VecTransformer(output="ids") -> embedding + RNN."""

import os
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceGenerator,
    Word2VecTransformer,
    load,
    save,
)
from sklearn_seq._training import LengthBuckets, RandomCrops, keep_batch
from sklearn_seq._word_ids import WordIds, WordVectors, same_vocabulary, vocabulary_hash

POSITIVE = ["good", "great", "fine", "nice", "superb"]
NEGATIVE = ["bad", "awful", "poor", "dull", "weak"]
FAST_W2V = {"vector_size": 8, "min_count": 1, "random_state": 0}
FAST_RNN = {"hidden_size": 8, "max_epochs": 10, "random_state": 0}


def corpus(n=40, seed=0):
    rng = np.random.RandomState(seed)
    docs, labels = [], []
    for i in range(n):
        words = POSITIVE if i % 2 else NEGATIVE
        body = list(rng.choice(words, 3)) + ["the", "film", "was"][: rng.randint(1, 4)]
        docs.append(" ".join(rng.permutation(body)))
        labels.append("pos" if i % 2 else "neg")
    return docs, np.array(labels)


def pipeline(**rnn):
    return Pipeline(
        [
            ("w2v", Word2VecTransformer(output="ids", **FAST_W2V)),
            ("rnn", SequenceClassifier(**{**FAST_RNN, **rnn})),
        ]
    )


@pytest.fixture(scope="module")
def fitted():
    docs, y = corpus()
    return pipeline().fit(docs, y), docs, y


def test_ids_are_the_known_words_rows_in_order():
    docs, _ = corpus()
    w2v = Word2VecTransformer(output="ids", **FAST_W2V).fit(docs)
    ids = w2v.transform(["the great zzz film", "zzz qqq", "bad"])
    assert isinstance(ids, WordIds) and len(ids) == 3 and ids.shape == (3,)
    rows = w2v.wv_.key_to_index
    assert ids[0].tolist() == [rows["the"], rows["great"], rows["film"]]
    assert ids[1].dtype == np.int64 and len(ids[1]) == 0  # no known word: no ids
    assert ids[-1].tolist() == [rows["bad"]]
    assert ids.wv is w2v.wv_  # a reference to the vectors, not a copy
    short = w2v.set_params(max_length=2).transform(["the great zzz film"])
    assert short[0].tolist() == [rows["the"], rows["great"]]


def test_ids_index_and_pickle_like_a_sequence_of_documents():
    docs, _ = corpus()
    ids = Word2VecTransformer(output="ids", **FAST_W2V).fit(docs).transform(docs)
    picked = ids[np.array([3, 0, 3])]
    assert isinstance(picked, WordIds) and len(picked) == 3
    for got, i in zip(picked, [3, 0, 3], strict=True):
        np.testing.assert_array_equal(got, ids[i])
    mask = np.arange(len(ids)) % 3 == 0
    assert [d.tolist() for d in ids[mask]] == [d.tolist() for d in ids[::3]]
    split = _safe_indexing(ids, [5, 1])  # how scikit-learn splits X in CV
    assert [d.tolist() for d in split] == [ids[5].tolist(), ids[1].tolist()]
    again = pickle.loads(pickle.dumps(ids))
    assert again.vocabulary_hash == ids.vocabulary_hash
    np.testing.assert_array_equal(again.indices, ids.indices)


def test_other_outputs_unchanged_beside_ids():
    docs, _ = corpus()
    w2v = Word2VecTransformer(**FAST_W2V).fit(docs)
    ids = clone(w2v).set_params(output="ids").fit(docs).transform(docs[:3])
    vectors = w2v.wv_.vectors
    pooled = w2v.transform(docs[:3])
    np.testing.assert_allclose(pooled, [vectors[i].mean(0) for i in ids], rtol=1e-5)
    sequences = w2v.set_params(output="sequence").transform(docs[:3])
    for seq, doc_ids in zip(sequences, ids, strict=True):
        np.testing.assert_array_equal(seq, vectors[doc_ids])


def test_embedding_starts_from_the_vectors_and_is_fine_tuned():
    docs, y = corpus()
    frozen = pipeline(freeze_embeddings=True, standardize=False).fit(docs, y)
    vectors = frozen["w2v"].wv_.vectors
    table = frozen["rnn"].net_.module_.embedding.weight.detach().numpy()
    assert frozen["rnn"].embedding_shape_ == (len(vectors) + 1, 8)
    np.testing.assert_array_equal(table[1:], vectors)
    np.testing.assert_array_equal(table[0], 0)  # padding
    standardized = pipeline(freeze_embeddings=True).fit(docs, y)
    table = standardized["rnn"].net_.module_.embedding.weight.detach().numpy()
    np.testing.assert_allclose(table[1:].mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(table[1:].std(0), 1, rtol=1e-4)
    tuned = pipeline().fit(docs, y)
    table = tuned["rnn"].net_.module_.embedding.weight.detach().numpy()
    assert not np.allclose(table[1:], vectors)
    np.testing.assert_array_equal(table[0], 0)  # padding stays zero


def test_pipeline_learns_and_handles_a_document_without_known_words(fitted):
    model, docs, y = fitted
    assert model.score(docs, y) > 0.9
    proba = model.predict_proba(["zzz qqq", "great nice"])  # first: no known word
    assert proba.shape == (2, 2) and np.isfinite(proba).all()
    assert model.predict(["great nice superb"])[0] == "pos"


def test_max_epochs_auto_is_5_for_ids_and_about_1500_steps_for_numbers():
    docs, y = corpus()
    model = pipeline(max_epochs="auto").fit(docs, y)
    assert model["rnn"].n_epochs_ == 5
    X = np.random.RandomState(0).rand(40, 3)
    # batches per epoch -> epochs: 1 -> 200 (the most), 10 -> 150, 20 -> 100 (the fewest)
    for batch_size, epochs in [(40, 200), (4, 150), (2, 100)]:
        numeric = SequenceClassifier(hidden_size=2, batch_size=batch_size)
        assert numeric.fit(X, np.arange(40) % 2).n_epochs_ == epochs
    assert (
        SequenceClassifier(hidden_size=2, max_epochs=7).fit(X, np.arange(40) % 2).n_epochs_
        == 7
    )


def test_front_end_auto_reads_words_directly_and_numbers_through_convolutions(fitted):
    model, docs, y = fitted
    assert model["rnn"].front_end == "auto"
    assert model["rnn"].net_.module_.inner.encoder.front_end is None
    assert model["rnn"].patch_size_ == 1
    X = np.random.RandomState(0).rand(8, 3)
    numeric = SequenceClassifier(hidden_size=2, max_epochs=1).fit(X, np.arange(8) % 2)
    assert numeric.net_.module_.encoder.front_end.kind == "conv"
    conv = pipeline(front_end="conv").fit(docs, y)  # still available for ids
    assert conv["rnn"].net_.module_.inner.encoder.front_end.kind == "conv"


def test_random_crop_auto_keeps_whole_documents_and_crops_numbers(fitted):
    model, _, _ = fitted
    assert model["rnn"].random_crop == "auto"
    assert model["rnn"].net_.iterator_train__collate_fn is keep_batch
    X = np.random.RandomState(0).rand(8, 3)
    numeric = SequenceClassifier(hidden_size=2, max_epochs=1).fit(X, np.arange(8) % 2)
    crops = numeric.net_.iterator_train__collate_fn
    assert isinstance(crops, RandomCrops)
    assert (crops.smallest, crops.longer_than) == (0.8, 128)
    chosen = SequenceClassifier(hidden_size=2, max_epochs=1, random_crop=0.5)
    crops = chosen.fit(X, np.arange(8) % 2).net_.iterator_train__collate_fn
    assert (crops.smallest, crops.longer_than) == (0.5, 0)  # every sequence
    assert numeric.net_.iterator_valid__collate_fn is keep_batch  # never cropped
    whole = SequenceClassifier(hidden_size=2, max_epochs=1, random_crop=None)
    assert whole.fit(X, np.arange(8) % 2).net_.iterator_train__collate_fn is keep_batch


def test_word_vectors_are_read_word_by_word_and_kept_whole():
    docs, y = corpus()
    w2v = Word2VecTransformer(output="sequence", **FAST_W2V).fit(docs)
    vectors = w2v.transform(docs)
    assert isinstance(vectors, WordVectors) and isinstance(vectors, list)
    assert all(isinstance(v, np.ndarray) for v in vectors)
    assert isinstance(pickle.loads(pickle.dumps(vectors)), WordVectors)
    assert type(vectors[:5]) is list  # a slice is a plain list
    model = SequenceClassifier(**FAST_RNN).fit(vectors, y)
    assert model.reads_word_vectors_ is True
    assert model.net_.module_.encoder.front_end is None
    assert model.net_.iterator_train__collate_fn is keep_batch
    plain = SequenceClassifier(**FAST_RNN).fit(list(vectors), y)  # numeric sequences
    assert not hasattr(plain, "reads_word_vectors_")
    assert plain.net_.module_.encoder.front_end.kind == "conv"
    model.set_params(warm_start=True).fit(vectors, y)  # refits keep reading words
    assert model.net_.module_.encoder.front_end is None
    assert not hasattr(clone(model).fit(list(vectors), y), "reads_word_vectors_")


def test_length_buckets_batch_similar_lengths_and_cover_every_sample():
    lengths = np.random.RandomState(0).randint(1, 500, size=1000)
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    batches = list(LengthBuckets(lengths, 16))
    assert len(batches) == len(LengthBuckets(lengths, 16)) == 63
    assert sorted(i for batch in batches for i in batch) == list(range(1000))
    spread = np.mean([np.ptp(lengths[batch]) for batch in batches])
    assert spread < 40  # a random batch of 16 spans about 440 steps
    torch.manual_seed(0)
    assert list(LengthBuckets(lengths, 16)) == batches  # drawn from torch's generator
    assert list(LengthBuckets(lengths, 16)) != batches  # a new draw each epoch


def test_ids_train_in_length_buckets_and_numbers_in_random_batches(fitted):
    model, _, _ = fitted
    assert model["rnn"].net_.iterator_train == LengthBuckets.loader
    X = np.random.RandomState(0).rand(8, 3)
    numeric = SequenceClassifier(hidden_size=2, max_epochs=1).fit(X, np.arange(8) % 2)
    assert numeric.net_.iterator_train is not LengthBuckets.loader


def test_ids_of_another_vocabulary_are_refused(fitted):
    model, docs, _ = fitted
    other = Word2VecTransformer(output="ids", **FAST_W2V).fit(docs + ["new words here"])
    with pytest.raises(ValueError, match="another vocabulary"):
        model["rnn"].predict(other.transform(docs))
    with pytest.raises(ValueError, match="fitted on word ids"):
        model["rnn"].predict([np.ones((3, 8))])
    X = np.random.RandomState(0).rand(20, 5)
    numeric = SequenceClassifier(**FAST_RNN).fit(X, np.arange(20) % 2)
    with pytest.raises(ValueError, match="fitted on numeric sequences"):
        numeric.predict(model["w2v"].transform(docs))
    with pytest.raises(ValueError, match="does not read word ids"):
        RNNForecaster(**FAST_RNN).fit(model["w2v"].transform(docs), np.zeros(len(docs)))


def _vectors(words):
    from gensim.models import KeyedVectors

    wv = KeyedVectors(vector_size=2)
    wv.add_vectors(words, np.ones((len(words), 2), dtype=np.float32))
    return wv


def test_vocabularies_that_joined_alike_are_told_apart():
    # joined with NUL, both read "x\0y\0z": a classifier took the other one's ids
    a, b = _vectors(["x\0y", "z"]), _vectors(["x", "y\0z"])
    assert vocabulary_hash(a) != vocabulary_hash(b)
    docs = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    model = SequenceClassifier(hidden_size=2, max_epochs=1, random_state=0)
    model.fit(WordIds(np.arange(9), docs, a), docs)
    with pytest.raises(ValueError, match="another vocabulary"):
        model.predict(WordIds(np.arange(9), docs, b))
    # a lone surrogate (surrogateescape decoding keeps one) raised UnicodeEncodeError
    lone = [vocabulary_hash(_vectors([word, "z"])) for word in ("\udc80", "\udc81")]
    assert lone[0] != lone[1] and all(h.startswith("v2:") for h in lone)


def test_a_legacy_vocabulary_fingerprint_still_matches():
    import hashlib

    def legacy(words):  # the fingerprint of models fitted before "v2:"
        return hashlib.blake2b("\0".join(words).encode() + b"\1", digest_size=8).hexdigest()

    words = ["the", "film", "était", "good"]
    wv = _vectors(words)
    assert same_vocabulary(wv, legacy(words), n_words=4)
    assert same_vocabulary(wv, vocabulary_hash(wv), n_words=4)
    assert not same_vocabulary(wv, legacy(words[::-1]))
    assert not same_vocabulary(wv, legacy(words), n_words=5)
    assert not same_vocabulary(wv, vocabulary_hash(_vectors(words[:3])))
    # where the legacy hash is ambiguous or cannot be computed: no match, no error
    assert not same_vocabulary(_vectors(["x", "y", "z"]), legacy(["x\0y", "z"]), n_words=2)
    assert not same_vocabulary(_vectors(["x\0y", "z"]), legacy(["x", "y", "z"]))
    assert not same_vocabulary(_vectors(["\udc80", "z"]), legacy(["z"]))


def test_empty_input_is_refused(fitted):
    model, docs, y = fitted
    with pytest.raises(ValueError, match="0 documents"):
        model.predict([])
    empty = model["w2v"].transform(docs)[np.array([], dtype=int)]
    with pytest.raises(ValueError, match="0 documents"):
        model["rnn"].predict(empty)


def test_clone_grid_search_and_cross_validation():
    docs, y = corpus()
    grid = GridSearchCV(
        pipeline(),
        {"w2v__window": [2, 5], "rnn__freeze_embeddings": [False, True]},
        cv=2,
    ).fit(docs, y)
    assert set(grid.cv_results_["params"][0]) == {"w2v__window", "rnn__freeze_embeddings"}
    ids = Word2VecTransformer(output="ids", **FAST_W2V).fit(docs).transform(docs)
    scores = cross_val_score(SequenceClassifier(**FAST_RNN), ids, y, cv=2)
    assert scores.shape == (2,)


def test_pickle_and_safe_file_predict_the_same(fitted, tmp_path):
    model, docs, _ = fitted
    expected = model.predict_proba(docs)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(model)).predict_proba(docs), expected
    )
    path = os.path.join(tmp_path, "text.safetensors")
    save(model, path)
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict_proba(docs), expected)
    assert loaded["rnn"].vocabulary_hash_ == model["rnn"].vocabulary_hash_


def test_generator_reads_ids():
    docs, y = corpus(20)
    ids = Word2VecTransformer(output="ids", **FAST_W2V).fit(docs).transform(docs)
    gen = SequenceGenerator(early_stopping=False, **FAST_RNN).fit(ids, list(y))
    assert len(gen.predict(ids[:3])) == 3
    assert "embedding.weight" in gen.get_weights()


@pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="needs a CUDA GPU")
def test_ids_train_on_a_gpu_and_load_on_the_cpu(tmp_path):
    docs, y = corpus()
    model = pipeline(device="cuda").fit(docs, y)
    assert model["rnn"].net_.module_.embedding.weight.device.type == "cuda"
    path = os.path.join(tmp_path, "gpu.safetensors")
    save(model, path)
    loaded = load(path, device="cpu")
    np.testing.assert_allclose(
        loaded.predict_proba(docs), model.predict_proba(docs), atol=1e-4
    )


@pytest.mark.parametrize("bad", [999, -1])
def test_hand_built_ids_outside_the_vocabulary_are_refused(bad):
    w2v = Word2VecTransformer(output="ids", **FAST_W2V).fit(["good day", "bad day"] * 4)
    ids = w2v.transform(["good day", "bad day"])
    forged = WordIds(ids.indptr, np.r_[ids.indices[:-1], bad], ids.wv)
    model = SequenceClassifier(hidden_size=2, max_epochs=1)
    with pytest.raises(
        ValueError, match=rf"X\[1\] holds word id {bad}, outside the vocabulary"
    ):
        model.fit(forged, [0, 1])


def test_a_model_with_an_older_fingerprint_still_reads_its_vocabulary():
    """Models fitted before the fingerprint changed hold the legacy one."""
    from sklearn_seq._word_ids import _legacy_hash

    w2v = Word2VecTransformer(output="ids", **FAST_W2V).fit(["good day", "bad day"] * 4)
    ids = w2v.transform(["good day", "bad day"] * 4)
    model = SequenceClassifier(hidden_size=2, max_epochs=1, random_state=0).fit(
        ids, [0, 1] * 4
    )
    expected = model.predict_proba(ids)
    model.vocabulary_hash_ = _legacy_hash(ids.wv)
    assert not model.vocabulary_hash_.startswith("v2:")
    np.testing.assert_array_equal(model.predict_proba(ids), expected)
    other = Word2VecTransformer(output="ids", **FAST_W2V).fit(["one two", "three"] * 4)
    with pytest.raises(ValueError, match="another vocabulary"):
        model.predict(other.transform(["one two"]))

import pickle

import numpy as np
import pandas as pd
import pytest
import sklearn
from gensim.models import Word2Vec
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from sklearn_seq import Word2VecTransformer
from sklearn_seq.datasets import load_movie_review_sentences

SMALL = {"vector_size": 20, "min_count": 2, "random_state": 0}


@pytest.fixture(scope="module")
def lee():
    with open(datapath("lee_background.cor")) as f:
        return [simple_preprocess(line) for line in f]


@pytest.fixture(scope="module")
def lee_model(lee):
    return Word2VecTransformer(**SMALL).fit(lee)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sg": 1},
        {"sg": 1, "hs": 1, "negative": 0},
        {"window": 3, "sample": 0, "epochs": 2, "alpha": 0.05},
    ],
)
def test_identical_to_raw_gensim(lee, params):
    ours = Word2VecTransformer(**{**SMALL, "random_state": 7}, **params).fit(lee)
    raw = Word2Vec(lee, vector_size=20, min_count=2, seed=7, workers=1, **params)
    assert ours.wv_.index_to_key == raw.wv.index_to_key
    np.testing.assert_array_equal(ours.wv_.vectors, raw.wv.vectors)


def test_gensim_neighbour_check_on_lee(lee):
    """gensim's own quality check: skip-gram + hierarchical softmax on the Lee corpus."""
    w2v = Word2VecTransformer(
        sg=1, hs=1, negative=0, vector_size=100, epochs=20, random_state=0
    ).fit(lee)
    neighbours = [word for word, _ in w2v.wv_.most_similar("attacks", topn=50)]
    assert "bombings" in neighbours


def test_analogy_api_is_reachable(lee_model):
    result = lee_model.wv_.most_similar(positive=["israeli", "arafat"], negative=["sharon"])
    assert len(result) == 10 and all(isinstance(w, str) for w, _ in result)


def test_strings_are_tokenized_like_token_lists(lee):
    with open(datapath("lee_background.cor")) as f:
        texts = f.readlines()
    a = Word2VecTransformer(**SMALL).fit(texts)
    b = Word2VecTransformer(**SMALL).fit(lee)
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    np.testing.assert_array_equal(a.transform(texts[:5]), b.transform(lee[:5]))


def test_custom_tokenizer_and_untouched_token_lists():
    docs = ["A-B c-d", "a-b C-D"] * 5
    w2v = Word2VecTransformer(
        tokenizer=str.split, vector_size=4, min_count=1, random_state=0
    ).fit(docs)
    assert set(w2v.wv_.index_to_key) == {"A-B", "c-d", "a-b", "C-D"}
    w2v = Word2VecTransformer(vector_size=4, min_count=1, random_state=0).fit(
        [["Keep", "CASE!"]] * 3
    )
    assert set(w2v.wv_.index_to_key) == {"Keep", "CASE!"}


def test_same_random_state_same_vectors(lee):
    a = Word2VecTransformer(**SMALL).fit(lee).wv_.vectors
    b = Word2VecTransformer(**SMALL).fit(lee).wv_.vectors
    c = Word2VecTransformer(**{**SMALL, "random_state": 1}).fit(lee).wv_.vectors
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# --- pooling ------------------------------------------------------------------------


def manual(w2v, doc):
    return np.array([w2v.wv_[t] for t in doc if t in w2v.wv_.key_to_index])


def test_mean_sum_max_match_a_manual_computation(lee_model, lee):
    docs = lee[:20]
    for pooling, reduce in [("mean", np.mean), ("sum", np.sum), ("max", np.max)]:
        out = lee_model.set_params(pooling=pooling).transform(docs)
        expected = np.array([reduce(manual(lee_model, d), axis=0) for d in docs])
        np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    lee_model.set_params(pooling="mean")


def test_tfidf_is_an_idf_weighted_mean(lee):
    w2v = Word2VecTransformer(pooling="tfidf", **SMALL).fit(lee)
    n_docs = len(lee)
    doc = lee[3]
    known = [t for t in doc if t in w2v.wv_.key_to_index]
    df = {t: sum(t in set(d) for d in lee) for t in set(known)}
    idf = {t: np.log((1 + n_docs) / (1 + df[t])) + 1 for t in df}
    weights = np.array([idf[t] for t in known])
    expected = (weights[:, None] * manual(w2v, doc)).sum(0) / weights.sum()
    np.testing.assert_allclose(w2v.transform([doc])[0], expected, rtol=1e-4, atol=1e-6)
    assert w2v.idf_.shape == (len(w2v.wv_),)


def test_sif_weights_and_removes_the_common_component(lee):
    w2v = Word2VecTransformer(pooling="sif", **SMALL).fit(lee)
    out = w2v.transform(lee)
    u = w2v.sif_component_
    np.testing.assert_allclose(np.linalg.norm(u), 1.0, rtol=1e-6)
    # the fitted common component is gone from every document vector
    np.testing.assert_allclose(out @ u, 0.0, atol=1e-4)
    # frequent words weigh less than rare ones
    p = w2v.word_probability_
    assert p[w2v.wv_.key_to_index["the"]] > p[w2v.wv_.key_to_index["bombings"]]


def test_unknown_words_are_skipped_and_empty_documents_are_zero(lee_model):
    doc = ["qqqunknown", "police", "zzzunknown", "said"]
    np.testing.assert_allclose(
        lee_model.transform([doc]), lee_model.transform([["police", "said"]])
    )
    for pooling in ["mean", "sum", "max"]:
        out = lee_model.set_params(pooling=pooling).transform([["qqqunknown"], [], "!!!"])
        assert out.shape == (3, 20) and not np.isnan(out).any() and not out.any()
    lee_model.set_params(pooling="mean")


def test_sequence_output(lee_model, lee):
    seqs = lee_model.set_params(output="sequence").transform(lee[:3] + [["qqqunknown"]])
    assert len(seqs) == 4
    np.testing.assert_array_equal(seqs[0], manual(lee_model, lee[0]))
    assert seqs[0].dtype == np.float32
    assert seqs[3].shape == (1, 20) and not seqs[3].any()  # no known word: one zero step
    capped = lee_model.set_params(max_length=7).transform(lee[:3])
    assert [len(s) for s in capped] == [7, 7, 7]
    np.testing.assert_array_equal(capped[0], seqs[0][:7])
    lee_model.set_params(output="pooled", max_length=None)


# --- sklearn integration -------------------------------------------------------------


def test_feature_names_and_pandas_output(lee_model, lee):
    names = lee_model.get_feature_names_out()
    assert list(names[:2]) == ["word2vectransformer0", "word2vectransformer1"]
    frame = clone(lee_model).set_output(transform="pandas").fit(lee).transform(lee[:4])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(names) and frame.shape == (4, 20)
    with pytest.raises(ValueError, match="output='pooled' only"):
        clone(lee_model).set_params(output="sequence").fit(lee).get_feature_names_out()


def test_input_tags_declare_strings():
    tags = Word2VecTransformer().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_pickle_keeps_vectors_not_training_state(lee, lee_model):
    blob = pickle.dumps(lee_model)
    raw = Word2Vec(lee, vector_size=20, min_count=2, seed=0, workers=1)
    assert len(blob) < 0.75 * len(pickle.dumps(raw))
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.transform(lee[:5]), lee_model.transform(lee[:5]))
    assert not hasattr(restored.wv_, "syn1neg")


def test_clone_unfitted_and_fitted(lee_model, lee):
    unfitted = clone(Word2VecTransformer(pretrained="does/not/exist.txt"))
    assert unfitted.pretrained == "does/not/exist.txt"  # nothing loaded in __init__
    fresh = clone(lee_model)
    assert not hasattr(fresh, "wv_")
    np.testing.assert_array_equal(
        fresh.fit(lee).transform(lee[:3]), lee_model.transform(lee[:3])
    )


def test_pipeline_grid_search_on_movie_reviews():
    texts, y = load_movie_review_sentences(return_X_y=True)
    pipe = Pipeline(
        [
            ("w2v", Word2VecTransformer(min_count=1, epochs=5, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    grid = GridSearchCV(
        pipe,
        {
            "w2v__vector_size": [10, 20],
            "w2v__sg": [0, 1],
            "w2v__pooling": ["mean", "tfidf"],
        },
        cv=StratifiedKFold(3),
    )
    grid.fit(texts, y)
    assert len(grid.cv_results_["params"]) == 8
    assert 0.0 <= grid.best_score_ <= 1.0
    assert set(grid.predict(texts[:10])) <= {"pos", "neg"}


def test_no_sample_weight_and_none_routed(lee):
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.1, 5.0, len(lee))
    w2v = Word2VecTransformer(**SMALL)
    for method in [w2v.fit, w2v.fit_transform]:
        with pytest.raises(TypeError, match="sample_weight"):
            method(lee, sample_weight=weights)
    assert not hasattr(w2v, "set_fit_request")  # no metadata for routing to send it
    y = np.arange(len(lee)) % 2
    with sklearn.config_context(enable_metadata_routing=True):
        clf = LogisticRegression().set_fit_request(sample_weight=True)
        pipe = Pipeline([("w2v", w2v), ("clf", clf)]).fit(lee, y, sample_weight=weights)
        Xt = pipe["w2v"].transform(lee)
        weighted = LogisticRegression().fit(Xt, y, sample_weight=weights)
    # the weights reached the classifier, and only it
    np.testing.assert_allclose(pipe["clf"].coef_, weighted.coef_, rtol=1e-6)
    assert not np.allclose(weighted.coef_, LogisticRegression().fit(Xt, y).coef_)


# --- pretrained vectors ---------------------------------------------------------------


@pytest.mark.parametrize("binary", [False, True])
def test_pretrained_file_is_loaded_in_fit_without_retraining(
    lee_model, lee, tmp_path, binary
):
    path = tmp_path / ("vectors.bin" if binary else "vectors.txt")
    lee_model.wv_.save_word2vec_format(str(path), binary=binary)
    w2v = Word2VecTransformer(pretrained=str(path))
    assert not hasattr(w2v, "wv_")
    w2v.fit(lee[:5])
    assert w2v.wv_.index_to_key == lee_model.wv_.index_to_key
    np.testing.assert_allclose(w2v.wv_.vectors, lee_model.wv_.vectors, atol=1e-5)


def test_pretrained_keyed_vectors_and_train_pretrained(lee_model, lee):
    kv = lee_model.wv_
    before = kv.vectors.copy()
    frozen = Word2VecTransformer(pretrained=kv).fit(lee)
    assert frozen.wv_ is kv
    tuned = Word2VecTransformer(
        pretrained=kv,
        train_pretrained=True,
        min_count=2,
        epochs=1,
        alpha=1e-4,
        min_alpha=1e-5,
        random_state=0,
    ).fit(lee)
    np.testing.assert_array_equal(kv.vectors, before)  # the parameter is not modified
    assert tuned.wv_ is not kv and tuned.wv_.vector_size == 20
    row = tuned.wv_.key_to_index["police"]
    moved = np.linalg.norm(tuned.wv_.vectors[row] - kv["police"])
    assert 0 < moved < 0.1 * np.linalg.norm(kv["police"])  # fine-tuned from, not replaced


def test_pretrained_vectors_need_no_documents(lee_model, lee):
    kv = lee_model.wv_
    w2v = Word2VecTransformer(pretrained=kv).fit(None)
    assert w2v.wv_ is kv
    np.testing.assert_array_equal(w2v.transform(lee[:3]), lee_model.transform(lee[:3]))
    assert Word2VecTransformer(pretrained=kv).fit().wv_ is kv
    with pytest.raises(ValueError, match="pooling='tfidf' learns its statistics"):
        Word2VecTransformer(pretrained=kv, pooling="tfidf").fit(None)
    for trains in [{}, {"pretrained": kv, "train_pretrained": True}]:
        with pytest.raises(ValueError, match="X is None: give documents"):
            Word2VecTransformer(**trains).fit(None)


def test_pretrained_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Word2VecTransformer(pretrained=str(tmp_path / "missing.txt")).fit(["a b"])
    junk = tmp_path / "junk.txt"
    junk.write_text("this is not\na word2vec file\n")
    with pytest.raises(ValueError, match="not a word2vec text or binary file"):
        Word2VecTransformer(pretrained=str(junk)).fit(["a b"])


# --- corpus_file ----------------------------------------------------------------------


def test_corpus_file_streams_training_and_statistics(lee, tmp_path):
    path = tmp_path / "lee.txt"
    path.write_text("\n".join(" ".join(doc) for doc in lee) + "\n")
    from_file = Word2VecTransformer(
        corpus_file=str(path), pooling="tfidf", workers=2, **SMALL
    ).fit()
    in_memory = Word2VecTransformer(pooling="tfidf", **SMALL).fit(lee)
    assert set(from_file.wv_.index_to_key) == set(in_memory.wv_.index_to_key)
    order = [in_memory.wv_.key_to_index[w] for w in from_file.wv_.index_to_key]
    np.testing.assert_allclose(from_file.idf_, in_memory.idf_[order])
    sims = [w for w, _ in from_file.wv_.most_similar("police", topn=100)]
    assert len(sims) == 100
    assert from_file.transform(lee[:3]).shape == (3, 20)


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        ([], "empty"),
        (["a good film", None], r"X\[1\] is NoneType"),
        (["a good film", 3.5], r"X\[1\] is float"),
        ([["a", "b"], ["c", 4]], r"X\[1\] is list"),
        ("a single string", "single string"),
        (np.ones((3, 2)), "1-D collection"),
    ],
)
def test_bad_documents(X, match):
    with pytest.raises(ValueError, match=match):
        Word2VecTransformer(min_count=1).fit(X)


def test_min_count_leaving_an_empty_vocabulary():
    with pytest.raises(ValueError, match="min_count=5 left the vocabulary empty"):
        Word2VecTransformer().fit(["one two three", "four five six"])


def test_min_count_auto_keeps_words_seen_twice_for_ids_only():
    docs = ["one two three four five"] * 5 + ["six seven", "six eight"]
    pooled = Word2VecTransformer(random_state=0).fit(docs)
    ids = Word2VecTransformer(output="ids", random_state=0).fit(docs)
    assert "six" not in pooled.wv_ and "six" in ids.wv_ and "seven" not in ids.wv_
    assert len(pooled.wv_) == len(Word2VecTransformer(min_count=5).fit(docs).wv_) == 5


def test_transform_before_fit():
    with pytest.raises(NotFittedError):
        Word2VecTransformer().transform(["a b"])


def test_pooling_changed_after_fit_needs_refit(lee_model):
    with pytest.raises(ValueError, match="refit"):
        clone(lee_model).set_params(pooling="mean").fit([["a", "a"]] * 2).set_params(
            pooling="tfidf"
        ).transform([["a"]])


def test_invalid_parameter_names_the_choices():
    with pytest.raises(ValueError, match="'pooling' parameter of Word2VecTransformer"):
        Word2VecTransformer(pooling="median").fit(["a b"])

import json
import pickle

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceGenerator,
    Word2VecTransformer,
    load,
    make_windows,
    save,
)
from sklearn_seq.datasets import load_movie_review_sentences
from sklearn_seq.persistence import UnsafeModelFileError

TINY = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}
DOCS = ["the cat sat on the mat", "a dog sat on a log", "the cat ate the fish"] * 10


@pytest.fixture
def path(tmp_path):
    return tmp_path / "model.safetensors"


def round_trip(model, path, **load_kwargs):
    save(model, path)
    return load(path, **load_kwargs)


def sine():
    return make_windows(np.sin(0.1 * np.arange(300)), lookback=20)


def test_forecaster_round_trip(path):
    X, y = sine()
    model = RNNForecaster(**TINY).fit(X, y)
    loaded = round_trip(model, path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.forecast(X[0], 30), model.forecast(X[0], 30))
    assert loaded.get_params() == model.get_params()
    assert loaded.target_shape_ == model.target_shape_
    assert len(loaded.net_.history) == 3
    assert loaded.net_.history[-1, "train_loss"] == model.net_.history[-1, "train_loss"]


def test_multichannel_multistep_forecaster_round_trip(path):
    track = np.stack([np.sin(0.1 * np.arange(200)), np.cos(0.1 * np.arange(200))], 1)
    X, y = make_windows(track, lookback=10, horizon=3)
    model = RNNForecaster(cell="gru", bidirectional=True, num_layers=2, **TINY).fit(X, y)
    loaded = round_trip(model, path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("labels", [["low", "high"], [3, 7]])
def test_classifier_round_trip(path, labels):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(3, 15, 40)]
    y = np.array([labels[i % 2] for i in range(40)])
    model = SequenceClassifier(pooling="attention", class_weight="balanced", **TINY).fit(
        X, y
    )
    loaded = round_trip(model, path)
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.classes_.tolist() == model.classes_.tolist()
    # the balanced loss weights come back too, and training can go on (a learning
    # rate schedule resumes from the saved history)
    np.testing.assert_array_equal(loaded.class_weights_, model.class_weights_)
    before = loaded.predict_proba(X)
    loaded.set_params(warm_start=True).fit(X, y)
    assert loaded.n_epochs_ > model.n_epochs_
    assert not np.array_equal(loaded.predict_proba(X), before)


def test_classifier_with_series_standardization_round_trip(path):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) * rng.uniform(1, 9) for n in rng.integers(3, 15, 40)]
    y = np.arange(40) % 2
    model = SequenceClassifier(standardize="series", **TINY).fit(X, y)
    loaded = round_trip(model, path)
    assert loaded.standardize == "series" and not hasattr(loaded, "x_mean_")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("kind", ["chars", "tokens", "numeric"])
def test_generator_round_trip(path, kind):
    digits = load_digits()
    X = digits.data[:200]
    if kind == "chars":
        y = [str(t) * (1 + t % 3) for t in digits.target[:200]]
    elif kind == "tokens":
        y = [["digit", str(t)] for t in digits.target[:200]]
    else:
        y = np.stack([np.full(5, t, dtype=float) for t in digits.target[:200]])
    model = SequenceGenerator(**TINY).fit(X, y)
    loaded = round_trip(model, path)
    if kind == "numeric":
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    else:
        assert loaded.predict(X) == model.predict(X)
        assert loaded.sample(X, random_state=3) == model.sample(X, random_state=3)
        assert loaded.vocabulary_ == model.vocabulary_


@pytest.mark.parametrize("pooling", ["mean", "tfidf", "sif", "max"])
def test_word2vec_round_trip(path, pooling):
    model = Word2VecTransformer(
        vector_size=6, min_count=1, pooling=pooling, random_state=0
    ).fit(DOCS)
    loaded = round_trip(model, path)
    np.testing.assert_array_equal(loaded.transform(DOCS), model.transform(DOCS))
    assert loaded.wv_.index_to_key == model.wv_.index_to_key
    assert loaded.wv_.most_similar("cat", topn=3) == model.wv_.most_similar("cat", topn=3)


def test_pipelines_round_trip(path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 12)), np.array(["a", "b"] * 20)
    pipe = Pipeline([("scale", StandardScaler()), ("rnn", SequenceClassifier(**TINY))]).fit(
        X, y
    )
    np.testing.assert_array_equal(
        round_trip(pipe, path).predict_proba(X), pipe.predict_proba(X)
    )

    text = Pipeline(
        [
            ("w2v", Word2VecTransformer(vector_size=6, min_count=1, random_state=0)),
            ("minmax", MinMaxScaler()),
            ("clf", LogisticRegression()),
        ]
    ).fit(DOCS, [0, 1, 0] * 10)
    np.testing.assert_array_equal(
        round_trip(text, path).predict_proba(DOCS), text.predict_proba(DOCS)
    )

    text_rnn = Pipeline(
        [
            (
                "w2v",
                Word2VecTransformer(
                    output="sequence", vector_size=6, min_count=1, random_state=0
                ),
            ),
            ("rnn", SequenceClassifier(**TINY)),
        ]
    ).fit(DOCS, ["x", "y", "x"] * 10)
    np.testing.assert_array_equal(
        round_trip(text_rnn, path).predict_proba(DOCS), text_rnn.predict_proba(DOCS)
    )


# --- scikit-learn's plain-data steps ----------------------------------------------------


TEXTS, LABELS = load_movie_review_sentences(return_X_y=True)
DIGITS, DIGIT_LABELS = load_digits(return_X_y=True)
DIGITS, DIGIT_LABELS = DIGITS[:150], DIGIT_LABELS[:150]
GAPPY_DIGITS = np.where(np.random.default_rng(0).random(DIGITS.shape) < 0.1, np.nan, DIGITS)


CATEGORIES = np.array(
    [["red", 1, "s"], ["blue", 2, None], ["red", 2, "m"], [None, 3, "s"]] * 5
    + [[np.nan, 1, "xl"], ["green", 9, "s"]],
    dtype=object,
)


def as_dense(X):
    return X.toarray() if sparse.issparse(X) else np.asarray(X)


STEPS = {
    "pca": (PCA(n_components=0.8, whiten=True), DIGITS, None),
    "pca-randomized": (PCA(6, svd_solver="randomized", random_state=0), DIGITS, None),
    "svd": (TruncatedSVD(n_components=5, random_state=0), DIGITS, None),
    "tfidf": (
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=300, sublinear_tf=True),
        TEXTS,
        ["an utterly unseen sentence", "the film is good"],
    ),
    "counts": (
        CountVectorizer(analyzer="char_wb", ngram_range=(2, 3)),
        TEXTS,
        ["zzz qqq", "the film is good"],
    ),
    "counts-english": (
        CountVectorizer(stop_words="english", binary=True, dtype=np.float32),
        TEXTS,
        ["the film is good"],
    ),
    "onehot": (
        OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=2, sparse_output=False
        ),
        CATEGORIES,
        np.array([["purple", 7, "s"], ["blue", 2, None]], dtype=object),
    ),
    "onehot-strings": (
        OneHotEncoder(drop="if_binary", dtype=np.int32),
        np.array([["a", "x"], ["b", "y"], ["c", "x"]]),
        None,
    ),
    "imputer": (SimpleImputer(add_indicator=True), GAPPY_DIGITS, None),
    "imputer-categories": (
        SimpleImputer(strategy="most_frequent"),
        np.where(CATEGORIES == "m", np.nan, CATEGORIES),
        None,
    ),
}


@pytest.mark.parametrize("name", STEPS)
def test_sklearn_steps_round_trip(path, name):
    step, X, unseen = STEPS[name]
    step.fit(X)
    loaded = round_trip(step, path)
    assert type(loaded) is type(step)
    assert str(loaded.get_params()) == str(step.get_params())
    for data in (X, unseen) if unseen is not None else (X,):
        expected = step.transform(data)
        assert type(loaded.transform(data)) is type(expected)
        np.testing.assert_array_equal(as_dense(loaded.transform(data)), as_dense(expected))
    np.testing.assert_array_equal(
        loaded.get_feature_names_out(), step.get_feature_names_out()
    )
    assert getattr(loaded, "vocabulary_", None) == getattr(step, "vocabulary_", None)


def test_text_and_numeric_pipelines_with_a_recurrent_step_round_trip(path):
    tiny = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}
    text = Pipeline(
        [
            ("counts", CountVectorizer(min_df=2)),
            ("tfidf", TfidfTransformer()),
            ("svd", TruncatedSVD(n_components=8, random_state=0)),
            ("rnn", SequenceClassifier(**tiny)),
        ]
    ).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(
        round_trip(text, path).predict_proba(TEXTS), text.predict_proba(TEXTS)
    )

    numeric = Pipeline(
        [
            ("impute", SimpleImputer(add_indicator=True)),
            ("pca", PCA(n_components=10)),
            ("rnn", SequenceClassifier(**tiny)),
        ]
    ).fit(GAPPY_DIGITS, DIGIT_LABELS)
    np.testing.assert_array_equal(
        round_trip(numeric, path).predict_proba(GAPPY_DIGITS),
        numeric.predict_proba(GAPPY_DIGITS),
    )


@pytest.mark.parametrize(
    "step, parameter",
    [
        (CountVectorizer(tokenizer=str.split, token_pattern=None), "tokenizer"),
        (TfidfVectorizer(preprocessor=str.lower), "preprocessor"),
        (CountVectorizer(analyzer=lambda doc: doc.split()), "analyzer"),
        (
            OneHotEncoder(feature_name_combiner=lambda f, c: f"{f}={c}"),
            "feature_name_combiner",
        ),
        (CountVectorizer(dtype=float), "dtype"),
    ],
)
def test_functions_as_parameters_are_refused_at_save(path, step, parameter):
    X = [["a"], ["b"]] if isinstance(step, OneHotEncoder) else DOCS
    step.fit(X)
    name = type(step).__name__
    with pytest.raises(TypeError, match=f"{name}.{parameter} = .* cannot be stored .*code"):
        save(Pipeline([("step", step)]), path)
    assert not path.exists()


def test_model_saved_with_cuda_device_loads_on_cpu(path):
    X, y = sine()
    model = RNNForecaster(**TINY).fit(X, y)
    model.device = "cuda"  # as if trained on a GPU: the file records device="cuda"
    save(model, path)
    loaded = load(path, device="cpu")
    assert next(loaded.net_.module_.parameters()).device.type == "cpu"
    assert loaded.device == "cpu"  # where the network is: a warm start trains there
    np.testing.assert_array_equal(loaded.predict(X), RNNForecaster.predict(model, X))
    loaded.set_params(warm_start=True, max_epochs=1).fit(X, y)
    if not torch.cuda.is_available():  # the default also falls back, and says so
        with pytest.warns(UserWarning, match="device='cuda', and torch sees no GPU"):
            fallback = load(path)
        assert next(fallback.net_.module_.parameters()).device.type == "cpu"
        assert fallback.device == "cpu"
        fallback.set_params(warm_start=True, max_epochs=1).fit(X, y)


def test_unsupported_contents_are_refused_at_save(path):
    X, y = sine()
    with pytest.raises(TypeError, match="tokenizer .* cannot be stored"):
        save(Word2VecTransformer(tokenizer=str.split, min_count=1).fit(DOCS), path)
    with pytest.raises(TypeError, match="callbacks .* cannot be stored"):
        from skorch.callbacks import EpochTimer

        save(RNNForecaster(callbacks=[EpochTimer()], **TINY).fit(X, y), path)
    with pytest.raises(TypeError, match="FunctionTransformer cannot be saved"):
        from sklearn.preprocessing import FunctionTransformer

        save(FunctionTransformer(), path)


# --- hostile files: refused, and nothing in them runs ----------------------------------


class Payload:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))  # creates a file if ever unpickled


def test_pickle_payload_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "model.safetensors"
    evil.write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(UnsafeModelFileError, match="not a sklearn_seq model file"):
        load(evil)
    assert not marker.exists()


def rewrite(path, edit_document=None, edit_tensors=None):
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    tensors = load_file(str(path))
    document = json.loads(metadata["sklearn_seq"])
    if edit_document:
        edit_document(document)
    if edit_tensors:
        edit_tensors(tensors, document)
    save_file(tensors, str(path), metadata={"sklearn_seq": json.dumps(document)})


@pytest.fixture
def saved_forecaster(path):
    X, y = sine()
    save(RNNForecaster(**TINY).fit(X, y), path)
    return path


@pytest.mark.parametrize(
    "class_name",
    ["os.system", "subprocess.Popen", "builtins.eval", "FunctionTransformer", "Payload"],
)
def test_unknown_class_is_refused(saved_forecaster, class_name):
    rewrite(saved_forecaster, lambda doc: doc["model"].update({"class": class_name}))
    with pytest.raises(UnsafeModelFileError, match=f"names class '{class_name}'"):
        load(saved_forecaster)


def test_wrong_tensor_shape_is_refused(saved_forecaster):
    def shrink(tensors, document):
        name = document["model"]["weights"]["head.weight"]["tensor"]
        tensors[name] = tensors[name][:, :3].copy()

    rewrite(saved_forecaster, edit_tensors=shrink)
    with pytest.raises(UnsafeModelFileError, match="tensor 'head.weight' has shape"):
        load(saved_forecaster)


def test_missing_weights_are_refused(saved_forecaster):
    rewrite(saved_forecaster, lambda doc: doc["model"]["weights"].pop("head.bias"))
    with pytest.raises(UnsafeModelFileError, match="missing \\['head.bias'\\]"):
        load(saved_forecaster)


@pytest.mark.parametrize(
    "edit, match",
    [
        (
            lambda doc: doc["model"]["state"].update({"__class__": "x"}),
            "unexpected attribute",
        ),
        (lambda doc: doc["model"]["params"].update({"evil": 1}), "unknown parameters"),
        (
            lambda doc: doc["model"]["params"].update({"optimizer": {"optimizer": "os"}}),
            "unknown optimizer",
        ),
        (
            lambda doc: doc["model"]["params"].update({"lr": {"__reduce__": "os.system"}}),
            "unexpected value",
        ),
        (
            lambda doc: doc["model"]["state"].update({"_fit_svd_solver": "full"}),
            "unexpected attribute",
        ),
        (
            lambda doc: doc["model"]["params"].update({"lr": {"numpy_type": "eval"}}),
            "unknown numpy type 'eval'",
        ),
        (
            lambda doc: doc["model"]["state"].update(
                {"x_mean_": {"estimator": {"class": "os.system"}}}
            ),
            "names class 'os.system'",
        ),
        (lambda doc: doc.update({"format": "other"}), "not a sklearn_seq model file"),
        (lambda doc: doc.update({"version": "99"}), "version '99' is not supported"),
    ],
)
def test_tampered_documents_are_refused(saved_forecaster, edit, match):
    rewrite(saved_forecaster, edit)
    with pytest.raises(UnsafeModelFileError, match=match):
        load(saved_forecaster)


def test_garbage_and_foreign_safetensors_are_refused(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(UnsafeModelFileError, match="not a sklearn_seq model file"):
        load(junk)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(foreign))
    with pytest.raises(UnsafeModelFileError, match="not a sklearn_seq model file"):
        load(foreign)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.safetensors")


def test_a_model_trained_on_a_gpu_loads_on_the_cpu():
    """The fixture was fitted with device="cuda" on an H100 and saved there:

    RNNForecaster(device="cuda", max_epochs=20, random_state=0) on
    make_windows(np.sin(0.1 * np.arange(600)), lookback=30), with its GPU predictions.
    """
    from pathlib import Path

    data = Path(__file__).parent / "data"
    model = load(data / "forecaster_trained_on_cuda.safetensors", device="cpu")
    assert model.device == "cpu"
    assert next(model.net_.module_.parameters()).device.type == "cpu"
    X, _ = make_windows(np.sin(0.1 * np.arange(600)), lookback=30)
    gpu_predictions = np.load(data / "forecaster_trained_on_cuda_predictions.npy")
    np.testing.assert_allclose(model.predict(X), gpu_predictions, atol=1e-4)


def test_a_file_written_before_window_scaling_keeps_global_scaling():
    from pathlib import Path

    data = Path(__file__).parent / "data"
    loaded = load(data / "forecaster_trained_on_cuda.safetensors", device="cpu")
    assert loaded.scaling == "global"  # the file predates the parameter
    assert RNNForecaster().scaling != "global"  # so the default would not rebuild it
    assert loaded.season_length is None  # nor a seasonal baseline


def test_a_file_from_before_intervals_says_it_has_no_calibration():
    from pathlib import Path

    data = Path(__file__).parent / "data"
    loaded = load(data / "forecaster_trained_on_cuda.safetensors", device="cpu")
    X, _ = make_windows(np.sin(0.1 * np.arange(100)), lookback=30)
    asks = (lambda: loaded.predict_interval(X), lambda: loaded.forecast_interval(X[0], 5))
    for ask in asks:
        with pytest.raises(ValueError, match="no calibration for intervals.*Fit it again"):
            ask()


def test_a_classifier_file_from_before_front_ends_loads_without_one(path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 12)), np.arange(30) % 2
    model = SequenceClassifier(front_end=None, random_crop=None, **TINY).fit(X, y)
    save(model, path)
    with safe_open(str(path), framework="numpy") as f:
        document = json.loads(f.metadata()["sklearn_seq"])
    node = document["model"]
    for key in ("front_end", "patch_size", "random_crop", "test_time_crops"):
        del node["params"][key]  # a file from then lacks them
    del node["state"]["patch_size_"]
    metadata = {"sklearn_seq": json.dumps(document)}
    save_file(load_file(str(path)), str(path), metadata=metadata)
    loaded = load(path)
    assert loaded.front_end is None and SequenceClassifier().front_end is not None
    assert loaded.random_crop is None  # trained on whole sequences, as then
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


def test_test_time_crops_changed_after_fit_is_saved_and_warm_starts(path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 150)), np.arange(30) % 2  # long enough to crop
    model = SequenceClassifier(**TINY).fit(X, y).set_params(test_time_crops=False)
    save(model, path)
    loaded = load(path)
    assert loaded.test_time_crops is False  # as it is now, not as it was at fit
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    model.set_params(warm_start=True, max_epochs=1).fit(X, y)  # a prediction parameter
    assert model.n_epochs_ == TINY["max_epochs"] + 1


def test_a_classifier_file_from_before_test_time_crops_predicts_as_it_did(path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 150)), np.arange(30) % 2  # long enough to crop
    model = SequenceClassifier(**TINY).fit(X, y)
    save(model, path)
    with safe_open(str(path), framework="numpy") as f:
        document = json.loads(f.metadata()["sklearn_seq"])
    del document["model"]["params"]["test_time_crops"]  # a file from then lacks it
    metadata = {"sklearn_seq": json.dumps(document)}
    save_file(load_file(str(path)), str(path), metadata=metadata)
    loaded = load(path)
    assert loaded.test_time_crops is False and SequenceClassifier().test_time_crops
    whole = model.set_params(test_time_crops=False).predict_proba(X)
    np.testing.assert_array_equal(loaded.predict_proba(X), whole)  # whole sequences

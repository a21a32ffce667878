"""Every fitted attribute a model file carries is declared and checked at load.

Generated from the fitted attributes of every estimator and option family:
each attribute is tampered with (huge, zero, negative, wrong type, wrong
shape) and the file must be refused at load, with memory bounded, or (for
the few values that are valid) load and predict as before.
"""

import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceEncoder,
    SequenceGenerator,
    Word2VecTransformer,
    load,
    save,
)
from sklearn_seq._fitted import declared_fitted
from sklearn_seq.persistence import UnsafeModelFileError

TINY = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 8))
X3 = rng.normal(size=(60, 8, 2))
Y = rng.normal(size=60)
DOCS = ["the cat sat on the mat", "the dog ran far away", "a cat and a dog"] * 10
LABELS = ["a", "b", "c"] * 10


def _ids():
    return Word2VecTransformer(output="ids", vector_size=4, min_count=1, epochs=1).fit(DOCS)


def _word_vectors():
    w2v = Word2VecTransformer(output="sequence", vector_size=4, min_count=1, epochs=1)
    return w2v.fit(DOCS)


# family -> (fit a model, the input its predictions are compared on)
FAMILIES = {
    "forecaster": (lambda: RNNForecaster(**TINY).fit(X, Y), X[:3]),
    "forecaster global": (lambda: RNNForecaster(**TINY, scaling="global").fit(X, Y), X[:3]),
    "forecaster season": (lambda: RNNForecaster(**TINY, season_length=4).fit(X, Y), X[:3]),
    "forecaster horizon": (
        lambda: RNNForecaster(**TINY).fit(X, rng.normal(size=(60, 3))),
        X[:3],
    ),
    "forecaster covariates": (
        lambda: RNNForecaster(**TINY, n_future_covariates=1).fit(X3, Y),
        X3[:3],
    ),
    "forecaster frame": (
        lambda: RNNForecaster(**TINY).fit(pd.DataFrame(X), Y),
        pd.DataFrame(X[:3]),
    ),
    "classifier": (lambda: SequenceClassifier(**TINY).fit(X, ["a", "b"] * 30), X[:3]),
    "classifier balanced patches": (
        lambda: SequenceClassifier(
            **TINY, class_weight="balanced", front_end="patch", patch_size=2
        ).fit(X, ["a", "b", "b"] * 20),
        X[:3],
    ),
    "classifier word ids": (
        lambda: SequenceClassifier(**TINY).fit(_ids().transform(DOCS), LABELS),
        _ids().transform(DOCS[:3]),
    ),
    "classifier word vectors": (
        lambda: SequenceClassifier(**TINY).fit(_word_vectors().transform(DOCS), LABELS),
        _word_vectors().transform(DOCS[:3]),
    ),
    "generator chars": (lambda: SequenceGenerator(**TINY).fit(X, ["ab", "b"] * 30), X[:3]),
    "generator tokens": (
        lambda: SequenceGenerator(**TINY).fit(X3, [["x", "y"], ["y"]] * 30),
        X3[:3],
    ),
    "generator numeric": (
        lambda: SequenceGenerator(**TINY).fit(X3, rng.normal(size=(60, 5))),
        X3[:3],
    ),
    "generator word ids": (
        lambda: SequenceGenerator(**TINY).fit(_ids().transform(DOCS), LABELS),
        _ids().transform(DOCS[:3]),
    ),
    "encoder": (lambda: SequenceEncoder(**TINY).fit(X3), X3[:3]),
}
TAMPERS = {
    "huge": 10**12,
    "zero": 0,
    "negative": -1,
    "string": "x",
    "bool": True,
    "wrong shape": [[1.0, 2.0], [3.0, 4.0]],
    "wrong type": {"dict": {"a": 1}},
}
# (attribute, tamper) that give a valid value: they must load and predict as before
VALID = {
    ("n_epochs_", "zero"),
    ("reads_word_vectors_", "bool"),
}


def _read(path):
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    return json.loads(metadata["sklearn_seq"]), load_file(str(path))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Each family fitted once and saved: ``{family: (model, path)}``."""
    out = {}
    for family, (fit, _) in FAMILIES.items():
        model = fit()
        path = tmp_path_factory.mktemp("files") / f"{family}.safetensors"
        save(model, path)
        out[family] = model, path
    return out


def _predictions(model, X_new):
    out = model.predict(X_new) if hasattr(model, "predict") else model.transform(X_new)
    return np.asarray(out, dtype=object if isinstance(out, list) else None)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_fitted_attribute_is_declared(saved, family):
    model, path = saved[family]
    declared = declared_fitted(type(model))
    fitted = {k for k in vars(model) if k.endswith("_") and k[0] != "_" and k != "net_"}
    assert fitted - set(declared) == set(), "fitted attributes without a declared check"
    document, _ = _read(path)
    assert set(document["model"]["state"]) == fitted  # the file holds each of them


@pytest.mark.parametrize("family", FAMILIES)
def test_each_tampered_attribute_is_refused_with_bounded_memory(saved, family, tmp_path):
    model, path = saved[family]
    X_new = FAMILIES[family][1]
    expected = _predictions(model, X_new)
    document, tensors = _read(path)
    refused = 0
    for name in document["model"]["state"]:
        for tamper, value in TAMPERS.items():
            edited = json.loads(json.dumps(document))
            edited["model"]["state"][name] = value
            target = tmp_path / "tampered.safetensors"
            save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(edited)})
            tracemalloc.start()
            try:
                loaded = load(target)
            except UnsafeModelFileError as exc:
                assert name in str(exc) or "malformed" in str(exc), (name, tamper, exc)
                refused += 1
                loaded = None
            finally:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            assert peak < 20 * 2**20, (name, tamper, peak)
            if loaded is None:
                continue
            assert (name, tamper) in VALID, f"{name} = {value!r} ({tamper}) was not refused"
            np.testing.assert_array_equal(_predictions(loaded, X_new), expected)
    assert refused >= len(document["model"]["state"]) * (len(TAMPERS) - 1)


def test_a_file_with_an_undeclared_attribute_is_refused(saved, tmp_path):
    _, path = saved["forecaster"]
    document, tensors = _read(path)
    document["model"]["state"]["backdoor_"] = 1
    target = tmp_path / "extra.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(UnsafeModelFileError, match="unexpected attribute 'backdoor_'"):
        load(target)


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda w: w.astype(bool), "holds bool values; the model needs torch.float32"),
        (lambda w: np.full_like(w, np.nan), "holds NaN or infinite values"),
        (lambda w: np.full_like(w, np.inf), "holds NaN or infinite values"),
    ],
    ids=["bool", "nan", "inf"],
)
def test_weights_that_are_not_finite_floats_are_refused(saved, tmp_path, edit, match):
    _, path = saved["classifier"]
    document, tensors = _read(path)
    name = document["model"]["weights"]["head.bias"]["tensor"]
    tensors = {**tensors, name: edit(tensors[name])}
    target = tmp_path / "weights.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(UnsafeModelFileError, match=match):
        load(target)


@pytest.mark.parametrize(
    "family, name, value, match",
    [
        (
            "forecaster season",
            "season_length_",
            10**8,
            r"season_length_ must lie in \[1, 8\]",
        ),
        ("classifier", "patch_size_", 3 * 10**7, r"patch_size_ must lie in \[1, 65536\]"),
        (
            "forecaster",
            "calibration_errors_",
            [[[-1.0]]] * 12,
            "calibration_errors_ must be a float array",
        ),
    ],
)
def test_sizes_that_cost_gigabytes_are_refused(saved, tmp_path, family, name, value, match):
    """A few-kB file once asked for gigabytes through these attributes."""
    _, path = saved[family]
    document, tensors = _read(path)
    document["model"]["state"][name] = value
    target = tmp_path / "big.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(UnsafeModelFileError, match=match):
        load(target)


def test_negative_calibration_errors_are_refused(saved, tmp_path):
    model, path = saved["forecaster"]
    document, tensors = _read(path)
    name = document["model"]["state"]["calibration_errors_"]["tensor"]
    assert tensors[name].size > 0
    tensors = {**tensors, name: -tensors[name] - 1}
    target = tmp_path / "negative.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(
        UnsafeModelFileError, match="calibration_errors_ must hold values >= 0"
    ):
        load(target)


def test_an_integer_too_long_to_parse_is_refused(saved, tmp_path):
    _, path = saved["forecaster"]
    document, tensors = _read(path)
    text = json.dumps(document).replace('"n_epochs_": 1', '"n_epochs_": ' + "9" * 5000)
    assert text != json.dumps(document)
    target = tmp_path / "long.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": text})
    with pytest.raises(UnsafeModelFileError, match="holds a value this loader refuses"):
        load(target)


def test_a_token_vocabulary_without_its_markers_is_refused(saved, tmp_path):
    """The same number of words, so the network's shapes fit: only the vocabulary's
    own check sees that ids 0 and 1 no longer stand for the start and end markers."""
    _, path = saved["generator chars"]
    document, tensors = _read(path)
    words = document["model"]["state"]["vocabulary_"]
    document["model"]["state"]["vocabulary_"] = [f"w{i}" for i in range(len(words))]
    target = tmp_path / "markers.safetensors"
    save_file(tensors, str(target), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(UnsafeModelFileError, match="vocabulary_ must begin with"):
        load(target)

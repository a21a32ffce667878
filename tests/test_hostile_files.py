"""Hostile and malformed model files, table-driven: each is refused at ``load`` with
an ``UnsafeModelFileError`` that says what is wrong, before anything large is built."""

import builtins
import json
import os
import resource
import time

import numpy as np
import pytest
import torch
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq import RNNForecaster, SequenceClassifier, SequenceGenerator, load, save
from sklearn_seq.persistence import UnsafeModelFileError

TINY = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}
rng = np.random.default_rng(0)
X = rng.normal(size=(16, 5))
Y = rng.normal(size=16)
DOCS = ["the cat sat", "the dog ran"] * 4


def read(path):
    with safe_open(str(path), framework="numpy") as f:
        metadata = f.metadata()
    return json.loads(metadata["sklearn_seq"]), load_file(str(path))


def write(path, document, tensors):
    text = json.dumps(document).replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    save_file(tensors, str(path), metadata={"sklearn_seq": text})


def model_of(path, kind):
    models = {
        "forecaster": lambda: RNNForecaster(**TINY).fit(X, Y),
        "classifier": lambda: SequenceClassifier(**TINY).fit(X, ["a", "b"] * 8),
        "generator": lambda: SequenceGenerator(**TINY).fit(X, ["ab", "b"] * 8),
        "pipeline": lambda: Pipeline(
            [("scale", StandardScaler()), ("rnn", RNNForecaster(**TINY))]
        ).fit(X, Y),
        "vectorizer": lambda: Pipeline([("counts", CountVectorizer())]).fit(DOCS),
    }
    save(models[kind](), path)
    return read(path)


def params(doc):
    return doc["model"]["params"]


def state(doc):
    return doc["model"]["state"]


def nest(doc, depth):
    node = doc["model"]
    for _ in range(depth):
        node = {"class": "Pipeline", "params": {}, "steps": [["inner", node]]}
    doc["model"] = node


def deep_list(doc):
    doc["model"]["params"]["lr"] = "DEEP"  # written as lists nested 100,000 deep


def bfloat16(tensors, doc):
    name = doc["model"]["weights"]["head.bias"]["tensor"]
    return {**tensors, name: torch.zeros(tensors[name].shape, dtype=torch.bfloat16)}


# (case id, model, edit of the JSON document, expected message)
CASES = [
    # defect 1: a loaded model must not be pointed at files or code
    (
        "Pipeline memory names a directory",
        "pipeline",
        lambda d: params(d).update(memory="/some/cache/dir"),
        "Pipeline.memory = .* would point the model at files or code",
    ),
    (
        "callbacks in the file",
        "forecaster",
        lambda d: params(d).update(callbacks=["EpochTimer"]),
        "callbacks = .* would point the model at files or code",
    ),
    (
        "vectorizer that reads files",
        "vectorizer",
        lambda d: d["model"]["steps"][0][1]["params"].update(input="filename"),
        "CountVectorizer.input = 'filename' would point",
    ),
    (
        "an optimizer class where a number belongs",
        "forecaster",
        lambda d: params(d).update(lr={"optimizer": "Adam"}),
        "RNNForecaster.lr = .* is not plain data",
    ),
    (
        "an estimator as a parameter",
        "forecaster",
        lambda d: params(d).update(
            lr={"estimator": {"class": "StandardScaler", "params": {}, "state": {}}}
        ),
        "RNNForecaster.lr = StandardScaler.* is not plain data",
    ),
    # defect 2: declared sizes are checked against the tensors before building
    (
        "hidden_size=40000 in a tiny file",
        "forecaster",
        lambda d: params(d).update(hidden_size=40_000),
        r"tensor '.*' has shape .* but the model needs \(160000",
    ),
    (
        "n_channels_in_=10**7",
        "forecaster",
        lambda d: state(d).update(n_channels_in_=10**7),
        r"x_mean_ must be a float array of shape \(10000000,\)",
    ),
    (
        "5*10**7 outputs",
        "forecaster",
        lambda d: state(d).update(target_shape_={"tuple": [5 * 10**7]}),
        "n_outputs_=1, but the fitted targets make 50000000 outputs",
    ),
    (
        "num_layers=10**6",
        "forecaster",
        lambda d: params(d).update(num_layers=10**6),
        "num_layers=1000000 but only",
    ),
    (
        "generator max_length_=10**9",
        "generator",
        lambda d: state(d).update(max_length_=10**9),
        r"max_length_ must lie in \[1, 9999\], got 1000000000",
    ),
    (
        "Pipelines nested 12 deep",
        "pipeline",
        lambda d: nest(d, 12),
        "Pipelines nested more than 4 deep",
    ),
    (
        "JSON nested 100000 deep",
        "forecaster",
        deep_list,
        "not a sklearn_seq model file",
    ),
    # weak answers that used to be raw errors, or errors at predict time
    ("unknown cell", "forecaster", lambda d: params(d).update(cell="banana"), "cell"),
    (
        "bad optimizer string",
        "forecaster",
        lambda d: params(d).update(optimizer="os.system"),
        "optimizer",
    ),
    (
        "wrong-shaped x_mean_",
        "forecaster",
        lambda d: state(d).update(x_mean_=[1.0, 2.0]),
        r"x_mean_ must be a float array of shape \(1,\), got \[1.0, 2.0\]",
    ),
    (
        "a Pipeline without steps",
        "pipeline",
        lambda d: d["model"].pop("steps"),
        "malformed model file .*KeyError",
    ),
    (
        "a generator without target_kind_",
        "generator",
        lambda d: state(d).pop("target_kind_"),
        "malformed model file .*target_kind_",
    ),
    (
        "a non-integer channel count",
        "classifier",
        lambda d: state(d).update(n_channels_in_="two"),
        "n_channels_in_ must be an integer, got 'two'",
    ),
    (
        "history that is not a list of records",
        "forecaster",
        lambda d: d["model"].update(history=7),
        "malformed model file",
    ),
    (
        "classes_ that is not an array",
        "classifier",
        lambda d: state(d).update(classes_=7),
        "classes_ must be a 1-D array of at least 2 labels, got 7",
    ),
]


@pytest.mark.parametrize(
    "kind, edit, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_file_is_refused_at_load(tmp_path, kind, edit, match):
    path = tmp_path / "model.safetensors"
    document, tensors = model_of(path, kind)
    edit(document)
    write(path, document, tensors)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(UnsafeModelFileError, match=match):
        load(path)
    assert time.perf_counter() - start < 5
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    assert grown_kib < 300_000  # nothing near the sizes the file declares


def test_bfloat16_tensors_are_refused(tmp_path):
    from safetensors.torch import save_file as save_torch

    path = tmp_path / "model.safetensors"
    document, tensors = model_of(path, "forecaster")
    tensors = {k: torch.from_numpy(v) for k, v in tensors.items()}
    tensors = bfloat16(tensors, document)
    save_torch(tensors, str(path), metadata={"sklearn_seq": json.dumps(document)})
    with pytest.raises(UnsafeModelFileError):
        load(path)


def test_load_reads_the_file_once(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    model_of(path, "forecaster")
    opened = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        opened.append(os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    import safetensors

    monkeypatch.setattr(safetensors, "safe_open", None)  # the second read of old
    load(path)
    assert opened.count(str(path)) == 1


def test_device_argument_is_checked(tmp_path):
    path = tmp_path / "model.safetensors"
    model_of(path, "forecaster")
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda', 'auto' or None"):
        load(path, device="banana")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA GPU is available"):
            load(path, device="cuda")


def test_bytes_path_umask_and_passthrough(tmp_path):
    path = tmp_path / "model.safetensors"
    pipe = Pipeline([("skip", "passthrough"), ("rnn", RNNForecaster(**TINY))]).fit(X, Y)
    old = os.umask(0o022)
    try:
        save(pipe, os.fsencode(path))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    loaded = load(os.fsencode(path))
    assert loaded.steps[0] == ("skip", "passthrough")
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write leaves nothing behind


def test_a_pipeline_with_a_memory_cache_is_refused_at_save(tmp_path):
    pipe = Pipeline([("scale", StandardScaler())], memory=str(tmp_path)).fit(X)
    with pytest.raises(TypeError, match="Pipeline.memory = .* cannot be stored"):
        save(pipe, tmp_path / "model.safetensors")


def test_save_records_the_parameters_the_network_was_built_with(tmp_path):
    path = tmp_path / "model.safetensors"
    model = RNNForecaster(**TINY).fit(X, Y)
    model.set_params(cell="gru", hidden_size=9, lr=0.5)
    save(model, path)
    loaded = load(path)
    assert (loaded.cell, loaded.hidden_size, loaded.lr) == ("lstm", 4, 0.5)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))

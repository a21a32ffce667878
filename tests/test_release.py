"""What a release carries: the package version in every model file, and the licence."""

import json
import tomllib
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

import sklearn_seq
from sklearn_seq import RNNForecaster, load, make_windows, save
from sklearn_seq.persistence import VERSION

ROOT = Path(__file__).resolve().parents[1]
OLDER_FILE = ROOT / "tests" / "data" / "forecaster_trained_on_cuda.safetensors"


def _document(path) -> dict:
    with safe_open(str(path), framework="numpy") as f:
        return json.loads(f.metadata()["sklearn_seq"])


def _rewrite(path, document: dict) -> None:
    save_file(
        load_file(str(path)), str(path), metadata={"sklearn_seq": json.dumps(document)}
    )


def test_a_model_file_records_the_package_version_beside_the_format(tmp_path):
    X, y = make_windows(np.sin(0.1 * np.arange(120)), lookback=10)
    model = RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(X, y)
    path = tmp_path / "model.safetensors"
    save(model, path)
    document = _document(path)
    assert document["package_version"] == sklearn_seq.__version__
    assert document["version"] == VERSION  # the format version, which load checks

    # load does not read the package version: a file of any package version loads
    for package_version in ("0.1.0", "99.0.0", None):
        if package_version is None:
            del document["package_version"]
        else:
            document["package_version"] = package_version
        _rewrite(path, document)
        np.testing.assert_array_equal(load(path).predict(X), model.predict(X))


def test_a_file_from_before_the_package_version_key_loads():
    assert "package_version" not in _document(OLDER_FILE)
    assert isinstance(load(OLDER_FILE), RNNForecaster)


def test_the_licence_ships_with_the_package():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("BSD 3-Clause License")
    assert "the sklearn_seq developers" in licence
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"]

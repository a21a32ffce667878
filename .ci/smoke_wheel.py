"""Smoke test of the installed wheel, run by ``make wheel-check`` from an empty folder.

It checks that the package imported is the one installed in this environment's
site-packages (not a checkout), that its public names import, its data sets
load, that a small model fits, saves and loads, and that the distribution
carries its licence. A file missing from the wheel fails here, whatever the
editable install of the checkout holds.
"""

import json
import sys
import sysconfig
import tempfile
from importlib import metadata, resources
from pathlib import Path

import numpy as np
from safetensors import safe_open


def main() -> None:
    import sklearn_seq
    import sklearn_seq.datasets as datasets

    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    location = Path(sklearn_seq.__file__).resolve()
    assert location.is_relative_to(installed), f"{location} is not in {installed}"
    assert metadata.version("sklearn-seq") == sklearn_seq.__version__

    for module in (sklearn_seq, datasets):
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"

    licences = [f for f in metadata.files("sklearn-seq") if f.name == "LICENSE"]
    assert licences, "LICENSE is not in the installed distribution"
    assert "BSD 3-Clause" in licences[0].read_text()
    assert (resources.files(datasets) / "README.md").is_file()

    X_train, X_test, y_train, y_test = datasets.load_gunpoint(return_X_y=True)
    assert X_train.shape == (50, 150) and X_test.shape == (150, 150)
    italy = datasets.load_italy_power_demand()
    assert italy.X_train.shape == (67, 24) and italy.X_test.shape == (1029, 24)
    texts, labels = datasets.load_movie_review_sentences(return_X_y=True)
    assert len(texts) == len(labels) == 200

    tiny = {"hidden_size": 4, "max_epochs": 2, "random_state": 0}
    X, y = sklearn_seq.make_windows(np.sin(0.1 * np.arange(200)), lookback=10)
    forecaster = sklearn_seq.RNNForecaster(**tiny).fit(X, y)
    classifier = sklearn_seq.SequenceClassifier(**tiny).fit(italy.X_train, italy.y_train)
    words = sklearn_seq.Word2VecTransformer(vector_size=8, epochs=1, random_state=0)
    assert words.fit_transform(texts).shape == (200, 8)
    with tempfile.TemporaryDirectory() as folder:
        for model, rows in ((forecaster, X[:5]), (classifier, italy.X_test[:5])):
            path = Path(folder) / "model.safetensors"
            sklearn_seq.save(model, path)
            loaded = sklearn_seq.load(path)
            np.testing.assert_array_equal(loaded.predict(rows), model.predict(rows))
            with safe_open(str(path), framework="numpy") as f:
                document = json.loads(f.metadata()["sklearn_seq"])
            assert document["package_version"] == sklearn_seq.__version__

    print(f"wheel smoke test passed: sklearn_seq {sklearn_seq.__version__} from {location}")


if __name__ == "__main__":
    sys.exit(main())

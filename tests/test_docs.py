"""Every public parameter and every fitted attribute is documented, shared ones alike."""

import re

import numpy as np
import pytest

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceEncoder,
    SequenceGenerator,
    Word2VecTransformer,
    make_windows,
)
from sklearn_seq._docs import NETWORK, TRAINING, names

FAST = {"hidden_size": 4, "max_epochs": 1, "random_state": 0}


def _documented(cls, section: str) -> dict[str, str]:
    """Entry name -> its numpydoc head line, in one section of the class docstring."""
    doc = cls.__doc__
    body = doc.split(f"    {section}\n    {'-' * len(section)}\n")[1]
    body = re.split(r"\n    \w[\w ]*\n    -+\n", body)[0]
    entries = {}
    for head in re.findall(r"^    (\w[^\n]*)$", body, flags=re.M):
        names, _, _ = head.partition(" : ")
        for name in names.split(", "):
            entries[name] = head
    return entries


def _fitted_attributes(est) -> set[str]:
    return {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}


@pytest.fixture(scope="module")
def fitted():
    series = np.sin(0.3 * np.arange(80))
    X, y = make_windows(series, lookback=6)
    rng = np.random.RandomState(0)
    vectors = rng.rand(20, 3)
    sequences = [rng.rand(rng.randint(2, 6), 2) for _ in range(20)]
    words = Word2VecTransformer(vector_size=4, min_count=1, output="ids", random_state=0)
    ids = words.fit_transform([["a", "b"], ["b", "c", "a"]] * 10)
    return [
        RNNForecaster(**FAST).fit(X, y),
        SequenceClassifier(class_weight="balanced", **FAST).fit(X, y > 0),
        SequenceGenerator(**FAST).fit(vectors, np.cumsum(vectors, axis=1)),
        SequenceGenerator(**FAST).fit(sequences, ["ab", "ba"] * 10),
        SequenceClassifier(early_stopping=False, **FAST).fit(ids, np.arange(20) % 2),
        SequenceEncoder(**FAST).fit(sequences),
    ]


RECURRENT = [RNNForecaster, SequenceClassifier, SequenceGenerator, SequenceEncoder]


@pytest.mark.parametrize("cls", RECURRENT)
def test_every_parameter_is_documented_with_its_default(cls):
    documented = _documented(cls, "Parameters")
    for name, value in cls().get_params().items():
        assert name in documented, f"{cls.__name__} does not document {name}"
        default = f'"{value}"' if isinstance(value, str) else repr(value)
        assert documented[name].endswith(f"default={default}"), documented[name]
    assert "{" + "network_parameters}" not in cls.__doc__


def test_shared_parameters_read_the_same_in_every_estimator():
    docs = [_documented(cls, "Parameters") for cls in RECURRENT]
    for name in names(NETWORK) + names(TRAINING):
        types = {doc[name].split(" : ")[1].rsplit(", default=", 1)[0] for doc in docs}
        # the classifier alone also standardizes each sequence on its own ("series")
        types.discard('bool or "series"' if name == "standardize" else None)
        assert len(types) == 1, (name, types)


@pytest.mark.parametrize("which", range(6))
def test_every_fitted_attribute_is_documented(fitted, which):
    est = fitted[which]
    documented = _documented(type(est), "Attributes")
    missing = _fitted_attributes(est) - set(documented)
    assert not missing, f"{type(est).__name__} does not document {sorted(missing)}"

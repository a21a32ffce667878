"""The front ends the recurrent layer can read instead of the raw steps."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_seq import RNNForecaster, SequenceClassifier, SequenceGenerator, make_windows
from sklearn_seq._front_end import FrontEnd
from sklearn_seq.persistence import load, save

TINY = {"hidden_size": 8, "max_epochs": 3, "random_state": 0}


def ragged(n=40, seed=0):
    """Two channels, lengths 3..70; the class is the sign of the first channel's mean."""
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(rng.integers(3, 71), 2)) for _ in range(n)]
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    return X, y


@pytest.mark.parametrize("kind", ["patch", "conv"])
def test_lengths_shrink_to_the_number_of_patches(kind):
    front = FrontEnd(kind, 3, 5, patch_size=3)
    values, lengths = front(torch.randn(4, 7, 3), torch.tensor([7, 3, 5, 1]))
    assert values.shape == (4, 3, 5)
    assert lengths.tolist() == [3, 1, 2, 1]


def test_a_patch_is_a_linear_embedding_of_its_steps_zero_filled():
    front = FrontEnd("patch", 2, 4, patch_size=3)
    x = torch.randn(1, 5, 2)
    values, _ = front(x, torch.tensor([5]))
    weight, bias = front.convs[0].weight, front.convs[0].bias  # (4, 2, 3), (4,)
    last = torch.cat([x[0, 3:], torch.zeros(1, 2)])  # the last patch: 2 steps and a zero
    expected = torch.einsum("oct,tc->o", weight, last) + bias
    torch.testing.assert_close(values[0, 1], expected)


@pytest.mark.parametrize("kind", ["patch", "conv"])
def test_classifier_predicts_a_sequence_alike_alone_and_in_a_batch(kind):
    X, y = ragged()
    clf = SequenceClassifier(front_end=kind, patch_size=4, **TINY).fit(X, y)
    one_by_one = np.vstack([clf.predict_proba([x]) for x in X[:12]])
    np.testing.assert_allclose(clf.predict_proba(X[:12]), one_by_one, rtol=1e-12, atol=0)


def test_auto_patch_size_cuts_the_longest_sequence_into_at_most_64_patches():
    X, y = ragged()
    longest = max(len(x) for x in X)
    clf = SequenceClassifier(front_end="patch", **TINY).fit(X, y)
    assert clf.patch_size_ == -(-longest // 64) == 2
    raw = SequenceClassifier(front_end=None, **TINY).fit(X, y)
    assert raw.patch_size_ == 1
    assert not any(k.startswith("encoder.front_end") for k in raw.get_weights())


@pytest.mark.parametrize("kind", ["patch", "conv"])
def test_round_trips_keep_the_front_end(kind, tmp_path):
    X, y = ragged()
    clf = SequenceClassifier(front_end=kind, patch_size=5, **TINY).fit(X, y)
    expected = clf.predict_proba(X)
    save(clf, tmp_path / "model.safetensors")
    restored = load(tmp_path / "model.safetensors")
    assert restored.patch_size_ == 5
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), expected
    )
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), expected)


@pytest.mark.parametrize("kind", ["patch", "conv"])
def test_forecaster_and_generator_take_a_front_end(kind):
    series = np.sin(0.2 * np.arange(200))
    X, y = make_windows(series, lookback=30)
    model = RNNForecaster(front_end=kind, patch_size=5, **TINY).fit(X, y)
    assert model.net_.module_.encoder.front_end.patch_size == 5
    assert np.isfinite(model.predict(X[:3])).all()
    X, _ = ragged(20)
    generator = SequenceGenerator(front_end=kind, patch_size=4, **TINY)
    generator.fit(X, [np.cumsum(x[:5], axis=0) for x in X])
    assert generator.net_.module_.encoder.front_end is not None
    assert len(generator.predict(X[:2])) == 2

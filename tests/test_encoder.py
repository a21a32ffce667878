"""SequenceEncoder: features learned without labels, through the shared core."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import separable_text
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_seq import SequenceEncoder, Word2VecTransformer, load, save
from sklearn_seq._autoencoder import (
    ContrastiveEncoder,
    MaskedEncoder,
    SequenceAutoencoder,
    random_mask,
    random_views,
)

TINY = {"hidden_size": 4, "max_epochs": 3, "random_state": 0}
rng = np.random.default_rng(0)
X2 = rng.normal(size=(40, 12)).cumsum(axis=1)
Y = (X2[:, -1] > X2[:, 0]).astype(int)
RAGGED = [rng.normal(size=(int(rng.integers(3, 15)), 2)).cumsum(axis=0) for _ in range(40)]


def test_fit_learns_to_rebuild_and_transform_gives_the_codes():
    enc = SequenceEncoder(
        objective="reconstruct", hidden_size=8, max_epochs=30, random_state=0
    )
    enc.fit(X2)
    losses = enc.net_.history[:, "train_loss"]
    assert losses[-1] < 0.5 * losses[0]
    Z = enc.transform(X2)
    assert Z.shape == (40, 32) and Z.dtype == np.float64  # 2 directions, mean and max
    assert list(enc.get_feature_names_out()) == [f"sequenceencoder{i}" for i in range(32)]
    assert enc.n_features_in_ == 12 and enc.n_channels_in_ == 1 and enc.n_outputs_ == 1


def test_y_is_ignored_and_random_state_repeats():
    a = SequenceEncoder(**TINY).fit(X2).transform(X2)
    b = SequenceEncoder(**TINY).fit(X2, Y).transform(X2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(SequenceEncoder(**TINY).fit_transform(X2), a)
    assert not np.array_equal(
        SequenceEncoder(**{**TINY, "random_state": 1}).fit_transform(X2), a
    )


def test_ragged_codes_do_not_depend_on_batch_mates():
    enc = SequenceEncoder(pooling="last", **TINY).fit(RAGGED)
    Z = enc.transform(RAGGED)
    assert Z.shape == (40, 8)
    np.testing.assert_allclose(enc.transform(RAGGED[::-1]), Z[::-1], atol=1e-12)
    np.testing.assert_allclose(enc.transform([RAGGED[5]]), Z[[5]], atol=1e-12)


def test_the_loss_counts_each_sequence_to_its_own_end():
    module = SequenceAutoencoder(2, input_size=2, hidden_size=4, cell="gru").eval()
    short = torch.randn(1, 3, 2)
    padded = torch.cat([short, torch.full((1, 4, 2), 99.0)], dim=1)
    batch = torch.cat([padded, torch.randn(1, 7, 2)])
    lengths = torch.tensor([3, 7])
    with torch.no_grad():
        alone = module.reconstruction_errors(module(short, lengths[:1]), short, lengths[:1])
        both = module.reconstruction_errors(module(batch, lengths), batch, lengths)
    torch.testing.assert_close(both[0][0].sum(), alone[0][0].sum())
    assert both[1].tolist() == [6.0, 14.0]


@pytest.mark.parametrize(
    "objective, module", [("contrastive", ContrastiveEncoder), ("masked", MaskedEncoder)]
)
def test_each_objective_learns_codes_of_whole_sequences(objective, module, tmp_path):
    enc = SequenceEncoder(objective=objective, **{**TINY, "max_epochs": 10})
    Z = enc.fit(RAGGED).transform(RAGGED)
    assert isinstance(enc.net_.module_, module)
    losses = enc.net_.history[:, "train_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    # the pooled codes of whole sequences, not a projection head's or a mask's
    assert Z.shape == (40, 16)
    np.testing.assert_allclose(enc.transform(RAGGED[::-1]), Z[::-1], atol=1e-12)
    again = SequenceEncoder(objective=objective, **{**TINY, "max_epochs": 10})
    np.testing.assert_array_equal(again.fit(RAGGED).transform(RAGGED), Z)
    save(enc, tmp_path / "encoder.safetensors")
    np.testing.assert_array_equal(
        load(tmp_path / "encoder.safetensors").transform(RAGGED), Z
    )


def test_an_unknown_objective_is_refused():
    with pytest.raises(ValueError, match="objective"):
        SequenceEncoder(objective="forecast", **TINY).fit(X2)


def test_the_default_objective_is_masked():
    enc = SequenceEncoder(hidden_size=4, max_epochs=1, random_state=0).fit(X2)
    assert isinstance(enc.net_.module_, MaskedEncoder)


def test_masks_hide_whole_blocks_within_each_sequence():
    torch.manual_seed(0)
    values, lengths = torch.zeros(3, 23, 2), torch.tensor([23, 9, 1])
    for _ in range(20):
        mask = random_mask(values, lengths, share=0.3, block=5)
        assert mask.shape == (3, 23, 2)
        assert not mask[1, 9:].any() and not mask[2, 1:].any()  # nothing past an end
        assert mask.any(1).all()  # every sequence and channel hides something
        blocks = mask[0, :20].reshape(4, 5, 2)  # whole blocks of 5 steps
        assert (blocks.all(1) | ~blocks.any(1)).all()


def test_the_masked_loss_counts_hidden_values_only():
    module = MaskedEncoder(
        1, input_size=1, hidden_size=4, cell="gru", front_end="conv", patch_size=4
    )
    assert module.block == 8  # 5 steps rounded up to whole patches of 4
    torch.manual_seed(0)
    values, lengths = torch.randn(2, 10, 1), torch.tensor([10, 6])
    output = module(values, lengths)
    assert output.shape == (2, 10, 1, 2)
    predicted, hidden = output[..., 0].detach(), output[..., 1]
    losses, counts = module.losses(output, values, lengths)
    assert counts.tolist() == hidden.sum((1, 2)).tolist() and (counts > 0).all()
    moved = output.detach().clone()
    moved[..., 0] = torch.where(hidden.bool(), predicted, predicted + 5.0)  # shown steps
    torch.testing.assert_close(module.losses(moved, values, lengths)[0], losses.detach())


def test_views_stay_within_each_sequence():
    torch.manual_seed(0)
    values = torch.cat([torch.randn(1, 4, 2), torch.full((1, 6, 2), 99.0)], dim=1)
    values = torch.cat([values, torch.randn(1, 10, 2)])
    lengths = torch.tensor([4, 10])
    for _ in range(20):
        views, crops = random_views(values, lengths, min_crop=0.5, jitter=0.1)
        assert views.abs().max() < 20  # never a padded step of the first sequence
        assert (crops >= torch.tensor([2, 5])).all() and (crops <= lengths).all()
        assert views.shape[1] == int(crops.max()) and views[0, int(crops[0]) :].eq(0).all()


def test_a_zero_weight_sequence_is_no_negative():
    module = ContrastiveEncoder(input_size=1, hidden_size=4, cell="gru")
    values, lengths = torch.randn(3, 5, 1), torch.tensor([5, 5, 5])
    output = module(values, lengths).detach()
    moved = output.clone()
    moved[0] = -moved[1]
    weight = torch.tensor([0.0, 1.0, 1.0])
    losses, counts = module.losses(output, values, lengths, weight)
    assert torch.isfinite(losses).all() and counts.tolist() == [1.0, 1.0, 1.0]
    torch.testing.assert_close(
        module.losses(moved, values, lengths, weight)[0][1:], losses[1:]
    )
    assert not torch.allclose(module.losses(moved, values, lengths)[0][1:], losses[1:])


def test_sample_weights_reach_the_loss():
    weights = np.r_[np.zeros(20), np.ones(20)]
    weighted = SequenceEncoder(**TINY).fit(X2, sample_weight=weights).transform(X2)
    assert not np.allclose(weighted, SequenceEncoder(**TINY).fit(X2).transform(X2))


def test_clone_pickle_and_the_safe_file(tmp_path):
    enc = SequenceEncoder(**TINY).fit(RAGGED)
    Z = enc.transform(RAGGED)
    assert clone(enc).get_params() == enc.get_params()
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(enc)).transform(RAGGED), Z)
    save(enc, tmp_path / "encoder.safetensors")
    loaded = load(tmp_path / "encoder.safetensors")
    assert type(loaded) is SequenceEncoder
    np.testing.assert_array_equal(loaded.transform(RAGGED), Z)


def test_bad_input_is_refused():
    with pytest.raises(NotFittedError):
        SequenceEncoder(**TINY).transform(X2)
    enc = SequenceEncoder(**TINY).fit(RAGGED)
    with pytest.raises(ValueError, match="channels"):
        enc.transform([seq[:, :1] for seq in RAGGED])
    with pytest.raises(ValueError, match="NaN|finite"):
        enc.transform([np.full((4, 2), np.inf)])
    with pytest.raises(ValueError, match="features"):
        SequenceEncoder(**TINY).fit(X2).transform(X2[:, :5])
    docs, _ = separable_text(20)
    ids = Word2VecTransformer(output="ids", vector_size=4, min_count=1).fit_transform(docs)
    with pytest.raises(ValueError, match="word ids"):
        SequenceEncoder(**TINY).fit(ids)


def test_grid_search_over_a_pipeline_into_gradient_boosting():
    pipe = Pipeline(
        [
            ("encoder", SequenceEncoder(**TINY)),
            ("boost", HistGradientBoostingClassifier(max_iter=10, random_state=0)),
        ]
    )
    search = GridSearchCV(pipe, {"encoder__hidden_size": [2, 4]}, cv=2).fit(X2, Y)
    assert search.best_params_["encoder__hidden_size"] in (2, 4)
    assert search.predict(X2[:5]).shape == (5,)


@pytest.mark.parametrize("column", [["series"], "series"])
def test_a_column_transformer_sends_a_column_of_arrays_to_the_encoder(column):
    frame = pd.DataFrame(
        {"series": RAGGED, "size": rng.normal(size=40), "other": rng.normal(size=40)}
    )
    columns = ColumnTransformer(
        [("seq", SequenceEncoder(**TINY), column), ("tab", "passthrough", ["size"])]
    )
    model = Pipeline([("columns", columns), ("lr", LogisticRegression())])
    model.fit(frame, Y)
    features = model[0].transform(frame)
    assert features.shape == (40, 16 + 1)
    alone = SequenceEncoder(**TINY).fit(RAGGED).transform(RAGGED)
    np.testing.assert_allclose(features[:, :16], alone)
    names = model[0].get_feature_names_out()
    assert names[0] == "seq__sequenceencoder0" and names[-1] == "tab__size"
    assert model.predict(frame.iloc[:3]).shape == (3,)

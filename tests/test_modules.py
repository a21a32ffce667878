import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from sklearn_seq._cells import MaskedBatchNorm, RecurrentLayers
from sklearn_seq._inference import evaluating, float64_copy
from sklearn_seq._modules import (
    RecurrentEncoder,
    SequenceDecoder,
    SequenceToVector,
    make_rnn,
)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
def test_encoder_output_size(cell, bidirectional, pooling):
    enc = RecurrentEncoder(
        3, 5, num_layers=2, cell=cell, bidirectional=bidirectional, pooling=pooling
    )
    out = enc(torch.randn(4, 7, 3), torch.tensor([7, 3, 5, 1]))
    assert out.shape == (4, 5 * (2 if bidirectional else 1))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "attention"])
@pytest.mark.parametrize("front_end", [None, "patch", "conv"])
def test_short_sequence_does_not_depend_on_its_batch(
    cell, bidirectional, pooling, front_end
):
    torch.manual_seed(0)
    model = SequenceToVector(
        2,
        input_size=3,
        hidden_size=8,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
        front_end=front_end,
        patch_size=3,  # the short sequence's second patch is part padding
    ).eval()
    short = torch.randn(1, 4, 3)
    alone = model(short, torch.tensor([4]))
    batch = torch.randn(3, 60, 3) * 10  # long neighbours, garbage in the padding
    batch[1, :4] = short[0]
    together = model(batch, torch.tensor([60, 4, 55]))
    torch.testing.assert_close(together[1:2], alone, rtol=0, atol=1e-6)


def test_relu_nonlinearity_reaches_the_plain_rnn():
    enc = RecurrentEncoder(1, 4, cell="rnn", nonlinearity="relu")
    assert enc.rnn.nonlinearity == "relu"


FUSED = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
VARIANTS = [
    {"nonlinearity": "leaky_relu"},
    {"nonlinearity": "elu"},
    {"normalization": "layer"},
    {"normalization": "batch"},
]


def _unpacked(outputs):
    if isinstance(outputs, torch.nn.utils.rnn.PackedSequence):
        return torch.nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True)[0]
    return outputs


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("packed", [False, True])
def test_custom_cells_compute_what_torch_computes(cell, packed):
    torch.manual_seed(0)
    fused = FUSED[cell](3, 5, num_layers=2, bidirectional=True, batch_first=True)
    custom = RecurrentLayers(cell, 3, 5, num_layers=2, bidirectional=True)
    custom.load_state_dict(fused.state_dict())  # the same names and shapes
    x = torch.randn(4, 7, 3)
    lengths = torch.tensor([7, 3, 5, 1])
    inputs = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    inputs = inputs if packed else x
    state = (torch.randn(4, 4, 5),) * (2 if cell == "lstm" else 1)
    state = state if cell == "lstm" else state[0]
    for args in [(inputs,), (inputs, state)]:
        expected, expected_hidden = fused(*args)
        got, hidden = custom(*args)
        torch.testing.assert_close(_unpacked(got), _unpacked(expected), rtol=0, atol=1e-6)
        torch.testing.assert_close(hidden, expected_hidden, rtol=0, atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(v.values()))
def test_make_rnn_builds_custom_cells_only_where_torch_lacks_them(cell, variant):
    layer = make_rnn(cell, 3, 5, **variant)
    custom = "normalization" in variant or cell == "rnn"
    assert isinstance(layer, RecurrentLayers) == custom
    assert not isinstance(make_rnn(cell, 3, 5, nonlinearity="relu"), RecurrentLayers)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(v.values()))
@pytest.mark.parametrize("pooling", ["last", "mean_max", "attention"])
def test_custom_cells_keep_a_sequence_independent_of_its_batch(cell, variant, pooling):
    torch.manual_seed(0)
    model = SequenceToVector(
        2,
        input_size=3,
        hidden_size=8,
        num_layers=2,
        dropout=0.2,
        cell=cell,
        bidirectional=True,
        pooling=pooling,
        **variant,
    )
    batch = torch.randn(3, 30, 3) * 10  # long neighbours, garbage in the padding
    model(batch, torch.tensor([30, 4, 25])).sum().backward()  # batch statistics move
    model.eval()
    short = torch.randn(1, 4, 3)
    batch[1, :4] = short[0]
    alone = model(short, torch.tensor([4]))
    together = model(batch, torch.tensor([30, 4, 25]))
    torch.testing.assert_close(together[1:2], alone, rtol=0, atol=1e-6)


def test_batch_norm_statistics_ignore_padding():
    norm = MaskedBatchNorm(2, momentum=1.0)
    values = torch.tensor([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [1e6, -1e6]]])
    mask = torch.tensor([[True, True], [True, False]])
    out = norm(values, mask)
    assert torch.allclose(norm.running_mean, torch.tensor([3.0, 4.0]))
    assert torch.allclose(norm.running_var, torch.tensor([4.0, 4.0]))
    assert torch.allclose(out[mask].mean(0), torch.zeros(2), atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_decoder_steps_through_custom_cells(cell):
    torch.manual_seed(0)
    decoder = SequenceDecoder(
        2, 3, False, False, hidden_size=6, cell=cell, normalization="layer"
    )
    assert isinstance(decoder.decoder, RecurrentLayers)
    values, lengths = torch.randn(4, 5, 2), torch.tensor([5, 2, 4, 1])
    targets = torch.randn(4, 6, 3)
    decoder.teacher_forcing = 0.5
    decoder(values, lengths, targets).sum().backward()
    decoder.eval()
    out = decoder.generate(values, lengths, steps=6)
    # generating feeds each output back: the same as a teacher-forced pass on them
    fed = torch.cat([torch.zeros(4, 1, 3), out[:, :-1]], 1)
    torch.testing.assert_close(decoder(values, lengths, fed), out, rtol=0, atol=1e-5)


def test_float64_copy_is_kept_until_the_weights_change():
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5))
    double = float64_copy(module)
    assert double is float64_copy(module)  # made once
    assert double.training is False and module.training is True
    assert all(p.dtype == torch.float64 for p in double.parameters())
    x = torch.randn(5, 3)
    torch.testing.assert_close(double(x.double()).float(), module.eval()(x))
    with torch.no_grad():  # more training changes the weights in place
        module[0].weight.add_(1.0)
    fresh = float64_copy(module)
    assert fresh is not double
    torch.testing.assert_close(fresh(x.double()).float(), module(x))


def test_evaluating_switches_a_submodule_left_in_training_mode():
    module = SequenceToVector(1, input_size=2, hidden_size=4, dropout=0.5)
    module.eval()
    module.encoder.dropout.train()  # only a submodule: the root reads as eval
    with evaluating(module):
        assert not any(m.training for m in module.modules())
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()

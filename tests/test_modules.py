import pytest
import torch

from sklearn_seq._modules import RecurrentEncoder, SequenceToVector


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
def test_short_sequence_does_not_depend_on_its_batch(cell, bidirectional, pooling):
    torch.manual_seed(0)
    model = SequenceToVector(
        2,
        input_size=3,
        hidden_size=8,
        cell=cell,
        bidirectional=bidirectional,
        pooling=pooling,
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

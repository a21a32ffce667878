"""PyTorch modules: the recurrent encoder and the heads built on it.

Torch only: nothing here knows about scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class RecurrentEncoder(nn.Module):
    """Encode a padded batch of sequences into one vector per sequence.

    Batches whose sequences all have the batch's length run the recurrent layer
    directly; other batches are packed, so each sequence's encoding does not
    depend on the sequences it is batched with.

    Parameters
    ----------
    input_size : int
        Channels per time step.
    hidden_size : int
        Units per recurrent layer and direction.
    num_layers : int
        Stacked recurrent layers.
    cell : {"lstm", "gru", "rnn"}
        Recurrent cell type.
    bidirectional : bool
        Also read each sequence backwards.
    dropout : float
        Dropout between stacked layers and on the encoding.
    nonlinearity : {"tanh", "relu"}
        Activation of the plain ``"rnn"`` cell.
    pooling : {"last", "mean", "max", "attention"}
        How the outputs over time become one vector: the final hidden state,
        the mean or max of the outputs over each sequence's valid steps, or
        their weighted sum with weights from a learned scoring layer (softmax
        over the valid steps).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        nonlinearity: str = "tanh",
        pooling: str = "last",
    ):
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        self.rnn = _CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
            **kwargs,
        )
        self.dropout = nn.Dropout(dropout)
        self.pooling = pooling
        self.n_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.n_directions
        if pooling == "mean_max":
            self.output_size *= 2
        if pooling == "attention":
            self.attention = nn.Linear(self.output_size, 1)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if values.is_cuda:  # weights moved or unpickled: keep cuDNN's single chunk
            self.rnn.flatten_parameters()
        lengths = lengths.cpu()
        width = int(lengths.max())
        values = values[:, :width]
        packed = not bool((lengths == width).all())
        inputs = (
            pack_padded_sequence(values, lengths, batch_first=True, enforce_sorted=False)
            if packed
            else values
        )
        outputs, hidden = self.rnn(inputs)
        if self.pooling == "last":
            if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
                hidden = hidden[0]
            # last layer, both directions: (n_directions, batch, hidden)
            encoded = torch.cat(list(hidden[-self.n_directions :]), dim=1)
        else:
            if packed:
                outputs, _ = pad_packed_sequence(
                    outputs, batch_first=True, total_length=width
                )
            mask = (
                torch.arange(width, device=values.device)[None, :]
                < lengths.to(values.device)[:, None]
            ).unsqueeze(-1)
            if self.pooling in ("mean", "mean_max"):
                encoded = (outputs * mask).sum(1) / lengths.to(outputs)[:, None]
            if self.pooling in ("max", "mean_max"):
                peak = outputs.masked_fill(~mask, float("-inf")).amax(1)
                encoded = peak if self.pooling == "max" else torch.cat([encoded, peak], 1)
            if self.pooling == "attention":
                scores = self.attention(outputs).masked_fill(~mask, float("-inf"))
                encoded = (torch.softmax(scores, dim=1) * outputs).sum(1)
        return self.dropout(encoded)


class SequenceToVector(nn.Module):
    """A recurrent encoder followed by a linear head.

    Parameters
    ----------
    n_outputs : int
        Size of the output vector (targets, or class logits).
    **encoder_kwargs
        Passed to :class:`RecurrentEncoder`.
    """

    def __init__(self, n_outputs: int, **encoder_kwargs):
        super().__init__()
        self.encoder = RecurrentEncoder(**encoder_kwargs)
        self.head = nn.Linear(self.encoder.output_size, n_outputs)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(values, lengths))

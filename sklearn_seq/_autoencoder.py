"""The sequence autoencoder: a recurrent encoder and a decoder that rebuilds
the input from the encoding alone.

Torch only: nothing here knows about scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn

from ._cells import valid_mask
from ._modules import RecurrentEncoder, make_rnn


class SequenceAutoencoder(nn.Module):
    """Encode each sequence into one vector (the code), then rebuild the
    sequence from it.

    The decoder is one-way and reads the code at every step, starting from a
    state set from the code; it never sees the input, so everything it
    rebuilds passes through the code. It runs as many steps as the batch's
    longest sequence: a sequence's outputs before its end do not depend on
    the steps after it, and :meth:`reconstruction_errors` counts only those.

    Parameters
    ----------
    n_outputs : int
        Channels of the rebuilt sequence (the input's).
    pooling : {"last", "mean", "max", "mean_max", "attention"}
        How the encoder's outputs over time become the code
        (see :class:`~sklearn_seq._modules.RecurrentEncoder`).
    **encoder_kwargs
        Passed to :class:`~sklearn_seq._modules.RecurrentEncoder`; the decoder
        takes its ``hidden_size``, ``num_layers``, ``cell``, ``nonlinearity``
        and ``normalization``.
    """

    def __init__(self, n_outputs: int, pooling: str = "last", **encoder_kwargs):
        super().__init__()
        self.encoder = RecurrentEncoder(pooling=pooling, **encoder_kwargs)
        self.n_features = self.encoder.output_size
        self.cell = encoder_kwargs.get("cell", "lstm")
        self.num_layers = encoder_kwargs.get("num_layers", 1)
        self.hidden_size = encoder_kwargs["hidden_size"]
        self.init_state = nn.Linear(self.n_features, self.num_layers * self.hidden_size)
        shared = ("dropout", "nonlinearity", "normalization")
        self.decoder = make_rnn(
            self.cell,
            self.n_features,
            self.hidden_size,
            self.num_layers,
            **{key: encoder_kwargs[key] for key in shared if key in encoder_kwargs},
        )
        self.head = nn.Linear(self.hidden_size, n_outputs)

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The code of each sequence, ``(batch, n_features)``."""
        return self.encoder(values, lengths)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The rebuilt sequences, ``(batch, longest length, n_outputs)``."""
        if values.is_cuda:
            self.decoder.flatten_parameters()
        code = self.encoder(values, lengths)
        width = int(lengths.max())
        h0 = torch.tanh(self.init_state(code))
        h0 = h0.view(-1, self.num_layers, self.hidden_size).transpose(0, 1).contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        steps = code[:, None].expand(-1, width, -1).contiguous()
        outputs, _ = self.decoder(steps, state)
        return self.head(outputs)

    @staticmethod
    def reconstruction_errors(
        output: torch.Tensor, values: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Squared errors ``(batch, steps * channels)``, zero after each sequence's
        end, and each sequence's count of valid values."""
        width = output.shape[1]
        valid = valid_mask(lengths, width, output.device)[..., None]
        errors = (output - values[:, :width].to(output)).square() * valid
        counts = lengths.to(output) * output.shape[2]
        return errors.flatten(1), counts

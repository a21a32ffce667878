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

    def losses(
        self, output: torch.Tensor, values: torch.Tensor, lengths: torch.Tensor, weight=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The training loss per sample: :meth:`reconstruction_errors`."""
        return self.reconstruction_errors(output, values, lengths)


def random_views(
    values: torch.Tensor, lengths: torch.Tensor, min_crop: float, jitter: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """One random view of each sequence: a crop of ``min_crop`` to all of its
    own steps, at a random place, times a random scale near 1, plus Gaussian
    noise of standard deviation ``jitter`` (the inputs are standardized).

    Returns the views, ``(batch, longest crop, channels)`` with zeros after each
    crop's end, and the crops' lengths (on the device ``lengths`` is on).
    """
    device = values.device
    full = lengths.to(device)
    fraction = min_crop + (1 - min_crop) * torch.rand(len(full), device=device)
    crop = (fraction * full).ceil().long().clamp(1, None).minimum(full)
    start = (torch.rand(len(full), device=device) * (full - crop + 1)).long()
    width = int(crop.max())
    steps = start[:, None] + torch.arange(width, device=device)
    steps = steps.minimum(full[:, None] - 1)
    views = values.gather(1, steps[..., None].expand(-1, -1, values.shape[2]))
    scale = 1 + 0.1 * torch.randn(len(full), 1, values.shape[2], device=device)
    views = views * scale + jitter * torch.randn_like(views)
    views = views * valid_mask(crop, width, device)[..., None]
    return views, crop.to(lengths.device)


class ContrastiveEncoder(nn.Module):
    """A recurrent encoder trained to tell sequences apart (SimCLR's InfoNCE).

    In training, each sequence of a batch gives two random views
    (:func:`random_views`: crops, scaling, noise); the encoder pools each into
    a code, a small projection head maps the codes to the unit sphere, and the
    loss asks each view to pick its twin among the batch's other views, at
    temperature ``temperature``. The features are the codes of whole
    sequences, before the projection head.

    Parameters
    ----------
    pooling : {"last", "mean", "max", "mean_max", "attention"}
        How the encoder's outputs over time become the code.
    min_crop : float
        Shortest crop, as a share of each sequence's length.
    jitter : float
        Standard deviation of the noise added to each view.
    temperature : float
        Of the softmax over the batch's views.
    **encoder_kwargs
        Passed to :class:`~sklearn_seq._modules.RecurrentEncoder`.
    """

    # its loss takes the batch's other sequences as negatives: a share of a batch
    # on one process is another problem (``_distributed`` refuses to split it)
    couples_batch = True

    def __init__(
        self,
        pooling: str = "last",
        min_crop: float = 0.8,
        jitter: float = 0.1,
        temperature: float = 0.5,
        **encoder_kwargs,
    ):
        super().__init__()
        self.encoder = RecurrentEncoder(pooling=pooling, **encoder_kwargs)
        self.n_features = self.encoder.output_size
        self.min_crop, self.jitter, self.temperature = min_crop, jitter, temperature
        width = encoder_kwargs["hidden_size"]
        self.projection = nn.Sequential(
            nn.Linear(self.n_features, width), nn.ReLU(), nn.Linear(width, width)
        )

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The code of each sequence, ``(batch, n_features)``."""
        return self.encoder(values, lengths)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Projections of two random views of each sequence, ``(batch, 2, width)``,
        of unit norm."""
        views = [random_views(values, lengths, self.min_crop, self.jitter) for _ in "ab"]
        codes = [self.projection(self.encoder(*view)) for view in views]
        return nn.functional.normalize(torch.stack(codes, dim=1), dim=-1)

    def losses(
        self, output: torch.Tensor, values: torch.Tensor, lengths: torch.Tensor, weight=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """InfoNCE per sequence ``(batch, 1)`` (the mean over its two views) and
        a count of 1 each. A sequence of weight 0 is no other's negative."""
        n = len(output)
        z = output.transpose(0, 1).reshape(2 * n, -1)  # views a, then views b
        logits = z @ z.T / self.temperature
        twin = torch.arange(2 * n, device=z.device).roll(n)
        left_out = torch.eye(2 * n, dtype=torch.bool, device=z.device)
        if weight is not None:
            zero = (weight.to(z.device) == 0).repeat(2)
            others = twin[:, None] != torch.arange(2 * n, device=z.device)
            left_out = left_out | (zero[None, :] & others)
        logits = logits.masked_fill(left_out, float("-inf"))
        loss = nn.functional.cross_entropy(logits, twin, reduction="none")
        return loss.view(2, n).mean(0)[:, None], torch.ones(n, device=z.device)


def random_mask(
    values: torch.Tensor, lengths: torch.Tensor, share: float, block: int
) -> torch.Tensor:
    """Which values to hide, ``(batch, steps, channels)`` booleans: blocks of
    ``block`` steps, each channel's independently, hidden with probability
    ``share``, and at least one block of every sequence and channel (one of
    its own blocks drawn at random, where the first draw hid none); nothing
    after a sequence's end."""
    batch, width, channels = values.shape
    device = values.device
    n_blocks = -(-width // block)
    hidden = torch.rand(batch, n_blocks, channels, device=device) < share
    own_blocks = (lengths.to(device) + block - 1) // block  # (batch,)
    blocks = torch.arange(n_blocks, device=device)
    valid_blocks = blocks[None, :, None] < own_blocks[:, None, None]
    hidden &= valid_blocks
    pick = (
        torch.rand(batch, 1, channels, device=device) * own_blocks[:, None, None]
    ).long()
    hidden |= (blocks[None, :, None] == pick) & ~hidden.any(1, keepdim=True)
    mask = hidden.repeat_interleave(block, dim=1)[:, :width]
    return mask & valid_mask(lengths, width, device)[..., None]


class MaskedEncoder(nn.Module):
    """A recurrent encoder trained to fill in hidden parts of each sequence.

    In training, blocks of steps of each sequence are hidden (set to 0, the
    standardized inputs' mean; each channel's independently, see
    :func:`random_mask`), the encoder reads the rest, and a linear head
    predicts the hidden values from the encoder's outputs at their steps
    before pooling (one output per front-end patch predicts that patch's
    steps). The loss counts the hidden values only, as masked-value
    pre-training of time-series encoders does (Zerveas et al., KDD 2021).
    The features are the pooled codes of whole, unmasked sequences.

    Parameters
    ----------
    n_outputs : int
        Channels of the predicted values (the input's).
    pooling : {"last", "mean", "max", "mean_max", "attention"}
        How the encoder's outputs over time become the code.
    share : float
        Probability that a block is hidden.
    block : int
        Steps per hidden block, rounded up to whole front-end patches.
    **encoder_kwargs
        Passed to :class:`~sklearn_seq._modules.RecurrentEncoder`.
    """

    def __init__(
        self,
        n_outputs: int,
        pooling: str = "last",
        share: float = 0.3,
        block: int = 5,
        **encoder_kwargs,
    ):
        super().__init__()
        self.encoder = RecurrentEncoder(pooling=pooling, **encoder_kwargs)
        self.n_features = self.encoder.output_size
        front_end = self.encoder.front_end
        self.patch = front_end.patch_size if front_end is not None else 1
        self.share = share
        self.block = -(-block // self.patch) * self.patch
        width = encoder_kwargs["hidden_size"] * self.encoder.n_directions
        self.head = nn.Linear(width, self.patch * n_outputs)

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The code of each sequence, ``(batch, n_features)``."""
        return self.encoder(values, lengths)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The predicted values and the mask that hid them, stacked on a last
        axis: ``(batch, longest length, n_outputs, 2)``."""
        width = int(lengths.max())
        values = values[:, :width]
        mask = random_mask(values, lengths, self.share, self.block)
        outputs, _ = self.encoder.steps(values.masked_fill(mask, 0.0), lengths)
        batch, n_steps = outputs.shape[:2]
        predicted = self.head(outputs).view(batch, n_steps * self.patch, -1)[:, :width]
        return torch.stack([predicted, mask.to(predicted.dtype)], dim=-1)

    def losses(
        self, output: torch.Tensor, values: torch.Tensor, lengths: torch.Tensor, weight=None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Squared errors of the hidden values ``(batch, steps * channels)``,
        zero elsewhere, and each sequence's count of hidden values."""
        predicted, hidden = output[..., 0], output[..., 1]
        width = predicted.shape[1]
        errors = (predicted - values[:, :width].to(predicted)).square() * hidden
        return errors.flatten(1), hidden.sum((1, 2))

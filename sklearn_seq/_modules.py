"""PyTorch modules: the recurrent encoder and the heads built on it.

Torch only: nothing here knows about scikit-learn.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ._cells import RecurrentLayers
from ._front_end import FrontEnd

_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
_FUSED = ("tanh", "relu")  # the plain RNN activations torch.nn.RNN has


def make_rnn(
    cell: str, input_size: int, hidden_size: int, num_layers: int = 1, **options
) -> nn.Module:
    """A batch-first recurrent layer; ``nonlinearity`` applies to the plain RNN.

    ``options`` are ``bidirectional``, ``dropout`` (between stacked layers),
    ``nonlinearity`` and ``normalization``, as for :class:`RecurrentLayers`.
    The layer is torch's fused one where torch has the variant (no
    normalization, and a plain RNN's activation tanh or relu), else a
    :class:`RecurrentLayers`.
    """
    if num_layers == 1:
        options.pop("dropout", None)
    if options.get("normalization") is not None or (
        cell == "rnn" and options.get("nonlinearity", "tanh") not in _FUSED
    ):
        return RecurrentLayers(cell, input_size, hidden_size, num_layers, **options)
    options.pop("normalization", None)
    if cell != "rnn":
        options.pop("nonlinearity", None)
    return _CELLS[cell](input_size, hidden_size, num_layers, batch_first=True, **options)


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
    nonlinearity : {"tanh", "relu", "leaky_relu", "elu"}
        Activation of the plain ``"rnn"`` cell.
    normalization : {None, "layer", "batch"}
        Layer normalization inside the cell, or batch normalization of each
        layer's inputs (see :class:`RecurrentLayers`); None: torch's fused layer.
    pooling : {"last", "mean", "max", "attention"}
        How the outputs over time become one vector: the final hidden state,
        the mean or max of the outputs over each sequence's valid steps, or
        their weighted sum with weights from a learned scoring layer (softmax
        over the valid steps).
    front_end : {None, "patch", "conv"}
        A :class:`FrontEnd` the recurrent layer reads instead of the raw steps
        (its vectors have ``hidden_size`` entries); None, or ``"patch"`` with
        patches of one step: the raw steps.
    patch_size : int
        Steps per patch of the front end.
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
        normalization: str | None = None,
        front_end: str | None = None,
        patch_size: int = 1,
    ):
        super().__init__()
        self.front_end = None
        if front_end == "conv" or (front_end == "patch" and patch_size > 1):
            self.front_end = FrontEnd(front_end, input_size, hidden_size, patch_size)
            input_size = hidden_size
        self.rnn = make_rnn(
            cell,
            input_size,
            hidden_size,
            num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            nonlinearity=nonlinearity,
            normalization=normalization,
        )
        self.dropout = nn.Dropout(dropout)
        self.pooling = pooling
        self.n_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * self.n_directions
        if pooling == "mean_max":
            self.output_size *= 2
        if pooling == "attention":
            self.attention = nn.Linear(self.output_size, 1)

    def _run(self, values: torch.Tensor, lengths: torch.Tensor) -> tuple:
        """The recurrent layer over the (front end's) steps: its outputs (packed
        when lengths differ), final state, the steps' lengths (on the CPU),
        the batch's width in steps, and whether the outputs are packed."""
        if values.is_cuda:  # weights moved or unpickled: keep cuDNN's single chunk
            self.rnn.flatten_parameters()
        lengths = lengths.cpu()
        counts = lengths.tolist()  # for a block of 8, faster than torch.aminmax
        shortest, width = min(counts), max(counts)
        if width < values.shape[1]:
            values = values[:, :width]
        if self.front_end is not None:
            values, lengths = self.front_end(values, lengths)
            shortest, width = int(lengths.min()), values.shape[1]
        packed = shortest < width
        inputs = (
            pack_padded_sequence(values, lengths, batch_first=True, enforce_sorted=False)
            if packed
            else values
        )
        outputs, hidden = self.rnn(inputs)
        return outputs, hidden, lengths, width, packed

    def steps(self, values: torch.Tensor, lengths: torch.Tensor) -> tuple:
        """The outputs at every (front end's) step before pooling,
        ``(batch, steps, hidden_size * directions)``, zero after each
        sequence's end, and each sequence's count of steps."""
        outputs, _, lengths, width, packed = self._run(values, lengths)
        if packed:
            outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=width)
        return outputs, lengths

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        outputs, hidden, lengths, width, packed = self._run(values, lengths)
        if self.pooling == "last":
            if isinstance(hidden, tuple):  # LSTM: (h_n, c_n)
                hidden = hidden[0]
            # last layer, both directions: (n_directions, batch, hidden)
            encoded = (
                hidden[-1]
                if self.n_directions == 1
                else torch.cat(list(hidden[-self.n_directions :]), dim=1)
            )
        else:
            if packed:
                outputs, _ = pad_packed_sequence(
                    outputs, batch_first=True, total_length=width
                )
            mask = (
                torch.arange(width, device=outputs.device)[None, :]
                < lengths.to(outputs.device)[:, None]
            ).unsqueeze(-1)
            if self.pooling in ("mean", "mean_max"):
                encoded = (outputs * mask).sum(1) / lengths.to(outputs)[:, None]
            if self.pooling in ("max", "mean_max"):
                peak = outputs.masked_fill(~mask, float("-inf")).amax(1)
                encoded = peak if self.pooling == "max" else torch.cat([encoded, peak], 1)
            if self.pooling == "attention":
                scores = self.attention(outputs).masked_fill(~mask, float("-inf"))
                encoded = (torch.softmax(scores, dim=1) * outputs).sum(1)
        # dropout is the identity in eval mode or with p=0 (and then draws nothing)
        return self.dropout(encoded) if self.training and self.dropout.p else encoded


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
        self.n_features = self.encoder.output_size
        self.head = nn.Linear(self.n_features, n_outputs)

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The pooled encoding the head reads, ``(batch, n_features)``."""
        return self.encoder(values, lengths)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(values, lengths))


class SequenceDecoder(nn.Module):
    """Encode a vector or a sequence, then decode an output sequence step by step.

    The encoding (a small dense layer for vectors, a :class:`RecurrentEncoder`
    for sequences) sets the decoder's initial state and is also fed to every
    decoder step. Each step's input is the previous output: a value vector for
    numeric outputs, the embedding of the previous token for token outputs.

    Parameters
    ----------
    n_inputs : int
        Features of a conditioning vector, or channels of an input sequence.
    n_outputs : int
        Values per output step (numeric) or vocabulary size (tokens).
    vector_input : bool
        Inputs are vectors (shaped ``(batch, 1, n_inputs)``) rather than sequences.
    token_output : bool
        Outputs are token ids (the head gives logits) rather than values.
    teacher_forcing : float
        Probability, per step and sample, of feeding the true previous output
        rather than the model's own during training.
    embedding_dim : int
        Size of the token embeddings.
    hidden_size, num_layers, cell
        As for :class:`RecurrentEncoder`.
    **rnn_kwargs
        ``bidirectional``, ``dropout``, ``nonlinearity``, ``normalization``,
        ``front_end``, ``patch_size``, as for :class:`RecurrentEncoder` (the
        decoder itself is one-way and reads its own outputs, without a front end).
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        vector_input: bool,
        token_output: bool,
        teacher_forcing: float = 1.0,
        embedding_dim: int = 32,
        *,
        hidden_size: int,
        num_layers: int = 1,
        cell: str = "lstm",
        **rnn_kwargs,
    ):
        super().__init__()
        self.vector_input = vector_input
        self.token_output = token_output
        self.teacher_forcing = teacher_forcing
        self.num_layers, self.hidden_size, self.cell = num_layers, hidden_size, cell
        if vector_input:
            self.encoder = nn.Sequential(nn.Linear(n_inputs, hidden_size), nn.Tanh())
            context_size = hidden_size
        else:
            self.encoder = RecurrentEncoder(
                n_inputs, hidden_size, num_layers, cell, **rnn_kwargs
            )
            context_size = self.encoder.output_size
        self.n_features = context_size
        self.init_state = nn.Linear(context_size, num_layers * hidden_size)
        if token_output:
            self.embedding = nn.Embedding(n_outputs, embedding_dim)
            step_size = embedding_dim
        else:
            step_size = n_outputs
        # one-way: the decoder writes the output in order
        encoder_only = ("bidirectional", "front_end", "patch_size")
        one_way = {k: v for k, v in rnn_kwargs.items() if k not in encoder_only}
        self.decoder = make_rnn(
            cell, step_size + context_size, hidden_size, num_layers, **one_way
        )
        self.head = nn.Linear(hidden_size, n_outputs)

    def encode(self, values: torch.Tensor, lengths: torch.Tensor):
        """The context vector and the decoder's initial state."""
        if self.vector_input:
            context = self.encoder(values[:, 0])
        else:
            context = self.encoder(values, lengths)
        h0 = torch.tanh(self.init_state(context))
        h0 = h0.view(-1, self.num_layers, self.hidden_size).transpose(0, 1).contiguous()
        state = (h0, torch.zeros_like(h0)) if self.cell == "lstm" else h0
        return context, state

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The context vector, ``(batch, n_features)``: what the decoder starts from
        and reads at every step."""
        return self.encode(values, lengths)[0]

    def _step_input(self, previous: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """Decoder input for steps whose previous outputs are ``previous``."""
        embedded = self.embedding(previous) if self.token_output else previous
        context = context.unsqueeze(1).expand(-1, embedded.shape[1], -1)
        return torch.cat([embedded, context], dim=2)

    def forward(
        self, values: torch.Tensor, lengths: torch.Tensor, decoder_inputs: torch.Tensor
    ) -> torch.Tensor:
        """Training pass: ``decoder_inputs`` holds the start marker and the true outputs."""
        if values.is_cuda:
            self.decoder.flatten_parameters()
        context, state = self.encode(values, lengths)
        if self.teacher_forcing >= 1.0 or not self.training:
            outputs, _ = self.decoder(self._step_input(decoder_inputs, context), state)
            return self.head(outputs)
        steps, previous = [], decoder_inputs[:, :1]
        for t in range(decoder_inputs.shape[1]):
            out, state = self.decoder(self._step_input(previous, context), state)
            prediction = self.head(out)
            steps.append(prediction)
            if t + 1 < decoder_inputs.shape[1]:
                own = prediction.argmax(-1) if self.token_output else prediction.detach()
                truth = decoder_inputs[:, t + 1 : t + 2]
                use_truth = (
                    torch.rand(truth.shape[0], device=truth.device) < self.teacher_forcing
                )
                shape = (-1,) + (1,) * (truth.dim() - 1)
                previous = torch.where(use_truth.view(shape), truth, own)
        return torch.cat(steps, dim=1)

    @torch.no_grad()
    def generate(
        self,
        values: torch.Tensor,
        lengths: torch.Tensor,
        steps: int,
        start_token: int = 0,
        temperature: float | None = None,
        uniforms: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Decode ``steps`` outputs, greedy or sampled (``temperature``).

        The first step is fed ``start_token`` (token outputs) or zeros (values).
        Sampling draws token ``t`` of row ``i`` by inverting the cumulative
        softmax at ``uniforms[i, t]`` (uniform on [0, 1), shaped ``(batch,
        steps)``), so each row's draws are its own, whatever it is batched with.
        Returns values ``(batch, steps, n_outputs)`` or token ids ``(batch, steps)``.
        """
        context, state = self.encode(values, lengths)
        if self.token_output:
            previous = torch.full((len(values), 1), start_token, device=values.device)
        else:
            previous = values.new_zeros((len(values), 1, self.head.out_features))
        produced = []
        for t in range(steps):
            out, state = self.decoder(self._step_input(previous, context), state)
            prediction = self.head(out)  # (batch, 1, n_outputs)
            if not self.token_output:
                previous = prediction
            elif temperature is None:
                previous = prediction.argmax(-1)
            else:
                cdf = torch.softmax(prediction[:, 0] / temperature, dim=-1).cumsum(-1)
                drawn = torch.searchsorted(cdf, uniforms[:, t : t + 1].to(cdf), right=True)
                previous = drawn.clamp(max=cdf.shape[1] - 1)
            produced.append(previous)
        return torch.cat(produced, dim=1)


class SequenceCrossEntropy(nn.CrossEntropyLoss):
    """Cross-entropy over ``(batch, steps, n_classes)`` logits; -100 marks padding."""

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return super().forward(input.flatten(0, 1), target.flatten())


class TokenEmbedding(nn.Module):
    """Look token ids up in an embedding table, then run the wrapped module.

    Id 0 is padding: its row is zero and receives no gradient. The wrapped
    module reads the embedded steps as its input channels; ``generate`` and
    ``features`` are passed through the same way.

    Parameters
    ----------
    inner : nn.Module
        Takes ``(values, lengths, ...)`` with ``embedding_dim`` channels.
    n_embeddings : int
        Rows of the table (the vocabulary and the padding row).
    embedding_dim : int
        Size of each embedding.
    freeze : bool
        Keep the table fixed during training.
    """

    def __init__(
        self, inner: nn.Module, n_embeddings: int, embedding_dim: int, freeze: bool = False
    ):
        super().__init__()
        self.embedding = nn.Embedding(n_embeddings, embedding_dim, padding_idx=0)
        self.embedding.weight.requires_grad_(not freeze)
        self.inner = inner
        self.n_features = inner.n_features

    @torch.no_grad()
    def start_from(self, vectors: torch.Tensor) -> None:
        """Set the table's rows after the padding row to ``vectors`` (one per id)."""
        self.embedding.weight[1:] = vectors

    def _embed(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        # the longest sequence of the batch is all the inner module reads
        return self.embedding(values[:, : int(lengths.max()), 0])

    def forward(
        self, values: torch.Tensor, lengths: torch.Tensor, **inputs
    ) -> torch.Tensor:
        return self.inner(self._embed(values, lengths), lengths, **inputs)

    def generate(self, values: torch.Tensor, lengths: torch.Tensor, *args) -> torch.Tensor:
        """The wrapped module's ``generate`` on the embedded inputs."""
        return self.inner.generate(self._embed(values, lengths), lengths, *args)

    def features(self, values: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The wrapped module's ``features`` of the embedded inputs."""
        return self.inner.features(self._embed(values, lengths), lengths)

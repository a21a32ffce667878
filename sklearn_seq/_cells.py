"""Recurrent layers torch lacks: other activations, layer and batch normalization.

Torch only. One loop over time serves the plain RNN, GRU and LSTM cells in
every variant. :class:`RecurrentLayers` takes and returns what
:class:`torch.nn.RNN`, :class:`~torch.nn.GRU` and :class:`~torch.nn.LSTM` do
(batch-first tensors or packed sequences, an optional initial state) and,
without normalization, holds the same parameters under the same names, so it
computes the same function as the fused layer.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

ACTIVATIONS = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
}
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def valid_mask(lengths: torch.Tensor, width: int, device) -> torch.Tensor:
    """``(batch, width)`` mask of the steps before each sequence's end (the torch
    twin of ``_sequences.valid_mask``: torch modules import no numpy glue)."""
    return torch.arange(width, device=device) < lengths.to(device)[:, None]


class MaskedBatchNorm(nn.Module):
    """Batch normalization over the valid time steps of a padded batch.

    In training the statistics are those of the batch's valid steps (padding
    does not count) and update running estimates; in eval mode the running
    estimates are used, so an output does not depend on its batch.
    """

    def __init__(self, size: int, momentum: float = 0.1, eps: float = 1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))
        self.register_buffer("running_mean", torch.zeros(size))
        self.register_buffer("running_var", torch.ones(size))

    def forward(self, values: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if self.training:
            valid = values.flatten(0, 1) if mask is None else values[mask]
            mean, var = valid.mean(0), valid.var(0, unbiased=False)
            with torch.no_grad():
                n = len(valid)
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var * n / max(n - 1, 1), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        return (values - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias


def _gate_norm(values: torch.Tensor, gain: torch.Tensor | None) -> torch.Tensor:
    """Layer-normalize each gate's block of ``values`` (gates x units); None: as is."""
    if gain is None:
        return values
    blocks = values.unflatten(-1, (-1, gain.shape[-1]))
    return F.layer_norm(blocks, blocks.shape[-1:]).flatten(-2) * gain.flatten()


class RecurrentLayers(nn.Module):
    """Stacked recurrent layers with the cells written out, one step at a time.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}
        Recurrent cell type, with torch's gate order and equations.
    input_size, hidden_size, num_layers, bidirectional, dropout
        As for :class:`torch.nn.RNN` (always ``batch_first``).
    nonlinearity : {"tanh", "relu", "leaky_relu", "elu"}
        Activation of the plain ``"rnn"`` cell.
    normalization : {None, "layer", "batch"}
        ``"layer"``: layer normalization of each gate's recurrent contribution
        (and of an LSTM's cell state before its output), after Ba, Kiros and
        Hinton (2016). The input contribution is left as it is: from one input
        channel it is one vector times a number, and normalizing it would keep
        only the number's sign. ``"batch"``: batch normalization of each
        layer's inputs over the valid time steps (:class:`MaskedBatchNorm`).
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        nonlinearity: str = "tanh",
        normalization: str | None = None,
    ):
        super().__init__()
        self.cell, self.hidden_size, self.num_layers = cell, hidden_size, num_layers
        self.bidirectional, self.dropout = bidirectional, dropout
        self.nonlinearity, self.normalization = nonlinearity, normalization
        self.activation = ACTIVATIONS[nonlinearity]
        n_directions = 2 if bidirectional else 1
        width = _GATES[cell] * hidden_size
        self.suffixes = []
        for layer in range(num_layers):
            size = input_size if layer == 0 else hidden_size * n_directions
            for direction in range(n_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                self.suffixes.append(suffix)
                shapes = {"weight_ih": (width, size), "weight_hh": (width, hidden_size)}
                shapes.update(bias_ih=(width,), bias_hh=(width,))
                if normalization == "layer":
                    shapes.update(gain_hh=(width,))
                    if cell == "lstm":
                        shapes.update(gain_c=(hidden_size,), bias_c=(hidden_size,))
                for name, shape in shapes.items():
                    self.register_parameter(name + suffix, nn.Parameter(torch.empty(shape)))
        self.norms = nn.ModuleList(
            MaskedBatchNorm(input_size if layer == 0 else hidden_size * n_directions)
            for layer in range(num_layers if normalization == "batch" else 0)
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Torch's initialization; normalization gains start at one, its biases at zero."""
        bound = 1 / math.sqrt(self.hidden_size)
        for name, param in self.named_parameters(recurse=False):
            if name.startswith("gain"):
                nn.init.ones_(param)
            elif name.startswith("bias_c"):
                nn.init.zeros_(param)
            else:
                nn.init.uniform_(param, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to flatten (the fused layers' method, for a common interface)."""

    def _weights(self, suffix: str) -> dict:
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        names += ("gain_hh", "gain_c", "bias_c")
        return {name: getattr(self, name + suffix, None) for name in names}

    def _step(self, x, h, c, w):
        """One cell step from the input projection ``x`` and the state ``(h, c)``."""
        if w["bias_hh"] is None:  # folded into x: one fused multiply-add
            pre = torch.addmm(x, h, w["weight_hh"].T)
        else:
            recurrent = _gate_norm(h @ w["weight_hh"].T, w["gain_hh"]) + w["bias_hh"]
            if self.cell == "gru":
                xr, xz, xn = x.chunk(3, -1)
                hr, hz, hn = recurrent.chunk(3, -1)
                reset, update = torch.sigmoid(torch.cat([xr + hr, xz + hz], -1)).chunk(
                    2, -1
                )
                new = torch.tanh(xn + reset * hn)
                return new + update * (h - new), c
            pre = x + recurrent
        if self.cell == "rnn":
            return self.activation(pre), c
        gates = torch.sigmoid(pre)  # i, f, o (and g, overwritten below)
        i, f, _, o = gates.chunk(4, -1)
        g = torch.tanh(pre[:, 2 * self.hidden_size : 3 * self.hidden_size])
        c = f * c + i * g
        if w["gain_c"] is not None:
            return o * torch.tanh(
                F.layer_norm(c, c.shape[-1:], w["gain_c"], w["bias_c"])
            ), c
        return o * torch.tanh(c), c

    def _direction(self, values, h, c, mask, suffix: str):
        """Run one direction of one layer over all steps: outputs and final state.

        The input projections of all steps are one matrix product. A step past
        a sequence's end leaves its state as it is, so the final state (and,
        read backwards, the first output) is that of the sequence alone, as
        with packing.
        """
        w = self._weights(suffix)
        projected = values @ w["weight_ih"].T + w["bias_ih"]
        if self.cell != "gru" and w["gain_hh"] is None:
            projected = projected + w["bias_hh"]
            w["bias_hh"] = None
        steps = range(values.shape[1])
        if suffix.endswith("_reverse"):
            steps = reversed(steps)
        inputs, outputs = projected.unbind(1), [None] * values.shape[1]
        for t in steps:
            h_new, c_new = self._step(inputs[t], h, c, w)
            if mask is None:
                h, c = h_new, c_new
            else:
                valid = mask[:, t, None]
                h = torch.where(valid, h_new, h)
                c = c_new if c is None else torch.where(valid, c_new, c)
            outputs[t] = h
        return torch.stack(outputs, 1), h, c

    def forward(self, inputs, state=None):
        packed = isinstance(inputs, PackedSequence)
        if packed:
            values, lengths = pad_packed_sequence(inputs, batch_first=True)
            mask = valid_mask(lengths, values.shape[1], values.device)
        else:
            values, mask = inputs, None
        n_states = len(self.suffixes)
        if state is None:
            state = values.new_zeros((n_states, len(values), self.hidden_size))
            state = (state, state) if self.cell == "lstm" else state
        h0, c0 = state if self.cell == "lstm" else (state, [None] * n_states)
        hs, cs = [], []
        per_layer = n_states // self.num_layers
        for layer in range(self.num_layers):
            if self.norms:
                values = self.norms[layer](values, mask)
            outputs = []
            for k in range(layer * per_layer, (layer + 1) * per_layer):
                out, h, c = self._direction(values, h0[k], c0[k], mask, self.suffixes[k])
                outputs.append(out)
                hs.append(h)
                cs.append(c)
            values = torch.cat(outputs, -1) if per_layer > 1 else outputs[0]
            if layer + 1 < self.num_layers:
                values = F.dropout(values, self.dropout, self.training)
        if packed:
            values = pack_padded_sequence(
                values, lengths, batch_first=True, enforce_sorted=False
            )
        hidden = torch.stack(hs)
        return values, ((hidden, torch.stack(cs)) if self.cell == "lstm" else hidden)

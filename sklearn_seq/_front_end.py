"""The front end: long sequences read as patches, so the recurrent layer runs
fewer steps.

Torch only: nothing here knows about scikit-learn.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._cells import MaskedBatchNorm, valid_mask


class FrontEnd(nn.Module):
    """Summarize each patch of ``patch_size`` steps into one vector for the recurrent layer.

    A sequence of ``L`` steps becomes ``ceil(L / patch_size)`` patch vectors,
    so the recurrent layer runs ``patch_size`` times fewer steps and its state
    has fewer steps to carry information across. Steps after a sequence's end
    are zeroed before every convolution and fill its last patch, so a
    sequence's patch vectors are the same alone or among longer sequences.

    Parameters
    ----------
    kind : {"patch", "conv"}
        ``"patch"``: a linear embedding of each patch's raw values (as in
        PatchTST). ``"conv"``: LSTM-FCN's convolutional block in series, its
        second layer at the patch rate so long sequences stay cheap: a
        convolution over the raw steps (kernel 7), the maximum of each feature
        over each patch, a convolution over the patches (kernel 5); each
        convolution is followed by batch normalization (over the valid steps,
        see :class:`MaskedBatchNorm`) and a ReLU.
    input_size : int
        Channels per time step.
    output_size : int
        Size of each patch vector.
    patch_size : int
        Steps per patch (also the stride: patches do not overlap).
    """

    def __init__(self, kind: str, input_size: int, output_size: int, patch_size: int):
        super().__init__()
        self.kind, self.patch_size = kind, patch_size
        if kind == "patch":
            convs = [nn.Conv1d(input_size, output_size, patch_size, stride=patch_size)]
        else:
            convs = [
                nn.Conv1d(input_size, output_size, 7, padding=3),
                nn.Conv1d(output_size, output_size, 5, padding=2),
            ]
            self.norms = nn.ModuleList([MaskedBatchNorm(output_size) for _ in convs])
        self.convs = nn.ModuleList(convs)

    def forward(self, values: torch.Tensor, lengths: torch.Tensor):
        """Patch vectors ``(batch, n_patches, output_size)`` and their counts."""
        k = self.patch_size
        n_patches = (lengths + k - 1) // k
        width = -(-values.shape[1] // k) * k
        x = F.pad(values.transpose(1, 2), (0, width - values.shape[1]))
        x = x.masked_fill(~valid_mask(lengths, width, x.device)[:, None], 0.0)
        if self.kind == "patch":
            return self.convs[0](x).transpose(1, 2), n_patches
        x = self._block(0, x.transpose(1, 2), lengths)  # (batch, width, features)
        x = F.max_pool1d(x.transpose(1, 2), k)  # steps after the end: 0, no max
        return self._block(1, x.transpose(1, 2), n_patches), n_patches

    def _block(self, i: int, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Convolution, batch normalization and ReLU over ``(batch, steps, features)``,
        zero after each sequence's end."""
        valid = valid_mask(lengths, x.shape[1], x.device)
        x = self.convs[i](x.transpose(1, 2)).transpose(1, 2)
        return torch.relu(self.norms[i](x, valid)).masked_fill(~valid[..., None], 0.0)

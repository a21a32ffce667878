"""Running a fitted module: fixed CPU blocks, eval mode, the float64 copy, the loop.

Plain torch and numpy over :class:`~sklearn_seq._sequences.Sequences`; no
estimator here. :func:`infer` is the one inference loop every estimator's
prediction goes through.
"""

from __future__ import annotations

import copy
import weakref

import numpy as np
import torch
from torch import nn

from ._runtime import limit_threads
from ._sequences import CHUNK, Sequences

BLOCK = 8  # rows of every inference block on the CPU


def iter_batches(seqs: Sequences, batch_size: int, device="cpu"):
    """Yield ``(values, lengths, index)`` for inference; ``index`` are the rows' samples.

    On the CPU every block has exactly ``BLOCK`` rows of one sequence length
    (sequences are grouped by length; all-zero filler rows come after the
    ``len(index)`` real ones). Each matrix product then has the same shape
    whoever the batch-mates are, and rows never mix. How a CPU splits a
    product's sums depends on the number of rows (and on AVX2 against
    AVX-512), which is why the shape, not only the padding, is fixed. Some
    kernels (oneMKL on AVX-512, for a few shapes) also round a row by its
    position in the block, by a unit or two in float32's last place; the
    classifier, whose probabilities scikit-learn compares to 1e-9, therefore
    runs its blocks through a float64 copy of the module
    (:func:`float64_copy`), which puts that rounding near 1e-16.
    Elsewhere (a GPU) batches hold ``batch_size`` sequences, padded to their
    longest and packed.
    """
    if torch.device(device).type != "cpu":
        for start in range(0, seqs.n_samples, batch_size):
            index = np.arange(start, min(start + batch_size, seqs.n_samples))
            batch = seqs.take(index)
            yield (
                torch.from_numpy(batch.values).to(device),
                torch.from_numpy(batch.lengths),
                index,
            )
        return
    padded = seqs.padded()
    if padded:  # sequences of several lengths: group them by length
        order = np.argsort(seqs.lengths, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(seqs.lengths[order])) + 1)
    else:
        groups = [np.arange(seqs.n_samples)]
    for group in groups:
        length = int(seqs.lengths[group[0]])
        lengths = torch.full((BLOCK,), length)
        # read many blocks' rows at once (of Rows: padded and scaled in one go)
        per_read = BLOCK * max(1, CHUNK // (BLOCK * length * seqs.n_channels))
        for first in range(0, len(group), per_read):
            # one length: the rows in order, a slice (no fancy-index copy of an array)
            part = (
                group[first : first + per_read]
                if padded
                else slice(first, first + per_read)
            )
            rows = seqs.values[part, :length]
            for start in range(0, len(rows), BLOCK):
                index = group[first + start : first + start + BLOCK]
                values = np.zeros((BLOCK, length, seqs.n_channels), dtype=rows.dtype)
                values[: len(index)] = rows[start : start + BLOCK]
                yield torch.from_numpy(values), lengths, index


# module -> (its tensors, a snapshot of their values, its float64 copy): float64_copy
_FLOAT64_COPIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def float64_copy(module: nn.Module) -> nn.Module:
    """A float64 copy of ``module`` in eval mode, for inference on the CPU.

    A CPU's matrix kernels may round a row's products differently by its
    position in a block (oneMKL on AVX-512 does for some shapes), so a float32
    output can move by a few units in the last place when its batch-mates
    change. In float64 that rounding sits near 1e-16, far below anything a
    prediction is compared at, on every CPU. The copy is kept while the
    module holds the same tensors with the same values, compared with a
    snapshot of them (a write through ``p.data`` or
    ``torch.nn.utils.vector_to_parameters`` bumps no version counter), and
    rebuilt after any change, such as more training.
    """
    tensors = [*module.parameters(), *module.buffers()]
    cached = _FLOAT64_COPIES.get(module)
    if (
        cached is not None
        and len(cached[0]) == len(tensors)
        and all(a is b for a, b in zip(cached[0], tensors, strict=True))
        and all(torch.equal(t, s) for t, s in zip(tensors, cached[1], strict=True))
    ):
        return cached[2]
    snapshot = [t.detach().clone() for t in tensors]
    double = copy.deepcopy(module).double().eval()
    _FLOAT64_COPIES[module] = (tensors, snapshot, double)
    return double


class evaluating:  # noqa: N801 (a context manager, named and used as a function)
    """Eval mode (no dropout) without gradients, for inference.

    The mode is not restored afterwards: a skorch net sets training mode
    itself for every training step, and leaving it alone means threads that
    predict at the same time never switch a shared module back into training
    mode under each other's feet. A class rather than a generator, so that
    entering costs a prediction of one window next to nothing.
    """

    def __init__(self, module: nn.Module):
        self.module = module
        self._no_grad = torch.no_grad()

    def __enter__(self) -> None:
        if has_mode(self.module, training=True):
            self.module.eval()  # walks and sets each
        self._no_grad.__enter__()

    def __exit__(self, *exc) -> None:
        self._no_grad.__exit__(*exc)


def has_mode(module: nn.Module, training: bool) -> bool:
    """Whether ``module`` or a submodule is in training mode ``training``
    (``module.modules()`` walks them with a memo and names, several times slower)."""
    return module.training == training or any(
        has_mode(child, training) for child in module._modules.values() if child is not None
    )


def _call(module, values, lengths, index):
    return module(values, lengths)


def infer(module, seqs: Sequences, batch_size: int, device, n_threads, step=None):
    """Run ``module`` over (scaled) sequences; the outputs in the order given.

    ``step(module, values, lengths, index)`` computes the outputs of one
    batch, whose real rows are the samples ``index``; the default is
    ``module(values, lengths)``. Batches come from :func:`iter_batches`: on
    the CPU, fixed-shape blocks that make a sequence's output independent of
    its batch-mates (to float32 rounding; to float64 rounding for a module
    copied by :func:`float64_copy`, whose float inputs are cast to its type).
    The block runs in eval mode without gradients, with ``n_threads`` torch
    threads.
    """
    step = step or _call
    dtype = next(module.parameters()).dtype
    out = None
    with limit_threads(n_threads, blas=False), evaluating(module):
        for values, lengths, index in iter_batches(seqs, batch_size, device):
            if values.is_floating_point() and values.dtype != dtype:
                values = values.to(dtype)
            # numpy slices the block's real rows for a fraction of torch's cost
            result = step(module, values, lengths, index).cpu().numpy()[: len(index)]
            if out is None:
                out = np.empty((seqs.n_samples, *result.shape[1:]), result.dtype)
            out[index] = result
    return out

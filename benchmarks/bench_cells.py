"""The custom recurrent cells against torch's fused layers, forward plus backward.

A batch of 32 sequences of 100 steps, 8 channels, one layer of 64 units, on one
CPU thread. For each cell, time one forward and backward pass through the fused
layer (``torch.nn.RNN``/``GRU``/``LSTM``) and through the custom loop
(``sklearn_seq._cells.RecurrentLayers``) with the same mathematics (tanh, no
normalization), with ELU, with layer normalization and with batch
normalization; on sequences of one length and on a packed batch of lengths
50..100. Prints milliseconds per pass and custom / fused (above 1 means the
custom cell is slower).

The loop projects the inputs of all steps in one matrix product and folds the
recurrent bias into it. Compiling the step with ``torch.compile`` took 21 s and
gained nothing measurable; ``torch.jit.script`` is deprecated.

Run: ``python benchmarks/bench_cells.py``
"""

import torch
from _timing import timed
from torch.nn.utils.rnn import pack_padded_sequence

from sklearn_seq._cells import RecurrentLayers
from sklearn_seq._modules import make_rnn

BATCH, STEPS, CHANNELS, HIDDEN = 32, 100, 8, 64
ROW = "{:5} {:22} {:>8} {:>13}"


def pass_time(layer, inputs) -> float:
    def run():
        outputs, _ = layer(inputs)
        outputs = outputs.data if hasattr(outputs, "batch_sizes") else outputs
        outputs.sum().backward()

    run()  # warm up
    return timed(run, repeat=7, reduce=min)


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x = torch.randn(BATCH, STEPS, CHANNELS)
    lengths = torch.randint(STEPS // 2, STEPS + 1, (BATCH,))
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    print(f"batch {BATCH} x {STEPS} steps, {CHANNELS} channels, {HIDDEN} units")
    print(ROW.format("cell", "variant", "ms/pass", "custom/fused"))
    variants = {
        "same as fused": {},
        "elu": {"nonlinearity": "elu"},
        "layer norm": {"normalization": "layer"},
        "batch norm": {"normalization": "batch"},
    }
    for cell in ("rnn", "gru", "lstm"):
        for inputs, shape in ((x, "equal lengths"), (packed, "packed")):
            fused = pass_time(make_rnn(cell, CHANNELS, HIDDEN), inputs)
            print(ROW.format(cell, f"fused, {shape}", f"{1e3 * fused:.2f}", ""))
            for name, options in variants.items():
                if name == "elu" and cell != "rnn":
                    continue
                layer = RecurrentLayers(cell, CHANNELS, HIDDEN, **options)
                seconds = pass_time(layer, inputs)
                ratio = f"{seconds / fused:.2f}"
                print(ROW.format("", name, f"{1e3 * seconds:.2f}", ratio))


if __name__ == "__main__":
    main()

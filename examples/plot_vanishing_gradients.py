"""
=======================================================
Vanishing and exploding gradients, and their remedies
=======================================================

A task with a long dependency: read 60 random values and answer with the
first one. Everything after the first step is noise, so the network must keep
one number in its state for 60 steps, and learning to do so needs a gradient
that reaches back 60 steps.

For a plain tanh RNN, a ReLU and an ELU RNN, a layer-normalized RNN, a GRU and
an LSTM we measure, before training, how much gradient of the loss reaches
each input step, then train each and follow its loss. Last, a ReLU RNN with a
large learning rate shows an exploding gradient, and ``gradient_clip`` taming
it.

Run it as a script with an output path to save the figure::

    python examples/plot_vanishing_gradients.py vanishing_gradients.png
"""

# %%
# Data: the first of 60 noise values is the target
import sys

import matplotlib.pyplot as plt
import numpy as np
import torch
from skorch.callbacks import Callback

from sklearn_seq import RNNForecaster

STEPS = 60
rng = np.random.RandomState(1)
X = rng.randn(520, STEPS)
y = X[:, 0].copy()
X_train, y_train, X_test, y_test = X[:320], y[:320], X[320:], y[320:]


# %%
# A callback measures the gradient that reaches each time step before the
# first update: the norm of d(loss)/d(input at step t) over 64 sequences.
class GradientReach(Callback):
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        values = torch.as_tensor(X["values"][:64]).requires_grad_()
        lengths = torch.as_tensor(X["lengths"][:64])
        outputs = net.module_(values, lengths)
        loss = torch.nn.functional.mse_loss(outputs, torch.as_tensor(y[:64]))
        (grad,) = torch.autograd.grad(loss, values)
        self.norms_ = grad.norm(dim=(0, 2)).numpy()


VARIANTS = {
    "tanh RNN": {"cell": "rnn"},
    "ReLU RNN": {"cell": "rnn", "nonlinearity": "relu"},
    "ELU RNN": {"cell": "rnn", "nonlinearity": "elu"},
    "layer-norm RNN": {"cell": "rnn", "normalization": "layer"},
    "GRU": {"cell": "gru"},
    "LSTM": {"cell": "lstm"},
}
models = {
    name: RNNForecaster(
        hidden_size=16,
        max_epochs=30,
        lr=1e-2,
        callbacks=[("reach", GradientReach())],
        scaling="global",  # a recall task, not a forecast: no per-window frame
        calibration_fraction=None,  # and no prediction intervals
        random_state=1,
        **params,
    ).fit(X_train, y_train)
    for name, params in VARIANTS.items()
}
for name, model in models.items():
    print(f"{name:15} held-out R^2 {model.score(X_test, y_test):6.2f}")

# %%
# Exploding: a ReLU RNN of 64 units with a large learning rate, with and
# without clipping the gradient norm at 1. A second callback records the norm
# of the gradient each update applies (after clipping, which runs first).


class UpdateNorms(Callback):
    def on_train_begin(self, net, **kwargs):
        self.norms_ = []

    def on_grad_computed(self, net, named_parameters, **kwargs):
        grads = [p.grad.norm() for _, p in named_parameters if p.grad is not None]
        self.norms_.append(float(torch.stack(grads).norm()))


exploding = {}
for clip in (None, 1.0):
    model = RNNForecaster(
        cell="rnn",
        nonlinearity="relu",
        hidden_size=64,
        lr=3e-2,
        max_epochs=30,
        gradient_clip=clip,
        callbacks=[("norms", UpdateNorms())],
        scaling="global",
        calibration_fraction=None,
        random_state=1,
    )
    try:
        model.fit(X_train, y_train)
    except ValueError as error:  # the loss became NaN or infinite
        print(f"gradient_clip={clip}: {error}")
    exploding[clip] = dict(model.net_.callbacks_)["norms"].norms_
    print(f"gradient_clip={clip}: largest update norm {max(exploding[clip]):.3g}")

# %%
# Figure: gradient reach, learning curves, exploding losses
fig, (reach, curves, explode) = plt.subplots(1, 3, figsize=(15, 4.2))
for name, model in models.items():
    norms = dict(model.net_.callbacks_)["reach"].norms_
    reach.semilogy(np.arange(STEPS), norms, label=name)
    score = model.score(X_test, y_test)
    curves.plot(model.net_.history[:, "train_loss"], label=f"{name}, R^2 {score:.2f}")
reach.set(
    xlabel="input time step (the answer is at step 0)",
    ylabel="gradient norm reaching the step",
    title="Before training: how far back the gradient reaches",
)
curves.set(
    xlabel="epoch",
    ylabel="training loss (standardized MSE)",
    title="Learning curves (legend: held-out R^2)",
    ylim=(0, 1.5),
)
curves.axhline(1.0, color="gray", lw=0.8, ls=":")
for clip, norms in exploding.items():
    explode.semilogy(norms, label=f"gradient_clip={clip}", lw=0.8)
explode.set(
    xlabel="update (batch)",
    ylabel="gradient norm applied",
    title="ReLU RNN, lr=0.03: exploding gradients, clipped",
)
reach.legend(fontsize=8)
curves.legend(fontsize=8)
explode.legend(fontsize=8)
fig.tight_layout()

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
    print(f"figure saved to {sys.argv[1]}")
plt.show()

"""Documentation of the shared parameters and fitted attributes, written once.

A recurrent estimator's docstring holds markers on lines of their own
(``{network_parameters}``, ``{training_parameters}``, ``{fitted_attributes}``, and
for the estimators that read word ids ``{embedding_parameters}`` and
``{embedding_attributes}``);
:func:`shared_docs` replaces each with numpydoc entries whose defaults are read
from the estimator's own ``__init__``, so the three estimators describe a
shared parameter in the same words and never state a stale default.
"""

from __future__ import annotations

import inspect

__all__ = ["names", "shared_docs"]

# numpydoc entries without defaults: ``shared_docs`` appends ``, default=...`` to
# each parameter's head line and fills the {placeholders} of the descriptions
NETWORK = """\
cell : {"lstm", "gru", "rnn"}
    Recurrent cell: LSTM, GRU or plain RNN.
hidden_size : int
    Units per recurrent layer and direction.
num_layers : int
    Stacked recurrent layers.
bidirectional : bool
    Also read each input sequence backwards (a decoder that writes an output
    sequence stays one-way).
dropout : float
    Dropout between stacked layers and on the encoding.
nonlinearity : {"tanh", "relu", "leaky_relu", "elu"}
    Activation of the plain ``"rnn"`` cell (LSTM and GRU ignore it). Unlike
    tanh, the others do not saturate for positive inputs, so gradients fade
    less over many steps, at a higher risk of exploding.
normalization : {"layer", "batch"} or None
    ``"layer"`` layer-normalizes each gate's recurrent contribution inside the
    cell (and an LSTM's cell state), so the state keeps its scale from step to
    step; ``"batch"`` normalizes the inputs of each recurrent layer with the
    statistics of the batch's valid time steps in training and running
    averages in prediction. None keeps torch's fused layers. Normalization,
    and the activations torch's RNN lacks (leaky_relu, elu), run the cells
    step by step: about as fast as torch's plain RNN and GRU on a CPU, up to
    9 times as slow as its LSTM.
front_end : {"patch", "conv", "auto"} or None
    What the recurrent layer reads. None: every raw time step. ``"patch"``:
    one vector (of ``hidden_size`` entries) per patch of ``patch_size``
    steps, a linear embedding of the patch's values (patches of one step are
    read as they are). ``"conv"``: a convolution over the raw steps (kernel
    7), the maximum of each feature over each patch, and a convolution over
    the patches (kernel 5), each followed by batch normalization and a ReLU.
    A front end makes the recurrent layer run ``patch_size`` times fewer
    steps, faster and with less to remember, on long sequences; a sequence
    of ``L`` steps becomes ``ceil(L / patch_size)`` patches, the last one
    zero-filled. ``"auto"``: None for documents given as word ids or word
    vectors (``Word2VecTransformer(output="ids")`` or ``"sequence"``),
    ``"conv"`` for numeric sequences; on the 2016 debates the convolutions,
    whose patches merged up to 9 words, cost 5 points of accuracy with word
    ids and 13 with frozen word vectors (0.412 against 0.544).
patch_size : int or "auto"
    Steps per patch of the ``front_end`` (patches do not overlap).
    ``"auto"`` chooses the smallest size that cuts the longest training
    sequence into at most 64 patches (1 for sequences of up to 64 steps).
"""

TRAINING = """\
max_epochs : int or "auto"
    Training epochs (fewer with ``early_stopping``). ``"auto"`` is 5 for
    documents given as word ids (``Word2VecTransformer(output="ids")``),
    whose embeddings, trained with the network, overfit within a few epochs
    (the learning-rate schedule then anneals over those 5), and
    {numeric_epochs} for numeric sequences.
batch_size : int
    Samples per gradient step (and per inference batch on a GPU).
lr : float
    Learning rate.
lr_schedule : {"cosine", "plateau"} or None
    Learning-rate schedule: cosine annealing to zero over ``max_epochs``, or
    halving when the loss has not improved for 5 epochs; None keeps ``lr``.
optimizer : {"adam", "adamw", "sgd", "rmsprop"} or Optimizer class
    Optimizer: a name, or a ``torch.optim.Optimizer`` subclass.
weight_decay : float
    L2 penalty passed to the optimizer.
weight_averaging : float in (0, 1] or None
    Keep the average of the weights after each of the last
    ``ceil(weight_averaging * max_epochs)`` epochs instead of the last
    epoch's (stochastic weight averaging at the training learning rate): the
    average sits nearer the centre of the minimum training wanders around,
    which steadies what the seed and a small training set leave to chance.
    None keeps the last weights; so does ``early_stopping``, which keeps
    its best epoch's. The training history records the epochs' own losses.
gradient_clip : float or None
    Maximum gradient norm; None turns clipping off.
early_stopping : bool
    Stop when the validation loss has not improved for ``patience`` epochs,
    and keep the best weights. The validation set is {split}.
validation_fraction : float
    Share of the training samples held out when ``early_stopping`` is on.
patience : int
    Epochs without improvement before stopping.
standardize : {standardize_type}
    Standardize each input channel{targets} with statistics of the
    training data{units}.{series}
device : {"cpu", "cuda", "auto"}
    Where to train and predict; ``"auto"`` picks a GPU when torch sees one.
n_threads : int or None
    CPU threads torch (and numpy's BLAS) may use while this estimator fits
    or predicts; None leaves torch's setting. One thread is the default:
    these small recurrent steps gain little from more, and lose up to 80x
    when another process competes for the cores. At most 1,024
    (``_runtime.MAX_THREADS``), and lowered to the cores this process may
    use when it asks for more.
distributed : int, "join" or None
    Train one model data-parallel on several processes (torch.distributed;
    see the user guide's "Training beyond one process"). An int ``N > 1``
    starts ``N`` worker processes on this machine (one per GPU with
    ``device="cuda"``, else CPU processes, at most one per core), trains
    there and returns the fitted model to this process: it predicts, pickles
    and saves as any other. ``"join"`` trains within the process group a
    launcher already started (torchrun, Spark's ``TorchDistributor``, Ray
    Train): every rank passes the same data, reads its share of each batch,
    and ends with the same model. ``1`` trains in this process along the
    same path (a world of one process: the reference a larger world is
    compared with). Each global batch of ``batch_size`` is split across the
    processes, the loss is the global weighted mean and every decision
    (early stopping, the divergence guard, the schedule) reads figures
    reduced over all of them. None (the default) trains as without it.
random_state : int, RandomState instance or None
    Seeds weight initialisation, shuffling{draws}. The same integer gives
    identical predictions on CPU; the caller's global random state is left
    as it was.
verbose : int
    0 is silent; 1 prints the epoch table (plain text unless stdout is a
    terminal, down to the epoch early stopping ends at) and, on a terminal or
    in a notebook, a progress bar.
callbacks : list of skorch callbacks or (name, callback) tuples, or None
    Extra skorch callbacks (copied at each fit).
warm_start : bool
    Continue training the fitted network on the next ``fit`` call instead of
    starting anew. Training parameters changed since (``lr``, ``optimizer``,
    ``max_epochs``, ...) apply to it; a changed network parameter (``cell``,
    ``hidden_size``, ``standardize``, ...) raises a ``ValueError``. A ``fit``
    that raises leaves the estimator as it was.
"""

FITTED = """\
net_ : skorch.{net_class}
    The trained net; ``net_.history`` holds the per-epoch losses.
n_channels_in_ : int
    Channels of the training input{vector_channels}.
n_features_in_ : int
    {features} (only set for a 2-D ``X``).
feature_names_in_ : ndarray of shape ``(n_features_in_,)``
    Column names of a DataFrame ``X`` (only set when they are all strings);
    later calls refuse a DataFrame with other names.
n_outputs_ : int
    Width of the network's output layer{outputs}.
n_epochs_ : int
    Epochs trained in total (over all warm starts).
patch_size_ : int
    Steps per patch the front end uses (``patch_size`` resolved; 1 without
    a front end).
x_mean_, x_scale_ : ndarray of shape ``(n_channels_in_,)``
    Input standardization (only with ``standardize=True``).
"""


EMBEDDING = """\
freeze_embeddings : bool
    For documents given as word ids (``Word2VecTransformer(output="ids")``):
    keep the embedding layer at the word vectors it starts from, rather than
    training it with the network. Ignored for numeric sequences. A frozen
    layer holds the vectors standardized per dimension when ``standardize``
    is on (as vector sequences are); a trained one starts from the vectors
    as they are: standardizing them cost 4 points of accuracy on the 2016
    debates, where frozen raw vectors learned nothing.
"""

EMBEDDING_FITTED = """\
vocabulary_hash_ : str
    Fingerprint of the vocabulary of the word ids seen in ``fit`` (only set
    for word ids); ids of another vocabulary are refused.
embedding_shape_ : tuple of int
    ``(n_words + 1, embedding_dim)``, the embedding table; row 0 is padding
    (only set for word ids).
reads_word_vectors_ : bool
    True when ``fit`` saw documents as word vectors
    (``Word2VecTransformer(output="sequence")``; only set then).
"""


def names(block: str) -> list[str]:
    """The entry names a block documents."""
    heads = [line for line in block.splitlines() if line and not line[0].isspace()]
    return [name for head in heads for name in head.split(" : ")[0].split(", ")]


# what the shared texts say by default; an estimator's ``_doc_fill`` says otherwise
_DEFAULT_FILL = {
    "split": "the last ``validation_fraction`` of the samples (time order is kept)",
    "features": "Time steps of a 2-D training array",
    "vector_channels": "",
    "standardize_type": "bool",
    "series": "",
    "numeric_epochs": "100",
}

_MARKERS = {
    "{network_parameters}": NETWORK,
    "{training_parameters}": TRAINING,
    "{fitted_attributes}": FITTED,
    "{embedding_parameters}": EMBEDDING,
    "{embedding_attributes}": EMBEDDING_FITTED,
}


def _default(value) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _entries(block: str, defaults: dict | None, fill: dict, indent: str) -> str:
    lines = []
    for line in block.splitlines():
        if line[0].isspace():  # a description: fill its placeholders
            line = line.format(**fill)
        elif defaults is not None:  # a parameter's head line
            line = line.replace("{standardize_type}", fill["standardize_type"])
            line += f", default={_default(defaults[line.split(' : ')[0]])}"
        else:  # an attribute's head line
            line = line.replace("{net_class}", fill["net_class"])
        lines.extend(indent + part for part in line.split("\n"))  # a fill may add lines
    return "\n".join(lines)


def shared_docs(cls):
    """Class decorator: replace the shared-documentation markers in ``cls.__doc__``.

    The class tells how its shared texts read through ``_doc_fill`` (a dict
    of phrases: ``targets``, ``units``, ``draws``, ``outputs``, and optionally
    those of ``_DEFAULT_FILL``: ``split``, ``features`` and
    ``vector_channels``, ``standardize_type`` and ``series`` for more
    ``standardize`` values) and its ``_net_class``.
    """
    signature = inspect.signature(cls.__init__)
    defaults = {
        name: param.default
        for name, param in signature.parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    fill = {
        **_DEFAULT_FILL,
        "net_class": next(
            base.__name__
            for base in cls._net_class.__mro__
            if base.__module__.startswith("skorch.")
        ),
        **cls._doc_fill,
    }
    lines = []
    for line in cls.__doc__.splitlines():
        marker = line.strip()
        if marker in _MARKERS:
            indent = line[: len(line) - len(line.lstrip())]
            table = _MARKERS[marker]
            params = None if table in (FITTED, EMBEDDING_FITTED) else defaults
            lines.append(_entries(table, params, fill, indent))
        else:
            lines.append(line)
    cls.__doc__ = "\n".join(lines)
    return cls

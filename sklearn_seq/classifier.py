"""SequenceClassifier: sequence -> label."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._base import RecurrentEstimator
from ._docs import shared_docs
from ._features import FeaturesMixin
from ._inference import float64_copy
from ._modules import SequenceToVector
from ._scaling import WindowFrame
from ._targets import LabelCodec
from ._training import RandomCrops, ValidationSplit, WeightedClassifierNet
from ._word_input import WordInputMixin

# random_crop="auto" for numeric sequences: crops keep at least this share of
# sequences longer than AUTO_CROP_LENGTH steps
AUTO_CROP, AUTO_CROP_LENGTH = 0.8, 128
# max_epochs="auto" for numeric sequences: enough epochs for AUTO_STEPS batches,
# within AUTO_EPOCHS (a small training set takes more epochs, each cheap)
AUTO_STEPS, AUTO_EPOCHS = 1500, (100, 200)


@shared_docs
class SequenceClassifier(
    ClassifierMixin, FeaturesMixin, WordInputMixin, RecurrentEstimator
):
    """Recurrent neural network classifier for sequences.

    Reads each sequence with a recurrent encoder (LSTM, GRU or plain RNN),
    by default through a convolutional front end that summarizes patches of
    steps, pools its outputs over time into one vector, and classifies that
    vector.
    Sequences may be univariate or multichannel, of one length or of many:
    uneven batches are packed, so a sequence's prediction does not depend on
    the sequences it is batched with.

    Parameters
    ----------
    {network_parameters}
    pooling : {"last", "mean", "max", "mean_max", "attention"}, default="mean_max"
        How the outputs over time become one vector: the final hidden state,
        the mean or the max over each sequence's valid steps, both side by side
        (``"mean_max"``), or a learned attention-weighted sum.
    random_crop : float in (0, 1], "auto" or None, default="auto"
        Train on random crops ("window slicing"): each training batch draws a
        share ``s`` uniformly from ``[random_crop, 1]``, and each of its
        sequences keeps ``ceil(s * length)`` consecutive steps from a random
        start; prediction reads whole sequences (and fixed crops: see
        ``test_time_crops``). A network then learns what
        a class looks like wherever it sits in the sequence, not where it sat
        in the few training series. ``"auto"``: 0.8 for numeric sequences
        of more than 128 steps, whole shorter ones (where a step's position,
        such as the hour of a day, tends to carry meaning) and whole
        documents given as word ids or word vectors. None (or 1) trains on
        whole sequences.
    test_time_crops : bool, default=True
        Where training crops, ``predict_proba`` averages the class
        probabilities of each whole sequence and of six fixed crops of it:
        the shares ``random_crop`` and ``(1 + random_crop) / 2`` of its
        steps, taken at its start, its middle and its end (a sequence the
        training crops leave whole counts whole in every view). It costs seven
        passes over the sequences where one was. False reads whole sequences
        only; where training reads whole sequences, it changes nothing.
        ``transform`` always reads whole sequences.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss: ``{label: weight}``, or
        ``"balanced"`` for weights inversely proportional to class frequencies.
    {embedding_parameters}
    {training_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, in the order of ``predict_proba``'s columns.
    {fitted_attributes}
    class_weights_ : ndarray of shape (n_classes,) or None
        Loss weight of each class in ``classes_`` order (from ``class_weight``).
    {embedding_attributes}

    See Also
    --------
    RNNForecaster : Recurrent regression of the next value(s) of a series.

    Notes
    -----
    The defaults (the ``"conv"`` front end with patches that cut the longest
    training sequence into at most 64, a bidirectional GRU, mean and max
    pooling side by side, dropout 0.3 on the pooled encoding, training on
    random crops of at least 80% of each sequence longer than 128 steps,
    Adam at 1e-2 annealed to zero by a cosine schedule, batches of 16, as
    many epochs as make 1,500 batches, from 100 to 200) were chosen by
    measurement on a development suite: the UCR GunPoint, ItalyPowerDemand,
    Coffee and PigCVP sets, the UEA BasicMotions set and generated
    variable-length multichannel series
    (``benchmarks/bench_classifier_accuracy.py``). On GunPoint and
    ItalyPowerDemand they beat the archive's 1-NN DTW baseline (0.907 and
    0.950) for each of the random states 0, 1 and 2. Random crops lifted
    PigCVP (52 classes, 2 training series each) from 0.407 to 0.647 and
    GunPoint from 0.964 to 0.969 (means over random states 0 to 2); crops of
    at least 60% or 90% scored 0.635 and 0.577 on PigCVP (random states 0 and
    1), and cropping every sequence cost ItalyPowerDemand (24 hourly values)
    0.022 and BasicMotions (100 steps) one of 40 test series, hence whole
    sequences up to 128 steps. The ``"patch"`` front
    end missed a Coffee series the convolutions get right; without batch
    normalization the convolutions sat on a loss plateau on GunPoint for one
    seed. Dropout 0.3 lifted PigCVP by about 0.06 (0.5 did not) and left the
    other sets as they were. Without a front end, a plain LSTM with
    last-step pooling gets about 0.79 on GunPoint; mean pooling alone, or a
    learning rate of 3e-3, sits on a loss plateau there, and max pooling
    alone overfits ItalyPowerDemand. Many classes with few training series
    each remain the defaults' weak spot: PigCVP scores 0.763 (0.718 reading
    whole series, 0.647 in 100 epochs), above 1-NN DTW's 0.29 and level with
    ROCKET's 0.76. Before random
    crops, none of these lifted it beyond the spread between random states
    (0.471 and 0.399 for 0 and 1), each measured for random state 0: LSTM-FCN's
    parallel branch of three convolutions (32 features) over the raw steps,
    their mean joined to the encoding (0.442, at 4.5 times the fit time),
    label smoothing 0.1 (0.476), AdamW with weight decay 0.05 (0.462),
    averaging the probabilities of the nets of random states 0 and 1
    (0.457; of random states 0 to 4, 0.495, where those nets alone score
    0.351 to 0.471, at five times the fit time), and patches that cut the
    series into 128 rather than 64 (0.490, 0.442 for random state 1, but a
    Coffee series lost). Nor did 200 epochs
    (0.404), 50 (0.418), batches of 8 (0.332) or a learning rate of 3e-3
    (0.389); nor, for random states 0 and 1, an LSTM (0.471 and 0.438),
    hidden sizes of 16, 32 or 128 (0.457 / 0.404, 0.510 / 0.466 and 0.375 /
    0.351; 32 scored 0.897 over the suite against 0.898), max pooling alone
    (0.370 / 0.298) or patches of 8 steps (0.524 / 0.442, at twice the fit
    time). Each series standardized by its own statistics
    (``standardize="series"``) scored 0.332 and 0.274 for random states 0
    and 1, and the raw channel beside such a standardized copy 0.317: the
    pressure level tells the pigs apart (a 1-nearest-neighbour on each
    series' mean and standard deviation alone scores 0.423), and hiding it
    costs more than the shapes gain. On the other sets ``"series"`` moved
    no score by more than two test series (2 of the 120 generated ones, for
    random state 0): 0.871 against 0.895 over the suite (random states 0
    and 1).
    Shapes that move in time are the other: on two generated, z-normalized
    outline sets of the benchmark (8 classes of 450 steps, 200 training
    series; 40 classes of 250 steps, 4 training series each) the defaults
    score 0.880 and 0.840 (random states 0 to 2), above 1-NN DTW (0.770,
    0.745) and below ROCKET (0.895, 0.865), in at most 47 s of CPU per fit.

    The epochs follow the training set's size: with 100 epochs for every set
    (the earlier default) PigCVP's 7 batches per epoch made 700 optimisation
    steps, and its crops were seen too few times. A budget of 1,500 batches
    (200 epochs there, 150 for the 40-class outlines, 116 for the 8-class
    ones, 200 for GunPoint, Coffee and ItalyPowerDemand) lifted PigCVP from
    0.647 to 0.718, the outlines from 0.805 to 0.822 and from 0.860 to
    0.873, GunPoint from 0.969 to 0.978, and moved no other set by more than
    one test series in a hundred (ItalyPowerDemand 0.972 to 0.969); the
    mean gap to ROCKET over the eight sets fell from 0.030 to 0.016. Over
    random states 0 to 4 the mean rose less, from 0.904 to 0.913 (PigCVP
    0.634 to 0.677; the 40-class outlines 0.809 both). A
    budget of 1,400 batches with up to 300 epochs lost a Coffee series at
    random state 0 (300 epochs there), and 200 epochs for the 8-class
    outlines cost 73-79 s of CPU. On top of the budget, weight averaging
    over the last half of the epochs changed no set by more than 0.005
    (PigCVP 0.713, the outlines 0.820 and 0.873). With 100 epochs, against
    the defaults' 0.860, 0.805 and 0.647 on the two outline sets and PigCVP
    (random states 0 to 2), averaging the weights over the last half of the
    epochs (``weight_averaging=0.5``) scored 0.865, 0.822 and 0.641;
    starting the encoder from 30 epochs of ``SequenceEncoder``'s masked
    objective on the same series 0.865, 0.815 and 0.649, at 1.3 times the
    fit time. For random state 0 alone (defaults 0.875, 0.805, 0.668),
    convolutions of 7, 19 and 39 steps side by side as the front end's first
    layer scored 0.860, 0.815 and 0.678, and 100 epochs of masked
    pre-training 0.865, 0.850 and 0.668 at twice the fit time. None moved
    the mean beyond the spread between random states. Reading fixed crops
    at prediction did (``test_time_crops``): the same networks scored 0.880,
    0.840 and 0.763 on the two outline sets and PigCVP, up at each of the
    three random states, and the suite's mean rose from 0.919 to 0.928
    against ROCKET's 0.936; averaging over the crops of 90% alone (and the
    whole series) gained about half as much on PigCVP (0.750 and 0.755 for
    random states 0 and 1, against 0.769 and 0.779).

    For documents given as word ids (``Word2VecTransformer(output="ids")``) the
    embedding layer, started from the word vectors, trains with the network,
    and ``max_epochs="auto"`` trains 5 epochs: on the 2016 debates
    (``benchmarks/bench_text_accuracy.py``) the validation loss is lowest
    after one or two epochs while accuracy still rises, so early stopping on
    it keeps an underfit model. ``front_end="auto"`` reads the words
    themselves, without convolutions: there, patches of up to 9 words scored
    0.649 against 0.698 without them (3 splits). Training batches hold
    documents of similar lengths, so a batch of short statements does not run
    the recurrent layer over the steps of a long one drawn into it. Documents
    given as frozen word vectors (``output="sequence"``) are also read word
    by word and kept whole (0.544 against 0.412 through the convolutions, 3
    splits of 5 epochs), but keep 100 epochs: on the first split they scored
    0.616, against 0.580 in 20 epochs and 0.502 in 5.

    Examples
    --------
    >>> from sklearn_seq import SequenceClassifier
    >>> from sklearn_seq.datasets import load_italy_power_demand
    >>> X_train, X_test, y_train, y_test = load_italy_power_demand(return_X_y=True)
    >>> clf = SequenceClassifier(max_epochs=10, random_state=0).fit(X_train, y_train)
    >>> clf.classes_
    array([1, 2])
    >>> clf.predict_proba(X_test[:3]).shape
    (3, 2)
    """

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "pooling": [StrOptions({"last", "mean", "max", "mean_max", "attention"})],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "freeze_embeddings": ["boolean"],
        "standardize": ["boolean", StrOptions({"series"})],
        "random_crop": [Interval(Real, 0, 1, closed="right"), StrOptions({"auto"}), None],
        "test_time_crops": ["boolean"],
    }
    _fitted_attributes = LabelCodec.fitted
    _net_class = WeightedClassifierNet
    _criterion = nn.CrossEntropyLoss
    _training_params = RecurrentEstimator._training_params | {"random_crop"}
    _prediction_params = frozenset({"test_time_crops"})
    _doc_fill = {
        "targets": "",
        "units": "",
        "draws": " and the validation split",
        "split": "a stratified random ``validation_fraction`` of the training data",
        "outputs": " (one logit per class)",
        "numeric_epochs": """as many as make 1,500 batches (optimisation
    steps), at least 100 and at most 200 (100 for documents given as word
    vectors),""",
        "standardize_type": 'bool or "series"',
        "series": """ ``"series"`` instead
    z-normalizes each sequence by its own mean and standard deviation per
    channel, over its valid steps (a constant channel reads as zeros), so a
    prediction ignores the sequence's level and scale; word ids are never
    scaled, and a frozen embedding table is standardized as with True.""",
    }

    def __init__(
        self,
        *,
        cell="gru",
        hidden_size=64,
        num_layers=1,
        bidirectional=True,
        dropout=0.3,
        nonlinearity="tanh",
        normalization=None,
        front_end="auto",
        patch_size="auto",
        pooling="mean_max",
        random_crop="auto",
        test_time_crops=True,
        class_weight=None,
        freeze_embeddings=False,
        max_epochs="auto",
        batch_size=16,
        lr=1e-2,
        lr_schedule="cosine",
        optimizer="adam",
        weight_decay=0.0,
        weight_averaging=None,
        gradient_clip=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        device="cpu",
        n_threads=1,
        distributed=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.normalization = normalization
        self.front_end = front_end
        self.patch_size = patch_size
        self.pooling = pooling
        self.random_crop = random_crop
        self.test_time_crops = test_time_crops
        self.class_weight = class_weight
        self.freeze_embeddings = freeze_embeddings
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.weight_averaging = weight_averaging
        self.gradient_clip = gradient_clip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.device = device
        self.n_threads = n_threads
        self.distributed = distributed
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def _build_module(self, n_channels, n_outputs):
        return SequenceToVector(
            n_outputs, pooling=self.pooling, **self._encoder_kwargs(n_channels)
        )

    def _make_codec(self, y=None):
        return LabelCodec(self.class_weight)

    def _crops(self):
        """``(smallest share, longer_than)`` of the training crops, or None."""
        crop, longer_than = self.random_crop, 0
        if crop == "auto":  # documents stay whole
            crop = None if self._reads_words() else AUTO_CROP
            longer_than = AUTO_CROP_LENGTH
        return None if crop is None or crop >= 1 else (crop, longer_than)

    def _train_collate(self):
        crops = self._crops()
        return super()._train_collate() if crops is None else RandomCrops(*crops)

    def _views(self, seqs):
        """Yield what ``predict_proba`` reads: ``seqs``, then, with
        ``test_time_crops``, its crops, one at a time (a crop of an array is a
        copy); no crop where no sequence would be cut."""
        yield seqs
        crops = self._crops() if self.test_time_crops else None
        if crops is None or not seqs.n_samples or seqs.lengths.max() <= crops[1]:
            return
        smallest, longer_than = crops
        for share in (smallest, (1 + smallest) / 2):
            for where in (0, 0.5, 1):
                yield seqs.crop(share, where, longer_than)

    def _training_data(self, X, y, sample_weight, warm):
        seqs, inputs, targets = super()._training_data(X, y, sample_weight, warm)
        self._n_train = seqs.n_samples  # what max_epochs="auto" reads
        return seqs, inputs, targets

    def _auto_epochs(self, n_samples: int) -> int:
        """``max_epochs="auto"`` for numeric sequences: as many epochs as make
        ``AUTO_STEPS`` batches of ``n_samples``, within ``AUTO_EPOCHS``."""
        fewest, most = AUTO_EPOCHS
        batches = math.ceil(n_samples / self.batch_size)
        return min(most, max(fewest, math.ceil(AUTO_STEPS / batches)))

    def _max_epochs(self) -> int:
        n_train = getattr(self, "_n_train", None)
        if self.max_epochs != "auto" or self._reads_words() or n_train is None:
            return super()._max_epochs()
        return self._auto_epochs(n_train)

    def _validation_split(self, seed):
        return ValidationSplit(self.validation_fraction, True, seed)  # stratified

    def _standardize_inputs(self, seqs):
        if self._built_params().get("standardize") == "series" and seqs.kind != "ids":
            return WindowFrame.of(seqs, "mean").inputs(seqs)  # each sequence its own
        return super()._standardize_inputs(seqs)

    def _inference_module(self, module, device):
        # probabilities are compared to 1e-9 (scikit-learn's sample-order check),
        # below the few float32 units in the last place a CPU's kernels may move a
        # row by: on the CPU, predict through a float64 copy (_inference.float64_copy)
        return float64_copy(module) if torch.device(device).type == "cpu" else module

    def fit(self, X, y, sample_weight=None):
        """Fit the classifier.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Training sequences.
        y : array-like of shape (n,)
            Class labels of any type (strings, ints, ...).
        sample_weight : array-like of shape (n,), default=None
            Weight of each sample in the loss: a weight of 2 counts a sample as
            two copies of it would, 0 leaves it out. None weighs all equally.
            Multiplied by the class weights when both are given.

        Returns
        -------
        self : SequenceClassifier
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight)

    def predict_proba(self, X):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Sequences with the channels seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        self._check_fitted()
        seqs = self._check_input(X, reset=False)
        views = self._views(seqs)  # a generator: one crop held at a time
        proba = [softmax(self._infer(v).astype(np.float64), axis=1) for v in views]
        return np.mean(proba, axis=0)

    def predict(self, X):
        """Predict the class label of each sequence: its most probable class.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Sequences to label (as for :meth:`predict_proba`).

        Returns
        -------
        y_pred : ndarray of shape (n,)
            Labels from ``classes_``.
        """
        self._check_fitted()
        return self._target_codec().inverse_transform(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

"""Target codecs: how ``y`` becomes network targets and outputs become predictions.

Each recurrent estimator picks one codec (its ``_make_codec``). The core fits
it once per fresh ``fit``, reuses it on a warm start, and inverts it after
inference. A codec's fitted state is a few public attributes, named in
``fitted``, that the estimator publishes as its own fitted attributes
(``classes_``, ``y_mean_``, ``vocabulary_`` ...): a saved model holds only
that plain data, and :meth:`TargetCodec.restore` rebuilds the codec from it.
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._fitted import count, floats, labels, optional, shape_tuple, words
from ._scaling import weighted_stats
from ._validation import check_n_targets, check_target

__all__ = ["InputTargets", "LabelCodec", "ScaledTargets", "TokenCodec", "target_kind"]

START, END = "<start>", "<end>"
MAX_OUTPUT_STEPS = 10_000  # most steps a generated output may take (a bound on predict)
IGNORE = -100  # loss target of the steps after a token sequence's end marker


class TargetCodec:
    """Base of the codecs: ``fit`` / ``transform`` / ``inverse_transform``."""

    # the fitted attributes the estimator publishes, with their checks (``_fitted``)
    fitted: dict = {}

    def fit(self, y, n_samples: int, sample_weight=None) -> TargetCodec:
        """Learn the encoding; ``sample_weight`` counts samples as copies."""
        raise NotImplementedError

    def transform(self, y, n_samples: int) -> np.ndarray:
        """Network targets for ``y`` (one row per sample)."""
        raise NotImplementedError

    def inverse_transform(self, out: np.ndarray):
        """Predictions in the user's terms from network outputs."""
        raise NotImplementedError

    @property
    def n_outputs(self) -> int:
        """Width of the network's output layer."""
        raise NotImplementedError

    def loss_weights(self, targets: np.ndarray) -> np.ndarray | None:
        """Per-sample loss weights implied by the targets (e.g. class weights)."""
        return None

    def within(self, frame) -> TargetCodec:
        """Express the targets in a per-sample frame (None: as given); returns self.

        Only numeric codecs take a frame (``_scaling.WindowFrame``): one made
        from the inputs the targets belong to.
        """
        if frame is not None:
            raise ValueError(f"{type(self).__name__} cannot take a window frame.")
        return self

    def state(self) -> dict:
        """The fitted attributes, by name."""
        return {name: getattr(self, name) for name in self.fitted if hasattr(self, name)}

    def restore(self, source) -> TargetCodec:
        """Take the fitted attributes from ``source`` (an estimator); returns self."""
        for name in self.fitted:
            if hasattr(source, name):
                setattr(self, name, getattr(source, name))
        return self


class InputTargets(TargetCodec):
    """The inputs are the targets (an autoencoder): nothing to learn or store.

    ``transform`` gives no array: the net reads each batch's targets from its
    (scaled) inputs, so ragged sequences are never padded up front.
    """

    def __init__(self, n_channels: int):
        self.n_channels = n_channels

    def fit(self, y, n_samples: int, sample_weight=None) -> InputTargets:
        return self

    def transform(self, y, n_samples: int) -> None:
        return None

    @property
    def n_outputs(self) -> int:
        return self.n_channels


class LabelCodec(TargetCodec):
    """Class labels of any type <-> indices into ``classes_``, with loss weights.

    Parameters
    ----------
    class_weight : dict, "balanced" or None
        As for :class:`~sklearn_seq.SequenceClassifier`.
    """

    fitted = {
        "classes_": labels(minimum=2),
        "class_weights_": optional(
            floats(lambda est: (len(est.classes_),), nonnegative=True)
        ),
    }

    def __init__(self, class_weight=None):
        self.class_weight = class_weight

    @staticmethod
    def _labels(y, n_samples: int) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        check_n_targets(len(y), n_samples)
        check_classification_targets(y)
        return y

    def fit(self, y, n_samples: int, sample_weight=None) -> LabelCodec:
        y = self._labels(y, n_samples)
        self.classes_ = LabelEncoder().fit(y).classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"y contains only one class ({self.classes_[0]!r}); a classifier "
                "needs samples of at least 2 classes."
            )
        self.class_weights_ = None
        if isinstance(self.class_weight, dict):
            unknown = sorted(map(str, set(self.class_weight) - set(self.classes_.tolist())))
            if unknown:
                raise ValueError(
                    f"class_weight names labels that are not in y: {unknown}; "
                    f"the classes are {self.classes_.tolist()}."
                )
        if self.class_weight is not None:
            with np.errstate(divide="ignore", invalid="ignore"):  # refused below
                weights = compute_class_weight(
                    self.class_weight,
                    classes=self.classes_,
                    y=y,
                    sample_weight=sample_weight,
                )
            if not np.isfinite(weights).all():
                empty = self.classes_[~np.isfinite(weights)].tolist()
                raise ValueError(
                    f"class_weight='balanced' cannot weigh class(es) {empty}: every "
                    "sample of them has a sample_weight of 0. Give some of them "
                    "weight, leave them out of y, or pass class_weight as a dict."
                )
            self.class_weights_ = weights.astype(np.float32)
        return self

    def transform(self, y, n_samples: int) -> np.ndarray:
        y = self._labels(y, n_samples)
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(f"y contains labels not seen in the first fit: {unseen}.")
        encoder = LabelEncoder()
        encoder.classes_ = self.classes_
        return encoder.transform(y).astype(np.int64)

    def loss_weights(self, targets: np.ndarray) -> np.ndarray | None:
        if self.class_weights_ is None:
            return None
        return self.class_weights_[targets].astype(np.float64)

    def inverse_transform(self, out: np.ndarray) -> np.ndarray:
        """Labels from class scores ``(n, n_classes)``."""
        return self.classes_[np.argmax(out, axis=1)]

    @property
    def n_outputs(self) -> int:
        return len(self.classes_)


class ScaledTargets(TargetCodec):
    """Numeric targets, standardized for training and returned in their units.

    Parameters
    ----------
    standardize : bool
        Learn a mean and a scale and train on the standardized values.
    per_step : bool
        Targets are sequences of steps, ``(n,)``, ``(n, T)`` or ``(n, T, k)``:
        the network outputs ``k`` values per step and each of the ``k``
        channels has one mean and scale. Otherwise each target row, whatever
        its shape, is one output vector with a mean and scale per entry.

    A frame given with :meth:`within` (a ``_scaling.WindowFrame``) expresses
    each row in its window's frame before the standardization.
    """

    fitted = {
        "target_shape_": shape_tuple(3),
        "y_mean_": floats(lambda est: (est.n_outputs_,)),
        "y_scale_": floats(lambda est: (est.n_outputs_,), positive=True),
    }

    def __init__(self, standardize: bool = True, per_step: bool = False):
        self.standardize = standardize
        self.per_step = per_step
        self.frame = None

    def within(self, frame) -> ScaledTargets:
        self.frame = frame
        return self

    def _rows(self, y, n_samples: int) -> tuple[np.ndarray, tuple]:
        """Targets as ``(n, n_outputs)`` (or ``(n, T, k)``) and one row's shape."""
        y = check_target(y, n_samples)
        if self.per_step and y.ndim > 3:
            raise ValueError(f"numeric y must be (n,), (n, T) or (n, T, k), got {y.shape}.")
        shape = getattr(self, "target_shape_", y.shape[1:])
        if y.shape[1:] != shape:
            raise ValueError(
                f"warm_start: y rows have shape {y.shape[1:]}, but the model was "
                f"fitted on rows shaped {shape}."
            )
        if not self.per_step:
            rows = y.reshape(len(y), -1)
            if self.frame is not None:
                rows = self.frame.to_frame(rows, shape)
            return rows, shape
        return (y.reshape(len(y), -1, 1) if y.ndim < 3 else y), shape

    def restore(self, source) -> ScaledTargets:
        super().restore(source)
        self.standardize = hasattr(self, "y_mean_")  # as fitted, not as set since
        return self

    def fit(self, y, n_samples: int, sample_weight=None) -> ScaledTargets:
        rows, self.target_shape_ = self._rows(y, n_samples)
        if self.standardize:
            if self.per_step:  # every step of a sample is one more value of a channel
                steps = rows.shape[1]
                rows = rows.reshape(-1, rows.shape[2])
                if sample_weight is not None:
                    sample_weight = np.repeat(sample_weight, steps)
            self.y_mean_, self.y_scale_ = weighted_stats(rows, sample_weight)
        return self

    def transform(self, y, n_samples: int) -> np.ndarray:
        rows, _ = self._rows(y, n_samples)
        if self.standardize:
            rows = (rows - self.y_mean_) / self.y_scale_
        return rows.astype(np.float32)

    def inverse_transform(self, out: np.ndarray) -> np.ndarray:
        """Predictions shaped ``(n,) + target_shape_`` in the units of ``y``."""
        out = np.asarray(out, dtype=np.float64)
        if self.standardize:
            out = out * self.y_scale_ + self.y_mean_
        if self.frame is not None:
            out = self.frame.from_frame(out, self.target_shape_)
        return out.reshape((len(out), *self.target_shape_))

    @property
    def n_outputs(self) -> int:
        if self.per_step:
            return self.target_shape_[1] if len(self.target_shape_) == 2 else 1
        return int(np.prod(self.target_shape_))

    @property
    def steps(self) -> int:
        """Output steps per sample (``per_step`` targets)."""
        return self.target_shape_[0] if self.target_shape_ else 1

    def teacher_inputs(self, targets: np.ndarray) -> np.ndarray:
        """Decoder inputs for training: zeros, then each step's true previous output."""
        return np.concatenate([np.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)


class TokenCodec(TargetCodec):
    """Strings or token lists <-> token ids, framed by start and end markers.

    Parameters
    ----------
    kind : {"chars", "tokens"}
        Strings (one token per character) or lists of string tokens.
    max_length : int or None
        Most tokens a generated output may have; None: the longest target.
    """

    fitted = {
        "vocabulary_": words(first=(START, END)),  # the markers' ids are 0 and 1
        "max_length_": count(maximum=MAX_OUTPUT_STEPS - 1),  # and the end marker
    }

    def __init__(self, kind: str, max_length: int | None = None):
        self.kind = kind
        self.max_length = max_length

    @staticmethod
    def _sequences(y, n_samples: int) -> list[list[str]]:
        sequences = [list(item) for item in y]
        check_n_targets(len(sequences), n_samples)
        for i, seq in enumerate(sequences):
            if not seq:
                raise ValueError(f"y[{i}] is an empty sequence; targets need >= 1 token.")
            if START in seq or END in seq:
                raise ValueError(
                    f"y[{i}] contains the internal marker {START!r} or {END!r}; rename "
                    "that token."
                )
        return sequences

    def fit(self, y, n_samples: int, sample_weight=None) -> TokenCodec:
        sequences = self._sequences(y, n_samples)
        self.vocabulary_ = [START, END, *sorted({t for seq in sequences for t in seq})]
        longest = max(map(len, sequences))
        self.max_length_ = self.max_length if self.max_length is not None else longest
        return self

    def transform(self, y, n_samples: int) -> np.ndarray:
        """Ids of each sequence's tokens and its end marker, then ``IGNORE``."""
        sequences = self._sequences(y, n_samples)
        ids = {t: i for i, t in enumerate(self.vocabulary_)}
        unknown = {t for seq in sequences for t in seq} - set(ids)
        if unknown:
            raise ValueError(
                f"warm_start: y has tokens not seen in the first fit: {unknown}."
            )
        targets = np.full((n_samples, max(map(len, sequences)) + 1), IGNORE, np.int64)
        for i, seq in enumerate(sequences):
            targets[i, : len(seq) + 1] = [*(ids[t] for t in seq), ids[END]]
        return targets

    def inverse_transform(self, out: np.ndarray) -> list:
        """Strings or token lists, each cut at its end marker or ``max_length_``."""
        end = self.vocabulary_.index(END)
        outputs = []
        for row in out:
            stop = np.flatnonzero(row == end)
            row = row[: stop[0] if len(stop) else self.max_length_]
            tokens = [self.vocabulary_[i] for i in row if i != self.start_id]
            outputs.append("".join(tokens) if self.kind == "chars" else tokens)
        return outputs

    @property
    def n_outputs(self) -> int:
        return len(self.vocabulary_)

    @property
    def steps(self) -> int:
        """Most output steps: ``max_length_`` tokens and the end marker."""
        return self.max_length_ + 1

    @property
    def start_id(self) -> int:
        return self.vocabulary_.index(START)

    def teacher_inputs(self, targets: np.ndarray) -> np.ndarray:
        """Decoder inputs for training: the start marker, then the true tokens."""
        inputs = np.concatenate(
            [np.full_like(targets[:, :1], self.start_id), targets[:, :-1]], axis=1
        )
        return np.where(inputs == IGNORE, self.vocabulary_.index(END), inputs)


def target_kind(y) -> str:
    """'chars' (strings), 'tokens' (lists of strings) or 'numeric'."""
    if isinstance(y, str):
        raise ValueError("y must hold one target per sample, got a single string.")
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    if not isinstance(y, (list, tuple)):
        y = np.asarray(y)  # array-likes, e.g. objects with __array__
    if isinstance(y, np.ndarray) and y.dtype.kind not in "OUS":
        return "numeric"
    kinds = set()
    for item in y:
        if isinstance(item, str):
            kinds.add("chars")
        elif isinstance(item, (list, tuple)) and all(isinstance(t, str) for t in item):
            kinds.add("tokens")  # an empty list is refused with its index later
        else:
            kinds.add("numeric")
    if len(kinds) > 1:
        raise ValueError(
            f"y mixes numeric and token targets ({', '.join(sorted(kinds))}); give all "
            "samples numeric sequences, or all strings, or all lists of string tokens."
        )
    if not kinds:
        raise ValueError("y is empty.")
    return kinds.pop()

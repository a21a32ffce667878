"""Save and load fitted models in a safe, single-file format.

A model file is a `safetensors <https://huggingface.co/docs/safetensors>`_ file:
numeric arrays (network weights, scaler statistics, word vectors) are its
tensors, and its header metadata holds one JSON document describing the
model: classes, parameters, fitted attributes and which tensor belongs where.
Loading reads the file once, as JSON and raw tensors only. It never unpickles,
and it only builds classes from a fixed allowlist (this package's estimators,
scikit-learn's ``Pipeline`` and a few of its common preprocessing steps, text
vectorizers, decompositions and linear models), so a file cannot make the
loader import or call anything else. Parameters and fitted attributes are plain
data: numbers, strings, arrays, lists, tuples, dicts with string keys, numpy
dtypes named from a fixed list, and allowlisted estimators; a function (a
custom ``tokenizer``, say) is refused when saving. A parameter may name code or
a place on disk only where it must (a torch optimizer class for ``optimizer``,
a numpy type for ``dtype``, word vectors for ``pretrained``); a ``Pipeline``
``memory`` cache, skorch ``callbacks`` and vectorizers that read files are
refused. Every parameter is validated, and the network's declared sizes are
checked against the tensors in the file before anything is allocated.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from gensim.models import KeyedVectors
from safetensors import SafetensorError
from safetensors.numpy import load as load_tensors
from safetensors.numpy import save as serialize
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    OneHotEncoder,
    RobustScaler,
    StandardScaler,
)

from ._base import RecurrentEstimator
from ._distributed import writes_here
from ._fitted import declared_fitted
from ._runtime import resolve_device
from .classifier import SequenceClassifier
from .encoder import SequenceEncoder
from .forecaster import RNNForecaster
from .generator import SequenceGenerator
from .word2vec import Word2VecTransformer

__all__ = ["save", "load"]

FORMAT, VERSION = "sklearn_seq", "1"
# parameters added after files were first written, with the value that rebuilds the
# model an older file holds (files written now always store every parameter)
_OLDER_FILES = {
    "RNNForecaster": {
        **{"scaling": "global", "season_length": None, "weight_averaging": None},
        "combine": None,
    },
    "SequenceClassifier": {
        "front_end": None,
        "random_crop": None,
        "test_time_crops": False,
    },
}

# the only classes a file may name
_RECURRENT = {
    cls.__name__: cls
    for cls in (RNNForecaster, SequenceClassifier, SequenceGenerator, SequenceEncoder)
}
_SKLEARN = {
    cls.__name__: cls
    for cls in (
        *(StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler),
        *(OneHotEncoder, SimpleImputer, MissingIndicator),
        *(PCA, TruncatedSVD, CountVectorizer, TfidfVectorizer, TfidfTransformer),
        *(LogisticRegression, LinearRegression, Ridge),
    )
}
_ALLOWED = {
    **_RECURRENT,
    **_SKLEARN,
    "Word2VecTransformer": Word2VecTransformer,
    "Pipeline": Pipeline,
}
# fitted state a class keeps in private attributes, needed to transform as before
_PRIVATE_STATE = {
    "PCA": ("_fit_svd_solver",),
    "TfidfVectorizer": ("_tfidf",),
    "OneHotEncoder": (
        "_infrequent_enabled",
        "_infrequent_indices",
        "_default_to_infrequent_mappings",
        "_drop_idx_after_grouping",
        "_n_features_outs",
    ),
    "SimpleImputer": ("_fit_dtype", "_fill_dtype"),
    "MissingIndicator": ("_precomputed", "_n_features"),
}
# the numpy types a file may name (e.g. the ``dtype`` parameter of the vectorizers)
_NUMPY_TYPES = {
    np.dtype(t).name: t
    for t in (
        *(np.bool_, np.int8, np.int16, np.int32, np.int64),
        *(np.uint8, np.uint16, np.uint32, np.uint64),
        *(np.float16, np.float32, np.float64, np.object_),
    )
}
# the element types an array of labels (strings, categories) may hold
_LABEL_TYPES = (str, int, float, type(None))
_TORCH_OPTIMIZERS = {
    name: cls
    for name, cls in vars(torch.optim).items()
    if isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)
}
# parameters that may hold something other than plain data, and what
_TYPED_PARAMS = {
    "dtype": lambda v: v in _NUMPY_TYPES.values() or isinstance(v, np.dtype),
    "optimizer": lambda v: v in _TORCH_OPTIMIZERS.values(),
    "pretrained": lambda v: isinstance(v, KeyedVectors),
}


MAX_DEPTH = 32  # nesting of values in a file (lists, dicts, estimators)
MAX_PIPELINE_DEPTH = 4  # Pipelines inside Pipelines: each level multiplies predict's work
# parameters that would point a loaded model at files or code: the only value allowed
_FIXED_PARAMS = {"memory": None, "callbacks": None, "input": "content"}


class UnsafeModelFileError(ValueError):
    """The file is not a model file this package wrote, or asks for something unsafe."""


def _is_state(class_name: str, key) -> bool:
    """Whether a file may hold ``key`` as fitted state of a ``class_name``: for
    this package's estimators, an attribute they declare (``_fitted``)."""
    if class_name in _RECURRENT:
        return key in declared_fitted(_RECURRENT[class_name])
    return (
        isinstance(key, str)
        and key.isidentifier()
        and (
            key in _PRIVATE_STATE.get(class_name, ())
            or (key.endswith("_") and not key.startswith("_") and key != "net_")
        )
    )


def _is_plain(value) -> bool:
    """Numbers, strings, arrays, and lists, tuples and dicts of them."""
    if value is None or isinstance(value, (bool, int, float, str, np.generic, np.ndarray)):
        return True
    if isinstance(value, (list, tuple)):
        return all(map(_is_plain, value))
    return isinstance(value, dict) and all(map(_is_plain, value.values()))


def _points_elsewhere(name: str, params: dict) -> str | None:
    """The problem with a parameter that would point a model at files or code."""
    for key, allowed in _FIXED_PARAMS.items():
        value = params.get(key, allowed)
        if not (value is allowed or (isinstance(value, str) and value == allowed)):
            return (
                f"{name}.{key} = {value!r:.60} would point the model at files or code; "
                f"a model file may only hold {key}={allowed!r}."
            )
    return None


def _numpy_type(name):
    if not isinstance(name, str) or name not in _NUMPY_TYPES:
        raise UnsafeModelFileError(f"unknown numpy type {name!r} in the file.")
    return _NUMPY_TYPES[name]


# --- encoding -----------------------------------------------------------------------------
class _Writer:
    def __init__(self):
        self.tensors: dict[str, np.ndarray] = {}

    def tensor(self, array: np.ndarray) -> dict:
        name = f"t{len(self.tensors)}"
        self.tensors[name] = np.ascontiguousarray(array)
        if array.ndim > 1 and array.strides[0] == array.itemsize != array.strides[-1]:
            # column-major (PCA's components_): the memory order decides how a
            # matrix product rounds, so the loaded array keeps it
            return {"tensor": name, "order": "F"}
        return {"tensor": name}

    def value(self, value, where: str):
        """JSON for an attribute or parameter value."""
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic) and value.dtype.name in _NUMPY_TYPES:
            return {"scalar": value.item(), "dtype": value.dtype.name}
        if isinstance(value, Integral):
            return int(value)
        if isinstance(value, Real):
            return float(value)
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                return self.tensor(value)
            if value.dtype.kind in "UO" and all(
                isinstance(v, _LABEL_TYPES) for v in value.flat
            ):
                return {"array": value.tolist(), "dtype": value.dtype.kind}
        if isinstance(value, tuple):
            return {"tuple": [self.value(v, where) for v in value]}
        if isinstance(value, list):
            return [self.value(v, where) for v in value]
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return {"dict": {k: self.value(v, f"{where}[{k!r}]") for k, v in value.items()}}
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if isinstance(value, KeyedVectors):
            return {"keyed_vectors": self.keyed_vectors(value)}
        if isinstance(value, type) and value in _TORCH_OPTIMIZERS.values():
            return {"optimizer": value.__name__}
        if isinstance(value, type) and value in _NUMPY_TYPES.values():
            return {"numpy_type": np.dtype(value).name}
        if isinstance(value, np.dtype) and value.isnative and value.name in _NUMPY_TYPES:
            return {"numpy_dtype": value.name}
        if _ALLOWED.get(type(value).__name__) is type(value):
            return {"estimator": self.estimator(value)}
        if callable(value):
            raise TypeError(
                f"{where} = {value!r:.60} cannot be stored in the safe format: it is code "
                "(a function or class), and the file holds only data. Use one of the "
                "parameter's built-in options (for a dtype, a numpy type such as "
                "np.float64), or pickle/joblib for a model you trust."
            )
        raise TypeError(
            f"{where} = {value!r:.60} cannot be stored in the safe format (only numbers, "
            "strings, arrays, lists, dicts, numpy dtypes, word vectors, torch optimizer "
            "classes and supported estimators can)."
        )

    def keyed_vectors(self, kv: KeyedVectors) -> dict:
        extras = {
            name: self.tensor(np.asarray(values))
            for name, values in kv.expandos.items()
            if np.asarray(values).dtype.kind in "biuf"
        }
        return {
            "keys": list(kv.index_to_key),
            "vectors": self.tensor(kv.vectors),
            "extras": extras,
        }

    def estimator(self, est) -> dict:
        name = type(est).__name__
        if _ALLOWED.get(name) is not type(est):
            raise TypeError(
                f"{name} cannot be saved in the safe format; supported: {sorted(_ALLOWED)}."
            )
        fitted = isinstance(est, RecurrentEstimator) and hasattr(est, "net_")
        params = est.built_params() if fitted else est.get_params(False)
        problem = _points_elsewhere(name, params)
        if problem:
            raise TypeError(f"{problem} Such a model cannot be stored in the safe format.")
        if isinstance(est, Pipeline):
            steps = [
                [step, obj if obj in (None, "passthrough") else self.estimator(obj)]
                for step, obj in params.pop("steps")
            ]
            params = {k: self.value(v, f"Pipeline.{k}") for k, v in params.items()}
            return {"class": name, "params": params, "steps": steps}
        node = {
            "class": name,
            "params": {k: self.value(v, f"{name}.{k}") for k, v in params.items()},
            "state": {
                k: self.value(v, f"{name}.{k}")
                for k, v in vars(est).items()
                if _is_state(name, k)
            },
        }
        if fitted:
            node["weights"] = {k: self.tensor(v) for k, v in est.get_weights().items()}
            node["history"] = json.loads(
                json.dumps(est.net_.history.to_list(), default=float)
            )
        return node


def save(estimator, path) -> None:
    """Save a fitted estimator or Pipeline to one safe file.

    Parameters
    ----------
    estimator : estimator or Pipeline
        One of this package's estimators, or a ``Pipeline`` of them and of
        these scikit-learn steps: ``StandardScaler``, ``MinMaxScaler``,
        ``MaxAbsScaler``, ``RobustScaler``, ``OneHotEncoder``,
        ``SimpleImputer``, ``PCA``, ``TruncatedSVD``, ``CountVectorizer``,
        ``TfidfVectorizer``, ``TfidfTransformer``, ``LogisticRegression``,
        ``LinearRegression``, ``Ridge``.
    path : str or path-like
        Where to write (conventionally ``*.safetensors``). For a model
        trained with ``distributed="join"`` within a process group (torchrun
        and the like) only rank 0 writes; every rank checks that the
        estimator can be stored.

    Raises
    ------
    TypeError
        When something cannot be stored safely: a class outside the list, a
        function as a parameter (a custom ``tokenizer``, ``preprocessor`` or
        ``analyzer``), skorch ``callbacks``. The message names the parameter.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_seq import RNNForecaster, make_windows, save, load
    >>> X, y = make_windows(np.sin(0.1 * np.arange(200)), lookback=10)
    >>> model = RNNForecaster(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
    >>> save(model, path)
    >>> np.array_equal(load(path).predict(X), model.predict(X))
    True
    """
    from . import __version__  # the package that wrote the file; load checks VERSION only

    writer = _Writer()
    document = {"format": FORMAT, "version": VERSION, "package_version": __version__}
    document["model"] = writer.estimator(estimator)
    data = serialize(writer.tensors, metadata={"sklearn_seq": json.dumps(document)})
    if writes_here(estimator):  # of a "join" fit's ranks, rank 0 alone writes
        _write_atomically(os.fsdecode(path), data)


def _write_atomically(path: str, data: bytes) -> None:
    """Write beside ``path``, then rename over it: a reader sees the old file or the
    new one, never a mix. The new file's mode follows the umask, as ``open`` does."""
    temporary = f"{path}.{uuid.uuid4().hex}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# --- decoding -----------------------------------------------------------------------------
class _Reader:
    def __init__(self, tensors: dict[str, np.ndarray], device: str | None):
        self.tensors = tensors
        self.device = device

    def tensor(self, ref: dict) -> np.ndarray:
        name = ref.get("tensor") if isinstance(ref, dict) else None
        if name not in self.tensors:
            raise UnsafeModelFileError(f"the file refers to a missing tensor {name!r}.")
        if ref.get("order") == "F":
            return np.asfortranarray(self.tensors[name])
        return self.tensors[name]

    def value(self, value, depth: int = 0):
        if depth > MAX_DEPTH:
            raise UnsafeModelFileError(f"values nested more than {MAX_DEPTH} deep.")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.value(v, depth + 1) for v in value]
        if not isinstance(value, dict) or len(value) not in (1, 2):
            raise UnsafeModelFileError(f"unexpected value {value!r:.80} in the file.")
        if "tensor" in value:
            return self.tensor(value)
        if "tuple" in value and isinstance(value["tuple"], list):
            return tuple(self.value(v, depth + 1) for v in value["tuple"])
        if "array" in value and value.get("dtype") in ("U", "O"):
            items = value["array"]
            if not all(
                isinstance(v, _LABEL_TYPES) for v in np.ravel(np.array(items, object))
            ):
                raise UnsafeModelFileError("a stored label array holds non-label values.")
            return np.array(items, dtype=object if value["dtype"] == "O" else None)
        if "dict" in value and isinstance(value["dict"], dict):
            return {k: self.value(v, depth + 1) for k, v in value["dict"].items()}
        if "scalar" in value and isinstance(value["scalar"], (bool, int, float)):
            return _numpy_type(value.get("dtype"))(value["scalar"])
        if "numpy_type" in value:
            return _numpy_type(value["numpy_type"])
        if "numpy_dtype" in value:
            return np.dtype(_numpy_type(value["numpy_dtype"]))
        if "estimator" in value:
            return self.estimator(value["estimator"], depth + 1)
        if "keyed_vectors" in value:
            return self.keyed_vectors(value["keyed_vectors"])
        if "optimizer" in value:
            name = value["optimizer"]
            if name not in _TORCH_OPTIMIZERS:
                raise UnsafeModelFileError(f"unknown optimizer {name!r} in the file.")
            return _TORCH_OPTIMIZERS[name]
        raise UnsafeModelFileError(f"unexpected value {value!r:.80} in the file.")

    def keyed_vectors(self, node: dict) -> KeyedVectors:
        keys, vectors = node["keys"], self.tensor(node["vectors"])
        if (
            not isinstance(keys, list)
            or not all(isinstance(k, str) for k in keys)
            or vectors.ndim != 2
            or vectors.shape[0] != len(keys)
            or len(set(keys)) != len(keys)
        ):
            raise UnsafeModelFileError("stored word vectors do not match their vocabulary.")
        kv = KeyedVectors(vectors.shape[1])
        kv.add_vectors(keys, vectors)
        for name, ref in node.get("extras", {}).items():
            kv.expandos[str(name)] = self.tensor(ref)
        return kv

    def params(self, name: str, node: dict, depth: int) -> dict:
        """The parameters of a ``name`` node: plain data, except where a type is due."""
        params = {k: self.value(v, depth + 1) for k, v in node.get("params", {}).items()}
        for key, value in params.items():
            if not (_is_plain(value) or _TYPED_PARAMS.get(key, _is_plain)(value)):
                raise UnsafeModelFileError(
                    f"{name}.{key} = {value!r:.60} is not plain data, and that parameter "
                    "may not hold anything else in a model file."
                )
        problem = _points_elsewhere(name, params)
        if problem:
            raise UnsafeModelFileError(problem)
        return params

    def placed(self, name: str, params: dict) -> dict:
        """``params`` with ``device`` where the network is put: ``load``'s
        ``device``, else the saved one, or the CPU (with a warning) where the
        saved one is a GPU that torch does not see."""
        device, saved = self.device, params.get("device")
        if device is None and saved == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"this {name} was saved with device='cuda', and torch sees no GPU here: "
                "it is loaded on the CPU, with device='cpu' (where a warm start will "
                "train it).",
                UserWarning,
                stacklevel=4,
            )
            device = "cpu"
        return params if device is None else {**params, "device": device}

    def estimator(self, node: dict, depth: int = 0, pipelines: int = 0):
        name = node.get("class") if isinstance(node, dict) else None
        cls = _ALLOWED.get(name) if isinstance(name, str) else None
        if cls is None:
            raise UnsafeModelFileError(
                f"the file names class {name!r}, which is not one the loader may build "
                f"(allowed: {sorted(_ALLOWED)})."
            )
        if depth > MAX_DEPTH:
            raise UnsafeModelFileError(f"estimators nested more than {MAX_DEPTH} deep.")
        params = self.params(name, node, depth)
        if cls is Pipeline:
            if pipelines >= MAX_PIPELINE_DEPTH:
                raise UnsafeModelFileError(
                    f"Pipelines nested more than {MAX_PIPELINE_DEPTH} deep."
                )
            steps = [
                (
                    str(step),
                    child
                    if child in (None, "passthrough")
                    else self.estimator(child, depth + 1, pipelines + 1),
                )
                for step, child in node["steps"]
            ]
            est = Pipeline(steps, **params)
            est._validate_params()
            return est
        unknown = set(params) - set(cls().get_params(deep=False))
        if unknown:
            raise UnsafeModelFileError(f"unknown parameters for {name}: {sorted(unknown)}.")
        if cls in _RECURRENT.values():
            params = self.placed(name, params)
        est = cls(**{**_OLDER_FILES.get(name, {}), **params})
        est._validate_params()
        for key, value in node.get("state", {}).items():
            if not _is_state(name, key):
                raise UnsafeModelFileError(f"unexpected attribute {key!r} for {name}.")
            setattr(est, key, self.value(value, depth + 1))
        if "weights" in node:
            weights = {k: self.tensor(ref) for k, ref in node["weights"].items()}
            try:
                est.set_weights(weights, device=self.device, history=node.get("history"))
            except ValueError as exc:
                raise UnsafeModelFileError(f"the file's network: {exc}") from None
        return est


def _read(path) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the tensors of a model file, from one read of it."""
    with open(path, "rb") as f:
        data = f.read()
    try:
        header_size = int.from_bytes(data[:8], "little")
        header = json.loads(data[8 : 8 + header_size]) if len(data) > 8 else None
        metadata = header.get("__metadata__") if isinstance(header, dict) else None
        tensors = load_tensors(data)
    except (SafetensorError, ValueError, KeyError, RecursionError) as exc:
        raise UnsafeModelFileError(
            f"{os.fsdecode(path)!r} is not a sklearn_seq model file (not a valid "
            f"safetensors file: {exc!s:.200})."
        ) from None
    try:
        document = json.loads((metadata or {}).get("sklearn_seq", ""))
    except ValueError as exc:  # as too long an integer: refused, not malformed
        if not isinstance(exc, json.JSONDecodeError):
            raise UnsafeModelFileError(
                f"{os.fsdecode(path)!r} holds a value this loader refuses: {exc!s:.200}"
            ) from None
        document = None
    except (RecursionError, TypeError):
        document = None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UnsafeModelFileError(
            f"{os.fsdecode(path)!r} is a safetensors file but not a sklearn_seq model file."
        )
    if document.get("version") != VERSION:
        raise UnsafeModelFileError(
            f"model file version {document.get('version')!r} is not supported "
            f"(this package reads version {VERSION})."
        )
    for name, tensor in tensors.items():
        if tensor.dtype.kind not in "biuf":
            raise UnsafeModelFileError(
                f"tensor {name!r} has unsupported type {tensor.dtype}."
            )
    return document, tensors


def load(path, *, device: str | None = None):
    """Load an estimator or Pipeline written by :func:`save`.

    Parameters
    ----------
    path : str, bytes or path-like
        The model file.
    device : {"cpu", "cuda", "auto"} or None, default=None
        Where to put the networks; each loaded estimator's ``device`` says
        where its network is, and a warm start trains there. None keeps the
        saved ``device`` when it is available and uses the CPU otherwise, with
        a warning, so a model trained on a GPU loads on a CPU-only machine.

    Returns
    -------
    estimator : estimator or Pipeline
        The fitted model, predicting exactly as the saved one.

    Raises
    ------
    UnsafeModelFileError
        When the file is not a model file of this package (a pickle, say),
        names a class outside the allowlist, holds a parameter that is not
        plain data or not valid, or tensors that do not fit the model. The
        message says what is wrong. Nothing from a refused file is executed.
    ValueError
        When ``device`` is not one of the above, or is ``"cuda"`` without a GPU.

    Notes
    -----
    The file is read once, so a file replaced while it is loaded gives the old
    model or the new one, never a mix. Memory and time are bounded by the
    file's size: declared sizes are checked against the stored tensors before
    the network is built, generated outputs take at most
    ``MAX_OUTPUT_STEPS`` steps and Pipelines nest at most
    ``MAX_PIPELINE_DEPTH`` deep.
    """
    if device is not None:
        if device not in ("cpu", "cuda", "auto"):
            raise ValueError(
                f"device must be 'cpu', 'cuda', 'auto' or None, got {device!r}."
            )
        device = resolve_device(device)
    document, tensors = _read(path)
    try:
        return _Reader(tensors, device).estimator(document.get("model"))
    except UnsafeModelFileError:
        raise
    except (
        *(KeyError, TypeError, AttributeError, IndexError, ValueError),
        *(RecursionError, RuntimeError, OverflowError),
    ) as exc:
        raise UnsafeModelFileError(
            f"malformed model file {os.fsdecode(path)!r}: {type(exc).__name__}: "
            f"{exc!s:.300}"
        ) from None

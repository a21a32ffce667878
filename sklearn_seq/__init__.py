"""Recurrent neural networks and word embeddings as scikit-learn estimators."""

from .classifier import SequenceClassifier
from .encoder import SequenceEncoder
from .forecaster import RNNForecaster
from .generator import SequenceGenerator
from .persistence import load, save
from .windows import make_windows
from .word2vec import Word2VecTransformer

__version__ = "0.2.0"

__all__ = [
    "RNNForecaster",
    "SequenceClassifier",
    "SequenceEncoder",
    "SequenceGenerator",
    "Word2VecTransformer",
    "make_windows",
    "save",
    "load",
    "__version__",
]

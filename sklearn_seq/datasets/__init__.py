"""Small real sequence data sets shipped with the package.

The loaders follow ``sklearn.datasets``: a :class:`~sklearn.utils.Bunch` by
default, plain arrays with ``return_X_y=True``. Sequences are channels-last, the
package's convention. Data from aeon or sktime, held as ``(n, channels, T)``,
converts with one line: ``X = np.transpose(X_aeon, (0, 2, 1))``. A long-format
table, one row per sequence and time step, converts with :func:`from_long_format`.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np
from sklearn.utils import Bunch

from .long_format import from_long_format, long_format_hint

__all__ = [
    "from_long_format",
    "load_gunpoint",
    "load_italy_power_demand",
    "load_movie_review_sentences",
    "long_format_hint",
]

_DESCR = {
    "gunpoint": (
        "GunPoint (UCR archive). One female and one male actor either draw a replica "
        "gun from a hip holster and point it at a target (class 1, Gun-Draw) or point "
        "with their index finger (class 2, Point). Each series is the X coordinate of "
        "the right hand's centroid over 150 video frames. 50 training and 150 test "
        "series; the archive's 1-NN DTW accuracy is 0.907."
    ),
    "italypowerdemand": (
        "ItalyPowerDemand (UCR archive). Each series is one day of Italian electrical "
        "power demand, 24 hourly values; class 1 is a day from October to March, "
        "class 2 a day from April to September. 67 training and 1029 test series; "
        "the archive's 1-NN DTW accuracy is 0.950."
    ),
}


def _read(name: str, split: str):
    path = resources.files(__package__) / "data" / f"{name}_{split}.csv.gz"
    with resources.as_file(path) as file, gzip.open(file, "rt") as f:
        table = np.loadtxt(f, delimiter=",")
    return table[:, 1:], table[:, 0].astype(np.int64)


def _load(name: str, return_X_y: bool):
    X_train, y_train = _read(name, "train")
    X_test, y_test = _read(name, "test")
    if return_X_y:
        return X_train, X_test, y_train, y_test
    return Bunch(
        X_train=X_train,
        X_test=X_test,
        y_train=y_train,
        y_test=y_test,
        DESCR=_DESCR[name],
    )


def load_gunpoint(*, return_X_y: bool = False):
    """Load the GunPoint time-series classification data set (UCR archive).

    Univariate series of length 150, two classes, with the archive's own
    train/test split.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``X_train`` (50, 150), ``X_test`` (150, 150), ``y_train`` and ``y_test``
        (labels 1 and 2), and ``DESCR``.

    Examples
    --------
    >>> from sklearn_seq.datasets import load_gunpoint
    >>> X_train, X_test, y_train, y_test = load_gunpoint(return_X_y=True)
    >>> X_train.shape, X_test.shape
    ((50, 150), (150, 150))
    """
    return _load("gunpoint", return_X_y)


def load_italy_power_demand(*, return_X_y: bool = False):
    """Load the ItalyPowerDemand time-series classification data set (UCR archive).

    Univariate series of length 24 (one day, hourly), two classes, with the
    archive's own train/test split.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return the four arrays as a tuple, as :func:`load_gunpoint` does.

    Returns
    -------
    data : Bunch or tuple
        Training series ``X_train`` (67, 24) and labels ``y_train``, test series
        ``X_test`` (1029, 24) and labels ``y_test`` (labels 1 and 2), ``DESCR``.

    Examples
    --------
    >>> from sklearn_seq.datasets import load_italy_power_demand
    >>> data = load_italy_power_demand()
    >>> data.X_train.shape, data.X_test.shape
    ((67, 24), (1029, 24))
    """
    return _load("italypowerdemand", return_X_y)


def load_movie_review_sentences(*, return_X_y: bool = False):
    """Load 200 labelled movie-review sentences (Pang and Lee's polarity data).

    The sentences ship inside gensim (``gensim.test.utils.datapath(
    "pang_lee_polarity.cor")``, latin-1), so nothing is downloaded: 100
    positive and 100 negative, lower-cased and tokenized by spaces.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(texts, labels)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (list of 200 str), ``target`` (array of "neg" / "pos") and
        ``DESCR``.

    Examples
    --------
    >>> from sklearn_seq.datasets import load_movie_review_sentences
    >>> texts, labels = load_movie_review_sentences(return_X_y=True)
    >>> len(texts), sorted(set(labels.tolist()))
    (200, ['neg', 'pos'])
    """
    from gensim.test.utils import datapath

    texts, labels = [], []
    with open(datapath("pang_lee_polarity.cor"), encoding="latin-1") as f:
        for line in f:
            label, text = line.rstrip("\n").split(" ", 1)
            labels.append(label.removeprefix("__label__"))
            texts.append(text)
    if return_X_y:
        return texts, np.array(labels)
    return Bunch(
        data=texts,
        target=np.array(labels),
        DESCR=(
            "Movie-review sentences with their sentiment (Pang and Lee, 2005), the "
            "sample of 200 that gensim ships for its tests."
        ),
    )

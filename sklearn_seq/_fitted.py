"""Fitted attributes: what each may hold, declared once, and the one checker.

Every fitted attribute of a recurrent estimator is declared, by the class
that sets it, in its ``_fitted_attributes``: a name and a check of its type,
range and the shapes the other attributes imply. :func:`check_fitted` runs
the declared checks of an estimator; the safe file's loader runs them on
every model it rebuilds and refuses an attribute that has no declaration, so
a new fitted attribute cannot slip past the file format unchecked. The
checks are cheap: they read sizes before anything the sizes ask for exists.

A check is a callable ``check(estimator, name, value)`` that raises a
``ValueError`` naming the attribute.
"""

from __future__ import annotations

import re
from numbers import Integral

import numpy as np

__all__ = [
    "check_fitted",
    "count",
    "declared_fitted",
    "flag",
    "floats",
    "labels",
    "one_of",
    "optional",
    "shape_tuple",
    "text",
    "words",
]

MAX_COUNT = 2**31 - 1  # no size torch or numpy index by int32 can exceed


def _limit(bound, est):
    return bound(est) if callable(bound) else bound


def count(minimum: int = 1, maximum=MAX_COUNT):
    """An integer (not a bool) in ``[minimum, maximum]``; ``maximum`` may be a
    function of the estimator (None: no bound beyond ``MAX_COUNT``)."""

    def check(est, name, value):
        top = _limit(maximum, est)
        top = MAX_COUNT if top is None else min(top, MAX_COUNT)
        if not isinstance(value, Integral) or isinstance(value, bool):
            raise ValueError(f"{name} must be an integer, got {value!r:.60}.")
        if not minimum <= value <= top:
            raise ValueError(f"{name} must lie in [{minimum}, {top}], got {value}.")

    return check


def optional(inner):
    """None, or a value that passes ``inner``."""

    def check(est, name, value):
        if value is not None:
            inner(est, name, value)

    return check


def flag(est, name, value):
    """A bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r:.60}.")


def one_of(*choices: str):
    """One of the strings ``choices``."""

    def check(est, name, value):
        if not isinstance(value, str) or value not in choices:
            raise ValueError(f"{name} must be one of {list(choices)}, got {value!r:.60}.")

    return check


def text(pattern: str):
    """A string matching the regular expression ``pattern`` whole."""

    def check(est, name, value):
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise ValueError(
                f"{name} must be a string like {pattern!r}, got {value!r:.60}."
            )

    return check


def floats(shape, *, positive: bool = False, nonnegative: bool = False, nan: bool = False):
    """A finite float array; ``shape(est)`` is the shape it must have (None in
    it: any size on that axis). ``nan``: NaN may stand for an unknown value."""

    def check(est, name, value):
        want = tuple(shape(est))
        if (
            not isinstance(value, np.ndarray)
            or value.dtype.kind != "f"
            or value.ndim != len(want)
            or any(w is not None and w != s for w, s in zip(want, value.shape, strict=True))
        ):
            described = (
                f"a {value.dtype} array of shape {value.shape}"
                if isinstance(value, np.ndarray)
                else f"{value!r:.60}"
            )
            raise ValueError(
                f"{name} must be a float array of shape "
                f"{tuple('any' if w is None else w for w in want)}, got {described}."
            )
        if nan:
            value = value[~np.isnan(value)]
        if not np.isfinite(value).all():
            raise ValueError(f"{name} holds NaN or infinite values.")
        if positive and not (value > 0).all():
            raise ValueError(f"{name} must hold values > 0.")
        if nonnegative and not (value >= 0).all():
            raise ValueError(f"{name} must hold values >= 0.")

    return check


def shape_tuple(max_ndim: int, maximum=MAX_COUNT, *, min_ndim: int = 0):
    """A tuple of ``min_ndim`` to ``max_ndim`` integers >= 1 whose product is at
    most ``maximum`` (a number or a function of the estimator)."""
    size = count()

    def check(est, name, value):
        if not isinstance(value, tuple) or not min_ndim <= len(value) <= max_ndim:
            raise ValueError(
                f"{name} must be a tuple of {min_ndim} to {max_ndim} sizes, got "
                f"{value!r:.60}."
            )
        for i, item in enumerate(value):
            size(est, f"{name}[{i}]", item)
        top = _limit(maximum, est)
        if int(np.prod(value, dtype=object)) > top:
            raise ValueError(f"{name} = {value} holds more than {top} values.")

    return check


def labels(minimum: int = 1):
    """A 1-D array of at least ``minimum`` distinct labels (strings or numbers)."""

    def check(est, name, value):
        if not isinstance(value, np.ndarray) or value.ndim != 1 or len(value) < minimum:
            raise ValueError(
                f"{name} must be a 1-D array of at least {minimum} labels, got "
                f"{value!r:.60}."
            )
        if not all(isinstance(v, (str, Integral, float, np.generic)) for v in value):
            raise ValueError(f"{name} must hold strings or numbers.")
        if len(set(value.tolist())) != len(value):
            raise ValueError(f"{name} holds a label twice.")

    return check


def words(first: tuple = ()):
    """A list of distinct strings that begins with the strings ``first``."""

    def check(est, name, value):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{name} must be a list of strings, got {value!r:.60}.")
        if len(set(value)) != len(value):
            raise ValueError(f"{name} holds a word twice.")
        if tuple(value[: len(first)]) != tuple(first):
            raise ValueError(f"{name} must begin with {list(first)}, got {value!r:.60}.")

    return check


def declared_fitted(cls) -> dict:
    """The fitted attributes ``cls`` declares, with those of its bases, in the
    order the checks must run (a base's first: sizes before the arrays they shape)."""
    declared = {}
    for klass in reversed(cls.__mro__):
        declared.update(vars(klass).get("_fitted_attributes", {}))
    return declared


def check_fitted(est) -> None:
    """Run the declared check of every fitted attribute ``est`` holds.

    Raises
    ------
    ValueError
        Naming the first attribute that is undeclared or fails its check.
    """
    declared = declared_fitted(type(est))
    for name in vars(est):
        if name.endswith("_") and not name.startswith("_") and name != "net_":
            if name not in declared:
                raise ValueError(
                    f"{name} is not a fitted attribute of {type(est).__name__}."
                )
    for name, check in declared.items():
        if name in vars(est):
            check(est, name, vars(est)[name])

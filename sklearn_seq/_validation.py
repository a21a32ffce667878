"""Small checks and conversions every estimator shares (no torch here)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["as_array", "check_count", "derive_seed", "safe_scale", "weighted_stats"]


def as_array(values, name: str) -> np.ndarray:
    """``np.asarray(values)``, with a ValueError naming the first item whose shape
    differs where a nested list is ragged (numpy's "inhomogeneous shape")."""
    try:
        return np.asarray(values)
    except ValueError:
        if not isinstance(values, (list, tuple)):
            raise
        shapes = [_shape(item) for item in values]
        i = next((i for i, shape in enumerate(shapes) if shape != shapes[0]), None)
        if i is None:
            raise
        raise ValueError(
            f"{name} is a nested list of uneven rows: {name}[0] is {shapes[0]}, "
            f"{name}[{i}] {shapes[i]}. A nested list of numbers is "
            "read as one series, one row per time step, (T,) or (T, n_channels); "
            "for several series of different lengths give a list of arrays, "
            "[np.asarray(s) for s in series]."
        ) from None


def _shape(item) -> str:
    try:
        return f"shaped {np.shape(item)}"
    except ValueError:
        return "uneven itself"


def check_count(value, name: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise a ValueError naming it."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def derive_seed(random_state) -> int:
    """One integer seed from ``random_state`` (an int, a ``RandomState`` or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def weighted_stats(values: np.ndarray, weights=None) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations of ``values`` ``(n, k)``, rows weighted.

    A constant column (:func:`safe_scale`) gets scale 1, so that dividing by the
    scale is always safe.
    """
    values = np.asarray(values, dtype=np.float64)
    mean = np.average(values, axis=0, weights=weights)
    scale = np.sqrt(np.average((values - mean) ** 2, axis=0, weights=weights))
    return mean, safe_scale(scale, mean)


def safe_scale(scale: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """``scale`` with 1 for a constant column, safe to divide by.

    Given the columns' ``mean``, a column is constant when its scale is at most
    1e-12 times its mean's size (rounding), at any units; without it, when its
    scale is below 1e-12.
    """
    if mean is None:
        scale[scale < 1e-12] = 1.0
    else:
        scale[scale <= 1e-12 * np.abs(mean)] = 1.0
    return scale

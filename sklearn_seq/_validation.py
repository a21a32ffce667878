"""Small checks and conversions every estimator shares (no torch here)."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["check_count", "derive_seed", "nonzero_scale"]


def check_count(value, name: str) -> int:
    """Return ``value`` if it is an integer >= 1, else raise a ValueError naming it."""
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def derive_seed(random_state) -> int:
    """One integer seed from ``random_state`` (an int, a ``RandomState`` or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def nonzero_scale(scale: np.ndarray) -> np.ndarray:
    """Standard deviations with the constant ones (below 1e-12) replaced by 1."""
    scale = np.array(scale, dtype=np.float64)
    scale[scale < 1e-12] = 1.0
    return scale

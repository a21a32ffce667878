"""Learned features: ``transform`` on the recurrent estimators.

:class:`FeaturesMixin` (on the left of ``RecurrentEstimator``) makes a fitted
recurrent estimator a scikit-learn transformer as well: ``transform`` returns
the encoding its torch module exposes as ``features`` (the pooled state a
head reads), through the one inference loop, so each row is independent of
its batch-mates as ``predict`` is. ``get_feature_names_out`` and
``set_output`` come from scikit-learn's own mixins.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin

__all__ = ["FeaturesMixin"]


def _features(module, values, lengths, index):
    """The ``step`` of the inference loop that returns the module's encoding."""
    return module.features(values, lengths)


class FeaturesMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform``, ``fit_transform``, ``get_feature_names_out`` and
    ``set_output`` for a recurrent estimator (see the module docstring)."""

    @property
    def _n_features_out(self) -> int:
        """Entries of each sequence's encoding (what ``get_feature_names_out`` counts)."""
        return self.net_.module_.n_features

    def transform(self, X):
        """The learned encoding of each sequence: the features its network reads.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Inputs of the layout seen in ``fit`` (as for ``predict``).

        Returns
        -------
        X_new : ndarray of shape (n, n_features_out)
            One row per input, float64; the columns are named by
            ``get_feature_names_out``. A row does not depend on the other
            inputs passed with it.
        """
        self._check_fitted()
        seqs = self._check_input(X, reset=False)
        out = self._infer(seqs, _features, frame=self._frame(seqs))
        return out.astype(np.float64)

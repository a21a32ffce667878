"""The skorch nets the estimators train: skorch's own, with a per-sample loss weight."""

from __future__ import annotations

import torch
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
from skorch.utils import to_tensor

__all__ = [
    "SampleWeightedNet",
    "WeightedClassifierNet",
    "WeightedNet",
    "WeightedRegressorNet",
]


class SampleWeightedNet:
    """Mixin for a skorch net whose criterion has ``reduction="none"``.

    The loss is the weighted mean of the samples' losses,
    ``sum_i w_i * sum_e l_ie / sum_i w_i * n_i``, where sample ``i`` has
    ``n_i`` loss elements (target values, or tokens that are not padding) and
    weight ``w_i`` from ``X["sample_weight"]`` (1 when absent). With equal
    weights it is the criterion's ordinary mean; a weight of 2 counts a sample
    as twice as many samples would.
    """

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and "sample_weight" in x:
            x = {key: value for key, value in x.items() if key != "sample_weight"}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        n = len(y_true)
        losses = self.criterion_(y_pred, y_true).reshape(n, -1)
        ignore = getattr(self.criterion_, "ignore_index", None)
        if ignore is not None and not torch.is_floating_point(y_true):
            counts = (y_true != ignore).reshape(n, -1).sum(1).to(losses)
        else:
            counts = torch.full((n,), losses.shape[1], dtype=losses.dtype)
            counts = counts.to(losses.device)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            return losses.sum() / counts.sum()
        weight = weight.to(losses)
        return (weight * losses.sum(1)).sum() / (weight * counts).sum()


class WeightedNet(SampleWeightedNet, NeuralNet):
    """skorch's ``NeuralNet`` with per-sample loss weights."""


class WeightedClassifierNet(SampleWeightedNet, NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with per-sample loss weights."""


class WeightedRegressorNet(SampleWeightedNet, NeuralNetRegressor):
    """skorch's ``NeuralNetRegressor`` with per-sample loss weights."""

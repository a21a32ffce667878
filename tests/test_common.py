"""scikit-learn's own estimator checks, run on every estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_seq import RNNForecaster, SequenceClassifier

# small and quick, yet trained enough for check_regressors_train (R^2 > 0.5)
FAST = {
    "hidden_size": 16,
    "max_epochs": 40,
    "lr": 1e-2,
    "batch_size": 16,
    "random_state": 0,
}

ESTIMATORS = [RNNForecaster(**FAST), SequenceClassifier(**FAST)]

# Checks that cannot pass, each with its reason. An entry is a debt, not a hiding place.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_every_public_estimator_is_checked():
    import sklearn_seq

    checked = {type(est).__name__ for est in ESTIMATORS}
    public = {name for name in sklearn_seq.__all__ if name[0].isupper()}
    assert public <= checked
    pytest.importorskip("sklearn")

"""scikit-learn's own estimator checks, run on every estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_seq import (
    RNNForecaster,
    SequenceClassifier,
    SequenceEncoder,
    SequenceGenerator,
    Word2VecTransformer,
)

# small and quick, yet trained enough for check_regressors_train (R^2 > 0.5)
FAST = {
    "hidden_size": 16,
    "max_epochs": 40,
    "lr": 1e-2,
    "batch_size": 16,
    "random_state": 0,
}

# check_classifiers_train asks for accuracy > 0.83; the classifier scores 0.94-0.99
# there after 20 epochs (seeds 0-2, as after 40), and half the epochs halve its checks
FAST_CLASSIFIER = {**FAST, "max_epochs": 20}

ESTIMATORS = [
    RNNForecaster(**FAST),
    SequenceClassifier(**FAST_CLASSIFIER),
    SequenceGenerator(**FAST),
    SequenceEncoder(**{**FAST, "max_epochs": 5}),  # no score to reach: a few epochs
    Word2VecTransformer(vector_size=8, min_count=1, random_state=0),
    # the custom cells (sklearn_seq._cells), through the core every estimator shares
    RNNForecaster(normalization="layer", **FAST),
    SequenceClassifier(cell="rnn", nonlinearity="elu", **FAST_CLASSIFIER),
]

# Checks that cannot pass, each with its reason. An entry is a debt, not a hiding place.
_MINIBATCH = (
    "Minibatch training: repeating samples adds batches and changes the shuffle, so "
    "a weight of k equals k copies only when one batch holds every sample, and then "
    "to float32 rounding of the loss sums, not the check's 1e-7. "
    "tests/test_sample_weight.py tests that case at its real tolerance."
)
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    name: {"check_sample_weight_equivalence_on_dense_data": _MINIBATCH}
    for name in (
        "RNNForecaster",
        "SequenceClassifier",
        "SequenceGenerator",
        "SequenceEncoder",
    )
}
EXPECTED_FAILED_CHECKS["SequenceEncoder"][
    "check_sample_weight_equivalence_on_dense_data"
] += (
    " Its default (masked) objective also hides blocks drawn per sample, so a "
    "weight equals copies in expectation only; that test trains the reconstruction."
)


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


# scikit-learn runs only its clone check on string-input estimators; these API checks
# need no numeric data, so they run on the text transformer explicitly.
TEXT_API_CHECKS = [
    "check_parameters_default_constructible",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_mixin_order",
    "check_do_not_raise_errors_in_init_or_set_params",
]


@pytest.mark.parametrize("check_name", TEXT_API_CHECKS)
def test_text_transformer_api_checks(check_name):
    from sklearn.utils import estimator_checks

    check = getattr(estimator_checks, check_name)
    check("Word2VecTransformer", Word2VecTransformer(vector_size=8, min_count=1))

"""Fits and predictions in several threads at once (a Dask worker runs threads)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sklearn_seq import RNNForecaster, SequenceClassifier, Word2VecTransformer

rng = np.random.default_rng(0)
X = rng.normal(size=(48, 20))
Y = X[:, -3:].sum(axis=1)
LABELS = np.array(["a", "b", "c"] * 16)
DOCS = ["the cat sat on the mat", "a dog ran in the park", "birds sing at dawn"] * 16
IDS = Word2VecTransformer(output="ids", vector_size=8, min_count=1, epochs=2).fit(DOCS)
WORD_IDS = IDS.transform(DOCS)
SMALL = {"hidden_size": 8, "max_epochs": 2, "random_state": 0}

# each with a random draw besides the initialisation and shuffling
CASES = {
    "dropout in a fused two-layer LSTM": (
        lambda: RNNForecaster(
            num_layers=2, dropout=0.5, calibration_fraction=None, **SMALL
        ),
        X,
        Y,
    ),
    "random crops": (lambda: SequenceClassifier(random_crop=0.5, **SMALL), X, LABELS),
    "word ids": (lambda: SequenceClassifier(**SMALL), WORD_IDS, LABELS[: len(DOCS)]),
}


def fit_and_predict(name):
    make, X_fit, y_fit = CASES[name]
    model = make().fit(X_fit, y_fit)
    predict = getattr(model, "predict_proba", model.predict)
    return predict(X_fit)


def test_fits_in_threads_give_the_serial_models():
    serial = {name: fit_and_predict(name) for name in CASES}
    jobs = [name for _ in range(3) for name in CASES]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(fit_and_predict, jobs))
    for name, result in zip(jobs, results, strict=True):
        np.testing.assert_array_equal(result, serial[name], err_msg=name)


def test_predict_during_a_refit_gets_the_old_or_the_new_model():
    """The fitted state is swapped in one step: a prediction never sees a half-fitted
    estimator, nor raises because a refit is under way."""
    models = [
        RNNForecaster(calibration_fraction=None, **{**SMALL, "random_state": s})
        for s in (0, 1)
    ]
    expected = [m.fit(X, Y).predict(X) for m in models]
    model = models[0]
    done, seen, errors = threading.Event(), [], []

    def refit():
        for i in range(6):
            model.set_params(random_state=(i + 1) % 2).fit(X, Y)
        done.set()

    def predict():
        while not done.is_set():
            try:
                seen.append(model.predict(X))
            except Exception as exc:  # noqa: BLE001 (any error is the failure)
                errors.append(exc)

    threads = [threading.Thread(target=refit), threading.Thread(target=predict)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(seen) > 0
    for prediction in seen:
        assert any(np.array_equal(prediction, e) for e in expected)

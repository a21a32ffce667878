"""The package as a whole: text-to-RNN pipelines, Dask, repeatability across processes."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers import separable_text
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline

from sklearn_seq import SequenceClassifier, Word2VecTransformer
from sklearn_seq.datasets import load_movie_review_sentences


def text_rnn(**rnn):
    return Pipeline(
        [
            (
                "w2v",
                Word2VecTransformer(
                    output="sequence",
                    vector_size=16,
                    min_count=1,
                    sg=1,
                    epochs=20,
                    random_state=0,
                ),
            ),
            (
                "rnn",
                SequenceClassifier(
                    # frozen word vectors through the network without a front end:
                    # 15 epochs train it; the conv front end needs more (0.85 here)
                    **{
                        "hidden_size": 16,
                        "max_epochs": 15,
                        "front_end": None,
                        "random_state": 0,
                        **rnn,
                    }
                ),
            ),
        ]
    )


def test_text_to_rnn_pipeline_fits_predicts_scores_on_separable_text():
    docs, y = separable_text()
    pipe = text_rnn().fit(docs[:120], y[:120])
    assert pipe.score(docs[120:], y[120:]) >= 0.9
    assert set(pipe.predict(docs[:10])) <= {"pos", "neg"}
    assert pipe.predict_proba(docs[:3]).shape == (3, 2)


def test_text_to_rnn_grid_search_over_both_steps_on_movie_reviews():
    texts, y = load_movie_review_sentences(return_X_y=True)
    grid = GridSearchCV(
        text_rnn(max_epochs=2),
        {
            "w2v__vector_size": [8, 16],
            "w2v__sg": [0, 1],
            "rnn__cell": ["lstm", "gru"],
            "rnn__hidden_size": [8],
        },
        cv=StratifiedKFold(2),
    ).fit(texts, y)
    assert len(grid.cv_results_["params"]) == 8
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_estimator_.named_steps["rnn"].classes_.tolist() == ["neg", "pos"]


def test_text_to_rnn_cross_val_score():
    docs, y = separable_text(120)
    scores = cross_val_score(text_rnn(), docs, y, cv=StratifiedKFold(3))
    assert scores.shape == (3,) and scores.mean() >= 0.8


def test_grid_search_on_a_dask_cluster():
    """GridSearchCV under joblib's Dask backend, on 2 local worker processes."""
    distributed = pytest.importorskip("distributed")
    import joblib

    from sklearn_seq import RNNForecaster, make_windows

    X, y = make_windows(np.sin(0.1 * np.arange(400)), lookback=20)
    grid = GridSearchCV(
        RNNForecaster(max_epochs=3, random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [8, 16]},
        cv=2,
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        threads = client.run(lambda: __import__("torch").get_num_threads())
        with joblib.parallel_backend("dask"):
            grid.fit(X, y)
        tasks = client.run(lambda dask_worker: len(dask_worker.state.log))
    assert len(threads) == 2 and set(threads.values()) == {1}  # no oversubscription
    assert all(n > 0 for n in tasks.values())  # both workers did work
    local = GridSearchCV(
        RNNForecaster(max_epochs=3, random_state=0),
        {"cell": ["lstm", "gru"], "hidden_size": [8, 16]},
        cv=2,
    ).fit(X, y)
    np.testing.assert_allclose(
        grid.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-5
    )


FIT_EVERYTHING = textwrap.dedent("""
    import hashlib, numpy as np
    from sklearn.datasets import load_digits
    from sklearn_seq import (RNNForecaster, SequenceClassifier, SequenceGenerator,
                             Word2VecTransformer, make_windows)
    from sklearn_seq.datasets import load_italy_power_demand
    X, y = make_windows(np.sin(0.1 * np.arange(300)), lookback=20)
    forecaster = RNNForecaster(hidden_size=8, max_epochs=3, random_state=0)
    outputs = [forecaster.fit(X, y).predict(X)]
    Xc, _, yc, _ = load_italy_power_demand(return_X_y=True)
    outputs.append(SequenceClassifier(hidden_size=8, max_epochs=3, random_state=0)
                   .fit(Xc, yc).predict_proba(Xc))
    digits = load_digits()
    gen = SequenceGenerator(hidden_size=8, max_epochs=2, random_state=0)
    words = [str(t) * 3 for t in digits.target[:300]]
    outputs.append(np.array(gen.fit(digits.data[:300], words).sample(digits.data[:50],
                                                                     random_state=0)))
    docs = ["the cat sat on the mat", "a dog sat on a log", "the cat ate"] * 20
    outputs.append(Word2VecTransformer(vector_size=8, min_count=1, random_state=0)
                   .fit(docs).transform(docs))
    print("|".join(hashlib.sha256(np.asarray(o).tobytes()).hexdigest() for o in outputs))
""")


def test_same_random_state_identical_in_two_processes():
    runs = []
    for hash_seed in ("1", "2"):  # different string hashing in each process
        result = subprocess.run(
            [sys.executable, "-c", FIT_EVERYTHING],
            capture_output=True,
            text=True,
            timeout=300,
            env={**__import__("os").environ, "PYTHONHASHSEED": hash_seed},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        runs.append(result.stdout.strip().splitlines()[-1])
    assert len(runs[0].split("|")) == 4
    assert runs[0] == runs[1]

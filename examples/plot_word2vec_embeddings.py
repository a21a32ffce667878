"""
==========================================
Word embeddings and analogies on news text
==========================================

Train skip-gram Word2Vec on the Lee corpus (300 Australian news stories of
2001, shipped with gensim), print nearest neighbours, solve an analogy with
vector arithmetic, and draw a 2-D PCA map of a few words with arrows for the
relations the vectors encode (a leader and their people, a country and its
adjective).
"""

# %%
import sys

import matplotlib.pyplot as plt
from gensim.test.utils import datapath
from sklearn.decomposition import PCA

from sklearn_seq import Word2VecTransformer

with open(datapath("lee_background.cor")) as f:
    corpus = f.readlines()  # raw strings: the transformer tokenizes them

w2v = Word2VecTransformer(
    sg=1, hs=1, negative=0, vector_size=100, epochs=20, random_state=0
)
w2v.fit(corpus)
wv = w2v.wv_
print(f"vocabulary: {len(wv)} words of {wv.vector_size} dimensions")

# %%
# Nearest neighbours by cosine similarity
for word in ["attacks", "fire", "qantas", "taliban"]:
    neighbours = ", ".join(w for w, _ in wv.most_similar(word, topn=6))
    print(f"{word:>8}: {neighbours}")

# %%
# Vector arithmetic: arafat - palestinian + israeli = ?
answer = wv.most_similar(positive=["arafat", "israeli"], negative=["palestinian"], topn=3)
print("arafat - palestinian + israeli ->", ", ".join(f"{w} ({s:.2f})" for w, s in answer))

# %%
# A 2-D map of chosen words, with arrows for two kinds of relation
pairs = [
    ("palestinian", "arafat"),
    ("israeli", "sharon"),
    ("israel", "israeli"),
    ("afghanistan", "afghan"),
    ("australia", "australian"),
    ("india", "indian"),
    ("pakistan", "pakistani"),
]
words = sorted({w for pair in pairs for w in pair})
points = dict(zip(words, PCA(n_components=2).fit_transform(wv[words]), strict=True))

fig, ax = plt.subplots(figsize=(8, 6), constrained_layout=True)
for start, end in pairs:
    color = "tab:red" if end in ("arafat", "sharon") else "tab:blue"
    ax.annotate(
        "",
        xy=points[end],
        xytext=points[start],
        arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5},
    )
for word, (x, y) in points.items():
    ax.scatter(x, y, color="k", s=12)
    ax.annotate(word, (x, y), textcoords="offset points", xytext=(4, 4))
ax.plot([], color="tab:red", label="people -> leader")
ax.plot([], color="tab:blue", label="country -> adjective")
ax.legend(loc="best")
ax.set(
    title="Skip-gram word vectors (Lee corpus), PCA projection",
    xlabel="first principal component",
    ylabel="second principal component",
)

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

"""Data shared by several test modules."""

import numpy as np


def separable_text(n=160, seed=0):
    """Sentences of filler words with one sentiment word each; labels "pos"/"neg"."""
    rng = np.random.default_rng(seed)
    good, bad = ["great", "lovely", "superb", "fine"], ["awful", "dreadful", "poor", "bad"]
    filler = ["the", "film", "was", "plot", "and", "acting", "a", "very", "quite", "story"]
    docs, labels = [], []
    for i in range(n):
        words = list(rng.choice(filler, rng.integers(3, 12)))
        words.insert(
            int(rng.integers(0, len(words) + 1)), rng.choice(good if i % 2 else bad)
        )
        docs.append(" ".join(words))
        labels.append("pos" if i % 2 else "neg")
    return docs, np.array(labels)

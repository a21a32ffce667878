"""
=============================================
A caption from a picture: digits to words
=============================================

The vector-to-sequence shape: each 8x8 image of a handwritten digit (a vector
of 64 pixels) goes in, and the digit's name comes out, spelled letter by
letter ("seven") and stopped by an end marker the model learns to emit.
``SequenceGenerator`` runs with its defaults; the score is the exact-match
accuracy of whole words on a held-out 30% split.
"""

# %%
import sys

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_seq import SequenceGenerator

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
digits = load_digits()
words = [NAMES[t] for t in digits.target]
X_train, X_test, y_train, y_test, img_train, img_test = train_test_split(
    digits.data, words, digits.images, test_size=0.3, random_state=0
)

gen = SequenceGenerator(random_state=0).fit(X_train, y_train)
accuracy = gen.score(X_test, y_test)
print(f"exact-match accuracy on {len(y_test)} held-out images: {accuracy:.3f}")
print("vocabulary:", " ".join(gen.vocabulary_))

# %%
# Greedy captions, and a few random draws at a higher temperature
captions = gen.predict(X_test)
samples = gen.sample(X_test[:5], temperature=1.5, random_state=0)
for truth, caption, sample in zip(y_test[:5], captions[:5], samples, strict=True):
    print(f"true {truth:<6} greedy {caption:<6} sampled {sample}")

# %%
fig, axes = plt.subplots(3, 8, figsize=(11, 5), constrained_layout=True)
for ax, image, caption, truth in zip(axes.flat, img_test, captions, y_test, strict=False):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(caption, color="tab:green" if caption == truth else "tab:red")
    ax.axis("off")
fig.suptitle(f"Generated captions (red: wrong), exact-match accuracy {accuracy:.3f}")

if len(sys.argv) > 1:
    fig.savefig(sys.argv[1], dpi=100)
plt.show()

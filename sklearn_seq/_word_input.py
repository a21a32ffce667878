"""Documents as word ids: what the estimators that read them add to the core.

:class:`WordInputMixin` (on the left of ``RecurrentEstimator``) reads
``Word2VecTransformer(output="ids")`` output: it records and checks the
vocabulary's fingerprint, puts the estimator's module behind an embedding
table started from the word vectors, leaves ids unscaled, trains on batches of
similar lengths, and resolves the ``"auto"`` values the ids change
(``max_epochs``; ``front_end`` through ``_reads_words``).
"""

from __future__ import annotations

import numpy as np
import torch

from ._fitted import shape_tuple, text
from ._modules import TokenEmbedding
from ._scaling import weighted_stats
from ._sequences import Sequences
from ._training import LengthBuckets
from ._word_ids import same_vocabulary

__all__ = ["WordInputMixin"]

MAX_EPOCHS_IDS = 5  # max_epochs="auto" for word ids (100 for numeric sequences)


class WordInputMixin:
    """Word-id input for a recurrent estimator with a ``freeze_embeddings``
    parameter (see the module docstring)."""

    _fitted_attributes = {
        "vocabulary_hash_": text(r"(v[0-9]+:)?[0-9a-f]{16,64}"),
        "embedding_shape_": shape_tuple(2, min_ndim=2),
    }

    def _check_word_ids(self, seqs: Sequences, reset: bool) -> None:
        """Record (``reset``) or check the vocabulary of word-id input."""
        name, words = type(self).__name__, seqs.words
        if reset:  # (a fresh fit starts with no fitted attribute)
            if words is not None:
                self.vocabulary_hash_ = words.vocabulary_hash
                self.embedding_shape_ = (len(words.wv) + 1, words.wv.vector_size)
            return
        fitted = getattr(self, "vocabulary_hash_", None)
        if words is None and fitted is not None:
            raise ValueError(
                f"{name} was fitted on word ids (Word2VecTransformer(output='ids')); X "
                "holds numeric sequences. Transform the documents with the fitted "
                "Word2VecTransformer."
            )
        if words is not None and fitted is None:
            raise ValueError(
                f"X holds word ids (Word2VecTransformer(output='ids')), but {name} was "
                "fitted on numeric sequences."
            )
        if words is not None and not same_vocabulary(
            words.wv, fitted, self.embedding_shape_[0] - 1
        ):
            raise ValueError(
                f"X holds word ids of another vocabulary ({len(words.wv)} words, "
                f"fingerprint {words.vocabulary_hash}) than the one {name} was fitted "
                f"on ({self.embedding_shape_[0] - 1} words, fingerprint {fitted}): its "
                "ids would stand for other words. Transform the documents with the "
                "Word2VecTransformer fitted together with this estimator."
            )

    def _reads_ids(self) -> bool:
        """Whether the estimator was fitted on word ids."""
        return hasattr(self, "vocabulary_hash_")

    def _reads_words(self) -> bool:
        return self._reads_ids() or super()._reads_words()

    def _max_epochs(self) -> int:
        if self.max_epochs == "auto" and self._reads_ids():
            return MAX_EPOCHS_IDS
        return super()._max_epochs()

    def _make_module(self):
        """The estimator's module, behind an embedding table for word ids."""
        shape = getattr(self, "embedding_shape_", None)
        if shape is None:
            return super()._make_module()
        inner = self._build_module(shape[1], self.n_outputs_)
        return TokenEmbedding(inner, *shape, freeze=self.freeze_embeddings)

    def _start_module(self, module, seqs: Sequences) -> None:
        """Start the embedding table from the documents' word vectors.

        A frozen table is standardized per dimension (over the vocabulary) as
        ``standardize`` does for vector sequences; a trained one starts from
        the vectors as they are, which fine-tunes better.
        """
        if seqs.words is None:
            return
        vectors = np.asarray(seqs.words.wv.vectors, dtype=np.float64)
        if self.standardize and self.freeze_embeddings:
            mean, scale = weighted_stats(vectors)
            vectors = (vectors - mean) / scale
        module.start_from(torch.as_tensor(vectors, dtype=torch.float32))

    def _learns_input_scale(self, seqs: Sequences) -> bool:
        # ids are not scaled: with no statistics learned, none is applied
        return seqs.kind != "ids" and super()._learns_input_scale(seqs)

    def _train_loader(self):
        if self._reads_ids():
            return LengthBuckets.loader
        return super()._train_loader()

"""Warm starts: which parameters a warm start may change, and the parameters the
network was built with (what ``save`` stores)."""

from __future__ import annotations

__all__ = ["TRAINING_PARAMS", "WarmStartMixin"]

# parameters that only shape training: a warm start applies their changes (a new
# skorch net around the trained module); every other parameter is built into the
# network or the target codec and may not change on a warm start
TRAINING_PARAMS = frozenset(
    {
        *("max_epochs", "batch_size", "lr", "lr_schedule", "optimizer", "weight_decay"),
        "weight_averaging",
        *("gradient_clip", "early_stopping", "validation_fraction", "patience"),
        *("device", "n_threads", "random_state", "verbose", "callbacks", "warm_start"),
        "distributed",
    }
)
# training parameters read when fitting, not baked into the skorch net
_FIT_TIME_PARAMS = frozenset({"n_threads", "random_state", "warm_start", "distributed"})


def _same(a, b) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):  # arrays and other values without one truth
        return False


class WarmStartMixin:
    """The warm-start bookkeeping of ``RecurrentEstimator``: a fresh fit records
    the parameters it built the network with (``_built_with``); a warm start
    refuses changes to those and applies changes to the training parameters."""

    # parameters that only steer training: a warm start may change them
    _training_params = TRAINING_PARAMS
    # parameters read when predicting: they may change at any time, and are
    # stored as they are now
    _prediction_params = frozenset()

    def _is_warm(self) -> bool:
        return self.warm_start and hasattr(self, "net_")

    def _built_params(self) -> dict:
        """The parameters ``net_`` was built with (current ones for an old pickle)."""
        return getattr(self, "_built_with", None) or self.get_params(deep=False)

    def _check_warm_params(self) -> None:
        """Refuse a warm start after a change to a parameter built into the network."""
        built, params = self._built_params(), self.get_params(deep=False)
        changed = [
            f"{key}={built[key]!r} -> {params[key]!r}"
            for key in params
            if key not in self._training_params | self._prediction_params and key in built
            if not _same(built[key], params[key])
        ]
        if changed:
            raise ValueError(
                f"warm_start: {', '.join(changed)} changed since the network was built, "
                "and a warm start continues that network. Set them back, or fit with "
                "warm_start=False to build a new one. (Training parameters such as lr, "
                "optimizer or max_epochs may change: a warm start applies them.)"
            )

    def _training_params_changed(self) -> bool:
        built, params = self._built_params(), self.get_params(deep=False)
        return any(
            not _same(built.get(key), params[key])
            for key in self._training_params - _FIT_TIME_PARAMS
        )

    def built_params(self) -> dict:
        """The parameters, with those that shape the network as it was built.

        ``get_params(deep=False)``, except that a parameter that shapes the
        network (``cell``, ``hidden_size`` ...) changed by ``set_params``
        after ``fit`` reads as the fitted network has it. Training parameters
        (``lr``, ``max_epochs`` ...) read as they are now, since a warm start
        applies them, and so do parameters read when predicting (the
        classifier's ``test_time_crops``). :func:`~sklearn_seq.save` stores
        these.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        built, params = self._built_params(), self.get_params(deep=False)
        as_now = self._training_params | self._prediction_params
        return {
            key: value if key in as_now else built.get(key, value)
            for key, value in params.items()
        }

"""RNNForecaster: sequence -> next value(s), with recursive rollouts."""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ._base import RecurrentEstimator
from ._dates import pd_frame, pd_series
from ._docs import shared_docs
from ._features import FeaturesMixin
from ._fitted import count, floats, one_of, optional
from ._intervals import MAX_CALIBRATED_STEPS, check_coverage, fit_calibrated, half_widths
from ._modules import SequenceToVector
from ._rollout import SeedsMixin, roll_forward
from ._scaling import FRAMES, WindowFrame, detect_season, typical_scale
from ._sequences import Sequences
from ._statistical import MIN_HISTORY, combine
from ._targets import ScaledTargets
from ._training import WeightedRegressorNet
from ._validation import as_float

# the longest season: a seasonal baseline reads that many values of every window
MAX_SEASON_LENGTH = 10_000
# scaling="auto" chooses among these frames by their errors on the held-out windows
AUTO_FRAMES = ("diff", "mean")


@shared_docs
class RNNForecaster(RegressorMixin, FeaturesMixin, SeedsMixin, RecurrentEstimator):
    """Recurrent neural network forecaster (LSTM, GRU or plain RNN).

    Learns to map a window of a series to the value(s) that follow it: the
    next value (``y`` 1-D), several values ahead at once (``y`` 2-D, direct
    multi-step), or the next step of every channel of a multichannel series.
    :meth:`forecast` then rolls the model forward on its own predictions.
    Build ``(X, y)`` from a series with :func:`make_windows`, which also
    adds covariates: input channels read but not forecast (see
    ``n_past_covariates`` and ``n_future_covariates``).

    The defaults (``scaling="diff"``, ``lr=1e-3``, ``weight_averaging=0.5``,
    ``combine="auto"``) are judged by the series they win on
    ``benchmarks/bench_forecast_suite.py``: 17 real series split into a
    tuning and a confirming half, and 13 fixed later, three forecast origins
    each, ``random_state`` 0 to 4. Given one series' whole history,
    :meth:`forecast` takes the median of the network's, exponential
    smoothing's and seasonal naive's forecasts; it beats exponential
    smoothing on 6 of the 9 tuning series, 4 of the 8 confirming ones (2
    tied) and 5 of the 13 later ones (3 tied), and seasonal naive on 9, 7
    and 11. One model over the yearly fertility rates of 192 countries
    scores a geometric mean of MASE over exponential smoothing's of 0.74 to
    0.86 (``random_state`` 0 to 2). The user guide's forecasting page has
    the tables, and the series where simpler methods still win.

    Parameters
    ----------
    {network_parameters}
    {training_parameters}
    scaling : {"mean", "last", "diff", "global", "auto"}, default="diff"
        How windows are scaled before the network reads them. ``"diff"``:
        the network reads the window's steps (first differences) divided by
        their mean absolute size, and predicts the change from the window's
        last value in that scale (inverted in ``predict`` and at every step
        of ``forecast``), so a trend extrapolates past the training range and
        one model serves series of any level. ``"mean"``: each window is
        centred on its own mean and divided by its own standard deviation,
        its target expressed in the same frame. ``"last"``: centred on the
        window's last value instead. ``"global"``: one mean and scale from
        the whole training data (the only behaviour before this option),
        best for one stationary series whose amplitude a rollout must keep,
        such as a pure oscillator, and needed for targets that are not the
        next values of the input channels. ``standardize`` then applies on
        top of the chosen frame. ``"diff"`` is the default by measurement
        (one series at a time and many in one model; the forecasting guide
        has the tables).
        ``"auto"`` chooses per data set, as exponential smoothing picks its
        form: ``fit`` trains one network per frame of ``"diff"`` and
        ``"mean"`` on the windows before the held-out ones
        (``calibration_fraction``), keeps the one whose rollouts miss the
        held-out windows by less (``scaling_``) and trains it on with all
        windows; without held-out windows it is ``"diff"``. It costs a
        second network's training on the first windows.
    season_length : int >= 1, "auto" or None, default=None
        A seasonal baseline: the network learns the residual over the
        seasonal naive forecast. Each target step is expressed relative to
        the value ``season_length`` steps before it (for ``1``, the window's
        last value), in the window's scale, and the forecast adds that value
        back at every step (the window a rollout moves on holds it, so any
        number of steps works). ``"auto"`` detects the season in ``fit`` from
        the training windows (``season_length_``): the shortest of the highest
        peaks (within 90% of the highest: a season's multiples peak too), at a lag
        from 2 to half the window length, of the autocorrelation of the
        windows' first differences, if it reaches 0.3; else 1. None: no
        baseline, targets in the frame of ``scaling``. At most the window
        length. Off by default, by measurement (the forecasting guide has
        the tables).
    calibration_fraction : float in (0, 1) or None, default=0.2
        Share of the training windows, the last ones, held out to calibrate
        :meth:`predict_interval` and :meth:`forecast_interval` (at least 19,
        what a 95% interval needs, as long as they are at most a third of
        the windows): ``fit``
        trains the network without them for ``max_epochs`` less this share
        of the epochs, records its errors on them (one step, and rollouts
        from at most 200 of them spread evenly), then trains it on with all
        windows for the remaining epochs. One network, so the intervals cost
        the rollouts alone. None skips the calibration (and the intervals)
        and trains on all windows from the start; so do fewer than 10
        held-out windows.
    n_past_covariates : int, default=0
        How many input channels, after the target channels, are past
        covariates: observed alongside the target and read over each
        window's own steps (``make_windows(..., past_covariates=...)``), never
        forecast. The model then reads their past only, so :meth:`forecast`
        reaches at most as far as one forward pass predicts (the horizon).
        Like future covariates they are standardized with global statistics
        (with ``standardize=True``) and stay out of the window scaling of
        ``scaling``.
    n_future_covariates : int, default=0
        How many input channels, the last ones, are future covariates:
        values known in advance (a planned promotion, a holiday, the
        calendar), read as many steps ahead as one forward pass predicts
        (``make_windows(..., future_covariates=...)``), never forecast.
        :meth:`forecast` and :meth:`forecast_interval` take their values over
        the forecast period as ``future_covariates``. ``y`` then holds the
        target channels only: rows shaped ``()`` or ``(horizon,)`` for one
        target channel, ``(k,)`` or ``(horizon, k)`` for ``k``.
    combine : "auto", "median", float in [0, 1] or None, default="auto"
        How :meth:`forecast` and :meth:`forecast_interval` combine the
        network's rollout with statistical forecasts fitted on each seed's
        whole history, one target channel at a time: statsmodels'
        ``ETSModel`` (additive errors; no, additive or damped trend, with or
        without an additive season; the form chosen by AIC) and seasonal
        naive (the last season repeated). ``"median"``: step by step, the
        median of the three forecasts; the interval keeps the network's
        split-conformal distances to its bounds, below and above, around it
        (the statistical methods' own intervals assume their model true and
        miss more where a series breaks). A float
        ``w``: ``1 - w`` times the network's rollout plus ``w`` times ETS's
        forecast, bound by bound for intervals. The history must hold at
        least 8 values; a model trained on windows of one length reads its
        last window. The season is ``season_length_``, else found on the
        history as ``season_length="auto"`` finds it (lags up to half the
        window). ``"auto"``: ``"median"`` where ``forecast`` is given one
        series alone (a 1-D array or a dated pandas Series) holding more
        than the window of a model trained on 2-D windows ``(n, T)``, and
        the network alone for a window or a batch of seeds: one model over
        many series beats ETS on its own (the forecasting guide has the
        tables), and a batch would fit ETS once per series. Models trained
        on 3-D windows (several channels) read a seed of any length whole,
        so ``"auto"`` leaves them to the network too. Where ETS cannot be
        fitted, or the history holds fewer than 8 values, ``"auto"`` keeps
        the network alone (with a warning where a fit failed; ``"median"`` or
        a weight raises instead). ``predict`` is unchanged.
        Read when forecasting, so it may change after ``fit``. None: the
        network alone.

    Attributes
    ----------
    {fitted_attributes}
    target_shape_ : tuple
        Shape of one target row (``()`` for a 1-D ``y``).
    n_target_channels_ : int
        Input channels that are targets, the first ones: ``n_channels_in_``
        less the covariates.
    y_mean_, y_scale_ : ndarray of shape ``(n_outputs_,)``
        Target standardization (only with ``standardize=True``), of the
        targets in their windows' frames unless ``scaling="global"``.
    season_length_ : int or None
        The season of the baseline (``season_length``, detected for
        ``"auto"``); None without one.
    flat_scale_ : ndarray of shape ``(n_target_channels_,)`` or None
        The scale a flat input window takes in its frame (a run of zeros in
        an intermittent series has none of its own): the mean scale of the
        training windows that are not flat. None for ``scaling="global"`` or
        when every training window is flat.
    scaling_ : str
        The frame the network reads its windows in: ``scaling``, or the frame
        ``scaling="auto"`` chose.

    calibration_errors_ : ndarray of shape ``(n_held_out, n_steps, n_values)``
        Absolute errors of the network, before it trained on them, on the
        held-out windows,
        step by step of a rollout (``n_values`` channels per step; for
        targets that do not continue the input channels, one step of every
        target entry), divided by each window's scale when ``scaling`` is
        window-relative; NaN where a rollout runs past the data. Empty when
        nothing was calibrated. Intervals are quantiles of these.

    See Also
    --------
    make_windows : Cut a series into ``(X, y)`` training windows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq import RNNForecaster, make_windows
    >>> X, y = make_windows(np.sin(0.1 * np.arange(300)), lookback=20)
    >>> model = RNNForecaster(hidden_size=16, max_epochs=5, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2,)
    >>> model.forecast(X[-1], steps=50).shape
    (50,)
    >>> lower, upper = model.forecast_interval(X[-1], steps=50, coverage=0.9)
    >>> bool((lower <= upper).all())
    True
    """

    _parameter_constraints = {
        **RecurrentEstimator._parameter_constraints,
        "scaling": [StrOptions({"global", "auto", *FRAMES})],
        "season_length": [
            Interval(Integral, 1, MAX_SEASON_LENGTH, closed="both"),
            StrOptions({"auto"}),
            None,
        ],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_past_covariates": [Interval(Integral, 0, None, closed="left")],
        "n_future_covariates": [Interval(Integral, 0, None, closed="left")],
        "combine": [
            Interval(Real, 0, 1, closed="both"),
            StrOptions({"auto", "median"}),
            None,
        ],
    }
    _fitted_attributes = {
        **ScaledTargets.fitted,
        "n_target_channels_": lambda est, name, value: est._check_target_channels(value),
        "scaling_": one_of("global", *FRAMES),
        "season_length_": optional(
            count(
                maximum=lambda est: min(
                    MAX_SEASON_LENGTH, getattr(est, "n_features_in_", MAX_SEASON_LENGTH)
                )
            )
        ),
        "flat_scale_": optional(floats(lambda est: (est._n_targets(),), positive=True)),
        "calibration_errors_": floats(
            lambda est: (None, None, est._calibration_width()), nonnegative=True, nan=True
        ),
    }
    _net_class = WeightedRegressorNet
    _criterion = nn.MSELoss
    _prediction_params = frozenset({"combine"})
    _doc_fill = {
        "targets": " and each target column",
        "units": "; predictions come back in the units of ``y``",
        "draws": "",
        "outputs": " (the values of one target row)",
    }

    def __init__(
        self,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        nonlinearity="tanh",
        normalization=None,
        front_end=None,
        patch_size="auto",
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
        lr_schedule=None,
        optimizer="adam",
        weight_decay=0.0,
        weight_averaging=0.5,
        gradient_clip=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        scaling="diff",
        season_length=None,
        calibration_fraction=0.2,
        n_past_covariates=0,
        n_future_covariates=0,
        combine="auto",
        device="cpu",
        n_threads=1,
        distributed=None,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.nonlinearity = nonlinearity
        self.normalization = normalization
        self.front_end = front_end
        self.patch_size = patch_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.weight_averaging = weight_averaging
        self.gradient_clip = gradient_clip
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.scaling = scaling
        self.season_length = season_length
        self.calibration_fraction = calibration_fraction
        self.n_past_covariates = n_past_covariates
        self.n_future_covariates = n_future_covariates
        self.combine = combine
        self.device = device
        self.n_threads = n_threads
        self.distributed = distributed
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def _build_module(self, n_channels, n_outputs):
        return SequenceToVector(n_outputs, **self._encoder_kwargs(n_channels))

    def _make_codec(self, y=None):
        if y is not None and self._n_targets() != self.n_channels_in_:
            self._check_covariate_targets(np.shape(y)[1:])
        return ScaledTargets(self.standardize)

    def _frame(self, seqs: Sequences) -> WindowFrame | None:
        season = getattr(self, "season_length_", None)  # None for older models
        scaling = getattr(self, "scaling_", self.scaling)  # the parameter for older models
        if scaling == "global" and season is None:
            return None
        flat = getattr(self, "flat_scale_", None)  # None for older models
        return WindowFrame.of(seqs, scaling, self._n_targets(), season, flat)

    def _candidates(self) -> list:
        """The models ``fit`` trains on its first windows and chooses from by
        their errors on the held-out last ones (``_intervals.fit_calibrated``):
        this one, or for ``scaling="auto"`` one copy per frame of ``AUTO_FRAMES``."""
        if self.scaling != "auto":
            return [self]
        candidates = []
        for frame in AUTO_FRAMES:
            candidate = copy.copy(self)  # the user's estimator keeps its parameters
            candidate.scaling = frame
            candidates.append(candidate)
        return candidates

    def _adopt(self, candidate) -> None:
        """Take the fitted state of the chosen candidate (``_candidates``)."""
        if candidate is self:
            return
        scaling = self.scaling
        self.__dict__ = dict(vars(candidate))  # nothing left of an earlier fit
        self.scaling = scaling
        self._built_with = {**self._built_with, "scaling": scaling}

    def _check_season(self, seqs: Sequences) -> None:
        """Record ``season_length_``: the parameter, or the detected season."""
        length = int(seqs.lengths.min())
        if self.season_length == "auto":
            self.season_length_ = detect_season(seqs, self.n_target_channels_)
        elif self.season_length is not None and self.season_length > length:
            raise ValueError(
                f"season_length={self.season_length} is longer than the windows "
                f"({length} steps): the seasonal baseline reads the value "
                "season_length steps before each target from the window. Use a "
                "longer lookback or a shorter season_length."
            )
        else:
            self.season_length_ = self.season_length

    # --- covariates -----------------------------------------------------------------
    def _n_targets(self) -> int:
        """Input channels that are targets (all of them for a model fitted before
        covariates existed)."""
        return getattr(self, "n_target_channels_", self.n_channels_in_)

    def _covariate_counts(self) -> tuple[int, int]:
        """``(n_past_covariates, n_future_covariates)`` as the network was built."""
        built = self._built_params()
        return built.get("n_past_covariates", 0), built.get("n_future_covariates", 0)

    def _check_layout(self, seqs: Sequences, reset: bool) -> None:
        if not reset:
            return
        n_covariates = self.n_past_covariates + self.n_future_covariates
        if n_covariates >= seqs.n_channels:
            raise ValueError(
                f"n_past_covariates={self.n_past_covariates} and n_future_covariates="
                f"{self.n_future_covariates} declare {n_covariates} covariate "
                f"channel(s), but X has {seqs.n_channels} channel(s): none is left for "
                "the target. make_windows(series, lookback, past_covariates=..., "
                "future_covariates=...) puts the covariates after the series' channels."
            )
        self.n_target_channels_ = seqs.n_channels - n_covariates
        self._check_season(seqs)
        # "auto" without held-out windows to choose on: the first candidate
        self.scaling_ = AUTO_FRAMES[0] if self.scaling == "auto" else self.scaling
        self.flat_scale_ = (
            None
            if self.scaling_ == "global"
            else typical_scale(seqs, self.scaling_, self.n_target_channels_)
        )

    def _check_covariate_targets(self, shape: tuple) -> None:
        """With covariates, target rows must continue the target channels."""
        k = self.n_target_channels_
        if shape == (k,) or (len(shape) <= 1 and k == 1):  # one step, or one channel
            return
        if len(shape) == 2 and shape[1] == k:  # horizon steps of k channels
            return
        raise ValueError(
            f"with covariates, y holds the target channels only: rows shaped () or "
            f"(horizon,) for one target channel, ({k},) or (horizon, {k}) for {k}. X "
            f"has {self.n_channels_in_} channels, of which n_past_covariates="
            f"{self.n_past_covariates} and n_future_covariates="
            f"{self.n_future_covariates} are covariates, leaving {k} target "
            f"channel(s); y rows are shaped {shape}."
        )

    def _check_target_channels(self, k) -> None:
        """The declared check of ``n_target_channels_``."""
        count()(self, "n_target_channels_", k)
        n_past, n_future = self._covariate_counts()
        if k != self.n_channels_in_ - n_past - n_future:
            raise ValueError(
                f"n_target_channels_={k} does not match n_channels_in_="
                f"{self.n_channels_in_} less n_past_covariates={n_past} and "
                f"n_future_covariates={n_future}."
            )

    def _check_fitted_state(self) -> None:
        super()._check_fitted_state()
        errors = getattr(self, "calibration_errors_", None)
        per_call = self._calibrated_steps() or 1
        if errors is not None and (
            errors.shape[1] % per_call or errors.shape[1] >= MAX_CALIBRATED_STEPS + per_call
        ):
            raise ValueError(
                f"calibration_errors_ has {errors.shape[1]} steps per window; a "
                f"rollout of this model calibrates a multiple of {per_call} steps, "
                f"at most {MAX_CALIBRATED_STEPS + per_call - 1}."
            )

    def fit(self, X, y, sample_weight=None):
        """Fit the forecaster on windows ``X`` and the values that follow them.

        With ``calibration_fraction`` set, the network first trains without
        the last windows, its errors on them calibrate the prediction
        intervals, and it then trains on with all windows.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Input windows, in time order (the last ones calibrate intervals).
        y : array-like of shape (n,), (n, k) or (n, horizon, C)
            Targets: the next value, ``k`` values ahead (or the next value of
            each of ``k`` channels), or ``horizon`` steps of ``C`` channels.
        sample_weight : array-like of shape (n,), default=None
            Weight of each sample in the loss: a weight of 2 counts a sample as
            two copies of it would, 0 leaves it out. None weighs all equally.

        Returns
        -------
        self : RNNForecaster
            The fitted forecaster.
        """
        return self._fit(X, y, sample_weight)

    def _train(self, X, y, sample_weight):
        if self._is_warm():  # a warm start keeps the calibration of the first fit
            self._fit_unguarded(X, y, sample_weight)
        else:
            fit_calibrated(self, X, y, sample_weight)

    def _calibration_width(self) -> int:
        """Values per step of ``calibration_errors_``: the target channels of a
        rollout, else every target entry."""
        return self.n_outputs_ if self._calibrated_steps() is None else self._n_targets()

    def _predict_sequences(self, seqs: Sequences, frame=None) -> np.ndarray:
        """Predictions in the units of ``y``, shaped ``(n,) + target_shape_``.

        ``frame`` is ``self._frame(seqs)`` when the caller has it already.
        """
        frame = self._frame(seqs) if frame is None else frame
        codec = self._target_codec().within(frame)
        return codec.inverse_transform(self._infer(seqs, frame=frame))

    def predict(self, X):
        """Predict the target of each window.

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Input windows, with the channels seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape ``(n,) + target_shape_``
            Predictions in the units of ``y``.
        """
        self._check_fitted()
        return self._predict_sequences(self._check_input(X, reset=False))

    def predict_interval(self, X, coverage=0.9):
        """Prediction intervals around :meth:`predict`, calibrated on held-out windows.

        Split-conformal: the half-width is a quantile of the errors a copy of
        the model made on the last ``calibration_fraction`` of the training
        windows, which it did not train on (times each window's scale when
        ``scaling`` is window-relative).

        Parameters
        ----------
        X : array-like of shape (n, T) or (n, T, C), or list of arrays
            Input windows, with the channels seen in ``fit``.
        coverage : float, default=0.9
            Share of future values the interval should hold, in (0, 1).

        Returns
        -------
        lower, upper : ndarray of shape ``(n,) + target_shape_``
            The interval bounds, shaped like ``predict(X)``.

        Raises
        ------
        ValueError
            For a coverage outside (0, 1), or when too few windows were held
            out to calibrate that coverage.
        """
        self._check_fitted()
        coverage = check_coverage(coverage)
        seqs = self._check_input(X, reset=False)
        frame = self._frame(seqs)
        center = self._predict_sequences(seqs, frame)
        width = self._half_widths(coverage, self._calibrated_steps() or 1)
        scale = 1.0 if frame is None else frame.target_scale(self.target_shape_)
        half = np.broadcast_to(width.reshape(1, -1) * scale, (len(center), width.size))
        half = half.reshape(center.shape)
        return center - half, center + half

    def _half_widths(self, coverage: float, steps: int) -> np.ndarray:
        """Interval half-widths ``(steps, k)`` in window scales (``half_widths``)."""
        errors = getattr(self, "calibration_errors_", None)
        if errors is None:
            raise ValueError(
                "this model holds no calibration for intervals: it was saved before "
                "RNNForecaster had prediction intervals. Fit it again (with "
                "calibration_fraction=0.2, the default) to get them."
            )
        return half_widths(errors, coverage, steps)

    def _calibrated_steps(self) -> int | None:
        """Steps one forward pass predicts; None when the targets do not roll forward."""
        try:
            return self._steps_per_call()
        except ValueError:
            return None

    def _steps_per_call(self) -> int:
        """Time steps of the input channels predicted by one forward pass."""
        n_outputs = int(np.prod(self.target_shape_))
        channels = self._n_targets()
        if len(self.target_shape_) == 2 and self.target_shape_[1] == channels:
            return self.target_shape_[0]
        if len(self.target_shape_) <= 1 and n_outputs % channels == 0:
            if channels == 1 or n_outputs == channels:
                return n_outputs // channels
        raise ValueError(
            f"forecast needs targets that continue the input channels: y rows shaped "
            f"(), (horizon,) for univariate series or ({channels},) / (horizon, "
            f"{channels}) for {channels} channels; this model was fitted on rows "
            f"shaped {self.target_shape_}."
        )

    def _rollout(self, window: np.ndarray, steps: int, covariates=None) -> np.ndarray:
        """``steps`` values rolled forward from windows ``(n, T, C)`` of the target
        channels (``_rollout.roll_forward``)."""
        per_call = self._steps_per_call()
        return roll_forward(self._predict_sequences, window, steps, per_call, covariates)

    def forecast(self, X_seed, steps, *, future_covariates=None):
        """Roll the model forward on its own predictions.

        Each forward pass predicts the next value(s) of every target channel;
        they are appended to the window, whose oldest steps are dropped, and
        the model is applied again until ``steps`` values exist. This needs a
        model whose targets continue the target channels (as
        :func:`make_windows` builds them). Future covariates move on with the
        window, read from ``future_covariates``. The rollout is then combined
        with statistical forecasts of each seed's history as ``combine`` says:
        by default, their step-by-step median, for one series' history longer
        than the window.

        Parameters
        ----------
        X_seed : array-like or pandas Series
            The seed window(s): ``(T,)`` or a batch ``(n, T)`` for univariate
            models; ``(T, C)`` or a batch ``(n, T, C)`` for ``C`` channels.
            All zeros is allowed. A pandas Series with a ``DatetimeIndex`` or
            ``PeriodIndex`` (a univariate model) may hold a longer history:
            its last ``T`` values are the seed. With covariates, the seed holds
            every input channel as observed over the last ``T`` steps, not
            shifted: the target channels, past covariates, future covariates.
        steps : int
            Number of future time steps to produce (>= 1).
        future_covariates : array-like of shape (steps, F) or (n, steps, F), default=None
            For a model with ``n_future_covariates=F``: their values over the
            ``steps`` steps that follow the seed (``(steps,)`` / ``(n, steps)``
            for one covariate; values beyond ``steps`` are ignored). Required
            by such a model, refused by others.

        Returns
        -------
        forecast : ndarray or pandas Series
            ``(steps,)`` / ``(n, steps)`` for one target channel, ``(steps, C)``
            / ``(n, steps, C)`` for ``C``; for a dated seed, a Series indexed by
            the ``steps`` dates that follow it.

        Raises
        ------
        ValueError
            For future covariates missing, refused, too short, of another
            column count, or holding NaN or infinity; for ``steps`` beyond one
            forward pass of a model with past covariates; for a dated seed
            whose dates run backwards, repeat or are missing, or whose periods
            skip one.
        """
        steps, _, target, covariates, single, dates, history = self._seed(
            X_seed, steps, future_covariates
        )
        center = self._rollout(target, steps, covariates)
        center = self._combined(center, history, single, steps)
        out = self._shaped(center, single)
        return out if dates is None else pd_series(out, dates, X_seed.name)

    def _combined(self, center, history, single: bool, steps: int, bounds=None):
        """The forecast (and with ``bounds``, ``(center, lower, upper)``) combined
        with statistical forecasts of the seeds' histories ``(n, T', k)``
        (``_statistical.combine``), as ``combine`` asks."""
        how = self._combination(history, single)
        if how is None:
            return center if bounds is None else (center, *bounds[:2])
        # the season: the network's baseline's, or found on each history (None)
        # at lags up to half the window (of the seed, for windows of any length)
        season = getattr(self, "season_length_", None)
        max_lag = (getattr(self, "n_features_in_", None) or history.shape[1]) // 2
        strict = self.combine != "auto"  # "auto" keeps the network where ETS fails
        history = as_float(history, "X_seed")
        return combine(center, history, steps, how, season, max_lag, bounds, strict)

    def _combination(self, history: np.ndarray, single: bool):
        """How this forecast combines (``combine``, ``"auto"`` resolved): ETS's
        share, ``"median"``, or None for the network alone."""
        if self.combine != "auto":
            return self.combine
        window = getattr(self, "n_features_in_", None)  # None: windows of any length
        longer = window is not None and history.shape[1] > max(window, MIN_HISTORY - 1)
        return "median" if single and longer else None

    def forecast_interval(self, X_seed, steps, coverage=0.9, *, future_covariates=None):
        """Prediction intervals around :meth:`forecast`, widening with the step.

        The half-width at each step is a split-conformal quantile of the
        errors that rollouts of the network made, at that step, before it
        trained on them, from the held-out last ``calibration_fraction`` of
        the training windows
        (times the seed window's scale when ``scaling`` is window-relative).
        Steps beyond those the held-out data covers widen as the square root
        of the step. Under ``combine``, the median of the forecasts keeps
        these distances around it; a weight blends the bounds with ETS's own.

        Parameters
        ----------
        X_seed : array-like or pandas Series
            The seed window(s), as for :meth:`forecast`.
        steps : int
            Number of future time steps (>= 1).
        coverage : float, default=0.9
            Share of future values the interval should hold, in (0, 1).
        future_covariates : array-like of shape (steps, F) or (n, steps, F), default=None
            The future covariates' values over the forecast, as for
            :meth:`forecast`.

        Returns
        -------
        lower, upper : ndarray, or pandas DataFrame
            The interval bounds, each shaped like ``forecast(X_seed, steps)``;
            for a dated seed, one DataFrame with ``lower`` and ``upper``
            columns indexed by the following dates.

        Raises
        ------
        ValueError
            For a coverage outside (0, 1), a dated seed whose frequency is
            unknown or whose dates are out of order, or too few held-out
            windows for that coverage.
        """
        coverage = check_coverage(coverage)
        steps, window, target, covariates, single, dates, history = self._seed(
            X_seed, steps, future_covariates
        )
        center = self._rollout(target, steps, covariates)
        width = self._half_widths(coverage, steps)
        frame = self._frame(Sequences.full(window))
        half = width[None] * (1.0 if frame is None else frame.step_scale(target.shape[2]))
        bounds = (center - half, center + half, coverage)
        _, lower, upper = self._combined(center, history, single, steps, bounds)
        lower, upper = self._shaped(lower, single), self._shaped(upper, single)
        if dates is None:
            return lower, upper
        return pd_frame({"lower": lower, "upper": upper}, dates)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

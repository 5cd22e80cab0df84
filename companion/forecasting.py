"""Forecasting baselines and prediction intervals.

Every deep forecaster must be compared with forecasts that need no training:

* **naive** — every future value equals the last observed one;
* **seasonal naive** — each future value equals the value one season earlier;
* **linear autoregression** — a linear function of the input window, fitted by least
  squares, one for each step of the horizon (a *direct* multi-step forecast).

All functions take input windows ``(windows, input_length)`` or
``(windows, input_length, 1)`` (as :func:`companion.data.series.split_windows` makes them)
and return forecasts ``(windows, horizon)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from companion.validation import as_float_array, check_number, check_positive_int


def _check_windows(name: str, x: Any) -> np.ndarray:
    """Accept ``(windows, input_length)`` or ``(windows, input_length, 1)``."""
    array = as_float_array(name, x)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name}: expected input windows (windows, input_length) or "
            f"(windows, input_length, 1), got shape {array.shape}"
        )
    return array


def naive_forecast(x: Any, horizon: int = 1) -> np.ndarray:
    """Repeat the last input value for every step of the horizon.

    Raises:
        ValueError, TypeError: for windows of the wrong shape or a bad horizon.
    """
    x = _check_windows("x", x)
    horizon = check_positive_int("horizon", horizon)
    return np.repeat(x[:, -1:], horizon, axis=1)


def seasonal_naive_forecast(x: Any, horizon: int, period: int) -> np.ndarray:
    """Forecast each step with the value one season (``period`` steps) before it.

    Step ``j`` (0-based) of the horizon is the value ``period * k`` steps earlier, with
    ``k`` the smallest number of seasons that reaches back into the input window, i.e.
    input position ``input_length - period + (j mod period)``.

    Raises:
        ValueError: if the window is shorter than one period, or for bad arguments.
    """
    x = _check_windows("x", x)
    horizon = check_positive_int("horizon", horizon)
    period = check_positive_int("period", period)
    length = x.shape[1]
    if length < period:
        raise ValueError(
            f"x: expected input windows of at least period={period} values for a seasonal "
            f"naive forecast, got input_length {length}"
        )
    columns = length - period + np.arange(horizon) % period
    return x[:, columns]


class LinearAutoregression:
    """A direct linear autoregression: ``y_j = w_j · x + b_j`` for each horizon step ``j``.

    Fitted by ordinary least squares on the training windows (with an optional ridge
    penalty ``ridge * ||w||²``, which leaves the intercept unpenalised). With
    ``input_length`` inputs it has ``(input_length + 1) * horizon`` parameters.

    With ``anchor=True`` it works on changes from the window's last value ``x_L``, as
    the anchored CNN–LSTM does: ``y_j - x_L = w_j · (x_{1:L-1} - x_L) + b_j`` (the last
    input minus itself is always 0, so it is left out: ``input_length * horizon``
    parameters). The intercept ``b_j`` is then a drift per step.
    """

    def __init__(self, ridge: float = 0.0, *, anchor: bool = False) -> None:
        check_number("ridge", ridge, "a number >= 0")
        if not 0 <= ridge < np.inf:
            raise ValueError(f"ridge: expected a number >= 0 and finite, got {ridge!r}")
        self.ridge = float(ridge)
        self.anchor = bool(anchor)
        self.coefficients: np.ndarray | None = None
        self.input_length: int | None = None

    def _design(self, x: np.ndarray) -> np.ndarray:
        if self.anchor:
            x = x[:, :-1] - x[:, -1:]
        return np.hstack([x, np.ones((len(x), 1))])

    def fit(self, x: Any, y: Any) -> LinearAutoregression:
        """Fit on windows ``x`` ``(windows, input_length[, 1])`` and targets ``y``.

        Raises:
            ValueError: for mismatched shapes or fewer windows than parameters (without
                a ridge penalty the least-squares problem would be under-determined).
        """
        x = _check_windows("x", x)
        y = as_float_array("y", y)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[0] != x.shape[0]:
            raise ValueError(
                f"y: expected targets (windows, horizon) with {x.shape[0]} windows (as x), "
                f"got shape {y.shape}"
            )
        if self.anchor and x.shape[1] < 2:
            raise ValueError(f"x: expected input_length >= 2 with anchor=True, got {x.shape[1]}")
        design = self._design(x)
        if self.ridge == 0 and x.shape[0] < design.shape[1]:
            raise ValueError(
                f"x: expected at least {design.shape[1]} windows (one per parameter) to fit "
                f"by least squares, got {x.shape[0]}; use fewer inputs or ridge > 0"
            )
        if self.anchor:
            y = y - x[:, -1:]
        if self.ridge == 0:
            self.coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
        else:
            penalty = self.ridge * np.eye(design.shape[1])
            penalty[-1, -1] = 0.0
            self.coefficients = np.linalg.solve(design.T @ design + penalty, design.T @ y)
        self.input_length = x.shape[1]
        return self

    def predict(self, x: Any) -> np.ndarray:
        """Forecast ``(windows, horizon)`` for windows ``x``.

        Raises:
            RuntimeError: if the model has not been fitted.
            ValueError: if the windows' length differs from the training windows'.
        """
        if self.coefficients is None:
            raise RuntimeError("LinearAutoregression: call fit(x, y) before predict(x)")
        x = _check_windows("x", x)
        if x.shape[1] != self.input_length:
            raise ValueError(
                f"x: expected windows of input_length {self.input_length} (as in fit), "
                f"got {x.shape[1]}"
            )
        forecast = self._design(x) @ self.coefficients
        return forecast + x[:, -1:] if self.anchor else forecast


def residual_interval(
    y_true: Any, y_pred: Any, coverage: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """An empirical prediction interval from held-out residuals, per horizon step.

    The residuals ``y_true - y_pred`` of a validation set give, for each horizon step,
    the ``(1 - coverage) / 2`` and ``(1 + coverage) / 2`` quantiles; adding them to a new
    forecast gives an interval that covers the truth with about ``coverage`` probability
    **if** the future errors resemble the validation errors (no guarantee under drift).

    Returns:
        ``(lower, upper)`` offsets, each ``(horizon,)``: the interval of a forecast ``f``
        is ``[f + lower, f + upper]``.

    Raises:
        ValueError: for mismatched shapes or a coverage outside ``(0, 1)``.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    check_number("coverage", coverage, "a number in (0, 1)")
    if not 0 < coverage < 1:
        raise ValueError(f"coverage: expected a number in (0, 1), got {coverage}")
    residuals = y_true - y_pred
    tail = (1 - coverage) / 2
    return np.quantile(residuals, tail, axis=0), np.quantile(residuals, 1 - tail, axis=0)


def interval_coverage(y_true: Any, lower: Any, upper: Any) -> float:
    """The share of true values inside ``[lower, upper]`` (arrays of the same shape).

    Raises:
        ValueError: for mismatched shapes.
    """
    y_true = as_float_array("y_true", y_true)
    if not y_true.size:
        raise ValueError("y_true: expected at least one value, got none")
    bounds = []
    for name, bound in (("lower", lower), ("upper", upper)):
        bound = as_float_array(name, bound)
        try:
            bounds.append(np.broadcast_to(bound, y_true.shape))
        except ValueError as error:
            raise ValueError(
                f"{name}: expected the shape of y_true {y_true.shape} (or one that broadcasts "
                f"to it), got {bound.shape}"
            ) from error
    lower, upper = bounds
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    y_true = as_float_array("y_true", y_true)
    y_pred = as_float_array("y_pred", y_pred)
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if y_true.shape != y_pred.shape or y_true.ndim != 2 or not y_true.size:
        raise ValueError(
            f"y_pred: expected the shape of y_true, (windows, horizon), got {y_pred.shape} "
            f"and y_true {y_true.shape}"
        )
    return y_true, y_pred

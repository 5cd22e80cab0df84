"""Comparing two models on the same test items; forecast errors (MAE, RMSE, MASE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.validation import as_float_array, check_positive_int


@dataclass(frozen=True)
class PairedComparison:
    """McNemar's comparison of two models that answered the same test items.

    ``only_a`` and ``only_b`` count the items that exactly one of the two models got
    right; items both got right or both got wrong say nothing about which is better.
    Under the hypothesis that the models are equally good, each such item is a fair
    coin, and ``z = (only_a - only_b) / sqrt(only_a + only_b)`` is approximately
    standard normal: ``|z| > 2`` is a difference unlikely to be chance (about 5 %).
    """

    only_a: int
    only_b: int

    @property
    def z(self) -> float:
        """The standardised difference, 0 when no item separates the models."""
        discordant = self.only_a + self.only_b
        return (self.only_a - self.only_b) / np.sqrt(discordant) if discordant else 0.0

    def verdict(self, name_a: str, name_b: str) -> str:
        """``"<a> is better"``, ``"<b> is better"`` or that the difference is within noise."""
        if self.z > 2:
            return f"{name_a} is better"
        if self.z < -2:
            return f"{name_b} is better"
        return "the difference is within noise (|z| < 2)"


def paired_comparison(
    truth: Sequence[Any], answers_a: Sequence[Any], answers_b: Sequence[Any]
) -> PairedComparison:
    """Compare two models' answers (e.g. decoded strings) item by item with the truth.

    Raises:
        ValueError: if the three sequences differ in length or are empty.
    """
    if not len(truth):
        raise ValueError("truth: expected at least one test item, got none")
    if not len(answers_a) == len(answers_b) == len(truth):
        raise ValueError(
            f"answers_a, answers_b: expected {len(truth)} answers each (one per test item), "
            f"got {len(answers_a)} and {len(answers_b)}"
        )
    right_a = np.array([a == t for a, t in zip(answers_a, truth, strict=True)])
    right_b = np.array([b == t for b, t in zip(answers_b, truth, strict=True)])
    return PairedComparison(int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a)))


def _forecast_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two float arrays of one shape, at least one value, no NaN."""
    y_true = as_float_array("y_true", y_true)
    y_pred = as_float_array("y_pred", y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred: expected the shape of y_true {y_true.shape}, got {y_pred.shape}")
    if not y_true.size:
        raise ValueError("y_true: expected at least one value, got none")
    return y_true, y_pred


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error over all values (all windows and horizon steps).

    Raises:
        ValueError: for arrays of different shapes, empty arrays or NaNs.
    """
    y_true, y_pred = _forecast_pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error over all values; weighs large errors more than MAE.

    Raises:
        ValueError: for arrays of different shapes, empty arrays or NaNs.
    """
    y_true, y_pred = _forecast_pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def seasonal_naive_scale(training: Any, period: int = 1) -> float:
    """The in-sample MAE of the seasonal naive forecast on the training series.

    ``(1 / (T - m)) * sum_{t=m+1}^{T} |y_t - y_{t-m}|`` with ``m = period``; with
    ``period=1`` it is the one-step naive forecast's MAE of Hyndman & Koehler (2006).

    Raises:
        ValueError: for a series not longer than the period, or one whose seasonal
            differences are all zero (the scale would be 0).
    """
    training = as_float_array("training", training, ndim=1, axes=("time",))
    period = check_positive_int("period", period)
    if len(training) <= period:
        raise ValueError(
            f"training: expected more than period={period} values, got {len(training)}"
        )
    scale = float(np.mean(np.abs(training[period:] - training[:-period])))
    if scale == 0:
        raise ValueError("training: its seasonal naive errors are all 0, so MASE is undefined")
    return scale


def mase(y_true: Any, y_pred: Any, training: Any, period: int = 1) -> float:
    """Mean absolute scaled error: the forecast's MAE over the training part's in-sample
    seasonal naive MAE (:func:`seasonal_naive_scale`).

    Below 1 the forecast beats, on average, what the seasonal naive method achieved
    one season ahead within the training data; the scale is fixed by the training part,
    so every model evaluated on the same test set is divided by the same number.

    Raises:
        ValueError: as :func:`mae` and :func:`seasonal_naive_scale`.
    """
    return mae(y_true, y_pred) / seasonal_naive_scale(training, period)


@dataclass(frozen=True)
class ForecastComparison:
    """Diebold–Mariano comparison of two forecasters' absolute errors on one test set.

    ``d_t = |e_a,t| - |e_b,t|`` is the per-origin difference of the two models' mean
    absolute errors (negative: model a is better at origin ``t``). Forecasts ``h`` steps
    ahead from neighbouring origins share errors, so the variance of the mean of ``d``
    includes its autocovariances up to lag ``h - 1``; ``z = mean(d) / sqrt(var / n)``
    is approximately standard normal when the models are equally accurate.
    """

    mean_difference: float
    z: float

    def verdict(self, name_a: str, name_b: str) -> str:
        """``"<a> is more accurate"``, ``"<b> is more accurate"`` or within noise."""
        if self.z < -2:
            return f"{name_a} is more accurate"
        if self.z > 2:
            return f"{name_b} is more accurate"
        return "the difference is within noise (|z| < 2)"


def diebold_mariano(y_true: Any, pred_a: Any, pred_b: Any, horizon: int = 1) -> ForecastComparison:
    """Compare two forecasts ``(origins, horizon)`` of the same targets (Diebold and
    Mariano, 1995), with the absolute error as the loss.

    Raises:
        ValueError: for arrays of different shapes, or fewer than 3 origins.
    """
    y_true, pred_a = _forecast_pair(y_true, pred_a)
    _, pred_b = _forecast_pair(y_true, pred_b)
    horizon = check_positive_int("horizon", horizon)
    if y_true.ndim == 1:
        y_true, pred_a, pred_b = y_true[:, None], pred_a[:, None], pred_b[:, None]
    d = np.abs(y_true - pred_a).mean(axis=1) - np.abs(y_true - pred_b).mean(axis=1)
    n = len(d)
    if n < 3:
        raise ValueError(f"y_true: expected at least 3 forecast origins, got {n}")
    centred = d - d.mean()
    variance = float(centred @ centred) / n
    for lag in range(1, min(horizon, n)):
        variance += 2 * float(centred[lag:] @ centred[:-lag]) / n
    if variance <= 0:  # the truncated sum can be negative; fall back to the plain variance
        variance = float(centred @ centred) / n
    z = float(d.mean() / np.sqrt(variance / n)) if variance > 0 else 0.0
    return ForecastComparison(float(d.mean()), z)

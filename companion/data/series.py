"""Real time series (offline, from ``statsmodels``) and supervised forecasting windows.

Two series ship with ``statsmodels.datasets`` and need no download:

* **sunspots** — the yearly mean sunspot number, 1700–2008 (309 values), with the
  roughly 11-year solar cycle;
* **CO2** — the weekly atmospheric CO₂ concentration at Mauna Loa, March 1958 to
  December 2001, in ppm, with a rising trend and a yearly cycle. It has gaps (weeks
  without a measurement, stored as NaN); :func:`load_co2` averages the available weeks
  of each calendar month and fills months with no measurement at all by linear
  interpolation between their neighbours, and reports how many it filled.

A forecaster learns from **windows**: ``input_length`` consecutive values as input and
the ``horizon`` values that follow as targets. :func:`split_windows` cuts a series in
time order into a training, a validation and a test part, makes the windows whose
targets lie in each part (the inputs may reach back into the earlier parts: those values
are known when the forecast is made), and scales everything with the mean and standard
deviation of the **training part only**, so that nothing about the validation and test
values leaks into training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.validation import check_choice, check_number, check_positive_int

SERIES_NAMES = ("sunspots", "co2", "nile")


@dataclass(frozen=True)
class Series:
    """A univariate series with its time axis and the facts a forecaster needs.

    Attributes:
        name: short name, e.g. ``"co2"``.
        values: the observations, float64 ``(n,)``, no NaN.
        time: the time of each observation in decimal years, ``(n,)``.
        unit: the unit of the values, for axis labels.
        step: the length of one time step in words, e.g. ``"month"``.
        period: the seasonal period in steps (12 for monthly CO₂, 11 for the solar cycle).
        filled: how many values were filled by interpolation (0 when none).
        description: one sentence on the source and the preprocessing.
    """

    name: str
    values: np.ndarray
    time: np.ndarray
    unit: str
    step: str
    period: int
    filled: int
    description: str

    def __len__(self) -> int:
        return len(self.values)


def load_sunspots() -> Series:
    """The yearly mean sunspot number, 1700–2008 (``statsmodels.datasets.sunspots``).

    The seasonal period is set to 11 years, the mean length of the solar (Schwabe) cycle;
    single cycles last between about 9 and 14 years, so a seasonal naive forecast with
    period 11 is only approximately in phase.
    """
    from statsmodels.datasets import sunspots

    data = sunspots.load_pandas().data
    return Series(
        name="sunspots",
        values=data["SUNACTIVITY"].to_numpy(dtype=np.float64),
        time=data["YEAR"].to_numpy(dtype=np.float64),
        unit="sunspot number",
        step="year",
        period=11,
        filled=0,
        description="yearly mean sunspot number 1700–2008 (statsmodels)",
    )


def load_co2() -> Series:
    """Monthly mean CO₂ at Mauna Loa, March 1958 – December 2001, in ppm.

    The weekly source (``statsmodels.datasets.co2``) has weeks without a measurement
    (NaN). Each month's value is the mean of its measured weeks; a month with no measured
    week at all is filled by linear interpolation between the neighbouring months. The
    number of filled months is in ``Series.filled``; the number of missing weeks is in
    the description.
    """
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    missing_weeks = int(weekly.isna().sum())
    monthly = weekly.resample("MS").mean()
    filled = int(monthly.isna().sum())
    monthly = monthly.interpolate(method="linear")
    time = monthly.index.year + (monthly.index.month - 1) / 12
    return Series(
        name="co2",
        values=monthly.to_numpy(dtype=np.float64),
        time=np.asarray(time, dtype=np.float64),
        unit="CO₂ (ppm)",
        step="month",
        period=12,
        filled=filled,
        description=(
            f"monthly means of weekly Mauna Loa CO₂ 1958–2001 (statsmodels); "
            f"{missing_weeks} of {len(weekly)} weeks are missing, {filled} months had no "
            "measurement and were interpolated linearly"
        ),
    )


def load_nile() -> Series:
    """The yearly flow of the Nile at Aswan, 1871–1970, in 10⁸ m³ (``statsmodels.datasets.nile``).

    The series has a documented change point near 1898 (Cobb 1978, cited by the dataset),
    where its level drops; it has no seasonal period, so ``period`` is 1 (a seasonal
    naive forecast is then the naive one).
    """
    from statsmodels.datasets import nile

    data = nile.load_pandas().data
    return Series(
        name="nile",
        values=data["volume"].to_numpy(dtype=np.float64),
        time=data["year"].to_numpy(dtype=np.float64),
        unit="flow (10⁸ m³)",
        step="year",
        period=1,
        filled=0,
        description="yearly Nile flow at Aswan 1871–1970, change point near 1898 (statsmodels)",
    )


_LOADERS = {"sunspots": load_sunspots, "co2": load_co2, "nile": load_nile}


def load_series(name: str) -> Series:
    """Load a series by name: ``"sunspots"``, ``"co2"`` or ``"nile"``.

    Raises:
        ValueError: for an unknown name.
    """
    return _LOADERS[check_choice("name", name, SERIES_NAMES)]()


def _check_window_settings(input_length: Any, horizon: Any, stride: Any) -> tuple[int, int, int]:
    return (
        check_positive_int("input_length", input_length),
        check_positive_int("horizon", horizon),
        check_positive_int("stride", stride),
    )


def _check_values(values: Any) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"values: expected a numeric 1-D series, got {type(values).__name__}"
        ) from error
    if array.ndim != 1:
        raise ValueError(f"values: expected a 1-D series (time,), got shape {array.shape}")
    missing = np.flatnonzero(~np.isfinite(array))
    if missing.size:
        raise ValueError(
            f"values: expected finite values, got {missing.size} NaN or infinite value(s), "
            f"first at index {missing[0]}; fill or drop them first (e.g. resample and "
            "interpolate, as load_co2 does)"
        )
    return array


def make_windows(
    values: Any, input_length: int, horizon: int = 1, *, stride: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into supervised windows: inputs and the values that follow them.

    Window ``k`` starts at ``s = k * stride``; its input is ``values[s : s + input_length]``
    and its target ``values[s + input_length : s + input_length + horizon]``.

    Args:
        values: the series, ``(time,)``, finite.
        input_length: how many past values the model reads.
        horizon: how many future values it predicts.
        stride: the step between the starts of consecutive windows.

    Returns:
        ``(x, y)``: ``x`` of shape ``(windows, input_length)``, ``y`` of shape
        ``(windows, horizon)``.

    Raises:
        TypeError, ValueError: for bad window settings, NaN values, or a series shorter
            than one window (``input_length + horizon`` values).
    """
    input_length, horizon, stride = _check_window_settings(input_length, horizon, stride)
    values = _check_values(values)
    needed = input_length + horizon
    if len(values) < needed:
        raise ValueError(
            f"values: expected at least input_length + horizon = {needed} values for one "
            f"window, got a series of {len(values)}"
        )
    starts = np.arange(0, len(values) - needed + 1, stride)
    offsets = np.arange(needed)
    windows = values[starts[:, None] + offsets]
    return windows[:, :input_length], windows[:, input_length:]


@dataclass(frozen=True)
class Scaler:
    """Standardisation ``(v - mean) / std`` with statistics taken from one part only."""

    mean: float
    std: float

    @classmethod
    def fit(cls, values: Any) -> Scaler:
        """Take the mean and standard deviation of ``values`` (the training part).

        Raises:
            ValueError: for fewer than two values, NaNs, or a constant series.
        """
        values = _check_values(values)
        if len(values) < 2:
            raise ValueError(f"values: expected at least 2 values to fit, got {len(values)}")
        std = float(values.std())
        if std == 0:
            raise ValueError("values: expected a series that varies, got a constant one")
        return cls(float(values.mean()), std)

    def transform(self, values: Any) -> np.ndarray:
        """Scale: ``(values - mean) / std``."""
        return (_numeric(values) - self.mean) / self.std

    def inverse(self, values: Any) -> np.ndarray:
        """Undo :meth:`transform`: ``values * std + mean``."""
        return _numeric(values) * self.std + self.mean


def _numeric(values: Any) -> np.ndarray:
    """``values`` as a float64 array of any shape (NaN kept: predictions may hold them)."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"values: expected numeric values, got {type(values).__name__}") from error


@dataclass(frozen=True)
class WindowedSplit:
    """Windows of one series, split in time order, scaled with training statistics.

    ``x_*`` are ``(windows, input_length, 1)`` float32 (the channel axis a Conv1D/LSTM
    expects) and ``y_*`` are ``(windows, horizon)`` float32, all in scaled units;
    :meth:`unscale` turns predictions back into the series' units. ``origin_*`` holds,
    for each window, the index in the series of its first target (the forecast origin).
    ``boundaries`` are the indices where validation and test begin.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    origin_train: np.ndarray
    origin_val: np.ndarray
    origin_test: np.ndarray
    scaler: Scaler
    boundaries: tuple[int, int]
    input_length: int
    horizon: int

    def unscale(self, values: Any) -> np.ndarray:
        """Return scaled values (e.g. predictions) in the series' own units."""
        return self.scaler.inverse(values)

    def train_part(self, values: Any) -> np.ndarray:
        """The training part of the (unscaled) series the split was made from."""
        return np.asarray(values, dtype=np.float64)[: self.boundaries[0]]


def split_windows(
    values: Any,
    input_length: int,
    horizon: int = 1,
    *,
    stride: int = 1,
    validation_fraction: float = 0.15,
    test_fraction: float = 0.15,
) -> WindowedSplit:
    """Split a series in time order and make scaled windows for each part.

    With ``n`` values, the last ``round(test_fraction * n)`` form the test part, the
    ``round(validation_fraction * n)`` before them the validation part, and the rest the
    training part. A window belongs to the part that holds **all** its targets, so no
    training target lies in the validation or test part; inputs may reach back into
    earlier parts (past values are known at forecast time). The scaler is fitted on the
    training part alone.

    Args:
        values: the series, ``(time,)``, finite.
        input_length: how many past values each window reads.
        horizon: how many future values each window predicts.
        stride: step between consecutive forecast origins (in every part).
        validation_fraction: share of the series held out for validation, in ``(0, 1)``.
        test_fraction: share held out for the final test, in ``(0, 1)``.

    Returns:
        A :class:`WindowedSplit`.

    Raises:
        TypeError, ValueError: for bad window settings or fractions, NaN values, or a
            series too short to give every part at least one window.
    """
    input_length, horizon, stride = _check_window_settings(input_length, horizon, stride)
    values = _check_values(values)
    for name, fraction in (
        ("validation_fraction", validation_fraction),
        ("test_fraction", test_fraction),
    ):
        check_number(name, fraction, "a number in (0, 1)")
        if not 0 < fraction < 1:
            raise ValueError(f"{name}: expected a number in (0, 1), got {fraction}")
    if validation_fraction + test_fraction >= 0.9:
        raise ValueError(
            "validation_fraction, test_fraction: expected a sum below 0.9 (leaving at least "
            f"10 % for training), got {validation_fraction} + {test_fraction}"
        )
    n = len(values)
    n_test = round(test_fraction * n)
    n_val = round(validation_fraction * n)
    val_start, test_start = n - n_test - n_val, n - n_test
    parts = {"train": (input_length, val_start), "val": (val_start, test_start)}
    parts["test"] = (test_start, n)
    # The shortest series with one window per part: the training part must hold a whole
    # window, validation and test at least `horizon` values each.
    for name, (first, end) in parts.items():
        if end - first - horizon + 1 < 1:
            size = {"train": val_start, "val": n_val, "test": n_test}[name]
            need = input_length + horizon if name == "train" else horizon
            raise ValueError(
                f"values: a series of {n} gives a {name} part of {size} values, fewer than "
                f"the {need} that one window needs (input_length={input_length}, "
                f"horizon={horizon}); use a longer series, a shorter window or other "
                "fractions"
            )
    scaler = Scaler.fit(values[:val_start])
    scaled = scaler.transform(values)
    offsets = np.arange(-input_length, horizon)
    arrays: dict[str, np.ndarray] = {}
    for name, (first, end) in parts.items():
        origins = np.arange(first, end - horizon + 1, stride)
        windows = scaled[origins[:, None] + offsets].astype(np.float32)
        arrays[f"x_{name}"] = windows[:, :input_length, None]
        arrays[f"y_{name}"] = windows[:, input_length:]
        arrays[f"origin_{name}"] = origins
    return WindowedSplit(
        **arrays,
        scaler=scaler,
        boundaries=(val_start, test_start),
        input_length=input_length,
        horizon=horizon,
    )

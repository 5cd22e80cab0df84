"""companion.data.series: offline loaders, windows, chronological split, leakage-free scaling."""

from __future__ import annotations

import numpy as np
import pytest

from companion.data.series import (
    Scaler,
    load_co2,
    load_nile,
    load_series,
    load_sunspots,
    make_windows,
    split_windows,
)


def test_sunspots_are_the_yearly_series_1700_to_2008():
    series = load_sunspots()
    assert len(series) == 309 and series.period == 11 and series.filled == 0
    assert series.time[0] == 1700 and series.time[-1] == 2008
    assert series.values[0] == 5.0 and np.all(np.isfinite(series.values))


def test_co2_is_monthly_without_nans_and_says_what_it_filled():
    series = load_co2()
    assert len(series) == 526 and series.period == 12 and series.step == "month"
    assert np.all(np.isfinite(series.values))
    assert series.filled == 5 and "5 months" in series.description
    assert series.time[0] == pytest.approx(1958 + 2 / 12)  # March 1958
    np.testing.assert_allclose(np.diff(series.time), 1 / 12, atol=1e-9)
    # March 1958 has a single measured week, 316.1 ppm; April's four weeks average 317.2.
    np.testing.assert_allclose(series.values[:2], [316.1, 317.2], atol=1e-9)


def test_co2_interpolates_a_month_without_measurements_between_its_neighbours():
    series = load_co2()
    # June 1958 (index 3) has no measured week.
    assert series.values[3] == pytest.approx((series.values[2] + series.values[4]) / 2)


def test_nile_is_the_yearly_flow_1871_to_1970_with_its_drop_after_1898():
    series = load_nile()
    assert len(series) == 100 and series.period == 1 and series.filled == 0
    assert series.time[0] == 1871 and series.time[-1] == 1970
    assert series.values[0] == 1120.0 and np.all(np.isfinite(series.values))
    before, after = series.values[series.time < 1898], series.values[series.time > 1898]
    assert before.mean() - after.mean() > before.std()  # the documented change point


def test_load_series_by_name_and_unknown_names():
    for name in ("sunspots", "co2", "nile"):
        assert load_series(name).name == name
    with pytest.raises(
        ValueError, match="name: expected one of 'sunspots', 'co2', 'nile', got 'airline'"
    ):
        load_series("airline")


def test_make_windows_by_hand():
    x, y = make_windows(np.arange(10.0), input_length=3, horizon=2, stride=2)
    np.testing.assert_array_equal(x, [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    np.testing.assert_array_equal(y, [[3, 4], [5, 6], [7, 8]])


def test_make_windows_uses_every_start_that_fits():
    x, y = make_windows(np.arange(7.0), input_length=3)
    assert x.shape == (4, 3) and y.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0], [3, 4, 5, 6])


def test_split_windows_targets_stay_in_their_part_and_inputs_precede_them():
    values = np.arange(200.0)
    data = split_windows(values, 12, 5, validation_fraction=0.2, test_fraction=0.1)
    val_start, test_start = data.boundaries
    assert (val_start, test_start) == (140, 180)
    parts = [
        (data.origin_train, data.x_train, data.y_train, 0, val_start),
        (data.origin_val, data.x_val, data.y_val, val_start, test_start),
        (data.origin_test, data.x_test, data.y_test, test_start, 200),
    ]
    for origins, x, y, first, end in parts:
        targets = np.round(data.unscale(y)).astype(int)
        inputs = np.round(data.unscale(x[:, :, 0])).astype(int)
        assert targets.min() >= first and targets.max() < end  # no target crosses a boundary
        np.testing.assert_array_equal(targets[:, 0], origins)
        np.testing.assert_array_equal(inputs[:, -1], origins - 1)  # inputs end before the origin
    # Every usable origin is there: the test part has 20 values, so 16 five-step windows.
    assert len(data.origin_test) == 16 and data.x_test.shape == (16, 12, 1)
    assert data.x_train.dtype == np.float32


def test_scaler_is_fitted_on_the_training_part_only():
    rng = np.random.default_rng(0)
    values = rng.normal(size=300).cumsum()
    data = split_windows(values, 10, 1)
    train = data.train_part(values)
    assert len(train) == data.boundaries[0]
    assert data.scaler.mean == pytest.approx(train.mean())
    assert data.scaler.std == pytest.approx(train.std())
    # Changing the held-out values changes neither the scaler nor any training window.
    changed = values.copy()
    changed[data.boundaries[0] :] += 1000.0
    other = split_windows(changed, 10, 1)
    assert other.scaler == data.scaler
    np.testing.assert_array_equal(other.x_train, data.x_train)
    np.testing.assert_array_equal(other.y_train, data.y_train)


def test_scaler_round_trip_and_errors():
    scaler = Scaler.fit([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(scaler.inverse(scaler.transform([5.0, -1.0])), [5.0, -1.0])
    with pytest.raises(ValueError, match="values: expected a series that varies"):
        Scaler.fit([2.0, 2.0, 2.0])
    with pytest.raises(ValueError, match="values: expected at least 2 values to fit, got 1"):
        Scaler.fit([1.0])


def test_stride_applies_to_every_part():
    data = split_windows(np.arange(300.0), 10, 1, stride=3)
    for origins in (data.origin_train, data.origin_val, data.origin_test):
        assert np.all(np.diff(origins) == 3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_length": 0}, ValueError, "input_length: expected an integer >= 1, got 0"),
        ({"horizon": 2.5}, TypeError, "horizon: expected an integer >= 1, got 2.5"),
        ({"stride": -1}, ValueError, "stride: expected an integer >= 1, got -1"),
        ({"values": np.ones((5, 2))}, ValueError, r"values: expected a 1-D series \(time,\)"),
        (
            {"values": [1.0, np.nan, 3.0, 4.0, 5.0]},
            ValueError,
            "values: expected finite values, got 1 NaN or infinite value.*first at index 1",
        ),
        (
            {"values": np.arange(5.0), "input_length": 4, "horizon": 2},
            ValueError,
            "values: expected at least input_length \\+ horizon = 6 values .* got a series of 5",
        ),
    ],
)
def test_make_windows_explains_bad_inputs(kwargs, error, message):
    arguments = {"values": np.arange(20.0), "input_length": 3, "horizon": 1, **kwargs}
    with pytest.raises(error, match=message):
        make_windows(arguments.pop("values"), **arguments)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"values": np.arange(30.0), "input_length": 24},
            ValueError,
            "values: a series of 30 gives a train part of 22 values, fewer than the 25",
        ),
        (
            {"values": np.arange(40.0), "horizon": 12},
            ValueError,
            "values: a series of 40 gives a val part of 6 values, fewer than the 12",
        ),
        ({"validation_fraction": 0.0}, ValueError, r"validation_fraction: expected .* \(0, 1\)"),
        ({"test_fraction": "0.2"}, TypeError, "test_fraction: expected a number in"),
        (
            {"validation_fraction": 0.5, "test_fraction": 0.45},
            ValueError,
            "validation_fraction, test_fraction: expected a sum below 0.9",
        ),
        (
            {"values": np.r_[np.arange(50.0), np.nan]},
            ValueError,
            "values: expected finite values, got 1 NaN",
        ),
    ],
)
def test_split_windows_explains_bad_inputs(kwargs, error, message):
    arguments = {"values": np.arange(200.0), "input_length": 6, **kwargs}
    with pytest.raises(error, match=message):
        split_windows(arguments.pop("values"), **arguments)


def test_series_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match="values: expected a numeric 1-D series, got dict"):
        make_windows({"a": 1}, 3)

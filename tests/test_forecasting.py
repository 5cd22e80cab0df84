"""Forecasting baselines and intervals, forecast metrics, and the CNN–LSTM forecasters."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.forecasting import (
    LinearAutoregression,
    interval_coverage,
    naive_forecast,
    residual_interval,
    seasonal_naive_forecast,
)
from companion.metrics import (
    ForecastComparison,
    diebold_mariano,
    mae,
    mase,
    rmse,
    seasonal_naive_scale,
)
from companion.models.forecasting import (
    cnn_lstm_forecaster,
    cnn_lstm_reference,
    conv_lstm_steps,
    seed_002_model,
)

# ---------------------------------------------------------------- baselines


def test_naive_and_seasonal_naive_by_hand():
    x = np.array([[1.0, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60]])
    np.testing.assert_array_equal(naive_forecast(x, 3), [[6, 6, 6], [60, 60, 60]])
    # period 4: the next values repeat positions 2, 3, 4, 5 of the window, then 2, 3 again
    np.testing.assert_array_equal(
        seasonal_naive_forecast(x, 6, 4), [[3, 4, 5, 6, 3, 4], [30, 40, 50, 60, 30, 40]]
    )
    np.testing.assert_array_equal(seasonal_naive_forecast(x[:, :, None], 1, 1), [[6], [60]])


def test_seasonal_naive_is_exact_on_a_periodic_series():
    season = np.array([3.0, -1.0, 4.0, 1.0, -5.0])
    series = np.tile(season, 10)
    x = np.stack([series[s : s + 12] for s in range(20)])
    future = np.stack([series[s + 12 : s + 20] for s in range(20)])
    np.testing.assert_array_equal(seasonal_naive_forecast(x, 8, 5), future)


def test_linear_autoregression_recovers_a_noiseless_ar_process():
    rng = np.random.default_rng(0)
    values = list(rng.normal(size=2))
    for _ in range(300):
        values.append(0.6 * values[-1] - 0.3 * values[-2] + 0.5)
    values = np.array(values) + 1e-3 * rng.normal(size=len(values))
    x = np.stack([values[s : s + 2] for s in range(len(values) - 2)])
    y = values[2:]
    model = LinearAutoregression().fit(x, y)
    np.testing.assert_allclose(model.coefficients[:, 0], [-0.3, 0.6, 0.5], atol=0.02)
    assert model.predict(x[:5]).shape == (5, 1)


def test_anchored_linear_autoregression_fits_changes_from_the_last_value():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(60, 5)), rng.normal(size=(60, 2))
    model = LinearAutoregression(anchor=True).fit(x, y)
    changes = np.hstack([x[:, :-1] - x[:, -1:], np.ones((60, 1))])
    expected = np.linalg.lstsq(changes, y - x[:, -1:], rcond=None)[0]
    np.testing.assert_allclose(model.coefficients, expected, atol=1e-10)
    np.testing.assert_allclose(model.predict(x), changes @ expected + x[:, -1:], atol=1e-10)
    # Shifting a window shifts its forecast by the same amount.
    np.testing.assert_allclose(model.predict(x + 3.0), model.predict(x) + 3.0, atol=1e-10)
    with pytest.raises(ValueError, match="x: expected input_length >= 2 with anchor=True"):
        LinearAutoregression(anchor=True).fit(x[:, :1], y)


def test_linear_autoregression_equals_numpy_lstsq_and_ridge_shrinks():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(50, 4, 1)), rng.normal(size=(50, 3))
    design = np.hstack([x[:, :, 0], np.ones((50, 1))])
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(LinearAutoregression().fit(x, y).coefficients, expected)
    ridge = LinearAutoregression(ridge=100.0).fit(x, y).coefficients
    assert np.linalg.norm(ridge[:-1]) < np.linalg.norm(expected[:-1])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: naive_forecast(np.ones(5)), ValueError, r"x: expected input windows"),
        (lambda: naive_forecast(np.ones((2, 3)), 0), ValueError, "horizon: expected an integer"),
        (
            lambda: seasonal_naive_forecast(np.ones((2, 6)), 3, 12),
            ValueError,
            "x: expected input windows of at least period=12 .* got input_length 6",
        ),
        (
            lambda: LinearAutoregression().fit(np.ones((3, 5)), np.ones((3, 1))),
            ValueError,
            "x: expected at least 6 windows \\(one per parameter\\) .* got 3",
        ),
        (
            lambda: LinearAutoregression().fit(np.ones((10, 2)), np.ones((9, 1))),
            ValueError,
            r"y: expected targets \(windows, horizon\) with 10 windows",
        ),
        (lambda: LinearAutoregression(ridge=-1), ValueError, "ridge: expected a number >= 0"),
        (
            lambda: LinearAutoregression().predict(np.ones((2, 3))),
            RuntimeError,
            "call fit",
        ),
        (
            lambda: (
                LinearAutoregression(ridge=1.0).fit(np.eye(6), np.ones(6)).predict(np.ones((2, 3)))
            ),
            ValueError,
            "x: expected windows of input_length 6 .* got 3",
        ),
    ],
)
def test_baselines_explain_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_residual_interval_and_its_coverage():
    rng = np.random.default_rng(2)
    truth = rng.normal(size=(4000, 2))
    lower, upper = residual_interval(truth, np.zeros_like(truth), coverage=0.9)
    np.testing.assert_allclose(lower, -1.645, atol=0.1)
    np.testing.assert_allclose(upper, 1.645, atol=0.1)
    fresh = rng.normal(size=(4000, 2))
    assert interval_coverage(fresh, lower, upper) == pytest.approx(0.9, abs=0.02)
    with pytest.raises(ValueError, match=r"coverage: expected a number in \(0, 1\), got 1.5"):
        residual_interval(truth, truth, coverage=1.5)
    with pytest.raises(ValueError, match="y_pred: expected the shape of y_true"):
        residual_interval(truth, truth[:, :1])


# ------------------------------------------------------------------ metrics


def test_mae_rmse_by_hand():
    truth, forecast = np.array([1.0, 2.0, 4.0]), np.array([2.0, 2.0, 1.0])
    assert mae(truth, forecast) == pytest.approx(4 / 3)
    assert rmse(truth, forecast) == pytest.approx(np.sqrt(10 / 3))


def test_mase_by_hand():
    training = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0])
    # period 2: |2-1|, |5-3|, |4-2|, |6-5| -> mean 1.5 ; period 1: 2,1,3,1,2 -> mean 1.8
    assert seasonal_naive_scale(training, 2) == pytest.approx(1.5)
    assert seasonal_naive_scale(training, 1) == pytest.approx(1.8)
    truth, forecast = np.array([[7.0, 8.0]]), np.array([[6.0, 10.0]])  # MAE 1.5
    assert mase(truth, forecast, training, 2) == pytest.approx(1.0)
    assert mase(truth, forecast, training) == pytest.approx(1.5 / 1.8)


def test_mase_of_the_seasonal_naive_forecast_on_its_own_training_data_is_one():
    rng = np.random.default_rng(3)
    series = rng.normal(size=120).cumsum()
    x = np.stack([series[s : s + 12] for s in range(108)])
    y = series[12:120, None]
    forecast = seasonal_naive_forecast(x, 1, 12)
    assert mase(y, forecast, series, 12) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mae([1.0, 2.0], [1.0]), r"y_pred: expected the shape of y_true \(2,\)"),
        (lambda: rmse([], []), "y_true: expected at least one value"),
        (lambda: mae([np.nan], [1.0]), "y_true: expected finite values"),
        (lambda: seasonal_naive_scale([1.0, 2.0], 2), "training: expected more than period=2"),
        (lambda: seasonal_naive_scale([2.0, 2.0, 2.0], 1), "MASE is undefined"),
        (lambda: diebold_mariano([[1.0]] * 2, [[1.0]] * 2, [[2.0]] * 2), "at least 3"),
    ],
)
def test_metrics_explain_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_diebold_mariano_detects_a_better_forecast_and_not_a_tie():
    rng = np.random.default_rng(4)
    truth = rng.normal(size=(300, 1))
    good = truth + 0.1 * rng.normal(size=truth.shape)
    bad = truth + 1.0 * rng.normal(size=truth.shape)
    comparison = diebold_mariano(truth, good, bad)
    assert comparison.z < -2 and comparison.verdict("good", "bad") == "good is more accurate"
    assert diebold_mariano(truth, bad, good).verdict("bad", "good") == "good is more accurate"
    assert ForecastComparison(0.0, 0.5).verdict("a", "b").startswith("the difference is within")


def test_diebold_mariano_z_is_standard_normal_for_equal_models_with_overlapping_horizons():
    rng = np.random.default_rng(5)
    zs = []
    for _ in range(400):
        shocks = rng.normal(size=(2, 212))
        # 12-step forecasts from neighbouring origins share 11 shocks.
        errors = np.stack([np.convolve(s, np.ones(12), "valid") for s in shocks])  # (2, 201)
        truth = np.zeros((201, 1))
        zs.append(diebold_mariano(truth, errors[0][:, None], errors[1][:, None], 12).z)
    assert abs(np.mean(zs)) < 0.2 and 0.8 < np.std(zs) < 1.3


# ------------------------------------------------------------------- models


@pytest.mark.parametrize(
    ("kwargs", "length", "horizon"),
    [
        ({}, 12, 1),
        ({"pool_size": 1, "anchor": False}, 10, 3),
        ({"kernel_size": 5, "pool_size": 3, "filters": 4, "units": 3}, 20, 12),
    ],
)
def test_numpy_reference_equals_the_keras_forecaster(kwargs, length, horizon):
    keras.utils.set_random_seed(0)
    model = cnn_lstm_forecaster(length, horizon, **kwargs)
    # Non-zero biases so that every term is exercised.
    model.set_weights([w + 0.05 for w in model.get_weights()])
    x = np.random.default_rng(0).normal(size=(7, length, 1)).astype(np.float32)
    expected = np.asarray(model(x))
    assert expected.shape == (7, horizon)
    np.testing.assert_allclose(cnn_lstm_reference(model, x), expected, atol=1e-5)


def test_forecaster_layers_shapes_and_parameters():
    model = cnn_lstm_forecaster(36, 12, filters=8, kernel_size=3, pool_size=2, units=5)
    assert model.get_layer("pool").output.shape == (None, 17, 8)
    # conv 3*1*8+8, LSTM 4*(8*5+5*5+5), dense 5*12+12
    assert model.count_params() == 32 + 280 + 72
    bi = cnn_lstm_forecaster(36, 12, bidirectional=True, dropout=0.2, l2=1e-3, l1=1e-4)
    assert bi.name == "cnn_bilstm" and bi.output.shape == (None, 12)
    assert len(bi.losses) > 0  # the penalties are attached
    assert conv_lstm_steps(36, 3, 2) == 17


def test_anchored_forecaster_is_shift_equivariant():
    """Adding a constant to the window adds it to the forecast (it reads changes only)."""
    keras.utils.set_random_seed(1)
    model = cnn_lstm_forecaster(12, 4)
    x = np.random.default_rng(1).normal(size=(3, 12, 1)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x + 5.0)), np.asarray(model(x)) + 5.0, atol=1e-4)


def test_forecaster_survives_a_save_and_load_round_trip(tmp_path):
    keras.utils.set_random_seed(2)
    model = cnn_lstm_forecaster(12, 2)
    x = np.random.default_rng(2).normal(size=(4, 12, 1)).astype(np.float32)
    path = tmp_path / "forecaster.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_length": 3, "kernel_size": 3, "pool_size": 2}, ValueError, "input_length: ex"),
        ({"horizon": 0}, ValueError, "horizon: expected an integer >= 1, got 0"),
        ({"dropout": 1.0}, ValueError, r"dropout: expected a number in \[0, 1\), got 1.0"),
        ({"l2": -0.1}, ValueError, r"l2: expected a number in \[0, infinity\)"),
        ({"kernel_size": 0}, ValueError, "kernel_size: expected an integer >= 1"),
    ],
)
def test_forecaster_explains_bad_arguments(kwargs, error, message):
    arguments = {"input_length": 12, **kwargs}
    with pytest.raises(error, match=message):
        cnn_lstm_forecaster(**arguments)


def test_reference_explains_bad_inputs():
    model = cnn_lstm_forecaster(12, 1)
    with pytest.raises(ValueError, match=r"x: expected windows \(batch, 12, 1\), got shape"):
        cnn_lstm_reference(model, np.ones((2, 10, 1)))
    with pytest.raises(ValueError, match="model: expected a cnn_lstm_forecaster model"):
        cnn_lstm_reference(seed_002_model(12), np.ones((2, 12, 1)))


def test_seed_002_model_outputs_one_value_per_step_and_cannot_leave_zero_one():
    model = seed_002_model(36)
    assert model.output_shape == (None, 17, 1)
    with pytest.raises(ValueError, match="must have the same shape"):
        model.fit(np.zeros((4, 36, 1)), np.zeros((4, 1)), verbose=0)
    fixed_shape = seed_002_model(36, return_sequences=False)
    assert fixed_shape.output_shape == (None, 1)
    output = np.asarray(fixed_shape(np.full((2, 36, 1), 100.0)))
    assert np.all((output >= 0) & (output <= 1))

"""CNN–LSTM forecasters for univariate series (chapter 06), a NumPy reference of their
forward pass, and seed 002's flawed model, kept to show its mistakes.

The forecaster reads a window ``(input_length, 1)`` and outputs the next ``horizon``
values at once (a *direct* multi-step forecast; ``horizon=1`` is single-step):

``window -> [minus last value] -> Conv1D + ReLU -> MaxPooling1D -> LSTM -> Dense(horizon)
-> [plus last value]``

With ``anchor=True`` (the default) the network sees the window relative to its last
value and predicts the *change* from it. A trending series such as CO₂ reaches levels
in the test period that never occur in training; the change from the last value stays
in the range the network was trained on.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from companion.cells import LSTMWeights, lstm_forward
from companion.conv import conv2d, max_pool2d
from companion.validation import as_float_array, check_positive_int


@keras.saving.register_keras_serializable(package="companion")
class SubtractLast(keras.layers.Layer):
    """``x - x[:, -1:, :]``: a window relative to its last value (last step becomes 0)."""

    def call(self, inputs: Any) -> Any:
        return inputs - inputs[:, -1:, :]

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape


@keras.saving.register_keras_serializable(package="companion")
class AddLast(keras.layers.Layer):
    """``changes + window[:, -1, 0]``: turn predicted changes back into levels."""

    def call(self, changes: Any, window: Any) -> Any:
        return changes + window[:, -1, :1]

    def compute_output_shape(self, changes_shape: Any, window_shape: Any) -> Any:
        return changes_shape


def _check_rate(name: str, value: Any, upper: float = float("inf")) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < upper:
        bound = "1" if upper == 1 else "infinity"
        raise ValueError(f"{name}: expected a number in [0, {bound}), got {value!r}")
    return float(value)


def conv_lstm_steps(input_length: int, kernel_size: int, pool_size: int) -> int:
    """The number of time steps the LSTM reads: ``(input_length - kernel_size + 1) //
    pool_size`` ('valid' convolution, then non-overlapping pooling).

    Raises:
        ValueError: if the window is too short for the kernel and the pooling.
    """
    input_length = check_positive_int("input_length", input_length)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    pool_size = check_positive_int("pool_size", pool_size)
    steps = (input_length - kernel_size + 1) // pool_size
    if steps < 1:
        raise ValueError(
            f"input_length: expected at least kernel_size + pool_size - 1 = "
            f"{kernel_size + pool_size - 1} steps for kernel_size={kernel_size} and "
            f"pool_size={pool_size}, got {input_length}"
        )
    return steps


def cnn_lstm_forecaster(
    input_length: int,
    horizon: int = 1,
    *,
    filters: int = 32,
    kernel_size: int = 3,
    pool_size: int = 2,
    units: int = 32,
    dropout: float = 0.0,
    l2: float = 0.0,
    l1: float = 0.0,
    bidirectional: bool = False,
    anchor: bool = True,
) -> keras.Model:
    """Conv1D + max pooling + LSTM + Dense: a direct ``horizon``-step forecaster.

    Args:
        input_length: the window length the model reads.
        horizon: how many future values it outputs at once.
        filters: Conv1D channels.
        kernel_size: Conv1D kernel width ('valid' padding, stride 1).
        pool_size: MaxPooling1D window and stride (1 skips the pooling layer).
        units: LSTM units.
        dropout: dropout rate on the LSTM's output, in ``[0, 1)``.
        l2: L2 penalty ``l2 * sum(w²)`` on every kernel (conv, LSTM, dense).
        l1: L1 penalty ``l1 * sum(|w|)`` on every kernel.
        bidirectional: read the (past) window in both directions with a BiLSTM.
        anchor: predict the change from the window's last value (see the module doc).

    Returns:
        An uncompiled model ``(batch, input_length, 1) -> (batch, horizon)``.

    Raises:
        TypeError, ValueError: for a bad argument, or a window too short for the kernel
            and pooling.
    """
    horizon = check_positive_int("horizon", horizon)
    filters = check_positive_int("filters", filters)
    units = check_positive_int("units", units)
    conv_lstm_steps(input_length, kernel_size, pool_size)
    dropout = _check_rate("dropout", dropout, 1)
    l1, l2 = _check_rate("l1", l1), _check_rate("l2", l2)
    regularizer = keras.regularizers.L1L2(l1=l1, l2=l2) if (l1 or l2) else None

    window = keras.Input((input_length, 1), name="window")
    x = SubtractLast(name="minus_last")(window) if anchor else window
    x = keras.layers.Conv1D(
        filters, kernel_size, activation="relu", kernel_regularizer=regularizer, name="conv"
    )(x)
    if pool_size > 1:
        x = keras.layers.MaxPooling1D(pool_size, name="pool")(x)
    lstm = keras.layers.LSTM(
        units, kernel_regularizer=regularizer, recurrent_regularizer=regularizer, name="lstm"
    )
    x = keras.layers.Bidirectional(lstm, name="bilstm")(x) if bidirectional else lstm(x)
    if dropout:
        x = keras.layers.Dropout(dropout, name="dropout")(x)
    out = keras.layers.Dense(horizon, kernel_regularizer=regularizer, name="forecast")(x)
    if anchor:
        out = AddLast(name="plus_last")(out, window)
    name = "cnn_bilstm" if bidirectional else "cnn_lstm"
    return keras.Model(window, out, name=name)


def cnn_lstm_reference(model: keras.Model, x: Any) -> np.ndarray:
    """The forward pass of a :func:`cnn_lstm_forecaster` model in NumPy.

    Convolution and pooling use the chapter-03 references (:func:`companion.conv.conv2d`
    on a height-1 image is a 1-D convolution), the LSTM the chapter-02 reference
    (:func:`companion.cells.lstm_forward`), with the model's own weights. Dropout is the
    identity at inference; bidirectional models are not supported.

    Args:
        model: a model built by :func:`cnn_lstm_forecaster` with ``bidirectional=False``.
        x: windows ``(batch, input_length, 1)``.

    Returns:
        Forecasts ``(batch, horizon)``, equal to ``model(x)`` up to float32 rounding.

    Raises:
        ValueError: for a model without the expected layers or windows of the wrong shape.
    """
    names = {layer.name for layer in model.layers}
    if not {"conv", "lstm", "forecast"} <= names:
        raise ValueError(
            "model: expected a cnn_lstm_forecaster model with layers 'conv', 'lstm' and "
            f"'forecast', got layers {sorted(names)}"
        )
    x = as_float_array("x", x, ndim=3, axes=("batch", "input_length", "1"))
    expected = tuple(model.input_shape[1:])
    if x.shape[1:] != expected:
        raise ValueError(f"x: expected windows (batch, {expected[0]}, 1), got shape {x.shape}")
    anchored = "minus_last" in names
    h = x - x[:, -1:, :] if anchored else x
    kernel, bias = model.get_layer("conv").get_weights()
    h = np.maximum(conv2d(h[:, None], kernel[None], bias)[:, 0], 0.0)  # ReLU
    if "pool" in names:
        pool = model.get_layer("pool").pool_size[0]
        h = max_pool2d(h[:, None], (1, pool))[:, 0]
    hidden, _ = lstm_forward(h, LSTMWeights.from_keras(model.get_layer("lstm")))
    dense_kernel, dense_bias = model.get_layer("forecast").get_weights()
    out = hidden[:, -1] @ dense_kernel + dense_bias
    return out + x[:, -1, :1] if anchored else out


def seed_002_model(input_length: int, *, return_sequences: bool = True) -> keras.Model:
    """Seed 002's time-series model, as published (ported to Keras 3 syntax), compiled.

    ``Conv1D(32, 3, relu) -> MaxPooling1D(2) -> LSTM(64, return_sequences=True) ->
    Dense(32, relu) -> Dense(1, sigmoid)``, trained with binary cross-entropy. Two
    mistakes: ``return_sequences=True`` makes the model output one value per pooled time
    step, ``(batch, steps, 1)``, instead of one forecast; and a sigmoid with binary
    cross-entropy treats a real-valued series as probabilities in ``(0, 1)``.
    Kept only to show these mistakes; use :func:`cnn_lstm_forecaster`.

    Args:
        input_length: the window length.
        return_sequences: ``True`` as in the seed; ``False`` repairs the first mistake
            only (one output per window), leaving the sigmoid and the loss.
    """
    conv_lstm_steps(input_length, 3, 2)
    model = keras.Sequential(
        [
            keras.Input((input_length, 1)),
            keras.layers.Conv1D(32, 3, activation="relu"),
            keras.layers.MaxPooling1D(2),
            keras.layers.LSTM(64, return_sequences=return_sequences),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name="seed_002",
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model

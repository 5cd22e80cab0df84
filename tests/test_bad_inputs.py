"""Bad inputs: every public function and class of companion rejects them with a message that
names the argument, in the package's convention ``name: expected ..., got ...``.

One table, ``CASES``, holds the calls: wrong ranks, strings and other objects where numbers
are expected, NaN and infinity, empty arrays, zero or negative sizes, booleans where
integers are expected, labellings longer than the CTC time axis, mismatched lengths. Every
call is cheap: tiny arrays, and no model is trained or run on data (the few models that
appear are built once, with a handful of weights). ``test_every_public_callable_is_swept``
fails when a public callable has neither an entry nor a reasoned exemption.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import pkgutil
import re
import signal

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

import companion
import companion.data
import companion.models
from companion import (
    bench,
    bptt,
    cells,
    check,
    conv,
    ctc,
    diagrams,
    display,
    distribute,
    forecasting,
    keras_cells,
    layers,
    metrics,
    pipeline,
    plots,
    results,
    runtime,
    training,
    validation,
)
from companion.data import (
    captcha_text,
    digit_string_batches,
    digit_strings,
    digits,
    series,
    synthetic,
)
from companion.models import autoencoders, cnn, cnn_rnn, convlstm, crnn, gan, video_gan
from companion.models import forecasting as forecasters

NAN, INF = float("nan"), float("inf")
SECONDS_PER_CASE = 20  # a hang guard: every case takes milliseconds


LOGITS = np.zeros(2, "float32")


def Z(*shape):
    """Zeros of the given shape (float64)."""
    return np.zeros(shape)


def ramp(*shape):
    """``0, 1, 2, ...`` in the given shape: finite, varying values."""
    return np.arange(float(np.prod(shape))).reshape(shape)


def with_nan(*shape):
    values = ramp(*shape)
    values.flat[0] = NAN
    return values


def with_inf(*shape):
    values = ramp(*shape)
    values.flat[-1] = INF
    return values


class Lazy:
    """An argument that is built when its case runs, once for all cases (a small model)."""

    def __init__(self, build):
        self.build = functools.cache(build)
        self.name = getattr(build, "__name__", "lazy")

    def __repr__(self) -> str:
        return f"Lazy({self.name})"


def _resolve(value):
    return value.build() if isinstance(value, Lazy) else value


def entering(factory):
    """Call a context-manager factory and enter it: its checks run on entry."""

    @functools.wraps(factory)
    def enter(*args, **kwargs):
        with factory(*args, **kwargs):
            pass

    return enter


def _tiny_dense_autoencoder():
    return autoencoders.dense_autoencoder(4, 2, hidden=(2,))


def _tiny_lstm_autoencoder():
    return autoencoders.lstm_autoencoder(3, 1, 2, units=2)


def _tiny_convlstm():
    return convlstm.convlstm_predictor((4, 4, 1), filters=(1,), kernel_size=1)


def _tiny_crnn():
    return crnn.crnn(8, 8, filters=(1, 1, 1), units=1)


def _tiny_position_classifier():
    return crnn.position_classifier(16, 16, filters=(1, 1, 1), units=1, max_length=2)


def _tiny_dense_model():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


def _tiny_forecaster():
    return forecasters.cnn_lstm_forecaster(4, filters=1, kernel_size=2, pool_size=1, units=1)


def _tiny_generator():
    return gan.recurrent_generator(2, 1, noise_dim=1, units=1, layers=1)


def _tiny_discriminator():
    return gan.recurrent_discriminator(2, 1, units=1)


def _long_discriminator():
    return gan.recurrent_discriminator(3, 1, units=1)


def _dense_layer():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    return layer


def _lstm_layer():
    return keras.layers.LSTM(2)


def _axes():
    return plt.subplots()[1]


def _fitted_autoregression():
    return forecasting.LinearAutoregression().fit(ramp(6, 2) ** 1.5, ramp(6))


DENSE_AE = Lazy(_tiny_dense_autoencoder)
LSTM_AE = Lazy(_tiny_lstm_autoencoder)
CONVLSTM = Lazy(_tiny_convlstm)
CRNN = Lazy(_tiny_crnn)
POSITION_CLASSIFIER = Lazy(_tiny_position_classifier)
DENSE_MODEL = Lazy(_tiny_dense_model)
RNN_LAYER = Lazy(lambda: keras.layers.SimpleRNN(1))
FORECASTER = Lazy(_tiny_forecaster)
GENERATOR = Lazy(_tiny_generator)
DISCRIMINATOR = Lazy(_tiny_discriminator)
LONG_DISCRIMINATOR = Lazy(_long_discriminator)
DENSE_LAYER = Lazy(_dense_layer)
LSTM_LAYER = Lazy(_lstm_layer)
FITTED_AR = Lazy(_fitted_autoregression)
AXES = Lazy(_axes)

ELMAN = cells.ElmanWeights.random(2, 3, seed=0)
LSTM = cells.LSTMWeights.random(2, 3, seed=0)
GRU = cells.GRUWeights.random(2, 3, seed=0)
CONVLSTM_WEIGHTS = cells.ConvLSTMWeights.random(1, 2, 3, seed=0)
SCALER = series.Scaler(0.0, 1.0)
TEXT = captcha_text.TextImages(np.zeros((1, 16, 16, 1), np.float32), ["07"], "0123456789")
STRINGS = digit_strings.DigitStrings(
    np.zeros((1, 16, 40, 1), np.float32), [[3, 1]], [[0, 1]], np.array([40])
)
MAP_TO_SEQUENCE = layers.FeatureMapToSequence()
RCL = layers.RecurrentConv2D(2, steps=1, batch_norm=False)
FRAMES = ramp(1, 3, 4, 4, 1) / 48  # one clip of three 4x4 frames, in [0, 1]
LABELS_01 = [0, 1, 0, 1]
SCORES = [0.1, 0.9, 0.2, 0.8]
TITLES = {"title": "T", "xlabel": "x", "ylabel": "y"}


def not_a_function():
    """Not a solution to any exercise: a plain value is passed instead of a function."""


def bad(fn, args, kwargs, error, arg, why, *, match=None):
    """One row of the table: ``fn(*args, **kwargs)`` must raise ``error`` whose message
    starts with the argument's name ``arg`` (or matches the regular expression ``match``);
    ``why`` names the kind of bad input in the test's id."""
    module = fn.__module__.removeprefix("companion.")
    pattern = match if match is not None else rf"^['\"]?{re.escape(arg)}\b"
    return pytest.param(fn, args, kwargs, error, pattern, id=f"{module}.{fn.__qualname__}-{why}")


CASES = [
    # --- companion.bptt ---------------------------------------------------------------------
    bad(bptt.chunk_starts, (0, 2), {}, ValueError, "steps", "zero-steps"),
    bad(bptt.chunk_starts, (3, True), {}, TypeError, "truncate", "bool"),
    bad(
        bptt.truncated_elman_backward,
        (Z(1, 3, 2), cells.ElmanWeights.random(2, 2, seed=0), Z(1, 3, 2), 0),
        {},
        ValueError,
        "truncate",
        "zero",
    ),
    bad(
        bptt.truncated_elman_backward,
        (Z(1, 3, 2), cells.ElmanWeights.random(2, 2, seed=0), Z(1, 4, 2), 2),
        {},
        ValueError,
        "upstream",
        "wrong-time-axis",
    ),
    bad(bptt.truncated_rnn, ("rnn", Z(1, 3, 2), 1), {}, TypeError, "layer", "string"),
    bad(bptt.truncated_rnn, (RNN_LAYER, Z(3, 2), 1), {}, ValueError, "inputs", "2-D"),
    bad(bptt.truncated_rnn, (RNN_LAYER, Z(1, 3, 2), 1.5), {}, TypeError, "truncate", "float"),
    # --- companion.validation --------------------------------------------------------------
    bad(validation.as_float_array, ("v", "abc"), {}, TypeError, "v", "string"),
    bad(validation.as_float_array, ("v", [[1.0], [2.0, 3.0]]), {}, TypeError, "v", "ragged"),
    bad(validation.as_float_array, ("v", Z(3)), {"ndim": 2}, ValueError, "v", "rank"),
    bad(validation.as_float_array, ("v", with_nan(3)), {}, ValueError, "v", "nan"),
    bad(validation.check_shape, ("v", Z(2, 3), (2, 4)), {}, ValueError, "v", "shape"),
    bad(validation.check_shape, ("v", Z(2, 3), (2,)), {}, ValueError, "v", "rank"),
    bad(validation.check_positive_int, ("n", True), {}, TypeError, "n", "bool"),
    bad(validation.check_positive_int, ("n", 2.0), {}, TypeError, "n", "float"),
    bad(validation.check_positive_int, ("n", 0), {}, ValueError, "n", "zero"),
    bad(validation.check_positive_int, ("n", -1), {"minimum": 0}, ValueError, "n", "negative"),
    bad(validation.check_number, ("x", "1", "a number"), {}, TypeError, "x", "string"),
    bad(validation.check_number, ("x", True, "a number"), {}, TypeError, "x", "bool"),
    bad(validation.check_number, ("x", np.float32(1), "a number"), {}, TypeError, "x", "float32"),
    bad(validation.check_choice, ("kind", "c", ("a", "b")), {}, ValueError, "kind", "unknown"),
    bad(validation.check_sequence, ("values", 3), {}, TypeError, "values", "integer"),
    bad(validation.check_image_shape, ("shape", (8, 8)), {}, ValueError, "shape", "rank"),
    bad(validation.check_image_shape, ("shape", (8, 0, 1)), {}, ValueError, "shape", "zero"),
    bad(validation.check_image_shape, ("shape", (8, 8.0, 1)), {}, TypeError, "shape", "float"),
    # --- companion.cells ------------------------------------------------------------------
    bad(cells.sigmoid, ("abc",), {}, TypeError, "z", "string"),
    bad(cells.sigmoid, ([object()],), {}, TypeError, "z", "object"),
    bad(cells.sigmoid, (with_nan(3),), {}, ValueError, "z", "nan"),
    bad(cells.softmax, (with_inf(2, 3),), {}, ValueError, "logits", "inf"),
    bad(cells.softmax, (["a", "b"],), {}, TypeError, "logits", "string"),
    bad(cells.softmax, (Z(2, 0),), {}, ValueError, "logits", "empty"),
    bad(cells.softmax, (Z(2, 3),), {"axis": 2}, ValueError, "axis", "axis-out-of-range"),
    bad(cells.softmax, (Z(2, 3),), {"axis": True}, TypeError, "axis", "bool-axis"),
    bad(cells.ElmanWeights, (Z(2), Z(3, 3), Z(3)), {}, ValueError, "w_xh", "rank"),
    bad(cells.ElmanWeights, (Z(2, 3), Z(3, 2), Z(3)), {}, ValueError, "w_hh", "shape"),
    bad(cells.ElmanWeights, (Z(2, 3), Z(3, 3), Z(4)), {}, ValueError, "b_h", "length"),
    bad(cells.ElmanWeights, (with_nan(2, 3), Z(3, 3), Z(3)), {}, ValueError, "w_xh", "nan"),
    bad(cells.ElmanWeights, (Z(2, 3), "w", Z(3)), {}, TypeError, "w_hh", "string"),
    bad(cells.ElmanWeights.random, (0, 3), {"seed": 0}, ValueError, "input_dim", "zero"),
    bad(cells.ElmanWeights.random, (2, True), {"seed": 0}, TypeError, "units", "bool"),
    bad(
        cells.ElmanWeights.random,
        (2, 3),
        {"seed": 0, "recurrent_scale": -1.0},
        ValueError,
        "recurrent_scale",
        "negative",
    ),
    bad(
        cells.ElmanWeights.random,
        (2, 3),
        {"seed": 0, "recurrent_scale": NAN},
        ValueError,
        "recurrent_scale",
        "nan",
    ),
    bad(
        cells.ElmanWeights.random,
        (2, 3),
        {"seed": 0, "recurrent_scale": "big"},
        TypeError,
        "recurrent_scale",
        "string",
    ),
    bad(cells.ElmanWeights.random, (2, 3), {"seed": "0"}, TypeError, "seed", "string-seed"),
    bad(cells.ElmanWeights.random, (2, 3), {"seed": -1}, ValueError, "seed", "negative-seed"),
    bad(cells.ElmanWeights.from_keras, (DENSE_LAYER,), {}, ValueError, "layer", "dense-layer"),
    bad(cells.ElmanWeights.from_keras, ("rnn",), {}, TypeError, "layer", "string"),
    bad(cells.elman_forward, (Z(2, 2), ELMAN), {}, ValueError, "x", "rank"),
    bad(cells.elman_forward, (Z(1, 0, 2), ELMAN), {}, ValueError, "x", "no-steps"),
    bad(cells.elman_forward, (Z(1, 4, 3), ELMAN), {}, ValueError, "x", "features"),
    bad(cells.elman_forward, (with_nan(1, 4, 2), ELMAN), {}, ValueError, "x", "nan"),
    bad(cells.elman_forward, ("x", ELMAN), {}, TypeError, "x", "string"),
    bad(cells.elman_forward, (Z(1, 4, 2), ELMAN, Z(2, 3)), {}, ValueError, "h0", "h0-batch"),
    bad(cells.elman_forward, (Z(1, 4, 2), "weights"), {}, TypeError, "weights", "string-weights"),
    bad(cells.elman_forward, (Z(1, 4, 2), LSTM), {}, TypeError, "weights", "lstm-weights"),
    bad(
        cells.elman_backward,
        (Z(1, 4, 2), ELMAN, Z(1, 4, 2)),
        {},
        ValueError,
        "upstream",
        "upstream-shape",
    ),
    bad(
        cells.elman_backward,
        (Z(1, 4, 2), ELMAN, Z(4, 3)),
        {},
        ValueError,
        "upstream",
        "upstream-rank",
    ),
    bad(
        cells.elman_backward,
        (Z(1, 4, 2), ELMAN, with_inf(1, 4, 3)),
        {},
        ValueError,
        "upstream",
        "upstream-inf",
    ),
    bad(
        cells.elman_backward,
        (Z(1, 4, 2), ELMAN, Z(1, 4, 3), Z(1, 2)),
        {},
        ValueError,
        "h0",
        "h0-units",
    ),
    bad(
        cells.elman_backward,
        (Z(1, 4, 2), None, Z(1, 4, 3)),
        {},
        TypeError,
        "weights",
        "none-weights",
    ),
    bad(cells.LSTMWeights, (Z(2, 10), Z(3, 12), Z(12)), {}, ValueError, "kernel", "gate-blocks"),
    bad(cells.LSTMWeights, (Z(2, 12), Z(3, 8), Z(12)), {}, ValueError, "recurrent_kernel", "shape"),
    bad(cells.LSTMWeights, (Z(2, 12), Z(3, 12), Z(3)), {}, ValueError, "bias", "length"),
    bad(
        cells.LSTMWeights, (Z(2, 12), Z(3, 12), Z(12), Z(3)), {}, ValueError, "w_ci", "one-peephole"
    ),
    bad(
        cells.LSTMWeights,
        (Z(2, 12), Z(3, 12), Z(12), Z(3), Z(3), Z(4)),
        {},
        ValueError,
        "w_co",
        "peephole-length",
    ),
    bad(cells.LSTMWeights, ([["a"]], Z(3, 12), Z(12)), {}, TypeError, "kernel", "string"),
    bad(cells.LSTMWeights.random, (2, 0), {"seed": 0}, ValueError, "units", "zero"),
    bad(cells.LSTMWeights.random, (2, 3), {"seed": True}, TypeError, "seed", "bool-seed"),
    bad(cells.LSTMWeights.from_keras, (DENSE_LAYER,), {}, ValueError, "layer", "dense-layer"),
    bad(cells.lstm_forward, (Z(4, 2), LSTM), {}, ValueError, "x", "rank"),
    bad(cells.lstm_forward, (Z(1, 4, 5), LSTM), {}, ValueError, "x", "features"),
    bad(cells.lstm_forward, (Z(1, 4, 2), LSTM, None, Z(1, 2)), {}, ValueError, "c0", "c0-units"),
    bad(cells.lstm_forward, (Z(1, 4, 2), LSTM, with_nan(1, 3)), {}, ValueError, "h0", "h0-nan"),
    bad(cells.lstm_forward, (Z(1, 4, 2), ELMAN), {}, TypeError, "weights", "elman-weights"),
    bad(cells.GRUWeights, (Z(2, 9), Z(3, 9), Z(9)), {}, ValueError, "bias", "bias-reset-after"),
    bad(cells.GRUWeights, (Z(2, 8), Z(3, 9), Z(2, 9)), {}, ValueError, "kernel", "gate-blocks"),
    bad(
        cells.GRUWeights,
        (Z(2, 9), Z(3, 9), Z(9)),
        {"reset_after": "no"},
        TypeError,
        "reset_after",
        "string-flag",
    ),
    bad(cells.GRUWeights.random, (-1, 3), {"seed": 0}, ValueError, "input_dim", "negative"),
    bad(cells.GRUWeights.from_keras, (DENSE_LAYER,), {}, ValueError, "layer", "dense-layer"),
    bad(cells.gru_forward, (Z(1, 4, 2, 1), GRU), {}, ValueError, "x", "rank"),
    bad(cells.gru_forward, (Z(1, 4, 2), GRU, Z(1, 4)), {}, ValueError, "h0", "h0-units"),
    bad(cells.gru_forward, (Z(1, 4, 2), 3), {}, TypeError, "weights", "int-weights"),
    bad(cells.lstm_trace, (Z(1, 4, 3), LSTM), {}, ValueError, "x", "features"),
    bad(cells.lstm_trace, (Z(1, 4, 2), GRU), {}, TypeError, "weights", "gru-weights"),
    bad(cells.lstm_backward, (Z(1, 4, 2), LSTM, Z(1, 4, 2)), {}, ValueError, "upstream", "units"),
    bad(cells.lstm_backward, (Z(1, 4, 2), LSTM, "u"), {}, TypeError, "upstream", "string"),
    bad(
        cells.lstm_backward,
        (Z(1, 4, 2), LSTM, Z(1, 4, 3)),
        {"upstream_c": with_nan(1, 4, 3)},
        ValueError,
        "upstream_c",
        "nan",
    ),
    bad(cells.lstm_backward, (Z(1, 4, 2), ELMAN, Z(1, 4, 3)), {}, TypeError, "weights", "elman"),
    bad(cells.gru_trace, (Z(1, 0, 2), GRU), {}, ValueError, "x", "no-steps"),
    bad(cells.gru_trace, (Z(1, 4, 2), LSTM), {}, TypeError, "weights", "lstm-weights"),
    bad(cells.gru_backward, (Z(1, 4, 2), GRU, Z(1, 5, 3)), {}, ValueError, "upstream", "steps"),
    bad(cells.gru_backward, (Z(1, 4, 2), GRU, Z(1, 4, 3), Z(2, 3)), {}, ValueError, "h0", "batch"),
    bad(cells.state_jacobian_norm, (Z(1, 4, 2), "w"), {}, TypeError, "weights", "string"),
    bad(cells.state_jacobian_norm, (Z(1, 4, 5), LSTM), {}, ValueError, "x", "features"),
    bad(cells.ConvLSTMWeights, (Z(3, 3, 8), Z(3, 3, 2, 8), Z(8)), {}, ValueError, "kernel", "rank"),
    bad(
        cells.ConvLSTMWeights,
        (Z(3, 3, 1, 6), Z(3, 3, 2, 8), Z(8)),
        {},
        ValueError,
        "kernel",
        "gate-blocks",
    ),
    bad(
        cells.ConvLSTMWeights,
        (Z(3, 3, 1, 8), Z(2, 2, 2, 8), Z(8)),
        {},
        ValueError,
        "recurrent_kernel",
        "even",
    ),
    bad(
        cells.ConvLSTMWeights,
        (Z(3, 3, 1, 8), Z(3, 3, 2, 8), Z(4)),
        {},
        ValueError,
        "bias",
        "length",
    ),
    bad(cells.ConvLSTMWeights.random, (1, 2, 0), {"seed": 0}, ValueError, "kernel_size", "zero"),
    bad(cells.ConvLSTMWeights.random, (True, 2), {"seed": 0}, TypeError, "channels", "bool"),
    bad(cells.ConvLSTMWeights.from_keras, (DENSE_LAYER,), {}, ValueError, "layer", "dense-layer"),
    bad(cells.convlstm_forward, (Z(1, 4, 4, 1), CONVLSTM_WEIGHTS), {}, ValueError, "x", "rank"),
    bad(
        cells.convlstm_forward,
        (Z(1, 0, 4, 4, 1), CONVLSTM_WEIGHTS),
        {},
        ValueError,
        "x",
        "no-steps",
    ),
    bad(
        cells.convlstm_forward,
        (Z(1, 2, 4, 4, 3), CONVLSTM_WEIGHTS),
        {},
        ValueError,
        "x",
        "channels",
    ),
    bad(
        cells.convlstm_forward,
        (Z(1, 2, 4, 4, 1), CONVLSTM_WEIGHTS, Z(1, 4, 4, 3)),
        {},
        ValueError,
        "h0",
        "h0-filters",
    ),
    bad(
        cells.convlstm_forward,
        (Z(1, 2, 4, 4, 1), CONVLSTM_WEIGHTS),
        {"padding": "full"},
        ValueError,
        "padding",
        "padding",
    ),
    bad(cells.convlstm_forward, (Z(1, 2, 4, 4, 1), GRU), {}, TypeError, "weights", "gru-weights"),
    # --- companion.conv -------------------------------------------------------------------
    bad(conv.conv_output_size, (0, 3), {}, ValueError, "size", "zero-size"),
    bad(conv.conv_output_size, (8, True), {}, TypeError, "kernel", "bool-kernel"),
    bad(conv.conv_output_size, (8, 3, -1), {}, ValueError, "stride", "negative-stride"),
    bad(conv.conv_output_size, (8, 3), {"padding": "full"}, ValueError, "padding", "padding"),
    bad(conv.conv_output_size, (8, 3), {"dilation": 0}, ValueError, "dilation", "zero-dilation"),
    bad(conv.conv_output_size, (2, 3), {}, ValueError, "kernel", "kernel-too-large"),
    bad(conv.same_padding, (8.0, 3), {}, TypeError, "size", "float-size"),
    bad(conv.same_padding, (8, 3, 0), {}, ValueError, "stride", "zero-stride"),
    bad(conv.conv2d, (Z(4, 4, 1), Z(3, 3, 1, 2)), {}, ValueError, "x", "rank"),
    bad(conv.conv2d, (Z(1, 4, 4, 1), Z(3, 3, 2, 2)), {}, ValueError, "kernel", "channels"),
    bad(conv.conv2d, (Z(1, 4, 4, 1), Z(3, 3, 1)), {}, ValueError, "kernel", "kernel-rank"),
    bad(conv.conv2d, (Z(1, 4, 4, 1), Z(3, 3, 1, 2), Z(3)), {}, ValueError, "bias", "bias-length"),
    bad(conv.conv2d, (with_nan(1, 4, 4, 1), Z(3, 3, 1, 2)), {}, ValueError, "x", "nan"),
    bad(conv.conv2d, ([[[["a"]]]], Z(1, 1, 1, 1)), {}, TypeError, "x", "string"),
    bad(
        conv.conv2d,
        (Z(1, 4, 4, 1), Z(3, 3, 1, 2)),
        {"strides": 0},
        ValueError,
        "strides",
        "zero-stride",
    ),
    bad(
        conv.conv2d,
        (Z(1, 4, 4, 1), Z(3, 3, 1, 2)),
        {"strides": (1, 2, 3)},
        ValueError,
        "strides",
        "triple",
    ),
    bad(
        conv.conv2d,
        (Z(1, 4, 4, 1), Z(3, 3, 1, 2)),
        {"strides": True},
        ValueError,
        "strides",
        "bool-stride",
    ),
    bad(
        conv.conv2d,
        (Z(1, 4, 4, 1), Z(3, 3, 1, 2)),
        {"padding": "full"},
        ValueError,
        "padding",
        "padding",
    ),
    bad(conv.conv2d, (Z(1, 2, 4, 1), Z(3, 3, 1, 2)), {}, ValueError, "kernel", "kernel-too-large"),
    bad(conv.conv2d, (Z(1, 0, 4, 1), Z(1, 1, 1, 2)), {}, ValueError, "x", "empty-image"),
    bad(conv.max_pool2d, (Z(4, 4),), {}, ValueError, "x", "rank"),
    bad(conv.max_pool2d, (Z(1, 4, 4, 1), 0), {}, ValueError, "pool_size", "zero-pool"),
    bad(conv.max_pool2d, (Z(1, 4, 4, 1), 2.5), {}, ValueError, "pool_size", "float-pool"),
    bad(conv.max_pool2d, (Z(1, 4, 4, 1), 5), {}, ValueError, "pool_size", "pool-too-large"),
    bad(conv.max_pool2d, (Z(1, 4, 4, 1), 2, (1, 0)), {}, ValueError, "strides", "zero-stride"),
    bad(conv.max_pool2d, (Z(1, 4, 4, 1),), {"padding": "causal"}, ValueError, "padding", "padding"),
    bad(conv.max_pool2d, (with_inf(1, 4, 4, 1),), {}, ValueError, "x", "inf"),
    bad(conv.max_pool2d, (Z(1, 4, 0, 1),), {}, ValueError, "x", "empty-image"),
    bad(conv.receptive_field, ([(3, 1), (2,)],), {}, ValueError, "layers", "not-a-pair"),
    bad(conv.receptive_field, ([(0, 1)],), {}, ValueError, "layers", "zero-kernel"),
    bad(conv.receptive_field, ([(3, True)],), {}, TypeError, "layers", "bool-stride"),
    bad(conv.receptive_field, (3,), {}, TypeError, "layers", "int"),
    # --- companion.ctc --------------------------------------------------------------------
    bad(ctc.min_time_steps, (3,), {}, TypeError, "labels", "int"),
    bad(ctc.min_time_steps, ([[1, 2], [3]],), {}, ValueError, "labels", "nested"),
    bad(ctc.collapse, (5,), {}, TypeError, "path", "int"),
    bad(ctc.collapse, (Z(2, 3),), {}, ValueError, "path", "rank"),
    bad(ctc.ctc_forward, (Z(4), [1]), {}, ValueError, "log_probs", "rank"),
    bad(ctc.ctc_forward, (with_nan(4, 3), [1]), {}, ValueError, "log_probs", "nan"),
    bad(ctc.ctc_forward, (Z(0, 3), []), {}, ValueError, "log_probs", "no-steps"),
    bad(ctc.ctc_forward, (Z(3, 0), []), {}, ValueError, "log_probs", "no-classes"),
    bad(ctc.ctc_forward, (Z(3, 3), [1, 2, 1, 2]), {}, ValueError, "labels", "longer-than-time"),
    bad(ctc.ctc_forward, (Z(2, 3), [1, 1]), {}, ValueError, "labels", "repeats-need-a-blank"),
    bad(ctc.ctc_forward, (Z(4, 3), [0, 1]), {}, ValueError, "labels", "blank-in-labels"),
    bad(ctc.ctc_forward, (Z(4, 3), [1, 3]), {}, ValueError, "labels", "outside-alphabet"),
    bad(ctc.ctc_forward, (Z(4, 3), [1.5]), {}, ValueError, "labels", "float-labels"),
    bad(ctc.ctc_forward, (Z(4, 3), [[1]]), {}, ValueError, "labels", "nested-labels"),
    bad(ctc.pad_labels, ([],), {}, ValueError, "labels", "none"),
    bad(ctc.pad_labels, (5,), {}, TypeError, "labels", "int"),
    bad(ctc.pad_labels, ([1, 2],), {}, TypeError, "labels", "flat"),
    bad(ctc.pad_labels, ([[1.5]],), {}, ValueError, "labels", "float-symbols"),
    bad(ctc.pad_labels, ([["a"]],), {}, ValueError, "labels", "string-symbols"),
    bad(ctc.pad_labels, ([[1, -2]],), {}, ValueError, "labels", "negative-symbol"),
    bad(ctc.pad_labels, ([[1, 2, 3]], 2), {}, ValueError, "length", "shorter-than-label"),
    bad(ctc.pad_labels, ([[1]], 0), {}, ValueError, "length", "zero-length"),
    bad(ctc.pad_labels, ([[1]],), {"offset": -1}, ValueError, "offset", "negative-offset"),
    bad(ctc.pad_labels, ([[1]],), {"offset": True}, TypeError, "offset", "bool-offset"),
    bad(ctc.log_softmax, ("abc",), {}, TypeError, "logits", "string"),
    bad(ctc.log_softmax, (with_inf(2, 3),), {}, ValueError, "logits", "inf"),
    bad(ctc.log_softmax, (Z(2, 0),), {}, ValueError, "logits", "empty"),
    bad(ctc.log_softmax, (1.0,), {}, ValueError, "logits", "scalar"),
    bad(ctc.ctc_loss, (Z(5, 3), [[1]]), {}, ValueError, "logits", "rank"),
    bad(ctc.ctc_loss, (Z(2, 5, 3), [[1]]), {}, ValueError, "labels", "too-few-labellings"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), 1), {}, TypeError, "labels", "int-labels"),
    bad(ctc.ctc_loss, (Z(1, 3, 3), [[1, 2, 1, 2]]), {}, ValueError, "labels", "longer-than-time"),
    bad(
        ctc.ctc_loss,
        (Z(1, 5, 3), [[1, 1, 2]], [3]),
        {},
        ValueError,
        "labels",
        "longer-than-input-length",
    ),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], [2, 3]), {}, ValueError, "input_lengths", "count"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], [0]), {}, ValueError, "input_lengths", "zero"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], [6]), {}, ValueError, "input_lengths", "beyond-time"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], [2.5]), {}, TypeError, "input_lengths", "float"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], ["3"]), {}, TypeError, "input_lengths", "string"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], [True]), {}, TypeError, "input_lengths", "bool"),
    bad(ctc.ctc_loss, (Z(1, 5, 3), [[1]], 5), {}, TypeError, "input_lengths", "int"),
    bad(ctc.greedy_decode, (Z(5, 3),), {}, ValueError, "probabilities", "rank"),
    bad(ctc.greedy_decode, (with_nan(1, 5, 3),), {}, ValueError, "probabilities", "nan"),
    bad(ctc.greedy_decode, (Z(2, 5, 3), [5]), {}, ValueError, "input_lengths", "count"),
    bad(ctc.greedy_decode, (Z(1, 5, 3), [9]), {}, ValueError, "input_lengths", "beyond-time"),
    bad(ctc.beam_search_decode, (Z(1, 5, 3),), {}, ValueError, "log_probs", "rank"),
    bad(ctc.beam_search_decode, (Z(3, 0),), {}, ValueError, "log_probs", "no-classes"),
    bad(ctc.beam_search_decode, (Z(5, 3), 0), {}, ValueError, "beam_width", "zero-width"),
    bad(ctc.beam_search_decode, (Z(5, 3), True), {}, TypeError, "beam_width", "bool-width"),
    # --- companion.forecasting ------------------------------------------------------------
    bad(forecasting.naive_forecast, (Z(4),), {}, ValueError, "x", "rank"),
    bad(forecasting.naive_forecast, (Z(0, 4),), {}, ValueError, "x", "no-windows"),
    bad(forecasting.naive_forecast, (Z(2, 4, 2),), {}, ValueError, "x", "channels"),
    bad(forecasting.naive_forecast, (with_nan(2, 4),), {}, ValueError, "x", "nan"),
    bad(forecasting.naive_forecast, ([["a"]],), {}, TypeError, "x", "string"),
    bad(forecasting.naive_forecast, (Z(2, 4), 0), {}, ValueError, "horizon", "zero-horizon"),
    bad(forecasting.naive_forecast, (Z(2, 4), True), {}, TypeError, "horizon", "bool-horizon"),
    bad(
        forecasting.seasonal_naive_forecast,
        (Z(2, 4), 2, 5),
        {},
        ValueError,
        "x",
        "shorter-than-period",
    ),
    bad(
        forecasting.seasonal_naive_forecast,
        (Z(2, 4), 2, 0),
        {},
        ValueError,
        "period",
        "zero-period",
    ),
    bad(
        forecasting.seasonal_naive_forecast,
        (Z(2, 4), -2, 2),
        {},
        ValueError,
        "horizon",
        "negative-horizon",
    ),
    bad(forecasting.LinearAutoregression, (-1.0,), {}, ValueError, "ridge", "negative"),
    bad(forecasting.LinearAutoregression, (NAN,), {}, ValueError, "ridge", "nan"),
    bad(forecasting.LinearAutoregression, (INF,), {}, ValueError, "ridge", "inf"),
    bad(forecasting.LinearAutoregression, ("a",), {}, TypeError, "ridge", "string"),
    bad(forecasting.LinearAutoregression, (True,), {}, TypeError, "ridge", "bool"),
    bad(
        forecasting.LinearAutoregression.fit,
        (forecasting.LinearAutoregression(), ramp(6, 2), ramp(5)),
        {},
        ValueError,
        "y",
        "mismatched",
    ),
    bad(
        forecasting.LinearAutoregression.fit,
        (forecasting.LinearAutoregression(), ramp(2, 4), ramp(2)),
        {},
        ValueError,
        "x",
        "too-few-windows",
    ),
    bad(
        forecasting.LinearAutoregression.fit,
        (forecasting.LinearAutoregression(), with_nan(6, 2), ramp(6)),
        {},
        ValueError,
        "x",
        "nan",
    ),
    bad(
        forecasting.LinearAutoregression.fit,
        (forecasting.LinearAutoregression(), ramp(6, 2), with_inf(6)),
        {},
        ValueError,
        "y",
        "inf",
    ),
    bad(
        forecasting.LinearAutoregression.predict,
        (FITTED_AR, Z(3, 5)),
        {},
        ValueError,
        "x",
        "length",
    ),
    bad(forecasting.residual_interval, (Z(4, 2), Z(4, 3)), {}, ValueError, "y_pred", "mismatched"),
    bad(forecasting.residual_interval, (Z(0), Z(0)), {}, ValueError, "y_pred", "empty"),
    bad(forecasting.residual_interval, (Z(4), Z(4), 1.0), {}, ValueError, "coverage", "one"),
    bad(forecasting.residual_interval, (Z(4), Z(4), NAN), {}, ValueError, "coverage", "nan"),
    bad(forecasting.residual_interval, (Z(4), Z(4), True), {}, TypeError, "coverage", "bool"),
    bad(forecasting.residual_interval, (with_nan(4), Z(4)), {}, ValueError, "y_true", "y_true-nan"),
    bad(
        forecasting.interval_coverage,
        (Z(4, 2), Z(3), Z(4, 2)),
        {},
        ValueError,
        "lower",
        "mismatched",
    ),
    bad(
        forecasting.interval_coverage,
        (Z(4), Z(4), Z(5)),
        {},
        ValueError,
        "upper",
        "upper-mismatched",
    ),
    bad(forecasting.interval_coverage, (Z(0), Z(0), Z(0)), {}, ValueError, "y_true", "empty"),
    bad(forecasting.interval_coverage, (Z(4), with_nan(4), Z(4)), {}, ValueError, "lower", "nan"),
    # --- companion.keras_cells ------------------------------------------------------------
    bad(keras_cells.PeepholeLSTMCell, (0,), {}, ValueError, "units", "zero"),
    bad(keras_cells.PeepholeLSTMCell, (True,), {}, TypeError, "units", "bool"),
    bad(keras_cells.PeepholeLSTMCell, ("8",), {}, TypeError, "units", "string"),
    bad(keras_cells.cudnn_blockers, ("lstm",), {}, TypeError, "layer", "string"),
    bad(keras_cells.cudnn_blockers, (DENSE_LAYER,), {}, TypeError, "layer", "dense-layer"),
    bad(keras_cells.loop_body_ops, (DENSE_LAYER, (1, 2, 3)), {}, TypeError, "layer", "dense"),
    bad(keras_cells.loop_body_ops, (LSTM_LAYER, (1, 2)), {}, ValueError, "input_shape", "rank"),
    bad(keras_cells.loop_body_ops, (LSTM_LAYER, (1, 0, 2)), {}, ValueError, "input_shape", "zero"),
    bad(
        keras_cells.loop_body_ops,
        (LSTM_LAYER, (1, 2, 3)),
        {"training": "yes"},
        TypeError,
        "training",
        "string-flag",
    ),
    # --- companion.layers -----------------------------------------------------------------
    bad(
        layers.FeatureMapToSequence.compute_output_shape,
        (MAP_TO_SEQUENCE, (None, 4, 4)),
        {},
        ValueError,
        "inputs",
        "rank",
    ),
    bad(
        layers.FeatureMapToSequence.compute_output_shape,
        (MAP_TO_SEQUENCE, (None, None, 4, 2)),
        {},
        ValueError,
        "inputs",
        "unknown-height",
    ),
    bad(layers.FrameMask, (0,), {}, ValueError, "stride", "zero"),
    bad(layers.FrameMask, (1.5,), {}, TypeError, "stride", "float"),
    bad(layers.RecurrentConv2D, (0,), {}, ValueError, "filters", "zero-filters"),
    bad(layers.RecurrentConv2D, (2,), {"steps": -1}, ValueError, "steps", "negative-steps"),
    bad(
        layers.RecurrentConv2D, (2,), {"kernel_size": True}, TypeError, "kernel_size", "bool-kernel"
    ),
    bad(
        layers.RecurrentConv2D, (2,), {"batch_norm": "yes"}, TypeError, "batch_norm", "string-flag"
    ),
    bad(layers.RecurrentConv2D.build, (RCL, (None, 4, 4)), {}, ValueError, "inputs", "build-rank"),
    bad(
        layers.RecurrentConv2D.build,
        (RCL, (None, 4, 4, None)),
        {},
        ValueError,
        "inputs",
        "build-unknown-channels",
    ),
    # --- companion.metrics ----------------------------------------------------------------
    bad(metrics.paired_comparison, ([], [], []), {}, ValueError, "truth", "empty"),
    bad(
        metrics.paired_comparison, ([1, 2], [1], [1, 2]), {}, ValueError, "answers_a", "mismatched"
    ),
    bad(metrics.paired_comparison, (3, [1], [1]), {}, TypeError, "truth", "int"),
    bad(metrics.edit_distance, (5, [1]), {}, TypeError, "reference", "int"),
    bad(metrics.edit_distance, ([1], None), {}, TypeError, "hypothesis", "none"),
    bad(metrics.character_error_rate, ([[1]], [[1], [2]]), {}, ValueError, "hypotheses", "count"),
    bad(
        metrics.character_error_rate,
        ([[], []], [[1], [2]]),
        {},
        ValueError,
        "references",
        "all-empty",
    ),
    bad(metrics.character_error_rate, (3, [[1]]), {}, TypeError, "references", "int"),
    bad(metrics.sequence_accuracy, ([[1], [2]], [[1]]), {}, ValueError, "hypotheses", "count"),
    bad(metrics.sequence_accuracy, ([], []), {}, ValueError, "hypotheses", "none"),
    bad(metrics.sequence_accuracy, ([[1]], 7), {}, TypeError, "hypotheses", "int"),
    bad(metrics.mae, (Z(3), Z(4)), {}, ValueError, "y_pred", "mismatched"),
    bad(metrics.mae, (Z(0), Z(0)), {}, ValueError, "y_true", "empty"),
    bad(metrics.mae, (with_nan(3), Z(3)), {}, ValueError, "y_true", "nan"),
    bad(metrics.mae, (Z(3), ["a", "b", "c"]), {}, TypeError, "y_pred", "string"),
    bad(metrics.rmse, (Z(3), Z(3, 1)), {}, ValueError, "y_pred", "mismatched"),
    bad(metrics.rmse, (Z(3), with_inf(3)), {}, ValueError, "y_pred", "inf"),
    bad(metrics.seasonal_naive_scale, (Z(4, 2),), {}, ValueError, "training", "rank"),
    bad(
        metrics.seasonal_naive_scale,
        (ramp(4), 4),
        {},
        ValueError,
        "training",
        "shorter-than-period",
    ),
    bad(metrics.seasonal_naive_scale, (Z(6),), {}, ValueError, "training", "constant"),
    bad(metrics.seasonal_naive_scale, (ramp(6), 0), {}, ValueError, "period", "zero-period"),
    bad(metrics.seasonal_naive_scale, (ramp(6), True), {}, TypeError, "period", "bool-period"),
    bad(metrics.mase, (Z(3), Z(3), Z(0)), {}, ValueError, "training", "empty-training"),
    bad(metrics.mase, (Z(3), Z(2), ramp(6)), {}, ValueError, "y_pred", "mismatched"),
    bad(
        metrics.diebold_mariano, (Z(4, 2), Z(4, 2), Z(4, 3)), {}, ValueError, "pred_b", "mismatched"
    ),
    bad(metrics.diebold_mariano, (Z(2), Z(2), Z(2)), {}, ValueError, "y_true", "two-origins"),
    bad(metrics.diebold_mariano, (Z(4), Z(4), Z(4), 0), {}, ValueError, "horizon", "zero-horizon"),
    bad(metrics.diebold_mariano, (Z(4), with_nan(4), Z(4)), {}, ValueError, "pred_a", "nan"),
    bad(metrics.roc_curve, ([0, 2, 1], [0.1, 0.2, 0.3]), {}, ValueError, "labels", "not-binary"),
    bad(metrics.roc_curve, ([1, 1], [0.1, 0.2]), {}, ValueError, "labels", "one-class"),
    bad(metrics.roc_curve, (LABELS_01, [0.1, 0.2]), {}, ValueError, "scores", "mismatched"),
    bad(metrics.roc_curve, (LABELS_01, [0.1, NAN, 0.2, 0.3]), {}, ValueError, "scores", "nan"),
    bad(metrics.roc_curve, ([[0, 1]], [[0.1, 0.2]]), {}, ValueError, "scores", "rank"),
    bad(metrics.roc_curve, ([], []), {}, ValueError, "labels", "empty"),
    bad(metrics.roc_auc, (LABELS_01, ["a", "b", "c", "d"]), {}, TypeError, "scores", "string"),
    bad(metrics.precision_recall_at, (LABELS_01, SCORES, NAN), {}, ValueError, "threshold", "nan"),
    bad(
        metrics.precision_recall_at, (LABELS_01, SCORES, True), {}, ValueError, "threshold", "bool"
    ),
    bad(
        metrics.precision_recall_at,
        (LABELS_01, SCORES, "0.5"),
        {},
        TypeError,
        "threshold",
        "string",
    ),
    bad(metrics.precision_recall_at, ([0, 1], SCORES, 0.5), {}, ValueError, "scores", "mismatched"),
    bad(metrics.f_beta, (1.5, 0.5), {}, ValueError, "precision", "above-one"),
    bad(metrics.f_beta, (0.5, -0.1), {}, ValueError, "recall", "negative"),
    bad(metrics.f_beta, (NAN, 0.5), {}, ValueError, "precision", "nan"),
    bad(metrics.f_beta, ("0.5", 0.5), {}, TypeError, "precision", "string"),
    bad(metrics.f_beta, (0.5, 0.5, 0.0), {}, ValueError, "beta", "zero-beta"),
    bad(metrics.f_beta, (0.5, 0.5, "1"), {}, TypeError, "beta", "string-beta"),
    bad(metrics.f_beta, (0.5, True), {}, ValueError, "recall", "bool"),
    bad(metrics.discriminative_score, (Z(4, 3), Z(4, 3, 1)), {}, ValueError, "real", "rank"),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 2, 1)),
        {},
        ValueError,
        "synthetic",
        "mismatched",
    ),
    bad(metrics.discriminative_score, (Z(3, 3, 1), Z(4, 3, 1)), {}, ValueError, "real", "too-few"),
    bad(
        metrics.discriminative_score, (with_nan(4, 3, 1), Z(4, 3, 1)), {}, ValueError, "real", "nan"
    ),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 3, 1)),
        {"units": 0},
        ValueError,
        "units",
        "zero-units",
    ),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 3, 1)),
        {"epochs": True},
        TypeError,
        "epochs",
        "bool-epochs",
    ),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 3, 1)),
        {"test_fraction": 1.0},
        ValueError,
        "test_fraction",
        "fraction-one",
    ),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 3, 1)),
        {"test_fraction": "0.2"},
        TypeError,
        "test_fraction",
        "string-fraction",
    ),
    bad(
        metrics.discriminative_score,
        (Z(4, 3, 1), Z(4, 3, 1)),
        {"seed": "0"},
        TypeError,
        "seed",
        "string-seed",
    ),
    bad(metrics.predictive_score, (Z(4, 1, 2), Z(4, 1, 2)), {}, ValueError, "train", "one-step"),
    bad(metrics.predictive_score, (Z(4, 3, 2), Z(4, 3, 1)), {}, ValueError, "test", "mismatched"),
    bad(metrics.predictive_score, (Z(4, 3, 2), Z(4, 3)), {}, ValueError, "test", "rank"),
    bad(
        metrics.predictive_score,
        (Z(4, 3, 2), Z(4, 3, 2)),
        {"epochs": 0},
        ValueError,
        "epochs",
        "zero-epochs",
    ),
    bad(
        metrics.predictive_score,
        (Z(4, 3, 2), Z(4, 3, 2)),
        {"seed": -1},
        ValueError,
        "seed",
        "negative-seed",
    ),
    bad(metrics.centroid_tracks, (Z(1, 3, 4, 4),), {}, ValueError, "clips", "rank"),
    bad(metrics.centroid_tracks, (Z(1, 2, 4, 4, 1),), {}, ValueError, "clips", "two-frames"),
    bad(metrics.centroid_tracks, (Z(1, 3, 4, 4, 2),), {}, ValueError, "clips", "two-channels"),
    bad(metrics.centroid_tracks, (Z(0, 3, 4, 4, 1),), {}, ValueError, "clips", "no-clips"),
    bad(metrics.centroid_tracks, (-FRAMES,), {}, ValueError, "clips", "negative"),
    bad(metrics.motion_statistics, (with_nan(1, 3, 4, 4, 1),), {}, ValueError, "clips", "nan"),
    bad(metrics.motion_statistics, ("clips",), {}, TypeError, "clips", "string"),
    bad(metrics.label_consistency, ([1, 2, 3],), {}, ValueError, "frame_labels", "rank"),
    bad(
        metrics.label_consistency, (np.zeros((0, 3), int),), {}, ValueError, "frame_labels", "empty"
    ),
    bad(metrics.label_consistency, ([[0.5, 1.0]],), {}, TypeError, "frame_labels", "float"),
    bad(metrics.label_consistency, ([[True, False]],), {}, TypeError, "frame_labels", "bool"),
    bad(metrics.label_consistency, ([[0, -1]],), {}, ValueError, "frame_labels", "negative"),
    # --- companion.plots ------------------------------------------------------------------
    bad(plots.label_axes, (AXES,), {**TITLES, "title": ""}, ValueError, "title", "empty-title"),
    bad(plots.label_axes, (AXES,), {**TITLES, "ylabel": 5}, ValueError, "ylabel", "int-label"),
    bad(plots.label_axes, ("axes",), TITLES, TypeError, "ax", "not-axes"),
    bad(plots.line_plot, ([1, 2], {}), TITLES, ValueError, "series", "no-series"),
    bad(plots.line_plot, ([1, 2], {"a": [1, 2, 3]}), TITLES, ValueError, "series", "mismatched"),
    bad(plots.line_plot, ([1, 2], [[1, 2]]), TITLES, TypeError, "series", "list"),
    bad(
        plots.line_plot,
        ([1, 2], {"a": [1, 2]}),
        {**TITLES, "xlabel": " "},
        ValueError,
        "xlabel",
        "blank-label",
    ),
    bad(
        plots.plot_history,
        ({"loss": [1.0]}, ["accuracy"]),
        {"title": "T", "ylabel": "y"},
        KeyError,
        "metrics",
        "missing-metric",
    ),
    bad(
        plots.plot_history,
        ({"loss": [1.0]}, []),
        {"title": "T", "ylabel": "y"},
        ValueError,
        "metrics",
        "no-metrics",
    ),
    bad(
        plots.plot_history,
        ({"loss": [1.0]}, "loss"),
        {"title": "T", "ylabel": "y"},
        TypeError,
        "metrics",
        "string",
    ),
    bad(
        plots.plot_history,
        ([1.0], ["loss"]),
        {"title": "T", "ylabel": "y"},
        TypeError,
        "history",
        "list",
    ),
    bad(
        plots.plot_history,
        ({"loss": [1.0]}, ["loss"]),
        {"title": "", "ylabel": "y"},
        ValueError,
        "title",
        "empty-title",
    ),
    bad(plots.image_grid, (Z(4, 4),), {"title": "T"}, ValueError, "images", "rank"),
    bad(plots.image_grid, (Z(0, 4, 4),), {"title": "T"}, ValueError, "images", "empty"),
    bad(
        plots.image_grid, (np.full((1, 2, 2), "a"),), {"title": "T"}, TypeError, "images", "string"
    ),
    bad(
        plots.image_grid,
        (Z(2, 4, 4),),
        {"title": "T", "titles": ["a"]},
        ValueError,
        "titles",
        "mismatched",
    ),
    bad(
        plots.image_grid,
        (Z(2, 4, 4),),
        {"title": "T", "columns": 0},
        ValueError,
        "columns",
        "zero-columns",
    ),
    bad(
        plots.image_grid,
        (Z(2, 4, 4),),
        {"title": "T", "columns": True},
        TypeError,
        "columns",
        "bool-columns",
    ),
    bad(plots.image_grid, (Z(2, 4, 4),), {"title": ""}, ValueError, "title", "empty-title"),
    bad(plots.image_grid, (Z(2, 4, 4),), {"title": None}, ValueError, "title", "none-title"),
    bad(
        plots.image_grid,
        (Z(2, 4, 4),),
        {"title": "T", "size": -1.0},
        ValueError,
        "size",
        "negative-size",
    ),
    bad(
        plots.image_grid,
        (Z(2, 4, 4),),
        {"title": "T", "size": "big"},
        TypeError,
        "size",
        "string-size",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0, 1], [0]),
        {"classes": 2, "title": "T"},
        ValueError,
        "y_pred",
        "mismatched",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0, 2], [0, 1]),
        {"classes": 2, "title": "T"},
        ValueError,
        "y_true",
        "class-out-of-range",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0, 1], [0, -1]),
        {"classes": 2, "title": "T"},
        ValueError,
        "y_pred",
        "negative-class",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0.5, 1], [0, 1]),
        {"classes": 2, "title": "T"},
        TypeError,
        "y_true",
        "float-labels",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0], [0]),
        {"classes": 0, "title": "T"},
        ValueError,
        "classes",
        "zero-classes",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0], [0]),
        {"classes": True, "title": "T"},
        TypeError,
        "classes",
        "bool-classes",
    ),
    bad(
        plots.confusion_matrix_plot,
        ([0], [0]),
        {"classes": 2, "title": ""},
        ValueError,
        "title",
        "empty-title",
    ),
    # --- companion.results ----------------------------------------------------------------
    bad(results.project_root, (5,), {}, TypeError, "start", "int"),
    bad(results.load, (5,), {}, TypeError, "path", "int"),
    bad(
        results.record,
        ("", "accuracy", 0.9),
        {"quiet": True},
        ValueError,
        "chapter",
        "empty-chapter",
    ),
    bad(results.record, ("01_rnn", 5, 0.9), {"quiet": True}, ValueError, "name", "int-name"),
    bad(results.record, ("01_rnn", "accuracy", NAN), {"quiet": True}, ValueError, "value", "nan"),
    bad(results.record, ("01_rnn", "accuracy", INF), {"quiet": True}, ValueError, "value", "inf"),
    bad(
        results.record, ("01_rnn", "accuracy", "0.9"), {"quiet": True}, TypeError, "value", "string"
    ),
    bad(results.record, ("01_rnn", "accuracy", True), {"quiet": True}, TypeError, "value", "bool"),
    bad(
        results.record,
        ("01_rnn", "accuracy", 0.9),
        {"quiet": True, "unit": 5},
        TypeError,
        "unit",
        "int-unit",
    ),
    bad(
        results.record,
        ("01_rnn", "accuracy", 0.9),
        {"quiet": True, "floor": INF},
        ValueError,
        "floor",
        "inf-floor",
    ),
    bad(
        results.record,
        ("01_rnn", "accuracy", 0.9),
        {"quiet": True, "baseline": "x"},
        TypeError,
        "baseline",
        "string-baseline",
    ),
    bad(
        results.record,
        ("01_rnn", "accuracy", 0.9),
        {"quiet": True, "seconds": NAN},
        ValueError,
        "seconds",
        "nan-seconds",
    ),
    bad(
        results.record,
        ("01_rnn", "accuracy", 0.9),
        {"quiet": True, "path": 5},
        TypeError,
        "path",
        "int-path",
    ),
    bad(results.missed_floors, (5,), {}, TypeError, "records", "int"),
    bad(results.missed_floors, ([1, 2],), {}, TypeError, "records", "not-records"),
    bad(results.missed_floors, ([], "slow"), {}, ValueError, "mode", "unknown-mode"),
    bad(results.at_a_glance, ([], "01_rnn"), {}, TypeError, "chapters", "string"),
    bad(results.at_a_glance, (["01_rnn"], ["01_rnn"]), {}, TypeError, "records", "not-records"),
    bad(results.at_a_glance, ([], 5), {}, TypeError, "chapters", "int"),
    # --- companion.runtime ----------------------------------------------------------------
    bad(
        runtime.budget,
        (),
        {"fast": 1, "full": "30"},
        TypeError,
        None,
        "mixed-types",
        match="fast=1",
    ),
    bad(
        runtime.budget,
        (),
        {"fast": True, "full": 3},
        TypeError,
        None,
        "bool-and-int",
        match="fast=True",
    ),
    bad(runtime.seed_everything, (-1,), {}, ValueError, "seed", "negative"),
    bad(runtime.seed_everything, (True,), {}, TypeError, "seed", "bool"),
    bad(runtime.seed_everything, ("1",), {}, TypeError, "seed", "string"),
    bad(runtime.untested_version_note, ("torch", "2.0"), {}, ValueError, "package", "unknown"),
    bad(runtime.untested_version_note, ("keras", 3.1), {}, ValueError, "version", "float"),
    # --- companion.training: losses and progress ----------------------------------------
    bad(training.discriminator_loss, ([0.1], LOGITS), {}, TypeError, "real_logits", "list"),
    bad(
        training.discriminator_loss,
        (LOGITS, np.zeros(2, "int32")),
        {},
        TypeError,
        "fake_logits",
        "integer",
    ),
    bad(
        training.discriminator_loss,
        (LOGITS, LOGITS),
        {"label_smoothing": 1.0},
        ValueError,
        "label_smoothing",
        "one",
    ),
    bad(
        training.discriminator_loss,
        (LOGITS, LOGITS),
        {"label_smoothing": "0.1"},
        TypeError,
        "label_smoothing",
        "string",
    ),
    bad(training.generator_loss, (np.float32(0.5),), {}, TypeError, "fake_logits", "scalar"),
    bad(training.generator_loss, (LOGITS,), {"kind": "wasserstein"}, ValueError, "kind", "unknown"),
    bad(training.discriminator_accuracy, (LOGITS, "x"), {}, TypeError, "fake_logits", "string"),
    bad(training.ProgressBar, (3,), {}, TypeError, "description", "integer"),
    bad(
        training.fit_and_evaluate,
        ("model", (Z(2, 1), Z(2)), (Z(2, 1), Z(2))),
        {"optimizer": "adam", "loss": "mse", "epochs": 1, "batch_size": 1},
        TypeError,
        "model",
        "string-model",
    ),
    bad(
        training.fit_and_evaluate,
        (DENSE_MODEL, Z(2, 1), (Z(2, 1), Z(2))),
        {"optimizer": "adam", "loss": "mse", "epochs": 1, "batch_size": 1},
        TypeError,
        "train",
        "array-not-pair",
    ),
    bad(
        training.fit_and_evaluate,
        (DENSE_MODEL, (Z(2, 1), Z(2)), (Z(2, 1), Z(2))),
        {"optimizer": "adam", "loss": "mse", "epochs": 0, "batch_size": 1},
        ValueError,
        "epochs",
        "zero-epochs",
    ),
    bad(
        training.fit_and_evaluate,
        (DENSE_MODEL, (Z(2, 1), Z(2)), (Z(2, 1), Z(2))),
        {"optimizer": "adam", "loss": "mse", "epochs": 1, "batch_size": 1, "shuffle_seed": -1},
        ValueError,
        "seed",
        "negative-shuffle-seed",
    ),
    bad(training.training_pairs, (2.5, 0.1), {}, TypeError, "n", "float-n"),
    bad(training.training_pairs, (0, 0.1), {}, ValueError, "n", "zero-n"),
    bad(training.training_pairs, (10, 1.0), {}, ValueError, "validation_split", "whole-split"),
    bad(training.early_stopping_epochs, ([], 2), {}, ValueError, "val_loss", "empty"),
    bad(training.early_stopping_epochs, ([1.0], -1), {}, ValueError, "patience", "negative"),
    bad(training.training_pairs, (10, "0.1"), {}, TypeError, "validation_split", "text-split"),
    bad(training.training_pairs, (1, 0.5), {}, ValueError, "validation_split", "nothing-left"),
    # --- companion.runtime: control groups ---------------------------------------------
    bad(runtime.usable_cpus, (3,), {}, TypeError, "cgroup_root", "integer"),
    bad(runtime.usable_cpus, (), {"membership": 0}, TypeError, "membership", "integer-text"),
    bad(runtime.limit_threads_to_usable_cpus, (None,), {}, TypeError, "cgroup_root", "none"),
    # --- companion.distribute ----------------------------------------------------------
    bad(distribute.split_cpu, (0,), {}, ValueError, "devices", "zero"),
    bad(distribute.free_ports, (-1,), {}, ValueError, "count", "negative"),
    bad(distribute.worker_config, ([], 0), {}, ValueError, "ports", "empty"),
    bad(distribute.worker_config, ([80], 2), {}, ValueError, "index", "out-of-range"),
    bad(distribute.train, (None, None), {"epochs": 1}, TypeError, "build", "none"),
    bad(distribute.digits_task, (), {"epochs": 0}, ValueError, "epochs", "zero"),
    bad(distribute.run_workers, (0, "unused"), {}, ValueError, "workers", "zero"),
    bad(distribute.load_weights, (3,), {}, TypeError, "path", "integer"),
    bad(
        distribute.run_workers,
        (1, "unused"),
        {"timeout_s": -1},
        ValueError,
        "timeout_s",
        "negative",
    ),
    bad(distribute.main, ([],), {}, SystemExit, "usage", "no-arguments"),
    # --- companion.bench ---------------------------------------------------------------
    bad(bench.keras_io_ocr_model, (2, 168), {}, ValueError, "height", "too-small"),
    bad(
        bench.keras_io_ocr_model,
        (20, 168),
        {"alphabet_size": 0},
        ValueError,
        "alphabet_size",
        "zero",
    ),
    bad(
        bench.training_throughput,
        (None, Z(2, 3), Z(2, 1)),
        {"batch_size": 0, "steps": 1},
        ValueError,
        "batch_size",
        "zero",
    ),
    bad(
        bench.inference_throughput,
        (None, Z(2, 3)),
        {"batch_size": 1, "repeats": 0},
        ValueError,
        "repeats",
        "zero",
    ),
    bad(
        bench.time_to_target,
        (None, (None, None), None),
        {"target": 0, "max_epochs": 1},
        ValueError,
        "target",
        "zero",
    ),
    bad(bench.run, (), {"only": ["no such model"]}, ValueError, "only", "unknown"),
    bad(
        bench.measure,
        ("05", "x", None, Z(2, 3), Z(2, 1)),
        {"steps": 1, "repeats": 1},
        TypeError,
        "model",
        "none",
    ),
    bad(bench.chapter_models, (0,), {}, TypeError, "rng", "integer"),
    bad(bench.crnn_time_to_target, (), {"target": 2.0}, ValueError, "target", "above-one"),
    bad(bench.table, ("rows",), {}, TypeError, "rows", "string"),
    bad(bench.StepTimer().samples_per_second, (8,), {}, ValueError, "batch_size", "no-batches"),
    bad(bench.iterator_epochs, (), {"strings": 8, "epochs": 2}, ValueError, "strings", "few"),
    bad(bench.iterator_epochs, (), {"strings": 64, "epochs": 1}, ValueError, "epochs", "one"),
    # --- companion.training ---------------------------------------------------------------
    bad(training.SequenceGAN, ("generator", DISCRIMINATOR), {}, TypeError, "generator", "string"),
    bad(
        training.SequenceGAN,
        (GENERATOR, LONG_DISCRIMINATOR),
        {},
        ValueError,
        "discriminator",
        "mismatched",
    ),
    bad(
        training.SequenceGAN,
        (GENERATOR, DISCRIMINATOR),
        {"label_smoothing": 0.5},
        ValueError,
        "label_smoothing",
        "smoothing",
    ),
    bad(
        training.SequenceGAN,
        (GENERATOR, DISCRIMINATOR),
        {"generator_steps": 0},
        ValueError,
        "generator_steps",
        "zero-steps",
    ),
    bad(
        training.SequenceGAN,
        (GENERATOR, DISCRIMINATOR),
        {"loss": "wasserstein"},
        ValueError,
        "loss",
        "unknown-loss",
    ),
    bad(
        training.SequenceGAN,
        (GENERATOR, DISCRIMINATOR),
        {"moment_weight": NAN},
        ValueError,
        "moment_weight",
        "nan-weight",
    ),
    bad(
        training.VideoGAN,
        (GENERATOR, DISCRIMINATOR, None),
        {},
        ValueError,
        "generator",
        "sequence-generator",
    ),
    bad(training.VideoGAN, ("generator", None, None), {}, TypeError, "generator", "string"),
    # --- companion.check ------------------------------------------------------------------
    bad(check.check_rnn_step, ("rnn_step",), {}, TypeError, "fn", "string"),
    bad(check.check_rnn_step, (not_a_function,), {"seed": -2}, ValueError, "seed", "negative-seed"),
    bad(check.check_rnn_forward, (5,), {}, TypeError, "fn", "int"),
    bad(
        check.check_rnn_forward, (not_a_function,), {"seed": "0"}, TypeError, "seed", "string-seed"
    ),
    bad(check.check_lstm_step, ("lstm_step",), {}, TypeError, "fn", "string"),
    bad(
        check.check_lstm_step, (not_a_function,), {"seed": -1}, ValueError, "seed", "negative-seed"
    ),
    bad(check.check_gru_step, (None,), {}, TypeError, "fn", "none"),
    bad(check.check_gru_step, (not_a_function,), {"seed": True}, TypeError, "seed", "bool-seed"),
    bad(check.check_conv2d, (np.zeros(3),), {}, TypeError, "fn", "array"),
    bad(check.check_max_pool2d, ([],), {}, TypeError, "fn", "list"),
    bad(check.check_ctc_loss, (1.0,), {}, TypeError, "fn", "float"),
    bad(check.check_ctc_loss, (not_a_function,), {"seed": 1.5}, TypeError, "seed", "float-seed"),
    bad(check.check_mase, ("mase",), {}, TypeError, "fn", "string"),
    bad(check.check_mase, (not_a_function,), {"seed": -1}, ValueError, "seed", "negative-seed"),
    bad(check.check_discriminator_loss, (None,), {}, TypeError, "fn", "none"),
    bad(check.check_generator_loss, (0,), {}, TypeError, "fn", "integer"),
    bad(check.check_convlstm_step, ([],), {}, TypeError, "fn", "list"),
    # --- companion.display ----------------------------------------------------------------
    bad(display.show_source, (5,), {}, TypeError, "obj", "int"),
    bad(display.show_source, (len,), {}, TypeError, "obj", "builtin"),
    bad(entering(display.expect_error), (5,), {}, TypeError, "expected", "int"),
    bad(
        entering(display.expect_error),
        ((ValueError, "KeyError"),),
        {},
        TypeError,
        "expected",
        "tuple-with-string",
    ),
    bad(
        entering(display.expect_error),
        (ValueError,),
        {"max_lines": -1},
        ValueError,
        "max_lines",
        "negative-lines",
    ),
    bad(
        entering(display.expect_error),
        (ValueError,),
        {"width": 0},
        ValueError,
        "width",
        "zero-width",
    ),
    bad(display.glue, ("", 1.0), {}, ValueError, "name", "empty-name"),
    bad(display.glue, (5, 1.0), {}, ValueError, "name", "int-name"),
    # --- companion.data.captcha_text ------------------------------------------------------
    bad(captcha_text.render_captchas, (0,), {"seed": 0}, ValueError, "n", "zero"),
    bad(captcha_text.render_captchas, (True,), {"seed": 0}, TypeError, "n", "bool"),
    bad(
        captcha_text.render_captchas,
        (1,),
        {"seed": 0, "alphabet": ""},
        ValueError,
        "alphabet",
        "empty-alphabet",
    ),
    bad(
        captcha_text.render_captchas,
        (1,),
        {"seed": 0, "alphabet": "aab"},
        ValueError,
        "alphabet",
        "repeated-symbol",
    ),
    bad(
        captcha_text.render_captchas,
        (1,),
        {"seed": 0, "alphabet": ["a", "b"]},
        ValueError,
        "alphabet",
        "list-alphabet",
    ),
    bad(
        captcha_text.render_captchas,
        (1,),
        {"seed": 0, "min_length": 6, "max_length": 5},
        ValueError,
        "min_length",
        "lengths",
    ),
    bad(
        captcha_text.render_captchas,
        (1,),
        {"seed": 0, "height": 8},
        ValueError,
        "height",
        "small-height",
    ),
    bad(
        captcha_text.render_captchas, (1,), {"seed": 0, "width": 20}, ValueError, "width", "narrow"
    ),
    bad(captcha_text.render_captchas, (1,), {"seed": "0"}, TypeError, "seed", "string-seed"),
    bad(captcha_text.TextImages.padded_labels, (TEXT, 1), {}, ValueError, "length", "short-length"),
    bad(captcha_text.TextImages.decode, (TEXT, [[0, 1]]), {}, ValueError, "classes", "blank-class"),
    bad(
        captcha_text.TextImages.decode,
        (TEXT, [[11]]),
        {},
        ValueError,
        "classes",
        "class-beyond-alphabet",
    ),
    # --- companion.data.digit_strings -----------------------------------------------------
    bad(digit_strings.string_image_width, (0,), {}, ValueError, "max_length", "zero"),
    bad(digit_strings.string_image_width, ("8",), {}, TypeError, "max_length", "string"),
    bad(digit_strings.string_image_width, (8, 2, -1), {}, ValueError, "max_gap", "negative-gap"),
    bad(
        digit_strings.compose_digit_strings,
        (0,),
        {"split": "train", "seed": 0},
        ValueError,
        "n",
        "zero",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "dev", "seed": 0},
        ValueError,
        "split",
        "unknown-split",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 0, "min_length": 4, "max_length": 3},
        ValueError,
        "min_length",
        "lengths",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 0, "width": 10},
        ValueError,
        "width",
        "narrow",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 0, "width": 200, "fit_width": True},
        ValueError,
        "width",
        "width-and-fit",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 0, "scale": 0},
        ValueError,
        "scale",
        "zero-scale",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 0, "jitter": True},
        TypeError,
        "jitter",
        "bool-jitter",
    ),
    bad(
        digit_strings.compose_digit_strings,
        (1,),
        {"split": "train", "seed": 1.5},
        TypeError,
        "seed",
        "float-seed",
    ),
    bad(digit_strings.glyph_pool, ("dev",), {}, ValueError, "split", "unknown-split"),
    bad(
        digit_strings.DigitStrings.padded_labels,
        (STRINGS, 1),
        {},
        ValueError,
        "length",
        "short-length",
    ),
    # --- companion.data.digit_string_batches ----------------------------------------------
    bad(
        digit_string_batches.DigitStringBatches,
        (0, 4),
        {"seed": 0},
        ValueError,
        "batches",
        "zero-batches",
    ),
    bad(
        digit_string_batches.DigitStringBatches,
        (2, True),
        {"seed": 0},
        TypeError,
        "batch_size",
        "bool-batch",
    ),
    bad(
        digit_string_batches.DigitStringBatches,
        (2, 4),
        {"seed": 0, "split": "test"},
        ValueError,
        "split",
        "test-split",
    ),
    bad(
        digit_string_batches.DigitStringBatches,
        (2, 4),
        {"seed": "0"},
        TypeError,
        "seed",
        "string-seed",
    ),
    # --- companion.data.digits ------------------------------------------------------------
    bad(digits.load_digit_images, (1.0,), {}, ValueError, "test_fraction", "one"),
    bad(digits.load_digit_images, (0.0,), {}, ValueError, "test_fraction", "zero"),
    bad(digits.load_digit_images, ("0.25",), {}, TypeError, "test_fraction", "string"),
    bad(digits.load_digit_images, (True,), {}, TypeError, "test_fraction", "bool"),
    bad(digits.load_digit_images, (0.25,), {"seed": -3}, ValueError, "seed", "negative-seed"),
    # --- companion.data.series ------------------------------------------------------------
    bad(series.load_series, ("airline",), {}, ValueError, "name", "unknown"),
    bad(series.load_series, (5,), {}, ValueError, "name", "int"),
    bad(series.make_windows, (Z(4, 2), 2), {}, ValueError, "values", "rank"),
    bad(series.make_windows, (with_nan(6), 2), {}, ValueError, "values", "nan"),
    bad(series.make_windows, (["a", "b", "c"], 1), {}, TypeError, "values", "string"),
    bad(series.make_windows, (ramp(3), 3), {}, ValueError, "values", "too-short"),
    bad(series.make_windows, (ramp(6), 0), {}, ValueError, "input_length", "zero-input"),
    bad(series.make_windows, (ramp(6), 2, True), {}, TypeError, "horizon", "bool-horizon"),
    bad(series.make_windows, (ramp(6), 2), {"stride": 0}, ValueError, "stride", "zero-stride"),
    bad(series.Scaler.fit, ([1.0],), {}, ValueError, "values", "one-value"),
    bad(series.Scaler.fit, (Z(5),), {}, ValueError, "values", "constant"),
    bad(series.Scaler.fit, (with_inf(5),), {}, ValueError, "values", "inf"),
    bad(series.Scaler.transform, (SCALER, ["a"]), {}, TypeError, "values", "string"),
    bad(series.Scaler.inverse, (SCALER, [object()]), {}, TypeError, "values", "object"),
    bad(
        series.split_windows,
        (ramp(100), 4),
        {"validation_fraction": 0.5, "test_fraction": 0.4},
        ValueError,
        "validation_fraction",
        "fractions-sum",
    ),
    bad(
        series.split_windows,
        (ramp(100), 4),
        {"test_fraction": 0.0},
        ValueError,
        "test_fraction",
        "zero-fraction",
    ),
    bad(
        series.split_windows,
        (ramp(100), 4),
        {"test_fraction": "0.1"},
        TypeError,
        "test_fraction",
        "string-fraction",
    ),
    bad(
        series.split_windows,
        (ramp(100), 4),
        {"validation_fraction": True},
        TypeError,
        "validation_fraction",
        "bool-fraction",
    ),
    bad(series.split_windows, (ramp(8), 4, 2), {}, ValueError, "values", "too-short"),
    bad(series.split_windows, (ramp(100), -4), {}, ValueError, "input_length", "negative-input"),
    bad(series.split_windows, (with_nan(100), 4), {}, ValueError, "values", "nan"),
    # --- companion.data.synthetic ---------------------------------------------------------
    bad(synthetic.first_symbol_recall, (0, 5), {"seed": 0}, ValueError, "n", "zero-n"),
    bad(synthetic.first_symbol_recall, (2, True), {"seed": 0}, TypeError, "length", "bool-length"),
    bad(
        synthetic.first_symbol_recall, (2, 5, 1), {"seed": 0}, ValueError, "n_symbols", "one-symbol"
    ),
    bad(synthetic.first_symbol_recall, (2, 5), {"seed": "0"}, TypeError, "seed", "string-seed"),
    bad(synthetic.adding_problem, (2, 1), {"seed": 0}, ValueError, "length", "one-step"),
    bad(synthetic.adding_problem, (-2, 4), {"seed": 0}, ValueError, "n", "negative-n"),
    bad(synthetic.adding_problem, (2, 4), {"seed": True}, TypeError, "seed", "bool-seed"),
    bad(synthetic.sines, (2,), {"seed": 0, "features": 0}, ValueError, "features", "zero-features"),
    bad(
        synthetic.sines,
        (2,),
        {"seed": 0, "max_frequency": 0.0},
        ValueError,
        "max_frequency",
        "zero-frequency",
    ),
    bad(
        synthetic.sines,
        (2,),
        {"seed": 0, "max_frequency": INF},
        ValueError,
        "max_frequency",
        "inf-frequency",
    ),
    bad(
        synthetic.sines,
        (2,),
        {"seed": 0, "max_frequency": "0.1"},
        TypeError,
        "max_frequency",
        "string-frequency",
    ),
    bad(
        synthetic.sines,
        (2,),
        {"seed": 0, "max_phase": -0.1},
        ValueError,
        "max_phase",
        "negative-phase",
    ),
    bad(
        synthetic.sines, (2,), {"seed": 0, "max_phase": "0"}, TypeError, "max_phase", "string-phase"
    ),
    bad(
        synthetic.moving_digits,
        (1,),
        {"seed": 0, "size": 4},
        ValueError,
        "size",
        "smaller-than-glyph",
    ),
    bad(
        synthetic.moving_digits,
        (1,),
        {"seed": 0, "speed": (2.0, 1.0)},
        ValueError,
        "speed",
        "reversed-speed",
    ),
    bad(
        synthetic.moving_digits,
        (1,),
        {"seed": 0, "speed": (0.0, INF)},
        ValueError,
        "speed",
        "inf-speed",
    ),
    bad(
        synthetic.moving_digits,
        (1,),
        {"seed": 0, "split": "dev"},
        ValueError,
        "split",
        "unknown-split",
    ),
    bad(
        synthetic.moving_digits,
        (1,),
        {"seed": 0, "n_digits": 0},
        ValueError,
        "n_digits",
        "zero-digits",
    ),
    bad(synthetic.moving_digits, (1,), {"seed": 0, "length": 1}, ValueError, "length", "one-frame"),
    bad(synthetic.moving_digits, (1,), {"seed": -1}, ValueError, "seed", "negative-seed"),
    bad(synthetic.anomaly_windows, (2, 8), {"seed": 0}, ValueError, "length", "short"),
    bad(
        synthetic.anomaly_windows,
        (2,),
        {"seed": 0, "anomaly_fraction": 1.5},
        ValueError,
        "anomaly_fraction",
        "fraction",
    ),
    bad(
        synthetic.anomaly_windows,
        (2,),
        {"seed": 0, "anomaly_fraction": NAN},
        ValueError,
        "anomaly_fraction",
        "nan-fraction",
    ),
    bad(
        synthetic.anomaly_windows,
        (2,),
        {"seed": 0, "kinds": ("boom",)},
        ValueError,
        "kinds",
        "unknown-kind",
    ),
    bad(
        synthetic.anomaly_windows,
        (2,),
        {"seed": 0, "kinds": "spike"},
        ValueError,
        "kinds",
        "string-kinds",
    ),
    bad(synthetic.anomaly_windows, (2,), {"seed": 0, "kinds": ()}, ValueError, "kinds", "no-kinds"),
    bad(
        synthetic.anomaly_windows,
        (2,),
        {"seed": 0, "noise": -0.1},
        ValueError,
        "noise",
        "negative-noise",
    ),
    bad(
        synthetic.anomaly_windows, (2,), {"seed": 0, "noise": NAN}, ValueError, "noise", "nan-noise"
    ),
    bad(synthetic.anomaly_windows, (2,), {"seed": "0"}, TypeError, "seed", "string-seed"),
    # --- companion.models.autoencoders ----------------------------------------------------
    bad(autoencoders.dense_autoencoder, (0, 2), {}, ValueError, "input_dim", "zero-input"),
    bad(autoencoders.dense_autoencoder, (4, True), {}, TypeError, "code_size", "bool-code"),
    bad(autoencoders.dense_autoencoder, (4, 2), {"hidden": ()}, ValueError, "hidden", "no-hidden"),
    bad(autoencoders.dense_autoencoder, (4, 2), {"hidden": 8}, ValueError, "hidden", "int-hidden"),
    bad(
        autoencoders.dense_autoencoder,
        (4, 2),
        {"hidden": (8, 0)},
        ValueError,
        "hidden",
        "zero-hidden",
    ),
    bad(
        autoencoders.dense_autoencoder,
        (4, 2),
        {"output_activation": "relu"},
        ValueError,
        "output_activation",
        "activation",
    ),
    bad(
        autoencoders.dense_autoencoder,
        (4, 2),
        {"noise": -0.1},
        ValueError,
        "noise",
        "negative-noise",
    ),
    bad(autoencoders.dense_autoencoder, (4, 2), {"noise": NAN}, ValueError, "noise", "nan-noise"),
    bad(autoencoders.conv_autoencoder, ((8, 8),), {}, ValueError, "image_shape", "rank"),
    bad(
        autoencoders.conv_autoencoder, ((6, 6, 1),), {}, ValueError, "image_shape", "not-divisible"
    ),
    bad(
        autoencoders.conv_autoencoder, ((8, 8, 0),), {}, ValueError, "image_shape", "zero-channels"
    ),
    bad(autoencoders.conv_autoencoder, ((8, 8, 1), 0), {}, ValueError, "code_size", "zero-code"),
    bad(
        autoencoders.conv_autoencoder,
        ((8, 8, 1),),
        {"filters": ()},
        ValueError,
        "filters",
        "no-filters",
    ),
    bad(autoencoders.lstm_autoencoder, (0,), {}, ValueError, "timesteps", "zero-steps"),
    bad(autoencoders.lstm_autoencoder, (4,), {"units": True}, TypeError, "units", "bool-units"),
    bad(autoencoders.lstm_autoencoder, (4, -1), {}, ValueError, "features", "negative-features"),
    bad(autoencoders.reconstruction_errors, (DENSE_AE, "x"), {}, TypeError, "x", "string"),
    bad(autoencoders.reconstruction_errors, (DENSE_AE, Z(4)), {}, ValueError, "x", "rank"),
    bad(
        autoencoders.reconstruction_errors, (DENSE_AE, Z(0, 4)), {}, ValueError, "x", "no-examples"
    ),
    bad(autoencoders.reconstruction_errors, (DENSE_AE, Z(2, 5)), {}, ValueError, "x", "features"),
    bad(autoencoders.reconstruction_errors, (DENSE_AE, with_nan(2, 4)), {}, ValueError, "x", "nan"),
    bad(
        autoencoders.reconstruction_errors,
        (DENSE_AE, Z(2, 4)),
        {"batch_size": 0},
        ValueError,
        "batch_size",
        "zero-batch",
    ),
    bad(
        autoencoders.lstm_autoencoder_numpy,
        (DENSE_AE, Z(1, 3, 1)),
        {},
        ValueError,
        "model",
        "dense-model",
    ),
    bad(autoencoders.lstm_autoencoder_numpy, (LSTM_AE, Z(1, 4, 1)), {}, ValueError, "x", "length"),
    bad(autoencoders.lstm_autoencoder_numpy, (LSTM_AE, Z(3, 1)), {}, ValueError, "x", "rank"),
    bad(
        autoencoders.lstm_autoencoder_numpy,
        (LSTM_AE, with_inf(1, 3, 1)),
        {},
        ValueError,
        "x",
        "inf",
    ),
    # --- companion.models.cnn -------------------------------------------------------------
    bad(cnn.conv_classifier, ((8, 8), 10), {}, ValueError, "input_shape", "rank"),
    bad(cnn.conv_classifier, ((8, 8, 1), 1), {}, ValueError, "classes", "one-class"),
    bad(cnn.conv_classifier, ((8, 8, 1), True), {}, TypeError, "classes", "bool-classes"),
    bad(cnn.conv_classifier, ((8, 8, 1), 10), {"filters": ()}, ValueError, "filters", "no-filters"),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"filters": (4, 0)},
        ValueError,
        "filters",
        "zero-filters",
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"kernel_size": 0},
        ValueError,
        "kernel_size",
        "zero-kernel",
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"pool_after": (5,)},
        ValueError,
        "pool_after",
        "pool-index",
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"pool_after": (True,)},
        TypeError,
        "pool_after",
        "bool-index",
    ),
    bad(
        cnn.conv_classifier, ((8, 8, 1), 10), {"dropout": 1.0}, ValueError, "dropout", "dropout-one"
    ),
    bad(
        cnn.conv_classifier, ((8, 8, 1), 10), {"dropout": NAN}, ValueError, "dropout", "nan-dropout"
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"dropout": "0.3"},
        TypeError,
        "dropout",
        "string-dropout",
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"translation": 0.5},
        ValueError,
        "translation",
        "translation",
    ),
    bad(
        cnn.conv_classifier,
        ((8, 8, 1), 10),
        {"translation": "0.1"},
        TypeError,
        "translation",
        "string-translation",
    ),
    bad(cnn.dense_classifier, ((8, 8), 10), {}, ValueError, "input_shape", "rank"),
    bad(cnn.dense_classifier, ((8, 8, 1), 1), {}, ValueError, "classes", "one-class"),
    bad(cnn.dense_classifier, ((8, 8, 1), 10), {"hidden": ()}, ValueError, "hidden", "no-layer"),
    bad(cnn.dense_classifier, ((8, 8, 1), 10), {"hidden": 64}, ValueError, "hidden", "integer"),
    bad(cnn.dense_classifier, ((8, 8, 1), 10), {"hidden": (0,)}, ValueError, "hidden", "zero"),
    bad(cnn.dense_classifier, ((8, 8, 1), 10), {"hidden": (True,)}, TypeError, "hidden", "bool"),
    bad(cnn.dense_classifier, ((8, 8, 1), 10), {"dropout": NAN}, ValueError, "dropout", "nan"),
    bad(
        cnn.dense_classifier,
        ((8, 8, 1), 10),
        {"translation": -0.1},
        ValueError,
        "translation",
        "negative-translation",
    ),
    bad(cnn.dense_parameters, ((8, 8, 1), 10, ()), {}, ValueError, "hidden", "no-layer"),
    bad(cnn.dense_parameters, ((8, 8, 1, 1), 10, (4,)), {}, ValueError, "input_shape", "rank"),
    bad(cnn.dense_parameters, ((8, 8, 1), 1.5, (4,)), {}, TypeError, "classes", "float"),
    bad(cnn.dense_width_for, (0, (8, 8, 1), 10), {}, ValueError, "parameters", "zero-parameters"),
    bad(cnn.dense_width_for, (100.0, (8, 8, 1), 10), {}, TypeError, "parameters", "float"),
    bad(cnn.dense_width_for, (100, (8, 8, 1), 10), {"layers": 0}, ValueError, "layers", "no-layer"),
    bad(cnn.dense_width_for, (100, (8, 8), 10), {}, ValueError, "input_shape", "rank"),
    # --- companion.models.cnn_rnn ---------------------------------------------------------
    bad(cnn_rnn.rows_rnn, ((8, 8), 10), {}, ValueError, "input_shape", "rank"),
    bad(cnn_rnn.rows_rnn, ((8, 8, 1), 10), {"units": 0}, ValueError, "units", "zero-units"),
    bad(cnn_rnn.cnn_rnn, ((8, 8, 1), 1), {}, ValueError, "classes", "one-class"),
    bad(cnn_rnn.cnn_rnn, ((8, 8, 1), 10), {"filters": ()}, ValueError, "filters", "no-filters"),
    bad(
        cnn_rnn.cnn_rnn,
        ((8, 8, 1), 10),
        {"filters": (4, -1)},
        ValueError,
        "filters",
        "negative-filters",
    ),
    bad(
        cnn_rnn.fusion_model,
        ((8, 8, 1), 10),
        {"features": 0},
        ValueError,
        "features",
        "zero-features",
    ),
    bad(
        cnn_rnn.fusion_model, ((8, 8, 1), 10), {"filters": 4}, ValueError, "filters", "int-filters"
    ),
    bad(cnn_rnn.fusion_model, ((8, 8, 1.5), 10), {}, TypeError, "input_shape", "float-channels"),
    bad(cnn_rnn.early_fusion_model, ((8, 8), 10), {}, ValueError, "input_shape", "rank"),
    bad(
        cnn_rnn.early_fusion_model,
        ((8, 8, 1), 10),
        {"features": 0},
        ValueError,
        "features",
        "zero-features",
    ),
    bad(
        cnn_rnn.early_fusion_model,
        ((8, 8, 1), 10),
        {"filters": ()},
        ValueError,
        "filters",
        "no-filters",
    ),
    bad(cnn_rnn.early_fusion_model, ((8, 8, 1), 1), {}, ValueError, "classes", "one-class"),
    # --- companion.models.convlstm --------------------------------------------------------
    bad(convlstm.convlstm_predictor, ((16, 16),), {}, ValueError, "frame_shape", "rank"),
    bad(convlstm.convlstm_predictor, (), {"filters": ()}, ValueError, "filters", "no-filters"),
    bad(
        convlstm.convlstm_predictor,
        (),
        {"kernel_size": 0},
        ValueError,
        "kernel_size",
        "zero-kernel",
    ),
    bad(
        convlstm.leaky_convlstm_predictor,
        ((16, 0, 1),),
        {},
        ValueError,
        "frame_shape",
        "zero-width",
    ),
    bad(
        convlstm.leaky_convlstm_predictor,
        (),
        {"filters": (4, True)},
        TypeError,
        "filters",
        "bool-filters",
    ),
    bad(convlstm.cnn_lstm_predictor, ((6, 6, 1),), {}, ValueError, "frame_shape", "not-divisible"),
    bad(convlstm.cnn_lstm_predictor, (), {"units": 0}, ValueError, "units", "zero-units"),
    bad(convlstm.cnn_lstm_predictor, (), {"filters": 8}, ValueError, "filters", "int-filters"),
    bad(convlstm.next_frame_pairs, (Z(1, 3, 4, 4),), {}, ValueError, "frames", "rank"),
    bad(convlstm.next_frame_pairs, (Z(1, 1, 4, 4, 1),), {}, ValueError, "frames", "one-frame"),
    bad(convlstm.next_frame_pairs, (with_nan(1, 3, 4, 4, 1),), {}, ValueError, "frames", "nan"),
    bad(convlstm.copy_last_frame, (Z(3, 4, 4, 1),), {}, ValueError, "inputs", "rank"),
    bad(convlstm.copy_last_frame, ("frames",), {}, TypeError, "inputs", "string"),
    bad(
        convlstm.mse_per_step,
        (Z(1, 3, 4, 4, 1), Z(1, 2, 4, 4, 1)),
        {},
        ValueError,
        "predictions",
        "mismatched",
    ),
    bad(
        convlstm.mse_per_step, (Z(1, 3, 4, 4, 1), Z(3, 4, 4, 1)), {}, ValueError, "targets", "rank"
    ),
    bad(convlstm.rollout, (CONVLSTM, Z(1, 2, 4, 4)), {"steps": 1}, ValueError, "context", "rank"),
    bad(convlstm.rollout, (CONVLSTM, FRAMES, 0), {}, ValueError, "steps", "zero-steps"),
    bad(convlstm.rollout, (CONVLSTM, FRAMES, True), {}, TypeError, "steps", "bool-steps"),
    bad(
        convlstm.rollout,
        (CONVLSTM, FRAMES, 1),
        {"batch_size": 0},
        ValueError,
        "batch_size",
        "zero-batch",
    ),
    bad(
        convlstm.future_masked_predictions,
        (CONVLSTM, Z(2, 4, 4, 1)),
        {},
        ValueError,
        "inputs",
        "rank",
    ),
    bad(
        convlstm.future_masked_predictions,
        (CONVLSTM, FRAMES),
        {"batch_size": -1},
        ValueError,
        "batch_size",
        "negative-batch",
    ),
    bad(convlstm.future_influence, (CONVLSTM, FRAMES, 0), {}, ValueError, "step", "zero-step"),
    bad(
        convlstm.future_influence, (CONVLSTM, FRAMES, 3), {}, ValueError, "step", "step-beyond-time"
    ),
    bad(convlstm.future_influence, (CONVLSTM, FRAMES, 1.0), {}, TypeError, "step", "float-step"),
    bad(
        convlstm.future_influence,
        (CONVLSTM, Z(1, 1, 4, 4, 1), 1),
        {},
        ValueError,
        "inputs",
        "one-frame",
    ),
    bad(
        convlstm.future_influence,
        (CONVLSTM, FRAMES, 1),
        {"seed": "0"},
        TypeError,
        "seed",
        "string-seed",
    ),
    bad(convlstm.assert_causal, (CONVLSTM, Z(1, 3, 4, 4)), {}, ValueError, "inputs", "rank"),
    bad(
        convlstm.assert_causal,
        (CONVLSTM, FRAMES),
        {"tolerance": -1.0},
        ValueError,
        "tolerance",
        "negative-tolerance",
    ),
    bad(
        convlstm.assert_causal,
        (CONVLSTM, FRAMES),
        {"tolerance": NAN},
        ValueError,
        "tolerance",
        "nan-tolerance",
    ),
    bad(
        convlstm.assert_causal,
        (CONVLSTM, FRAMES),
        {"tolerance": "0"},
        TypeError,
        "tolerance",
        "string-tolerance",
    ),
    # --- companion.diagrams ----------------------------------------------------------------
    bad(diagrams.unrolled_rnn, (0,), {}, ValueError, "steps", "zero-steps"),
    bad(diagrams.unrolled_rnn, (), {"outputs": "some"}, ValueError, "outputs", "unknown"),
    bad(diagrams.lstm_cell, (), {"weights": "yes"}, TypeError, "weights", "string"),
    bad(diagrams.gru_cell, (), {"weights": 1}, TypeError, "weights", "int"),
    bad(diagrams.convolution_geometry, (0, 3), {}, ValueError, "size", "zero-size"),
    bad(diagrams.convolution_geometry, (3, 6), {}, ValueError, "kernel", "kernel-too-long"),
    bad(diagrams.convolution_window, (), {"stride": 0}, ValueError, "stride", "zero-stride"),
    bad(diagrams.map_to_sequence_shapes, (0, 4, 2), {}, ValueError, "height", "zero"),
    bad(diagrams.map_to_sequence, (), {"channels": 2.5}, TypeError, "channels", "float"),
    bad(diagrams.ctc_lattice_graph, ([1], 0), {}, ValueError, "steps", "zero-steps"),
    bad(diagrams.ctc_lattice_graph, ([0, 1], 4), {}, ValueError, "label", "blank-in-label"),
    bad(diagrams.ctc_lattice, (), {"path": "-33-3-7-"}, TypeError, "path", "string-path"),
    # --- companion.models.crnn ------------------------------------------------------------
    bad(crnn.crnn, (4,), {}, ValueError, "height", "low"),
    bad(crnn.position_classifier, (16, 4), {}, ValueError, "width", "narrow"),
    bad(crnn.position_classifier, (16, 16), {"max_length": 0}, ValueError, "max_length", "zero"),
    bad(crnn.position_classifier, (16, 16), {"dropout": 1.0}, ValueError, "dropout", "one"),
    bad(crnn.position_targets, ([[1, 2, 3]], 2, 10), {}, ValueError, "labels", "too-long"),
    bad(crnn.position_targets, ([[10]], 2, 10), {}, ValueError, "labels", "symbol-too-big"),
    bad(crnn.position_targets, ([[1]], 0, 10), {}, ValueError, "max_length", "zero"),
    bad(crnn.read_positions, (POSITION_CLASSIFIER, Z(8, 8)), {}, ValueError, "images", "rank"),
    bad(
        crnn.read_positions,
        (POSITION_CLASSIFIER, Z(1, 8, 8, 1)),
        {},
        ValueError,
        "images",
        "wrong-size",
    ),
    bad(crnn.batch_statistics_logits, ("model", Z(1, 8, 8, 1)), {}, TypeError, "model", "string"),
    bad(
        crnn.transcribe,
        (CRNN, Z(1, 8, 8, 1)),
        {"batch_statistics": 1},
        TypeError,
        "batch_statistics",
        "int-mode",
    ),
    bad(crnn.crnn, (16, 2), {}, ValueError, "width", "narrow"),
    bad(crnn.crnn, (16.0,), {}, TypeError, "height", "float-height"),
    bad(crnn.crnn, (16,), {"channels": True}, TypeError, "channels", "bool-channels"),
    bad(crnn.crnn, (16,), {"alphabet_size": 0}, ValueError, "alphabet_size", "zero-alphabet"),
    bad(crnn.crnn, (16,), {"filters": (8, 8)}, ValueError, "filters", "two-blocks"),
    bad(crnn.crnn, (16,), {"filters": 8}, TypeError, "filters", "int-filters"),
    bad(crnn.crnn, (16,), {"filters": (8, 0, 8)}, ValueError, "filters", "zero-filters"),
    bad(crnn.crnn, (16,), {"dropout": 1.0}, ValueError, "dropout", "dropout-one"),
    bad(crnn.crnn, (16,), {"dropout": "0.1"}, TypeError, "dropout", "string-dropout"),
    bad(crnn.crnn, (16,), {"width_pools": 4}, ValueError, "width_pools", "four-pools"),
    bad(crnn.crnn, (16,), {"width_pools": True}, TypeError, "width_pools", "bool-pools"),
    bad(crnn.transcribe, (CRNN, Z(8, 8)), {}, ValueError, "images", "rank"),
    bad(crnn.transcribe, (CRNN, Z(1, 8, 8, 3)), {}, ValueError, "images", "colour-for-grey-model"),
    bad(crnn.transcribe, (CRNN, Z(1, 16, 8, 1)), {}, ValueError, "images", "height"),
    bad(crnn.transcribe, (CRNN, [[[["a"]]]]), {}, TypeError, "images", "string"),
    bad(crnn.transcribe, (CRNN, with_nan(1, 8, 8, 1)), {}, ValueError, "images", "nan"),
    bad(
        crnn.transcribe, (CRNN, Z(1, 8, 8, 1), [8]), {}, ValueError, "widths", "widths-for-unmasked"
    ),
    bad(
        crnn.transcribe,
        (CRNN, Z(1, 8, 8, 1)),
        {"batch_size": 0},
        ValueError,
        "batch_size",
        "zero-batch",
    ),
    # --- companion.models.forecasting -----------------------------------------------------
    bad(forecasters.conv_lstm_steps, (2, 3, 2), {}, ValueError, "input_length", "too-short"),
    bad(forecasters.conv_lstm_steps, (12, 0, 2), {}, ValueError, "kernel_size", "zero-kernel"),
    bad(forecasters.conv_lstm_steps, (12, 3, True), {}, TypeError, "pool_size", "bool-pool"),
    bad(forecasters.cnn_lstm_forecaster, (0,), {}, ValueError, "input_length", "zero-input"),
    bad(forecasters.cnn_lstm_forecaster, (12, 0), {}, ValueError, "horizon", "zero-horizon"),
    bad(
        forecasters.cnn_lstm_forecaster,
        (12,),
        {"filters": 2.0},
        TypeError,
        "filters",
        "float-filters",
    ),
    bad(
        forecasters.cnn_lstm_forecaster,
        (12,),
        {"dropout": 1.0},
        ValueError,
        "dropout",
        "dropout-one",
    ),
    bad(forecasters.cnn_lstm_forecaster, (12,), {"l2": -1e-3}, ValueError, "l2", "negative-l2"),
    bad(forecasters.cnn_lstm_forecaster, (12,), {"l1": "0"}, ValueError, "l1", "string-l1"),
    bad(forecasters.cnn_lstm_forecaster, (12,), {"l1": NAN}, ValueError, "l1", "nan-l1"),
    bad(
        forecasters.cnn_lstm_reference,
        (DENSE_AE, Z(1, 4, 1)),
        {},
        ValueError,
        "model",
        "other-model",
    ),
    bad(forecasters.cnn_lstm_reference, (FORECASTER, Z(1, 4)), {}, ValueError, "x", "rank"),
    bad(forecasters.cnn_lstm_reference, (FORECASTER, Z(1, 5, 1)), {}, ValueError, "x", "length"),
    bad(
        forecasters.cnn_lstm_reference, (FORECASTER, with_nan(1, 4, 1)), {}, ValueError, "x", "nan"
    ),
    bad(forecasters.seed_002_model, (3,), {}, ValueError, "input_length", "too-short"),
    bad(forecasters.seed_002_model, ("12",), {}, TypeError, "input_length", "string"),
    # --- companion.models.gan -------------------------------------------------------------
    bad(gan.recurrent_generator, (0,), {}, ValueError, "length", "zero-length"),
    bad(gan.recurrent_generator, (), {"cell": "rnn"}, ValueError, "cell", "unknown-cell"),
    bad(gan.recurrent_generator, (), {"noise": "none"}, ValueError, "noise", "unknown-noise"),
    bad(gan.recurrent_generator, (), {"noise_dim": True}, TypeError, "noise_dim", "bool-noise-dim"),
    bad(
        gan.recurrent_generator,
        (),
        {"condition_dim": -1},
        ValueError,
        "condition_dim",
        "negative-condition",
    ),
    bad(
        gan.recurrent_generator,
        (),
        {"output_activation": "bogus"},
        ValueError,
        "output_activation",
        "unknown-activation",
    ),
    bad(gan.recurrent_discriminator, (), {"layers": 0}, ValueError, "layers", "zero-layers"),
    bad(
        gan.recurrent_discriminator, (), {"features": 2.5}, TypeError, "features", "float-features"
    ),
    bad(gan.recurrent_discriminator, (), {"cell": "GRU"}, ValueError, "cell", "case"),
    # --- companion.models.video_gan -------------------------------------------------------
    bad(video_gan.frame_decoder, (0,), {}, ValueError, "latent_dim", "zero-latent"),
    bad(video_gan.frame_decoder, (4, 10), {}, ValueError, "size", "not-multiple-of-4"),
    bad(video_gan.frame_decoder, (4,), {"filters": 0}, ValueError, "filters", "zero-filters"),
    bad(
        video_gan.frame_decoder,
        (4,),
        {"output_bias": "dark"},
        TypeError,
        "output_bias",
        "string-bias",
    ),
    bad(video_gan.frame_decoder, (4,), {"output_bias": NAN}, ValueError, "output_bias", "nan-bias"),
    bad(video_gan.trajectory_generator, (0,), {}, ValueError, "length", "zero-length"),
    bad(
        video_gan.trajectory_generator,
        (),
        {"classes": -1},
        ValueError,
        "classes",
        "negative-classes",
    ),
    bad(
        video_gan.trajectory_generator,
        (),
        {"motion_dim": True},
        TypeError,
        "motion_dim",
        "bool-motion",
    ),
    bad(video_gan.PlaceGlyph, (0,), {}, ValueError, "size", "zero-size"),
    bad(video_gan.PlaceGlyph, ("16",), {}, TypeError, "size", "string-size"),
    bad(
        video_gan.sprite_generator,
        (4, 8),
        {"glyph_size": 12},
        ValueError,
        "glyph_size",
        "glyph-larger-than-frame",
    ),
    bad(
        video_gan.sprite_generator,
        (4, 8),
        {"glyph_size": 6},
        ValueError,
        "glyph_size",
        "glyph-not-multiple-of-4",
    ),
    bad(video_gan.sprite_generator, (4, 0), {}, ValueError, "size", "zero-size"),
    bad(video_gan.frame_discriminator, (2,), {}, ValueError, "size", "small"),
    bad(
        video_gan.frame_discriminator,
        (),
        {"auxiliary_classifier": True},
        ValueError,
        "auxiliary_classifier",
        "no-classes",
    ),
    bad(video_gan.sequence_discriminator, (1,), {}, ValueError, "length", "one-frame"),
    bad(video_gan.sequence_discriminator, (), {"units": 0}, ValueError, "units", "zero-units"),
    # --- companion.pipeline -----------------------------------------------------------
    bad(
        pipeline.repeated_dataset,
        (np.zeros((4, 2)), np.zeros(4)),
        {},
        ValueError,
        "batch_size",
        "missing-batch-size",
    ),
    bad(
        pipeline.repeated_dataset,
        (np.zeros((4, 2)), np.zeros(4)),
        {"batch_size": 0},
        ValueError,
        "batch_size",
        "zero-batch-size",
    ),
    bad(
        pipeline.repeated_dataset,
        (np.zeros((4, 2)), np.zeros(3)),
        {"batch_size": 2},
        ValueError,
        "y",
        "lengths-differ",
    ),
    bad(
        pipeline.repeated_dataset,
        (np.zeros((0, 2)), np.zeros(0)),
        {"batch_size": 2},
        ValueError,
        "x",
        "empty",
    ),
    bad(
        pipeline.repeated_dataset,
        (np.zeros((4, 2)), np.zeros(4)),
        {"batch_size": 2, "seed": -1},
        ValueError,
        "seed",
        "negative-seed",
    ),
    bad(
        pipeline.repeated_dataset,
        (digit_string_batches.DigitStringBatches(1, 2, seed=0),),
        {"batch_size": 2},
        TypeError,
        "y",
        "batch-size-with-pydataset",
    ),
    bad(
        pipeline.repeated_dataset,
        (digit_string_batches.DigitStringBatches(2, 2, seed=0, fit_width=True),),
        {},
        ValueError,
        "x",
        "batches-of-other-widths",
    ),
]


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Fail a call that runs for longer than ``seconds`` instead of hanging the suite."""
    if not hasattr(signal, "SIGALRM"):  # no alarm signal on Windows: run unguarded
        yield
        return

    def stop(signum, frame):
        raise TimeoutError(f"the call ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(("fn", "args", "kwargs", "error", "match"), CASES)
def test_bad_input_is_rejected_naming_the_argument(fn, args, kwargs, error, match):
    args = tuple(_resolve(a) for a in args)
    kwargs = {key: _resolve(value) for key, value in kwargs.items()}
    try:
        with _time_limit(SECONDS_PER_CASE), pytest.raises(error, match=match):
            fn(*args, **kwargs)
    finally:
        plt.close("all")


# Public callables without an entry in CASES, each with the reason.
NO_ARGUMENTS = "takes no arguments"
RESULT_RECORD = (
    "a frozen dataclass that the package's own functions fill in and return; it holds "
    "results, not user input"
)
LAYER_WITHOUT_ARGUMENTS = (
    "a Keras layer with no arguments of its own; its inputs are tensors from other layers"
)
EXEMPT = {
    "companion.bptt.GradientNormModel": "a keras.Model built from inputs and outputs as "
    "keras.Model is; Keras checks those",
    "companion.runtime.mode": NO_ARGUMENTS,
    "companion.runtime.is_fast": NO_ARGUMENTS,
    "companion.runtime.in_colab": NO_ARGUMENTS,
    "companion.runtime.gpu_names": NO_ARGUMENTS,
    "companion.runtime.device_label": NO_ARGUMENTS,
    "companion.runtime.device_report": NO_ARGUMENTS,
    "companion.runtime.print_device_report": NO_ARGUMENTS,
    "companion.runtime.print_versions_and_device": NO_ARGUMENTS,
    "companion.plots.apply_style": NO_ARGUMENTS,
    "companion.bench.EpochTimer": NO_ARGUMENTS,
    "companion.colab.install_requirement": NO_ARGUMENTS,
    "companion.colab.setup_cell_source": NO_ARGUMENTS,
    "companion.results.results_path": NO_ARGUMENTS,
    "companion.data.series.load_sunspots": NO_ARGUMENTS,
    "companion.data.series.load_co2": NO_ARGUMENTS,
    "companion.data.series.load_nile": NO_ARGUMENTS,
    "companion.cells.ElmanGradients": RESULT_RECORD,
    "companion.cells.LSTMTrace": RESULT_RECORD,
    "companion.cells.LSTMGradients": RESULT_RECORD,
    "companion.cells.GRUTrace": RESULT_RECORD,
    "companion.cells.GRUGradients": RESULT_RECORD,
    "companion.metrics.PairedComparison": RESULT_RECORD,
    "companion.training.FitReport": RESULT_RECORD,
    "companion.diagrams.ConvolutionGeometry": RESULT_RECORD,
    "companion.diagrams.MapToSequenceShapes": RESULT_RECORD,
    "companion.diagrams.CTCLattice": RESULT_RECORD,
    "companion.metrics.ForecastComparison": RESULT_RECORD,
    "companion.metrics.MotionStatistics": RESULT_RECORD,
    "companion.results.Record": RESULT_RECORD,
    "companion.check.CheckResult": RESULT_RECORD,
    "companion.display.CaughtError": RESULT_RECORD,
    "companion.data.digits.DigitSplit": RESULT_RECORD,
    "companion.data.series.Series": RESULT_RECORD,
    "companion.data.series.WindowedSplit": RESULT_RECORD,
    "companion.data.synthetic.AnomalyWindows": RESULT_RECORD,
    "companion.layers.BlankPaddedFrames": LAYER_WITHOUT_ARGUMENTS,
    "companion.models.forecasting.SubtractLast": LAYER_WITHOUT_ARGUMENTS,
    "companion.models.forecasting.AddLast": LAYER_WITHOUT_ARGUMENTS,
    # A command-line entry point: argparse answers bad arguments by exiting with status 2.
    "companion.validation.is_real_number": "a predicate: anything that is not a number "
    "gives False, never an error",
    "companion.results.main": "argparse reports bad command-line arguments itself",
    "companion.bench.main": "a command-line entry point whose one argument is a file path",
    "companion.bench.Measurement": RESULT_RECORD,
    "companion.distribute.WorkerError": "an exception class, raised by run_workers",
}


def _module_names(package) -> list[str]:
    names = []
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        names.append(info.name)
        if info.ispkg:
            names += _module_names(importlib.import_module(info.name))
    return names


def _modules():
    """Every module of the package, subpackages included."""
    return [importlib.import_module(name) for name in _module_names(companion)]


def _public_callables() -> set[str]:
    names = set()
    for module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj):
                continue
            home = getattr(obj, "__module__", None) or ""
            # Skip what a module imports: other packages' names, and companion names that
            # are counted in the module that defines them.
            if not home.startswith("companion") or home != module.__name__:
                continue
            names.add(f"{module.__name__}.{name}")
    return names


def _covered() -> set[str]:
    """The public names CASES calls: a function, a class, or a method of a class."""
    names = set()
    for case in CASES:
        fn = case.values[0]
        owner = fn.__qualname__.split(".")[0]
        names.add(f"{fn.__module__}.{owner}")
    return names


def test_every_public_callable_is_swept():
    public = _public_callables()
    missing = sorted(public - _covered() - set(EXEMPT))
    assert not missing, f"public callables with no bad-input case and no exemption: {missing}"


def test_exemptions_name_existing_callables_without_cases():
    public = _public_callables()
    stale = sorted(set(EXEMPT) - public)
    assert not stale, f"exempt names that are not public callables: {stale}"
    both = sorted(set(EXEMPT) & _covered())
    assert not both, f"exempt names that have cases after all: {both}"


def test_cases_have_unique_ids():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


def test_signature_of_every_case_fits():
    """Each case binds to its callable's signature: it fails for its values, not for a typo
    in an argument's name."""
    for case in CASES:
        fn, args, kwargs = case.values[:3]
        target = inspect.unwrap(fn)
        try:
            inspect.signature(target).bind(*args, **kwargs)
        except TypeError as error:
            raise AssertionError(f"{case.id}: {error}") from error


def test_the_number_checks_accept_numbers_and_refuse_booleans():
    for number in (1, 1.5, np.float32(1), np.int64(2), np.float64(0.5)):
        assert validation.is_real_number(number)
    for not_a_number in (True, np.bool_(False), "1", None, [1.0]):
        assert not validation.is_real_number(not_a_number)
    assert validation.check_number("x", 2, "a number") == 2
    assert validation.check_number("x", np.float64(0.5), "a number") == 0.5

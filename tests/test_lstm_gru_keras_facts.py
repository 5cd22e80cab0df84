"""What chapter 02 says Keras and TensorFlow do with recurrent layers, each statement tested
here on the installed versions: the loop a layer runs on a CPU, what recurrent dropout
changes, when the cuDNN path checks a mask and how that check fails, what a mask and
``Bidirectional`` compute."""

from __future__ import annotations

import importlib
import inspect
from collections import Counter

import keras
import numpy as np
import pytest
import tensorflow as tf

from companion.keras_cells import PeepholeLSTMCell, loop_body_ops

# The modules, not the functions of the same names that their packages export.
tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
keras_lstm = importlib.import_module("keras.src.layers.rnn.lstm")

SHAPE = (2, 5, 3)
no_gpu = pytest.mark.skipif(
    bool(tf.config.list_logical_devices("GPU")), reason="a GPU is visible: cuDNN may run"
)


@no_gpu
def test_without_a_gpu_lstm_runs_the_same_loop_as_a_generic_rnn_of_its_cell():
    assert not tf_rnn.cudnn_ok(keras.activations.tanh, keras.activations.sigmoid, False, True)
    lstm = loop_body_ops(keras.layers.LSTM(4), SHAPE)
    generic = loop_body_ops(keras.layers.RNN(keras.layers.LSTMCell(4)), SHAPE)
    assert lstm and lstm == generic
    assert lstm["MatMul"] == 2  # one product with the 4n-wide kernel, one with the recurrent


def test_the_peephole_cell_adds_elementwise_work_not_matrix_products():
    lstm = loop_body_ops(keras.layers.RNN(keras.layers.LSTMCell(4)), SHAPE)
    peephole = loop_body_ops(keras.layers.RNN(PeepholeLSTMCell(4)), SHAPE)
    assert peephole["MatMul"] == lstm["MatMul"] == 2
    assert peephole["Mul"] - lstm["Mul"] == 3  # c * w_ci, c * w_cf, c * w_co
    assert sum(peephole.values()) > sum(lstm.values())


def test_recurrent_dropout_switches_the_cell_to_four_products_per_input():
    """keras/src/layers/rnn/lstm.py, LSTMCell.__init__: recurrent_dropout != 0 sets
    implementation = 1, which multiplies by each gate's block separately."""
    assert keras.layers.LSTMCell(4, recurrent_dropout=0.2).implementation == 1
    assert keras.layers.LSTMCell(4).implementation == 2
    body = loop_body_ops(keras.layers.LSTM(4, recurrent_dropout=0.2), SHAPE, training=True)
    assert body["MatMul"] == 8


def test_recurrent_dropout_skips_the_cudnn_attempt():
    source = inspect.getsource(keras_lstm.LSTM.inner_loop)
    assert "if not self.recurrent_dropout:" in source
    assert source.index("if not self.recurrent_dropout:") < source.index("backend.lstm(")
    with pytest.raises(ValueError, match="use_cudnn=True was specified"):
        keras.layers.LSTM(4, recurrent_dropout=0.2, use_cudnn=True)(np.zeros(SHAPE, "float32"))


def test_the_cudnn_path_checks_masks_with_a_graph_assert():
    """keras/src/backend/tensorflow/rnn.py: _cudnn_lstm and _cudnn_gru call
    _assert_valid_mask, a tf.Assert; lstm() and gru() turn an InvalidArgumentError raised
    while the Python call runs into NotImplementedError (the fallback)."""
    for function in (tf_rnn._cudnn_lstm, tf_rnn._cudnn_gru):
        assert "_assert_valid_mask(mask)" in inspect.getsource(function)
    assert "tf.Assert(" in inspect.getsource(tf_rnn._assert_valid_mask)
    for function in (tf_rnn.lstm, tf_rnn.gru):
        source = inspect.getsource(function)
        handler = source.index("except tf.errors.InvalidArgumentError:")
        assert "raise NotImplementedError" in source[handler:]


LEFT_PADDED = np.array([[False, False, True, True], [True, True, True, True]])
RIGHT_PADDED = np.array([[True, True, False, False], [True, True, True, True]])


def test_the_mask_check_fails_at_once_eagerly_and_only_when_a_graph_runs():
    tf_rnn._assert_valid_mask(tf.constant(RIGHT_PADDED))
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        tf_rnn._assert_valid_mask(tf.constant(LEFT_PADDED))

    traced = []

    @tf.function
    def check(mask):
        tf_rnn._assert_valid_mask(mask)
        traced.append(True)  # Python reaches here: tracing did not fail
        return tf.reduce_sum(tf.cast(mask, tf.int32))

    check.get_concrete_function(tf.TensorSpec((2, 4), tf.bool))
    assert traced
    assert int(check(tf.constant(RIGHT_PADDED))) == 6
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        check(tf.constant(LEFT_PADDED))


@pytest.mark.parametrize("make", [lambda: keras.layers.LSTM(3), lambda: keras.layers.GRU(3)])
@pytest.mark.parametrize("side", ["end", "start"])
def test_masked_steps_do_not_change_the_output(make, side):
    rng = np.random.default_rng(0)
    short = rng.normal(size=(1, 4, 2)).astype("float32")
    padding = np.full((1, 3, 2), -1.0, "float32")  # not zeros: from a zero state, an
    # untrained LSTM or GRU reading zeros stays at zero, and the mask would not show
    padded = np.concatenate([short, padding] if side == "end" else [padding, short], axis=1)
    layer = make()
    masked = keras.Sequential([keras.Input((None, 2)), keras.layers.Masking(-1.0), layer])
    np.testing.assert_allclose(masked(padded), layer(short), atol=1e-6)
    assert np.abs(np.asarray(layer(padded)) - np.asarray(layer(short))).max() > 1e-4


def test_bidirectional_concatenates_forward_and_time_aligned_backward_states():
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    bi = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))
    y = np.asarray(bi(x))
    assert y.shape == (2, 6, 8)
    np.testing.assert_allclose(y[..., :4], bi.forward_layer(x), atol=1e-6)
    assert bi.backward_layer.go_backwards
    backward = np.asarray(bi.backward_layer(x))[:, ::-1]  # Keras returns it in reading order
    np.testing.assert_allclose(y[..., 4:], backward, atol=1e-6)


def test_loop_body_ops_is_empty_without_a_loop_and_checks_its_arguments():
    assert loop_body_ops(keras.layers.LSTM(2, unroll=True), SHAPE) == Counter()
    with pytest.raises(TypeError, match=r"^layer: expected a Keras recurrent layer"):
        loop_body_ops(keras.layers.Dense(2), SHAPE)
    with pytest.raises(ValueError, match=r"^input_shape: expected \(batch, time, features\)"):
        loop_body_ops(keras.layers.LSTM(2), (2, 5))
    with pytest.raises(ValueError, match=r"^input_shape: expected an integer >= 1"):
        loop_body_ops(keras.layers.LSTM(2), (2, 0, 3))
    with pytest.raises(TypeError, match=r"^training: expected True or False"):
        loop_body_ops(keras.layers.LSTM(2), SHAPE, training=1)

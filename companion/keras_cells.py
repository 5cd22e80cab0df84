"""Keras recurrent cells that the chapters build themselves.

A Keras cell computes one time step; ``keras.layers.RNN(cell)`` runs it over a sequence.
Each cell here has a NumPy twin in :mod:`companion.cells`, and the tests check that both
compute the same numbers.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import keras
import tensorflow as tf
from keras import ops

from companion.validation import check_positive_int


@keras.saving.register_keras_serializable(package="companion")
class PeepholeLSTMCell(keras.layers.Layer):
    """An LSTM cell with diagonal peephole connections (Gers, Schraudolph & Schmidhuber 2002).

    The input and forget gates see the previous cell state, and the output gate the new
    one, through element-wise weights ``w_ci``, ``w_cf``, ``w_co`` (vectors, one weight per
    unit)::

        i_t = sigmoid(x_t W_xi + h_{t-1} W_hi + c_{t-1} * w_ci + b_i)
        f_t = sigmoid(x_t W_xf + h_{t-1} W_hf + c_{t-1} * w_cf + b_f)
        c_t = f_t * c_{t-1} + i_t * tanh(x_t W_xc + h_{t-1} W_hc + b_c)
        o_t = sigmoid(x_t W_xo + h_{t-1} W_ho + c_t * w_co + b_o)
        h_t = o_t * tanh(c_t)

    The weights use ``keras.layers.LSTM``'s layout (gate blocks i, f, c, o), so with the
    peepholes at zero the cell computes exactly what ``LSTM`` does. Keras runs a custom
    cell step by step; unlike ``LSTM``, it never uses the fused cuDNN kernel.

    Args:
        units: the number of hidden units (positive integer).
        unit_forget_bias: start the forget-gate bias at 1, as ``LSTM`` does, so that the
            cell remembers by default early in training.
    """

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = check_positive_int("units", units)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        if features is None:
            raise ValueError(
                f"input_shape: expected a known feature axis (batch, features), got {input_shape}"
            )
        n = self.units
        self.kernel = self.add_weight(
            shape=(features, 4 * n), initializer="glorot_uniform", name="kernel"
        )
        self.recurrent_kernel = self.add_weight(
            shape=(n, 4 * n), initializer="orthogonal", name="recurrent_kernel"
        )

        def bias_initializer(shape, dtype=None):
            forget = ops.ones((n,), dtype) if self.unit_forget_bias else ops.zeros((n,), dtype)
            zeros = ops.zeros((n,), dtype)
            return ops.concatenate([zeros, forget, zeros, zeros])

        self.bias = self.add_weight(shape=(4 * n,), initializer=bias_initializer, name="bias")
        self.w_ci = self.add_weight(shape=(n,), initializer="zeros", name="w_ci")
        self.w_cf = self.add_weight(shape=(n,), initializer="zeros", name="w_cf")
        self.w_co = self.add_weight(shape=(n,), initializer="zeros", name="w_co")

    def call(self, inputs: Any, states: list[Any], training: bool = False) -> tuple[Any, list[Any]]:
        h_prev, c_prev = states
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i = ops.sigmoid(z_i + c_prev * self.w_ci)
        f = ops.sigmoid(z_f + c_prev * self.w_cf)
        c = f * c_prev + i * ops.tanh(z_c)
        o = ops.sigmoid(z_o + c * self.w_co)
        h = o * ops.tanh(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "unit_forget_bias": self.unit_forget_bias,
        }


def cudnn_blockers(layer: keras.layers.Layer) -> list[str]:
    """List what keeps a recurrent layer from running on the fused cuDNN kernel.

    On a GPU with the TensorFlow backend, ``keras.layers.LSTM`` and ``keras.layers.GRU``
    switch to NVIDIA's cuDNN implementation only when every condition below holds;
    otherwise they fall back *silently* to the generic loop (``use_cudnn=True`` turns the
    silence into an error). An empty list means the configuration qualifies. Two
    run-time conditions are not checked here: a GPU must be visible, and a mask, if any,
    must only pad the *end* of each sequence and leave none empty. That last one is no
    fallback: ``_cudnn_lstm``/``_cudnn_gru`` in ``keras/src/backend/tensorflow/rnn.py``
    check it with a ``tf.Assert``, which in a compiled function (``fit``, ``predict``)
    fails when the graph runs (``tests/test_lstm_gru_keras_facts.py``).

    Args:
        layer: a Keras recurrent layer.

    Returns:
        Human-readable reasons, e.g. ``["recurrent_dropout=0.2 (must be 0)"]``.

    Raises:
        TypeError: if ``layer`` is not a Keras recurrent layer.
    """
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError(f"layer: expected a Keras recurrent layer, got {type(layer).__name__}")
    if not isinstance(layer, keras.layers.LSTM | keras.layers.GRU):
        return [
            f"{type(layer).__name__}({type(layer.cell).__name__}): only LSTM and GRU have a "
            "cuDNN kernel; other layers and custom cells run step by step"
        ]
    cell = layer.cell
    reasons = []
    if keras.activations.serialize(cell.activation) != "tanh":
        reasons.append(
            f"activation={keras.activations.serialize(cell.activation)!r} (must be 'tanh')"
        )
    if keras.activations.serialize(cell.recurrent_activation) != "sigmoid":
        reasons.append(
            f"recurrent_activation={keras.activations.serialize(cell.recurrent_activation)!r} "
            "(must be 'sigmoid')"
        )
    if layer.unroll:
        reasons.append("unroll=True (must be False)")
    if not cell.use_bias:
        reasons.append("use_bias=False (must be True)")
    if cell.recurrent_dropout:
        reasons.append(f"recurrent_dropout={cell.recurrent_dropout} (must be 0)")
    if isinstance(layer, keras.layers.GRU) and not cell.reset_after:
        reasons.append("reset_after=False (must be True)")
    if layer.use_cudnn is False:
        reasons.append("use_cudnn=False")
    return reasons


def loop_body_ops(
    layer: keras.layers.Layer, input_shape: tuple[int, int, int], *, training: bool = False
) -> Counter:
    """Count the operations that TensorFlow runs at every time step of a recurrent layer.

    The layer is called on zeros of ``input_shape`` inside a ``tf.function``, and the
    operations of the body of the graph's ``while`` loop (the loop Keras' TensorFlow
    backend builds in ``keras/src/backend/tensorflow/rnn.py``, function ``rnn``) are
    counted by type, e.g. ``{"MatMul": 2, "Sigmoid": 3, ...}``. The layer is built if it
    is not yet.

    Args:
        layer: a Keras recurrent layer (``LSTM``, ``GRU``, ``RNN(cell)``, ...).
        input_shape: ``(batch, time, features)``, positive integers.
        training: call the layer in training mode (dropout masks applied) or not.

    Returns:
        The operation types and their counts; empty when the graph has no ``while`` loop
        (the layer ran a fused kernel such as cuDNN's, or was unrolled).

    Raises:
        TypeError: if ``layer`` is not a Keras recurrent layer, or ``training`` not a bool.
        ValueError: if ``input_shape`` is not three positive integers.
    """
    if not isinstance(layer, keras.layers.RNN):
        raise TypeError(f"layer: expected a Keras recurrent layer, got {type(layer).__name__}")
    if not isinstance(input_shape, tuple | list) or len(input_shape) != 3:
        raise ValueError(f"input_shape: expected (batch, time, features), got {input_shape!r}")
    for size in input_shape:
        check_positive_int("input_shape", size)
    if not isinstance(training, bool):
        raise TypeError(f"training: expected True or False, got {training!r}")
    inputs = tf.zeros(tuple(input_shape), tf.float32)
    graph = (
        tf.function(lambda x: layer(x, training=training))
        .get_concrete_function(inputs)
        .graph.as_graph_def()
    )
    bodies = {
        node.attr["body"].func.name for node in graph.node if node.op in ("While", "StatelessWhile")
    }
    counts: Counter = Counter()
    for function in graph.library.function:
        if function.signature.name in bodies:
            counts.update(node.op for node in function.node_def)
    return counts

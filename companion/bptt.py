"""Truncated backpropagation through time and gradient norms (chapter 01).

Truncated BPTT with truncation length ``tau`` cuts the sequence into chunks of ``tau``
steps, ``[0, tau), [tau, 2 tau), ...``. The forward pass is unchanged: each chunk starts
from the state the previous one ended in. The backward pass stops at every chunk's start:
no gradient flows from a chunk into the state it was handed. Here it is twice, and the
tests check that the two agree:

- :func:`truncated_elman_backward` in NumPy, as ordinary BPTT
  (:func:`companion.cells.elman_backward`) run on each chunk on its own;
- :func:`truncated_rnn` in a Keras model's graph, a ``SimpleRNN`` called chunk by chunk
  with its initial state behind ``stop_gradient``.

:class:`GradientNormModel` is a Keras model whose ``fit`` also logs the global norm of
each batch's gradient (before the optimizer clips it), so that exploding gradients, and
what clipping does to them, can be seen in the training history. It needs the TensorFlow
backend of Keras (``KERAS_BACKEND=tensorflow``, the default).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from companion.cells import (
    ElmanGradients,
    ElmanWeights,
    _check_sequence,
    _check_weights,
    _initial_state,
    elman_backward,
    elman_forward,
)
from companion.validation import as_float_array, check_positive_int, check_shape


def chunk_starts(steps: int, truncate: int) -> list[int]:
    """The first step (0-based) of each chunk of ``truncate`` steps in ``steps`` steps.

    Raises:
        TypeError, ValueError: if ``steps`` or ``truncate`` is not a positive integer.
    """
    steps = check_positive_int("steps", steps)
    truncate = check_positive_int("truncate", truncate)
    return list(range(0, steps, truncate))


def truncated_elman_backward(
    x: Any, weights: ElmanWeights, upstream: Any, truncate: int, h0: Any = None
) -> ElmanGradients:
    """Truncated BPTT for :func:`companion.cells.elman_forward`: no gradient crosses a chunk.

    Each chunk of ``truncate`` steps is backpropagated on its own, from the state that the
    forward pass carried into it, and the weights' gradients of all chunks are summed.
    With ``truncate >= time`` it is :func:`companion.cells.elman_backward`.

    Args:
        x: the inputs ``(batch, time, features)`` of the forward pass.
        weights: the layer's weights.
        upstream: ``dL/dh_t`` as seen directly by the loss, ``(batch, time, units)``.
        truncate: the chunk length ``tau`` (at least 1).
        h0: the initial state of the forward pass; zeros when ``None``.

    Returns:
        The truncated gradients (see :class:`companion.cells.ElmanGradients`); ``h[:, t]``
        is what reaches ``h_t`` from the loss terms of its own chunk only, and ``h0`` what
        reaches the initial state through the first chunk.

    Raises:
        TypeError, ValueError: if ``truncate`` is not a positive integer, or the shapes of
            ``x``, ``upstream`` or ``h0`` do not fit.
    """
    _check_weights(weights, ElmanWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    upstream = as_float_array("upstream", upstream, ndim=3, axes=("batch", "time", "units"))
    check_shape("upstream", upstream, (batch, steps, weights.units))
    starts = chunk_starts(steps, truncate)
    h_init = _initial_state(h0, batch, weights.units)
    hidden = elman_forward(x, weights, h_init)

    d_w_xh = np.zeros_like(weights.w_xh)
    d_w_hh = np.zeros_like(weights.w_hh)
    d_b_h = np.zeros_like(weights.b_h)
    d_x = np.zeros_like(x)
    d_h = np.zeros_like(hidden)
    d_h0 = np.zeros_like(h_init)
    for start in starts:
        chunk = slice(start, start + truncate)
        handed = h_init if start == 0 else hidden[:, start - 1]
        grads = elman_backward(x[:, chunk], weights, upstream[:, chunk], handed)
        d_w_xh += grads.w_xh
        d_w_hh += grads.w_hh
        d_b_h += grads.b_h
        d_x[:, chunk] = grads.x
        d_h[:, chunk] = grads.h
        if start == 0:
            d_h0 = grads.h0  # every later chunk's grads.h0 is the part truncation drops
    return ElmanGradients(d_w_xh, d_w_hh, d_b_h, d_x, d_h, d_h0)


def truncated_rnn(layer: keras.layers.SimpleRNN, inputs: Any, truncate: int) -> Any:
    """Apply ``layer`` to ``inputs`` chunk by chunk: truncated BPTT in a model's graph.

    The state that ends one chunk starts the next, behind ``keras.ops.stop_gradient``, so
    the output equals ``layer(inputs)`` while the gradient never crosses a chunk's start.
    Works on symbolic inputs (``keras.Input``, to build a model) and on tensors alike; all
    chunks share the layer's weights.

    Args:
        layer: a ``keras.layers.SimpleRNN`` without ``return_state`` or ``go_backwards``.
        inputs: a batch of sequences ``(batch, time, features)`` with a known time length.
        truncate: the chunk length ``tau`` (at least 1).

    Returns:
        What ``layer(inputs)`` returns: the last state ``(batch, units)``, or every state
        ``(batch, time, units)`` with ``return_sequences=True``.

    Raises:
        TypeError: if ``layer`` is not a ``SimpleRNN``.
        ValueError: if ``layer`` returns its state or runs backwards, ``inputs`` is not 3-D
            or has no known time length, or ``truncate`` is not a positive integer.
    """
    if not isinstance(layer, keras.layers.SimpleRNN):
        raise TypeError(f"layer: expected a keras.layers.SimpleRNN, got {type(layer).__name__}")
    if layer.return_state or layer.go_backwards:
        raise ValueError(
            "layer: expected a SimpleRNN with return_state=False and go_backwards=False, got "
            f"return_state={layer.return_state}, go_backwards={layer.go_backwards}"
        )
    shape = tuple(getattr(inputs, "shape", ()))
    if len(shape) != 3:
        raise ValueError(f"inputs: expected a 3-D (batch, time, features) tensor, got {shape}")
    if shape[1] is None:
        raise ValueError(f"inputs: expected a known number of time steps, got shape {shape}")
    truncate = check_positive_int("truncate", truncate)
    outputs, state = [], None
    for start in chunk_starts(shape[1], truncate):
        chunk = inputs[:, start : start + truncate]
        if state is None:
            out = layer(chunk)
        else:
            out = layer(chunk, initial_state=keras.ops.stop_gradient(state))
        state = out[:, -1] if layer.return_sequences else out
        outputs.append(out)
    if layer.return_sequences:
        return outputs[0] if len(outputs) == 1 else keras.ops.concatenate(outputs, axis=1)
    return state


class _RunningMax(keras.metrics.Metric):
    """The largest value seen since the last reset (Keras has a Mean but no Max metric)."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        self.largest = self.add_variable(shape=(), initializer="zeros", name="largest")

    def update_state(self, value: Any) -> None:
        self.largest.assign(keras.ops.maximum(self.largest, keras.ops.cast(value, "float32")))

    def result(self) -> Any:
        # A copy: the variable itself would read as 0 once evaluation resets the metrics.
        return keras.ops.copy(self.largest)

    def reset_state(self) -> None:
        self.largest.assign(0.0)


@keras.saving.register_keras_serializable(package="companion")
class GradientNormModel(keras.Model):
    """A functional Keras model whose ``fit`` logs the norm of every batch's gradient.

    Build it like ``keras.Model(inputs, outputs)``. Its training step is Keras' own (the
    same loss, gradients and update: a test checks that it trains to the same weights)
    plus ``||g|| = sqrt(sum_W ||dL/dW||^2)``, the global norm of the batch's gradient,
    measured *before* the optimizer clips it (``clipnorm``, ``global_clipnorm``). The
    history gets, per epoch, ``grad_norm`` (the mean over the epoch's batches) and
    ``grad_norm_max`` (the largest). Not supported: mixed-precision loss scaling.
    """

    TRACKED = ("grad_norm", "grad_norm_max")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gradient_norm = keras.metrics.Mean(name="grad_norm")
        self.gradient_norm_max = _RunningMax(name="grad_norm_max")

    def train_step(self, data: Any) -> dict[str, Any]:
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        gradients = tape.gradient(loss, self.trainable_weights)
        norm = tf.linalg.global_norm(gradients)
        self.gradient_norm.update_state(norm)
        self.gradient_norm_max.update_state(norm)
        self.optimizer.apply(gradients, self.trainable_weights)
        batch_size = tf.shape(keras.tree.flatten(x)[0])[0]
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss, sample_weight=batch_size)
            elif metric.name not in self.TRACKED:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    def test_step(self, data: Any) -> dict[str, Any]:
        logs = super().test_step(data)
        return {name: value for name, value in logs.items() if name not in self.TRACKED}

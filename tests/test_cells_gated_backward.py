"""The hand-written backward passes of the LSTM, peephole LSTM and GRU against
``tf.GradientTape``, and the traces (gates) that the forward passes keep."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import cells
from companion.keras_cells import PeepholeLSTMCell

shapes = st.tuples(
    st.integers(1, 3),  # batch
    st.integers(1, 7),  # time
    st.integers(1, 4),  # features
    st.integers(1, 5),  # units
)
ATOL = 1e-5


def random_inputs(shape, seed):
    batch, steps, features, units = shape
    rng = np.random.default_rng(seed)
    return {
        "x": rng.normal(size=(batch, steps, features)).astype(np.float32),
        "h0": rng.uniform(-1, 1, size=(batch, units)).astype(np.float32),
        "c0": rng.normal(size=(batch, units)).astype(np.float32),
        "upstream": rng.normal(size=(batch, steps, units)).astype(np.float32),
    }


def tape_gradients(layer, x, initial_state, upstream):
    """GradientTape's gradients of sum(upstream * outputs) for the weights, x and states."""
    x = tf.constant(x)
    states = [tf.constant(s) for s in initial_state]
    with tf.GradientTape() as tape:
        tape.watch([x, *states])
        loss = tf.reduce_sum(layer(x, initial_state=states) * upstream)
    return tape.gradient(loss, [*layer.trainable_weights, x, *states])


def assert_all_close(by_hand, by_tape):
    assert len(by_hand) == len(by_tape)
    for ours, theirs in zip(by_hand, by_tape, strict=True):
        np.testing.assert_allclose(ours, np.asarray(theirs), atol=ATOL, rtol=1e-4)


def built(layer, features):
    layer.build((None, None, features))
    return layer


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), peepholes=st.booleans())
def test_lstm_backward_matches_gradient_tape(shape, seed, peepholes):
    data = random_inputs(shape, seed)
    units, features = shape[3], shape[2]
    weights = cells.LSTMWeights.random(features, units, seed=seed, peepholes=peepholes)
    if peepholes:
        layer = keras.layers.RNN(PeepholeLSTMCell(units), return_sequences=True)
    else:
        layer = keras.layers.LSTM(units, return_sequences=True)
    built(layer, features).set_weights(weights.to_keras())
    by_tape = tape_gradients(layer, data["x"], [data["h0"], data["c0"]], data["upstream"])
    grads = cells.lstm_backward(data["x"], weights, data["upstream"], data["h0"], data["c0"])
    assert_all_close([*grads.weights(), grads.x, grads.h0, grads.c0], by_tape)


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), reset_after=st.booleans())
def test_gru_backward_matches_gradient_tape(shape, seed, reset_after):
    data = random_inputs(shape, seed)
    units, features = shape[3], shape[2]
    weights = cells.GRUWeights.random(features, units, seed=seed, reset_after=reset_after)
    layer = keras.layers.GRU(units, return_sequences=True, reset_after=reset_after)
    built(layer, features).set_weights(weights.to_keras())
    by_tape = tape_gradients(layer, data["x"], [data["h0"]], data["upstream"])
    grads = cells.gru_backward(data["x"], weights, data["upstream"], data["h0"])
    assert_all_close([*grads.weights(), grads.x, grads.h0], by_tape)


def _step_by_step(cell, x, states):
    """Run a Keras cell over x one step at a time, returning the list of states per step."""
    per_step = []
    for t in range(x.shape[1]):
        _, states = cell(x[:, t], states)
        per_step.append(states)
    return per_step


@pytest.mark.parametrize("peepholes", [False, True])
def test_lstm_state_gradients_are_the_totals_gradient_tape_gives(peepholes):
    """dL/dh_t and dL/dc_t are the gradients reaching each intermediate state, every path
    included, for a loss on the hidden states and one on the last cell state."""
    data = random_inputs((2, 6, 3, 4), 7)
    weights = cells.LSTMWeights.random(3, 4, seed=8, peepholes=peepholes)
    cell = PeepholeLSTMCell(4) if peepholes else keras.layers.LSTMCell(4)
    cell.build((None, 3))
    cell.set_weights(weights.to_keras())
    upstream_c = np.zeros_like(data["upstream"])
    upstream_c[:, -1] = np.random.default_rng(9).normal(size=(2, 4))
    with tf.GradientTape() as tape:
        per_step = _step_by_step(cell, tf.constant(data["x"]), [data["h0"], data["c0"]])
        hidden = tf.stack([h for h, _ in per_step], axis=1)
        loss = tf.reduce_sum(hidden * data["upstream"]) + tf.reduce_sum(
            per_step[-1][1] * upstream_c[:, -1]
        )
    by_tape = tape.gradient(loss, [[h, c] for h, c in per_step])
    grads = cells.lstm_backward(
        data["x"], weights, data["upstream"], data["h0"], data["c0"], upstream_c=upstream_c
    )
    for t, (d_h, d_c) in enumerate(by_tape):
        np.testing.assert_allclose(grads.h[:, t], d_h, atol=ATOL)
        np.testing.assert_allclose(grads.c[:, t], d_c, atol=ATOL)


def test_gru_state_gradients_are_the_totals_gradient_tape_gives():
    data = random_inputs((2, 6, 3, 4), 3)
    weights = cells.GRUWeights.random(3, 4, seed=4)
    cell = keras.layers.GRUCell(4)
    cell.build((None, 3))
    cell.set_weights(weights.to_keras())
    with tf.GradientTape() as tape:
        per_step = _step_by_step(cell, tf.constant(data["x"]), [data["h0"]])
        hidden = tf.stack([s[0] for s in per_step], axis=1)
        loss = tf.reduce_sum(hidden * data["upstream"])
    by_tape = tape.gradient(loss, [s[0] for s in per_step])
    grads = cells.gru_backward(data["x"], weights, data["upstream"], data["h0"])
    for t, d_h in enumerate(by_tape):
        np.testing.assert_allclose(grads.h[:, t], d_h, atol=ATOL)


def test_lstm_cell_path_is_the_product_of_forget_gates():
    """With the input, output and candidate paths cut (a loss on c_T alone and no recurrent
    kernel, no peepholes), dL/dc_t is dL/dc_T times the forget gates after t."""
    rng = np.random.default_rng(0)
    weights = cells.LSTMWeights(rng.normal(size=(2, 12)), np.zeros((3, 12)), rng.normal(size=12))
    x = rng.normal(size=(4, 9, 2))
    upstream_c = np.zeros((4, 9, 3))
    upstream_c[:, -1] = 1.0
    grads = cells.lstm_backward(x, weights, np.zeros((4, 9, 3)), upstream_c=upstream_c)
    forget = cells.lstm_trace(x, weights).f
    after = np.concatenate([forget[:, 1:], np.ones((4, 1, 3))], axis=1)
    expected = np.cumprod(after[:, ::-1], axis=1)[:, ::-1]
    np.testing.assert_allclose(grads.c, expected, rtol=1e-12)


def test_traces_repeat_the_forward_passes():
    data = random_inputs((2, 5, 3, 4), 1)
    lstm = cells.LSTMWeights.random(3, 4, seed=2, peepholes=True)
    trace = cells.lstm_trace(data["x"], lstm, data["h0"], data["c0"])
    h, c = cells.lstm_forward(data["x"], lstm, data["h0"], data["c0"])
    np.testing.assert_array_equal(trace.h, h)
    np.testing.assert_array_equal(trace.c, c)
    np.testing.assert_allclose(trace.h, trace.o * np.tanh(trace.c), rtol=1e-12)
    for gate in (trace.i, trace.f, trace.o):
        assert gate.min() > 0 and gate.max() < 1
    gru = cells.GRUWeights.random(3, 4, seed=3)
    gru_trace = cells.gru_trace(data["x"], gru, data["h0"])
    np.testing.assert_array_equal(gru_trace.h, cells.gru_forward(data["x"], gru, data["h0"]))
    previous = np.concatenate([data["h0"][:, None], gru_trace.h[:, :-1]], axis=1)
    np.testing.assert_allclose(
        gru_trace.h, gru_trace.z * previous + (1 - gru_trace.z) * gru_trace.g, rtol=1e-12
    )


def test_backward_on_fixed_numbers():
    """One unit, one step: the LSTM's gradient of h_1 with respect to its input, by hand."""
    weights = cells.LSTMWeights([[1.0, 2.0, 3.0, 4.0]], [[0.0, 0.0, 0.0, 0.0]], [0.0] * 4)
    grads = cells.lstm_backward([[[0.5]]], weights, [[[1.0]]])
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, g, o = sig(0.5), np.tanh(1.5), sig(2.0)
    c = i * g  # c_0 = 0, so the forget gate does not matter
    dc = o * (1 - np.tanh(c) ** 2)
    dx = (
        np.tanh(c) * o * (1 - o) * 4.0  # through the output gate
        + dc * g * i * (1 - i) * 1.0  # through the input gate
        + dc * i * (1 - g**2) * 3.0  # through the candidate
    )
    np.testing.assert_allclose(grads.x[0, 0, 0], dx, rtol=1e-12)
    np.testing.assert_allclose(grads.kernel[0, 1], 0.0, atol=1e-15)  # f_1 meets c_0 = 0


LSTM = cells.LSTMWeights.random(2, 3, seed=0)
GRU = cells.GRUWeights.random(2, 3, seed=0)
X = np.zeros((1, 4, 2))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: cells.lstm_backward(X, LSTM, np.zeros((1, 4, 2))), ValueError, r"^upstream: "),
        (lambda: cells.lstm_backward(X, LSTM, "u"), TypeError, r"^upstream: "),
        (
            lambda: cells.lstm_backward(X, LSTM, np.zeros((1, 4, 3)), upstream_c=np.zeros(3)),
            ValueError,
            r"^upstream_c: expected a 3-D array",
        ),
        (lambda: cells.lstm_backward(X, GRU, np.zeros((1, 4, 3))), TypeError, r"^weights: "),
        (
            lambda: cells.lstm_backward(X, LSTM, np.zeros((1, 4, 3)), c0=np.zeros((2, 3))),
            ValueError,
            r"^c0: expected shape",
        ),
        (lambda: cells.lstm_trace(np.zeros((1, 4, 5)), LSTM), ValueError, r"^x: expected shape"),
        (lambda: cells.lstm_trace(X, GRU), TypeError, r"^weights: expected LSTMWeights"),
        (lambda: cells.gru_backward(X, GRU, np.zeros((1, 5, 3))), ValueError, r"^upstream: "),
        (lambda: cells.gru_backward(X, LSTM, np.zeros((1, 4, 3))), TypeError, r"^weights: "),
        (
            lambda: cells.gru_backward(X, GRU, np.zeros((1, 4, 3)), np.zeros((1, 2))),
            ValueError,
            r"^h0: expected shape",
        ),
        (lambda: cells.gru_trace(np.zeros((1, 0, 2)), GRU), ValueError, r"^x: expected at least"),
        (lambda: cells.gru_trace(X, LSTM), TypeError, r"^weights: expected GRUWeights"),
    ],
)
def test_bad_inputs_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _tape_state_jacobians(cell, x, state_index):
    """||ds_T/ds_t||_F / sqrt(n) per sequence and step, from tf.GradientTape."""
    units = cell.units
    batch = x.shape[0]
    zeros = [tf.zeros((batch, units)) for _ in range(2 if state_index == 1 else 1)]
    with tf.GradientTape(persistent=True) as tape:
        per_step = _step_by_step(cell, tf.constant(x), zeros)
        memory = [states[state_index] for states in per_step]
    norms = [
        tf.norm(tape.batch_jacobian(memory[-1], s), axis=(1, 2)) / np.sqrt(units) for s in memory
    ]
    return np.stack(norms, axis=1)


@pytest.mark.parametrize("kind", ["elman", "lstm", "gru"])
def test_state_jacobian_norm_matches_gradient_tape(kind):
    x = np.random.default_rng(5).normal(size=(3, 6, 2)).astype(np.float32)
    if kind == "elman":
        weights = cells.ElmanWeights.random(2, 4, seed=1)
        cell, index = keras.layers.SimpleRNNCell(4), 0
    elif kind == "lstm":
        weights = cells.LSTMWeights.random(2, 4, seed=1)
        cell, index = keras.layers.LSTMCell(4), 1
    else:
        weights = cells.GRUWeights.random(2, 4, seed=1)
        cell, index = keras.layers.GRUCell(4), 0
    cell.build((None, 2))
    cell.set_weights(weights.to_keras())
    ours = cells.state_jacobian_norm(x, weights)
    np.testing.assert_allclose(ours, _tape_state_jacobians(cell, x, index), atol=1e-5)
    np.testing.assert_allclose(ours[:, -1], 1.0, rtol=1e-12)


def test_state_jacobian_norm_rejects_other_weights():
    with pytest.raises(TypeError, match=r"^weights: expected ElmanWeights, LSTMWeights or GRU"):
        cells.state_jacobian_norm(X, "weights")
    with pytest.raises(ValueError, match=r"^x: expected shape"):
        cells.state_jacobian_norm(np.zeros((1, 3, 5)), LSTM)

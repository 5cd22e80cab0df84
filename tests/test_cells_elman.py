"""The NumPy Elman RNN against keras.layers.SimpleRNN and tf.GradientTape."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import cells

shapes = st.tuples(
    st.integers(1, 5),  # batch
    st.integers(1, 12),  # time
    st.integers(1, 7),  # features
    st.integers(1, 9),  # units
)


def keras_rnn(weights: cells.ElmanWeights) -> keras.layers.SimpleRNN:
    layer = keras.layers.SimpleRNN(weights.units, return_sequences=True)
    layer.build((None, None, weights.input_dim))
    layer.set_weights(weights.to_keras())
    return layer


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), scale=st.floats(0.2, 2.0))
def test_forward_matches_simple_rnn(shape, seed, scale):
    batch, steps, features, units = shape
    weights = cells.ElmanWeights.random(features, units, seed=seed, recurrent_scale=scale)
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=2.0, size=(batch, steps, features)).astype(np.float32)
    h0 = rng.uniform(-1, 1, size=(batch, units)).astype(np.float32)
    layer = keras_rnn(weights)
    np.testing.assert_allclose(cells.elman_forward(x, weights), layer(x), atol=1e-5)
    np.testing.assert_allclose(
        cells.elman_forward(x, weights, h0), layer(x, initial_state=h0), atol=1e-5
    )


def test_forward_on_fixed_numbers():
    """A hand-computed case: one unit, one feature, two steps."""
    weights = cells.ElmanWeights([[0.5]], [[2.0]], [0.1])
    h = cells.elman_forward([[[1.0], [-1.0]]], weights)
    h1 = np.tanh(0.5 + 0.1)
    h2 = np.tanh(-0.5 + 2.0 * h1 + 0.1)
    np.testing.assert_allclose(h[0, :, 0], [h1, h2], rtol=1e-12)


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_backward_matches_gradient_tape(shape, seed):
    batch, steps, features, units = shape
    weights = cells.ElmanWeights.random(features, units, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, steps, features))
    h0 = rng.uniform(-1, 1, size=(batch, units))
    upstream = rng.normal(size=(batch, steps, units))

    variables = [
        tf.Variable(w.astype(np.float64)) for w in (weights.w_xh, weights.w_hh, weights.b_h)
    ]
    inputs, state = tf.Variable(x), tf.Variable(h0)
    with tf.GradientTape() as tape:
        h, states = state, []
        for t in range(steps):
            h = tf.tanh(inputs[:, t] @ variables[0] + h @ variables[1] + variables[2])
            states.append(h)
        loss = tf.reduce_sum(tf.stack(states, axis=1) * upstream)
    expected = tape.gradient(loss, [*variables, inputs, state])

    grads = cells.elman_backward(x, weights, upstream, h0)
    for ours, theirs in zip(
        [grads.w_xh, grads.w_hh, grads.b_h, grads.x, grads.h0], expected, strict=True
    ):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-10)


def test_backward_matches_keras_layer_gradients():
    """The hand-written BPTT equals the gradients of the Keras layer itself (float32)."""
    weights = cells.ElmanWeights.random(4, 6, seed=3)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 9, 4)).astype(np.float32)
    upstream = rng.normal(size=(3, 9, 6)).astype(np.float32)
    layer = keras_rnn(weights)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) * upstream)
    expected = tape.gradient(loss, layer.trainable_weights)
    grads = cells.elman_backward(x, weights, upstream)
    for ours, theirs in zip([grads.w_xh, grads.w_hh, grads.b_h], expected, strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-5, rtol=1e-5)


def test_backward_total_state_gradient_against_finite_differences():
    weights = cells.ElmanWeights.random(2, 3, seed=5)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 5, 2))
    upstream = rng.normal(size=(2, 5, 3))
    grads = cells.elman_backward(x, weights, upstream)
    eps = 1e-6
    for index in np.ndindex(weights.w_hh.shape):
        bumped = weights.w_hh.copy()
        bumped[index] += eps
        plus = (
            cells.elman_forward(x, cells.ElmanWeights(weights.w_xh, bumped, weights.b_h)) * upstream
        ).sum()
        bumped[index] -= 2 * eps
        minus = (
            cells.elman_forward(x, cells.ElmanWeights(weights.w_xh, bumped, weights.b_h)) * upstream
        ).sum()
        assert grads.w_hh[index] == pytest.approx((plus - minus) / (2 * eps), rel=1e-6, abs=1e-8)


def test_gradient_vanishes_geometrically_below_unit_scale():
    """Eq. (eq-vanishing): ||g_t|| <= ||g_T|| * s**(T - t) for orthogonal W_hh times s."""
    scale, steps = 0.6, 30
    weights = cells.ElmanWeights.random(3, 8, seed=7, recurrent_scale=scale)
    x = np.random.default_rng(8).normal(size=(4, steps, 3))
    upstream = np.zeros((4, steps, 8))
    upstream[:, -1] = 1.0
    norms = np.linalg.norm(cells.elman_backward(x, weights, upstream).h, axis=2)
    bound = norms[:, -1:] * scale ** np.arange(steps)[::-1]
    assert np.all(norms <= bound * (1 + 1e-9))
    assert norms[:, 0].max() < 1e-6


def test_weights_round_trip_through_keras():
    weights = cells.ElmanWeights.random(3, 4, seed=0)
    copied = cells.ElmanWeights.from_keras(keras_rnn(weights))
    for a, b in zip(
        (weights.w_xh, weights.w_hh, weights.b_h),
        (copied.w_xh, copied.w_hh, copied.b_h),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-7)


def test_random_weights_have_the_requested_singular_values():
    weights = cells.ElmanWeights.random(3, 5, seed=1, recurrent_scale=0.7)
    np.testing.assert_allclose(np.linalg.svd(weights.w_hh, compute_uv=False), 0.7, rtol=1e-12)


def test_softmax_is_stable_and_normalised():
    p = cells.softmax(np.array([[1000.0, 1000.0, -1000.0], [0.0, np.log(3.0), 0.0]]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(p[1], [0.2, 0.6, 0.2])


# --- bad inputs: each error names the argument, what was expected and what was given ---

good = cells.ElmanWeights.random(3, 4, seed=0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: cells.elman_forward(np.zeros((5, 3)), good),
            ValueError,
            r"x: expected a 3-D array \(batch, time, features\), got shape \(5, 3\)",
        ),
        (
            lambda: cells.elman_forward(np.zeros((2, 5, 7)), good),
            ValueError,
            r"x: expected shape \(any, any, 3\), got \(2, 5, 7\)",
        ),
        (
            lambda: cells.elman_forward(np.zeros((2, 0, 3)), good),
            ValueError,
            r"x: expected at least one time step, got shape \(2, 0, 3\)",
        ),
        (
            lambda: cells.elman_forward(np.full((1, 2, 3), np.nan), good),
            ValueError,
            "x: expected finite values",
        ),
        (
            lambda: cells.elman_forward("abc", good),
            TypeError,
            "x: expected a numeric array, got str",
        ),
        (
            lambda: cells.elman_forward(np.zeros((2, 5, 3)), good, h0=np.zeros((3, 4))),
            ValueError,
            r"h0: expected shape \(2, 4\), got \(3, 4\)",
        ),
        (
            lambda: cells.elman_backward(np.zeros((2, 5, 3)), good, np.zeros((2, 5, 3))),
            ValueError,
            r"upstream: expected shape \(2, 5, 4\), got \(2, 5, 3\)",
        ),
        (
            lambda: cells.ElmanWeights(np.zeros((3, 4)), np.zeros((4, 5)), np.zeros(4)),
            ValueError,
            r"w_hh: expected shape \(4, 4\), got \(4, 5\)",
        ),
        (
            lambda: cells.ElmanWeights(np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(3)),
            ValueError,
            r"b_h: expected shape \(4\), got \(3,\)",
        ),
        (
            lambda: cells.ElmanWeights(np.zeros(3), np.zeros((4, 4)), np.zeros(4)),
            ValueError,
            r"w_xh: expected a 2-D array \(features, units\), got shape \(3,\)",
        ),
        (
            lambda: cells.ElmanWeights.random(0, 4, seed=0),
            ValueError,
            "input_dim: expected an integer >= 1, got 0",
        ),
        (
            lambda: cells.ElmanWeights.random(3, 4, seed=0, recurrent_scale=-1),
            ValueError,
            "recurrent_scale: expected a positive number, got -1",
        ),
    ],
)
def test_bad_inputs_are_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_from_keras_rejects_a_layer_without_bias():
    layer = keras.layers.SimpleRNN(2, use_bias=False)
    layer.build((None, 3, 1))
    with pytest.raises(ValueError, match="layer: expected a built SimpleRNN with use_bias=True"):
        cells.ElmanWeights.from_keras(layer)

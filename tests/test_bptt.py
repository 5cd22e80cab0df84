"""Truncated BPTT (NumPy and in a Keras graph) against tf.GradientTape with stop_gradient,
and GradientNormModel's logged gradient norms (chapter 01)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import bptt, cells, runtime

shapes = st.tuples(
    st.integers(1, 4),  # batch
    st.integers(1, 10),  # time
    st.integers(1, 5),  # features
    st.integers(1, 6),  # units
    st.integers(1, 12),  # truncate
)


def _tape_truncated(x, weights, upstream, truncate, h0):
    """The truncated gradients by automatic differentiation: stop_gradient at each chunk."""
    variables = [tf.Variable(w) for w in (weights.w_xh, weights.w_hh, weights.b_h)]
    inputs, state = tf.Variable(x), tf.Variable(h0)
    with tf.GradientTape() as tape:
        h, states = state, []
        for t in range(x.shape[1]):
            if t > 0 and t % truncate == 0:
                h = tf.stop_gradient(h)
            h = tf.tanh(inputs[:, t] @ variables[0] + h @ variables[1] + variables[2])
            states.append(h)
        loss = tf.reduce_sum(tf.stack(states, axis=1) * upstream)
    return tape.gradient(loss, [*variables, inputs, state])


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_truncated_backward_matches_gradient_tape_with_stop_gradient(shape, seed):
    batch, steps, features, units, truncate = shape
    weights = cells.ElmanWeights.random(features, units, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(size=(batch, steps, features))
    h0 = rng.uniform(-1, 1, size=(batch, units))
    upstream = rng.normal(size=(batch, steps, units))
    expected = _tape_truncated(x, weights, upstream, truncate, h0)
    grads = bptt.truncated_elman_backward(x, weights, upstream, truncate, h0)
    for ours, theirs in zip(
        [grads.w_xh, grads.w_hh, grads.b_h, grads.x, grads.h0], expected, strict=True
    ):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-10)


def test_no_truncation_is_full_bptt():
    weights = cells.ElmanWeights.random(3, 4, seed=0)
    rng = np.random.default_rng(0)
    x, upstream = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 7, 4))
    full = cells.elman_backward(x, weights, upstream)
    for truncate in (7, 8, 100):
        cut = bptt.truncated_elman_backward(x, weights, upstream, truncate)
        for name in ("w_xh", "w_hh", "b_h", "x", "h", "h0"):
            np.testing.assert_allclose(getattr(cut, name), getattr(full, name), rtol=1e-12)


def test_a_loss_at_the_last_step_reaches_only_the_last_chunk():
    """With tau = 3 and T = 8 the chunks start at steps 0, 3, 6: a loss on h_T reaches h_6
    and h_7 (0-based) and nothing before, while full BPTT reaches every step."""
    weights = cells.ElmanWeights.random(2, 3, seed=1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 8, 2))
    upstream = np.zeros((4, 8, 3))
    upstream[:, -1] = rng.normal(size=(4, 3))
    cut = bptt.truncated_elman_backward(x, weights, upstream, 3)
    reached = np.abs(cut.h).sum(axis=(0, 2)) > 0
    assert reached.tolist() == [False] * 6 + [True, True]
    assert not np.any(cut.x[:, :6]) and not np.any(cut.h0)
    assert np.all(np.abs(cells.elman_backward(x, weights, upstream).h).sum(axis=(0, 2)) > 0)


def test_chunk_starts():
    assert bptt.chunk_starts(10, 5) == [0, 5]
    assert bptt.chunk_starts(10, 4) == [0, 4, 8]
    assert bptt.chunk_starts(3, 10) == [0]


def _simple_rnn(weights, **options):
    layer = keras.layers.SimpleRNN(weights.units, **options)
    layer.build((None, None, weights.input_dim))
    layer.set_weights(weights.to_keras())
    return layer


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("truncate", [1, 3, 4, 9])
def test_truncated_rnn_keeps_the_forward_pass_and_cuts_the_gradient(truncate, return_sequences):
    weights = cells.ElmanWeights.random(3, 5, seed=2)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 9, 3)).astype(np.float32)
    layer = _simple_rnn(weights, return_sequences=return_sequences)
    np.testing.assert_allclose(bptt.truncated_rnn(layer, x, truncate), layer(x), atol=1e-6)

    projection = rng.normal(size=(4, 9, 5) if return_sequences else (4, 5)).astype(np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(bptt.truncated_rnn(layer, x, truncate) * projection)
    by_tape = tape.gradient(loss, layer.trainable_weights)
    upstream = np.zeros((4, 9, 5))
    if return_sequences:
        upstream[:] = projection
    else:
        upstream[:, -1] = projection
    by_hand = bptt.truncated_elman_backward(x, weights, upstream, truncate)
    for ours, theirs in zip([by_hand.w_xh, by_hand.w_hh, by_hand.b_h], by_tape, strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-5)


def test_truncated_rnn_builds_a_model_with_one_shared_layer():
    inputs = keras.Input((6, 2))
    layer = keras.layers.SimpleRNN(3)
    model = keras.Model(inputs, bptt.truncated_rnn(layer, inputs, 2))
    assert model.count_params() == 2 * 3 + 3 * 3 + 3
    x = np.random.default_rng(3).normal(size=(5, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), layer(x), atol=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: bptt.truncated_rnn(keras.layers.GRU(2), np.zeros((1, 3, 2)), 1),
            TypeError,
            "^layer: expected a keras.layers.SimpleRNN",
        ),
        (
            lambda: bptt.truncated_rnn(
                keras.layers.SimpleRNN(2, return_state=True), np.zeros((1, 3, 2)), 1
            ),
            ValueError,
            "^layer: .*return_state",
        ),
        (
            lambda: bptt.truncated_rnn(
                keras.layers.SimpleRNN(2, go_backwards=True), np.zeros((1, 3, 2)), 1
            ),
            ValueError,
            "^layer: .*go_backwards",
        ),
        (
            lambda: bptt.truncated_rnn(keras.layers.SimpleRNN(2), np.zeros((3, 2)), 1),
            ValueError,
            "^inputs: expected a 3-D",
        ),
        (
            lambda: bptt.truncated_rnn(keras.layers.SimpleRNN(2), keras.Input((None, 2)), 1),
            ValueError,
            "^inputs: expected a known number of time steps",
        ),
        (
            lambda: bptt.truncated_rnn(keras.layers.SimpleRNN(2), np.zeros((1, 3, 2)), 0),
            ValueError,
            "^truncate",
        ),
        (
            lambda: bptt.truncated_elman_backward(
                np.zeros((1, 3, 2)),
                cells.ElmanWeights.random(2, 2, seed=0),
                np.zeros((1, 3, 2)),
                1.5,
            ),
            TypeError,
            "^truncate",
        ),
        (
            lambda: bptt.truncated_elman_backward(
                np.zeros((1, 3, 2)), cells.ElmanWeights.random(2, 2, seed=0), np.zeros((1, 4, 2)), 2
            ),
            ValueError,
            "^upstream",
        ),
        (
            lambda: bptt.truncated_elman_backward(np.zeros((1, 3, 2)), "w", np.zeros((1, 3, 2)), 2),
            TypeError,
            "^weights",
        ),
        (lambda: bptt.chunk_starts(0, 2), ValueError, "^steps"),
        (lambda: bptt.chunk_starts(3, True), TypeError, "^truncate"),
    ],
)
def test_bad_inputs_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _classifier(model_class):
    inputs = keras.Input((5, 3))
    outputs = keras.layers.Dense(4)(keras.layers.SimpleRNN(6)(inputs))
    return model_class(inputs, outputs)


def _fit(model, epochs=2, **optimizer_options):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(48, 5, 3)).astype(np.float32)
    y = rng.integers(0, 4, size=48)
    model.compile(
        optimizer=keras.optimizers.SGD(0.1, **optimizer_options),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(x, y, batch_size=16, epochs=epochs, validation_split=0.25, verbose=0)
    return history.history, (x, y)


def test_gradient_norm_model_trains_like_a_keras_model():
    runtime.seed_everything(0)
    plain = _classifier(keras.Model)
    plain_history, _ = _fit(plain)
    runtime.seed_everything(0)
    tracked = _classifier(bptt.GradientNormModel)
    tracked_history, _ = _fit(tracked)
    for ours, theirs in zip(tracked.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(tracked_history[key], plain_history[key], rtol=1e-5)
    assert set(tracked_history) == set(plain_history) | {"grad_norm", "grad_norm_max"}


def test_the_logged_norm_is_the_batch_gradient_before_clipping():
    """One batch per epoch: the first epoch's norm is the gradient's at the initial weights,
    whatever clipping the optimizer then applies."""
    for options in ({}, {"global_clipnorm": 1e-3}):
        runtime.seed_everything(1)
        model = _classifier(bptt.GradientNormModel)
        initial = model.get_weights()
        rng = np.random.default_rng(5)
        x = rng.normal(size=(16, 5, 3)).astype(np.float32)
        y = rng.integers(0, 4, size=16)
        model.compile(
            optimizer=keras.optimizers.SGD(0.1, **options),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        history = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history
        model.set_weights(initial)
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x, y, model(x, training=True))
        expected = float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_weights)))
        assert history["grad_norm"][0] == pytest.approx(expected, rel=1e-5)
        assert history["grad_norm_max"][0] == pytest.approx(expected, rel=1e-5)


def test_the_norms_are_per_epoch_mean_and_largest():
    runtime.seed_everything(2)
    history, _ = _fit(_classifier(bptt.GradientNormModel), epochs=3)
    assert len(history["grad_norm"]) == len(history["grad_norm_max"]) == 3
    assert all(
        0 < m <= top for m, top in zip(history["grad_norm"], history["grad_norm_max"], strict=True)
    )

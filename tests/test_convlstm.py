"""The ConvLSTM reference (companion.cells) and the next-frame models
(companion.models.convlstm): equal to Keras, causal where promised, validated."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.cells import ConvLSTMWeights, LSTMWeights, convlstm_forward, lstm_forward
from companion.models.convlstm import (
    assert_causal,
    cnn_lstm_predictor,
    convlstm_predictor,
    copy_last_frame,
    future_influence,
    future_masked_predictions,
    leaky_convlstm_predictor,
    mse_per_step,
    next_frame_pairs,
    rollout,
)


def _keras_convlstm(weights: ConvLSTMWeights, frame_shape, padding: str) -> keras.Model:
    kernel = weights.kernel.shape[:2]
    frames = keras.Input((None, *frame_shape))
    layer = keras.layers.ConvLSTM2D(weights.filters, kernel, padding=padding, return_sequences=True)
    model = keras.Model(frames, layer(frames))
    layer.set_weights(weights.to_keras())
    return model


@pytest.mark.parametrize(
    ("shape", "filters", "kernel", "padding"),
    [
        ((2, 4, 6, 5, 1), 3, 3, "same"),
        ((3, 3, 5, 7, 2), 2, 3, "valid"),
        ((1, 5, 4, 4, 3), 4, 1, "same"),
        ((2, 2, 7, 6, 2), 1, 5, "same"),
    ],
)
def test_convlstm_forward_matches_keras(shape, filters, kernel, padding):
    weights = ConvLSTMWeights.random(shape[-1], filters, kernel, seed=sum(shape))
    x = np.random.default_rng(filters).normal(size=shape)
    hidden, cells = convlstm_forward(x, weights, padding=padding)
    expected = _keras_convlstm(weights, shape[2:], padding)(x.astype(np.float32))
    assert hidden.shape == tuple(expected.shape)
    np.testing.assert_allclose(hidden, expected, atol=1e-5)
    # h = o * tanh(c) with an output gate o in (0, 1); |c_t| <= |c_{t-1}| + 1
    assert np.all(np.abs(hidden) <= np.tanh(np.abs(cells)) + 1e-12)
    assert np.all(np.abs(cells) <= np.arange(1, shape[1] + 1)[None, :, None, None, None])


@settings(max_examples=10, deadline=None)
@given(
    sizes=st.tuples(
        st.integers(1, 2),  # batch
        st.integers(1, 4),  # time
        st.integers(3, 7),  # height
        st.integers(3, 7),  # width
        st.integers(1, 3),  # channels
        st.integers(1, 3),  # filters
    ),
    kernel=st.sampled_from([1, 3]),
    padding=st.sampled_from(["same", "valid"]),
    seed=st.integers(0, 1000),
)
def test_convlstm_forward_matches_keras_on_random_shapes(sizes, kernel, padding, seed):
    batch, steps, height, width, channels, filters = sizes
    weights = ConvLSTMWeights.random(channels, filters, kernel, seed=seed)
    x = np.random.default_rng(seed).normal(size=(batch, steps, height, width, channels))
    expected = _keras_convlstm(weights, (height, width, channels), padding)(x.astype(np.float32))
    np.testing.assert_allclose(
        convlstm_forward(x, weights, padding=padding)[0], expected, atol=1e-5
    )


def test_convlstm_forward_with_initial_states_matches_keras():
    weights = ConvLSTMWeights.random(2, 3, seed=0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 5, 5, 2)).astype(np.float32)
    h0, c0 = (rng.normal(size=(2, 5, 5, 3)).astype(np.float32) for _ in range(2))
    layer = keras.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True)
    layer(x)
    layer.set_weights(weights.to_keras())
    expected = layer(x, initial_state=[h0, c0])
    np.testing.assert_allclose(convlstm_forward(x, weights, h0, c0)[0], expected, atol=1e-5)


def test_trained_keras_weights_copy_back():
    layer = keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    x = np.random.default_rng(2).random((1, 3, 6, 6, 1)).astype(np.float32)
    expected = layer(x)
    weights = ConvLSTMWeights.from_keras(layer)
    assert weights.filters == 2 and weights.channels == 1
    np.testing.assert_allclose(convlstm_forward(x, weights)[0], expected, atol=1e-5)


def test_convlstm_on_one_pixel_is_the_chapter_02_lstm():
    """A 1x1 kernel on 1x1 frames turns every convolution into a matrix product."""
    lstm = LSTMWeights.random(3, 4, seed=5)
    conv = ConvLSTMWeights(lstm.kernel[None, None], lstm.recurrent_kernel[None, None], lstm.bias)
    x = np.random.default_rng(6).normal(size=(2, 5, 3))
    hidden, cells = convlstm_forward(x[:, :, None, None, :], conv)
    expected_h, expected_c = lstm_forward(x, lstm)
    np.testing.assert_allclose(hidden[:, :, 0, 0], expected_h, atol=1e-12)
    np.testing.assert_allclose(cells[:, :, 0, 0], expected_c, atol=1e-12)


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        (
            (np.zeros((3, 3, 1, 6)), np.zeros((3, 3, 1, 6)), np.zeros(6)),
            r"kernel: expected a last axis of 4 \* filters",
        ),
        (
            (np.zeros((3, 3, 1, 8)), np.zeros((3, 3, 3, 8)), np.zeros(8)),
            r"recurrent_kernel: expected shape \(any, any, 2, 8\), got \(3, 3, 3, 8\)",
        ),
        (
            (np.zeros((3, 3, 1, 8)), np.zeros((2, 2, 2, 8)), np.zeros(8)),
            "recurrent_kernel: expected odd kernel sizes",
        ),
        (
            (np.zeros((3, 3, 1, 8)), np.zeros((3, 3, 2, 8)), np.zeros(4)),
            r"bias: expected shape \(8\), got \(4,\)",
        ),
        ((np.zeros((3, 1, 8)), None, None), r"kernel: expected a 4-D array"),
    ],
)
def test_convlstm_weights_validate(arrays, message):
    with pytest.raises(ValueError, match=message):
        ConvLSTMWeights(*arrays)


def test_convlstm_forward_validates():
    weights = ConvLSTMWeights.random(2, 3, seed=0)
    with pytest.raises(ValueError, match=r"x: expected a 5-D array \(batch, time, height"):
        convlstm_forward(np.zeros((1, 4, 4, 2)), weights)
    with pytest.raises(ValueError, match=r"x: expected shape \(any, any, any, any, 2\)"):
        convlstm_forward(np.zeros((1, 2, 4, 4, 3)), weights)
    with pytest.raises(ValueError, match="x: expected at least one time step"):
        convlstm_forward(np.zeros((1, 0, 4, 4, 2)), weights)
    with pytest.raises(ValueError, match=r"h0: expected shape \(1, 4, 4, 3\), got \(1, 4, 4, 2\)"):
        convlstm_forward(np.zeros((1, 2, 4, 4, 2)), weights, h0=np.zeros((1, 4, 4, 2)))
    with pytest.raises(ValueError, match="padding: expected one of 'valid', 'same'"):
        convlstm_forward(np.zeros((1, 2, 4, 4, 2)), weights, padding="causal")
    with pytest.raises(ValueError, match="layer: expected a built ConvLSTM2D with use_bias"):
        ConvLSTMWeights.from_keras(keras.layers.ConvLSTM2D(2, 3, use_bias=False))


@pytest.fixture(scope="module")
def frames() -> np.ndarray:
    return np.random.default_rng(0).random((2, 6, 8, 8, 1)).astype(np.float32)


@pytest.mark.parametrize("build", [convlstm_predictor, cnn_lstm_predictor])
def test_chapter_models_are_causal(build, frames):
    model = build((8, 8, 1))
    for step in (1, 3, 5):
        assert future_influence(model, frames, step) <= 1e-6
    assert_causal(model, frames)
    np.testing.assert_allclose(
        future_masked_predictions(model, frames), model.predict(frames, verbose=0), atol=1e-6
    )


def test_leaky_model_reads_the_future(frames):
    model = leaky_convlstm_predictor((8, 8, 1))
    assert future_influence(model, frames, 3) > 1e-3
    with pytest.raises(
        AssertionError,
        match="leaky_convlstm_predictor: not causal: changing "
        "input frame 1 changes the predictions for earlier steps by up to",
    ):
        assert_causal(model, frames)
    honest = future_masked_predictions(model, frames)
    assert np.abs(honest - model.predict(frames, verbose=0))[:, :-1].max() > 1e-3


@pytest.mark.parametrize(
    "build", [convlstm_predictor, leaky_convlstm_predictor, cnn_lstm_predictor]
)
def test_models_shapes_range_and_round_trip(build, frames, tmp_path):
    model = build((8, 8, 1))
    out = model.predict(frames, verbose=0)
    assert out.shape == frames.shape
    assert 0.0 <= out.min() and out.max() <= 1.0
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(frames, verbose=0), out, atol=1e-6)


def test_convlstm_predictor_size_and_head():
    model = convlstm_predictor((16, 16, 1))
    assert model.count_params() == 9_856 + 18_496 + 145  # two ConvLSTM2D(16) and the head
    assert model.get_layer("frame_head").kernel_size == (1, 3, 3)
    assert leaky_convlstm_predictor().get_layer("frame_head").kernel_size == (3, 3, 3)


@pytest.mark.parametrize(
    ("build", "kwargs", "error", "message"),
    [
        (convlstm_predictor, {"frame_shape": (8, 8)}, ValueError, "frame_shape: expected"),
        (convlstm_predictor, {"filters": ()}, ValueError, "filters: expected a non-empty"),
        (convlstm_predictor, {"filters": 16}, ValueError, "filters: expected a non-empty"),
        (convlstm_predictor, {"kernel_size": 0}, ValueError, "kernel_size: expected an int"),
        (cnn_lstm_predictor, {"units": 0}, ValueError, "units: expected an integer >= 1"),
        (
            cnn_lstm_predictor,
            {"frame_shape": (10, 12, 1)},
            ValueError,
            r"frame_shape: expected height and width divisible by 2\*\*2 = 4",
        ),
    ],
)
def test_builders_validate(build, kwargs, error, message):
    with pytest.raises(error, match=message):
        build(**kwargs)


def test_pairs_baseline_and_per_step_error():
    x = np.arange(2 * 4 * 2 * 2, dtype=np.float32).reshape(2, 4, 2, 2, 1)
    inputs, targets = next_frame_pairs(x)
    np.testing.assert_array_equal(inputs, x[:, :3])
    np.testing.assert_array_equal(targets, x[:, 1:])
    np.testing.assert_array_equal(copy_last_frame(inputs), inputs)
    # consecutive frames differ by 4 in every pixel
    np.testing.assert_allclose(mse_per_step(copy_last_frame(inputs), targets), [16.0] * 3)


def test_rollout_feeds_predictions_back():
    class Shift(keras.Model):
        """Predicts 'the current frame plus one': a roll-out must count up."""

        def call(self, x):
            return x + 1.0

    context = np.zeros((2, 3, 2, 2, 1), np.float32)
    predicted = rollout(Shift(), context, 4)
    assert predicted.shape == (2, 4, 2, 2, 1)
    np.testing.assert_allclose(predicted[0, :, 0, 0, 0], [1.0, 2.0, 3.0, 4.0])


def test_helpers_validate(frames):
    model = convlstm_predictor((8, 8, 1))
    with pytest.raises(ValueError, match=r"frames: expected a 5-D array \(batch, time"):
        next_frame_pairs(np.zeros((2, 4, 8, 8)))
    with pytest.raises(ValueError, match="frames: expected at least 2 time steps"):
        next_frame_pairs(np.zeros((2, 1, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"predictions: expected the shape of targets"):
        mse_per_step(np.zeros((1, 2, 4, 4, 1)), np.zeros((1, 3, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"step: expected a frame index in \[1, 5\], got 6"):
        future_influence(model, frames, 6)
    with pytest.raises(ValueError, match="steps: expected an integer >= 1, got 0"):
        rollout(model, frames, 0)


@pytest.mark.parametrize("build", [convlstm_predictor, cnn_lstm_predictor])
def test_models_predict_other_lengths_with_partial_batches(build):
    """A roll-out runs the model on growing sequences; the last batch is partial."""
    model = build((8, 8, 1))
    for steps in (3, 4, 5):
        out = model.predict(np.zeros((5, steps, 8, 8, 1), np.float32), batch_size=4, verbose=0)
        assert out.shape == (5, steps, 8, 8, 1)


def test_cnn_lstm_encodes_each_frame_alone():
    model = cnn_lstm_predictor((8, 8, 1), filters=(4, 4), units=8)
    assert model.get_layer("conv1").kernel_size == (1, 3, 3)
    assert model.get_layer("flatten").output.shape[-1] == 2 * 2 * 4


def test_per_frame_conv3d_equals_time_distributed_conv2d():
    """cnn_lstm_predictor writes its per-frame CNN as Conv3D with a time kernel of 1 and
    MaxPooling3D((1, 2, 2)): the same numbers as TimeDistributed(Conv2D / MaxPooling2D)."""
    clips = np.random.default_rng(0).uniform(size=(2, 5, 8, 8, 1)).astype("float32")
    conv3d = keras.layers.Conv3D(4, (1, 3, 3), padding="same", activation="relu")
    per_frame = keras.layers.TimeDistributed(
        keras.layers.Conv2D(4, 3, padding="same", activation="relu")
    )
    ours = keras.layers.MaxPooling3D((1, 2, 2))(conv3d(clips))
    per_frame.build(clips.shape)
    kernel, bias = conv3d.get_weights()
    per_frame.set_weights([kernel[0], bias])  # (1, 3, 3, in, out) -> (3, 3, in, out)
    theirs = keras.layers.TimeDistributed(keras.layers.MaxPooling2D(2))(per_frame(clips))
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)


def test_time_distributed_predict_fails_on_a_new_sequence_length_as_documented():
    """Why cnn_lstm_predictor avoids TimeDistributed: with Keras 3.15 on TensorFlow,
    predict on a second sequence length with a partial last batch fails. When a release
    fixes it, this test fails: then TimeDistributed can replace the Conv3D form."""
    inputs = keras.Input((None, 8, 8, 1))
    x = keras.layers.TimeDistributed(keras.layers.Conv2D(2, 3, padding="same"))(inputs)
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(0)
    model.predict(rng.uniform(size=(10, 3, 8, 8, 1)).astype("float32"), batch_size=8, verbose=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        model.predict(rng.uniform(size=(10, 5, 8, 8, 1)).astype("float32"), batch_size=8, verbose=0)

"""companion.models.autoencoders."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.models.autoencoders import (
    conv_autoencoder,
    dense_autoencoder,
    lstm_autoencoder,
    reconstruction_errors,
)


def test_dense_autoencoder_shapes_and_parts():
    model = dense_autoencoder(64, 3, hidden=(32, 16))
    x = np.random.default_rng(0).uniform(size=(5, 64)).astype(np.float32)
    assert model(x).shape == (5, 64)
    codes = model.get_layer("encoder")(x)
    assert codes.shape == (5, 3)
    np.testing.assert_allclose(model.get_layer("decoder")(codes), model(x), atol=1e-6)
    out = np.asarray(model(x))
    assert out.min() >= 0 and out.max() <= 1  # sigmoid output


def test_linear_output_reaches_negative_values_and_noise_only_in_training():
    model = dense_autoencoder(4, 2, hidden=(8,), output_activation="linear", noise=0.5)
    x = np.ones((3, 4), np.float32)
    model.get_layer("decoder").layers[-1].bias.assign(-5 * np.ones(4))
    assert np.all(np.asarray(model(x)) < 0)
    np.testing.assert_allclose(model(x, training=False), model(x, training=False))
    assert not np.allclose(model(x, training=True), model(x, training=True))


def test_conv_autoencoder_shapes():
    model = conv_autoencoder((8, 8, 1), 5, filters=(4, 8))
    x = np.zeros((2, 8, 8, 1), np.float32)
    assert model(x).shape == (2, 8, 8, 1)
    assert model.get_layer("encoder")(x).shape == (2, 5)


def test_lstm_autoencoder_shapes_and_states():
    model = lstm_autoencoder(12, 2, 3, units=7)
    x = np.random.default_rng(1).normal(size=(4, 12, 2)).astype(np.float32)
    assert model(x).shape == (4, 12, 2)
    assert model.get_layer("encoder")(x).shape == (4, 3)
    # The decoder LSTM starts from two state tensors computed from the code.
    decoder = model.get_layer("decoder")
    assert decoder.get_layer("initial_h").units == decoder.get_layer("initial_c").units == 7


def test_lstm_encoder_code_uses_the_final_h_and_c_of_the_lstm():
    model = lstm_autoencoder(6, 1, 2, units=3)
    encoder = model.get_layer("encoder")
    x = np.random.default_rng(2).normal(size=(2, 6, 1)).astype(np.float32)
    lstm = encoder.get_layer("encoder_lstm")
    # Run the same LSTM step by step with a fresh layer holding the same weights.
    cell_copy = keras.layers.LSTM(3, return_sequences=True, return_state=True)
    cell_copy.build((None, 6, 1))
    cell_copy.set_weights(lstm.get_weights())
    _, h, c = cell_copy(x)
    dense = encoder.get_layer("code")
    kernel, bias = dense.get_weights()
    expected = np.concatenate([h, c], axis=1) @ kernel + bias
    np.testing.assert_allclose(encoder(x), expected, atol=1e-5)


def test_autoencoder_learns_to_reconstruct():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    basis = rng.uniform(size=(2, 16))
    x = (rng.uniform(size=(256, 2)) @ basis / 2).astype(np.float32)
    model = dense_autoencoder(16, 2, hidden=(16,))
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    before = reconstruction_errors(model, x).mean()
    model.fit(x, x, epochs=60, batch_size=64, verbose=0)
    after = reconstruction_errors(model, x).mean()
    assert after < before / 5


def test_reconstruction_errors_per_example():
    model = dense_autoencoder(4, 2, hidden=(4,))
    x = np.random.default_rng(3).uniform(size=(6, 4))
    errors = reconstruction_errors(model, x)
    expected = np.mean((x - model.predict(x.astype(np.float32), verbose=0)) ** 2, axis=1)
    np.testing.assert_allclose(errors, expected, rtol=1e-5)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: dense_autoencoder(0, 2), ValueError, "input_dim: expected an integer >= 1, got 0"),
        (lambda: dense_autoencoder(8, 2.0), TypeError, "code_size: expected an integer"),
        (lambda: dense_autoencoder(8, 2, hidden=()), ValueError, "hidden: expected a non-empty"),
        (
            lambda: dense_autoencoder(8, 2, output_activation="relu"),
            ValueError,
            "output_activation: expected one of 'sigmoid', 'linear', got 'relu'",
        ),
        (lambda: dense_autoencoder(8, 2, noise=-1), ValueError, "noise: expected a standard"),
        (lambda: conv_autoencoder((8, 8), 2), ValueError, "image_shape: expected (height"),
        (
            lambda: conv_autoencoder((6, 6, 1), 2, filters=(4, 4)),
            ValueError,
            "image_shape: expected height and width divisible by 2 ** len(filters) = 4",
        ),
        (lambda: lstm_autoencoder(0), ValueError, "timesteps: expected an integer >= 1, got 0"),
        (lambda: lstm_autoencoder(5, units=0), ValueError, "units: expected an integer >= 1"),
    ],
)
def test_bad_arguments_are_named(build, error, message):
    with pytest.raises(
        error, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")
    ):
        build()


def test_reconstruction_errors_rejects_bad_inputs():
    model = dense_autoencoder(4, 2, hidden=(4,))
    with pytest.raises(ValueError, match=r"x: expected examples of shape \(4,\), got \(5,\)"):
        reconstruction_errors(model, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="x: expected a batch of at least one example"):
        reconstruction_errors(model, np.zeros(4))


def test_numpy_reference_equals_the_keras_lstm_autoencoder():
    from companion.models.autoencoders import lstm_autoencoder_numpy

    keras.utils.set_random_seed(4)
    model = lstm_autoencoder(9, 2, 3, units=5)
    x = np.random.default_rng(4).normal(size=(6, 9, 2))
    ours, code = lstm_autoencoder_numpy(model, x)
    np.testing.assert_allclose(ours, model.predict(x.astype(np.float32), verbose=0), atol=1e-5)
    np.testing.assert_allclose(
        code, model.get_layer("encoder").predict(x.astype(np.float32), verbose=0), atol=1e-5
    )


def test_numpy_reference_rejects_other_models_and_shapes():
    from companion.models.autoencoders import lstm_autoencoder_numpy

    with pytest.raises(ValueError, match="model: expected a model built by lstm_autoencoder"):
        lstm_autoencoder_numpy(dense_autoencoder(4, 2), np.zeros((1, 4, 1)))
    with pytest.raises(ValueError, match=r"x: expected windows of shape \(9, 1\), got \(8, 1\)"):
        lstm_autoencoder_numpy(lstm_autoencoder(9), np.zeros((2, 8, 1)))

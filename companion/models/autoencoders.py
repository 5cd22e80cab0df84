"""Autoencoders: dense, convolutional and denoising ones for images (chapter 08) and a
sequence-to-sequence LSTM autoencoder for series (chapter 09).

Every builder returns a ``keras.Model`` made of two named sub-models, ``"encoder"``
(input -> code) and ``"decoder"`` (code -> reconstruction), so that a chapter can take
the codes (``model.get_layer("encoder")``) or decode codes of its own
(``model.get_layer("decoder")``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from companion.validation import as_float_array, check_choice, check_image_shape, check_positive_int

OUTPUT_ACTIVATIONS = ("sigmoid", "linear")


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < 10:
        raise ValueError(f"noise: expected a standard deviation in [0, 10), got {noise!r}")
    return float(noise)


def _check_units(name: str, units: Sequence[int]) -> tuple[int, ...]:
    if isinstance(units, int | str) or not len(units):
        raise ValueError(f"{name}: expected a non-empty sequence of layer sizes, got {units!r}")
    return tuple(check_positive_int(name, u) for u in units)


def _join(encoder: keras.Model, decoder: keras.Model, shape: tuple[int, ...], name: str):
    inputs = keras.Input(shape, name="x")
    return keras.Model(inputs, decoder(encoder(inputs)), name=name)


def dense_autoencoder(
    input_dim: int,
    code_size: int,
    *,
    hidden: Sequence[int] = (128,),
    output_activation: str = "sigmoid",
    noise: float = 0.0,
    name: str = "dense_autoencoder",
) -> keras.Model:
    """Build ``x -> Dense(hidden..., ReLU) -> Dense(code_size) -> Dense(reversed hidden, ReLU)
    -> Dense(input_dim, output_activation)``.

    The code layer is linear (no activation), so codes can take any real value. Train it
    on ``(x, x)`` with a squared-error loss.

    Args:
        input_dim: number of input features (64 for the 8x8 digits, flattened).
        code_size: size of the code (the bottleneck).
        hidden: sizes of the encoder's hidden layers; the decoder mirrors them.
        output_activation: ``"sigmoid"`` for targets in ``[0, 1]`` (pixel intensities) or
            ``"linear"`` for unbounded targets.
        noise: a denoising autoencoder: during training only, Gaussian noise of this
            standard deviation is added to the encoder's input (``GaussianNoise``), while
            the target stays clean; 0 for a plain autoencoder.
        name: the model's name.

    Raises:
        TypeError, ValueError: for a non-positive size, an empty ``hidden``, an unknown
            activation or a noise level outside ``[0, 10)``.
    """
    input_dim = check_positive_int("input_dim", input_dim)
    code_size = check_positive_int("code_size", code_size)
    hidden = _check_units("hidden", hidden)
    check_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
    noise = _check_noise(noise)
    encoder_layers: list[Any] = [keras.Input((input_dim,))]
    if noise > 0:
        encoder_layers.append(keras.layers.GaussianNoise(noise, name="corrupt"))
    encoder_layers += [keras.layers.Dense(u, activation="relu") for u in hidden]
    encoder_layers.append(keras.layers.Dense(code_size, name="code"))
    decoder_layers: list[Any] = [keras.Input((code_size,))]
    decoder_layers += [keras.layers.Dense(u, activation="relu") for u in reversed(hidden)]
    decoder_layers.append(keras.layers.Dense(input_dim, activation=output_activation))
    encoder = keras.Sequential(encoder_layers, name="encoder")
    decoder = keras.Sequential(decoder_layers, name="decoder")
    return _join(encoder, decoder, (input_dim,), name)


def conv_autoencoder(
    image_shape: Sequence[int] = (8, 8, 1),
    code_size: int = 16,
    *,
    filters: Sequence[int] = (16, 32),
    noise: float = 0.0,
    name: str = "conv_autoencoder",
) -> keras.Model:
    """Build a convolutional autoencoder for small grey images.

    Encoder: one ``3x3`` convolution with stride 2 per entry of ``filters`` (ReLU, 'same'
    padding, each halving height and width), then ``Flatten -> Dense(code_size)``.
    Decoder: ``Dense -> Reshape`` to the smallest map, one ``Conv2DTranspose`` with
    stride 2 per entry of ``filters`` in reverse, and a ``3x3`` convolution with a sigmoid
    to one channel per input channel.

    Args:
        image_shape: ``(height, width, channels)``; height and width must be divisible by
            ``2 ** len(filters)``.
        code_size: size of the code.
        filters: channels of the encoder's convolutions; the decoder mirrors them.
        noise: Gaussian input noise during training (a denoising autoencoder); 0 for none.
        name: the model's name.

    Raises:
        TypeError, ValueError: for a bad image shape, sizes that do not divide, an empty
            ``filters`` or a bad noise level.
    """
    height, width, channels = check_image_shape("image_shape", image_shape)
    code_size = check_positive_int("code_size", code_size)
    filters = _check_units("filters", filters)
    noise = _check_noise(noise)
    factor = 2 ** len(filters)
    if height % factor or width % factor:
        raise ValueError(
            f"image_shape: expected height and width divisible by 2 ** len(filters) = {factor}, "
            f"got {(height, width)}"
        )
    small = (height // factor, width // factor, filters[-1])
    encoder_layers: list[Any] = [keras.Input((height, width, channels))]
    if noise > 0:
        encoder_layers.append(keras.layers.GaussianNoise(noise, name="corrupt"))
    encoder_layers += [
        keras.layers.Conv2D(f, 3, strides=2, padding="same", activation="relu") for f in filters
    ]
    encoder_layers += [keras.layers.Flatten(), keras.layers.Dense(code_size, name="code")]
    decoder_layers: list[Any] = [
        keras.Input((code_size,)),
        keras.layers.Dense(int(np.prod(small)), activation="relu"),
        keras.layers.Reshape(small),
    ]
    decoder_layers += [
        keras.layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu")
        for f in reversed(filters)
    ]
    decoder_layers.append(keras.layers.Conv2D(channels, 3, padding="same", activation="sigmoid"))
    encoder = keras.Sequential(encoder_layers, name="encoder")
    decoder = keras.Sequential(decoder_layers, name="decoder")
    return _join(encoder, decoder, (height, width, channels), name)


def lstm_autoencoder(
    timesteps: int,
    features: int = 1,
    code_size: int = 8,
    *,
    units: int = 32,
    name: str = "lstm_autoencoder",
) -> keras.Model:
    """A sequence-to-sequence LSTM autoencoder in the spirit of EncDec-AD (Malhotra et al.
    2016): an encoder LSTM reads the window, its final state becomes the code, and a
    decoder LSTM rebuilds the window from the code.

    Encoder: ``LSTM(units, return_state=True)`` returns ``(output, h, c)`` — for an LSTM
    without ``return_sequences`` the output *is* ``h`` — and ``Dense(code_size)`` on
    ``[h; c]`` gives the code. Decoder: two dense layers turn the code back into an
    initial state, passed as the **list** ``[h0, c0]`` (an LSTM has two state tensors),
    and a decoder ``LSTM(units, return_sequences=True)`` fed the code at every step
    emits one state per step, which ``Dense(features)`` maps to the reconstruction.
    (EncDec-AD instead feeds the decoder its previous target and reconstructs in
    reverse order; feeding the code keeps training and inference identical.)

    Args:
        timesteps: length of a window.
        features: values per time step.
        code_size: size of the code (the bottleneck).
        units: size of both LSTMs' states.
        name: the model's name.

    Raises:
        TypeError, ValueError: for a non-positive size.
    """
    timesteps = check_positive_int("timesteps", timesteps)
    features = check_positive_int("features", features)
    code_size = check_positive_int("code_size", code_size)
    units = check_positive_int("units", units)

    series = keras.Input((timesteps, features), name="window")
    _, h, c = keras.layers.LSTM(units, return_state=True, name="encoder_lstm")(series)
    code = keras.layers.Dense(code_size, name="code")(keras.layers.Concatenate()([h, c]))
    encoder = keras.Model(series, code, name="encoder")

    code_in = keras.Input((code_size,), name="code_in")
    h0 = keras.layers.Dense(units, activation="tanh", name="initial_h")(code_in)
    c0 = keras.layers.Dense(units, name="initial_c")(code_in)
    repeated = keras.layers.RepeatVector(timesteps)(code_in)
    states = keras.layers.LSTM(units, return_sequences=True, name="decoder_lstm")(
        repeated, initial_state=[h0, c0]
    )
    output = keras.layers.TimeDistributed(keras.layers.Dense(features), name="reconstruction")(
        states
    )
    decoder = keras.Model(code_in, output, name="decoder")
    return _join(encoder, decoder, (timesteps, features), name)


def reconstruction_errors(model: keras.Model, x: Any, *, batch_size: int = 256) -> np.ndarray:
    """Mean squared reconstruction error of each example: ``mean((x - model(x))**2)`` over
    all axes but the first.

    Raises:
        ValueError: for an input with no examples or the wrong shape for the model.
    """
    x = as_float_array("x", x)
    if x.ndim < 2 or not len(x):
        raise ValueError(f"x: expected a batch of at least one example, got shape {x.shape}")
    batch_size = check_positive_int("batch_size", batch_size)
    expected = tuple(model.input_shape[1:])
    if x.shape[1:] != expected:
        raise ValueError(f"x: expected examples of shape {expected}, got {x.shape[1:]}")
    reconstructed = model.predict(x.astype(np.float32), batch_size=batch_size, verbose=0)
    return np.mean((x - reconstructed) ** 2, axis=tuple(range(1, x.ndim)))


def lstm_autoencoder_numpy(model: keras.Model, x: Any) -> tuple[np.ndarray, np.ndarray]:
    """The forward pass of :func:`lstm_autoencoder` in NumPy, with the model's weights.

    A reference for the Keras model: the encoder LSTM runs over the window
    (:func:`companion.cells.lstm_forward`), its *final* hidden and cell states form the
    code ``z = [h_T; c_T] W_z + b_z``, the decoder starts from ``h_0 = tanh(z W_h + b_h)``
    and ``c_0 = z W_c + b_c``, reads ``z`` at every step, and a dense layer maps each of
    its hidden states to the reconstruction.

    Args:
        model: a model built by :func:`lstm_autoencoder`.
        x: windows ``(batch, time, features)``.

    Returns:
        ``(reconstruction, code)``: ``(batch, time, features)`` and ``(batch, code_size)``.

    Raises:
        ValueError: for a model without the layers of :func:`lstm_autoencoder`, or windows
            of the wrong shape.
    """
    from companion.cells import LSTMWeights, lstm_forward

    try:
        encoder, decoder = model.get_layer("encoder"), model.get_layer("decoder")
        encoder_lstm = LSTMWeights(*encoder.get_layer("encoder_lstm").get_weights())
        code_w, code_b = encoder.get_layer("code").get_weights()
        h_w, h_b = decoder.get_layer("initial_h").get_weights()
        c_w, c_b = decoder.get_layer("initial_c").get_weights()
        decoder_lstm = LSTMWeights(*decoder.get_layer("decoder_lstm").get_weights())
        out_w, out_b = decoder.get_layer("reconstruction").get_weights()
    except (ValueError, AttributeError) as error:
        raise ValueError(
            f"model: expected a model built by lstm_autoencoder, got {model.name!r} ({error})"
        ) from error
    x = as_float_array("x", x, ndim=3, axes=("batch", "time", "features"))
    expected = tuple(model.input_shape[1:])
    if x.shape[1:] != expected:
        raise ValueError(f"x: expected windows of shape {expected}, got {x.shape[1:]}")
    h, c = lstm_forward(x, encoder_lstm)
    code = np.concatenate([h[:, -1], c[:, -1]], axis=1) @ code_w + code_b
    repeated = np.repeat(code[:, None, :], x.shape[1], axis=1)
    states, _ = lstm_forward(repeated, decoder_lstm, np.tanh(code @ h_w + h_b), code @ c_w + c_b)
    return states @ out_w + out_b, code

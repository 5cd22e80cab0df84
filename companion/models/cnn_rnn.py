"""Image classifiers that combine convolution and recurrence (chapter 04)."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from companion.layers import FeatureMapToSequence
from companion.validation import check_image_shape, check_positive_int


def _check(
    input_shape: Sequence[int], classes: int, units: int
) -> tuple[tuple[int, int, int], int, int]:
    shape = check_image_shape("input_shape", input_shape)
    return (
        shape,
        check_positive_int("classes", classes, minimum=2),
        check_positive_int("units", units),
    )


def _check_filters(filters: Sequence[int]) -> tuple[int, ...]:
    if isinstance(filters, int | str) or not len(filters):
        raise ValueError(
            f"filters: expected a non-empty sequence of channel counts, got {filters!r}"
        )
    return tuple(check_positive_int("filters", f) for f in filters)


def rows_rnn(input_shape: Sequence[int], classes: int, *, units: int = 64) -> keras.Model:
    """Read an image as a sequence of rows: ``height`` time steps of ``width * channels``.

    Returns a model that outputs logits.
    """
    (height, width, channels), classes, units = _check(input_shape, classes, units)
    inputs = keras.Input((height, width, channels))
    rows = keras.layers.Reshape((height, width * channels), name="rows")(inputs)
    state = keras.layers.LSTM(units, name="lstm")(rows)
    return keras.Model(inputs, keras.layers.Dense(classes, name="logits")(state), name="rows_rnn")


def _conv_stack(inputs: keras.KerasTensor, filters: Sequence[int]) -> keras.KerasTensor:
    """3x3 'same' convolutions with ReLU; 2x2 pooling after each but the last halves the
    height only, so that the width (the future time axis) keeps its resolution."""
    x = inputs
    for index, channels in enumerate(filters):
        x = keras.layers.Conv2D(
            channels, 3, padding="same", activation="relu", name=f"conv{index + 1}"
        )(x)
        if index < len(filters) - 1:
            x = keras.layers.MaxPooling2D((2, 1), name=f"pool{index + 1}")(x)
    return x


def cnn_rnn(
    input_shape: Sequence[int],
    classes: int,
    *,
    filters: Sequence[int] = (32, 64),
    units: int = 64,
) -> keras.Model:
    """CNN -> RNN done right: the feature map's columns become the LSTM's time steps.

    ``conv stack -> FeatureMapToSequence -> bidirectional LSTM -> Dense`` (logits).
    """
    (height, width, channels), classes, units = _check(input_shape, classes, units)
    filters = _check_filters(filters)
    inputs = keras.Input((height, width, channels))
    features = _conv_stack(inputs, filters)
    sequence = FeatureMapToSequence(name="map_to_sequence")(features)
    state = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(sequence)
    return keras.Model(inputs, keras.layers.Dense(classes, name="logits")(state), name="cnn_rnn")


def _cnn_feature_vector(
    inputs: keras.KerasTensor, filters: Sequence[int], features: int
) -> keras.KerasTensor:
    """The CNN branch of the fusion models: conv stack, global average pooling, dense."""
    pooled = keras.layers.GlobalAveragePooling2D(name="gap")(_conv_stack(inputs, filters))
    return keras.layers.Dense(features, activation="relu", name="cnn_features")(pooled)


def fusion_model(
    input_shape: Sequence[int],
    classes: int,
    *,
    filters: Sequence[int] = (32, 64),
    units: int = 64,
    features: int = 64,
) -> keras.Model:
    """Late fusion by concatenation: logits ``[f; h_T] W + b``.

    A CNN branch summarises the image into a feature vector ``f`` (conv stack, global
    average pooling, dense); an RNN branch reads the image's rows into a final state
    ``h_T``; the two vectors are concatenated (``f`` first) and a dense layer outputs
    logits.
    """
    (height, width, channels), classes, units = _check(input_shape, classes, units)
    features = check_positive_int("features", features)
    filters = _check_filters(filters)
    inputs = keras.Input((height, width, channels))
    cnn = _cnn_feature_vector(inputs, filters, features)
    rows = keras.layers.Reshape((height, width * channels), name="rows")(inputs)
    rnn = keras.layers.LSTM(units, name="lstm")(rows)
    fused = keras.layers.Concatenate(name="fuse")([cnn, rnn])
    return keras.Model(inputs, keras.layers.Dense(classes, name="logits")(fused), name="fusion")


def early_fusion_model(
    input_shape: Sequence[int],
    classes: int,
    *,
    filters: Sequence[int] = (32, 64),
    units: int = 64,
    features: int = 64,
) -> keras.Model:
    """Early fusion by concatenation: the CNN's features join every input step of the RNN.

    The CNN branch is the one of :func:`fusion_model` (conv stack, global average pooling,
    dense) and gives a feature vector ``f``; it is repeated along the rows and
    concatenated to each row ``x_t``, so the LSTM reads ``[f; x_t]`` at every step
    ``t = 1..height`` (``height`` steps of ``features + width * channels`` values). A
    dense layer turns the LSTM's last state ``h_T`` into logits ``h_T W + b``.
    """
    (height, width, channels), classes, units = _check(input_shape, classes, units)
    features = check_positive_int("features", features)
    filters = _check_filters(filters)
    inputs = keras.Input((height, width, channels))
    cnn = _cnn_feature_vector(inputs, filters, features)
    repeated = keras.layers.RepeatVector(height, name="repeat_features")(cnn)
    rows = keras.layers.Reshape((height, width * channels), name="rows")(inputs)
    fused = keras.layers.Concatenate(name="fuse")([repeated, rows])
    state = keras.layers.LSTM(units, name="lstm")(fused)
    return keras.Model(
        inputs, keras.layers.Dense(classes, name="logits")(state), name="early_fusion"
    )

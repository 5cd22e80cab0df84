"""Keras layers that connect convolutional and recurrent parts of a model."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="companion")
class FeatureMapToSequence(keras.layers.Layer):
    """Turn a feature map into a sequence whose time axis is the image's **width**.

    ``(batch, height, width, channels) -> (batch, width, height * channels)``: column ``w``
    of the feature map becomes time step ``w``, and its ``height * channels`` values
    become that step's features. This is the "map-to-sequence" step of CRNN (Shi, Bai &
    Yao 2017): a recurrent layer then reads the image from left to right. Flattening the
    map instead (what the seed articles do) destroys the time axis.
    """

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        if len(input_shape) != 4:
            raise ValueError(
                "inputs: expected a 4-D feature map (batch, height, width, channels), "
                f"got shape {tuple(input_shape)}"
            )
        batch, height, width, channels = input_shape
        if height is None or channels is None:
            raise ValueError(
                f"inputs: expected known height and channels, got shape {tuple(input_shape)}"
            )
        return (batch, width, height * channels)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        self.compute_output_shape(input_shape)  # validates

    def call(self, inputs: Any) -> Any:
        _, height, _, channels = inputs.shape
        columns_first = ops.transpose(inputs, (0, 2, 1, 3))  # (batch, width, height, channels)
        return ops.reshape(
            columns_first, (ops.shape(inputs)[0], ops.shape(inputs)[2], height * channels)
        )

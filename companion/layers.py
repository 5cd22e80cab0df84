"""Keras layers that connect convolutional and recurrent parts of a model."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from companion.validation import check_positive_int


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


@keras.saving.register_keras_serializable(package="companion")
class FrameMask(keras.layers.Layer):
    """Which frames of a sequence come from real image columns, not from padding.

    Images of different widths share a batch by padding them on the right to the widest.
    Given the frames ``(batch, time, features)`` and each image's true width in pixels,
    ``(batch,)``, this returns a boolean mask ``(batch, time)`` that is true for frame
    ``t`` when ``t < width // stride``, where ``stride`` is how many pixels of width one
    frame stands for (``2**width_pools`` in :func:`companion.models.crnn.crnn`). Pass it
    as ``mask=`` to a recurrent layer so that neither direction reads the padding, and
    to :class:`BlankPaddedFrames`.

    Args:
        stride: pixels of image width per frame, a positive integer.
    """

    def __init__(self, stride: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stride = check_positive_int("stride", stride)

    def call(self, frames: Any, widths: Any) -> Any:
        steps = ops.arange(ops.shape(frames)[1])
        valid = ops.floor_divide(ops.cast(ops.reshape(widths, (-1, 1)), "int32"), self.stride)
        return ops.less(ops.expand_dims(steps, 0), valid)

    def compute_output_spec(self, frames: Any, widths: Any) -> keras.KerasTensor:
        return keras.KerasTensor((frames.shape[0], frames.shape[1]), dtype="bool")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stride": self.stride}


@keras.saving.register_keras_serializable(package="companion")
class BlankPaddedFrames(keras.layers.Layer):
    """Force the CTC blank (class 0) on padded frames: CTC then ignores them.

    ``(logits (batch, time, classes), valid (batch, time)) -> logits`` where every frame
    that is not ``valid`` (see :class:`FrameMask`) is replaced by logits that give the
    blank probability 1 (0 for the blank, -10^4 for the rest). A path through the
    padded frames must then emit blanks there, which the collapse removes, so the CTC
    loss of the padded sequence equals that of its first ``sum(valid)`` frames (the
    ``logit_length`` of ``tf.nn.ctc_loss``) and greedy decoding ignores the padding.
    The standard ``keras.losses.CTC``, which knows nothing of lengths, thus trains on
    padded batches.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True  # consumes the recurrent layer's mask: see compute_mask

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> None:
        return None  # padded frames are now blanks; a mask on the output would reach the loss

    def call(self, logits: Any, valid: Any) -> Any:
        classes = ops.shape(logits)[-1]
        blank = ops.cast(ops.where(ops.arange(classes) == 0, 0.0, -1e4), logits.dtype)
        return ops.where(ops.expand_dims(valid, -1), logits, blank)

    def compute_output_shape(self, logits_shape: Any, valid_shape: Any) -> tuple:
        return tuple(logits_shape)

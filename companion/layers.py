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


@keras.saving.register_keras_serializable(package="companion")
class RecurrentConv2D(keras.layers.Layer):
    """A recurrent convolutional layer (RCL) of Liang & Hu (2015).

    One feed-forward convolution ``w_f`` of the input ``u`` and one recurrent convolution
    ``w_r`` of the layer's own state, unrolled ``steps`` times *inside* the layer on the
    same, static input::

        x(0) = ReLU(BN_0(w_f * u + b))
        x(t) = ReLU(BN_t(w_f * u + b + w_r * x(t-1)))      t = 1..steps

    and ``x(steps)`` is the output. Each step widens the receptive field by one recurrent
    kernel while the parameter count stays that of two convolutions: a deeper effective
    network without more weights. The recurrence runs over *iterations* on one image,
    not over time: unlike ConvLSTM there are no gates and no sequence of frames.

    Liang & Hu normalise each step with local response normalisation; this layer uses
    batch normalisation instead (``batch_norm=True``, one per step, since the statistics
    of the steps differ), the normalisation that replaced it in later convolutional
    networks. With ``batch_norm=False`` the steps are plain ``ReLU`` of the sums.

    Args:
        filters: output channels (also the state's channels).
        kernel_size: size of both square kernels (``"same"`` padding, stride 1).
        steps: recurrent iterations after the feed-forward pass, at least 0
            (0 gives a plain convolution + ReLU).
        batch_norm: normalise each step's pre-activation.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        steps: int = 3,
        batch_norm: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_positive_int("filters", filters)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.steps = check_positive_int("steps", steps, minimum=0)
        if not isinstance(batch_norm, bool):
            raise TypeError(f"batch_norm: expected True or False, got {batch_norm!r}")
        self.batch_norm = batch_norm
        self.feed_forward = keras.layers.Conv2D(
            self.filters, self.kernel_size, padding="same", name="feed_forward"
        )
        self.recurrent = keras.layers.Conv2D(
            self.filters, self.kernel_size, padding="same", use_bias=False, name="recurrent"
        )
        self.norms = (
            [keras.layers.BatchNormalization(name=f"norm{t}") for t in range(self.steps + 1)]
            if batch_norm
            else []
        )

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "inputs: expected a 4-D batch (batch, height, width, channels) with known "
                f"channels, got shape {tuple(input_shape)}"
            )
        self.feed_forward.build(input_shape)
        state_shape = (*input_shape[:3], self.filters)
        if self.steps:
            self.recurrent.build(state_shape)
        for norm in self.norms:
            norm.build(state_shape)

    def _activate(self, step: int, pre: Any, training: bool | None) -> Any:
        if self.batch_norm:
            pre = self.norms[step](pre, training=training)
        return ops.relu(pre)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        drive = self.feed_forward(inputs)  # w_f * u + b, the same at every step
        state = self._activate(0, drive, training)
        for step in range(1, self.steps + 1):
            state = self._activate(step, drive + self.recurrent(state), training)
        return state

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:3], self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "steps": self.steps,
            "batch_norm": self.batch_norm,
        }

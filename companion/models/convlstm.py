"""Next-frame prediction: stacked ConvLSTM (Shi et al. 2015), a per-frame CNN + LSTM, and
the helpers that evaluate them honestly (baseline, roll-outs, causality).

Every model here maps frames ``(batch, time, height, width, channels)`` to one predicted
frame per input frame: output ``t`` is the model's guess of input frame ``t + 1``. Train
it with :func:`next_frame_pairs`. A model is **causal** when output ``t`` depends on input
frames ``0..t`` only; :func:`future_influence` measures whether it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from companion.validation import as_float_array, check_image_shape, check_number, check_positive_int

FRAME_AXES = ("batch", "time", "height", "width", "channels")


def _check_filters(filters: Sequence[int]) -> tuple[int, ...]:
    if isinstance(filters, int | str) or len(filters) == 0:
        raise ValueError(
            f"filters: expected a non-empty sequence of channel counts, got {filters!r}"
        )
    return tuple(check_positive_int("filters", f) for f in filters)


def _convlstm_stack(
    frame_shape: Sequence[int], filters: Sequence[int], kernel_size: int
) -> tuple[keras.KerasTensor, keras.KerasTensor, int]:
    height, width, channels = check_image_shape("frame_shape", frame_shape)
    filters = _check_filters(filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    inputs = keras.Input((None, height, width, channels), name="frames")
    x = inputs
    for index, count in enumerate(filters):
        x = keras.layers.ConvLSTM2D(
            count,
            kernel_size,
            padding="same",
            return_sequences=True,
            name=f"convlstm{index + 1}",
        )(x)
    return inputs, x, channels


def convlstm_predictor(
    frame_shape: Sequence[int] = (16, 16, 1),
    *,
    filters: Sequence[int] = (16, 16),
    kernel_size: int = 3,
) -> keras.Model:
    """A stacked ConvLSTM next-frame predictor that is causal by construction.

    ConvLSTM layers (``padding="same"``, ``return_sequences=True``) read the frames
    forward in time; a ``Conv3D`` head with a **time kernel of 1** (a 3x3 convolution
    applied to each time step on its own) and a sigmoid turns the last layer's hidden
    state at step ``t`` into the predicted frame ``t + 1``, with values in ``[0, 1]``.
    Nothing reads a later step, so output ``t`` depends on input frames ``0..t`` only.

    Args:
        frame_shape: ``(height, width, channels)`` of one frame.
        filters: hidden channels of each ConvLSTM layer, first layer first.
        kernel_size: size of the square input and recurrent kernels.

    Raises:
        ValueError, TypeError: for a bad frame shape, filters or kernel size.
    """
    inputs, x, channels = _convlstm_stack(frame_shape, filters, kernel_size)
    outputs = keras.layers.Conv3D(
        channels, (1, 3, 3), padding="same", activation="sigmoid", name="frame_head"
    )(x)
    return keras.Model(inputs, outputs, name="convlstm_predictor")


def leaky_convlstm_predictor(
    frame_shape: Sequence[int] = (16, 16, 1),
    *,
    filters: Sequence[int] = (16, 16),
    kernel_size: int = 3,
) -> keras.Model:
    """The same ConvLSTM stack with a **leaking** head: a common mistake, for teaching.

    The head is a ``Conv3D`` with a ``(3, 3, 3)`` kernel and ``padding="same"``: its
    output at step ``t`` mixes the hidden states of steps ``t - 1``, ``t`` and ``t + 1``,
    and the state at ``t + 1`` has read input frame ``t + 1`` — the very frame that
    output ``t`` must predict. Training loss looks excellent; without the future frame
    the model is useless. Arguments as in :func:`convlstm_predictor`.
    """
    inputs, x, channels = _convlstm_stack(frame_shape, filters, kernel_size)
    outputs = keras.layers.Conv3D(
        channels, (3, 3, 3), padding="same", activation="sigmoid", name="frame_head"
    )(x)
    return keras.Model(inputs, outputs, name="leaky_convlstm_predictor")


def cnn_lstm_predictor(
    frame_shape: Sequence[int] = (16, 16, 1),
    *,
    filters: Sequence[int] = (8, 16),
    units: int = 64,
) -> keras.Model:
    """A per-frame CNN, an LSTM over the frames' feature vectors, and a dense decoder.

    Each frame is encoded on its own (3x3 convolutions with ReLU, each followed by 2x2
    max pooling), flattened to a vector, and an LSTM (``return_sequences=True``) reads
    the vectors forward in time; a dense layer with a sigmoid decodes each step's state
    into a whole predicted frame. Unlike ConvLSTM, the recurrence sees no spatial
    layout: motion must be learnt through the flattening and the dense decoder. Causal
    by construction.

    The per-frame convolutions are written as ``Conv3D`` with a time kernel of 1 and
    ``MaxPooling3D((1, 2, 2))``, which compute exactly what ``TimeDistributed(Conv2D)``
    and ``TimeDistributed(MaxPooling2D)`` compute (``tests/test_convlstm.py`` checks both
    facts). With Keras 3.15 on TensorFlow, ``TimeDistributed`` fails in ``predict`` on a
    sequence length other than the first one it saw when the last batch is partial:
    "slice index ... out of bounds".

    Args:
        frame_shape: ``(height, width, channels)``; height and width must be divisible
            by ``2 ** len(filters)``.
        filters: channels of each convolution block.
        units: size of the LSTM state.

    Raises:
        ValueError, TypeError: for a bad frame shape, filters or units.
    """
    height, width, channels = check_image_shape("frame_shape", frame_shape)
    filters = _check_filters(filters)
    units = check_positive_int("units", units)
    factor = 2 ** len(filters)
    if height % factor or width % factor:
        raise ValueError(
            f"frame_shape: expected height and width divisible by 2**{len(filters)} = "
            f"{factor} (one pooling per block), got {tuple(frame_shape)}"
        )
    inputs = keras.Input((None, height, width, channels), name="frames")
    x = inputs
    for index, count in enumerate(filters):
        x = keras.layers.Conv3D(
            count, (1, 3, 3), padding="same", activation="relu", name=f"conv{index + 1}"
        )(x)
        x = keras.layers.MaxPooling3D((1, 2, 2), name=f"pool{index + 1}")(x)
    features = (height // factor) * (width // factor) * filters[-1]
    x = keras.layers.Reshape((-1, features), name="flatten")(x)
    x = keras.layers.LSTM(units, return_sequences=True, name="lstm")(x)
    x = keras.layers.Dense(height * width * channels, activation="sigmoid", name="decoder")(x)
    outputs = keras.layers.Reshape((-1, height, width, channels), name="frames_out")(x)
    return keras.Model(inputs, outputs, name="cnn_lstm_predictor")


def _check_frames(name: str, frames: Any, *, min_steps: int = 1) -> np.ndarray:
    frames = as_float_array(name, frames, ndim=5, axes=FRAME_AXES)
    if frames.shape[1] < min_steps:
        raise ValueError(
            f"{name}: expected at least {min_steps} time steps, got shape {frames.shape}"
        )
    return frames


def next_frame_pairs(frames: Any) -> tuple[np.ndarray, np.ndarray]:
    """Split sequences into inputs (frames ``0..T-2``) and targets (frames ``1..T-1``).

    Returns:
        ``(inputs, targets)``, float32, each ``(batch, T - 1, height, width, channels)``:
        target ``t`` is the frame after input ``t``.

    Raises:
        ValueError: for arrays that are not 5-D or have fewer than 2 time steps.
    """
    frames = _check_frames("frames", frames, min_steps=2).astype(np.float32)
    return frames[:, :-1], frames[:, 1:]


def copy_last_frame(inputs: Any) -> np.ndarray:
    """The baseline predictor: the next frame equals the current one.

    Returns:
        The inputs themselves, as float32; prediction ``t`` is input frame ``t``.
    """
    return _check_frames("inputs", inputs).astype(np.float32)


def mse_per_step(predictions: Any, targets: Any) -> np.ndarray:
    """Mean squared error at each time step, averaged over sequences and pixels.

    Returns:
        ``(time,)`` float64.

    Raises:
        ValueError: for arrays that are not 5-D or differ in shape.
    """
    predictions = _check_frames("predictions", predictions)
    targets = _check_frames("targets", targets)
    if predictions.shape != targets.shape:
        raise ValueError(
            f"predictions: expected the shape of targets {targets.shape}, got {predictions.shape}"
        )
    return ((predictions - targets) ** 2).mean(axis=(0, 2, 3, 4))


def rollout(model: keras.Model, context: Any, steps: int, *, batch_size: int = 256) -> np.ndarray:
    """Predict ``steps`` frames beyond ``context`` by feeding predictions back in.

    The first new frame is the model's last output on the context; it is appended to the
    sequence, and the model is run again to get the next one, and so on. Only frames the
    model has seen or made itself are ever used: this is how a predictor is used when the
    future is unknown.

    Args:
        model: a next-frame model (output ``t`` predicts input ``t + 1``).
        context: observed frames ``(batch, time, height, width, channels)``.
        steps: how many frames to predict.
        batch_size: sequences per forward pass.

    Returns:
        ``(batch, steps, height, width, channels)`` float32.

    Raises:
        ValueError, TypeError: for a bad context or a non-positive ``steps``.
    """
    sequence = _check_frames("context", context).astype(np.float32)
    steps = check_positive_int("steps", steps)
    batch_size = check_positive_int("batch_size", batch_size)
    predicted = []
    for _ in range(steps):
        last = model.predict(sequence, batch_size=batch_size, verbose=0)[:, -1:]
        predicted.append(last)
        sequence = np.concatenate([sequence, last], axis=1)
    return np.concatenate(predicted, axis=1)


def future_masked_predictions(
    model: keras.Model, inputs: Any, *, batch_size: int = 256
) -> np.ndarray:
    """Each step's prediction made with every later input frame replaced by zeros.

    Output ``t`` comes from a copy of ``inputs`` whose frames ``t + 1, t + 2, ...`` are
    zero, i.e. from what is known at time ``t``. For a causal model this equals
    ``model(inputs)``; for a model that peeks at the future it does not.

    Returns:
        ``(batch, time, height, width, channels)`` float32.

    Raises:
        ValueError: for inputs that are not 5-D.
    """
    inputs = _check_frames("inputs", inputs).astype(np.float32)
    batch_size = check_positive_int("batch_size", batch_size)
    outputs = np.empty_like(inputs)
    for t in range(inputs.shape[1]):
        masked = inputs.copy()
        masked[:, t + 1 :] = 0.0
        outputs[:, t] = model.predict(masked, batch_size=batch_size, verbose=0)[:, t]
    return outputs


def future_influence(model: keras.Model, inputs: Any, step: int, *, seed: int = 0) -> float:
    """How much the outputs *before* ``step`` change when input frame ``step`` changes.

    Input frame ``step`` is replaced by random values and the largest absolute change of
    outputs ``0..step-1`` is returned: 0 for a causal model (up to float rounding), more
    for a model whose earlier predictions read later frames.

    Args:
        model: a next-frame model.
        inputs: frames ``(batch, time, height, width, channels)``.
        step: the frame to change, ``1 <= step < time``.
        seed: seed of the random replacement.

    Raises:
        ValueError, TypeError: for bad inputs or a step out of range.
    """
    inputs = _check_frames("inputs", inputs, min_steps=2).astype(np.float32)
    step = check_positive_int("step", step)
    if step >= inputs.shape[1]:
        raise ValueError(f"step: expected a frame index in [1, {inputs.shape[1] - 1}], got {step}")
    seed = check_positive_int("seed", seed, minimum=0)
    changed = inputs.copy()
    changed[:, step] = np.random.default_rng(seed).random(inputs.shape[:1] + inputs.shape[2:])
    before = np.asarray(model(inputs, training=False))[:, :step]
    after = np.asarray(model(changed, training=False))[:, :step]
    return float(np.abs(after - before).max())


def assert_causal(model: keras.Model, inputs: Any, *, tolerance: float = 1e-5) -> None:
    """Check that no output depends on a later input frame, for every frame of ``inputs``.

    Runs :func:`future_influence` for each step ``1..time-1``.

    Raises:
        AssertionError: naming the first step whose change moves an earlier output by
            more than ``tolerance``, and by how much.
        ValueError: for bad inputs (see :func:`future_influence`).
    """
    inputs = _check_frames("inputs", inputs, min_steps=2)
    check_number("tolerance", tolerance, "a number >= 0")
    if not 0 <= tolerance < np.inf:
        raise ValueError(f"tolerance: expected a finite number >= 0, got {tolerance!r}")
    for step in range(1, inputs.shape[1]):
        influence = future_influence(model, inputs, step)
        if influence > tolerance:
            raise AssertionError(
                f"{model.name}: not causal: changing input frame {step} changes the "
                f"predictions for earlier steps by up to {influence:.3g} "
                f"(tolerance {tolerance:g}); an output must not read the frame it predicts"
            )

"""An RNN + GAN for image sequences, MoCoGAN style (Tulyakov et al. 2018).

A video is split into **content**, drawn once per sequence, and **motion**, a trajectory
in latent space produced by a recurrent network from fresh noise at every step. Each
frame's latent vector ``[z_content; z_motion(t)]`` is decoded by one convolutional frame
generator shared over time. Two discriminators judge the result: a frame discriminator
sees single frames (is this a plausible digit image?) and a sequence discriminator sees
the whole clip through a per-frame convolutional encoder and a GRU (does it move like the
real clips?). All discriminators return **logits**. With ``classes > 0`` the generator and
both discriminators also take a one-hot class (here: which digit moves), so that the
frames a generator draws have a known label.
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

from companion.validation import check_positive_int


def _check_frame_size(size: int, name: str = "size") -> int:
    size = check_positive_int(name, size, minimum=4)
    if size % 4:
        raise ValueError(f"{name}: expected a multiple of 4 (two 2x upsamplings), got {size}")
    return size


def _class_input(classes: int) -> list[keras.KerasTensor]:
    return [keras.Input((classes,), name="label")] if classes else []


def _normalised_relu(x: keras.KerasTensor, batch_norm: bool, name: str) -> keras.KerasTensor:
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def frame_decoder(
    latent_dim: int,
    size: int = 16,
    *,
    filters: int = 32,
    batch_norm: bool = True,
    output_bias: float = -2.5,
) -> keras.Model:
    """The frame generator: one latent vector to one frame ``(size, size, 1)`` in ``[0, 1]``.

    ``Dense -> (size/4, size/4, 2 filters) -> Conv2DTranspose(stride 2) x 2 -> Conv2D``
    with batch normalisation (DCGAN's generator, Radford et al. 2016; ``batch_norm=False``
    leaves it out) and ReLU inside, and a sigmoid output whose bias starts at
    ``output_bias`` (-2.5: an empty frame of intensity ``sigmoid(-2.5) = 0.08``).

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range size, or a size that is not
            a multiple of 4.
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    size = _check_frame_size(size)
    filters = check_positive_int("filters", filters)
    if isinstance(output_bias, bool) or not isinstance(output_bias, int | float):
        raise TypeError(f"output_bias: expected a finite number, got {output_bias!r}")
    if not math.isfinite(output_bias):
        raise ValueError(f"output_bias: expected a finite number, got {output_bias!r}")
    start = size // 4
    latent = keras.Input((latent_dim,), name="frame_latent")
    x = keras.layers.Dense(start * start * 2 * filters, name="project")(latent)
    x = _normalised_relu(x, batch_norm, "project")
    x = keras.layers.Reshape((start, start, 2 * filters), name="to_map")(x)
    x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", name="up1")(x)
    x = _normalised_relu(x, batch_norm, "up1")
    x = keras.layers.Conv2DTranspose(filters // 2 or 1, 4, strides=2, padding="same", name="up2")(x)
    x = _normalised_relu(x, batch_norm, "up2")
    # Frames are mostly empty background: starting the sigmoid near the data's mean
    # intensity (about 0.08 for one glyph in a 16x16 frame) instead of 0.5 spares the
    # generator its first, easiest lesson, which a discriminator would otherwise win at once.
    frame = keras.layers.Conv2D(
        1,
        3,
        padding="same",
        activation="sigmoid",
        bias_initializer=keras.initializers.Constant(output_bias),
        name="frame",
    )(x)
    return keras.Model(latent, frame, name="frame_decoder")


def _noise_inputs(
    length: int, content_dim: int, motion_dim: int, classes: int
) -> tuple[list[keras.KerasTensor], keras.KerasTensor, keras.KerasTensor]:
    """The generators' inputs ``[content, motion(, label)]``, the per-clip code
    ``[z_content; label]`` and the motion noise."""
    content = keras.Input((content_dim,), name="content")
    motion_noise = keras.Input((length, motion_dim), name="motion")
    label = _class_input(classes)
    per_clip = (
        keras.layers.Concatenate(name="content_and_label")([content, *label]) if label else content
    )
    return [content, motion_noise, *label], per_clip, motion_noise


def trajectory_generator(
    length: int = 8,
    size: int = 16,
    *,
    content_dim: int = 16,
    motion_dim: int = 8,
    motion_units: int = 16,
    filters: int = 32,
    classes: int = 0,
    batch_norm: bool = True,
) -> keras.Model:
    """A MoCoGAN-style generator of clips ``(batch, length, size, size, 1)``.

    Inputs: ``content`` noise ``(content_dim,)`` (one draw per clip), ``motion`` noise
    ``(length, motion_dim)`` (a fresh draw per frame), and with ``classes > 0`` a one-hot
    ``label`` ``(classes,)``. A GRU turns the motion noise into the trajectory
    ``z_motion(t)`` (``motion_units`` values per step); content and label are repeated
    over time and concatenated to it; :func:`frame_decoder`, shared by all frames
    (``TimeDistributed``), draws each frame.

    Args:
        length: frames per clip.
        size: frame height and width, a multiple of 4.
        content_dim: size of the content code.
        motion_dim: size of the per-step motion noise.
        motion_units: units of the motion GRU, the size of ``z_motion(t)``.
        filters: channels of the frame decoder's first upsampling.
        classes: number of classes of the one-hot label (0: unconditional).
        batch_norm: batch normalisation in the frame decoder.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    length = check_positive_int("length", length)
    size = _check_frame_size(size)
    content_dim = check_positive_int("content_dim", content_dim)
    motion_dim = check_positive_int("motion_dim", motion_dim)
    motion_units = check_positive_int("motion_units", motion_units)
    classes = check_positive_int("classes", classes, minimum=0)
    inputs, per_clip, motion_noise = _noise_inputs(length, content_dim, motion_dim, classes)
    trajectory = keras.layers.GRU(motion_units, return_sequences=True, name="motion_gru")(
        motion_noise
    )
    per_clip = keras.layers.RepeatVector(length, name="repeat_content")(per_clip)
    latent = keras.layers.Concatenate(name="frame_latents")([per_clip, trajectory])
    decoder = frame_decoder(
        content_dim + classes + motion_units, size, filters=filters, batch_norm=batch_norm
    )
    frames = keras.layers.TimeDistributed(decoder, name="frames")(latent)
    return keras.Model(inputs, frames, name="trajectory_generator")


@keras.saving.register_keras_serializable(package="companion")
class PlaceGlyph(keras.layers.Layer):
    """Draw a glyph at continuous positions: one frame per position, bilinear in both axes.

    For a glyph ``g`` of ``k x k`` pixels and a position ``(r, c)`` with
    ``0 <= r, c <= size - k`` the frame is ``A(r) g A(c)^T``, where
    ``A(p)[y, u] = max(0, 1 - |y - u - p|)`` is a ``size x k`` matrix that shifts by ``p``
    pixels, interpolating linearly between whole pixels. The frame is differentiable in the
    glyph and in the position, so a generator can learn *where* to draw by gradient descent.

    Call it on ``[glyphs (batch, k, k, 1), positions (batch, time, 2)]``; it returns
    frames ``(batch, time, size, size, 1)``.
    """

    def __init__(self, size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.size = check_positive_int("size", size)

    def _shift_matrices(self, position: Any, glyph_size: int) -> Any:
        offset = (
            ops.arange(self.size, dtype="float32")[:, None]
            - ops.arange(glyph_size, dtype="float32")[None, :]
        )
        return ops.relu(1.0 - ops.abs(offset - position[..., None, None]))

    def call(self, inputs: Any) -> Any:
        glyphs, positions = inputs
        glyph_size = glyphs.shape[1]
        rows = self._shift_matrices(positions[..., 0], glyph_size)
        cols = self._shift_matrices(positions[..., 1], glyph_size)
        frames = ops.einsum("btyu,buv,btxv->btyx", rows, glyphs[..., 0], cols)
        return frames[..., None]

    def compute_output_shape(self, input_shapes: Any) -> tuple[int | None, ...]:
        glyph_shape, position_shape = input_shapes
        return (glyph_shape[0], position_shape[1], self.size, self.size, 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


def sprite_generator(
    length: int = 8,
    size: int = 16,
    *,
    glyph_size: int = 8,
    content_dim: int = 16,
    motion_dim: int = 8,
    motion_units: int = 16,
    filters: int = 32,
    classes: int = 0,
) -> keras.Model:
    """A generator of clips that draws one glyph per clip and moves it along a trajectory.

    The same inputs as :func:`trajectory_generator` (``content``, ``motion`` and, with
    ``classes > 0``, ``label``), but the decomposition is explicit: a frame decoder turns
    ``[z_content; label]`` into **one** glyph ``(glyph_size, glyph_size, 1)`` for the whole
    clip, the motion GRU turns the per-step noise into a **position** per frame,
    ``(size - glyph_size) * sigmoid(Dense(2)(h_t))``, and :class:`PlaceGlyph` draws the
    glyph there. Content cannot change within a clip and motion can only translate, an
    inductive bias that fits rigid moving objects such as the moving digits.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument, or a glyph
            larger than the frame.
    """
    length = check_positive_int("length", length)
    size = check_positive_int("size", size)
    glyph_size = _check_frame_size(glyph_size, "glyph_size")
    if glyph_size > size:
        raise ValueError(f"glyph_size: expected at most the frame size {size}, got {glyph_size}")
    content_dim = check_positive_int("content_dim", content_dim)
    motion_dim = check_positive_int("motion_dim", motion_dim)
    motion_units = check_positive_int("motion_units", motion_units)
    classes = check_positive_int("classes", classes, minimum=0)
    inputs, per_clip, motion_noise = _noise_inputs(length, content_dim, motion_dim, classes)
    # A glyph is mostly ink, unlike a frame: start its sigmoid near 0.3, not 0.08.
    glyph = frame_decoder(content_dim + classes, glyph_size, filters=filters, output_bias=-1.0)(
        per_clip
    )
    hidden = keras.layers.GRU(motion_units, return_sequences=True, name="motion_gru")(motion_noise)
    unit_positions = keras.layers.Dense(2, activation="sigmoid", name="position")(hidden)
    positions = keras.layers.Rescaling(float(size - glyph_size), name="to_pixels")(unit_positions)
    frames = PlaceGlyph(size, name="place_glyph")([glyph, positions])
    return keras.Model(inputs, frames, name="sprite_generator")


def _frame_encoder(
    size: int, channels: int, filters: int, name: str, *, keep_position: bool
) -> keras.Model:
    image = keras.Input((size, size, channels), name="image")
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", name="down1")(image)
    x = keras.layers.LeakyReLU(0.2, name="lrelu1")(x)
    x = keras.layers.Conv2D(2 * filters, 4, strides=2, padding="same", name="down2")(x)
    x = keras.layers.LeakyReLU(0.2, name="lrelu2")(x)
    if keep_position:
        features = keras.layers.Flatten(name="features")(x)
    else:
        features = keras.layers.GlobalMaxPooling2D(name="features")(x)
    return keras.Model(image, features, name=name)


def frame_discriminator(
    size: int = 16, *, filters: int = 32, classes: int = 0, auxiliary_classifier: bool = False
) -> keras.Model:
    """A discriminator of single frames ``(size, size, 1)``: one logit per frame.

    Two strided convolutions with leaky ReLU and a global max pooling give features
    ``phi(x)`` that do not depend on where the glyph is (what a frame shows, not where it
    shows it: that is the sequence discriminator's business), and ``Dense(1)`` scores
    them. With ``classes > 0`` the label enters by projection (Miyato & Koyama
    2018): the logit gains ``embed(y) . phi(x)``, a learned class vector dotted with the
    features, so the discriminator judges whether the frame is a real image *of that
    digit*. (Concatenating the one-hot label to the features before ``Dense(1)`` would
    only add a per-class bias, which cannot tell a "3" from a "7".)

    With ``auxiliary_classifier=True`` (needs ``classes > 0``) a second output,
    ``Dense(classes)`` on the same features, returns class logits: the auxiliary
    classifier of AC-GAN (Odena, Olah & Shlens 2017), trained on real frames' labels, whose
    cross-entropy on generated frames tells the generator directly which digit it drew.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument, or an auxiliary
            classifier without classes.
    """
    size = _check_frame_size(size)
    filters = check_positive_int("filters", filters)
    classes = check_positive_int("classes", classes, minimum=0)
    if auxiliary_classifier and not classes:
        raise ValueError("auxiliary_classifier: expected classes > 0 for class logits, got 0")
    frame = keras.Input((size, size, 1), name="frame")
    label = _class_input(classes)
    features = _frame_encoder(size, 1, filters, "frame_encoder", keep_position=False)(frame)
    logit = keras.layers.Dense(1, name="logit")(features)
    if label:
        embedded = keras.layers.Dense(features.shape[-1], use_bias=False, name="label_embedding")(
            label[0]
        )
        projection = keras.layers.Dot(axes=1, name="projection")([features, embedded])
        logit = keras.layers.Add(name="logit_with_label")([logit, projection])
    outputs = logit
    if auxiliary_classifier:
        outputs = [logit, keras.layers.Dense(classes, name="class_logits")(features)]
    return keras.Model([frame, *label] if label else frame, outputs, name="frame_discriminator")


def sequence_discriminator(
    length: int = 8,
    size: int = 16,
    *,
    filters: int = 16,
    units: int = 32,
    classes: int = 0,
) -> keras.Model:
    """A discriminator of clips ``(length, size, size, 1)``: one logit per clip.

    Each frame and its difference to the previous frame (zero for the first) are stacked
    as two channels and encoded by a small CNN shared over time; a GRU reads the encoded
    frames and ``Dense(1)`` scores its last state. The difference channel hands the
    network the motion directly, which a pure appearance encoder would have to learn to
    compare across steps. With ``classes > 0`` the one-hot ``label`` is concatenated to
    every step's features.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    length = check_positive_int("length", length, minimum=2)
    size = _check_frame_size(size)
    filters = check_positive_int("filters", filters)
    units = check_positive_int("units", units)
    classes = check_positive_int("classes", classes, minimum=0)
    clip = keras.Input((length, size, size, 1), name="clip")
    label = _class_input(classes)
    previous = keras.layers.Concatenate(axis=1, name="previous_frames")([clip[:, :1], clip[:, :-1]])
    change = keras.layers.Subtract(name="frame_change")([clip, previous])
    stacked = keras.layers.Concatenate(name="frame_and_change")([clip, change])
    encoder = _frame_encoder(size, 2, filters, "clip_frame_encoder", keep_position=True)
    features = keras.layers.TimeDistributed(encoder, name="encoded_frames")(stacked)
    if label:
        repeated = keras.layers.RepeatVector(length, name="repeat_label")(label[0])
        features = keras.layers.Concatenate(name="with_label")([features, repeated])
    state = keras.layers.GRU(units, name="clip_gru")(features)
    logit = keras.layers.Dense(1, name="logit")(state)
    return keras.Model([clip, *label] if label else clip, logit, name="sequence_discriminator")

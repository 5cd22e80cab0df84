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

import keras

from companion.validation import check_positive_int


def _check_frame_size(size: int) -> int:
    size = check_positive_int("size", size, minimum=4)
    if size % 4:
        raise ValueError(f"size: expected a multiple of 4 (two 2x upsamplings), got {size}")
    return size


def _class_input(classes: int) -> list[keras.KerasTensor]:
    return [keras.Input((classes,), name="label")] if classes else []


def frame_decoder(latent_dim: int, size: int = 16, *, filters: int = 32) -> keras.Model:
    """The frame generator: one latent vector to one frame ``(size, size, 1)`` in ``[0, 1]``.

    ``Dense -> (size/4, size/4, 2 filters) -> Conv2DTranspose(stride 2) x 2 -> Conv2D``
    with ReLU inside and a sigmoid output.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range size, or a size that is not
            a multiple of 4.
    """
    latent_dim = check_positive_int("latent_dim", latent_dim)
    size = _check_frame_size(size)
    filters = check_positive_int("filters", filters)
    start = size // 4
    latent = keras.Input((latent_dim,), name="frame_latent")
    x = keras.layers.Dense(start * start * 2 * filters, activation="relu", name="project")(latent)
    x = keras.layers.Reshape((start, start, 2 * filters), name="to_map")(x)
    x = keras.layers.Conv2DTranspose(
        filters, 4, strides=2, padding="same", activation="relu", name="up1"
    )(x)
    x = keras.layers.Conv2DTranspose(
        filters // 2 or 1, 4, strides=2, padding="same", activation="relu", name="up2"
    )(x)
    frame = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="frame")(x)
    return keras.Model(latent, frame, name="frame_decoder")


def trajectory_generator(
    length: int = 8,
    size: int = 16,
    *,
    content_dim: int = 16,
    motion_dim: int = 8,
    motion_units: int = 16,
    filters: int = 32,
    classes: int = 0,
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

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    length = check_positive_int("length", length)
    size = _check_frame_size(size)
    content_dim = check_positive_int("content_dim", content_dim)
    motion_dim = check_positive_int("motion_dim", motion_dim)
    motion_units = check_positive_int("motion_units", motion_units)
    classes = check_positive_int("classes", classes, minimum=0)
    content = keras.Input((content_dim,), name="content")
    motion_noise = keras.Input((length, motion_dim), name="motion")
    label = _class_input(classes)
    trajectory = keras.layers.GRU(motion_units, return_sequences=True, name="motion_gru")(
        motion_noise
    )
    per_clip = (
        keras.layers.Concatenate(name="content_and_label")([content, *label]) if label else content
    )
    per_clip = keras.layers.RepeatVector(length, name="repeat_content")(per_clip)
    latent = keras.layers.Concatenate(name="frame_latents")([per_clip, trajectory])
    decoder = frame_decoder(content_dim + classes + motion_units, size, filters=filters)
    frames = keras.layers.TimeDistributed(decoder, name="frames")(latent)
    return keras.Model([content, motion_noise, *label], frames, name="trajectory_generator")


def _frame_encoder(size: int, channels: int, filters: int, name: str) -> keras.Model:
    image = keras.Input((size, size, channels), name="image")
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", name="down1")(image)
    x = keras.layers.LeakyReLU(0.2, name="lrelu1")(x)
    x = keras.layers.Conv2D(2 * filters, 4, strides=2, padding="same", name="down2")(x)
    x = keras.layers.LeakyReLU(0.2, name="lrelu2")(x)
    return keras.Model(image, keras.layers.Flatten(name="features")(x), name=name)


def frame_discriminator(size: int = 16, *, filters: int = 32, classes: int = 0) -> keras.Model:
    """A discriminator of single frames ``(size, size, 1)``: one logit per frame.

    Two strided convolutions with leaky ReLU, then ``Dense(1)``. With ``classes > 0`` the
    one-hot ``label`` is concatenated to the flattened features (a conditional
    discriminator: it judges whether the frame is a real image *of that digit*).

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    size = _check_frame_size(size)
    filters = check_positive_int("filters", filters)
    classes = check_positive_int("classes", classes, minimum=0)
    frame = keras.Input((size, size, 1), name="frame")
    label = _class_input(classes)
    features = _frame_encoder(size, 1, filters, "frame_encoder")(frame)
    if label:
        features = keras.layers.Concatenate(name="with_label")([features, *label])
    logit = keras.layers.Dense(1, name="logit")(features)
    return keras.Model([frame, *label] if label else frame, logit, name="frame_discriminator")


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
    encoder = _frame_encoder(size, 2, filters, "clip_frame_encoder")
    features = keras.layers.TimeDistributed(encoder, name="encoded_frames")(stacked)
    if label:
        repeated = keras.layers.RepeatVector(length, name="repeat_label")(label[0])
        features = keras.layers.Concatenate(name="with_label")([features, repeated])
    state = keras.layers.GRU(units, name="clip_gru")(features)
    logit = keras.layers.Dense(1, name="logit")(state)
    return keras.Model([clip, *label] if label else clip, logit, name="sequence_discriminator")

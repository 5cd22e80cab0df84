"""CRNN (Shi, Bai & Yao 2017): convolutional features read as a sequence, BiLSTM, CTC; and
the per-position CNN classifier it is compared with."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import keras
import numpy as np

from companion import ctc
from companion.layers import BlankPaddedFrames, FeatureMapToSequence, FrameMask
from companion.validation import as_float_array, check_number, check_positive_int, check_shape


def crnn(
    height: int,
    width: int | None = None,
    *,
    channels: int = 1,
    alphabet_size: int = 10,
    filters: Sequence[int] = (32, 64, 128),
    units: int = 64,
    dropout: float = 0.25,
    width_pools: int = 3,
    batch_norm: bool = False,
    masked_width: bool = False,
) -> keras.Model:
    """Build a CRNN that outputs per-frame **logits** over ``alphabet_size + 1`` classes.

    Class 0 is the CTC blank and classes ``1..alphabet_size`` the symbols, as
    ``keras.losses.CTC`` and :mod:`companion.ctc` expect. Each of the three convolution
    blocks halves the height; the first ``width_pools`` also halve the width, so an image
    ``width`` pixels wide gives ``width // 2**width_pools`` frames (time steps); the feature
    map's columns become the frames (:class:`companion.layers.FeatureMapToSequence`), a
    dense projection and a bidirectional LSTM read them, and a dense layer scores each
    frame.

    Args:
        height: image height in pixels (at least 8: three poolings halve it).
        width: image width, or ``None`` for images of any width (pad them in a batch).
        channels: 1 for grey, 3 for colour.
        alphabet_size: number of symbols (without the blank).
        filters: channels of the three convolution blocks.
        units: size of the projection and of each LSTM direction.
        dropout: dropout rate before the LSTM, in ``[0, 1)``.
        width_pools: how many blocks (0-3) also halve the width. Fewer frames train
            faster, but a label of ``L`` symbols needs at least ``L`` frames (``2L - 1``
            when all are equal).
        batch_norm: put batch normalisation between each convolution and its ReLU, as
            the deeper blocks of the original CRNN do. It changes what the model computes
            between training and inference (batch statistics against moving averages).
        masked_width: add a second input, ``"width"``: each image's true width in
            pixels, for batches of images padded on the right to a common width. Padded
            frames are then masked in the LSTM (:class:`~companion.layers.FrameMask`)
            and forced to the blank (:class:`~companion.layers.BlankPaddedFrames`), so
            the padding stays out of the LSTM and of the CTC loss (only the convolutions
            still see a few padding pixels beyond each image's right edge).

    Raises:
        ValueError: for a height below 8, a width below 4, or out-of-range sizes.
    """
    height = check_positive_int("height", height, minimum=8)
    if width is not None:
        width = check_positive_int("width", width, minimum=4)
    channels = check_positive_int("channels", channels)
    alphabet_size = check_positive_int("alphabet_size", alphabet_size)
    units = check_positive_int("units", units)
    filters = _check_filters(filters)
    dropout = _check_dropout(dropout)
    if isinstance(width_pools, bool) or not isinstance(width_pools, int | np.integer):
        raise TypeError(f"width_pools: expected 0, 1, 2 or 3, got {width_pools!r}")
    if width_pools not in (0, 1, 2, 3):
        raise ValueError(f"width_pools: expected 0, 1, 2 or 3, got {width_pools!r}")
    pools = [(2, 2) if index < width_pools else (2, 1) for index in range(3)]
    inputs = keras.Input((height, width, channels), name="image")
    x = _convolution_blocks(inputs, filters, pools, batch_norm)
    x = FeatureMapToSequence(name="map_to_sequence")(x)
    x = keras.layers.Dense(units, activation="relu", name="projection")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    bilstm = keras.layers.Bidirectional(
        keras.layers.LSTM(units, return_sequences=True), name="bilstm"
    )
    if not masked_width:
        logits = keras.layers.Dense(alphabet_size + 1, name="frame_logits")(bilstm(x))
        return keras.Model(inputs, logits, name="crnn")
    widths = keras.Input((), dtype="int32", name="width")
    mask = FrameMask(2**width_pools, name="frame_mask")(x, widths)
    logits = keras.layers.Dense(alphabet_size + 1, name="frame_logits")(bilstm(x, mask=mask))
    logits = BlankPaddedFrames(name="blank_padding")(logits, mask)
    return keras.Model({"image": inputs, "width": widths}, logits, name="crnn")


def _convolution_blocks(
    x: Any, filters: Sequence[int], pools: Sequence[tuple[int, int]], batch_norm: bool
) -> Any:
    """Convolution (3x3, same padding), optional batch normalisation, ReLU and pooling."""
    for index, (channels_out, pool) in enumerate(zip(filters, pools, strict=True)):
        x = keras.layers.Conv2D(
            channels_out,
            3,
            padding="same",
            use_bias=not batch_norm,  # a bias before batch normalisation is redundant
            name=f"conv{index + 1}",
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(name=f"batch_norm{index + 1}")(x)
        x = keras.layers.ReLU(name=f"relu{index + 1}")(x)
        x = keras.layers.MaxPooling2D(pool, name=f"pool{index + 1}")(x)
    return x


def _check_filters(filters: Sequence[int]) -> tuple[int, ...]:
    if isinstance(filters, int | str) or not isinstance(filters, Sequence):
        raise TypeError(f"filters: expected 3 channel counts, got {filters!r}")
    if len(filters) != 3:
        raise ValueError(f"filters: expected 3 convolution blocks, got {len(filters)}")
    return tuple(check_positive_int("filters", f) for f in filters)


def _check_dropout(dropout: float) -> float:
    check_number("dropout", dropout, "a rate in [0, 1)")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout}")
    return dropout


def position_classifier(
    height: int,
    width: int,
    *,
    channels: int = 1,
    max_length: int = 5,
    alphabet_size: int = 10,
    filters: Sequence[int] = (32, 64, 128),
    units: int = 64,
    dropout: float = 0.25,
    batch_norm: bool = False,
) -> keras.Model:
    """The CNN alternative to a CRNN: one classifier head per character position.

    The same three convolution blocks as :func:`crnn` (each halves height and width),
    then the whole feature map flattened into a dense layer, and ``max_length`` heads of
    ``alphabet_size + 1`` logits each: symbol ``c`` is class ``c`` and class
    ``alphabet_size`` means "no character at this position". Output shape
    ``(batch, max_length, alphabet_size + 1)``; train it with
    ``SparseCategoricalCrossentropy(from_logits=True)`` on :func:`position_targets`.
    It needs a fixed image size and cannot read more than ``max_length`` characters.

    Raises:
        TypeError, ValueError: for sizes that are not positive integers (height and
            width at least 8), or a dropout rate outside ``[0, 1)``.
    """
    height = check_positive_int("height", height, minimum=8)
    width = check_positive_int("width", width, minimum=8)
    channels = check_positive_int("channels", channels)
    max_length = check_positive_int("max_length", max_length)
    alphabet_size = check_positive_int("alphabet_size", alphabet_size)
    units = check_positive_int("units", units)
    filters = _check_filters(filters)
    dropout = _check_dropout(dropout)
    inputs = keras.Input((height, width, channels), name="image")
    x = _convolution_blocks(inputs, filters, [(2, 2)] * 3, batch_norm)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(units, activation="relu", name="projection")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    x = keras.layers.Dense(max_length * (alphabet_size + 1), name="position_logits")(x)
    logits = keras.layers.Reshape((max_length, alphabet_size + 1), name="positions")(x)
    return keras.Model(inputs, logits, name="position_classifier")


def position_targets(
    labels: Sequence[Sequence[int]], max_length: int, alphabet_size: int
) -> np.ndarray:
    """Labels as ``(n, max_length)`` classes for :func:`position_classifier`: each label's
    symbols, then ``alphabet_size`` ("no character") up to ``max_length``.

    Raises:
        ValueError: if a label is longer than ``max_length`` or holds a symbol outside
            ``0..alphabet_size - 1``.
    """
    max_length = check_positive_int("max_length", max_length)
    alphabet_size = check_positive_int("alphabet_size", alphabet_size)
    targets = np.full((len(labels), max_length), alphabet_size, np.int32)
    for row, label in enumerate(labels):
        label = [int(symbol) for symbol in label]
        if len(label) > max_length:
            raise ValueError(
                f"labels: expected at most max_length={max_length} symbols, got {len(label)} "
                f"in label {row}"
            )
        if any(not 0 <= symbol < alphabet_size for symbol in label):
            raise ValueError(
                f"labels: expected symbols in 0..{alphabet_size - 1}, got {label} in label {row}"
            )
        targets[row, : len(label)] = label
    return targets


def _image_batch(images: Any) -> np.ndarray:
    """``images`` as a float32 ``(n, height, width, channels)`` array, or a named error."""
    images = as_float_array("images", images).astype(np.float32)
    if images.ndim != 4:
        raise ValueError(
            f"images: expected a 4-D batch (n, height, width, channels), got shape {images.shape}"
        )
    return images


def read_positions(model: keras.Model, images: Any, *, batch_size: int = 256) -> list[list[int]]:
    """Read images with a :func:`position_classifier`: the best class of each position,
    "no character" dropped.

    Raises:
        ValueError: for images of the wrong rank or size for this model.
    """
    images = _image_batch(images)
    check_shape("images", images, model.input.shape)
    batch_size = check_positive_int("batch_size", batch_size)
    classes = np.argmax(model.predict(images, batch_size=batch_size, verbose=0), axis=-1)
    none = model.output.shape[-1] - 1
    return [[int(c) for c in row if c != none] for row in classes]


def transcribe(
    model: keras.Model,
    images: Any,
    widths: Any = None,
    *,
    batch_size: int = 256,
    batch_statistics: bool = False,
) -> list[list[int]]:
    """Read images with a CRNN: per-frame logits, best-path decoding, symbol indices.

    Class ``c`` of the model is symbol ``c - 1`` (class 0 is the blank), so the result
    holds digits for a digit model, or indices into the alphabet for text.

    Reading never changes the model. With ``batch_statistics=True`` batch normalisation
    uses the statistics of each batch of ``batch_size`` images instead of its moving
    averages, as in training, but dropout stays off and the moving averages are not
    updated (:func:`batch_statistics_logits`).

    Args:
        model: a CRNN from :func:`crnn`; if it was built with ``masked_width=True``,
            ``widths`` must be given.
        images: ``(n, height, width, channels)`` images, padded on the right if their
            widths differ.
        widths: each image's true width in pixels, for a masked model.
        batch_size: images per forward pass.
        batch_statistics: read with batch normalisation's batch statistics.

    Raises:
        ValueError: for images of the wrong rank, height or channels for this model
            (e.g. colour images for a grey model), or widths missing or given for the
            wrong model.
    """
    images = _image_batch(images)
    batch_size = check_positive_int("batch_size", batch_size)
    masked = isinstance(model.input, dict)
    check_shape("images", images, (model.input["image"] if masked else model.input).shape)
    if masked != (widths is not None):
        expected = "widths for a model with a 'width' input" if masked else "no widths"
        raise ValueError(
            f"widths: expected {expected}, got {'none' if widths is None else 'widths'}"
        )
    if not isinstance(batch_statistics, bool):
        raise TypeError(f"batch_statistics: expected True or False, got {batch_statistics!r}")
    inputs = {"image": images, "width": np.asarray(widths, np.int32)} if masked else images
    if batch_statistics:
        starts = range(0, len(images), batch_size)
        logits = np.concatenate(
            [
                batch_statistics_logits(
                    model, keras.tree.map_structure(lambda a, i=i: a[i : i + batch_size], inputs)
                )
                for i in starts
            ]
        )
    else:
        logits = model.predict(inputs, batch_size=batch_size, verbose=0)
    return [[c - 1 for c in row] for row in ctc.greedy_decode(logits)]


@contextlib.contextmanager
def _dropout_off(model: keras.Model) -> Iterator[None]:
    """Set the rate of every ``Dropout`` layer of ``model`` to 0 for the duration, then
    restore it (a recurrent layer's own ``dropout`` argument is not touched).

    Keras' ``Dropout`` drops only when ``training and self.rate > 0``
    (``keras/src/layers/regularization/dropout.py``, ``Dropout.call``).
    """
    layers, stack = [], list(model.layers)
    while stack:  # the model's layers and those of models nested in it
        layer = stack.pop()
        stack.extend(getattr(layer, "layers", []))
        if isinstance(layer, keras.layers.Dropout):
            layers.append(layer)
    rates = [layer.rate for layer in layers]
    try:
        for layer in layers:
            layer.rate = 0.0
        yield
    finally:
        for layer, rate in zip(layers, rates, strict=True):
            layer.rate = rate


def batch_statistics_logits(model: keras.Model, inputs: Any) -> np.ndarray:
    """The model's outputs with batch normalisation on the statistics of ``inputs`` itself.

    Calling a Keras 3 model with ``training=True`` would also turn dropout on and move
    batch normalisation's averages towards these inputs' statistics (the model would
    have learnt from them). Here the call is stateless (``Layer.stateless_call``: the
    updated non-trainable variables it returns are dropped) and dropout is off, so the
    model is left exactly as it was (``tests/test_crnn_reading.py`` checks every variable).

    Raises:
        TypeError: if ``model`` is not a Keras model.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    with _dropout_off(model):
        outputs, _ = model.stateless_call(
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            inputs,
            training=True,
        )
    return np.asarray(outputs)

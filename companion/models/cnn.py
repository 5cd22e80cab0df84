"""A small, configurable convolutional classifier and a multilayer perceptron of similar
size to compare it with (chapter 03)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import keras
import numpy as np

from companion.validation import check_image_shape, check_number, check_positive_int


def _check_rates(dropout: float, translation: float) -> None:
    """Check the dropout rate and the augmentation's shift fraction."""
    for name, value in (("dropout", dropout), ("translation", translation)):
        check_number(name, value, "a number")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout}")
    if not 0.0 <= translation < 0.5:
        raise ValueError(f"translation: expected a fraction in [0, 0.5), got {translation}")


def _augmentation(translation: float) -> list[keras.layers.Layer]:
    """A random shift of up to ``translation`` of the height and width, or nothing for 0."""
    if translation == 0:
        return []
    return [
        keras.layers.RandomTranslation(
            translation, translation, fill_mode="constant", name="augment"
        )
    ]


def conv_classifier(
    input_shape: Sequence[int],
    classes: int,
    *,
    filters: Sequence[int] = (32, 32, 64),
    kernel_size: int = 3,
    first_stride: int = 1,
    pool_size: int = 2,
    pool_after: Sequence[int] = (1, 2),
    dropout: float = 0.3,
    translation: float = 0.0,
    name: str = "conv_classifier",
) -> keras.Model:
    """Build ``[Conv2D + ReLU (+ MaxPool)] * len(filters) -> Flatten -> Dropout -> Dense``.

    The output layer returns **logits** (train with ``from_logits=True``).

    Args:
        input_shape: ``(height, width, channels)`` of one image.
        classes: number of classes (at least 2).
        filters: output channels of each convolution ('same' padding).
        kernel_size: square kernel size of every convolution.
        first_stride: stride of the first convolution (1 keeps the resolution).
        pool_size: max-pooling window and stride; 1 means no pooling.
        pool_after: indices of the convolutions followed by pooling.
        dropout: dropout rate before the output layer, in ``[0, 1)``.
        translation: data augmentation: during training only, shift each image by up to
            this fraction of its height and width (``RandomTranslation``, zero fill);
            0 for none.
        name: the model's name.

    Raises:
        ValueError: for an input shape that is not ``(height, width, channels)``, an empty
            ``filters``, a pooling index out of range or a dropout outside ``[0, 1)``.
    """
    input_shape = check_image_shape("input_shape", input_shape)
    classes = check_positive_int("classes", classes, minimum=2)
    if isinstance(filters, int | str) or not len(filters):
        raise ValueError(f"filters: expected at least one convolution, got {filters!r}")
    filters = tuple(check_positive_int("filters", channels) for channels in filters)
    kernel_size = check_positive_int("kernel_size", kernel_size)
    first_stride = check_positive_int("first_stride", first_stride)
    pool_size = check_positive_int("pool_size", pool_size)
    for index in pool_after:
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise TypeError(f"pool_after: expected convolution indices, got {index!r}")
        if not 0 <= index < len(filters):
            raise ValueError(
                f"pool_after: expected indices of the {len(filters)} convolutions, got {index}"
            )
    _check_rates(dropout, translation)

    layers = [keras.Input(tuple(input_shape)), *_augmentation(translation)]
    for index, channels in enumerate(filters):
        layers.append(
            keras.layers.Conv2D(
                channels,
                kernel_size,
                strides=first_stride if index == 0 else 1,
                padding="same",
                activation="relu",
                name=f"conv{index + 1}",
            )
        )
        if pool_size > 1 and index in pool_after:
            layers.append(
                keras.layers.MaxPooling2D(pool_size, padding="same", name=f"pool{index + 1}")
            )
    layers += [
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(dropout, name="dropout"),
        keras.layers.Dense(classes, name="logits"),
    ]
    return keras.Sequential(layers, name=name)


def _check_hidden(hidden: Sequence[int]) -> tuple[int, ...]:
    """Check the widths of a perceptron's hidden layers: at least one, each positive."""
    if isinstance(hidden, int | str) or not len(hidden):
        raise ValueError(f"hidden: expected at least one hidden layer, got {hidden!r}")
    return tuple(check_positive_int("hidden", units) for units in hidden)


def dense_classifier(
    input_shape: Sequence[int],
    classes: int,
    *,
    hidden: Sequence[int] = (128, 128),
    dropout: float = 0.3,
    translation: float = 0.0,
    name: str = "dense_classifier",
) -> keras.Model:
    """Build ``Flatten -> [Dense + ReLU] * len(hidden) -> Dropout -> Dense``: a multilayer
    perceptron on the raw pixels.

    It is :func:`conv_classifier`'s control: the same input, augmentation, dropout and
    logits, but every weight joins one input (pixel or unit) to one unit, so nothing is
    shared between image positions and nothing is local. Choose ``hidden`` with
    :func:`dense_width_for` to give it as many parameters as a CNN.

    Args:
        input_shape: ``(height, width, channels)`` of one image.
        classes: number of classes (at least 2).
        hidden: units of each hidden layer (at least one layer).
        dropout: dropout rate before the output layer, in ``[0, 1)``.
        translation: data augmentation as in :func:`conv_classifier`; 0 for none.
        name: the model's name.

    Raises:
        ValueError: for an input shape that is not ``(height, width, channels)``, an empty
            ``hidden``, a layer without units or a rate out of range.
        TypeError: for a width that is not an integer.
    """
    input_shape = check_image_shape("input_shape", input_shape)
    classes = check_positive_int("classes", classes, minimum=2)
    hidden = _check_hidden(hidden)
    _check_rates(dropout, translation)
    layers = [
        keras.Input(tuple(input_shape)),
        *_augmentation(translation),
        keras.layers.Flatten(name="flatten"),
    ]
    layers += [
        keras.layers.Dense(units, activation="relu", name=f"dense{index + 1}")
        for index, units in enumerate(hidden)
    ]
    layers += [
        keras.layers.Dropout(dropout, name="dropout"),
        keras.layers.Dense(classes, name="logits"),
    ]
    return keras.Sequential(layers, name=name)


def dense_parameters(input_shape: Sequence[int], classes: int, hidden: Sequence[int]) -> int:
    """The number of weights and biases of ``dense_classifier(input_shape, classes,
    hidden=hidden)``, counted without building it.

    Raises:
        ValueError, TypeError: as :func:`dense_classifier` for the same arguments.
    """
    height, width, channels = check_image_shape("input_shape", input_shape)
    classes = check_positive_int("classes", classes, minimum=2)
    sizes = [height * width * channels, *_check_hidden(hidden), classes]
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in itertools.pairwise(sizes))


def dense_width_for(
    parameters: int, input_shape: Sequence[int], classes: int, *, layers: int = 2
) -> int:
    """The width of ``layers`` equal hidden layers that gives :func:`dense_classifier` the
    number of parameters closest to ``parameters`` (the smaller width on a tie).

    Example: ``dense_width_for(cnn.count_params(), (8, 8, 1), 10)`` sizes the chapter's
    perceptron like its CNN.

    Raises:
        TypeError, ValueError: if ``parameters`` or ``layers`` is not a positive integer,
            or the input shape or classes are invalid.
    """
    parameters = check_positive_int("parameters", parameters)
    layers = check_positive_int("layers", layers)

    def count(width: int) -> int:
        return dense_parameters(input_shape, classes, (width,) * layers)

    width = 1
    while count(width) < parameters:
        width += 1
    if width > 1 and parameters - count(width - 1) <= count(width) - parameters:
        return width - 1
    return width

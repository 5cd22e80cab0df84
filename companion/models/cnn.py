"""A small, configurable convolutional classifier (chapter 03)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from companion.validation import check_image_shape, check_number, check_positive_int


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
    for name, value in (("dropout", dropout), ("translation", translation)):
        check_number(name, value, "a number")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout}")
    if not 0.0 <= translation < 0.5:
        raise ValueError(f"translation: expected a fraction in [0, 0.5), got {translation}")

    layers: list[keras.layers.Layer] = [keras.Input(tuple(input_shape))]
    if translation > 0:
        layers.append(
            keras.layers.RandomTranslation(
                translation, translation, fill_mode="constant", name="augment"
            )
        )
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

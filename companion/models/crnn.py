"""CRNN (Shi, Bai & Yao 2017): convolutional features read as a sequence, BiLSTM, CTC."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from companion.layers import FeatureMapToSequence
from companion.validation import check_positive_int


def crnn(
    height: int,
    width: int | None = None,
    *,
    channels: int = 1,
    alphabet_size: int = 10,
    filters: Sequence[int] = (32, 64, 128),
    units: int = 128,
    dropout: float = 0.25,
) -> keras.Model:
    """Build a CRNN that outputs per-frame **logits** over ``alphabet_size + 1`` classes.

    Class 0 is the CTC blank and classes ``1..alphabet_size`` the symbols, as
    ``keras.losses.CTC`` and :mod:`companion.ctc` expect. The convolution stack halves
    height and width with the first pools and then only the height (pool ``(2, 1)``), so
    an image ``width`` pixels wide gives ``width // 4`` frames (time steps); the feature
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

    Raises:
        ValueError: for a height below 8, a width below 4, or out-of-range sizes.
    """
    height = check_positive_int("height", height, minimum=8)
    if width is not None:
        width = check_positive_int("width", width, minimum=4)
    channels = check_positive_int("channels", channels)
    alphabet_size = check_positive_int("alphabet_size", alphabet_size)
    units = check_positive_int("units", units)
    if len(filters) != 3:
        raise ValueError(f"filters: expected 3 convolution blocks, got {len(filters)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout: expected a rate in [0, 1), got {dropout}")
    inputs = keras.Input((height, width, channels), name="image")
    x = inputs
    for index, (channels_out, pool) in enumerate(
        zip(filters, [(2, 2), (2, 2), (2, 1)], strict=True)
    ):
        x = keras.layers.Conv2D(
            check_positive_int("filters", channels_out),
            3,
            padding="same",
            activation="relu",
            name=f"conv{index + 1}",
        )(x)
        x = keras.layers.MaxPooling2D(pool, name=f"pool{index + 1}")(x)
    x = FeatureMapToSequence(name="map_to_sequence")(x)
    x = keras.layers.Dense(units, activation="relu", name="projection")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True), name="bilstm")(
        x
    )
    logits = keras.layers.Dense(alphabet_size + 1, name="frame_logits")(x)
    return keras.Model(inputs, logits, name="crnn")

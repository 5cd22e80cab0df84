"""Small instances of every model the chapters build, and sample inputs for them (shared by
the serialization and determinism tests)."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from companion.bptt import GradientNormModel
from companion.keras_cells import PeepholeLSTMCell
from companion.layers import RecurrentConv2D
from companion.models import autoencoders, cnn, cnn_rnn, convlstm, crnn, forecasting, gan, video_gan


def _peephole_model() -> keras.Model:
    inputs = keras.Input((5, 3))
    return keras.Model(inputs, keras.layers.RNN(PeepholeLSTMCell(4))(inputs))


def _gradient_norm_model() -> keras.Model:
    inputs = keras.Input((5, 3))
    return GradientNormModel(inputs, keras.layers.Dense(2)(keras.layers.SimpleRNN(4)(inputs)))


def _rcl_model() -> keras.Model:
    inputs = keras.Input((8, 8, 1))
    return keras.Model(inputs, RecurrentConv2D(4, steps=2)(inputs))


BUILDERS: dict[str, Callable[[], keras.Model]] = {
    "01 gradient-norm model": _gradient_norm_model,
    "01/02 peephole LSTM cell": _peephole_model,
    "03 conv classifier": lambda: cnn.conv_classifier(
        (8, 8, 1), 10, filters=(4, 8), pool_after=(1,)
    ),
    "04 rows RNN": lambda: cnn_rnn.rows_rnn((8, 8, 1), 10, units=4),
    "04 CNN -> RNN": lambda: cnn_rnn.cnn_rnn((8, 8, 1), 10, filters=(4, 8), units=4),
    "04 fusion": lambda: cnn_rnn.fusion_model((8, 8, 1), 10, filters=(4, 8), units=4, features=4),
    "04 early fusion": lambda: cnn_rnn.early_fusion_model(
        (8, 8, 1), 10, filters=(4, 8), units=4, features=4
    ),
    "05 per-position CNN": lambda: crnn.position_classifier(
        16, 16, filters=(2, 2, 2), units=4, max_length=3
    ),
    "05 CRNN": lambda: crnn.crnn(16, 48, filters=(4, 8, 8), units=4),
    "05 masked CRNN": lambda: crnn.crnn(16, 48, filters=(4, 8, 8), units=4, masked_width=True),
    "06 CNN-LSTM forecaster": lambda: forecasting.cnn_lstm_forecaster(24, 3, filters=4, units=4),
    "07 ConvLSTM predictor": lambda: convlstm.convlstm_predictor((8, 8, 1), filters=(4,)),
    "07 CNN + LSTM predictor": lambda: convlstm.cnn_lstm_predictor((8, 8, 1), filters=(4, 4)),
    "07 RCL": _rcl_model,
    "08 dense autoencoder": lambda: autoencoders.dense_autoencoder(64, 4, hidden=(8,)),
    "08 conv autoencoder": lambda: autoencoders.conv_autoencoder((8, 8, 1), 4, filters=(4, 8)),
    "09 LSTM autoencoder": lambda: autoencoders.lstm_autoencoder(6, 1, 3, units=4),
    "10 generator": lambda: gan.recurrent_generator(6, 2, noise_dim=2, units=4, condition_dim=1),
    "10 discriminator": lambda: gan.recurrent_discriminator(6, 2, units=4),
    "11 sprite generator": lambda: video_gan.sprite_generator(
        4, 8, glyph_size=4, content_dim=3, motion_dim=2, filters=4, classes=2
    ),
    "11 trajectory generator": lambda: video_gan.trajectory_generator(
        4, 8, content_dim=3, motion_dim=2, filters=4
    ),
    "11 frame discriminator": lambda: video_gan.frame_discriminator(
        8, filters=4, classes=2, auxiliary_classifier=True
    ),
    "11 sequence discriminator": lambda: video_gan.sequence_discriminator(4, 8, filters=2),
}


def sample_inputs(model: keras.Model, rng: np.random.Generator):
    arrays = []
    for tensor in model.inputs:
        shape = [2 if d is None else d for d in tensor.shape]
        if tensor.name == "width":  # the masked CRNN's true image widths
            arrays.append(np.array([[48], [30]], "float32").reshape(shape))
        else:
            arrays.append(rng.uniform(size=shape).astype("float32"))
    return arrays if len(arrays) > 1 else arrays[0]

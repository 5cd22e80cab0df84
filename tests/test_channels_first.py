"""What chapter 3's common mistake 2 says about ``data_format="channels_first"``: TensorFlow's
own CPU kernel for Conv2D refuses it, so the portable fix is a transpose to channels last,
which computes the same convolution."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.environments import run_python

PLAIN_CPU_PROBE = r"""
import os
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # read when TensorFlow is imported
os.environ["CUDA_VISIBLE_DEVICES"] = ""
import numpy as np, keras, tensorflow as tf
layer = keras.layers.Conv2D(5, 3, padding="same", data_format="channels_first")
try:
    layer(np.zeros((4, 1, 8, 8), "float32"))
except tf.errors.UnimplementedError as error:
    assert "only supports the NHWC tensor format on the CPU" in str(error), str(error)
else:
    raise AssertionError("Conv2D ran channels first on the CPU without oneDNN")
"""


def test_the_cpu_kernel_without_onednn_refuses_channels_first():
    """The error a reader gets on a CPU where TensorFlow's own kernel runs the convolution."""
    run_python(PLAIN_CPU_PROBE)


def test_a_transpose_to_channels_last_computes_the_same_convolution():
    x = np.random.default_rng(0).normal(size=(4, 1, 8, 8)).astype(np.float32)
    first = keras.layers.Conv2D(5, 3, padding="same", data_format="channels_first")
    first.build(x.shape)
    last = keras.Sequential(
        [
            keras.Input((1, 8, 8)),
            keras.layers.Permute((2, 3, 1)),
            keras.layers.Conv2D(5, 3, padding="same"),
        ]
    )
    last.layers[-1].set_weights(first.get_weights())
    transposed = np.asarray(last(x))
    assert transposed.shape == (4, 8, 8, 5)
    moved = np.asarray(last.layers[-1](np.moveaxis(x, 1, -1)))  # the same transpose in NumPy
    np.testing.assert_array_equal(transposed, moved)
    try:
        direct = np.asarray(first(x))  # channels first, where this machine's kernel allows it
    except (tf.errors.UnimplementedError, tf.errors.InvalidArgumentError):
        pytest.skip("this machine's Conv2D kernel refuses channels first")
    np.testing.assert_allclose(np.moveaxis(direct, 1, -1), transposed, atol=1e-5)

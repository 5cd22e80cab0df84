"""companion.models.cnn: the generic layer contract and input validation, for the CNN and
for the perceptron it is compared with."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.models.cnn import (
    conv_classifier,
    dense_classifier,
    dense_parameters,
    dense_width_for,
)


def test_shapes_parameters_and_logits():
    model = conv_classifier((8, 8, 1), 10)
    x = np.random.default_rng(0).random((4, 8, 8, 1)).astype(np.float32)
    assert model(x).shape == (4, 10)
    conv1 = model.get_layer("conv1")
    assert conv1.count_params() == (3 * 3 * 1 + 1) * 32
    assert model.get_layer("logits").activation is keras.activations.linear
    assert model.get_layer("pool2").output.shape[1:3] == (4, 4)  # pooled after conv2 and conv3
    assert model.get_layer("pool3").output.shape[1:3] == (2, 2)


def test_stride_and_pooling_options_change_the_resolution_not_the_conv_parameters():
    plain = conv_classifier((8, 8, 1), 10, pool_size=1)
    strided = conv_classifier((8, 8, 1), 10, pool_size=1, first_stride=2)
    assert plain.get_layer("conv1").count_params() == strided.get_layer("conv1").count_params()
    assert plain.get_layer("flatten").output.shape[-1] == 8 * 8 * 64
    assert strided.get_layer("flatten").output.shape[-1] == 4 * 4 * 64


def test_translation_augments_only_in_training():
    model = conv_classifier((8, 8, 1), 10, translation=0.125, dropout=0.0)
    plain = conv_classifier((8, 8, 1), 10, dropout=0.0)
    assert model.count_params() == plain.count_params()
    x = np.random.default_rng(2).random((16, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(model(x, training=False), model(x, training=False))
    shifted = np.asarray(model.get_layer("augment")(x, training=True))
    assert not np.allclose(shifted, x)
    np.testing.assert_array_equal(model.get_layer("augment")(x, training=False), x)


def test_save_and_load_round_trip(tmp_path):
    model = conv_classifier((8, 8, 1), 3, filters=(4,), pool_after=(0,))
    x = np.random.default_rng(1).random((2, 8, 8, 1)).astype(np.float32)
    model.save(tmp_path / "cnn.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "cnn.keras")(x), model(x), atol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"input_shape": (8, 8)},
            r"input_shape: expected \(height, width, channels\), got \(8, 8\)",
        ),
        ({"classes": 1}, "classes: expected an integer >= 2, got 1"),
        ({"filters": ()}, "filters: expected at least one convolution"),
        ({"pool_after": (5,)}, "pool_after: expected indices of the 3 convolutions, got 5"),
        ({"dropout": 1.0}, r"dropout: expected a rate in \[0, 1\), got 1.0"),
        ({"kernel_size": 0}, "kernel_size: expected an integer >= 1, got 0"),
        ({"translation": 0.5}, r"translation: expected a fraction in \[0, 0.5\), got 0.5"),
    ],
)
def test_bad_arguments_are_explained(kwargs, message):
    arguments = {"input_shape": (8, 8, 1), "classes": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        conv_classifier(**arguments)


def test_dense_classifier_is_a_perceptron_with_logits():
    model = dense_classifier((8, 8, 1), 10, hidden=(16, 12))
    x = np.random.default_rng(3).random((4, 8, 8, 1)).astype(np.float32)
    assert model(x).shape == (4, 10)
    assert [layer.name for layer in model.layers] == [
        "flatten",
        "dense1",
        "dense2",
        "dropout",
        "logits",
    ]
    assert model.get_layer("logits").activation is keras.activations.linear
    assert model.count_params() == (64 + 1) * 16 + (16 + 1) * 12 + (12 + 1) * 10


def test_dense_classifier_augments_like_the_cnn():
    model = dense_classifier((8, 8, 1), 10, hidden=(8,), translation=0.125, dropout=0.0)
    assert model.get_layer("augment").get_config()["height_factor"] == 0.125
    x = np.random.default_rng(4).random((8, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(model(x, training=False), model(x, training=False))


@pytest.mark.parametrize("hidden", [(1,), (7, 3), (50, 50, 2)])
def test_dense_parameters_counts_what_keras_builds(hidden):
    model = dense_classifier((6, 5, 2), 4, hidden=hidden)
    assert dense_parameters((6, 5, 2), 4, hidden) == model.count_params()


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_dense_width_for_gives_the_closest_parameter_count(layers):
    target = conv_classifier((8, 8, 1), 10).count_params()
    width = dense_width_for(target, (8, 8, 1), 10, layers=layers)
    gap = abs(dense_parameters((8, 8, 1), 10, (width,) * layers) - target)
    for other in (width - 1, width + 1):
        assert gap <= abs(dense_parameters((8, 8, 1), 10, (other,) * layers) - target)
    built = dense_classifier((8, 8, 1), 10, hidden=(width,) * layers)
    assert built.count_params() == dense_parameters((8, 8, 1), 10, (width,) * layers)


def test_dense_width_for_a_tiny_budget_is_one_unit():
    assert dense_width_for(1, (2, 2, 1), 2) == 1


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: dense_classifier((8, 8), 10), ValueError, r"input_shape: expected \(height"),
        (lambda: dense_classifier((8, 8, 1), 1), ValueError, "classes: expected an integer >= 2"),
        (
            lambda: dense_classifier((8, 8, 1), 10, hidden=()),
            ValueError,
            r"hidden: expected at least one hidden layer, got \(\)",
        ),
        (
            lambda: dense_classifier((8, 8, 1), 10, hidden=128),
            ValueError,
            "hidden: expected at least one hidden layer, got 128",
        ),
        (
            lambda: dense_classifier((8, 8, 1), 10, hidden=(4, 0)),
            ValueError,
            "hidden: expected an integer >= 1, got 0",
        ),
        (
            lambda: dense_classifier((8, 8, 1), 10, hidden=(4.5,)),
            TypeError,
            "hidden: expected an integer >= 1, got 4.5",
        ),
        (
            lambda: dense_classifier((8, 8, 1), 10, dropout=-0.1),
            ValueError,
            r"dropout: expected a rate in \[0, 1\), got -0.1",
        ),
        (
            lambda: dense_classifier((8, 8, 1), 10, translation=0.5),
            ValueError,
            r"translation: expected a fraction in \[0, 0.5\), got 0.5",
        ),
        (
            lambda: dense_parameters((8, 8, 1), 10, ()),
            ValueError,
            "hidden: expected at least one hidden layer",
        ),
        (
            lambda: dense_width_for(0, (8, 8, 1), 10),
            ValueError,
            "parameters: expected an integer >= 1, got 0",
        ),
        (
            lambda: dense_width_for(100, (8, 8, 1), 10, layers=0),
            ValueError,
            "layers: expected an integer >= 1, got 0",
        ),
        (
            lambda: dense_width_for(100.0, (8, 8, 1), 10),
            TypeError,
            "parameters: expected an integer >= 1, got 100.0",
        ),
        (
            lambda: dense_width_for(100, (8, 8), 10),
            ValueError,
            r"input_shape: expected \(height",
        ),
    ],
)
def test_bad_perceptron_arguments_are_explained(call, error, message):
    with pytest.raises(error, match=f"^{message}"):
        call()

"""companion.layers.RecurrentConv2D (the RCL of Liang & Hu 2015)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.conv import conv2d
from companion.layers import RecurrentConv2D


def _numpy_rcl(u, w_f, b_f, w_r, steps):
    drive = conv2d(u, w_f, b_f, padding="same")
    state = np.maximum(drive, 0.0)
    for _ in range(steps):
        state = np.maximum(drive + conv2d(state, w_r, padding="same"), 0.0)
    return state


@pytest.mark.parametrize(("steps", "kernel"), [(0, 3), (1, 3), (3, 3), (2, 5)])
def test_rcl_matches_its_equation(steps, kernel):
    layer = RecurrentConv2D(4, kernel, steps, batch_norm=False)
    u = np.random.default_rng(steps).normal(size=(2, 7, 6, 3)).astype(np.float32)
    out = layer(u)
    w_f, b_f = layer.feed_forward.get_weights()
    w_r = layer.recurrent.get_weights()[0] if steps else None
    np.testing.assert_allclose(out, _numpy_rcl(u, w_f, b_f, w_r, steps), atol=1e-5)


def test_rcl_weights_are_shared_across_steps():
    few, many = RecurrentConv2D(8, steps=1), RecurrentConv2D(8, steps=4)
    few.build((None, 8, 8, 2))
    many.build((None, 8, 8, 2))
    convs = (3 * 3 * 2 + 1) * 8 + 3 * 3 * 8 * 8  # feed-forward + recurrent kernels
    assert few.count_params() == convs + 2 * 4 * 8  # + two batch norms (4 numbers each)
    assert many.count_params() == convs + 5 * 4 * 8


def test_rcl_in_a_model_trains_and_round_trips(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            RecurrentConv2D(4, steps=2),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    rng = np.random.default_rng(0)
    x = rng.random((16, 8, 8, 1)).astype(np.float32)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, rng.integers(0, 2, 16), epochs=1, verbose=0)
    assert model.layers[0].compute_output_shape((None, 8, 8, 1)) == (None, 8, 8, 4)
    model.save(tmp_path / "rcl.keras")
    again = keras.models.load_model(tmp_path / "rcl.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    assert again.layers[0].get_config()["steps"] == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"filters": 0}, ValueError, "filters: expected an integer >= 1, got 0"),
        ({"filters": 4, "steps": -1}, ValueError, "steps: expected an integer >= 0, got -1"),
        ({"filters": 4, "kernel_size": 2.0}, TypeError, "kernel_size: expected an integer"),
        ({"filters": 4, "batch_norm": "yes"}, TypeError, "batch_norm: expected True or False"),
    ],
)
def test_rcl_validates_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        RecurrentConv2D(**kwargs)


def test_rcl_rejects_sequences():
    with pytest.raises(ValueError, match=r"inputs: expected a 4-D batch .* got shape"):
        RecurrentConv2D(4).build((None, 3, 8, 8, 1))

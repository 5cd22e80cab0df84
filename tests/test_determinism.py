"""Reproducibility on the CPU: building each chapter's model and training it for one epoch
twice, with the same seed, gives identical weights.

TensorFlow's graph optimiser (Grappler) does not rewrite every graph the same way from run
to run: with it on, the default, two runs of chapter 7's recurrent convolutional layer in
one process differed by float32 rounding (up to 4e-7 relative after one epoch) in 18 of 30
trials, with oneDNN on or off, single-threaded too, and by up to 36 % in a batch-norm
weight once in a suite run; chapter 9's LSTM autoencoder differed by one float32 step in
one suite run. With Grappler off the RCL's runs were identical in 13 of 13 trials, as in
eager mode. So this module runs with Grappler off (and turns it back on after): what it
checks is that the seeds fix everything the course controls.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from model_zoo import BUILDERS, sample_inputs

from companion import runtime


def _one_epoch(name: str) -> list[np.ndarray]:
    runtime.seed_everything(0)
    model = BUILDERS[name]()
    rng = np.random.default_rng(1)
    x = sample_inputs(model, rng)
    targets = [
        rng.normal(size=np.shape(out)).astype("float32")
        for out in keras.tree.flatten(model.predict(x, verbose=0))
    ]
    model.compile(keras.optimizers.Adam(1e-2), loss=["mse"] * len(targets))
    model.fit(x, targets if len(targets) > 1 else targets[0], epochs=1, batch_size=1, verbose=0)
    return [keras.ops.convert_to_numpy(w) for w in model.weights]


@pytest.fixture(scope="module", autouse=True)
def grappler_off():
    before = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    yield
    tf.config.optimizer.set_experimental_options(
        {**before, "disable_meta_optimizer": before.get("disable_meta_optimizer", False)}
    )


def _same_weights_twice(name: str) -> list[np.ndarray]:
    first, second = _one_epoch(name), _one_epoch(name)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    return first


@pytest.mark.parametrize("name", list(BUILDERS))
def test_same_seed_same_weights_after_one_epoch(name):
    first = _same_weights_twice(name)
    # The epoch changed something: the check compares trained weights, not two initialisations.
    runtime.seed_everything(0)
    initial = [keras.ops.convert_to_numpy(w) for w in BUILDERS[name]().weights]
    assert any(not np.array_equal(a, b) for a, b in zip(initial, first, strict=True))

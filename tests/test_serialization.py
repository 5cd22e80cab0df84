"""Every model the chapters build, and every custom layer of the companion, survives a
round trip through a .keras file with identical predictions, and loads in Keras' default
safe mode; a file with a Lambda layer (arbitrary Python code) is refused in safe mode."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from model_zoo import BUILDERS, sample_inputs


@pytest.mark.parametrize("name", list(BUILDERS))
def test_round_trip_through_a_keras_file(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = BUILDERS[name]()
    inputs = sample_inputs(model, np.random.default_rng(0))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # safe_mode=True, the default
    for got, want in zip(
        keras.tree.flatten(loaded.predict(inputs, verbose=0)),
        keras.tree.flatten(model.predict(inputs, verbose=0)),
        strict=True,
    ):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_every_custom_layer_of_the_companion_is_round_tripped():
    registered = {
        name.split(">", 1)[1]
        for name in keras.saving.get_custom_objects()
        if name.startswith("companion>")
    }
    used = set()
    for build in BUILDERS.values():
        model = build()
        used.add(type(model).__name__)
        used |= {type(layer).__name__ for layer in model._flatten_layers(include_self=False)}
        used |= {
            type(layer.cell).__name__ for layer in model._flatten_layers() if hasattr(layer, "cell")
        }
    assert registered and registered <= used, f"not round-tripped: {sorted(registered - used)}"


def test_a_lambda_layer_is_refused_in_safe_mode(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2.0)(inputs))
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    # Outside safe mode the file's Python code runs: only for files you trust.
    unsafe = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(unsafe.predict(np.ones((1, 3)), verbose=0), [[2.0, 2.0, 2.0]])

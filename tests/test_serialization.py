"""Every model the chapters build, and every custom layer of the companion, survives a
round trip through a .keras file with identical predictions, and loads in Keras' default
safe mode; a file with a Lambda layer (arbitrary Python code) is refused in safe mode."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from model_zoo import BUILDERS, sample_inputs

from companion.models import gan, video_gan
from companion.training import SequenceGAN, VideoGAN


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
    used = {type(build()).__name__ for build in GANS.values()}
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


def _sequence_gan():
    return SequenceGAN(
        gan.recurrent_generator(6, 2, noise_dim=2, units=4),
        gan.recurrent_discriminator(6, 2, units=4),
        generator_steps=2,
        label_smoothing=0.1,
        loss="minimax",
        moment_weight=0.5,
        seed=3,
    )


def _video_gan(with_clips: bool):
    clips = video_gan.sequence_discriminator(4, 8, filters=2, units=4) if with_clips else None
    return VideoGAN(
        video_gan.trajectory_generator(4, 8, content_dim=3, motion_dim=2, filters=4),
        video_gan.frame_discriminator(8, filters=4),
        clips,
        sequence_weight=0.5,
        label_smoothing=0.1,
        seed=5,
    )


GANS = {
    "10 SequenceGAN": _sequence_gan,
    "11 VideoGAN": lambda: _video_gan(True),
    "11 VideoGAN, frames only": lambda: _video_gan(False),
}


@pytest.mark.parametrize("name", list(GANS))
def test_gan_round_trips_with_its_settings_weights_and_noise_state(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = GANS[name]()
    model.seed_generator.next()  # the noise state has moved, as after some training
    path = tmp_path / "gan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # safe_mode=True, the default
    assert type(loaded) is type(model)
    settings = {key for key, _ in model._SETTINGS}
    assert {k: loaded.get_config()[k] for k in settings} == {
        k: model.get_config()[k] for k in settings
    }
    noise = [
        np.random.default_rng(1).uniform(size=(2, *t.shape[1:])) for t in model.generator.inputs
    ]
    np.testing.assert_allclose(
        loaded.generator.predict(noise, verbose=0),
        model.generator.predict(noise, verbose=0),
        rtol=1e-6,
    )
    for got, want in zip(loaded.weights, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    np.testing.assert_array_equal(
        np.asarray(loaded.seed_generator.state), np.asarray(model.seed_generator.state)
    )
    # Keras does not compile a model whose compile is custom (Trainer.compile_from_config in
    # keras/src/trainers/trainer.py): compile it again, with two optimizers, to train on.
    assert not hasattr(loaded, "d_optimizer")
    loaded.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))

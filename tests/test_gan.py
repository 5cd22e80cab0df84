"""Tests of companion.models.gan and the GAN training step companion.training.SequenceGAN."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.data.synthetic import sines
from companion.models.gan import recurrent_discriminator, recurrent_generator
from companion.training import SequenceGAN


def _small_gan(**kwargs) -> SequenceGAN:
    keras.utils.set_random_seed(0)
    condition_dim = kwargs.pop("condition_dim", 0)
    noise = kwargs.pop("noise", "per_step")
    generator = recurrent_generator(
        8, 3, noise_dim=2, units=6, layers=1, condition_dim=condition_dim, noise=noise
    )
    discriminator = recurrent_discriminator(8, 3, units=6, condition_dim=condition_dim)
    gan = SequenceGAN(generator, discriminator, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return gan


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("noise", ["per_step", "per_sequence"])
def test_generator_and_discriminator_shapes(cell, noise):
    generator = recurrent_generator(10, 4, noise_dim=3, units=5, cell=cell, noise=noise)
    noise_shape = (7, 10, 3) if noise == "per_step" else (7, 3)
    out = np.asarray(
        generator(np.random.default_rng(0).uniform(size=noise_shape).astype("float32"))
    )
    assert out.shape == (7, 10, 4)
    assert np.all((out >= 0) & (out <= 1))  # sigmoid output, like the sines
    per_step = recurrent_discriminator(10, 4, units=5, cell=cell)
    per_sequence = recurrent_discriminator(10, 4, units=5, cell=cell, per_step=False)
    assert tuple(per_step(out).shape) == (7, 10, 1)
    assert tuple(per_sequence(out).shape) == (7, 1)


def test_conditional_models_take_a_condition_that_changes_the_output():
    generator = recurrent_generator(6, 2, noise_dim=2, units=4, condition_dim=3)
    discriminator = recurrent_discriminator(6, 2, units=4, condition_dim=3)
    noise = np.random.default_rng(0).uniform(size=(5, 6, 2)).astype("float32")
    a = np.asarray(generator([noise, np.zeros((5, 3), "float32")]))
    b = np.asarray(generator([noise, np.ones((5, 3), "float32")]))
    assert a.shape == (5, 6, 2) and not np.allclose(a, b)
    assert tuple(discriminator([a, np.zeros((5, 3), "float32")]).shape) == (5, 6, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"units": 0}, ValueError, "units: expected an integer >= 1, got 0"),
        ({"cell": "rnn"}, ValueError, "cell: expected one of 'gru', 'lstm', got 'rnn'"),
        ({"noise": "once"}, ValueError, "noise: expected one of 'per_step', 'per_sequence'"),
        ({"condition_dim": -1}, ValueError, "condition_dim: expected an integer >= 0, got -1"),
        ({"length": 2.0}, TypeError, "length: expected an integer >= 1, got 2.0"),
    ],
)
def test_generator_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        recurrent_generator(**kwargs)


def test_discriminator_rejects_bad_arguments():
    with pytest.raises(ValueError, match="layers: expected an integer >= 1, got 0"):
        recurrent_discriminator(layers=0)


@pytest.mark.parametrize("loss", ["non_saturating", "minimax", "seed001"])
def test_one_training_step_changes_both_networks_and_gives_finite_losses(loss):
    gan = _small_gan(loss=loss, label_smoothing=0.1, moment_weight=1.0, generator_steps=2)
    before_g = [w.copy() for w in gan.generator.get_weights()]
    before_d = [w.copy() for w in gan.discriminator.get_weights()]
    history = gan.fit(sines(16, 8, 3, seed=0), batch_size=16, epochs=1, verbose=0)
    for name in ("d_loss", "g_loss", "d_acc", "moments"):
        assert np.isfinite(history.history[name][0]), name
    assert 0.0 <= history.history["d_acc"][0] <= 1.0
    after_g, after_d = gan.generator.get_weights(), gan.discriminator.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before_g, after_g, strict=True))
    assert any(not np.allclose(a, b) for a, b in zip(before_d, after_d, strict=True))


def test_discriminator_threshold_skips_its_update_but_not_the_generators():
    gan = _small_gan(discriminator_threshold=100.0)  # its loss (about 1.39) is always below
    before_g = [w.copy() for w in gan.generator.get_weights()]
    before_d = [w.copy() for w in gan.discriminator.get_weights()]
    gan.fit(sines(16, 8, 3, seed=0), batch_size=16, epochs=1, verbose=0)
    for a, b in zip(before_d, gan.discriminator.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(
        not np.allclose(a, b) for a, b in zip(before_g, gan.generator.get_weights(), strict=True)
    )


def test_the_discriminator_loss_at_an_undecided_discriminator_is_log_4():
    """With D = 1/2 everywhere (zero logits), the discriminator loss is 2 log 2."""
    gan = _small_gan()
    for weight in gan.discriminator.weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    gan.discriminator_threshold = 100.0  # keep the zero weights for the whole epoch
    history = gan.fit(sines(16, 8, 3, seed=0), batch_size=16, epochs=1, verbose=0)
    assert history.history["d_loss"][0] == pytest.approx(np.log(4.0), rel=1e-5)
    assert history.history["g_loss"][0] == pytest.approx(np.log(2.0), rel=1e-5)


def test_conditional_gan_trains_and_samples():
    gan = _small_gan(condition_dim=2, noise="per_sequence")
    x = sines(16, 8, 3, seed=0)
    condition = np.random.default_rng(0).random((16, 2)).astype("float32")
    history = gan.fit(x, condition, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert gan.sample(4, condition[:4]).shape == (4, 8, 3)
    with pytest.raises(ValueError, match="condition: expected one condition row per sequence"):
        gan.sample(4)
    with pytest.raises(ValueError, match=r"condition: expected shape \(4, 2\), got \(3, 2\)"):
        gan.sample(4, condition[:3])


def test_sample_is_reproducible_and_checks_its_arguments():
    gan = _small_gan()
    np.testing.assert_array_equal(gan.sample(3, seed=1), gan.sample(3, seed=1))
    with pytest.raises(ValueError, match="n: expected an integer >= 1, got 0"):
        gan.sample(0)
    with pytest.raises(ValueError, match="condition: expected None"):
        gan.sample(2, np.zeros((2, 1)))


def test_sequence_gan_rejects_bad_arguments():
    generator = recurrent_generator(8, 3, units=4)
    discriminator = recurrent_discriminator(8, 3, units=4)
    with pytest.raises(TypeError, match=r"generator: expected a keras\.Model, got str"):
        SequenceGAN("G", discriminator)
    with pytest.raises(ValueError, match="discriminator: expected its input to match"):
        SequenceGAN(generator, recurrent_discriminator(8, 2, units=4))
    with pytest.raises(ValueError, match="expected one input each"):
        SequenceGAN(generator, recurrent_discriminator(8, 3, units=4, condition_dim=1))
    with pytest.raises(ValueError, match="label_smoothing: expected a number in"):
        SequenceGAN(generator, discriminator, label_smoothing=0.5)
    with pytest.raises(ValueError, match="loss: expected one of"):
        SequenceGAN(generator, discriminator, loss="wasserstein")
    with pytest.raises(ValueError, match="generator_steps: expected an integer >= 1, got 0"):
        SequenceGAN(generator, discriminator, generator_steps=0)
    with pytest.raises(ValueError, match="moment_weight: expected a finite number >= 0"):
        SequenceGAN(generator, discriminator, moment_weight=-1.0)
    gan = SequenceGAN(generator, discriminator)
    with pytest.raises(TypeError, match=r"g_optimizer: expected a keras\.optimizers\.Optimizer"):
        gan.compile(keras.optimizers.Adam(), "adam")
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="g_optimizer: expected an optimizer distinct"):
        gan.compile(optimizer, optimizer)

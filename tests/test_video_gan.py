"""Tests of the RNN + GAN for clips: companion.models.video_gan, companion.training.VideoGAN
and the clip metrics of companion.metrics (centroid tracks, motion statistics, label
consistency)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion.data.synthetic import moving_digits
from companion.metrics import centroid_tracks, label_consistency, motion_statistics
from companion.models.video_gan import (
    PlaceGlyph,
    frame_decoder,
    frame_discriminator,
    sequence_discriminator,
    sprite_generator,
    trajectory_generator,
)
from companion.training import VideoGAN, discriminator_loss, generator_loss

LENGTH, SIZE = 4, 8


def _small_gan(classes: int = 0, with_sequence: bool = True, **kwargs) -> VideoGAN:
    keras.utils.set_random_seed(0)
    generator = trajectory_generator(
        LENGTH, SIZE, content_dim=3, motion_dim=2, motion_units=3, filters=4, classes=classes
    )
    frames = frame_discriminator(SIZE, filters=4, classes=classes)
    clips = (
        sequence_discriminator(LENGTH, SIZE, filters=2, units=3, classes=classes)
        if with_sequence
        else None
    )
    gan = VideoGAN(generator, frames, clips, **kwargs)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    return gan


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]


def test_generator_draws_clips_in_unit_range_and_discriminators_return_one_logit():
    generator = trajectory_generator(LENGTH, SIZE, content_dim=3, motion_dim=2, filters=4)
    rng = np.random.default_rng(0)
    clips = np.asarray(
        generator(
            [
                rng.standard_normal((5, 3)).astype("float32"),
                rng.standard_normal((5, LENGTH, 2)).astype("float32"),
            ]
        )
    )
    assert clips.shape == (5, LENGTH, SIZE, SIZE, 1)
    assert np.all((clips >= 0) & (clips <= 1))
    assert tuple(frame_discriminator(SIZE, filters=4)(clips[:, 0]).shape) == (5, 1)
    assert tuple(sequence_discriminator(LENGTH, SIZE, filters=2)(clips).shape) == (5, 1)


def test_content_is_shared_over_time_and_motion_noise_moves_the_frames():
    generator = trajectory_generator(LENGTH, SIZE, content_dim=3, motion_dim=2, filters=4)
    rng = np.random.default_rng(1)
    content = rng.standard_normal((2, 3)).astype("float32")
    motion = rng.standard_normal((2, LENGTH, 2)).astype("float32")
    a = np.asarray(generator([content, motion]))
    b = np.asarray(generator([content, motion + 1.0]))
    c = np.asarray(generator([content + 1.0, motion]))
    assert not np.allclose(a, b) and not np.allclose(a, c)
    # The trajectory is causal in time: changing the last motion step changes only the last frame.
    late = motion.copy()
    late[:, -1] += 1.0
    d = np.asarray(generator([content, late]))
    np.testing.assert_allclose(a[:, :-1], d[:, :-1], atol=1e-6)
    assert not np.allclose(a[:, -1], d[:, -1])


def test_conditional_models_depend_on_the_label():
    generator = trajectory_generator(
        LENGTH, SIZE, content_dim=3, motion_dim=2, filters=4, classes=3
    )
    rng = np.random.default_rng(2)
    noise = [
        rng.standard_normal((4, 3)).astype("float32"),
        rng.standard_normal((4, LENGTH, 2)).astype("float32"),
    ]
    one_hot = np.eye(3, dtype="float32")
    a = np.asarray(generator([*noise, one_hot[[0, 0, 0, 0]]]))
    b = np.asarray(generator([*noise, one_hot[[1, 1, 1, 1]]]))
    assert not np.allclose(a, b)
    judge = sequence_discriminator(LENGTH, SIZE, filters=2, classes=3)
    assert not np.allclose(judge([a, one_hot[[0] * 4]]), judge([a, one_hot[[2] * 4]]))


def test_sequence_discriminator_sees_frame_order():
    """Its frame-change channel makes it sensitive to a reversed clip at initialisation."""
    keras.utils.set_random_seed(3)
    judge = sequence_discriminator(LENGTH, SIZE, filters=2, units=3)
    clips = np.random.default_rng(3).uniform(size=(3, LENGTH, SIZE, SIZE, 1)).astype("float32")
    assert not np.allclose(judge(clips), judge(clips[:, ::-1]))


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: frame_decoder(4, 10), ValueError, "size: expected a multiple of 4"),
        (lambda: frame_decoder(0, 8), ValueError, "latent_dim: expected an integer >= 1, got 0"),
        (lambda: trajectory_generator(classes=-1), ValueError, "classes: expected an integer >= 0"),
        (lambda: trajectory_generator(length=2.5), TypeError, "length: expected an integer"),
        (lambda: frame_discriminator(2), ValueError, "size: expected an integer >= 4, got 2"),
        (lambda: sequence_discriminator(1, 8), ValueError, "length: expected an integer >= 2"),
        (lambda: sequence_discriminator(4, 8, units=0), ValueError, "units: expected an integer"),
    ],
)
def test_builders_reject_bad_arguments(build, error, message):
    with pytest.raises(error, match=message):
        build()


@pytest.mark.parametrize(("classes", "with_sequence"), [(0, True), (3, True), (0, False)])
def test_one_training_step_updates_all_three_networks_with_finite_losses(classes, with_sequence):
    gan = _small_gan(classes, with_sequence)
    clips = np.random.default_rng(4).uniform(size=(8, LENGTH, SIZE, SIZE, 1)).astype("float32")
    models = [gan.generator, gan.frame_discriminator] + (
        [gan.sequence_discriminator] if with_sequence else []
    )
    before = [_weights(m) for m in models]
    if classes:
        logs = gan.train_on_batch(clips, np.arange(8) % classes, return_dict=True)
    else:
        logs = gan.train_on_batch(clips, return_dict=True)
    assert set(logs) == {"d_frame", "d_clip", "g_loss", "frame_acc", "clip_acc", "class_loss"}
    assert all(np.isfinite(v) for v in logs.values())
    for model, old in zip(models, before, strict=True):
        assert any(not np.allclose(a, b) for a, b in zip(old, _weights(model), strict=True)), (
            model.name
        )
    if not with_sequence:
        assert logs["d_clip"] == 0.0


def test_training_improves_the_discriminators_on_an_easy_problem():
    """Real clips are all ones; a few steps teach both judges to tell them apart."""
    gan = _small_gan()
    clips = np.ones((16, LENGTH, SIZE, SIZE, 1), "float32")
    first = gan.train_on_batch(clips, return_dict=True)
    for _ in range(15):
        last = gan.train_on_batch(clips, return_dict=True)
    assert last["d_frame"] < first["d_frame"]


def test_losses_match_their_formulas():
    real = np.array([[2.0], [-1.0]], "float32")
    fake = np.array([[0.5], [-3.0]], "float32")
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    expected = -np.mean(np.log(sigmoid(real))) - np.mean(np.log(1 - sigmoid(fake)))
    np.testing.assert_allclose(float(discriminator_loss(real, fake)), expected, rtol=1e-6)
    smoothed = -np.mean(0.9 * np.log(sigmoid(real)) + 0.1 * np.log(1 - sigmoid(real))) - np.mean(
        np.log(1 - sigmoid(fake))
    )
    np.testing.assert_allclose(float(discriminator_loss(real, fake, 0.1)), smoothed, rtol=1e-6)
    np.testing.assert_allclose(
        float(generator_loss(fake)), -np.mean(np.log(sigmoid(fake))), rtol=1e-6
    )
    np.testing.assert_allclose(
        float(generator_loss(fake, "minimax")), np.mean(np.log(1 - sigmoid(fake))), rtol=1e-6
    )


def test_sample_draws_reproducible_clips_and_checks_labels():
    gan = _small_gan(classes=3)
    a = gan.sample(4, [0, 1, 2, 0], seed=5)
    b = gan.sample(4, np.array([0, 1, 2, 0]), seed=5)
    assert a.shape == (4, LENGTH, SIZE, SIZE, 1)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="labels: expected one class index per clip, got None"):
        gan.sample(4)
    with pytest.raises(ValueError, match=r"labels: expected class indices in \[0, 3\)"):
        gan.sample(2, [0, 3])
    with pytest.raises(ValueError, match=r"labels: expected 2 integer class indices"):
        gan.sample(2, [0.5, 1.0])
    with pytest.raises(ValueError, match="labels: expected None for an unconditional"):
        _small_gan().sample(2, [0, 1])


def test_video_gan_rejects_mismatched_parts():
    generator = trajectory_generator(LENGTH, SIZE, content_dim=3, motion_dim=2, filters=4)
    frames = frame_discriminator(SIZE, filters=4)
    with pytest.raises(ValueError, match="sequence_discriminator: expected its input to match"):
        VideoGAN(generator, frames, sequence_discriminator(LENGTH + 1, SIZE, filters=2))
    with pytest.raises(ValueError, match="frame_discriminator: expected one input"):
        VideoGAN(generator, frame_discriminator(SIZE, filters=4, classes=2), None)
    with pytest.raises(TypeError, match=r"frame_discriminator: expected a keras\.Model"):
        VideoGAN(generator, "judge", None)
    with pytest.raises(ValueError, match="sequence_weight: expected a finite number >= 0"):
        VideoGAN(generator, frames, None, sequence_weight=-1.0)
    with pytest.raises(ValueError, match=r"label_smoothing: expected a number in \[0, 0.5\)"):
        VideoGAN(generator, frames, None, label_smoothing=0.5)
    gan = VideoGAN(generator, frames, None)
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="g_optimizer: expected an optimizer distinct"):
        gan.compile(optimizer, optimizer)


def _dot_clip(positions: list[tuple[int, int]], size: int = 9) -> np.ndarray:
    clip = np.zeros((1, len(positions), size, size, 1))
    for t, (row, col) in enumerate(positions):
        clip[0, t, row, col, 0] = 1.0
    return clip


def test_centroid_tracks_follow_a_moving_dot_and_centre_an_empty_frame():
    clip = _dot_clip([(1, 2), (3, 3), (5, 4)])
    np.testing.assert_allclose(centroid_tracks(clip)[0], [[1, 2], [3, 3], [5, 4]])
    clip[0, 1] = 0.0
    np.testing.assert_allclose(centroid_tracks(clip)[0, 1], [4, 4])


def test_motion_statistics_of_steady_and_jerky_motion():
    steady = motion_statistics(_dot_clip([(0, 0), (3, 4), (6, 8)], size=10))
    assert steady.speed == pytest.approx(5.0)
    assert steady.acceleration == pytest.approx(0.0)
    assert steady.ink_change == pytest.approx(0.0)
    back = motion_statistics(_dot_clip([(0, 0), (3, 4), (0, 0)], size=10))
    assert back.acceleration == pytest.approx(10.0)


def test_real_moving_digits_move_more_steadily_than_shuffled_frames():
    clips = moving_digits(64, 8, seed=6)
    shuffled = clips.reshape(-1, 16, 16, 1)[np.random.default_rng(6).permutation(64 * 8)]
    real, mixed = motion_statistics(clips), motion_statistics(shuffled.reshape(clips.shape))
    assert 1.0 <= real.speed <= 1.6  # the generator's speed range, (1.0, 1.5) px/frame
    assert real.acceleration < mixed.acceleration / 3


@pytest.mark.parametrize(
    ("clips", "error", "message"),
    [
        (np.zeros((2, 3, 4, 4)), ValueError, "clips: expected a 5-D array"),
        (np.zeros((2, 2, 4, 4, 1)), ValueError, "clips: expected at least one clip of at least 3"),
        (-np.ones((1, 3, 4, 4, 1)), ValueError, "clips: expected intensities >= 0"),
        (np.full((1, 3, 4, 4, 1), np.nan), ValueError, "clips: expected finite values"),
        ("frames", TypeError, "clips: expected a numeric array"),
    ],
)
def test_clip_metrics_reject_bad_clips(clips, error, message):
    with pytest.raises(error, match=message):
        motion_statistics(clips)


def test_label_consistency():
    assert label_consistency([[3, 3, 3], [1, 1, 1]]) == 1.0
    assert label_consistency([[3, 3, 1], [0, 1, 2]]) == pytest.approx(3 / 6)
    with pytest.raises(ValueError, match=r"frame_labels: expected a non-empty 2-D array"):
        label_consistency([1, 2, 3])
    with pytest.raises(TypeError, match="frame_labels: expected integer class labels"):
        label_consistency([[0.5, 1.0]])
    with pytest.raises(ValueError, match="frame_labels: expected labels >= 0"):
        label_consistency([[0, -1]])


def test_place_glyph_shifts_by_whole_pixels_exactly_and_interpolates_between_them():
    glyph = np.zeros((1, 2, 2, 1), "float32")
    glyph[0, 0, 1, 0] = 1.0  # one lit pixel at (0, 1) of the glyph
    positions = np.array([[[0.0, 0.0], [2.0, 3.0], [1.5, 0.0]]], "float32")
    frames = keras.ops.convert_to_numpy(PlaceGlyph(6)([glyph, positions]))
    assert frames.shape == (1, 3, 6, 6, 1)
    expected = np.zeros((3, 6, 6))
    expected[0, 0, 1] = 1.0
    expected[1, 2, 4] = 1.0
    expected[2, 1, 1] = expected[2, 2, 1] = 0.5  # half way between rows 1 and 2
    np.testing.assert_allclose(frames[0, ..., 0], expected, atol=1e-6)
    # Placement conserves the glyph's ink wherever it lands inside the frame.
    np.testing.assert_allclose(frames.sum(axis=(2, 3, 4)), [[1.0, 1.0, 1.0]], atol=1e-6)


def test_place_glyph_is_differentiable_in_the_position():
    import tensorflow as tf

    glyph = tf.constant(np.random.default_rng(7).uniform(size=(2, 4, 4, 1)), tf.float32)
    positions = tf.Variable(np.full((2, 3, 2), 1.3, "float32"))
    with tf.GradientTape() as tape:
        frames = PlaceGlyph(8)([glyph, positions])
        loss = tf.reduce_sum(frames * tf.range(8, dtype=tf.float32)[None, None, :, None, None])
    gradient = tape.gradient(loss, positions)
    assert gradient is not None and np.all(np.isfinite(gradient))
    # Moving down by dp rows moves all the ink down: d(sum of ink * row)/d(row) = total ink.
    np.testing.assert_allclose(
        gradient.numpy()[..., 0],
        np.repeat(glyph.numpy().sum(axis=(1, 2, 3))[:, None], 3, 1),
        rtol=1e-5,
    )


def test_place_glyph_round_trips_through_a_keras_file(tmp_path):
    generator = sprite_generator(LENGTH, SIZE, glyph_size=4, content_dim=3, motion_dim=2, filters=4)
    rng = np.random.default_rng(8)
    inputs = [
        rng.standard_normal((3, 3)).astype("float32"),
        rng.standard_normal((3, LENGTH, 2)).astype("float32"),
    ]
    path = tmp_path / "sprite.keras"
    generator.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(inputs, verbose=0), generator.predict(inputs, verbose=0)
    )


def test_sprite_generator_keeps_one_glyph_per_clip_and_moves_it():
    keras.utils.set_random_seed(9)
    generator = sprite_generator(
        LENGTH, SIZE, glyph_size=4, content_dim=3, motion_dim=2, filters=4, classes=2
    )
    rng = np.random.default_rng(9)
    inputs = [
        rng.standard_normal((4, 3)).astype("float32"),
        rng.standard_normal((4, LENGTH, 2)).astype("float32"),
        np.eye(2, dtype="float32")[[0, 1, 0, 1]],
    ]
    clips = np.asarray(generator(inputs))
    assert clips.shape == (4, LENGTH, SIZE, SIZE, 1)
    assert np.all(clips >= 0) and np.all(clips <= 1 + 1e-6)
    # A glyph inside the frame keeps its ink: the total intensity is the same in every frame.
    ink = clips.sum(axis=(2, 3, 4))
    np.testing.assert_allclose(ink, np.repeat(ink[:, :1], LENGTH, axis=1), rtol=1e-4)
    positions = keras.Model(generator.inputs, generator.get_layer("to_pixels").output)(inputs)
    positions = np.asarray(positions)
    assert np.all((positions >= 0) & (positions <= SIZE - 4))
    assert np.ptp(positions, axis=1).max() > 0  # it moves


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: sprite_generator(4, 8, glyph_size=12), "glyph_size: expected at most the frame"),
        (lambda: sprite_generator(4, 8, glyph_size=6), "size: expected a multiple of 4"),
        (
            lambda: frame_discriminator(8, auxiliary_classifier=True),
            "auxiliary_classifier: expected classes > 0",
        ),
    ],
)
def test_sprite_and_auxiliary_builders_reject_bad_arguments(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_auxiliary_classifier_learns_the_labels_of_real_frames_and_needs_labels():
    keras.utils.set_random_seed(10)
    generator = sprite_generator(
        LENGTH, SIZE, glyph_size=4, content_dim=3, motion_dim=2, filters=4, classes=2
    )
    frames = frame_discriminator(SIZE, filters=4, classes=2, auxiliary_classifier=True)
    gan = VideoGAN(generator, frames, None)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    # Class 0: ink in the top half of every frame; class 1: in the bottom half.
    clips = np.zeros((16, LENGTH, SIZE, SIZE, 1), "float32")
    labels = np.arange(16) % 2
    clips[labels == 0, :, :4] = 1.0
    clips[labels == 1, :, 4:] = 1.0
    first = gan.train_on_batch(clips, labels, return_dict=True)["class_loss"]
    for _ in range(30):
        last = gan.train_on_batch(clips, labels, return_dict=True)["class_loss"]
    assert first == pytest.approx(np.log(2), abs=0.2)
    assert last < first / 2
    unconditional = trajectory_generator(LENGTH, SIZE, content_dim=3, motion_dim=2, filters=4)
    with pytest.raises(ValueError, match="frame_discriminator: expected one output"):
        VideoGAN(unconditional, frames, None)


def test_the_chapters_setup_updates_every_network_in_one_step():
    """Chapter 11's combination: a conditional sprite generator, a frame discriminator
    with projection and an auxiliary classifier, and a conditional sequence discriminator.
    One step changes all three players' weights and every loss is finite."""
    keras.utils.set_random_seed(0)
    classes = 3
    generator = sprite_generator(
        LENGTH,
        SIZE,
        glyph_size=4,
        content_dim=3,
        motion_dim=2,
        motion_units=3,
        filters=4,
        classes=classes,
    )
    frames = frame_discriminator(SIZE, filters=4, classes=classes, auxiliary_classifier=True)
    clips = sequence_discriminator(LENGTH, SIZE, filters=2, units=3, classes=classes)
    gan = VideoGAN(generator, frames, clips)
    gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    data = np.random.default_rng(5).uniform(size=(8, LENGTH, SIZE, SIZE, 1)).astype("float32")
    models = [gan.generator, gan.frame_discriminator, gan.sequence_discriminator]
    before = [_weights(m) for m in models]
    logs = gan.train_on_batch(data, np.arange(8) % classes, return_dict=True)
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert logs["class_loss"] > 0 and logs["d_clip"] > 0
    for model, old in zip(models, before, strict=True):
        changed = [not np.allclose(a, b) for a, b in zip(old, _weights(model), strict=True)]
        assert any(changed), model.name

"""companion.data.digit_strings, companion.data.digit_string_batches and companion.models.crnn."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from environments import run_python

from companion import ctc
from companion.data.digit_strings import compose_digit_strings, glyph_pool, string_image_width
from companion.data.digits import load_digit_images
from companion.models.crnn import crnn


def test_strings_have_the_requested_lengths_and_shapes():
    strings = compose_digit_strings(50, split="train", min_length=2, max_length=5, seed=0)
    assert strings.images.shape == (50, 20, string_image_width(5), 1)
    assert (
        strings.images.dtype == np.float32
        and 0 <= strings.images.min()
        and strings.images.max() <= 1
    )
    assert all(2 <= len(label) <= 5 for label in strings.labels)
    assert {len(label) for label in strings.labels} == {2, 3, 4, 5}
    for label, source in zip(strings.labels, strings.sources, strict=True):
        assert len(label) == len(source)


def test_glyphs_are_the_labelled_digits():
    from sklearn.datasets import load_digits

    targets = load_digits().target
    strings = compose_digit_strings(20, split="test", seed=3)
    for label, source in zip(strings.labels, strings.sources, strict=True):
        assert label == [int(targets[s]) for s in source]


def test_no_source_glyph_is_shared_between_train_validation_and_test():
    split = load_digit_images(seed=0)
    sources = {}
    for name in ("train", "validation", "test"):
        strings = compose_digit_strings(300, split=name, seed=1)
        sources[name] = {s for row in strings.sources for s in row}
    assert not sources["train"] & sources["test"]
    assert not sources["train"] & sources["validation"]
    assert not sources["validation"] & sources["test"]
    assert sources["test"] <= set(split.test_index.tolist())
    assert sources["validation"] <= set(split.train_index.tolist())
    pools = {name: glyph_pool(name) for name in ("train", "validation", "test")}
    assert sum(len(pool[1]) for pool in pools.values()) == 1797
    assert len(pools["validation"][1]) == int(np.ceil(0.15 * len(split.y_train)))
    # Stratified: every digit is in the validation glyphs in about its share.
    assert set(np.bincount(pools["validation"][1])) == {20, 21}


def test_strings_are_deterministic():
    a = compose_digit_strings(10, split="train", seed=5)
    b = compose_digit_strings(10, split="train", seed=5)
    np.testing.assert_array_equal(a.images, b.images)
    assert a.labels == b.labels
    assert compose_digit_strings(10, split="train", seed=6).labels != a.labels


def test_padded_labels_for_keras_ctc():
    strings = compose_digit_strings(5, split="train", min_length=1, max_length=3, seed=0)
    padded = strings.padded_labels(4)
    assert padded.shape == (5, 4) and padded.dtype == np.int32
    for row, label in zip(padded, strings.labels, strict=True):
        assert list(row[: len(label)] - 1) == label and not row[len(label) :].any()
    three = compose_digit_strings(2, split="train", min_length=3, max_length=3, seed=0)
    with pytest.raises(
        ValueError, match=r"length: expected at least the longest label \(3\), got 2"
    ):
        three.padded_labels(2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"split": "val"}, "split: expected one of 'train', 'validation', 'test', got 'val'"),
        ({"min_length": 5, "max_length": 3}, "min_length: expected at most max_length=3, got 5"),
        ({"width": 50}, "width: expected at least 160 pixels for 8 glyphs"),
        ({"max_gap": -1}, "max_gap: expected an integer >= 0, got -1"),
    ],
)
def test_strings_validate(kwargs, message):
    arguments = {"split": "train", **kwargs}
    with pytest.raises(ValueError, match=message):
        compose_digit_strings(3, **arguments, seed=0)


def test_crnn_frames_and_ctc_compatibility():
    model = crnn(20, 168)
    assert model.output.shape == (None, 21, 11)
    assert crnn(20, 168, width_pools=2).output.shape == (None, 42, 11)
    assert model.get_layer("frame_logits").activation is keras.activations.linear
    strings = compose_digit_strings(4, split="train", seed=0)
    logits = np.asarray(model(strings.images))
    loss = keras.losses.CTC(reduction=None)(strings.padded_labels(), logits)
    labels = [[d + 1 for d in label] for label in strings.labels]
    np.testing.assert_allclose(np.asarray(loss), ctc.ctc_loss(logits, labels), rtol=1e-4)


def test_crnn_accepts_any_width_and_colour(tmp_path):
    model = crnn(20, None, channels=3, alphabet_size=26)
    wide = np.random.default_rng(0).random((2, 20, 100, 3)).astype(np.float32)
    assert model(wide).shape == (2, 12, 27)
    model.save(tmp_path / "crnn.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "crnn.keras")(wide), model(wide), atol=1e-5
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"height": 6}, "height: expected an integer >= 8, got 6"),
        ({"height": 20, "width": 2}, "width: expected an integer >= 4, got 2"),
        ({"height": 20, "filters": (8, 8)}, "filters: expected 3 convolution blocks, got 2"),
        ({"height": 20, "dropout": 1.0}, r"dropout: expected a rate in \[0, 1\), got 1.0"),
        ({"height": 20, "width_pools": 4}, "width_pools: expected 0, 1, 2 or 3, got 4"),
    ],
)
def test_crnn_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        crnn(**kwargs)


def test_augmentation_changes_glyphs_but_not_labels():
    plain = compose_digit_strings(8, split="train", seed=4)
    distorted = compose_digit_strings(8, split="train", seed=4, augment=True)
    assert distorted.labels == plain.labels and distorted.sources == plain.sources
    assert not np.allclose(distorted.images, plain.images)
    assert 0.0 <= distorted.images.min() and distorted.images.max() <= 1.0
    ink = distorted.images.sum(axis=(1, 2, 3)) / plain.images.sum(axis=(1, 2, 3))
    assert np.all((ink > 0.6) & (ink < 1.6)), "a distortion should not erase or smear a glyph"


COMPOSE_WITHOUT_KERAS = """
import sys
from companion.data.digit_strings import compose_digit_strings
compose_digit_strings(2, split="train", augment=True, fit_width=True, seed=0).padded_labels()
assert "keras" not in sys.modules, "composing digit strings imported keras"
import companion.data.digit_string_batches
assert "keras" in sys.modules, "the check cannot see keras being imported"
"""


def test_composing_strings_does_not_import_keras():
    run_python(COMPOSE_WITHOUT_KERAS)


def test_training_batches_are_fresh_each_epoch_and_reproducible():
    from companion.data.digit_string_batches import DigitStringBatches

    batches = DigitStringBatches(3, 4, seed=7, augment=True, max_length=5)
    assert len(batches) == 3
    x0, y0 = batches[0]
    assert x0.shape == (4, 20, string_image_width(5), 1) and y0.shape == (4, 5)
    np.testing.assert_array_equal(batches[0][0], x0)  # same epoch, same batch
    batches.on_epoch_end()
    assert not np.array_equal(batches[0][0], x0)  # a new epoch composes new strings
    again = DigitStringBatches(3, 4, seed=7, augment=True, max_length=5)
    np.testing.assert_array_equal(again[0][0], x0)
    fixed = DigitStringBatches(3, 4, seed=7, fresh=False)
    first = fixed[1][0]
    fixed.on_epoch_end()
    np.testing.assert_array_equal(fixed[1][0], first)  # a fixed set: the same every epoch
    with pytest.raises(
        ValueError, match="split: expected 'train' for training batches, got 'test'"
    ):
        DigitStringBatches(1, 1, seed=0, split="test")


def test_fit_width_gives_each_string_its_own_width():
    strings = compose_digit_strings(
        40, split="test", min_length=1, max_length=8, fit_width=True, seed=3
    )
    assert strings.images.shape[2] == strings.widths.max()
    lengths = np.array([len(label) for label in strings.labels])
    # 16 px per glyph, gaps of 0..4 px, margins of 0..4 px on each side.
    assert np.all(strings.widths >= 16 * lengths)
    assert np.all(strings.widths <= 16 * lengths + 4 * (lengths - 1) + 8)
    for image, width in zip(strings.images, strings.widths, strict=True):
        assert not image[:, width:].any(), "padding must be background"
        assert image[:, :width].any()
    fixed = compose_digit_strings(5, split="test", seed=3)
    assert np.all(fixed.widths == fixed.images.shape[2])
    with pytest.raises(ValueError, match="width: expected None with fit_width=True, got 200"):
        compose_digit_strings(2, split="test", fit_width=True, width=200, seed=0)


def test_masked_crnn_ignores_the_padding(tmp_path):
    """Padded to a common width, each image gives the frames it gives alone; the padded
    frames are certain blanks, so Keras' CTC equals the reference on the true lengths.

    Each image ends in 16 background columns: with zero biases (as initialised) the
    convolutions then see the same zeros beyond the edge whether they are padding or
    the convolution's own zero padding, and the comparison is exact. (With trained
    biases the last frame differs slightly: the notebook of chapter 5 measures it.)"""
    model = crnn(20, None, masked_width=True, dropout=0.0)
    rng = np.random.default_rng(0)
    widths = np.array([160, 64, 104, 40], np.int32)  # multiples of 8: no partial frame
    images = np.zeros((4, 20, 160, 1), np.float32)
    for row, width in enumerate(widths):
        images[row, :, : width - 16] = rng.random((20, width - 16, 1))
    logits = np.asarray(model({"image": images, "width": widths}))
    for row, width in enumerate(widths):
        alone = np.asarray(
            model({"image": images[row : row + 1, :, :width], "width": widths[row : row + 1]})
        )
        np.testing.assert_allclose(logits[row, : width // 8], alone[0], atol=1e-5)
        padded = ctc.log_softmax(logits[row, width // 8 :])
        np.testing.assert_allclose(padded[:, 0], 0.0, atol=1e-6)
    labels = [[1, 2, 3], [4, 4], [5], [6]]
    targets = ctc.pad_labels([[c - 1 for c in label] for label in labels], 8)
    keras_loss = np.asarray(keras.losses.CTC(reduction=None)(targets, logits))
    reference = ctc.ctc_loss(logits, labels, input_lengths=widths // 8)
    np.testing.assert_allclose(keras_loss, reference, rtol=1e-4)
    model.save(tmp_path / "masked.keras")
    again = keras.models.load_model(tmp_path / "masked.keras")
    np.testing.assert_allclose(again({"image": images, "width": widths}), logits, atol=1e-5)


def test_padded_batches_feed_a_masked_crnn():
    from companion.data.digit_string_batches import DigitStringBatches

    batches = DigitStringBatches(2, 4, seed=0, fit_width=True, max_length=6)
    inputs, targets = batches[0]
    assert set(inputs) == {"image", "width"} and targets.shape == (4, 6)
    assert inputs["image"].shape[2] == inputs["width"].max()
    model = crnn(20, None, masked_width=True)
    assert model(inputs).shape[:2] == (4, inputs["image"].shape[2] // 8)


def test_batch_norm_crnn_differs_between_training_and_inference():
    model = crnn(20, 168, batch_norm=True, dropout=0.0)
    assert model.get_layer("conv1").use_bias is False
    assert len([layer for layer in model.layers if "batch_norm" in layer.name]) == 3
    images = compose_digit_strings(8, split="train", seed=0).images
    training = np.asarray(model(images, training=True))
    inference = np.asarray(model(images, training=False))
    assert np.abs(training - inference).max() > 1e-3


def test_transcribe_reads_symbols_and_checks_its_inputs():
    from companion.models.crnn import transcribe

    model = crnn(20, None)
    strings = compose_digit_strings(3, split="test", seed=0)
    logits = np.asarray(model(strings.images))
    expected = [[c - 1 for c in row] for row in ctc.greedy_decode(logits)]
    assert transcribe(model, strings.images) == expected
    masked = crnn(20, None, masked_width=True)
    assert len(transcribe(masked, strings.images, strings.widths)) == 3
    with pytest.raises(ValueError, match=r"images: expected a 4-D batch .* got shape \(20, 168\)"):
        transcribe(model, strings.images[0, :, :, 0])
    with pytest.raises(
        ValueError, match="widths: expected widths for a model with a 'width' input"
    ):
        transcribe(masked, strings.images)
    with pytest.raises(ValueError, match="widths: expected no widths, got widths"):
        transcribe(model, strings.images, strings.widths)

"""companion.data.captcha_text and companion.ctc.pad_labels."""

from __future__ import annotations

import numpy as np
import pytest

from companion.ctc import pad_labels
from companion.data.captcha_text import DIGITS_AND_LETTERS, render_captchas


def test_captchas_have_the_requested_sizes_texts_and_range():
    captchas = render_captchas(12, min_length=3, max_length=6, height=32, width=96, seed=0)
    assert captchas.images.shape == (12, 32, 96, 3)
    assert captchas.images.dtype == np.float32
    assert 0.0 <= captchas.images.min() and captchas.images.max() <= 1.0
    assert all(3 <= len(text) <= 6 and text.isdigit() for text in captchas.texts)
    assert {len(text) for text in captchas.texts} != {3}, "lengths should vary"
    # The background is light, the ink darker: the renderer really drew something.
    assert np.median(captchas.images) > 0.8 and captchas.images.min() < 0.6


def test_same_seed_same_images_other_seed_other_images():
    first = render_captchas(4, seed=5)
    again = render_captchas(4, seed=5)
    other = render_captchas(4, seed=6)
    np.testing.assert_array_equal(first.images, again.images)
    assert first.texts == again.texts
    assert not np.array_equal(first.images, other.images)


def test_grey_is_one_channel_and_matches_colour_texts():
    colour = render_captchas(3, seed=1)
    grey = render_captchas(3, grey=True, seed=1)
    assert grey.images.shape == (*colour.images.shape[:3], 1)
    assert grey.texts == colour.texts
    # ITU-R 601 luminance of the colour image, as PIL computes it (up to rounding).
    luminance = colour.images @ np.array([0.299, 0.587, 0.114], np.float32)
    assert np.abs(grey.images[..., 0] - luminance).max() < 2 / 255


def test_labels_padding_and_decoding_round_trip():
    captchas = render_captchas(6, alphabet=DIGITS_AND_LETTERS, seed=2)
    labels = captchas.labels
    assert all(len(label) == len(text) for label, text in zip(labels, captchas.texts, strict=True))
    padded = captchas.padded_labels(7)
    assert padded.shape == (6, 7) and padded.dtype == np.int32
    classes = [[int(c) for c in row if c] for row in padded]
    assert captchas.decode(classes) == captchas.texts


def test_pad_labels_shifts_symbols_and_pads_with_the_blank():
    np.testing.assert_array_equal(pad_labels([[0, 3], [9]]), [[1, 4], [10, 0]])
    np.testing.assert_array_equal(pad_labels([[2]], length=3, offset=0), [[2, 0, 0]])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"alphabet": ""}, ValueError, "alphabet: expected a non-empty string of symbols, got ''"),
        ({"alphabet": "0110"}, ValueError, "alphabet: expected distinct symbols"),
        ({"alphabet": "A B"}, ValueError, "alphabet: expected distinct symbols"),
        (
            {"min_length": 6, "max_length": 4},
            ValueError,
            "min_length: expected at most max_length=4, got 6",
        ),
        ({"height": 10}, ValueError, "height: expected an integer >= 16, got 10"),
        ({"height": 40, "width": 30}, ValueError, "width: expected an integer >= 40, got 30"),
        ({"n": 0}, ValueError, "n: expected an integer >= 1, got 0"),
        ({"n": 2.5}, TypeError, "n: expected an integer >= 1, got 2.5"),
    ],
)
def test_bad_captcha_arguments_are_explained(kwargs, error, message):
    arguments = {"n": 2, "seed": 0, **kwargs}
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        render_captchas(**arguments)


@pytest.mark.parametrize(
    ("labels", "length", "message"),
    [
        ([], None, "labels: expected at least one label, got none"),
        ([[1, 2, 3]], 2, r"length: expected at least the longest label \(3\), got 2"),
        ([[1, -2]], None, r"labels: expected non-negative symbols, got \[1, -2\]"),
    ],
)
def test_bad_labels_to_pad_are_explained(labels, length, message):
    with pytest.raises(ValueError, match=message):
        pad_labels(labels, length)

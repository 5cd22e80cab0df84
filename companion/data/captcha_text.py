"""Captcha images of random strings, rendered offline with the ``captcha`` package.

``captcha``'s :class:`~captcha.image.ImageCaptcha` draws each character in a random
size, rotation and warp, overlaps the characters, and adds noise dots and a noise
curve in the text's colour: a much harder reading task than the digit strings of
:mod:`companion.data.digit_strings`. The package draws its randomness from
:mod:`secrets` (recent versions) or :mod:`random` (older ones), which cannot be seeded
per call; :func:`render_captchas` substitutes a seeded generator for the duration of
the call, so the same seed always gives the same images.
"""

from __future__ import annotations

import contextlib
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from companion.ctc import pad_labels
from companion.validation import check_positive_int

DIGITS = string.digits
"""The ten digits, the default alphabet."""
DIGITS_AND_LETTERS = string.digits + string.ascii_uppercase
"""Digits and upper-case letters, the 36 symbols the default captcha font covers best."""


@dataclass(frozen=True)
class TextImages:
    """Images of text and their strings.

    ``images`` is float32 ``(n, height, width, channels)`` in ``[0, 1]``; ``texts[i]``
    the string shown in image ``i``; every character is in ``alphabet``.
    """

    images: np.ndarray
    texts: list[str]
    alphabet: str

    @property
    def labels(self) -> list[list[int]]:
        """Each text as indices into ``alphabet`` (``"07"`` is ``[0, 7]`` for digits)."""
        return [[self.alphabet.index(c) for c in text] for text in self.texts]

    def padded_labels(self, length: int | None = None) -> np.ndarray:
        """Labels for ``keras.losses.CTC``: symbol ``i`` becomes class ``i + 1``, padding 0."""
        return pad_labels(self.labels, length, offset=1)

    def decode(self, classes: list[list[int]]) -> list[str]:
        """Turn decoded CTC classes (``1..len(alphabet)``, blank removed) back into text.

        Raises:
            ValueError: for a class outside ``1..len(alphabet)`` (0 is the blank).
        """
        for row in classes:
            for c in row:
                if isinstance(c, bool) or not isinstance(c, int | np.integer):
                    raise TypeError(f"classes: expected integer classes, got {c!r}")
                if not 1 <= c <= len(self.alphabet):
                    raise ValueError(
                        f"classes: expected classes in 1..{len(self.alphabet)} (0 is the blank), "
                        f"got {c}"
                    )
        return ["".join(self.alphabet[c - 1] for c in row) for row in classes]


class _SeededSource:
    """The functions of :mod:`secrets` and :mod:`random` that ``captcha`` calls, seeded."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.choice = self._rng.choice
        self.randint = self._rng.randint
        self.uniform = self._rng.uniform
        self.random = self._rng.random
        self.randbits = self._rng.getrandbits
        self.randbelow = self._rng.randrange


@contextlib.contextmanager
def _seeded_captcha(seed: int) -> Iterator[None]:
    import captcha.image as captcha_image

    source = _SeededSource(seed)
    replaced = {
        name: getattr(captcha_image, name)
        for name in ("secrets", "random")
        if hasattr(captcha_image, name)
    }
    try:
        for name in replaced:
            setattr(captcha_image, name, source)
        yield
    finally:
        for name, module in replaced.items():
            setattr(captcha_image, name, module)


def render_captchas(
    n: int,
    *,
    alphabet: str = DIGITS,
    min_length: int = 4,
    max_length: int = 5,
    height: int = 40,
    width: int = 120,
    grey: bool = False,
    seed: int,
) -> TextImages:
    """Render ``n`` captchas of random strings of ``min_length..max_length`` characters.

    Args:
        n: number of images.
        alphabet: the symbols to draw from (distinct, printable, no spaces).
        min_length, max_length: the range of string lengths (inclusive).
        height, width: the image size in pixels; the font sizes scale with the height.
        grey: one luminance channel instead of RGB.
        seed: random seed for the strings and for every random choice of the renderer.

    Returns:
        A :class:`TextImages` with ink dark on a light background, values in ``[0, 1]``.

    Raises:
        ValueError, TypeError: for an empty or repetitive alphabet, inconsistent lengths
            or an image too small to read.
    """
    from captcha.image import ImageCaptcha

    n = check_positive_int("n", n)
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError(f"alphabet: expected a non-empty string of symbols, got {alphabet!r}")
    if len(set(alphabet)) != len(alphabet) or any(c.isspace() for c in alphabet):
        raise ValueError(
            f"alphabet: expected distinct symbols without white space, got {alphabet!r}"
        )
    min_length = check_positive_int("min_length", min_length)
    max_length = check_positive_int("max_length", max_length)
    if min_length > max_length:
        raise ValueError(f"min_length: expected at most max_length={max_length}, got {min_length}")
    height = check_positive_int("height", height, minimum=16)
    width = check_positive_int("width", width, minimum=height)
    seed = check_positive_int("seed", seed, minimum=0)
    font_sizes = tuple(round(height * f) for f in (0.7, 0.8, 0.9))
    renderer = ImageCaptcha(width=width, height=height, font_sizes=font_sizes)
    text_rng = np.random.default_rng(seed)
    channels = 1 if grey else 3
    images = np.empty((n, height, width, channels), np.float32)
    texts = []
    with _seeded_captcha(seed):
        for i in range(n):
            length = int(text_rng.integers(min_length, max_length + 1))
            text = "".join(alphabet[k] for k in text_rng.integers(0, len(alphabet), size=length))
            picture = renderer.generate_image(text)
            picture = picture.convert("L") if grey else picture.convert("RGB")
            pixels = np.asarray(picture, np.float32) / 255.0
            images[i] = pixels.reshape(height, width, channels)
            texts.append(text)
    return TextImages(images, texts, alphabet)

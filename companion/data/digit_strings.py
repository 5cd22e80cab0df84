"""Images of digit strings composed from real handwritten digits (for CRNN, chapter 05).

Each image is a row of scikit-learn digits (8x8 glyphs, upscaled), with random gaps
between glyphs, random vertical jitter and a random left margin, padded to a fixed
width. Strings for the **test** set use only the held-out source images of
:func:`companion.data.digits.load_digit_images`; its training images are split once
more, 85 % for **training** strings and 15 % for **validation** strings (early
stopping, model choice): no handwritten glyph appears in two of the three splits.

Composing needs NumPy (and SciPy for ``augment=True``) but not Keras; the Keras dataset
that composes training batches on the fly is
:class:`companion.data.digit_string_batches.DigitStringBatches`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from companion.ctc import pad_labels
from companion.data.digits import load_digit_images
from companion.validation import check_choice, check_positive_int

GLYPH = 8
VALIDATION_SHARE = 0.15
"""The share of the training glyphs held out for validation strings."""
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class DigitStrings:
    """A batch of digit-string images and their labels.

    ``images`` is float32 ``(n, height, width, 1)`` in ``[0, 1]`` (ink is 1);
    ``labels[i]`` is the list of digits of image ``i``; ``sources[i]`` the indices, in
    the 1,797 scikit-learn digits, of the glyphs it was made from; ``widths[i]`` the
    width of image ``i`` before it was padded (on the right, with background) to the
    batch's width — all equal to ``width`` unless the strings were composed with
    ``fit_width=True``.
    """

    images: np.ndarray
    labels: list[list[int]]
    sources: list[list[int]]
    widths: np.ndarray

    def padded_labels(self, length: int | None = None, offset: int = 1) -> np.ndarray:
        """Labels as an int32 array ``(n, length)`` for CTC: digit ``d`` becomes class
        ``d + offset`` and the padding is 0 (the blank), as ``keras.losses.CTC`` expects
        (see :func:`companion.ctc.pad_labels`).

        Raises:
            ValueError: if ``length`` is shorter than the longest label.
        """
        return pad_labels(self.labels, length, offset)


MARGIN = 4


def string_image_width(
    max_length: int, scale: int = 2, max_gap: int = 4, margin: int = MARGIN
) -> int:
    """The fixed width that fits ``max_length`` glyphs with the largest gaps and margins."""
    max_length = check_positive_int("max_length", max_length)
    scale = check_positive_int("scale", scale)
    max_gap = check_positive_int("max_gap", max_gap, minimum=0)
    margin = check_positive_int("margin", margin, minimum=0)
    return 2 * margin + max_length * (GLYPH * scale + max_gap)


def compose_digit_strings(
    n: int,
    *,
    split: str,
    min_length: int = 3,
    max_length: int = 8,
    scale: int = 2,
    max_gap: int = 4,
    jitter: int = 2,
    width: int | None = None,
    fit_width: bool = False,
    augment: bool = False,
    seed: int,
) -> DigitStrings:
    """Compose ``n`` images of digit strings of ``min_length..max_length`` digits.

    Args:
        n: number of images.
        split: ``"train"``, ``"validation"`` or ``"test"``: which source glyphs to use
            (see the module's description).
        min_length, max_length: the range of string lengths (inclusive).
        scale: integer upscaling of the 8x8 glyphs (nearest neighbour).
        max_gap: the largest gap between two glyphs, in pixels (gaps are 0..max_gap).
        jitter: the largest vertical shift of a glyph, in pixels, up or down.
        width: the image width; by default :func:`string_image_width` of ``max_length``.
        fit_width: give each image its own width, the string's plus a random margin of
            0 to 4 pixels on each side (as a text-line detector would crop it), and pad
            the batch on the right to its widest image; ``widths`` holds the true
            widths. Leave ``width`` as ``None`` then.
        augment: distort each glyph by a random affine map (rotation up to 10 degrees,
            scale 0.85-1.15, shear up to 0.2): new *glyphs*, not only new compositions,
            so a model cannot memorise the pool of source digits.
        seed: random seed.

    Returns:
        A :class:`DigitStrings`; the image height is ``8 * scale + 2 * jitter``.

    Raises:
        ValueError, TypeError: for out-of-range or inconsistent arguments, e.g. a width
            too small for ``max_length`` glyphs.
    """
    n = check_positive_int("n", n)
    check_choice("split", split, SPLITS)
    min_length = check_positive_int("min_length", min_length)
    max_length = check_positive_int("max_length", max_length)
    if min_length > max_length:
        raise ValueError(f"min_length: expected at most max_length={max_length}, got {min_length}")
    scale = check_positive_int("scale", scale)
    max_gap = check_positive_int("max_gap", max_gap, minimum=0)
    jitter = check_positive_int("jitter", jitter, minimum=0)
    seed = check_positive_int("seed", seed, minimum=0)
    needed = string_image_width(max_length, scale, max_gap, margin=0)
    if fit_width and width is not None:
        raise ValueError(f"width: expected None with fit_width=True, got {width!r}")
    width = string_image_width(max_length, scale, max_gap) if width is None else width
    width = check_positive_int("width", width)
    if width < needed:
        raise ValueError(
            f"width: expected at least {needed} pixels for {max_length} glyphs with gaps "
            f"up to {max_gap}, got {width}"
        )
    pool_x, pool_y, pool_index = _upscaled_pool(split, scale)
    glyph = GLYPH * scale
    height = glyph + 2 * jitter
    rng = np.random.default_rng(seed)
    # A separate stream, so that augment=True distorts the very same compositions.
    distortion_rng = np.random.default_rng([seed, 1])
    images = np.zeros((n, height, width, 1), np.float32)
    labels, sources, widths = [], [], []
    for i in range(n):
        length = int(rng.integers(min_length, max_length + 1))
        picks = rng.integers(0, len(pool_y), size=length)
        gaps = rng.integers(0, max_gap + 1, size=length)
        used = length * glyph + gaps[:-1].sum()
        if fit_width:
            x = int(rng.integers(0, MARGIN + 1))
            widths.append(x + int(used) + int(rng.integers(0, MARGIN + 1)))
        else:
            x = int(rng.integers(0, width - used + 1))
            widths.append(width)
        for pick, gap in zip(picks, gaps, strict=True):
            big = pool_x[pick]
            if augment:
                big = _random_affine(big, distortion_rng)
            y = jitter + int(rng.integers(-jitter, jitter + 1))
            images[i, y : y + glyph, x : x + glyph, 0] = np.maximum(
                images[i, y : y + glyph, x : x + glyph, 0], big
            )
            x += glyph + int(gap)
        labels.append([int(pool_y[p]) for p in picks])
        sources.append([int(pool_index[p]) for p in picks])
    widths = np.asarray(widths, np.int32)
    return DigitStrings(images[:, :, : widths.max()], labels, sources, widths)


def glyph_pool(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The source glyphs of a split: images ``(n, 8, 8, 1)``, digits, and their indices
    in the 1,797 scikit-learn digits. The three splits are disjoint and fixed.
    """
    check_choice("split", split, SPLITS)
    return tuple(array.copy() for array in _glyph_pool(split))


@functools.cache
def _glyph_pool(split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    digits = load_digit_images(seed=0)
    if split == "test":
        return digits.x_test, digits.y_test, digits.test_index
    train, validation = train_test_split(
        np.arange(len(digits.y_train)),
        test_size=VALIDATION_SHARE,
        random_state=0,
        stratify=digits.y_train,
    )
    rows = train if split == "train" else validation
    return digits.x_train[rows], digits.y_train[rows], digits.train_index[rows]


@functools.cache
def _upscaled_pool(split: str, scale: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The glyphs of a split upscaled ``scale`` times (nearest neighbour), computed once:
    composing a batch must not reload the digits."""
    images, digits, indices = _glyph_pool(split)
    upscaled = images[:, :, :, 0].repeat(scale, axis=1).repeat(scale, axis=2)
    upscaled.flags.writeable = False  # shared by every call
    return upscaled, digits, indices


def _random_affine(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotate, scale and shear a square glyph about its centre (bilinear, zero fill)."""
    from scipy.ndimage import affine_transform

    angle = np.deg2rad(rng.uniform(-10, 10))
    zoom = rng.uniform(0.85, 1.15)
    shear = rng.uniform(-0.2, 0.2)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    forward = rotation @ np.array([[1.0, shear], [0.0, 1.0]]) * zoom
    inverse = np.linalg.inv(forward)  # affine_transform maps output to input coordinates
    centre = (np.array(glyph.shape) - 1) / 2
    out = affine_transform(glyph, inverse, offset=centre - inverse @ centre, order=1, cval=0.0)
    return np.clip(out, 0.0, 1.0).astype(np.float32)

"""The handwritten digits of scikit-learn: 1,797 real 8x8 grey images, offline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion.validation import check_number, check_positive_int


@dataclass(frozen=True)
class DigitSplit:
    """A stratified train/test split of the digits.

    Images are float32 in ``[0, 1]`` with a channel axis, ``(n, 8, 8, 1)``; labels are
    int32 digits 0–9. ``train_index`` and ``test_index`` index the original 1,797 images,
    so that later chapters can build new data from the training images only.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_index: np.ndarray
    test_index: np.ndarray


def load_digit_images(test_fraction: float = 0.25, *, seed: int = 0) -> DigitSplit:
    """Load ``sklearn.datasets.load_digits`` and split it, stratified by class.

    The pixel values (0–16 in scikit-learn) are divided by 16.

    Args:
        test_fraction: the share of images held out for testing, in ``(0, 1)``.
        seed: the seed of the split.

    Raises:
        ValueError: if ``test_fraction`` is not strictly between 0 and 1.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    check_number("test_fraction", test_fraction, "a number in (0, 1)")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction: expected a number in (0, 1), got {test_fraction}")
    seed = check_positive_int("seed", seed, minimum=0)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    labels = digits.target.astype(np.int32)
    train_index, test_index = train_test_split(
        np.arange(len(labels)), test_size=test_fraction, random_state=seed, stratify=labels
    )
    return DigitSplit(
        images[train_index],
        labels[train_index],
        images[test_index],
        labels[test_index],
        train_index,
        test_index,
    )

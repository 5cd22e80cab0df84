"""Training batches of digit strings composed on the fly, as a ``keras.utils.PyDataset``.

The images come from :func:`companion.data.digit_strings.compose_digit_strings`; this
module adds only what Keras needs to train on fresh strings every epoch.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from companion.data.digit_strings import compose_digit_strings
from companion.validation import check_positive_int


class DigitStringBatches(keras.utils.PyDataset):
    """Training strings composed one batch at a time, fresh every epoch or fixed.

    Batch ``i`` of epoch ``e`` is
    :func:`~companion.data.digit_strings.compose_digit_strings` with the seed
    ``(seed, e, i)``: every epoch sees new compositions (and, with ``augment=True``, new
    distortions of the glyphs), yet two runs with the same seed see the same data. Only
    ``split="train"`` glyphs are used. Targets are
    :meth:`~companion.data.digit_strings.DigitStrings.padded_labels` of length
    ``max_length``, as ``keras.losses.CTC`` expects. With ``fit_width=True``
    the inputs are ``{"image": images, "width": widths}``, for a CRNN built with
    ``masked_width=True``.

    Args:
        batches: batches per epoch.
        batch_size: strings per batch.
        seed: base seed.
        fresh: compose new strings every epoch; with ``False`` every epoch sees the same
            ``batches * batch_size`` strings (a fixed training set, in a shuffled order).
        **compose: further arguments of
            :func:`~companion.data.digit_strings.compose_digit_strings` (``augment``,
            ``min_length``, ``max_length``, ...).
    """

    def __init__(
        self, batches: int, batch_size: int, *, seed: int, fresh: bool = True, **compose: Any
    ) -> None:
        super().__init__()
        self.batches = check_positive_int("batches", batches)
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.seed = check_positive_int("seed", seed, minimum=0)
        self.fresh = fresh
        self.compose = {"split": "train", **compose}
        if self.compose["split"] != "train":
            raise ValueError(
                f"split: expected 'train' for training batches, got {compose['split']!r}"
            )
        self.epoch = 0

    def __len__(self) -> int:
        return self.batches

    def __getitem__(self, index: int) -> tuple[Any, np.ndarray]:
        strings = compose_digit_strings(
            self.batch_size,
            seed=int(
                np.random.SeedSequence(
                    [self.seed, self.epoch if self.fresh else 0, index]
                ).generate_state(1)[0]
            ),
            **self.compose,
        )
        targets = strings.padded_labels(self.compose.get("max_length", 8))
        if self.compose.get("fit_width", False):
            return {"image": strings.images, "width": strings.widths}, targets
        return strings.images, targets

    def on_epoch_end(self) -> None:
        """Count the epoch, so that the next one composes new strings (with ``fresh``)."""
        self.epoch += 1

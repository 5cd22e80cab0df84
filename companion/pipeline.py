"""Training input that keeps one ``tf.data`` iterator for the whole of ``fit``.

Given NumPy arrays, a finite ``tf.data.Dataset`` or a ``keras.utils.PyDataset``, Keras'
``fit`` makes a new input iterator every epoch (Keras 3's ``EpochIterator``, in
``keras/src/trainers/epoch_iterator.py``, keeps its iterator across epochs only when
``steps_per_epoch`` is given). Measured on the course's 2-core machine
(chapter 12 shows it), the same CRNN epoch then ran on about one core in roughly half of
the epochs (twice the wall time, the same CPU time, the other core idle) and on about
1.75 cores in the others, changing from one epoch to the next; with one repeated dataset
and ``steps_per_epoch``, so that a single iterator serves every epoch, every epoch ran on
about 1.75 cores. :func:`repeated_dataset` builds that input: the same batches, the same
seeded order in every run, and a ``steps_per_epoch`` to pass to ``fit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from companion.validation import check_positive_int


def _spec(value: Any) -> Any:
    """The ``tf.TensorSpec`` (nested like ``value``) of a batch, any batch size."""
    return keras.tree.map_structure(
        lambda a: tf.TensorSpec((None, *np.shape(a)[1:]), tf.as_dtype(np.asarray(a).dtype)),
        value,
    )


def _from_batches(batches: keras.utils.PyDataset) -> tuple[tf.data.Dataset, int]:
    steps = len(batches)
    if steps < 1:
        raise ValueError(f"x: expected a PyDataset with at least one batch, got {steps}")

    def every_epoch() -> Iterator[Any]:
        while True:
            for index in range(steps):
                yield batches[index]
            batches.on_epoch_end()

    first = batches[0]
    if steps > 1:
        shapes = [
            keras.tree.map_structure(lambda a: np.shape(a)[1:], b) for b in (first, batches[1])
        ]
        if shapes[0] != shapes[1]:
            raise ValueError(
                "x: expected batches of one shape apart from their length (the dataset's "
                f"signature is fixed), got {shapes[0]} in batch 0 and {shapes[1]} in batch 1"
            )
    dataset = tf.data.Dataset.from_generator(every_epoch, output_signature=_spec(first))
    # Prefetching composes the next batches while the model trains on this one.
    return dataset.prefetch(2), steps


def repeated_dataset(
    x: Any,
    y: Any = None,
    *,
    batch_size: int | None = None,
    seed: int = 0,
) -> tuple[tf.data.Dataset, int]:
    """An endless dataset of the training batches and the number of batches per epoch.

    Pass both to ``fit``: ``model.fit(dataset, steps_per_epoch=steps, epochs=...)``.

    Args:
        x: the inputs, as a NumPy array (or a dict or tuple of arrays) with ``y`` and
            ``batch_size``; or a ``keras.utils.PyDataset``, whose batches are served in
            order, epoch after epoch, calling its ``on_epoch_end`` between epochs, and
            composed ahead of the model. Its batches must all have the first one's
            shapes, apart from their length (batches padded to their own widths do not).
        y: the targets for arrays (``None`` with a ``PyDataset``).
        batch_size: examples per batch for arrays; the last, smaller batch of an epoch is
            kept, as ``fit`` keeps it.
        seed: seed of the shuffling of arrays, which is new every epoch and the same in
            every run.

    Raises:
        TypeError: if ``batch_size`` or ``y`` is given with a ``PyDataset``.
        ValueError: if ``batch_size`` is missing or not positive for arrays, the arrays
            are empty or their lengths differ, or a ``PyDataset``'s first two batches
            differ in shape beyond their length.
    """
    if isinstance(x, keras.utils.PyDataset):
        if y is not None or batch_size is not None:
            raise TypeError(
                "y: expected neither y nor batch_size with a PyDataset (it makes its own "
                f"batches), got y={type(y).__name__}, batch_size={batch_size!r}"
            )
        return _from_batches(x)
    if batch_size is None:
        raise ValueError("batch_size: expected a positive integer for arrays, got None")
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_positive_int("seed", seed, minimum=0)
    lengths = {len(a) for a in keras.tree.flatten(x if y is None else (x, y))}
    if len(lengths) != 1:
        raise ValueError(f"y: expected arrays of one length, got lengths {sorted(lengths)}")
    (length,) = lengths
    if length == 0:
        raise ValueError("x: expected at least one example, got 0")
    dataset = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
    dataset = dataset.shuffle(length, seed=seed, reshuffle_each_iteration=True)
    steps = -(-length // batch_size)
    return dataset.batch(batch_size).repeat().prefetch(tf.data.AUTOTUNE), steps

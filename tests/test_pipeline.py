"""repeated_dataset: the same batches as an epoch of fit, one iterator for every epoch."""

from __future__ import annotations

import itertools

import keras
import numpy as np

from companion.data.digit_string_batches import DigitStringBatches
from companion.pipeline import repeated_dataset


def _epochs(dataset, steps: int, epochs: int) -> list[list]:
    batches = [
        keras.tree.map_structure(np.asarray, batch)
        for batch in itertools.islice(dataset.as_numpy_iterator(), steps * epochs)
    ]
    return [batches[e * steps : (e + 1) * steps] for e in range(epochs)]


def test_arrays_every_example_once_per_epoch_in_a_new_seeded_order():
    x = np.arange(10, dtype="float32")[:, None] * [1.0, -1.0]
    y = np.arange(10)
    dataset, steps = repeated_dataset(x, y, batch_size=4, seed=1)
    assert steps == 3
    first, second = _epochs(dataset, steps, 2)
    for epoch in (first, second):
        assert [len(by) for _, by in epoch] == [4, 4, 2]  # the last batch kept, as fit does
        seen = np.concatenate([by for _, by in epoch])
        assert sorted(seen) == list(range(10))
        for bx, by in epoch:  # inputs stay with their targets
            np.testing.assert_array_equal(bx[:, 0], by)
    order = lambda epoch: np.concatenate([by for _, by in epoch]).tolist()  # noqa: E731
    assert order(first) != order(second), "every epoch should be shuffled anew"
    again, _ = repeated_dataset(x, y, batch_size=4, seed=1)
    assert order(_epochs(again, steps, 1)[0]) == order(first), "same seed, same order"
    other, _ = repeated_dataset(x, y, batch_size=4, seed=2)
    assert order(_epochs(other, steps, 1)[0]) != order(first)


def test_pydataset_batches_in_order_with_a_new_epoch_after_each_pass():
    batches = DigitStringBatches(2, 3, seed=5, augment=True)
    dataset, steps = repeated_dataset(batches)
    assert steps == 2
    served = _epochs(dataset, steps, 2)
    for epoch in range(2):
        expected = DigitStringBatches(2, 3, seed=5, augment=True)
        expected.epoch = epoch
        for index in range(steps):
            np.testing.assert_array_equal(served[epoch][index][0], expected[index][0])
            np.testing.assert_array_equal(served[epoch][index][1], expected[index][1])
    assert not np.array_equal(served[0][0][0], served[1][0][0])


def test_fit_runs_steps_per_epoch_batches_every_epoch():
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    dataset, steps = repeated_dataset(x, x[:, :1], batch_size=8)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    counted = []
    count = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: counted.append(0),
        on_train_batch_end=lambda batch, logs: counted.__setitem__(-1, counted[-1] + 1),
    )
    model.fit(dataset, steps_per_epoch=steps, epochs=3, verbose=0, callbacks=[count])
    assert counted == [3, 3, 3]

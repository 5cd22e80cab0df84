"""Tests of companion.data.synthetic."""

from __future__ import annotations

import numpy as np
import pytest

from companion.data.synthetic import first_symbol_recall


def test_first_symbol_recall_shapes_and_labels():
    x, y = first_symbol_recall(200, 7, 5, seed=3)
    assert x.shape == (200, 7, 5) and x.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int32
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)  # one-hot at every step
    np.testing.assert_array_equal(x[:, 0].argmax(axis=1), y)


def test_first_symbol_recall_is_deterministic_and_seed_dependent():
    a = first_symbol_recall(50, 4, seed=1)
    b = first_symbol_recall(50, 4, seed=1)
    c = first_symbol_recall(50, 4, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_first_symbol_recall_labels_are_balanced_and_distractors_uninformative():
    x, y = first_symbol_recall(8000, 5, 4, seed=0)
    assert np.all(np.abs(np.bincount(y, minlength=4) / 8000 - 0.25) < 0.03)
    later = x[:, 1:].argmax(axis=2)
    agreement = (later == y[:, None]).mean()
    assert abs(agreement - 0.25) < 0.02


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, "n: expected an integer >= 1, got 0"),
        ({"length": 2.5}, TypeError, "length: expected an integer >= 1, got 2.5"),
        ({"n_symbols": 1}, ValueError, "n_symbols: expected an integer >= 2, got 1"),
    ],
)
def test_first_symbol_recall_validates(kwargs, error, message):
    arguments = {"n": 10, "length": 3, "n_symbols": 4, **kwargs}
    with pytest.raises(error, match=message):
        first_symbol_recall(**arguments, seed=0)


def test_adding_problem_targets_and_markers():
    from companion.data.synthetic import adding_problem

    x, y = adding_problem(500, 20, seed=4)
    assert x.shape == (500, 20, 2) and y.shape == (500, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    markers = x[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=1), 2.0)
    np.testing.assert_array_equal(markers[:, :10].sum(axis=1), 1.0)  # one in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    again = adding_problem(500, 20, seed=4)
    np.testing.assert_array_equal(again[0], x)


def test_adding_problem_trivial_baseline_is_one_sixth():
    from companion.data.synthetic import adding_problem

    _, y = adding_problem(50_000, 10, seed=0)
    assert abs(float(np.mean((y - 1.0) ** 2)) - 1 / 6) < 0.005


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0, "length": 5}, "n: expected an integer >= 1, got 0"),
        ({"n": 5, "length": 1}, "length: expected an integer >= 2, got 1"),
    ],
)
def test_adding_problem_validates(kwargs, message):
    from companion.data.synthetic import adding_problem

    with pytest.raises(ValueError, match=message):
        adding_problem(**kwargs, seed=0)


def test_digit_split_is_stratified_disjoint_and_deterministic():
    from companion.data.digits import load_digit_images

    split = load_digit_images(0.25, seed=0)
    assert split.x_train.shape[1:] == (8, 8, 1) and split.x_train.dtype == np.float32
    assert len(split.x_train) + len(split.x_test) == 1797
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert not set(split.train_index) & set(split.test_index)
    test_share = np.bincount(split.y_test, minlength=10) / np.bincount(split.y_train, minlength=10)
    assert np.all(np.abs(test_share - 1 / 3) < 0.05)
    again = load_digit_images(0.25, seed=0)
    np.testing.assert_array_equal(again.test_index, split.test_index)


@pytest.mark.parametrize(
    ("fraction", "error"), [(0.0, ValueError), (1.5, ValueError), ("a", TypeError)]
)
def test_digit_split_validates(fraction, error):
    from companion.data.digits import load_digit_images

    with pytest.raises(error, match="test_fraction: expected a number in \\(0, 1\\)"):
        load_digit_images(fraction)

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


def test_moving_digits_shapes_range_and_determinism():
    from companion.data.synthetic import moving_digits

    frames, labels = moving_digits(6, 5, size=20, n_digits=2, seed=3, return_labels=True)
    assert frames.shape == (6, 5, 20, 20, 1) and frames.dtype == np.float32
    assert labels.shape == (6, 2) and labels.dtype == np.int32
    assert 0.0 <= frames.min() and frames.max() <= 1.0 and frames.max() > 0.5
    np.testing.assert_array_equal(moving_digits(6, 5, size=20, n_digits=2, seed=3), frames)
    assert not np.array_equal(moving_digits(6, 5, size=20, n_digits=2, seed=4), frames)


def test_moving_digits_glyph_stays_whole_and_moves():
    from companion.data.digit_strings import glyph_pool
    from companion.data.synthetic import moving_digits

    frames = moving_digits(20, 30, size=16, speed=(1.0, 2.0), split="test", seed=0)
    mass = frames.sum(axis=(2, 3, 4))  # one glyph, never clipped by the walls: constant ink
    np.testing.assert_allclose(mass, mass[:, :1].repeat(30, axis=1), rtol=1e-5)
    test_masses = np.round(glyph_pool("test")[0].sum(axis=(1, 2, 3)), 4)
    assert set(np.round(mass[:, 0], 4)) <= set(test_masses)  # glyphs of the test split only
    moved = np.abs(frames[:, 1:] - frames[:, :-1]).sum(axis=(2, 3, 4))
    assert (moved > 0).mean() > 0.9  # speed >= 1 pixel per frame: (almost) always moves
    still = moving_digits(3, 4, speed=(0.0, 0.0), seed=0)
    np.testing.assert_array_equal(still[:, 1:], still[:, :-1])


def test_moving_digits_bounces_inside_the_frame():
    from companion.data.synthetic import moving_digits

    frames = moving_digits(10, 60, size=12, speed=(3.0, 5.0), seed=1)
    rows = frames.sum(axis=(3, 4)) > 0  # (n, time, height): rows with ink
    assert rows[:, :, 0].any() and rows[:, :, -1].any()  # reaches both walls, stays inside
    np.testing.assert_allclose(frames.sum(axis=(2, 3, 4)).std(axis=1), 0.0, atol=1e-4)


def test_moving_digits_upscales():
    from companion.data.synthetic import moving_digits

    frame = moving_digits(1, 2, size=24, scale=2, seed=0)[0, 0, :, :, 0]
    rows, cols = np.nonzero(frame)
    assert rows.max() - rows.min() < 16 and cols.max() - cols.min() < 16
    _, counts = np.unique(frame[frame > 0], return_counts=True)
    assert np.all(counts % 4 == 0)  # every glyph pixel became a 2x2 block


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, "n: expected an integer >= 1, got 0"),
        ({"length": 1}, ValueError, "length: expected an integer >= 2, got 1"),
        ({"size": 7}, ValueError, r"size: expected at least the glyph size 8 \* scale = 8, got 7"),
        ({"scale": 2, "size": 12}, ValueError, "size: expected at least the glyph size"),
        ({"n_digits": 1.5}, TypeError, "n_digits: expected an integer >= 1, got 1.5"),
        ({"speed": (2.0, 1.0)}, ValueError, r"speed: expected a range \(low, high\)"),
        ({"speed": 1.0}, ValueError, r"speed: expected a range \(low, high\)"),
        ({"split": "all"}, ValueError, "split: expected one of 'train', 'validation', 'test'"),
    ],
)
def test_moving_digits_validates(kwargs, error, message):
    from companion.data.synthetic import moving_digits

    with pytest.raises(error, match=message):
        moving_digits(**{"n": 2, **kwargs}, seed=0)


def test_anomaly_windows_labels_match_the_injected_points():
    from companion.data.synthetic import anomaly_windows

    data = anomaly_windows(300, 40, anomaly_fraction=0.3, noise=0.0, seed=5)
    assert data.x.shape == (300, 40, 1) and data.x.dtype == np.float32
    assert data.labels.sum() == 90
    np.testing.assert_array_equal(data.points.any(axis=1), data.labels == 1)
    np.testing.assert_array_equal(data.kinds != "", data.labels == 1)
    assert set(data.kinds[data.labels == 1]) == {"spike", "level_shift", "frequency"}
    # Without noise, a normal window is exactly the two-sine signal: |x| <= 1.3.
    assert np.abs(data.x[data.labels == 0]).max() <= 1.3 + 1e-6
    for i in np.nonzero(data.kinds == "spike")[0]:
        assert 1 <= data.points[i].sum() <= 3
        assert np.abs(data.x[i, data.points[i], 0]).max() > 0.2  # the spike changed the points
    for i in np.nonzero(data.kinds == "level_shift")[0]:
        start = np.argmax(data.points[i])
        assert data.points[i, start:].all() and not data.points[i, :start].any()


def test_anomaly_windows_the_steps_before_an_anomaly_are_unchanged():
    from companion.data.synthetic import anomaly_windows

    clean = anomaly_windows(50, 32, anomaly_fraction=0.0, noise=0.0, seed=9)
    dirty = anomaly_windows(50, 32, anomaly_fraction=1.0, noise=0.0, seed=9)
    assert clean.labels.sum() == 0 and dirty.labels.sum() == 50
    # Same seed: the same periods and phases are drawn first, so the windows agree
    # everywhere the anomaly did not touch.
    untouched = ~dirty.points
    np.testing.assert_allclose(dirty.x[..., 0][untouched], clean.x[..., 0][untouched], atol=1e-6)
    assert not np.allclose(dirty.x[..., 0][dirty.points], clean.x[..., 0][dirty.points])
    # ... and the first marked step of every window is one the anomaly changed.
    first = np.argmax(dirty.points, axis=1)
    rows = np.arange(50)
    changed = np.abs(dirty.x[rows, first, 0] - clean.x[rows, first, 0])
    assert changed.min() > 1e-4, sorted(set(dirty.kinds[changed <= 1e-4]))


def test_anomaly_windows_is_deterministic():
    from companion.data.synthetic import anomaly_windows

    a = anomaly_windows(20, 16, anomaly_fraction=0.5, seed=1)
    b = anomaly_windows(20, 16, anomaly_fraction=0.5, seed=1)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.kinds, b.kinds)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"length": 8}, ValueError, "length: expected an integer >= 16, got 8"),
        ({"anomaly_fraction": 1.5}, ValueError, "anomaly_fraction: expected a share in"),
        ({"kinds": ("spike", "drift")}, ValueError, "kinds: expected one of"),
        ({"kinds": "spike"}, ValueError, "kinds: expected a non-empty tuple"),
        ({"noise": -0.1}, ValueError, "noise: expected a standard deviation >= 0"),
    ],
)
def test_anomaly_windows_rejects_bad_arguments(kwargs, error, message):
    from companion.data.synthetic import anomaly_windows

    with pytest.raises(error, match=message):
        anomaly_windows(10, **{"length": 32, **kwargs}, seed=0)


def test_sines_follow_the_released_timegan_recipe():
    from companion.data.synthetic import sines

    x, frequencies = sines(50, 24, 3, seed=0, return_frequencies=True)
    assert x.shape == (50, 24, 3) and x.dtype == np.float32
    assert frequencies.shape == (50, 3)
    assert np.all((frequencies >= 0) & (frequencies <= 0.1))
    assert np.all((x >= 0) & (x <= 1))
    # (sin(f t + p) + 1) / 2 at t = 0 and t = 1: recover p, then f.
    phase = np.arcsin(2 * x[:, 0] - 1)
    assert np.all((phase >= 0) & (phase <= 0.1 + 1e-6))
    recovered = np.arcsin(2 * x[:, 1].astype(np.float64) - 1) - phase
    np.testing.assert_allclose(recovered, frequencies, atol=1e-4)
    np.testing.assert_array_equal(x, sines(50, 24, 3, seed=0))
    assert not np.array_equal(x, sines(50, 24, 3, seed=1))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, "n: expected an integer >= 1, got 0"),
        ({"length": 1}, ValueError, "length: expected an integer >= 2, got 1"),
        ({"features": 1.5}, TypeError, "features: expected an integer >= 1, got 1.5"),
        ({"max_frequency": 0.0}, ValueError, "max_frequency: expected a finite number > 0"),
        ({"max_phase": -1.0}, ValueError, "max_phase: expected a finite number >= 0"),
    ],
)
def test_sines_reject_bad_arguments(kwargs, error, message):
    from companion.data.synthetic import sines

    arguments = {"n": 4, "length": 24, "features": 2, "seed": 0, **kwargs}
    with pytest.raises(error, match=message):
        sines(**arguments)

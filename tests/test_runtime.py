"""Tests of companion.runtime: modes, budgets, seeding and the device report."""

from __future__ import annotations

import numpy as np
import pytest

from companion import runtime


def test_mode_defaults_to_full(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert runtime.mode() == "full"
    assert not runtime.is_fast()


@pytest.mark.parametrize("value", ["fast", "FAST", " fast "])
def test_mode_reads_environment(monkeypatch, value):
    monkeypatch.setenv("COURSE_MODE", value)
    assert runtime.mode() == "fast"
    assert runtime.is_fast()


def test_unknown_mode_names_the_variable(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "quick")
    with pytest.raises(
        ValueError, match=r"COURSE_MODE: expected one of 'fast', 'full', got 'quick'"
    ):
        runtime.mode()


def test_budget_follows_mode(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "fast")
    assert runtime.budget(fast=1, full=30) == 1
    monkeypatch.setenv("COURSE_MODE", "full")
    assert runtime.budget(fast=1, full=30) == 30
    assert runtime.budget(fast=[5], full=[10, 20]) == [10, 20]
    assert runtime.budget(fast=0.5, full=3) == 3


def test_budget_rejects_mismatched_types():
    with pytest.raises(TypeError, match=r"budget: expected fast and full of the same type.*'30'"):
        runtime.budget(fast=1, full="30")
    with pytest.raises(TypeError, match="same type"):
        runtime.budget(fast=True, full=3)


def test_seed_everything_repeats_numpy_and_keras():
    import keras

    def draw():
        runtime.seed_everything(7)
        layer = keras.layers.Dense(3)
        layer.build((None, 4))
        legacy = np.random.rand(3)  # noqa: NPY002 - the global RNG must be seeded too
        return legacy, np.asarray(layer.kernel), np.asarray(keras.random.normal((2,)))

    first, second = draw(), draw()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_seed_everything_validates(seed, error):
    with pytest.raises(error, match="seed: expected a non-negative integer"):
        runtime.seed_everything(seed)


def test_in_colab_is_false_here(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    assert runtime.in_colab() is False
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab-1")
    assert runtime.in_colab() is True


def test_device_report_names_versions_and_device(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "fast")
    report = runtime.device_report()
    assert report["mode"] == "fast"
    assert report["device"] == runtime.device_label()
    assert report["tensorflow"][0].isdigit() and report["keras"].startswith("3.")
    runtime.print_device_report()
    assert "tensorflow" in capsys.readouterr().out

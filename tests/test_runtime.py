"""Tests of companion.runtime: modes, budgets, seeding and the device report."""

from __future__ import annotations

import os
import subprocess
import sys

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


def fake_cgroup_v1(root, group: str, quota: int, period: int = 100_000) -> str:
    folder = root / "cpu" / group.lstrip("/")
    folder.mkdir(parents=True)
    (folder / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (folder / "cpu.cfs_period_us").write_text(f"{period}\n")
    return f"4:memory:/\n1:cpu:{group}\n0::/\n"


def test_usable_cpus_reads_the_process_cgroup_quota(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "_schedulable_cpus", lambda: 16)
    membership = fake_cgroup_v1(tmp_path, "/docker/abc", quota=150_000)
    assert runtime.usable_cpus(tmp_path, membership) == 2  # 1.5 cores of time, rounded up
    unlimited = fake_cgroup_v1(tmp_path / "other", "/", quota=-1)
    assert runtime.usable_cpus(tmp_path / "other", unlimited) == 16


def test_usable_cpus_reads_cgroup_v2(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "_schedulable_cpus", lambda: 8)
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "cpu.max").write_text("200000 100000\n")
    assert runtime.usable_cpus(tmp_path, "0::/box\n") == 2
    (tmp_path / "box" / "cpu.max").write_text("max 100000\n")
    assert runtime.usable_cpus(tmp_path, "0::/box\n") == 8
    assert runtime.usable_cpus(tmp_path / "missing", "0::/box\n") == 8


def test_thread_pools_follow_a_quota_and_keep_user_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "_schedulable_cpus", lambda: 16)
    for name in runtime.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    membership = fake_cgroup_v1(tmp_path, "/limited", quota=200_000)
    monkeypatch.setenv("TF_NUM_INTEROP_THREADS", "4")
    assert runtime.limit_threads_to_usable_cpus(tmp_path, membership) == {
        "TF_NUM_INTRAOP_THREADS": "2"
    }
    assert os.environ["TF_NUM_INTEROP_THREADS"] == "4"


def test_no_quota_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(runtime, "_schedulable_cpus", lambda: 2)
    for name in runtime.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    membership = fake_cgroup_v1(tmp_path, "/", quota=-1)
    assert runtime.limit_threads_to_usable_cpus(tmp_path, membership) == {}
    assert not any(name in os.environ for name in runtime.THREAD_VARIABLES)


QUIET_CHECK = """
import sys
sys.ps1 = ">>> "  # what TensorFlow takes for an interactive shell, as in Jupyter
import companion
import tensorflow as tf
tf.get_logger().warning("a warning that must not show")
tf.get_logger().error("an error that must show")
print("level", tf.get_logger().level)
"""


def test_tensorflow_warnings_stay_quiet_when_tensorflow_comes_after_companion():
    done = subprocess.run(
        [sys.executable, "-c", QUIET_CHECK], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    output = done.stdout + done.stderr
    # TensorFlow lowered its own logger to INFO in this "interactive" process...
    assert "level 20" in output
    # ...and the companion's filter still drops its warnings, not its errors.
    assert "a warning that must not show" not in output
    assert "an error that must show" in output

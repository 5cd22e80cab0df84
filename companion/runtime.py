"""Run-time settings shared by every chapter: mode and budgets, seeds, device report.

The environment variable ``COURSE_MODE`` chooses the mode:

* ``full`` (the default) — the budgets that produce the numbers the book reports;
* ``fast`` — tiny data and one or two epochs, so that every cell runs in seconds
  (``make test`` and continuous integration use it).

Notebooks never branch on the mode; they ask :func:`budget` for sizes and epochs.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import platform
import random
import sys
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np

from companion.validation import check_choice

MODE_VARIABLE = "COURSE_MODE"
MODES = ("fast", "full")
#: The TensorFlow and Keras versions the course is tested with, oldest and newest:
#: ``make colab-check`` runs every chapter under the oldest, requirements.txt pins the
#: newest, and pyproject.toml's bounds admit this range (a test keeps them equal).
TESTED_VERSIONS = {"tensorflow": ("2.19.1", "2.21.0"), "keras": ("3.10.0", "3.15.1")}
Mode = Literal["fast", "full"]
T = TypeVar("T")


def mode() -> Mode:
    """Return the current mode, ``"fast"`` or ``"full"``, read from ``COURSE_MODE``.

    Raises:
        ValueError: if ``COURSE_MODE`` is set to anything else.
    """
    value = os.environ.get(MODE_VARIABLE, "full").strip().lower() or "full"
    return check_choice(MODE_VARIABLE, value, MODES)


def is_fast() -> bool:
    """Return whether the course runs in fast mode."""
    return mode() == "fast"


def budget(*, fast: T, full: T) -> T:
    """Return ``fast`` or ``full`` according to the current mode.

    Example:
        ``epochs = budget(fast=1, full=30)``

    Raises:
        TypeError: if the two values have different types (a likely slip, e.g. ``1`` and
            ``"30"``); an ``int`` and a ``float`` may be mixed.
    """
    numbers = (int, float)
    same_kind = type(fast) is type(full) or (
        isinstance(fast, numbers)
        and isinstance(full, numbers)
        and not isinstance(fast, bool)
        and not isinstance(full, bool)
    )
    if not same_kind:
        raise TypeError(
            "budget: expected fast and full of the same type, got "
            f"fast={fast!r} ({type(fast).__name__}) and full={full!r} ({type(full).__name__})"
        )
    return fast if is_fast() else full


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy, TensorFlow and Keras so that a run can be repeated.

    On a CPU with the same thread count, two runs with the same seed give the same
    numbers for every chapter's model up to float32 rounding
    (``tests/test_determinism.py``) once TensorFlow's graph optimiser is off
    (``tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})``):
    with it on, the default, its rewriting of a graph differed from run to run for
    chapter 7's recurrent convolutional layer (float32 rounding after one epoch, and once
    36 % in a batch-norm weight). Even with it off, chapter 9's LSTM autoencoder once
    differed by one float32 step, so bit-for-bit equality is not promised.
    On a GPU some kernels (cuDNN's among them) are not deterministic, so results
    agree only to a few digits.

    Raises:
        TypeError, ValueError: if ``seed`` is not a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed: expected a non-negative integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - code that uses the legacy global RNG is seeded too
    import keras

    # Seeds Python, NumPy and the backend (TensorFlow) together.
    keras.utils.set_random_seed(int(seed))


THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def _cgroup_quota_files(root: Path, membership: str) -> list[tuple[Path, Path | None]]:
    """Where this process's CPU quota can be read, from ``/proc/self/cgroup``'s text."""
    files: list[tuple[Path, Path | None]] = []
    for line in membership.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, group = parts
        relative = group.lstrip("/")
        if controllers == "":  # cgroup v2: "<quota> <period>" or "max <period>"
            for folder in (root / relative, root):
                files.append((folder / "cpu.max", None))
        elif "cpu" in controllers.split(","):  # cgroup v1
            for mount in (root / controllers, root / "cpu", root / "cpu,cpuacct"):
                for folder in (mount / relative, mount):
                    files.append((folder / "cpu.cfs_quota_us", folder / "cpu.cfs_period_us"))
    return files


def _cgroup_cpu_limit(root: Path, membership: str) -> float | None:
    """The CPU quota of this process's control group in cores, or None when unlimited."""
    for quota_file, period_file in _cgroup_quota_files(root, membership):
        try:
            if period_file is None:
                quota, period = quota_file.read_text().split()[:2]
            else:
                quota, period = quota_file.read_text().strip(), period_file.read_text().strip()
        except (OSError, ValueError):
            continue
        if quota in ("max", "-1"):
            return None
        return int(quota) / int(period)
    return None


def _schedulable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no affinity
        return os.cpu_count() or 1


def usable_cpus(cgroup_root: Path = Path("/sys/fs/cgroup"), membership: str | None = None) -> int:
    """Return how many cores this process may really use.

    That is the CPUs it may be scheduled on, further limited by a container's CPU quota
    (``docker run --cpus=2`` on a 16-core host leaves 16 schedulable CPUs but 2 cores of
    time). TensorFlow sizes its thread pools from the schedulable CPUs alone.

    Args:
        cgroup_root: where the control groups are mounted.
        membership: the text of ``/proc/self/cgroup`` (read when None; tests pass one).

    Raises:
        TypeError: if ``cgroup_root`` is not a path or ``membership`` not a string.
    """
    if not isinstance(cgroup_root, str | os.PathLike):
        raise TypeError(f"cgroup_root: expected a path, got {type(cgroup_root).__name__}")
    cgroup_root = Path(cgroup_root)
    if membership is not None and not isinstance(membership, str):
        raise TypeError(f"membership: expected the text of /proc/self/cgroup, got {membership!r}")
    schedulable = _schedulable_cpus()
    if membership is None:
        try:
            membership = Path("/proc/self/cgroup").read_text()
        except OSError:
            membership = ""
    quota = _cgroup_cpu_limit(cgroup_root, membership)
    if quota is None:
        return schedulable
    return max(1, min(schedulable, math.ceil(quota)))


def limit_threads_to_usable_cpus(
    cgroup_root: Path = Path("/sys/fs/cgroup"), membership: str | None = None
) -> dict[str, str]:
    """Size TensorFlow's thread pools to the usable cores when a CPU quota is lower.

    Under a quota, threads for every visible CPU compete for a few cores' time: measured
    on this course's reference machine in a control group with a 1-core quota and 2
    visible CPUs, an epoch of chapter 5's CRNN took 9.4-10.7 s with TensorFlow's default
    pools and 7.0-8.2 s with one thread each. Without a quota nothing is changed.
    Variables the user has set are kept. It must run before TensorFlow creates its thread
    pools (at its first operation); importing ``companion`` runs it.

    Returns:
        The variables it set (empty when it set none).
    """
    cores = usable_cpus(cgroup_root, membership)
    if cores >= _schedulable_cpus():
        return {}
    chosen = {name: str(cores) for name in THREAD_VARIABLES if name not in os.environ}
    os.environ.update(chosen)
    return chosen


def in_colab() -> bool:
    """Return whether the code runs inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


@functools.cache
def gpu_names() -> tuple[str, ...]:
    """Return the names of the GPUs TensorFlow can use (empty on a CPU); computed once."""
    import tensorflow as tf

    names = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        names.append(details.get("device_name", device.name))
    return tuple(names)


def device_label() -> str:
    """Return a short label of the compute device, e.g. ``"CPU (2 cores)"`` or a GPU name."""
    gpus = gpu_names()
    if gpus:
        return ", ".join(gpus)
    return f"CPU ({os.cpu_count()} cores)"


def device_report() -> dict[str, Any]:
    """Return the facts a reader needs to compare timings: versions, device and mode."""
    import keras
    import tensorflow as tf

    return {
        "mode": mode(),
        "device": device_label(),
        "usable cores": usable_cpus(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(terse=True),
        "colab": in_colab(),
    }


def print_versions_and_device() -> None:
    """Print one line: the TensorFlow and Keras versions and the compute device.

    The notebooks' first cell prints it (:func:`companion.colab.setup_cell_source`). Listing
    the devices does not start TensorFlow's runtime, so logical devices can still be
    configured afterwards (chapter 12 splits the CPU in two).
    """
    report = device_report()
    print(f"TensorFlow {report['tensorflow']}, Keras {report['keras']}, device: {report['device']}")
    for package in TESTED_VERSIONS:
        note = untested_version_note(package, report[package])
        if note:
            print(note)


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``"2.21.0rc1"`` -> ``(2, 21, 0)``."""
    numbers = []
    for part in version.split(".")[:3]:
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def untested_version_note(package: str, version: str) -> str | None:
    """A one-line note when ``version`` of ``package`` lies outside :data:`TESTED_VERSIONS`.

    Returns ``None`` inside the tested range. The notebooks' first cell prints the note, so
    a reader on an older or newer runtime knows that a failure may come from the version.
    """
    check_choice("package", package, tuple(TESTED_VERSIONS))
    if not isinstance(version, str) or not _release(version):
        raise ValueError(f"version: expected a version string such as '2.21.0', got {version!r}")
    oldest, newest = TESTED_VERSIONS[package]
    if _release(version) < _release(oldest):
        return (
            f"note: {package} {version} is older than the oldest the course is tested with "
            f"({oldest}); see the setup page's supported range"
        )
    if _release(version)[:2] > _release(newest)[:2]:
        return (
            f"note: {package} {version} is newer than the course's tested range "
            f"({oldest} to {newest}); report what fails"
        )
    return None


def print_device_report() -> None:
    """Print :func:`device_report` as aligned ``key: value`` lines."""
    report = device_report()
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}} : {value}")

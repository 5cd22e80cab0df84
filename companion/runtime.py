"""Run-time settings shared by every chapter: mode and budgets, seeds, device report.

The environment variable ``COURSE_MODE`` chooses the mode:

* ``full`` (the default) — the budgets that produce the numbers the book reports;
* ``fast`` — tiny data and one or two epochs, so that every cell runs in seconds
  (``make test`` and continuous integration use it).

Notebooks never branch on the mode; they ask :func:`budget` for sizes and epochs.
"""

from __future__ import annotations

import functools
import os
import platform
import random
import sys
from typing import Any, Literal, TypeVar

import numpy as np

from companion.validation import check_choice

MODE_VARIABLE = "COURSE_MODE"
MODES = ("fast", "full")
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
    numbers. On a GPU some kernels (cuDNN's among them) are not deterministic, so results
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
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(terse=True),
        "colab": in_colab(),
    }


def print_device_report() -> None:
    """Print :func:`device_report` as aligned ``key: value`` lines."""
    report = device_report()
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}} : {value}")

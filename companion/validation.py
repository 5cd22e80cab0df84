"""Input checks shared by the package's public functions.

Every check raises an exception whose message names the argument, says what was expected
and shows what was given, e.g. ``x: expected a 3-D array (batch, time, features), got
shape (4, 10)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def as_float_array(
    name: str,
    value: Any,
    *,
    ndim: int | None = None,
    axes: Sequence[str] | None = None,
) -> np.ndarray:
    """Convert ``value`` to a float64 array and check its rank and values.

    Args:
        name: the argument's name, used in error messages.
        value: anything :func:`numpy.asarray` accepts.
        ndim: the required number of dimensions, or ``None`` for any.
        axes: names of the axes, e.g. ``("batch", "time", "features")``, shown in messages.

    Returns:
        The value as a float64 array.

    Raises:
        TypeError: if the value is not numeric.
        ValueError: if it has the wrong rank or contains NaN or infinity.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: expected a numeric array, got {type(value).__name__}") from error
    if ndim is not None and array.ndim != ndim:
        layout = f" ({', '.join(axes)})" if axes else ""
        raise ValueError(f"{name}: expected a {ndim}-D array{layout}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite values, got NaN or infinity")
    return array


def check_shape(name: str, array: np.ndarray, expected: Sequence[int | None]) -> None:
    """Check that ``array.shape`` matches ``expected``; ``None`` entries match any size.

    Raises:
        ValueError: naming the argument, the expected and the given shape.
    """
    expected = tuple(expected)
    shape = array.shape
    if len(shape) != len(expected) or any(
        want is not None and want != got for want, got in zip(expected, shape, strict=False)
    ):
        shown = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name}: expected shape {shown}, got {shape}")


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer ``>= minimum`` (booleans are rejected).

    Raises:
        TypeError: if it is not an integer.
        ValueError: if it is smaller than ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value}")
    return int(value)


def is_real_number(value: Any) -> bool:
    """Whether ``value`` is a real number, a Python or a NumPy one, and not a boolean."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def check_number(name: str, value: Any, expected: str) -> Any:
    """Check that ``value`` is a Python ``int`` or ``float`` (NumPy's ``float64`` is a
    ``float``), not a boolean, and return it; ``expected`` says what was expected, e.g.
    ``"a number in [0, 1)"``. Ranges are the caller's to check.

    Raises:
        TypeError: ``"{name}: expected {expected}, got {value!r}"``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name}: expected {expected}, got {value!r}")
    return value


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Check that ``value`` is one of ``choices``.

    Raises:
        ValueError: naming the argument, the allowed values and the given one.
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: expected one of {allowed}, got {value!r}")
    return value


def check_image_shape(name: str, shape: Sequence[int]) -> tuple[int, int, int]:
    """Check that ``shape`` is ``(height, width, channels)`` with positive sizes.

    Raises:
        ValueError, TypeError: naming the argument and showing the given shape.
    """
    if len(shape) != 3:
        raise ValueError(f"{name}: expected (height, width, channels), got {tuple(shape)}")
    height, width, channels = (check_positive_int(name, axis) for axis in shape)
    return height, width, channels


def check_sequence(name: str, values: Any, expected: str = "a sequence") -> None:
    """Check that ``values`` is a sequence (a list, a tuple, a string, an array).

    Raises:
        TypeError: ``"{name}: expected {expected}, got <type>"``.
    """
    if not isinstance(values, Sequence | np.ndarray):
        raise TypeError(f"{name}: expected {expected}, got {type(values).__name__}")

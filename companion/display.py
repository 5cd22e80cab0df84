"""Notebook display helpers: show a function's source, catch an expected error, glue numbers.

``glue`` stores a value in the notebook's output so that the book's prose can quote it
with MyST-NB's ``glue:text`` role, e.g. the value ``name`` formatted as ``name:.3f`` (the
MyST-NB glue protocol, implemented here so that the notebooks need no MyST-NB in Colab).
"""

from __future__ import annotations

import contextlib
import inspect
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from companion.validation import check_positive_int

GLUE_HIDDEN_PREFIX = "application/papermill.record/"


def show_source(obj: Any) -> Any:
    """Display the source code of a function or class, syntax-highlighted.

    Returns an IPython ``Code`` object (the last expression of a cell is displayed).

    Raises:
        TypeError: if ``obj`` has no Python source (e.g. a built-in).
    """
    from IPython.display import Code

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as error:
        raise TypeError(f"obj: expected a Python function or class, got {obj!r}") from error
    return Code(textwrap.dedent(source), language="python")


@dataclass
class CaughtError:
    """What :func:`expect_error` caught: the exception, its type name and its message."""

    error: BaseException | None = None
    type_name: str = ""
    message: str = ""
    lines: list[str] = field(default_factory=list)


@contextlib.contextmanager
def expect_error(
    expected: type[BaseException] | tuple[type[BaseException], ...],
    *,
    show: bool = True,
    max_lines: int = 6,
    width: int = 88,
) -> Iterator[CaughtError]:
    """Run a block that must fail, and show the error it raised.

    The chapters' "common mistakes" sections use it: the mistake really runs, its real
    message is printed, and if the mistake ever stops failing (e.g. after a library
    change), the notebook fails instead of silently teaching something false.

    Args:
        expected: the exception type(s) the block must raise.
        show: print the error's type and the first lines of its message.
        max_lines: how many lines of the message to print.
        width: the printed lines are wrapped at this many characters.

    Raises:
        AssertionError: if the block raises nothing.
        BaseException: an exception of another type is re-raised unchanged.
    """
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if not kinds or not all(isinstance(k, type) and issubclass(k, BaseException) for k in kinds):
        raise TypeError(
            f"expected: expected an exception type or a tuple of them, got {expected!r}"
        )
    max_lines = check_positive_int("max_lines", max_lines, minimum=0)
    width = check_positive_int("width", width)
    caught = CaughtError()
    try:
        yield caught
    except expected as error:
        caught.error = error
        caught.type_name = type(error).__name__
        caught.message = str(error)
        caught.lines = [line for line in caught.message.splitlines() if line.strip()]
        if show:
            shown = caught.lines[:max_lines]
            more = len(caught.lines) - len(shown)
            text = f"{caught.type_name}: " + "\n".join(shown)
            lines = [
                textwrap.fill(line, width, subsequent_indent="    ") for line in text.splitlines()
            ]
            print("\n".join(lines) + (f"\n[... {more} more lines]" if more > 0 else ""))
    else:
        names = expected.__name__ if isinstance(expected, type) else [e.__name__ for e in expected]
        raise AssertionError(f"expected the block to raise {names}, but it raised nothing")


def glue(name: str, value: Any, *, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (MyST-NB's ``glue:text`` role).

    NumPy scalars are converted to Python numbers so that format specs such as ``:.1%``
    work, and a string is shown as itself (``"29,000"`` stays ``29,000``). With
    ``display=True`` the value is also shown in the cell's output.

    Raises:
        ValueError: if ``name`` is empty.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipython_display

    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name: expected a non-empty string, got {name!r}")
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    # A string is stored as its repr, as IPython shows it: MyST-NB's glue:text reads the
    # text with ast.literal_eval (myst_nb/core/variables.py, format_plain_text), which
    # turns an unquoted "29,000" into the tuple (29, 0) but a quoted one into the string.
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_HIDDEN_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipython_display(
        {prefix + key: data for key, data in bundle.items()}, raw=True, metadata=metadata
    )

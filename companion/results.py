"""Record each chapter's headline numbers so that the book can show them in one place.

Every call to :func:`record` writes one record into a JSON file (by default
``_build/results.json`` at the root of the course checkout): a list of records with the
chapter, the name of the number, its value and unit, the floor the course sets for it (if
any), whether higher or lower is better, the baseline's value (if any), the mode, the
device and the seconds it took. A record below its floor is flagged at once, in the
notebook's output and in the file (``meets_floor: false``); ``python -m companion.results``
prints the table and exits with status 1 when any full-mode record misses its floor.

A new record replaces the one with the same chapter, name and mode.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from companion import runtime
from companion.validation import check_choice

RESULTS_VARIABLE = "COURSE_RESULTS"
MARKERS = ("_toc.yml", "companion")


@dataclass(frozen=True)
class Record:
    """One measured number of one chapter."""

    chapter: str
    name: str
    value: float
    unit: str
    floor: float | None
    higher_is_better: bool
    baseline: float | None
    mode: str
    device: str
    seconds: float | None
    recorded_at: str

    @property
    def meets_floor(self) -> bool | None:
        """Whether the value reaches its floor; ``None`` when there is no floor."""
        if self.floor is None:
            return None
        if self.higher_is_better:
            return self.value >= self.floor
        return self.value <= self.floor

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict, ``meets_floor`` included."""
        return {**asdict(self), "meets_floor": self.meets_floor}

    def describe(self) -> str:
        """Return a one-line, human-readable summary of the record."""
        text = (
            f"{self.chapter} / {self.name}: {self.value:.4g}{' ' + self.unit if self.unit else ''}"
        )
        if self.baseline is not None:
            text += f" (baseline {self.baseline:.4g})"
        if self.floor is not None:
            sign = ">=" if self.higher_is_better else "<="
            verdict = "met" if self.meets_floor else "MISSED"
            text += f" [floor {sign} {self.floor:.4g}: {verdict}]"
        return text


def _check_path(name: str, value: Any) -> Path | None:
    """``value`` as a :class:`~pathlib.Path`, ``None`` kept."""
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"{name}: expected a path, got {value!r}")
    return Path(value)


def _check_records(records: Any) -> None:
    if isinstance(records, str) or not isinstance(records, list | tuple):
        raise TypeError(f"records: expected a list of Record, got {type(records).__name__}")
    for entry in records:
        if not isinstance(entry, Record):
            raise TypeError(f"records: expected a list of Record, got an item {entry!r}")


def project_root(start: Path | None = None) -> Path | None:
    """Return the course checkout that contains ``start`` (default: the working directory).

    The root is the nearest folder holding both ``_toc.yml`` and ``companion/``; ``None``
    when there is none (e.g. a notebook opened alone in Colab).
    """
    here = (_check_path("start", start) or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).exists() for marker in MARKERS):
            return folder
    return None


def results_path() -> Path:
    """Return the results file: ``$COURSE_RESULTS``, else ``<root>/_build/results.json``.

    Outside a checkout the file is ``_build/results.json`` under the working directory.
    """
    configured = os.environ.get(RESULTS_VARIABLE)
    if configured:
        return Path(configured)
    root = project_root() or Path.cwd()
    return root / "_build" / "results.json"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` (notebooks may run in parallel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(path.suffix + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load(path: Path | None = None) -> list[Record]:
    """Return the records stored in ``path`` (default :func:`results_path`)."""
    path = _check_path("path", path) or results_path()
    if not path.exists():
        return []
    rows = json.loads(path.read_text())
    fields = Record.__dataclass_fields__
    return [Record(**{key: row[key] for key in fields}) for row in rows]


def _check_number(name: str, value: Any, *, optional: bool) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or (
        not isinstance(value, int | float) and not hasattr(value, "__float__")
    ):
        raise TypeError(f"{name}: expected a real number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name}: expected a finite number, got {number}")
    return number


def record(
    chapter: str,
    name: str,
    value: float,
    *,
    unit: str = "",
    floor: float | None = None,
    higher_is_better: bool = True,
    baseline: float | None = None,
    seconds: float | None = None,
    path: Path | None = None,
    quiet: bool = False,
    glue: str | None = None,
) -> Record:
    """Store one headline number of a chapter and print a one-line summary of it.

    Args:
        chapter: the chapter's slug, e.g. ``"01_rnn"``.
        name: what was measured, e.g. ``"test accuracy"``.
        value: the measured value (NumPy scalars are accepted).
        unit: its unit, e.g. ``"%"`` or ``"s"``; empty for a pure number.
        floor: the least (or, with ``higher_is_better=False``, the most) value the course
            promises, or ``None``.
        higher_is_better: the direction in which the value improves.
        baseline: the value a baseline reaches on the same task, or ``None``.
        seconds: how long the measurement (e.g. the training) took, or ``None``.
        path: the results file; default :func:`results_path`.
        quiet: do not print the summary.
        glue: also store the value under this name for the book's prose (see
            :func:`companion.display.glue`); ``None`` to skip.

    Returns:
        The stored :class:`Record`.

    Raises:
        TypeError, ValueError: for an empty chapter or name, or a non-finite number.
    """
    for label, text in (("chapter", chapter), ("name", name)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{label}: expected a non-empty string, got {text!r}")
    if not isinstance(unit, str):
        raise TypeError(f"unit: expected a string, got {unit!r}")
    path = _check_path("path", path)
    entry = Record(
        chapter=chapter,
        name=name,
        value=_check_number("value", value, optional=False),
        unit=unit,
        floor=_check_number("floor", floor, optional=True),
        higher_is_better=bool(higher_is_better),
        baseline=_check_number("baseline", baseline, optional=True),
        mode=runtime.mode(),
        device=runtime.device_label(),
        seconds=_check_number("seconds", seconds, optional=True),
        recorded_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    path = path or results_path()
    with _locked(path):
        kept = [
            r
            for r in load(path)
            if (r.chapter, r.name, r.mode) != (entry.chapter, entry.name, entry.mode)
        ]
        rows = [r.to_json() for r in [*kept, entry]]
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(json.dumps(rows, indent=2) + "\n")
        temporary.replace(path)
    if not quiet:
        print(
            ("Recorded: " if entry.meets_floor is not False else "BELOW FLOOR: ") + entry.describe()
        )
    if glue is not None:
        from companion.display import glue as glue_value

        glue_value(glue, entry.value)
    return entry


def missed_floors(records: list[Record], mode: str = "full") -> list[Record]:
    """Return the records of ``mode`` whose value misses its floor."""
    _check_records(records)
    check_choice("mode", mode, runtime.MODES)
    return [r for r in records if r.mode == mode and r.meets_floor is False]


def at_a_glance(records: list[Record], chapters: list[str]) -> dict[str, list[Record]]:
    """Choose, for each chapter, the records the results page shows.

    A chapter's full-mode records when it has any, else its fast-mode ones (the page marks
    them: they only prove the code runs), else an empty list (the page says the chapter
    recorded nothing). Chapters with records but not in ``chapters`` are added at the end.

    Args:
        records: the recorded results, e.g. :func:`load`'s.
        chapters: the chapters' slugs in the book's order, e.g. ``["01_rnn", ...]``.
    """
    if isinstance(chapters, str):
        raise TypeError(f"chapters: expected a list of chapter slugs, got the string {chapters!r}")
    if not isinstance(chapters, list | tuple):
        raise TypeError(f"chapters: expected a list of chapter slugs, got {chapters!r}")
    _check_records(records)
    order = list(dict.fromkeys([*chapters, *sorted({r.chapter for r in records})]))
    chosen: dict[str, list[Record]] = {}
    for chapter in order:
        own = [r for r in records if r.chapter == chapter]
        full = [r for r in own if r.mode == "full"]
        chosen[chapter] = sorted(full or own, key=lambda r: r.name)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Print the recorded results; return 1 when a full-mode record misses its floor."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--path", type=Path, default=None, help="results file")
    args = parser.parse_args(argv)
    records = load(args.path)
    if not records:
        print(f"No results recorded yet in {args.path or results_path()}")
        return 0
    for entry in sorted(records, key=lambda r: (r.mode, r.chapter, r.name)):
        print(f"[{entry.mode}] {entry.describe()}  ({entry.device})")
    missed = missed_floors(records)
    if missed:
        print(f"\n{len(missed)} full-mode result(s) miss their floor:", file=sys.stderr)
        for entry in missed:
            print(f"  {entry.describe()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The folded solutions that grade themselves with ``companion.check`` really pass.

Every notebook's exercise solutions (``:::{admonition} Solution`` with ``:class: dropdown``)
are shown, not executed, by the book. Each ```` ```python ```` block of a solution that
calls a ``check.check_*`` function is self-contained: here it runs in a fresh namespace
and every check it calls must pass. Chapters 01–05 grade each exercise that names a check
in the solution itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import numpy as np
import pytest

from companion import check

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.md"))
GRADED_CHAPTERS = ("01_", "02_", "03_", "04_", "05_")

SOLUTION = re.compile(r"^(?P<colons>:{3,})\{admonition\}\s*Solution\s*$")
CHECK_CALL = re.compile(r"\bcheck\.(check_\w+)\(")
CHECK_NAMED = re.compile(r"`[^`]*\bcheck\.(check_\w+)")
EXERCISE = re.compile(r"^\*\*Exercise (\d+)\b")


@dataclass(frozen=True)
class Solution:
    chapter: str
    exercise: str
    folded: bool
    blocks: tuple[str, ...]  # the ```python blocks inside the admonition


@dataclass(frozen=True)
class Exercise:
    chapter: str
    number: str
    statement: str
    solutions: tuple[Solution, ...]


def _python_blocks(lines: list[str]) -> tuple[str, ...]:
    blocks, current = [], None
    for line in lines:
        if current is None and line.strip() == "```python":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return tuple(blocks)


def exercises(source: Path) -> list[Exercise]:
    """The exercises of a notebook: each one's statement and its solution admonitions."""
    markdown = "\n".join(
        cell.source for cell in jupytext.read(source).cells if cell.cell_type == "markdown"
    )
    lines = markdown.splitlines()
    found: list[Exercise] = []
    number, statement, solutions = None, [], []

    def close() -> None:
        if number is not None:
            found.append(Exercise(source.stem, number, "\n".join(statement), tuple(solutions)))

    index = 0
    while index < len(lines):
        line = lines[index]
        heading = EXERCISE.match(line)
        if heading:
            close()
            number, statement, solutions = heading.group(1), [line], []
        elif (opening := SOLUTION.match(line)) and number is not None:
            end = index + 1
            while end < len(lines) and lines[end].strip() != opening.group("colons"):
                end += 1
            body = lines[index + 1 : end]
            folded = any(re.fullmatch(r":class:.*\bdropdown\b.*", b.strip()) for b in body[:3])
            solutions.append(Solution(source.stem, number, folded, _python_blocks(body)))
            index = end
        elif line.startswith("#"):  # a heading after the exercises ends the last one
            close()
            number = None
        elif number is not None:
            statement.append(line)
        index += 1
    close()
    return found


EXERCISES = [exercise for source in SOURCES for exercise in exercises(source)]
GRADED = [
    pytest.param(block, id=f"{solution.chapter}-exercise-{solution.exercise}-block-{n}")
    for exercise in EXERCISES
    for solution in exercise.solutions
    for n, block in enumerate(solution.blocks, start=1)
    if CHECK_CALL.search(block)
]


def test_the_notebooks_have_graded_solutions():
    assert EXERCISES, "no exercises found in notebooks/*.md"
    chapters = {param.id.split("-exercise-")[0] for param in GRADED}
    expected = {source.stem for source in SOURCES if source.name.startswith(GRADED_CHAPTERS)}
    assert chapters >= expected, f"no graded solution in {sorted(expected - chapters)}"


@pytest.mark.parametrize(
    "exercise",
    [e for e in EXERCISES if e.chapter.startswith(GRADED_CHAPTERS)],
    ids=lambda e: f"{e.chapter}-exercise-{e.number}",
)
def test_an_exercise_graded_by_a_check_has_a_folded_solution_that_calls_it(exercise):
    named = set(CHECK_NAMED.findall(exercise.statement))
    called = {
        name
        for solution in exercise.solutions
        for block in solution.blocks
        for name in CHECK_CALL.findall(block)
    }
    assert named <= called, (
        f"{exercise.chapter}, exercise {exercise.number}: the statement names "
        f"{sorted(named)} but its solution calls only {sorted(called)}"
    )
    graded = [s for s in exercise.solutions if any(CHECK_CALL.search(b) for b in s.blocks)]
    assert all(solution.folded for solution in graded), (
        f"{exercise.chapter}, exercise {exercise.number}: a graded solution must stay folded "
        "(:class: dropdown)"
    )


@pytest.mark.parametrize("block", GRADED)
def test_a_graded_solution_passes_its_checks(block, monkeypatch):
    called = set(CHECK_CALL.findall(block))
    ran: list[tuple[str, check.CheckResult]] = []
    for name in called:
        original = getattr(check, name)

        def recording(fn, *args, _name=name, _original=original, **kwargs):
            result = _original(fn, *args, **kwargs)
            ran.append((_name, result))
            return result

        monkeypatch.setattr(check, name, recording)
    namespace = {"__name__": "solution", "np": np, "check": check}
    exec(compile(block, "<solution>", "exec"), namespace)  # the book's own code
    assert {name for name, _ in ran} == called, (
        f"the solution names {sorted(called)} but ran only {sorted(n for n, _ in ran)}"
    )
    failed = [result.message for _, result in ran if not result.passed]
    assert not failed, "the solution fails its check: " + "; ".join(failed)

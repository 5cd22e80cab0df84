"""Find numbers typed into the prose of the notebooks.

The course's prose quotes only numbers the notebook measured or configured, glued from the
code (MyST-NB's ``glue:text`` role). This module reads the Markdown cells of a notebook,
blanks out what is not prose (glue and other roles, math, code, directive options, link
targets, comments, section numbers of headings) and reports every number left, unless it is
one of the few kinds a number in prose may be (:data:`ALLOWED_KINDS`):

- a label: ``chapter 5``, ``section 5.2``, ``exercise 3``, ``common mistake 2``,
  ``Eq. 4``, ``issue 1003``, ``axis 1``, ``worker 0`` — it says *which* thing, not how
  much of anything;
- a seed article's number, ``seed 002``, or an errata entry's, ``erratum 001.5``: the
  articles the course was created from are named by number (book/sources.md);
- a publication year after an author or a venue, ``Hochreiter and Schmidhuber, 1997``,
  ``Shi et al. 2015``, ``ICLR 2015``: part of a citation;
- digits inside a name, ``Conv2D``, ``float32``, ``L2``, ``CIFAR-10``, a tensor's rank as
  in ``2-D convolution`` or ``a rank-1 input``, and a product's major version, ``Keras 3``:
  names, not quantities (a full version, ``Keras 3.15``, is reported: glue it).

A constant of a definition or an equation (a MASE below 1, chance level 0.5) is
mathematics: write it as math, ``$1$``. Anything else that is not a quantity of the
notebook (a published figure quoted with its source, say) is allowed one phrase at a time
by a marker in the same Markdown cell, an HTML comment that Jupyter and the book both hide::

    <!-- prose-numbers: "between about 9 and 14" is the published range of cycle lengths -->

The quoted phrase must appear in the cell's prose (line breaks and spaces count alike) and
a reason must follow it; the marker allows the numbers of that phrase only. A marker whose
phrase is not found, or that gives no reason, is reported too, so that a stale allowance
cannot hide a number. Numbers written in words ("three epochs") are not found: the check
reads digits. Nor are numbers inside math, which is not read at all: a configured value
belongs in the prose, glued, not in an equation.

Run ``python scripts/prose_numbers.py [06 07 ...]`` to list the hits of all notebooks or of
those whose name starts with one of the arguments; it exits with 1 when there are any.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ALLOWED_KINDS = {
    "label": "a label says which chapter, section, exercise or equation, not how much",
    "seed": "the seed articles are named by number (book/sources.md)",
    "year": "a publication year after an author or a venue is part of a citation",
    "name": "digits inside a name (Conv2D, float32, L2) or a rank (2-D) are not quantities",
    "marker": "allowed phrase by phrase by a prose-numbers marker with its reason",
}

CONTEXT_CHARS = 40
HOW_TO_FIX = (
    "Glue each value from the cell that computes or configures it (companion.display.glue) "
    "and quote it with {glue:text}`name`; for a number that is not a quantity of the "
    'notebook, add <!-- prose-numbers: "its phrase" and the reason --> to its cell.'
)

# Directives whose body is prose (kept) and whose argument is a title (kept too); the body
# and argument of any other directive (math, code, figure paths, tables of contents) are
# not prose.
PROSE_DIRECTIVES = {
    "admonition", "attention", "caution", "danger", "dropdown", "epigraph", "error",
    "exercise", "glossary", "hint", "important", "margin", "note", "seealso", "sidebar",
    "solution", "tip", "topic", "warning",
}  # fmt: skip

MARKER = re.compile(r"<!--\s*prose-numbers:\s*(?P<body>.*?)-->", re.DOTALL)
MARKER_BODY = re.compile(r'^"(?P<phrase>[^"]+)"\s*(?P<reason>.*\S)?\s*$', re.DOTALL)

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[\w:-]+)\}(?P<argument>.*)$")
OPTION_LINE = re.compile(r"^\s*:[\w-]+:")

# Inline constructs, blanked in this order (earlier ones protect their content from later
# ones: a role's backticks are not a code span, a code span's dollar is not math).
ROLE = re.compile(r"\{[\w:.+-]+\}(`+).+?\1", re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$(\s*\([\w:-]+\))?", re.DOTALL)
AMS_MATH = re.compile(r"\\begin\{(?P<env>[\w*]+)\}.*?\\end\{(?P=env)\}", re.DOTALL)
INLINE_MATH = re.compile(r"\$(?=\S)(?:[^$\n]|\n(?!\s*\n))*?(?<=\S)\$")  # in one paragraph
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
REFERENCE_LINK = re.compile(r"(?<=\])\[[^\]]*\]")
LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
URL = re.compile(r"<?\b(?:https?://|www\.)[^\s<>]+>?")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
SUBSTITUTION = re.compile(r"\{\{.*?\}\}")
TARGET_LINE = re.compile(r"^\s*\([\w:.-]+\)=\s*$", re.MULTILINE)
COMMENT_LINE = re.compile(r"^\s*%.*$", re.MULTILINE)
LIST_MARKER = re.compile(r"^\s*(?:[-*+]\s+)?(?:\*\*)?[0-9]+[.)](?=\s)", re.MULTILINE)
HEADING_NUMBER = re.compile(r"^(?P<hashes>\s{0,3}#{1,6}\s+)(?P<number>\d+(?:\.\d+)*\.?)(?=\s)")

NUMBER = re.compile(r"[0-9](?:[0-9]|[.,:][0-9])*(?:\s?%)?")

LABEL_WORDS = (
    r"chapters?|sections?|exercises?|parts?|mistakes?|questions?|equations?|eqs?\.|"
    r"figures?|figs?\.|tables?|errat(?:um|a)|entry|entries|issues?|pull requests?|ax[ie]s|worker"
)
LIST_OF_NUMBERS = r"(?:[0-9][0-9.]*\s*(?:,|and|or|to|–|-|&|/)\s*)*"
AFTER_LABEL = re.compile(rf"\b(?:{LABEL_WORDS})\s+{LIST_OF_NUMBERS}$", re.IGNORECASE)
AFTER_SEED = re.compile(
    rf"\b(?:seeds?(?:\s+articles?)?|errat(?:um|a)|entry)\s+{LIST_OF_NUMBERS}$", re.IGNORECASE
)
SEED_NUMBER = re.compile(r"^00[0-9](?:\.[0-9]+)?$")
YEAR = re.compile(r"^(?:1[5-9]|20)[0-9]{2}$")
NOT_AUTHORS = (
    "In|On|At|By|For|From|Since|Until|To|The|A|An|And|Or|Of|As|After|Before|Between|"
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
AFTER_AUTHOR = re.compile(
    rf"(?:\bet al\.|\b(?!(?:{NOT_AUTHORS})\b)[A-Z][\w'’-]*)(?:,|\s)\s*\(?"
    rf"(?:(?:1[5-9]|20)[0-9]{{2}}[a-z]?\s*(?:,|;|and)\s*)*$"
)
RANK = re.compile(r"^-?[dD]\b")
NAME_WITH_NUMBER = re.compile(r"(?:\b[A-Z][\w]*-|\brank-|#)$")
VERSIONED = re.compile(r"\b(?:Keras|TensorFlow|Python|Jupyter Book)\s$")


@dataclass(frozen=True)
class Number:
    """A number found in a Markdown cell: its text, where it is, and its surroundings."""

    text: str
    start: int
    end: int
    line: int  # 1-based, counted in the cell
    context: str


@dataclass(frozen=True)
class Hit:
    """A typed number of a notebook's prose, or a marker that allows nothing."""

    path: str
    line: int
    number: str
    context: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.number!r} in “{self.context}”"


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with ``text[start:end]`` replaced by spaces, newlines kept."""
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def _blank_all(text: str, pattern: re.Pattern[str], group: int | str = 0) -> str:
    for match in reversed(list(pattern.finditer(text))):
        text = _blank(text, match.start(group), match.end(group))
    return text


@dataclass
class _Fence:
    char: str
    length: int
    prose: bool
    options: bool  # still reading the directive's options


def _blank_blocks(text: str) -> str:
    """Blank code blocks, math and other non-prose directives, and directive options."""
    lines = text.split("\n")
    stack: list[_Fence] = []
    for index, line in enumerate(lines):
        blank = re.sub(r"[^\n]", " ", line)
        match = FENCE.match(line)
        top = stack[-1] if stack else None
        if match and top and match["fence"][0] == top.char and len(match["fence"]) >= top.length:
            if not match["info"].strip():
                stack.pop()
                lines[index] = blank
                continue
        if top and not top.prose:
            lines[index] = blank
            continue
        if top and top.options:
            if OPTION_LINE.match(line):
                lines[index] = blank
                continue
            top.options = False
        if match:
            directive = DIRECTIVE_INFO.match(match["info"].strip())
            prose = bool(directive) and directive["name"] in PROSE_DIRECTIVES
            stack.append(_Fence(match["fence"][0], len(match["fence"]), prose, prose))
            if prose:
                argument_start = len(line) - len(directive["argument"])
                lines[index] = blank[:argument_start] + line[argument_start:]
            else:
                lines[index] = blank
    return "\n".join(lines)


def prose_of(markdown: str) -> str:
    """The prose of a Markdown cell: ``markdown`` with everything else blanked.

    Blanked characters become spaces (newlines stay), so positions and line numbers in the
    result are those of ``markdown``.

    Raises:
        TypeError: if ``markdown`` is not a string.
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown: expected a string, got {type(markdown).__name__}")
    text = _blank_all(markdown, HTML_COMMENT)
    text = _blank_blocks(text)
    for pattern in (
        ROLE, CODE_SPAN, DISPLAY_MATH, AMS_MATH, INLINE_MATH, SUBSTITUTION, LINK_DEFINITION,
        LINK_TARGET, REFERENCE_LINK, URL, HTML_TAG, FOOTNOTE, TARGET_LINE, COMMENT_LINE,
        LIST_MARKER,
    ):  # fmt: skip
        text = _blank_all(text, pattern)
    return _blank_all(text, HEADING_NUMBER, "number")


def kind_of(prose: str, start: int, end: int) -> str | None:
    """Which allowed kind the number ``prose[start:end]`` is (a key of ALLOWED_KINDS), or None.

    Raises:
        ValueError: if ``start:end`` is not a span of digits of ``prose``.
    """
    if not (0 <= start < end <= len(prose)) or not prose[start].isdigit():
        raise ValueError(f"start, end: expected the span of a number in prose, got {start}:{end}")
    number, before, after = prose[start:end], prose[:start], prose[end:]
    if re.search(r"[0-9]\s*[x×]$", before) or re.match(r"\s*[x×]\s*[0-9]", after):
        return None  # a size, 8×8: a quantity even where it is part of a data set's name
    if before[-1:].isalpha() or before[-1:] == "_" or NAME_WITH_NUMBER.search(before):
        return "name"
    if VERSIONED.search(before) and re.fullmatch(r"[0-9]", number):
        return "name"
    if RANK.match(after) and number in {"1", "2", "3", "4"}:
        return "name"
    if AFTER_SEED.search(before) and SEED_NUMBER.match(number):
        return "seed"
    if AFTER_LABEL.search(before) and not number.endswith("%"):
        return "label"
    if YEAR.match(number) and AFTER_AUTHOR.search(before):
        return "year"
    return None


def numbers_in(markdown: str) -> list[Number]:
    """Every number of ``markdown``'s prose that no allowed kind or marker covers.

    A marker whose phrase is not in the prose is returned too, as a Number whose text is
    the marker, so that it is fixed or removed.

    Raises:
        TypeError: if ``markdown`` is not a string.
    """
    prose = prose_of(markdown)
    allowed_spans, found = [], []
    for marker in MARKER.finditer(markdown):
        body = MARKER_BODY.match(marker["body"].strip())
        phrase = body["phrase"] if body else None
        pattern = r"\s+".join(map(re.escape, phrase.split())) if phrase else None
        spans = [m.span() for m in re.finditer(pattern, prose)] if pattern else []
        if body and body["reason"] and spans:
            allowed_spans += spans
        else:
            problem = "no reason given" if body and spans else "its phrase is not in the prose"
            found.append(_number(markdown, marker.start(), marker.end(), f"marker: {problem}"))
    for match in NUMBER.finditer(prose):
        start, end = match.span()
        if kind_of(prose, start, end) or any(a <= start and end <= b for a, b in allowed_spans):
            continue
        found.append(_number(markdown, start, end, match.group().strip()))
    return sorted(found, key=lambda number: number.start)


def _number(markdown: str, start: int, end: int, text: str) -> Number:
    line_start = markdown.rfind("\n", 0, start) + 1
    line_end = markdown.find("\n", end)
    line_end = len(markdown) if line_end < 0 else line_end
    left = max(line_start, start - CONTEXT_CHARS)
    right = min(line_end, end + CONTEXT_CHARS)
    context = " ".join(markdown[left:right].split())
    context = ("…" if left > line_start else "") + context + ("…" if right < line_end else "")
    return Number(text, start, end, markdown.count("\n", 0, start) + 1, context)


def markdown_cells(path: Path) -> list[tuple[int, str]]:
    """The Markdown cells of the notebook ``path`` (read with jupytext), each with the line
    of the file where it starts.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: expected a notebook file, got {str(path)!r}")
    text = path.read_text(encoding="utf-8")
    cells, cursor = [], 0
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        position = text.find(cell.source, cursor)
        if position < 0:  # not verbatim in the file: fall back to its first line
            position = text.find(cell.source.lstrip().split("\n", 1)[0], cursor)
        position = max(position, cursor)
        cells.append((text.count("\n", 0, position) + 1, cell.source))
        cursor = position
    return cells


def hits(path: Path, relative_to: Path = ROOT) -> list[Hit]:
    """The typed numbers of the notebook ``path``'s prose, with the file's line numbers.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    path = Path(path)
    name = str(path.relative_to(relative_to)) if path.is_relative_to(relative_to) else str(path)
    return [
        Hit(name, first_line + number.line - 1, number.text, number.context)
        for first_line, source in markdown_cells(path)
        for number in numbers_in(source)
    ]


def report(found: Iterable[Hit]) -> str:
    """One line per hit, and how to fix them; empty when there are none."""
    lines = [str(hit) for hit in found]
    if not lines:
        return ""
    return "\n".join([f"{len(lines)} number(s) typed into the prose:", *lines, HOW_TO_FIX])


def main(arguments: list[str]) -> int:
    """List the typed numbers of every notebook, or of those starting with ``arguments``."""
    sources = sorted((ROOT / "notebooks").glob("*.md"))
    if arguments:
        sources = [path for path in sources if path.name.startswith(tuple(arguments))]
        if not sources:
            raise SystemExit(f"no notebook starts with any of {arguments}")
    found = [hit for path in sources for hit in hits(path)]
    print(report(found) or "no typed numbers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

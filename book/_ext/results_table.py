"""Sphinx extension: the ``results-table`` directive of the results-at-a-glance page.

The table is made when the pages are written, after every chapter has run (and recorded
its numbers with :func:`companion.results.record`), from the results file
(``_build/results.json`` or ``$COURSE_RESULTS``): one row per headline number, chapter by
chapter in the book's order, with its floor and whether it is met, the baseline, the mode,
the device and the time. A chapter with no record gets a row that says so.
"""

from __future__ import annotations

import html
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive

from companion import results


class results_table(nodes.General, nodes.Element):
    """Placeholder replaced by the table when the page is written."""


class ResultsTable(Directive):
    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        env.note_dependency(str(results.results_path()))
        return [results_table()]


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    return f"{value:.4g}" + (f" {unit}" if unit else "")


def _floor(record: results.Record) -> str:
    if record.floor is None:
        return ""
    sign = "≥" if record.higher_is_better else "≤"
    verdict = "met" if record.meets_floor else "<strong>MISSED</strong>"
    return f"{sign} {_number(record.floor, record.unit)}: {verdict}"


def render(chosen: dict[str, list[results.Record]], link: Any, title: Any = str) -> str:
    """The HTML table of :func:`companion.results.at_a_glance`'s choice.

    ``link(chapter)`` returns the chapter page's URI, or None when there is no page;
    ``title(chapter)`` the name to show for it.
    """
    head = ["chapter", "result", "value", "floor", "baseline", "mode", "device", "time"]
    rows = []
    for chapter, records in chosen.items():
        uri = link(chapter)
        name = html.escape(title(chapter))
        shown = f'<a href="{html.escape(uri)}">{name}</a>' if uri else name
        if not records:
            rows.append(
                f'<tr><td>{shown}</td><td colspan="7"><em>no result recorded yet</em></td></tr>'
            )
            continue
        for index, record in enumerate(records):
            mode = "full" if record.mode == "full" else "<em>fast: proves the code runs</em>"
            cells = [
                html.escape(record.name),
                _number(record.value, record.unit),
                _floor(record),
                _number(record.baseline, record.unit),
                mode,
                html.escape(record.device),
                f"{record.seconds:.0f} s" if record.seconds is not None else "",
            ]
            first = f'<td rowspan="{len(records)}">{shown}</td>' if index == 0 else ""
            rows.append("<tr>" + first + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{cell}</th>" for cell in head)
    return (
        '<table class="table results-at-a-glance">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _fill(app, doctree, docname: str) -> None:
    placeholders = list(doctree.findall(results_table))
    if not placeholders:
        return
    chapters = sorted(doc for doc in app.env.found_docs if doc.startswith("notebooks/"))
    slugs = [doc.removeprefix("notebooks/") for doc in chapters]

    def link(chapter: str) -> str | None:
        doc = f"notebooks/{chapter}"
        if doc not in app.env.found_docs:
            return None
        return app.builder.get_relative_uri(docname, doc)

    def title(chapter: str) -> str:
        found = app.env.titles.get(f"notebooks/{chapter}")
        return found.astext() if found is not None else chapter

    table = render(results.at_a_glance(results.load(), slugs), link, title)
    for placeholder in placeholders:
        placeholder.replace_self(nodes.raw("", table, format="html"))


def setup(app) -> dict[str, Any]:
    app.add_node(results_table)
    app.add_directive("results-table", ResultsTable)
    app.connect("doctree-resolved", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

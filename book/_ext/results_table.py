"""Sphinx extension: the ``results-table`` directive of the results-at-a-glance page.

The table is made when the pages are written, after every chapter has run (and recorded
its numbers with :func:`companion.results.record`), from the results file
(``_build/results.json`` or ``$COURSE_RESULTS``): one row per headline number, chapter by
chapter in the book's order, with the chapter's wall time (how long its execution took,
as MyST-NB recorded it), its floor and whether it is met, the baseline, the mode, the
device and the time of the measurement itself. A chapter with no record gets a row that
says so. Below it, a dot plot shows how far each number with a floor lies from it.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Callable
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
        env.note_dependency(__file__)  # the page is re-made when this table's code changes
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


FAST_MARK = '<em title="tiny budgets: the number proves the code runs">fast</em>'


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "not recorded"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def render(
    chosen: dict[str, list[results.Record]],
    link: Callable[[str], str | None],
    title: Callable[[str], str] = str,
    wall_time: Callable[[str], float | None] = lambda chapter: None,
) -> str:
    """The HTML table of :func:`companion.results.at_a_glance`'s choice.

    ``link(chapter)`` returns the chapter page's URI, or None when there is no page;
    ``title(chapter)`` the name to show for it; ``wall_time(chapter)`` the seconds its
    execution took, or None when that was not recorded.
    """
    head = [
        *("chapter", "wall time", "result", "value", "floor", "baseline", "mode", "device"),
        "measured in",
    ]
    rows = []
    for chapter, records in chosen.items():
        uri = link(chapter)
        name = html.escape(title(chapter))
        shown = f'<a href="{html.escape(uri)}">{name}</a>' if uri else name
        ran = _clock(wall_time(chapter))
        if not records:
            rows.append(
                f"<tr><td>{shown}</td><td>{ran}</td>"
                f'<td colspan="7"><em>no result recorded yet</em></td></tr>'
            )
            continue
        for index, record in enumerate(records):
            mode = "full" if record.mode == "full" else FAST_MARK
            cells = [
                html.escape(record.name),
                _number(record.value, record.unit),
                _floor(record),
                _number(record.baseline, record.unit),
                mode,
                html.escape(record.device),
                f"{record.seconds:.0f} s" if record.seconds is not None else "",
            ]
            first = (
                f'<td rowspan="{len(records)}">{shown}</td><td rowspan="{len(records)}">{ran}</td>'
                if index == 0
                else ""
            )
            rows.append("<tr>" + first + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    header = "".join(f"<th>{cell}</th>" for cell in head)
    return (
        '<table class="table results-at-a-glance">'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


MARGIN_LIMITS = (1e-2, 1e4)


def margin(record: results.Record) -> float | None:
    """How many times better than its floor a value is: ``value / floor`` for a score,
    ``floor / value`` for an error (1 is the floor; above 1 it is met), clipped to
    :data:`MARGIN_LIMITS` so that an error of 0 stays on the plot; None without a floor."""
    if record.floor is None or record.floor == 0:
        return None
    low, high = MARGIN_LIMITS
    if record.higher_is_better:
        ratio = record.value / record.floor
    else:
        ratio = record.floor / record.value if record.value > 0 else high
    return min(max(ratio, low), high) if math.isfinite(ratio) else high


def margin_plot(chosen: dict[str, list[results.Record]]) -> str:
    """An SVG dot plot of :func:`margin` for every chosen record with a floor, one row per
    record labelled with its chapter's number, grouped by chapter; empty when no record
    has a floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dots = [
        (chapter.split("_")[0], record, times_better)
        for chapter, records in chosen.items()
        for record in records
        if (times_better := margin(record)) is not None
    ]
    if not dots:
        return ""
    figure, axes = plt.subplots(figsize=(9, 0.3 * len(dots) + 1.2))
    for row, (_, record, times_better) in enumerate(reversed(dots)):
        colour = "tab:green" if record.meets_floor else "tab:red"
        axes.scatter(
            times_better,
            row,
            s=36,
            edgecolors=colour,
            facecolors=colour if record.mode == "full" else "none",
            zorder=3,
        )
    axes.set_yticks(range(len(dots)))
    axes.set_yticklabels(
        [f"{chapter} · {_shortened(record.name)}" for chapter, record, _ in reversed(dots)],
        fontsize=7,
    )
    axes.axvline(1, color="0.3", linewidth=1)
    axes.set_xscale("log")
    axes.set_xlim(*MARGIN_LIMITS)
    axes.set_xlabel("times better than the floor (right of the line: met; hollow: fast mode)")
    axes.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):  # labels as text: readable, searchable
        figure.savefig(buffer, format="svg")
    plt.close(figure)
    svg = buffer.getvalue()
    fitted = '<svg style="max-width: 100%; height: auto" '  # shrinks to the page's width
    svg = svg[svg.index("<svg") :].replace("<svg ", fitted, 1)
    return f'<figure class="results-margins">{svg}</figure>'


def _shortened(name: str, most: int = 70) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"


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

    def wall_time(chapter: str) -> float | None:
        from myst_nb.sphinx_ import NbMetadataCollector

        data = NbMetadataCollector.get_exec_data(app.env, f"notebooks/{chapter}")
        return data.get("runtime") if data else None

    chosen = results.at_a_glance(results.load(), slugs)
    shown = render(chosen, link, title, wall_time) + margin_plot(chosen)
    for placeholder in placeholders:
        placeholder.replace_self(nodes.raw("", shown, format="html"))


def setup(app) -> dict[str, Any]:
    app.add_node(results_table)
    app.add_directive("results-table", ResultsTable)
    app.connect("doctree-resolved", _fill)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Execute the chapters with progress and a watchdog, then build the book from the cache.

``make book`` (full mode), ``make book-fast`` (fast mode, strict) and ``make chapter N=05``
call this script. It does what ``jupyter-book build`` would do on its own, but tells the
reader what is happening and fails cheaply:

* the chapters run one at a time in the order of ``_toc.yml``; each line names the
  chapter, how many remain and the elapsed time, and every update of a training
  progress bar (:class:`companion.training.ProgressBar`) is printed as a line, so a long
  cell shows its epochs as they finish;
* an executed chapter is stored in the same jupyter-cache that ``jupyter-book build``
  reads (keyed on the code cells, as myst-nb keys it), so the book build only renders,
  and a rerun after a failure executes only the chapters that are not cached yet;
* full mode has no per-cell time limit, since a slow but healthy machine must not fail;
  a hang is caught by a watchdog instead: a cell that sends no output (no print, no
  progress update) for ``--stall-minutes`` is interrupted and reported. Fast mode adds a
  tight per-cell limit, so ``make test`` catches a hang in minutes;
* a failure names the chapter, the cell and its line in the ``.md`` source, and the
  command that runs that chapter alone;
* at the end, a table gives each chapter's execution time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_core.utils import ensure_async
from myst_nb.core.read import myst_nb_reader_plugin
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parents[1]
# The text at the start of a ProgressBar line, as tqdm formats it ("name:  43%|####").
PROGRESS_MARK = "%|"


@dataclass
class ChapterRun:
    """What happened to one chapter: ``status`` is "executed", "cached" or "failed"."""

    name: str
    status: str
    seconds: float | None
    message: str = ""


class WatchedClient(NotebookClient):
    """A notebook client that reports progress and interrupts a cell that stalls.

    Every message from the kernel counts as a sign of life. A cell that sends none for
    ``stall_seconds`` is interrupted (then, if it does not stop within ``grace_seconds``,
    its kernel is shut down), and ``stalled_cell`` records its index.
    """

    def __init__(
        self,
        nb: Any,
        *,
        stall_seconds: float,
        report: Callable[[str], None],
        grace_seconds: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(nb, **kwargs)
        self.stall_seconds = stall_seconds
        self.grace_seconds = grace_seconds
        self.report = report
        self.stalled_cell: int | None = None
        self._last_sign_of_life = time.monotonic()

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        self._last_sign_of_life = time.monotonic()
        if msg["msg_type"] in ("display_data", "update_display_data"):
            text = msg["content"].get("data", {}).get("text/plain", "")
            if PROGRESS_MARK in text:
                self.report(text.strip())
        return super().process_message(msg, cell, cell_index)

    async def async_execute_cell(
        self, cell: Any, cell_index: int, execution_count: int | None = None, **kwargs: Any
    ) -> Any:
        self._last_sign_of_life = time.monotonic()
        watchdog = asyncio.ensure_future(self._watch(cell_index))
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, **kwargs)
        finally:
            watchdog.cancel()

    async def _watch(self, cell_index: int) -> None:
        check_every = min(5.0, self.stall_seconds / 4)
        while time.monotonic() - self._last_sign_of_life < self.stall_seconds:
            await asyncio.sleep(check_every)
        self.stalled_cell = cell_index
        await ensure_async(self.km.interrupt_kernel())
        await asyncio.sleep(self.grace_seconds)
        await ensure_async(self.km.shutdown_kernel(now=True))


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Return the ``notebooks/*.md`` chapters in the order of ``_toc.yml``."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(entries: Sequence[dict[str, Any]]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    walk(toc.get("parts", []))
    return [root / f"{name}.md" for name in files if name.startswith("notebooks/")]


def select(notebooks: list[Path], only: str | None) -> list[Path]:
    """Keep the notebooks whose name starts with ``only`` (e.g. ``"05"``); all when None."""
    if not only:
        return notebooks
    chosen = [path for path in notebooks if path.stem.startswith(only)]
    if not chosen:
        names = ", ".join(path.stem for path in notebooks)
        raise SystemExit(f"N={only}: expected the start of a chapter's name, one of: {names}")
    return chosen


def cell_line(notebook: Any, cell_index: int) -> int | None:
    """The line of the ``.md`` source where cell ``cell_index`` starts (1-based), if known."""
    source_map = notebook.metadata.get("source_map")
    if source_map and cell_index < len(source_map):
        return int(source_map[cell_index]) + 1
    return None


def clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}:{seconds:02d}"


def execute_chapter(
    path: Path,
    cache: Any,
    *,
    stall_seconds: float,
    cell_timeout: float | None,
    force: bool,
    position: str,
    grace_seconds: float = 30.0,
) -> ChapterRun:
    """Execute one chapter into ``cache`` unless it is cached; report progress as lines."""
    notebook = myst_nb_reader_plugin(str(path))
    if not force:
        try:
            record = cache.match_cache_notebook(notebook)
        except KeyError:
            pass
        else:
            seconds = record.data.get("execution_seconds")
            print(f"{position} {path.stem}: cached, not executed", flush=True)
            return ChapterRun(path.stem, "cached", seconds)

    start = time.monotonic()
    code_cells = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    current = {"cell": 0}

    def report(text: str) -> None:
        elapsed = clock(time.monotonic() - start)
        print(f"{position} {path.stem} [{elapsed}] cell {current['cell']}: {text}", flush=True)

    def on_cell_start(cell: Any, cell_index: int) -> None:
        if cell.cell_type == "code":
            current["cell"] = cell_index
            done = code_cells.index(cell_index)
            if done and done % 10 == 0:
                report(f"{done}/{len(code_cells)} code cells done")

    print(f"{position} {path.stem}: executing {len(code_cells)} code cells", flush=True)
    client = WatchedClient(
        notebook,
        stall_seconds=stall_seconds,
        grace_seconds=grace_seconds,
        report=report,
        timeout=cell_timeout if cell_timeout else -1,
        kernel_name=notebook.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": str(path.parent)}},
        allow_errors=False,
        # Timing metadata in the cells would change the cache key that myst-nb looks up.
        record_timing=False,
        on_cell_start=on_cell_start,
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        seconds = time.monotonic() - start
        cell = client.stalled_cell if client.stalled_cell is not None else current["cell"]
        line = cell_line(notebook, cell)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        where = f"cell {cell}" + (f" (line {line} of {shown})" if line else "")
        if client.stalled_cell is not None:
            why = f"no output for {stall_seconds / 60:.1f} min: the cell looks stuck"
        elif isinstance(error, CellTimeoutError):
            why = f"ran past the {cell_timeout:.0f} s limit of a cell in this mode"
        elif isinstance(error, DeadKernelError):
            why = "the kernel died (out of memory?)"
        else:
            why = _last_error_line(error)
        return ChapterRun(path.stem, "failed", seconds, f"{where}: {why}")
    seconds = time.monotonic() - start
    uri = str(path.resolve())
    cache.cache_notebook_bundle(
        CacheBundleIn(notebook, uri, data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )
    print(f"{position} {path.stem}: done in {clock(seconds)}", flush=True)
    return ChapterRun(path.stem, "executed", seconds)


def _last_error_line(error: Exception) -> str:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    return f"{ename}: {evalue}".strip().splitlines()[0]


def execute_chapters(
    notebooks: list[Path],
    cache_path: Path,
    *,
    stall_seconds: float,
    cell_timeout: float | None,
    force: bool = False,
    grace_seconds: float = 30.0,
) -> list[ChapterRun]:
    """Execute ``notebooks`` in order into the jupyter-cache at ``cache_path``.

    Every chapter is attempted, even after a failure, so one run reports them all.
    """
    cache = get_cache(str(cache_path))
    runs = []
    for number, path in enumerate(notebooks, start=1):
        remaining = len(notebooks) - number
        position = f"[{number}/{len(notebooks)}, {remaining} after this]"
        run = execute_chapter(
            path,
            cache,
            stall_seconds=stall_seconds,
            cell_timeout=cell_timeout,
            force=force,
            position=position,
            grace_seconds=grace_seconds,
        )
        if run.status == "failed":
            print(f"{position} {path.stem}: FAILED in {run.message}", flush=True)
        runs.append(run)
    return runs


def times_table(runs: list[ChapterRun], budget_seconds: float | None = None) -> str:
    """A plain-text table of each chapter's status and execution time.

    A chapter that took longer than ``budget_seconds`` is marked, so that a maintainer sees
    which chapter outgrew its budget (60 s in fast mode, 6 min in full mode).
    """
    width = max(len("chapter"), *(len(run.name) for run in runs))
    lines = [f"{'chapter':<{width}}  {'status':<8}  {'time':>6}", "-" * (width + 18)]
    for run in runs:
        seconds = clock(run.seconds) if run.seconds is not None else "?"
        notes = ["time of the cached run"] if run.status == "cached" else []
        if budget_seconds is not None and run.seconds is not None:
            if run.seconds > budget_seconds:
                notes.append(f"over the {clock(budget_seconds)} budget")
        note = f"  ({'; '.join(notes)})" if notes else ""
        lines.append(f"{run.name:<{width}}  {run.status:<8}  {seconds:>6}{note}")
    executed = [run.seconds for run in runs if run.status != "cached" and run.seconds]
    lines.append(f"{'executed now':<{width}}  {'':<8}  {clock(sum(executed)):>6}")
    return "\n".join(lines)


def build_html(output: Path | None, strict: bool) -> int:
    """Run ``jupyter-book build``; in strict mode, a notebook it executes itself is an error.

    After :func:`execute_chapters` every chapter is in the cache, so the book build must
    only render; if it executes one, the cache keys differ and the time was spent twice.
    """
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT)]
    if output is not None:
        command += ["--path-output", str(output)]
    if strict:
        command += ["-W", "--keep-going"]
    executed_again = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            if "Executing notebook" in line:
                executed_again.append(line.strip())
    if executed_again:
        print(
            f"the book build executed {len(executed_again)} notebook(s) again: the cache "
            "key of scripts/build_book.py differs from myst-nb's",
            flush=True,
        )
        if strict:
            return 1
    return process.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="jupyter-book --path-output (default: the repository, so _build/)",
    )
    parser.add_argument("--only", default=None, help="execute only chapters starting with this")
    parser.add_argument("--force", action="store_true", help="execute even when cached")
    parser.add_argument("--strict", action="store_true", help="book warnings are errors")
    parser.add_argument("--no-html", action="store_true", help="execute only, build no HTML")
    parser.add_argument(
        "--stall-minutes",
        type=float,
        default=None,
        help="interrupt a cell silent this long (default: 20 full, 2 fast)",
    )
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="seconds a cell may run (default: none in full mode, 240 fast)",
    )
    args = parser.parse_args(argv)

    fast = os.environ.get("COURSE_MODE", "full").strip().lower() == "fast"
    stall_minutes = args.stall_minutes or (2.0 if fast else 20.0)
    cell_timeout = args.cell_timeout or (240.0 if fast else None)
    build_dir = (args.output if args.output is not None else ROOT) / "_build"
    notebooks = select(toc_notebooks(), args.only)

    started = time.monotonic()
    runs = execute_chapters(
        notebooks,
        build_dir / ".jupyter_cache",
        stall_seconds=stall_minutes * 60,
        cell_timeout=cell_timeout,
        force=args.force,
    )
    failed = [run for run in runs if run.status == "failed"]
    status = 0
    if not failed and not args.no_html:
        status = build_html(args.output, args.strict)
    print(f"\nChapter execution times ({'fast' if fast else 'full'} mode):")
    print(times_table(runs, budget_seconds=60.0 if fast else 360.0))
    print(f"total, book build included: {clock(time.monotonic() - started)}")
    for run in failed:
        number = run.name.split("_")[0]
        print(
            f"\nFAILED: {run.name}, {run.message}\n"
            f"  The other chapters are cached; run this one alone with "
            f"`make chapter N={number}`, then `make book` again."
        )
    return 1 if failed else status


if __name__ == "__main__":
    sys.exit(main())

"""The book's execution driver (scripts/build_book.py): cache, failures, watchdog, progress."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest
import yaml
from jupyter_cache import get_cache
from myst_nb.core.config import NbParserConfig
from myst_nb.core.read import create_nb_reader
from myst_parser.config.main import MdParserConfig

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build_book", ROOT / "scripts" / "build_book.py")
build_book = importlib.util.module_from_spec(_spec)
sys.modules["build_book"] = build_book
_spec.loader.exec_module(build_book)

FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# A tiny chapter
"""


def chapter(folder: Path, name: str, *cells: str) -> Path:
    """Write a MyST notebook with the given code cells."""
    body = "".join(f"\n```{{code-cell}} ipython3\n{source}\n```\n" for source in cells)
    path = folder / f"{name}.md"
    path.write_text(FRONT_MATTER + body)
    return path


def run(paths, cache, **kwargs):
    kwargs = {"stall_seconds": 60.0, "cell_timeout": None, "grace_seconds": 3.0, **kwargs}
    return {run.name: run for run in build_book.execute_chapters(paths, cache, **kwargs)}


def test_toc_order_covers_every_notebook():
    listed = build_book.toc_notebooks()
    assert sorted(listed) == sorted((ROOT / "notebooks").glob("*.md"))
    assert [path.stem for path in listed] == sorted(path.stem for path in listed)


@pytest.mark.parametrize("source", build_book.toc_notebooks(), ids=lambda path: path.stem)
def test_cache_key_is_the_one_myst_nb_uses(source, tmp_path):
    """The driver's cached chapters must be found by ``jupyter-book build``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    md_config = MdParserConfig(enable_extensions=set(config["parse"]["myst_enable_extensions"]))
    text = source.read_text()
    as_myst_nb_reads_it = create_nb_reader(str(source), md_config, NbParserConfig(), text).read(
        text
    )
    cache = get_cache(str(tmp_path / "cache"))
    _, ours = cache.create_hashed_notebook(build_book.myst_nb_reader_plugin(str(source)))
    _, theirs = cache.create_hashed_notebook(as_myst_nb_reads_it)
    assert ours == theirs


def test_a_failure_names_the_cell_and_a_rerun_executes_only_what_failed(tmp_path):
    good = chapter(tmp_path, "01_good", "x = 1", "print(x + 1)")
    bad = chapter(tmp_path, "02_bad", "y = 2", "raise ValueError('boom')")
    cache = tmp_path / "cache"
    first = run([good, bad], cache)
    assert first["01_good"].status == "executed"
    assert first["02_bad"].status == "failed"
    line = bad.read_text().splitlines().index("raise ValueError('boom')") + 1
    assert first["02_bad"].message == f"cell 2 (line {line} of {bad}): ValueError: boom"

    second = run([good, bad], cache)
    assert second["01_good"].status == "cached"
    assert second["02_bad"].status == "failed"

    chapter(tmp_path, "02_bad", "y = 2", "print(y)")
    third = run([good, bad], cache)
    assert (third["01_good"].status, third["02_bad"].status) == ("cached", "executed")
    assert get_cache(str(cache)).match_cache_notebook(build_book.myst_nb_reader_plugin(str(bad)))


def test_the_watchdog_interrupts_a_silent_cell_but_not_a_talking_one(tmp_path):
    silent = chapter(tmp_path, "01_silent", "import time\ntime.sleep(120)")
    talking = chapter(
        tmp_path, "02_talking", "import time\nfor i in range(8):\n    print(i)\n    time.sleep(0.5)"
    )
    start = time.monotonic()
    runs = run([silent, talking], tmp_path / "cache", stall_seconds=2.0)
    assert time.monotonic() - start < 60
    assert runs["01_silent"].status == "failed"
    assert "no output for 0.0 min: the cell looks stuck" in runs["01_silent"].message
    assert runs["01_silent"].message.startswith("cell 1 ")
    assert runs["02_talking"].status == "executed"  # 4 s in all, never 2 s silent


def test_fast_mode_cell_limit(tmp_path):
    slow = chapter(
        tmp_path, "01_slow", "import time\nfor i in range(20):\n    print(i)\n    time.sleep(0.5)"
    )
    runs = run([slow], tmp_path / "cache", cell_timeout=2.0)
    assert runs["01_slow"].status == "failed"
    assert "ran past the 2 s limit" in runs["01_slow"].message


def test_progress_bar_updates_become_lines(tmp_path, capsys):
    updates = chapter(
        tmp_path,
        "01_progress",
        "from IPython.display import display\n"
        "handle = display({'text/plain': 'fit:  50%|##  | 1/2 [00:01<00:01]'}, raw=True,"
        " display_id=True)\n"
        "handle.update({'text/plain': 'fit: 100%|####| 2/2 [00:02<00:00]'}, raw=True)",
    )
    runs = run([updates], tmp_path / "cache")
    assert runs["01_progress"].status == "executed"
    printed = capsys.readouterr().out
    assert "01_progress [0:0" in printed
    assert "cell 1: fit:  50%|##  | 1/2" in printed
    assert "cell 1: fit: 100%|####| 2/2" in printed


def test_select_and_table():
    notebooks = build_book.toc_notebooks()
    assert [path.stem for path in build_book.select(notebooks, "05")] == [
        "05_crnn_ctc",
        "05_crnn_practice",
    ]
    with pytest.raises(SystemExit, match="N=99: expected the start of a chapter's name"):
        build_book.select(notebooks, "99")
    table = build_book.times_table(
        [
            build_book.ChapterRun("01_rnn", "cached", 63.0),
            build_book.ChapterRun("05_crnn_ctc", "executed", 302.4),
        ]
    )
    assert "01_rnn       cached      1:03  (time of the cached run)" in table
    assert "05_crnn_ctc  executed    5:02" in table
    assert table.splitlines()[-1].endswith("5:02")
    over = build_book.times_table(
        [
            build_book.ChapterRun("01_rnn", "cached", 63.0),
            build_book.ChapterRun("05_crnn_ctc", "executed", 302.4),
        ],
        budget_seconds=60.0,
    )
    assert "01_rnn       cached      1:03  (time of the cached run; over the 1:00 budget)" in over
    assert "05_crnn_ctc  executed    5:02  (over the 1:00 budget)" in over
    assert "budget" not in build_book.times_table(
        [build_book.ChapterRun("01_rnn", "executed", 59.0)], budget_seconds=60.0
    )

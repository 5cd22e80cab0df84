"""Keep the notebooks consistent: the Colab set-up cell, and the .md/.ipynb pairs.

For every ``notebooks/*.md`` (the source of truth) this script

1. replaces the source of the cell tagged ``colab-setup`` with
   :func:`companion.colab.setup_cell_source`, so the repository URL has one source;
2. writes the paired ``.ipynb`` from the ``.md`` with no outputs and stable cell ids.

Run it with ``make sync`` after editing a notebook (``make sync N=03`` syncs chapter 3 only).
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext

from companion.colab import SETUP_TAG, setup_cell_source

ROOT = Path(__file__).resolve().parents[1]


def sync(markdown: Path) -> bool:
    """Update ``markdown``'s set-up cell and write its ``.ipynb``; return whether it changed."""
    notebook = jupytext.read(markdown)
    setup_cells = [c for c in notebook.cells if SETUP_TAG in c.metadata.get("tags", [])]
    if len(setup_cells) != 1 or notebook.cells.index(setup_cells[0]) != _first_code_index(notebook):
        raise SystemExit(
            f"{markdown}: expected exactly one '{SETUP_TAG}' cell, the first code cell"
        )
    setup_cells[0].source = setup_cell_source()
    before = markdown.read_text()
    jupytext.write(notebook, markdown, fmt="md:myst")
    paired = markdown.with_suffix(".ipynb")
    old_pair = paired.read_text() if paired.exists() else None
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index:03d}"  # stable ids keep the .ipynb diff to what changed
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    jupytext.write(notebook, paired, fmt="ipynb")
    return before != markdown.read_text() or old_pair != paired.read_text()


def _first_code_index(notebook) -> int:
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code")


def main(names: list[str]) -> int:
    """Sync every notebook, or only those whose file name starts with one of ``names``."""
    sources = sorted((ROOT / "notebooks").glob("*.md"))
    if names:
        sources = [md for md in sources if md.name.startswith(tuple(names))]
        if not sources:
            raise SystemExit(f"no notebook starts with any of {names}")
    changed = [md.name for md in sources if sync(md)]
    print("updated: " + ", ".join(changed) if changed else "all notebooks in sync")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

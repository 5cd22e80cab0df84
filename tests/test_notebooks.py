"""The notebooks as files: .md/.ipynb pairs, the Colab set-up cell, the table of contents."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

from companion import colab

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks").glob("*.md"))
IDS = [path.stem for path in SOURCES]


def code_and_markdown(notebook) -> list[tuple[str, str, list[str]]]:
    return [
        (cell.cell_type, cell.source.strip(), sorted(cell.metadata.get("tags", [])))
        for cell in notebook.cells
    ]


def test_there_are_notebooks():
    assert SOURCES, "no notebooks/*.md found"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_ipynb_is_the_paired_copy_without_outputs(source):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"{paired.name} is missing: run `make sync`"
    raw = json.loads(paired.read_text())
    with_outputs = [
        i
        for i, cell in enumerate(raw["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not with_outputs, f"{paired.name}: cells {with_outputs} have outputs; commit it without"
    assert code_and_markdown(jupytext.read(source)) == code_and_markdown(jupytext.read(paired)), (
        f"{source.name} and {paired.name} differ: edit the .md, then run `make sync`"
    )


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_first_code_cell_is_the_colab_setup(source):
    notebook = jupytext.read(source)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert colab.SETUP_TAG in first.metadata.get("tags", [])
    assert first.source.strip() == colab.setup_cell_source().strip(), (
        f"{source.name}: the set-up cell is out of date; run `make sync`"
    )


def test_setup_cell_never_installs_tensorflow():
    source = colab.setup_cell_source()
    install_lines = [line for line in source.splitlines() if "pip" in line or "source =" in line]
    assert install_lines and not any("tensorflow" in line.lower() for line in install_lines)
    assert 'find_spec("companion") is None' in source


def test_setup_cell_prints_versions_and_device_and_leaves_the_runtime_unstarted():
    # In a fresh process, as in a new kernel: the cell, then chapter 12's CPU split, which
    # fails once TensorFlow's runtime has started.
    script = colab.setup_cell_source() + "\nfrom companion import distribute\n"
    script += "print('logical:', distribute.split_cpu(2))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    import keras
    import tensorflow as tf

    assert f"TensorFlow {tf.__version__}, Keras {keras.__version__}, device: " in done.stdout
    assert "logical: [" in done.stdout


def test_repository_url_has_one_source():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["repository"]["url"] == colab.REPOSITORY_URL
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    for page in [ROOT / "README.md", *sorted((ROOT / "book").glob("*.md"))]:
        urls = set(re.findall(r"https://github\.com/[\w-]+/[\w-]+", page.read_text()))
        assert urls <= {colab.REPOSITORY_URL}, f"{page.name} names another repository: {urls}"


def test_every_notebook_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for source in SOURCES:
        assert f"notebooks/{source.stem}" in toc, f"{source.name} is not in _toc.yml"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_notebook_has_a_title_and_uses_the_course_mode(source):
    text = source.read_text()
    assert re.search(r"^# \S", text, flags=re.MULTILINE), f"{source.name} has no title"
    assert "runtime.budget(" in text, f"{source.name} does not take its budgets from runtime.budget"
    assert "COURSE_MODE" not in text.split("```{code-cell}", 2)[-1], (
        f"{source.name} reads the mode itself; ask runtime.budget instead"
    )


def test_every_companion_module_is_in_the_api_reference():
    api = (ROOT / "book" / "api.md").read_text()
    package = ROOT / "companion"
    for module in sorted(package.rglob("*.py")):
        if module.name == "__init__.py" or module.name.startswith("_"):
            continue
        name = ".".join(module.relative_to(ROOT).with_suffix("").parts)
        assert f".. automodule:: {name}\n" in api, f"{name} is missing from book/api.md"


GLUE_KEY = re.compile(r'\bglue\(\s*"([^"{}]+)"|\bglue="([^"{}]+)"')


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_no_glue_key_is_glued_twice(source):
    """MyST-NB warns on a duplicate glue key (a failure in the strict build) and the prose
    then quotes one of two values: each literal key is glued in one place only."""
    places: dict[str, int] = {}
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code":
            for match in GLUE_KEY.finditer(cell.source):
                key = match[1] or match[2]
                places[key] = places.get(key, 0) + 1
    twice = sorted(key for key, count in places.items() if count > 1)
    assert not twice, f"{source.name}: glued in more than one place: {twice}"

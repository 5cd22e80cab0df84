"""The assignments page (book/assignments.md) tells teachers what works: its Python examples
run and do what the page says, and the version it promises is the package's version."""

from __future__ import annotations

import re
from pathlib import Path

import companion
from companion import colab

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "assignments.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_python_examples_run_in_order():
    blocks = _blocks("python")
    assert len(blocks) >= 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(PAGE), "exec"), namespace)  # each block asserts its claim
    assert namespace["check"].check_rnn_forward(namespace["rnn_forward"])


def test_the_install_line_is_the_colab_requirement_pinned_to_a_tag():
    (line,) = [b.strip() for b in _blocks("bash")]
    assert line == f'pip install "{colab.install_requirement()}@v{companion.__version__}"'


def test_the_version_is_in_one_place():
    """pyproject.toml reads the version from companion.__version__, and so does pip."""
    from importlib.metadata import version

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "companion.__version__" }' in pyproject
    assert not re.search(r'^version = "', pyproject, re.M)
    assert re.fullmatch(r"\d+\.\d+\.\d+", companion.__version__)
    assert version("hybrid-dl-companion") == companion.__version__


def test_the_changelog_names_the_version_as_its_latest_release():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## (.+)$", changelog, flags=re.M)
    assert headings[0] == "Unreleased"
    dated = rf"{re.escape(companion.__version__)} \(\d{{4}}-\d{{2}}-\d{{2}}\)"
    assert re.fullmatch(dated, headings[1]), headings[1]

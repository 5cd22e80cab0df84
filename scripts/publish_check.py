"""Check that everything that names the course's repository names the same one.

The URL is defined once, ``companion.colab.REPOSITORY_URL``. This script (``make
publish-check``) reports every place that disagrees with it:

* ``_config.yml``'s ``repository.url``, which the Colab launch buttons of every page use;
* each notebook's set-up cell (``.md`` and paired ``.ipynb``), which installs the package;
* the ``[project.urls]`` of ``pyproject.toml``;
* every GitHub repository URL and install line in ``README.md`` and the book's pages.

With ``--release`` (``make publish-check RELEASE=1``) it also refuses the placeholder URL
the course is developed under, so that a release is never published pointing at it. It
exits 0 when everything agrees, 1 otherwise, and prints one line per finding.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import yaml

from companion import colab

ROOT = Path(__file__).resolve().parents[1]
GITHUB_REPOSITORY = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+?(?=\.git\b|[/\s\"'`)@]|$)")


def _pages(root: Path) -> list[Path]:
    return [root / "README.md", *sorted((root / "book").glob("*.md"))]


def _setup_source(notebook: Path) -> str:
    """The source of the first code cell of a ``.md`` (MyST) or ``.ipynb`` notebook."""
    cells = jupytext.read(notebook).cells
    return next((cell.source for cell in cells if cell.cell_type == "code"), "")


def findings(root: Path = ROOT, *, url: str = colab.REPOSITORY_URL, release: bool = False):
    """Every place under ``root`` that disagrees with ``url``, as human-readable lines."""
    found: list[str] = []
    config = yaml.safe_load((root / "_config.yml").read_text())
    configured = config.get("repository", {}).get("url")
    if configured != url:
        found.append(f"_config.yml: repository.url is {configured!r}, expected {url!r}")
    expected_cell = colab.setup_cell_source().replace(colab.REPOSITORY_URL, url).strip()
    for notebook in sorted((root / "notebooks").glob("*.md")) + sorted(
        (root / "notebooks").glob("*.ipynb")
    ):
        if _setup_source(notebook).strip() != expected_cell:
            found.append(f"{notebook.relative_to(root)}: the set-up cell differs; run make sync")
    pyproject = (root / "pyproject.toml").read_text()
    urls = re.search(r"^\[project\.urls\]\n((?:[^\[\n].*\n?)*)", pyproject, re.M)
    listed = re.findall(r'"(https?://[^"]+)"', urls.group(1)) if urls else []
    if not listed:
        found.append("pyproject.toml: no [project.urls] naming the repository")
    for listed_url in listed:
        if not listed_url.startswith(url):
            found.append(f"pyproject.toml: [project.urls] names {listed_url}, expected {url}")
    for page in _pages(root):
        for named in sorted(set(GITHUB_REPOSITORY.findall(page.read_text()))):
            if named != url:
                found.append(f"{page.relative_to(root)}: names {named}, expected {url}")
    if release and url == colab.PLACEHOLDER_URL:
        found.append(
            f"companion/colab.py: REPOSITORY_URL is still the placeholder {url}; set the "
            "published repository's URL there and in _config.yml, then run make sync"
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="also refuse the placeholder")
    args = parser.parse_args(argv)
    found = findings(release=args.release)
    for line in found:
        print(line)
    if not found:
        print(f"publish-check: every place names {colab.REPOSITORY_URL}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

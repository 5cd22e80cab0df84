"""Check that everything that names the course's repository names the same one.

The URL is defined once, ``companion.colab.REPOSITORY_URL``. This script (``make
publish-check``) reports every place that disagrees with it:

* ``_config.yml``'s ``repository.url``, which the Colab launch buttons of every page use;
* each notebook's set-up cell (``.md`` and paired ``.ipynb``), which installs the package;
* the ``[project.urls]`` of ``pyproject.toml``;
* every GitHub repository URL in ``README.md`` and the book's pages, and every install
  line there: it must install the distribution from ``git+<URL>.git``, and a release tag
  it names (``@vX.Y.Z``, or a tag quoted in the prose) must be ``companion.__version__``.

With ``--release`` (``make publish-check RELEASE=1``, and ``make release``) it also refuses
the placeholder URL the course is developed under, so that a release is never published
pointing at it, and a CHANGELOG whose latest release is not the package's version. It
exits 0 when everything agrees, 1 otherwise, and prints one line per finding.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import yaml

import companion
from companion import colab

ROOT = Path(__file__).resolve().parents[1]
GITHUB_REPOSITORY = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+?(?=\.git\b|[/\s\"'`)@]|$)")
# A pip requirement of the companion from a repository: its source and optional tag.
INSTALL_LINE = re.compile(
    re.escape(colab.DISTRIBUTION)
    + r"(?:\[[\w,]*\])? @ (?P<source>[^\s\"'@]+)(?:@(?P<tag>[^\s\"']+))?"
)
RELEASE_TAG = re.compile(r"(?<![\w.])`?v(\d+\.\d+\.\d+)\b")


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
        text = page.read_text()
        for named in sorted(set(GITHUB_REPOSITORY.findall(text))):
            if named != url:
                found.append(f"{page.relative_to(root)}: names {named}, expected {url}")
        found += _install_line_findings(page.relative_to(root), text, url)
    if release:
        found += _changelog_findings(root)
    if release and url == colab.PLACEHOLDER_URL:
        found.append(
            f"companion/colab.py: REPOSITORY_URL is still the placeholder {url}; set the "
            "published repository's URL there, in _config.yml, in pyproject.toml's "
            "[project.urls] and in the install lines of README.md and book/, then run "
            "make sync (see README.md, Publishing)"
        )
    return found


def _changelog_findings(root: Path) -> list[str]:
    """Whether CHANGELOG.md's latest release heading, ``## X.Y.Z (date)``, is the version."""
    releases = re.findall(r"^## (\d+\.\d+\.\d+)\b", (root / "CHANGELOG.md").read_text(), re.M)
    if not releases or releases[0] != companion.__version__:
        latest = releases[0] if releases else "none"
        return [
            f"CHANGELOG.md: the latest release is {latest}, expected {companion.__version__} "
            "(move the Unreleased entries under it)"
        ]
    return []


def _install_line_findings(name: Path, text: str, url: str) -> list[str]:
    """The install lines and release tags of one page that disagree with ``url`` or the
    package's version."""
    found = []
    for line in INSTALL_LINE.finditer(text):
        if line["source"] != f"git+{url}.git":
            found.append(f"{name}: installs from {line['source']}, expected git+{url}.git")
    tags = {match.group(1) for match in RELEASE_TAG.finditer(text)}
    for tag in sorted(tags - {companion.__version__}):
        found.append(f"{name}: names release v{tag}, expected v{companion.__version__}")
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

"""make publish-check (scripts/publish_check.py) finds every place that names another
repository than companion.colab.REPOSITORY_URL, and refuses the placeholder for a release."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

import companion
from companion import colab

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("publish_check", ROOT / "scripts/publish_check.py")
publish_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish_check)

OTHER = "https://github.com/someone/elsewhere"


@pytest.fixture
def checkout(tmp_path) -> Path:
    for name in ["_config.yml", "pyproject.toml", "README.md", "CHANGELOG.md"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    return tmp_path


def test_the_checkout_agrees_with_itself():
    assert publish_check.findings(ROOT) == []


def point_at(checkout: Path, url: str) -> None:
    """Name ``url`` wherever the checkout names its repository, as a publisher would."""
    for path in checkout.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".ipynb", ".yml", ".toml"}:
            path.write_text(path.read_text().replace(colab.REPOSITORY_URL, url))


def test_release_refuses_the_placeholder_but_not_a_real_url(checkout):
    point_at(checkout, colab.PLACEHOLDER_URL)
    (finding,) = publish_check.findings(checkout, url=colab.PLACEHOLDER_URL, release=True)
    assert "still the placeholder" in finding
    point_at(checkout, OTHER)
    assert publish_check.findings(checkout, url=OTHER, release=True) == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("_config.yml", "_config.yml: repository.url is"),
        ("notebooks/03_cnn.md", "notebooks/03_cnn.md: the set-up cell differs"),
        ("notebooks/03_cnn.ipynb", "notebooks/03_cnn.ipynb: the set-up cell differs"),
        ("pyproject.toml", "pyproject.toml: [project.urls] names"),
        ("book/setup.md", f"book/setup.md: names {OTHER}"),
        ("README.md", f"README.md: names {OTHER}"),
    ],
)
def test_each_place_that_names_another_repository_is_reported(checkout, path, expected):
    target = checkout / path
    target.write_text(target.read_text().replace(colab.REPOSITORY_URL, OTHER))
    found = publish_check.findings(checkout)
    assert any(line.startswith(expected) for line in found), found


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"hybrid-dl-companion[data] @ git+{OTHER}.git", f"installs from git+{OTHER}.git"),
        (f"hybrid-dl-companion @ {colab.REPOSITORY_URL}", "installs from https://"),
        (f"hybrid-dl-companion[data] @ git+{colab.REPOSITORY_URL}.git@v0.0.9", "release v0.0.9"),
        ("Pin the tag `v0.0.9` for a term.", "names release v0.0.9"),
    ],
)
def test_an_install_line_or_tag_that_disagrees_is_reported(checkout, line, expected):
    page = checkout / "book" / "assignments.md"
    page.write_text(page.read_text() + f'\n```bash\npip install "{line}"\n```\n')
    found = publish_check.findings(checkout)
    assert any(f.startswith("book/assignments.md: ") and expected in f for f in found), found


def test_release_refuses_a_changelog_without_the_version(checkout):
    point_at(checkout, OTHER)
    changelog = checkout / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace(f"## {companion.__version__} ", "## 9.9.9 "))
    (finding,) = publish_check.findings(checkout, url=OTHER, release=True)
    assert finding.startswith("CHANGELOG.md: the latest release is 9.9.9")
    assert publish_check.findings(checkout, url=OTHER) == []


def test_the_install_lines_pin_the_package_version():
    (tagged,) = publish_check.INSTALL_LINE.finditer((ROOT / "book/assignments.md").read_text())
    assert tagged["tag"] == f"v{companion.__version__}"


def test_exit_codes(capsys):
    assert publish_check.main([]) == 0
    published = colab.REPOSITORY_URL != colab.PLACEHOLDER_URL
    assert publish_check.main(["--release"]) == (0 if published else 1)
    assert ("still the placeholder" in capsys.readouterr().out) != published

"""make publish-check (scripts/publish_check.py) finds every place that names another
repository than companion.colab.REPOSITORY_URL, and refuses the placeholder for a release."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from companion import colab

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("publish_check", ROOT / "scripts/publish_check.py")
publish_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(publish_check)

OTHER = "https://github.com/someone/elsewhere"


@pytest.fixture
def checkout(tmp_path) -> Path:
    for name in ["_config.yml", "pyproject.toml", "README.md"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    return tmp_path


def test_the_checkout_agrees_with_itself():
    assert publish_check.findings(ROOT) == []


def test_release_refuses_the_placeholder_but_not_a_real_url(checkout):
    assert colab.REPOSITORY_URL == colab.PLACEHOLDER_URL  # until the course is published
    (finding,) = publish_check.findings(ROOT, release=True)
    assert "still the placeholder" in finding
    for path in checkout.rglob("*"):
        if path.is_file() and path.suffix in {".md", ".ipynb", ".yml", ".toml"}:
            path.write_text(path.read_text().replace(colab.REPOSITORY_URL, OTHER))
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


def test_exit_codes(capsys):
    assert publish_check.main([]) == 0
    assert publish_check.main(["--release"]) == 1  # the checkout still has the placeholder
    assert "still the placeholder" in capsys.readouterr().out

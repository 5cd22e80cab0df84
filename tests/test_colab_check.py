"""The oldest TensorFlow and Keras that `make colab-check` runs the chapters under are the
ones the package's bounds and the set-up page state (the check itself needs the package
index, so it runs in the hosted CI, not here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import colab_check  # noqa: E402


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_package_bounds_are_the_tested_oldest_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"keras>={minor(colab_check.OLDEST_KERAS)}" in project["dependencies"]
    extra = project["optional-dependencies"]["tensorflow"]
    assert extra == [f"tensorflow>={minor(colab_check.OLDEST_TENSORFLOW)}"]


def test_setup_page_states_the_tested_range():
    page = (ROOT / "book" / "setup.md").read_text()
    pinned = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith(("tensorflow-cpu==", "keras=="))
    )
    oldest = f"TensorFlow {colab_check.OLDEST_TENSORFLOW} with Keras {colab_check.OLDEST_KERAS}"
    assert oldest in page
    assert f"TensorFlow {pinned['tensorflow-cpu']} with Keras {pinned['keras']}" in page


def test_chapters_argument_must_name_a_chapter(tmp_path):
    with pytest.raises(SystemExit, match="chapters: expected starts of chapter names"):
        colab_check.main(["--env", str(tmp_path / "env"), "99"])

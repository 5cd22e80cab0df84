"""A fresh, Colab-like environment: the set-up cell installs the package, then imports work.

The simulated "Colab" is a new virtual environment that sees this environment's
third-party packages (TensorFlow included, as Colab has it) but not the companion package.
The notebook's own first cell runs there with the install source pointed at this checkout;
then every import of the notebook must succeed, and TensorFlow must not have been
installed into the new environment.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import jupytext
import pytest
from environments import preinstalled_environment

from companion import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.md"))


def import_statements(notebook) -> str:
    """The notebook's top-level import statements, as runnable source."""
    lines = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or colab.SETUP_TAG in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(
            "\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))
        )
        lines += [
            ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
        ]
    return "\n".join(dict.fromkeys(lines))


@pytest.fixture(scope="module")
def fresh_environment(tmp_path_factory) -> Path:
    return preinstalled_environment(tmp_path_factory.mktemp("colab"))[0]


def run(python: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(python), "-c", code],
        cwd=python.parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_companion_is_missing_before_setup(fresh_environment):
    probe = run(
        fresh_environment, "import importlib.util; print(importlib.util.find_spec('companion'))"
    )
    assert probe.returncode == 0 and probe.stdout.strip() == "None", probe.stderr


@pytest.mark.parametrize("source", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_setup_cell_then_imports(fresh_environment, source):
    notebook = jupytext.read(source)
    setup = next(c.source for c in notebook.cells if colab.SETUP_TAG in c.metadata.get("tags", []))
    installed = run(fresh_environment, setup, **{colab.SOURCE_VARIABLE: str(ROOT)})
    assert installed.returncode == 0, installed.stderr[-3000:]

    imports = import_statements(notebook) + "\nimport companion\nprint(companion.__file__)"
    imported = run(fresh_environment, imports)
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert str(fresh_environment.parents[1]) in imported.stdout, "companion was not installed fresh"

    own_packages = subprocess.run(
        [
            str(fresh_environment),
            "-m",
            "pip",
            "list",
            "--path",
            run(
                fresh_environment, "import sysconfig; print(sysconfig.get_paths()['purelib'])"
            ).stdout.strip(),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    assert "hybrid-dl-companion" in own_packages
    assert "tensorflow" not in own_packages, "the set-up cell installed TensorFlow"

    again = run(fresh_environment, setup, **{colab.SOURCE_VARIABLE: "/nonexistent"})
    assert again.returncode == 0, "the set-up cell must not reinstall an importable package"

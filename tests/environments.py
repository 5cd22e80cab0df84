"""Fresh processes for the tests: an empty virtual environment (as a teacher's machine
starts), a fresh virtual environment that sees this environment's third-party packages (as a
Colab runtime or a course machine has them preinstalled) but not the companion package, and
a fresh Python process of this environment."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def empty_environment(folder: Path) -> tuple[Path, str]:
    """Create a virtual environment with nothing but pip in ``folder``; return its Python
    and its site-packages folder."""
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return python, site


def preinstalled_environment(folder: Path) -> tuple[Path, str]:
    """Create the preinstalled environment in ``folder``; return its Python and its
    site-packages folder.

    A ``.pth`` line adds this environment's site-packages without running the editable
    install's hooks inside it, so ``import companion`` fails there until it is installed.
    """
    python, site = empty_environment(folder)
    (Path(site) / "preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site


def run_python(code: str, *args: str, timeout: float = 300) -> None:
    """Run ``code`` with ``args`` in a fresh Python process of this environment, in the
    repository's root with TensorFlow's log quiet; fail with its stderr unless it succeeds.
    For what needs a TensorFlow runtime started afresh (logical devices, graph options)."""
    run = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stderr[-2000:]

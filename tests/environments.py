"""A fresh virtual environment that sees this environment's third-party packages (as a
Colab runtime or a course machine has them preinstalled) but not the companion package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path


def preinstalled_environment(folder: Path) -> tuple[Path, str]:
    """Create it in ``folder``; return its Python and its site-packages folder.

    A ``.pth`` line adds this environment's site-packages without running the editable
    install's hooks inside it, so ``import companion`` fails there until it is installed.
    """
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
    python = folder / "venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, site

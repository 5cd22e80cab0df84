"""Run chapters as a Colab reader would: an older TensorFlow and Keras already installed.

``make colab-check`` calls this script. It makes a fresh virtual environment (no access to
the course's own ``.venv``) and installs into it what a Colab runtime has before the
reader's first cell: TensorFlow (the ``tensorflow`` distribution, as Colab has it) and
Keras at the oldest versions the course supports (``OLDEST_TENSORFLOW``, ``OLDEST_KERAS``,
older than the pinned ones), Jupyter's kernel
and the scientific stack, and no companion package. Then, for each chapter, it executes
the paired ``.ipynb`` in fast mode in that environment, set-up cell first, with the
set-up cell's install source pointed at this checkout. It checks that

* the set-up cell installed the companion (with its data extras),
* TensorFlow and Keras are still the preinstalled versions afterwards, and no second
  TensorFlow distribution came beside them (the install never replaces them),
* and every chapter ran without an error,

and prints one line per chapter with its time. It needs the package index (to install
the older TensorFlow), so it is not part of ``make test``; the hosted CI runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from companion import colab, runtime

ROOT = Path(__file__).resolve().parents[1]
# The oldest versions the course is tested with, read from the one place that names them
# (pyproject.toml's bounds and the set-up page agree with it: tests/test_colab_check.py).
OLDEST_TENSORFLOW = runtime.TESTED_VERSIONS["tensorflow"][0]
OLDEST_KERAS = runtime.TESTED_VERSIONS["keras"][0]
# What a Colab runtime has preinstalled that the notebooks use, besides TensorFlow
# (jinja2, for pandas' table styles, comes with Jupyter everywhere).
PREINSTALLED = [
    "ipykernel",
    "jinja2",
    "nbclient",
    "matplotlib",
    "scipy",
    "scikit-learn",
    "statsmodels",
    "pandas",
    "tqdm",
]
# The versions, and which of TensorFlow's distributions are installed: Colab has
# `tensorflow`, and an install that brought `tensorflow-cpu` beside it would show here.
VERSIONS = """
import importlib.metadata as metadata, tensorflow as tf, keras
def installed(name):
    try:
        return bool(metadata.version(name))
    except metadata.PackageNotFoundError:
        return False
names = [name for name in ("tensorflow", "tensorflow-cpu") if installed(name)]
print(tf.__version__, keras.__version__, "+".join(names))
"""


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, text=True, **kwargs)


def make_environment(folder: Path) -> Path:
    """Create the Colab-like environment in ``folder`` and return its Python."""
    run([sys.executable, "-m", "venv", "--clear", str(folder)])
    python = folder / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            f"tensorflow=={OLDEST_TENSORFLOW}",
            f"keras=={OLDEST_KERAS}",
            *PREINSTALLED,
        ]
    )
    return python


def versions(python: Path) -> str:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return run([str(python), "-c", VERSIONS], capture_output=True, env=environment).stdout.strip()


def installed(python: Path) -> bool:
    """Whether the environment has the companion installed (not merely importable here)."""
    shown = subprocess.run(
        [str(python), "-m", "pip", "show", "--quiet", colab.DISTRIBUTION], capture_output=True
    )
    return shown.returncode == 0


EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def execute(python: Path, notebook: Path) -> float:
    """Execute ``notebook`` in fast mode with the environment's kernel; return seconds."""
    environment = {
        **os.environ,
        "COURSE_MODE": "fast",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        colab.SOURCE_VARIABLE: f"{colab.DISTRIBUTION}[data] @ {ROOT.as_uri()}",
        # Fast-mode numbers from another TensorFlow stay out of the checkout's results.
        "COURSE_RESULTS": str(python.parents[1] / "results.json"),
    }
    environment.pop("PYTHONPATH", None)
    environment.pop("VIRTUAL_ENV", None)
    # The kernel must be the environment's own Python, not this script's.
    environment["PATH"] = f"{python.parent}{os.pathsep}{environment['PATH']}"
    started = time.monotonic()
    run(
        [str(python), "-c", EXECUTE, str(notebook), str(notebook.parent)],
        env=environment,
        cwd=python.parents[2],
    )
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", type=Path, default=ROOT / "_build" / "colab-env")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing environment")
    parser.add_argument("chapters", nargs="*", help="chapter names' starts (default: all)")
    args = parser.parse_args(argv)

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.chapters:
        notebooks = [nb for nb in notebooks if nb.stem.startswith(tuple(args.chapters))]
        if not notebooks:
            raise SystemExit(f"chapters: expected starts of chapter names, got {args.chapters}")

    started = time.monotonic()
    python = args.env / "bin" / "python"
    if not (args.reuse and python.exists()):
        python = make_environment(args.env)
    before = versions(python)
    print(
        f"Colab-like environment ready in {time.monotonic() - started:.0f} s: "
        f"TensorFlow, Keras, distribution = {before}",
        flush=True,
    )
    expected = f"{OLDEST_TENSORFLOW} {OLDEST_KERAS} tensorflow"
    if before != expected:
        print(f"FAILED: expected TensorFlow, Keras, distribution {expected}, found {before}")
        return 1

    # As in a new Colab runtime, the first chapter's set-up cell installs the companion;
    # the later chapters find it installed, as they would in the same runtime.
    run([str(python), "-m", "pip", "uninstall", "--quiet", "--yes", colab.DISTRIBUTION])
    report = {"tensorflow_keras": before, "chapters": {}}
    failed = []
    for notebook in notebooks:
        try:
            seconds = execute(python, notebook)
        except subprocess.CalledProcessError:
            failed.append(notebook.stem)
            print(f"{notebook.stem}: FAILED", flush=True)
            continue
        after = versions(python)
        if not installed(python):
            failed.append(notebook.stem)
            print(f"{notebook.stem}: FAILED, the companion is not installed after it ran")
            continue
        if after != before:
            failed.append(notebook.stem)
            print(
                f"{notebook.stem}: FAILED, the set-up cell changed TensorFlow, Keras, "
                f"distribution to {after}"
            )
            continue
        report["chapters"][notebook.stem] = round(seconds, 1)
        print(f"{notebook.stem}: ran in fast mode in {seconds:.0f} s", flush=True)
    report["seconds"] = round(time.monotonic() - started)
    (args.env.parent / "colab-check.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"total {report['seconds']} s; {len(failed)} failed" + (f": {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

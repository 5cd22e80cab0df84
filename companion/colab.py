"""The notebooks' first cell, which installs this package in Colab or any fresh kernel.

The repository URL is defined here and only here. Every notebook's first code cell is
:func:`setup_cell_source` verbatim (a test checks it, ``make sync-notebooks`` rewrites
it), and ``_config.yml`` names the same URL for the launch buttons (a test checks that too).
"""

from __future__ import annotations

REPOSITORY_URL = "https://github.com/hybrid-dl-course/hybrid-deep-learning"
# The URL the course is developed under, before it has a public home; ``make publish-check
# RELEASE=1`` refuses to release while REPOSITORY_URL still equals it.
PLACEHOLDER_URL = "https://github.com/hybrid-dl-course/hybrid-deep-learning"
DISTRIBUTION = "hybrid-dl-companion"
SOURCE_VARIABLE = "COMPANION_SOURCE"
SETUP_TAG = "colab-setup"


def install_requirement() -> str:
    """Return the pip requirement that installs the package (with its data extras)."""
    return f"{DISTRIBUTION}[data] @ git+{REPOSITORY_URL}.git"


def setup_cell_source() -> str:
    """Return the source of the first code cell of every notebook.

    The cell installs the companion package only when ``import companion`` would fail
    (a fresh Colab runtime); it never installs, upgrades or replaces TensorFlow, whose
    Colab build is the one with GPU support. ``COMPANION_SOURCE`` overrides where the
    package comes from (a local checkout, a wheel). It then prints the TensorFlow and
    Keras versions and the device, so a reader sees at once what the notebook runs on
    (``companion`` is imported first: it sizes TensorFlow's thread pools before they exist).
    """
    return f'''\
# Installs the course's companion package when it is missing (e.g. in Colab).
# TensorFlow is never installed or replaced: Colab's own build, with GPU support, is used.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("companion") is None:
    source = os.environ.get("{SOURCE_VARIABLE}", "{install_requirement()}")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", source], check=True)

from companion import runtime

runtime.print_versions_and_device()'''

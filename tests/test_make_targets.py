"""The README's `make test` never passes by skipping its page checks: without Chromium it
installs it where it can, and otherwise stops, first, saying what to install; `BROWSER=0`
skips the checks only with a warning in the final summary. (`CHROMIUM=` and `CAN_INSTALL=`
simulate a machine without a browser that make may not install one on.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*arguments: str) -> subprocess.CompletedProcess:
    # Not the variables of a `make test BROWSER=0` that may be running these tests.
    environment = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_chromium_and_no_way_to_install_it_make_stops_and_says_what_to_do():
    run = make("chromium", "CHROMIUM=", "CAN_INSTALL=")
    assert run.returncode != 0
    assert "Chromium, which is not installed" in run.stdout
    assert "apt-get install chromium" in run.stdout and "BROWSER=0" in run.stdout


def test_browser_0_warns_instead_of_checking():
    run = make("chromium", "CHROMIUM=", "CAN_INSTALL=", "BROWSER=0")
    assert run.returncode == 0 and "WARNING: BROWSER=0" in run.stdout
    pages = make("-n", "pages", "BROWSER=0")
    assert "the page checks in a browser were NOT run" in pages.stdout
    assert "pytest" not in pages.stdout


def test_the_summary_says_when_the_page_checks_were_skipped():
    skipped = make("-n", "test", "BROWSER=0", "CHROMIUM=", "CAN_INSTALL=").stdout
    assert "all checks passed EXCEPT THE PAGE CHECKS, which BROWSER=0 skipped" in skipped
    checked = make("-n", "test").stdout
    assert "tests/test_book_pages.py" in checked and "EXCEPT" not in checked


def test_the_browser_is_looked_for_before_the_long_steps():
    steps = make("-n", "test", "CHROMIUM=", "CAN_INSTALL=").stdout
    assert steps.index("Chromium, which is not installed") < steps.index("ruff check")

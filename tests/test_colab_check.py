"""The tested TensorFlow and Keras range (companion.runtime.TESTED_VERSIONS) is the one
`make colab-check` runs the chapters under (the oldest), requirements.txt pins (the
newest), the package's bounds admit and the set-up page states (the check itself needs
the package index, so it runs in the hosted CI, not here); and a reader outside it is told."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import colab_check  # noqa: E402

from companion import runtime  # noqa: E402

TENSORFLOW, KERAS = runtime.TESTED_VERSIONS["tensorflow"], runtime.TESTED_VERSIONS["keras"]


def bounds(oldest: str, newest: str) -> str:
    """From the oldest tested release up to, not including, the minor after the newest."""
    major, minor = newest.split(".")[:2]
    return f">={oldest},<{major}.{int(minor) + 1}"


def test_the_newest_tested_versions_are_the_pinned_ones():
    pinned = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith(("tensorflow-cpu==", "keras=="))
    )
    assert (pinned["tensorflow-cpu"], pinned["keras"]) == (TENSORFLOW[1], KERAS[1])


def test_package_bounds_admit_the_tested_range_and_no_more():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"keras{bounds(*KERAS)}" in project["dependencies"]
    extras = project["optional-dependencies"]
    assert extras["tensorflow"] == [f"tensorflow{bounds(*TENSORFLOW)}"]
    assert extras["gpu"] == [f"tensorflow[and-cuda]{bounds(*TENSORFLOW)}"]


def test_setup_page_states_the_tested_range():
    page = " ".join((ROOT / "book" / "setup.md").read_text().split())
    assert f"TensorFlow {TENSORFLOW[0]} with Keras {KERAS[0]}" in page
    assert f"TensorFlow {TENSORFLOW[1]} with Keras {KERAS[1]}" in page


@pytest.mark.parametrize(
    ("package", "version", "expected"),
    [
        ("keras", KERAS[0], None),
        ("keras", KERAS[1], None),
        ("tensorflow", TENSORFLOW[1].rsplit(".", 1)[0] + ".9", None),  # a later patch release
        ("keras", "3.9.2", "older than the oldest"),
        ("tensorflow", "2.19.0", "older than the oldest"),
        ("tensorflow", "2.99.0rc1", "newer than the course's tested range"),
        ("keras", "4.0.0", "newer than the course's tested range"),
    ],
)
def test_a_version_outside_the_tested_range_is_noted(package, version, expected):
    note = runtime.untested_version_note(package, version)
    if expected is None:
        assert note is None
    else:
        assert expected in note and f"{package} {version}" in note


def test_untested_version_note_rejects_bad_input():
    with pytest.raises(ValueError, match="package: expected one of 'tensorflow', 'keras'"):
        runtime.untested_version_note("torch", "2.0.0")
    with pytest.raises(ValueError, match="version: expected a version string"):
        runtime.untested_version_note("keras", "latest")


def test_chapters_argument_must_name_a_chapter(tmp_path):
    with pytest.raises(SystemExit, match="chapters: expected starts of chapter names"):
        colab_check.main(["--env", str(tmp_path / "env"), "99"])

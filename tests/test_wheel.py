"""The companion as a teacher installs it: a built wheel, installed in a fresh virtual
environment, imports, reports the version the checkout declares, and its data extras work.

The environment starts empty, so pip must resolve the wheel's own requirements and its
``data`` extra from the package index, as on a teacher's machine; the versions are held to
requirements.txt's pins (``--constraint``), those the course was measured with. TensorFlow
is not among the requirements (it ships under two names; see pyproject.toml), so the data
modules must work without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from environments import empty_environment

import companion

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("hybrid_dl_companion-*.whl")
    return built


def test_the_wheel_holds_the_package_and_nothing_else(wheel):
    assert wheel.name.startswith(f"hybrid_dl_companion-{companion.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.endswith(".dist-info/")}
    assert {t for t in top if not t.endswith(".dist-info")} == {"companion"}
    assert "companion/data/synthetic.py" in names and "companion/models/video_gan.py" in names


def test_the_wheel_installs_and_works_in_a_fresh_environment(wheel, tmp_path):
    python, site = empty_environment(tmp_path)
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.pop("PYTHONPATH", None)
    install = subprocess.run(
        [
            *(str(python), "-m", "pip", "install", "--quiet"),
            *("--constraint", str(ROOT / "requirements.txt"), f"{wheel}[data]"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util, companion, companion.data.digits as d\n"
            "import companion.data.series as s, companion.data.captcha_text as c\n"
            "split = d.load_digit_images()\n"
            "images = c.render_captchas(2, seed=0)\n"
            "print(companion.__version__, companion.__file__, len(split.x_train) > 0,\n"
            "      len(s.load_series('sunspots')) > 100, len(images.texts) == 2,\n"
            "      importlib.util.find_spec('tensorflow') is None)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )
    assert probe.returncode == 0, probe.stderr
    version, location, digits, sunspots, captchas, no_tensorflow = probe.stdout.split()
    assert version == companion.__version__
    assert location.startswith(site), f"imported from {location}, not from the installed wheel"
    assert digits == sunspots == captchas == "True"
    assert no_tensorflow == "True", "installing the companion brought TensorFlow with it"

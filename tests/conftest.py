"""Shared test settings: quiet TensorFlow, fast mode, and a private results file per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_results(tmp_path, monkeypatch):
    """Keep tests from writing into the book's results file."""
    monkeypatch.setenv("COURSE_RESULTS", str(tmp_path / "results.json"))

"""Comparing two models on the same test items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PairedComparison:
    """McNemar's comparison of two models that answered the same test items.

    ``only_a`` and ``only_b`` count the items that exactly one of the two models got
    right; items both got right or both got wrong say nothing about which is better.
    Under the hypothesis that the models are equally good, each such item is a fair
    coin, and ``z = (only_a - only_b) / sqrt(only_a + only_b)`` is approximately
    standard normal: ``|z| > 2`` is a difference unlikely to be chance (about 5 %).
    """

    only_a: int
    only_b: int

    @property
    def z(self) -> float:
        """The standardised difference, 0 when no item separates the models."""
        discordant = self.only_a + self.only_b
        return (self.only_a - self.only_b) / np.sqrt(discordant) if discordant else 0.0

    def verdict(self, name_a: str, name_b: str) -> str:
        """``"<a> is better"``, ``"<b> is better"`` or that the difference is within noise."""
        if self.z > 2:
            return f"{name_a} is better"
        if self.z < -2:
            return f"{name_b} is better"
        return "the difference is within noise (|z| < 2)"


def paired_comparison(
    truth: Sequence[Any], answers_a: Sequence[Any], answers_b: Sequence[Any]
) -> PairedComparison:
    """Compare two models' answers (e.g. decoded strings) item by item with the truth.

    Raises:
        ValueError: if the three sequences differ in length or are empty.
    """
    if not len(truth):
        raise ValueError("truth: expected at least one test item, got none")
    if not len(answers_a) == len(answers_b) == len(truth):
        raise ValueError(
            f"answers_a, answers_b: expected {len(truth)} answers each (one per test item), "
            f"got {len(answers_a)} and {len(answers_b)}"
        )
    right_a = np.array([a == t for a, t in zip(answers_a, truth, strict=True)])
    right_b = np.array([b == t for b, t in zip(answers_b, truth, strict=True)])
    return PairedComparison(int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a)))

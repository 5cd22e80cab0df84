"""companion.metrics."""

from __future__ import annotations

import numpy as np
import pytest

from companion.metrics import PairedComparison, paired_comparison


def test_paired_comparison_counts_only_the_items_that_separate_the_models():
    truth = ["12", "34", "56", "78", "90"]
    a = ["12", "34", "56", "00", "00"]
    b = ["12", "00", "00", "78", "00"]
    comparison = paired_comparison(truth, a, b)
    assert (comparison.only_a, comparison.only_b) == (2, 1)
    assert comparison.z == pytest.approx(1 / np.sqrt(3))
    assert comparison.verdict("A", "B") == "the difference is within noise (|z| < 2)"


def test_verdicts_and_the_z_of_no_difference():
    assert PairedComparison(30, 10).verdict("A", "B") == "A is better"  # z = 3.16
    assert PairedComparison(10, 30).verdict("A", "B") == "B is better"
    assert PairedComparison(0, 0).z == 0.0


def test_z_is_standard_normal_when_the_models_are_equally_good():
    rng = np.random.default_rng(0)
    zs = [PairedComparison(*rng.multinomial(60, [0.5, 0.5])).z for _ in range(4000)]
    assert abs(np.mean(zs)) < 0.05 and abs(np.std(zs) - 1) < 0.05


@pytest.mark.parametrize(
    ("truth", "a", "b", "message"),
    [
        ([], [], [], "truth: expected at least one test item, got none"),
        ([1, 2], [1], [1, 2], "answers_a, answers_b: expected 2 answers each .* got 1 and 2"),
    ],
)
def test_bad_inputs_are_explained(truth, a, b, message):
    with pytest.raises(ValueError, match=message):
        paired_comparison(truth, a, b)

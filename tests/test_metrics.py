"""companion.metrics."""

from __future__ import annotations

import numpy as np
import pytest

from companion.metrics import (
    PairedComparison,
    character_error_rate,
    edit_distance,
    paired_comparison,
    sequence_accuracy,
)


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


def test_edit_distance_character_error_rate_and_sequence_accuracy():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance([], [1, 2]) == 2
    assert character_error_rate([[1, 2, 3], [4]], [[1, 3], [4]]) == pytest.approx(0.25)
    assert sequence_accuracy([[1, 2], [3]], [[1, 2], [4]]) == 0.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: character_error_rate([[1]], []), "hypotheses: expected 1"),
        (
            lambda: character_error_rate([[]], [[]]),
            "references: expected at least one non-empty",
        ),
        (lambda: sequence_accuracy([], []), "hypotheses: expected 0"),
    ],
)
def test_sequence_metrics_reject_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_roc_auc_equals_scikit_learn_including_ties():
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as sk_roc_curve

    from companion.metrics import roc_auc, roc_curve

    rng = np.random.default_rng(0)
    for _ in range(20):
        labels = rng.integers(0, 2, size=60)
        labels[:2] = [0, 1]
        scores = np.round(rng.normal(size=60) + labels, 1)  # rounding creates ties
        assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))
        fpr, tpr, _ = roc_curve(labels, scores)
        sk_fpr, sk_tpr, _ = sk_roc_curve(labels, scores, drop_intermediate=False)
        np.testing.assert_allclose(fpr, sk_fpr)
        np.testing.assert_allclose(tpr, sk_tpr)


def test_roc_auc_extremes():
    from companion.metrics import roc_auc

    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert roc_auc([0, 1], [0.5, 0.5]) == 0.5


def test_precision_recall_and_f_beta():
    from sklearn.metrics import fbeta_score, precision_score, recall_score

    from companion.metrics import f_beta, precision_recall_at

    labels = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    scores = np.array([0.1, 0.4, 0.6, 0.7, 0.2, 0.9, 0.3, 0.8])
    precision, recall = precision_recall_at(labels, scores, 0.5)
    flagged = scores > 0.5
    assert precision == pytest.approx(precision_score(labels, flagged))
    assert recall == pytest.approx(recall_score(labels, flagged))
    for beta in (0.1, 1.0, 2.0):
        assert f_beta(precision, recall, beta) == pytest.approx(
            fbeta_score(labels, flagged, beta=beta)
        )
    assert precision_recall_at(labels, scores, 5.0) == (1.0, 0.0)
    assert f_beta(0.0, 0.0) == 0.0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.roc_auc([0, 0, 0], [1, 2, 3]), "labels: expected both classes"),
        (lambda m: m.roc_auc([0, 2, 1], [1, 2, 3]), "labels: expected 0 .normal. or 1"),
        (lambda m: m.roc_auc([0, 1], [1, 2, 3]), "scores: expected 2 scores"),
        (lambda m: m.roc_auc([0, 1], [1, np.nan]), "scores: expected finite values"),
        (lambda m: m.precision_recall_at([0, 1], [1, 2], np.inf), "threshold: expected a finite"),
        (lambda m: m.f_beta(1.2, 0.5), "precision: expected a number in"),
        (lambda m: m.f_beta(0.5, 0.5, 0), "beta: expected a number > 0"),
    ],
)
def test_anomaly_metrics_reject_bad_inputs(call, message):
    from companion import metrics

    with pytest.raises(ValueError, match=message):
        call(metrics)


def test_discriminative_score_is_near_zero_for_real_against_real_and_half_against_noise():
    from companion.data.synthetic import sines
    from companion.metrics import discriminative_score

    real = sines(300, 12, 2, seed=0)
    other_real = sines(300, 12, 2, seed=1)
    noise = np.random.default_rng(0).uniform(size=real.shape)
    assert discriminative_score(real, other_real, epochs=10) < 0.1
    assert discriminative_score(real, noise, epochs=20) > 0.4


def test_predictive_score_train_on_real_beats_train_on_noise():
    from companion.data.synthetic import sines
    from companion.metrics import predictive_score

    real, test = sines(300, 12, 2, seed=0), sines(200, 12, 2, seed=1)
    noise = np.random.default_rng(0).uniform(size=real.shape)
    on_real = predictive_score(real, test, epochs=20)
    assert on_real < 0.05  # sines are smooth: the next step is nearly the current one
    assert predictive_score(noise, test, epochs=20) > 2 * on_real


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((np.zeros((10, 5)), np.zeros((10, 5, 1))), ValueError, "real: expected a 3-D array"),
        (
            (np.zeros((10, 5, 1)), np.zeros((10, 4, 1))),
            ValueError,
            r"synthetic: expected .*\(5, 1\)",
        ),
        ((np.zeros((3, 5, 1)), np.zeros((10, 5, 1))), ValueError, "expected at least 4 sequences"),
        ((np.zeros((10, 5, 1)), "x"), TypeError, "synthetic: expected a numeric array"),
    ],
)
def test_discriminative_score_rejects_bad_inputs(args, error, message):
    from companion.metrics import discriminative_score

    with pytest.raises(error, match=message):
        discriminative_score(*args)


def test_scores_reject_bad_settings():
    from companion.metrics import discriminative_score, predictive_score

    x = np.zeros((10, 5, 1))
    with pytest.raises(ValueError, match="test_fraction: expected a number in"):
        discriminative_score(x, x, test_fraction=1.0)
    with pytest.raises(ValueError, match="epochs: expected an integer >= 1, got 0"):
        predictive_score(x, x, epochs=0)
    with pytest.raises(ValueError, match=r"test: expected .*\(5, 1\)"):
        predictive_score(x, np.zeros((10, 6, 1)))

"""companion.ctc against TensorFlow/Keras and against brute force."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import ctc


@st.composite
def ctc_problems(draw):
    classes = draw(st.integers(2, 6))
    length = draw(st.integers(1, 5))  # TF returns nonsense for empty labels; tested below
    labels = draw(st.lists(st.integers(1, classes - 1), min_size=length, max_size=length))
    steps = draw(st.integers(max(ctc.min_time_steps(labels), 1), 12))
    seed = draw(st.integers(0, 2**16))
    logits = np.random.default_rng(seed).normal(scale=2.0, size=(steps, classes))
    return logits, labels


@settings(max_examples=60, deadline=None)
@given(problem=ctc_problems())
def test_forward_matches_tf_ctc_loss(problem):
    logits, labels = problem
    ours = ctc.ctc_loss(logits[None], [labels])[0]
    theirs = tf.nn.ctc_loss(
        labels=tf.constant([labels], tf.int32),
        logits=tf.constant(logits[None], tf.float32),
        label_length=tf.constant([len(labels)]),
        logit_length=tf.constant([len(logits)]),
        logits_time_major=False,
        blank_index=0,
    ).numpy()[0]
    assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-5)


def test_empty_labelling_is_all_blanks():
    log_probs = ctc.log_softmax(np.random.default_rng(3).normal(size=(4, 3)))
    loss, _ = ctc.ctc_forward(log_probs, [])
    assert loss == pytest.approx(-log_probs[:, 0].sum(), rel=1e-12)


def test_forward_matches_keras_ctc_loss_on_a_padded_batch():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 10, 5)).astype(np.float32)
    labels = [[1, 1, 2], [3], [4, 2, 2, 1]]
    lengths = [10, 6, 9]
    padded = np.zeros((3, 4), np.int32)
    for row, label in enumerate(labels):
        padded[row, : len(label)] = label
    theirs = keras.ops.ctc_loss(padded, logits, [len(label) for label in labels], lengths)
    ours = ctc.ctc_loss(logits, labels, lengths)
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-4)


def test_forward_equals_the_sum_over_all_paths():
    """The alpha recursion is an efficient sum over every path that collapses to the label."""
    rng = np.random.default_rng(1)
    log_probs = ctc.log_softmax(rng.normal(size=(5, 3)))
    labels = [1, 1]
    total = sum(
        np.exp(log_probs[np.arange(5), path].sum())
        for path in itertools.product(range(3), repeat=5)
        if ctc.collapse(path) == labels
    )
    loss, lattice = ctc.ctc_forward(log_probs, labels)
    assert loss == pytest.approx(-np.log(total), rel=1e-10)
    assert lattice.shape == (5, 5)


def brute_force_best(log_probs):
    """The most probable labelling, by summing all paths per labelling."""
    steps, classes = log_probs.shape
    scores = {}
    for path in itertools.product(range(classes), repeat=steps):
        key = tuple(ctc.collapse(path))
        scores[key] = np.logaddexp(
            scores.get(key, -np.inf), log_probs[np.arange(steps), path].sum()
        )
    best = max(scores, key=scores.get)
    return list(best), scores[best]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), steps=st.integers(1, 6), classes=st.integers(2, 4))
def test_wide_beam_search_finds_the_most_probable_labelling(seed, steps, classes):
    log_probs = ctc.log_softmax(
        np.random.default_rng(seed).normal(scale=1.5, size=(steps, classes))
    )
    labelling, score = ctc.beam_search_decode(log_probs, beam_width=200)
    best, best_score = brute_force_best(log_probs)
    assert score == pytest.approx(best_score, rel=1e-9)
    assert labelling == best or score == pytest.approx(best_score, rel=1e-12)


def test_beam_search_can_beat_greedy():
    """Two steps: the best path is 'blank blank' (0.36), but label [1] has 0.64 in total."""
    probabilities = np.array([[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]]) + 1e-12
    log_probs = np.log(probabilities / probabilities.sum(axis=1, keepdims=True))
    assert ctc.greedy_decode(log_probs[None]) == [[]]
    labelling, score = ctc.beam_search_decode(log_probs, beam_width=4)
    assert labelling == [1] and np.exp(score) == pytest.approx(0.64, rel=1e-6)


def test_greedy_matches_keras_ctc_decode():
    rng = np.random.default_rng(2)
    logits = rng.normal(scale=3.0, size=(4, 12, 6)).astype(np.float32)
    lengths = np.array([12, 7, 12, 3])
    decoded, _ = keras.ops.ctc_decode(
        keras.ops.softmax(logits), lengths, strategy="greedy", mask_index=0
    )
    theirs = [[int(v) for v in row if v > 0] for row in np.asarray(decoded[0])]
    assert ctc.greedy_decode(logits, lengths) == theirs


def test_collapse_and_min_time_steps():
    assert ctc.collapse([0, 1, 1, 0, 1, 2, 2, 0]) == [1, 1, 2]
    assert ctc.min_time_steps([1, 1, 2]) == 4
    assert ctc.min_time_steps([1, 2, 3]) == 3
    assert ctc.min_time_steps([]) == 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: ctc.ctc_forward(np.zeros((3, 4)), [1, 1, 2]),
            "labels: expected a labelling that fits in 3 time steps, got length 3 which needs 4",
        ),
        (
            lambda: ctc.ctc_forward(np.zeros((5, 4)), [1, 4]),
            r"labels: expected labels in 1..3 \(0 is the blank\)",
        ),
        (lambda: ctc.ctc_forward(np.zeros((5, 4)), [0, 1]), r"labels: expected labels in 1..3"),
        (
            lambda: ctc.ctc_loss(np.zeros((2, 5, 4)), [[1]]),
            r"labels: expected 2 labellings \(one per sequence\), got 1",
        ),
        (
            lambda: ctc.ctc_loss(np.zeros((1, 5, 4)), [[1]], [6]),
            r"input_lengths: expected lengths in 1..5, got 6",
        ),
        (
            lambda: ctc.greedy_decode(np.zeros((2, 5, 4)), [5]),
            "input_lengths: expected 2 lengths, got 1",
        ),
        (
            lambda: ctc.greedy_decode(np.zeros((1, 5, 4)), [0]),
            r"input_lengths: expected lengths in 1..5, got 0",
        ),
        (
            lambda: ctc.ctc_loss(np.zeros((5, 4)), [[1]]),
            r"logits: expected a 3-D array \(batch, time, classes\)",
        ),
        (
            lambda: ctc.beam_search_decode(np.zeros((5, 4)), beam_width=0),
            "beam_width: expected an integer >= 1, got 0",
        ),
    ],
)
def test_bad_inputs_are_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()

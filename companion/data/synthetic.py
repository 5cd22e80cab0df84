"""Synthetic sequence tasks generated from a seed."""

from __future__ import annotations

import numpy as np

from companion.validation import check_positive_int


def first_symbol_recall(
    n: int, length: int, n_symbols: int = 8, *, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of random symbols whose label is the *first* symbol.

    Every symbol is drawn uniformly from ``n_symbols`` and one-hot encoded, so the
    ``length - 1`` symbols after the first are distractors that carry no information about
    the label. A model must keep the first symbol in its state for ``length - 1`` steps:
    the task measures memory, and guessing scores ``1 / n_symbols``.

    Args:
        n: number of sequences.
        length: time steps per sequence (at least 1).
        n_symbols: size of the alphabet (at least 2).
        seed: random seed.

    Returns:
        ``(x, y)``: ``x`` of shape ``(n, length, n_symbols)`` (float32, one-hot) and
        ``y`` of shape ``(n,)`` (int32, the first symbol of each sequence).

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    n = check_positive_int("n", n)
    length = check_positive_int("length", length)
    n_symbols = check_positive_int("n_symbols", n_symbols, minimum=2)
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, n_symbols, size=(n, length))
    x = np.eye(n_symbols, dtype=np.float32)[symbols]
    y = symbols[:, 0].astype(np.int32)
    return x, y


def adding_problem(n: int, length: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem of Hochreiter & Schmidhuber (1997): add two marked numbers.

    Each sequence has two channels: a value drawn uniformly from ``[0, 1)`` and a marker
    that is 1 at exactly two steps, one in the first half of the sequence and one in the
    second half, and 0 elsewhere. The target is the sum of the two marked values. Always
    predicting the mean, 1, has a mean squared error of ``Var(U1 + U2) = 1/6 ≈ 0.167``:
    the trivial baseline. Solving the task needs memory over up to ``length`` steps.

    Args:
        n: number of sequences.
        length: time steps per sequence (at least 2).
        seed: random seed.

    Returns:
        ``(x, y)``: ``x`` of shape ``(n, length, 2)`` and ``y`` of shape ``(n, 1)``,
        both float32.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    n = check_positive_int("n", n)
    length = check_positive_int("length", length, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, length))
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return x, y

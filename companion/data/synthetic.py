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

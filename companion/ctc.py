"""Connectionist temporal classification (Graves et al. 2006): loss, forward pass, decoding.

Conventions (as ``keras.ops.ctc_loss`` and ``tf.nn.ctc_loss`` by default): class 0 is
the **blank**, classes ``1..C-1`` are the symbols; a network emits one distribution over
the ``C`` classes per time step. A *path* is one class per step; collapsing a path
(merge repeated classes, then drop blanks) gives a labelling, and the probability of a
labelling is the sum over all paths that collapse to it.

The scores of decoded labellings (edit distance, character error rate, sequence
accuracy) are in :mod:`companion.metrics`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from companion.validation import as_float_array, check_positive_int, check_sequence

BLANK = 0


def _check_labels(name: str, labels: Any, classes: int) -> np.ndarray:
    array = np.asarray(labels)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"{name}: expected a 1-D sequence of integer labels, got {labels!r}")
    if array.size and (array.min() < 1 or array.max() >= classes):
        raise ValueError(
            f"{name}: expected labels in 1..{classes - 1} (0 is the blank), "
            f"got values {array.min()}..{array.max()}"
        )
    return array.astype(int)


def _one_dimensional(name: str, values: Any) -> np.ndarray:
    """``values`` as a 1-D array (of any element type)."""
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nesting
        raise ValueError(f"{name}: expected a 1-D sequence, got {values!r}") from error
    if array.ndim == 0:
        raise TypeError(f"{name}: expected a 1-D sequence, got {type(values).__name__}")
    if array.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D sequence, got shape {array.shape}")
    return array


def _check_log_probs(log_probs: Any) -> np.ndarray:
    log_probs = as_float_array("log_probs", log_probs, ndim=2, axes=("time", "classes"))
    if 0 in log_probs.shape:
        raise ValueError(
            f"log_probs: expected at least one time step and one class, got shape {log_probs.shape}"
        )
    return log_probs


def min_time_steps(labels: Sequence[int]) -> int:
    """The fewest time steps that can emit ``labels``: its length plus its repeats.

    Two equal neighbours (``"1 1"``) need a blank between them, or the collapse would
    merge them; so ``[1, 1, 2]`` needs 4 steps, ``[1, 2, 3]`` needs 3.
    """
    labels = _one_dimensional("labels", labels).tolist()
    repeats = sum(1 for a, b in itertools.pairwise(labels) if a == b)
    return len(labels) + repeats


def collapse(path: Sequence[int], blank: int = BLANK) -> list[int]:
    """The CTC collapse: merge runs of the same class, then remove blanks."""
    out, previous = [], None
    for symbol in _one_dimensional("path", path):
        if symbol != previous and symbol != blank:
            out.append(int(symbol))
        previous = symbol
    return out


def ctc_forward(log_probs: Any, labels: Sequence[int]) -> tuple[float, np.ndarray]:
    """The CTC forward (alpha) recursion for one sequence, in log space.

    Args:
        log_probs: ``(time, classes)`` log-probabilities (log-softmax of the logits).
        labels: the target labelling, symbols in ``1..classes-1``.

    Returns:
        ``(loss, log_alpha)``: the negative log-likelihood ``-log p(labels | x)`` and the
        ``(time, 2 * len(labels) + 1)`` lattice of log forward variables over the
        extended label sequence ``blank, l1, blank, l2, ..., blank``.

    Raises:
        ValueError: for a wrong shape, labels outside the alphabet, or a labelling that
            needs more time steps than there are (:func:`min_time_steps`).
    """
    log_probs = _check_log_probs(log_probs)
    steps, classes = log_probs.shape
    labels = _check_labels("labels", labels, classes)
    needed = min_time_steps(labels)
    if needed > steps:
        raise ValueError(
            f"labels: expected a labelling that fits in {steps} time steps, got length "
            f"{len(labels)} which needs {needed} (its length plus its repeated neighbours)"
        )
    extended = np.full(2 * len(labels) + 1, BLANK)
    extended[1::2] = labels
    states = len(extended)
    log_alpha = np.full((steps, states), -np.inf)
    log_alpha[0, 0] = log_probs[0, BLANK]
    if states > 1:
        log_alpha[0, 1] = log_probs[0, extended[1]]
    # A state may be entered from itself, from the previous state, or by skipping a
    # blank between two *different* symbols.
    can_skip = np.zeros(states, dtype=bool)
    can_skip[2:] = (extended[2:] != BLANK) & (extended[2:] != extended[:-2])
    for t in range(1, steps):
        previous = log_alpha[t - 1]
        stay = previous
        step = np.concatenate([[-np.inf], previous[:-1]])
        two_back = np.concatenate([[-np.inf, -np.inf], previous])[:states]
        skip = np.where(can_skip, two_back, -np.inf)
        log_alpha[t] = np.logaddexp(np.logaddexp(stay, step), skip) + log_probs[t, extended]
    final = log_alpha[-1, -1] if states == 1 else np.logaddexp(log_alpha[-1, -1], log_alpha[-1, -2])
    return float(-final), log_alpha


def pad_labels(
    labels: Sequence[Sequence[int]], length: int | None = None, offset: int = 1
) -> np.ndarray:
    """Labels as an int32 array ``(n, length)`` for ``keras.losses.CTC``.

    Symbol ``i`` becomes class ``i + offset`` (so that no symbol is the blank, 0) and
    the padding after each label is 0, which Keras reads as "end of label".

    Args:
        labels: one sequence of non-negative symbol indices per example.
        length: the padded length; the longest label's length when ``None``.
        offset: added to every symbol; 1 keeps class 0 free for the blank.

    Raises:
        ValueError: for no labels, negative symbols, or a ``length`` shorter than the
            longest label.
    """
    check_sequence("labels", labels)
    if len(labels) == 0:
        raise ValueError("labels: expected at least one label, got none")
    offset = check_positive_int("offset", offset, minimum=0)
    rows = []
    for row, label in enumerate(labels):
        symbols = _one_dimensional(f"labels[{row}]", label)
        if symbols.size and not np.issubdtype(symbols.dtype, np.integer):
            raise ValueError(f"labels[{row}]: expected integer symbols, got {label!r}")
        if symbols.size and symbols.min() < 0:
            raise ValueError(f"labels: expected non-negative symbols, got {list(label)}")
        rows.append(symbols.astype(np.int64))
    longest = max(len(symbols) for symbols in rows)
    length = longest if length is None else check_positive_int("length", length)
    if length < longest:
        raise ValueError(f"length: expected at least the longest label ({longest}), got {length}")
    out = np.zeros((len(labels), length), np.int32)
    for row, symbols in enumerate(rows):
        out[row, : len(symbols)] = symbols + offset
    return out


def log_softmax(logits: Any) -> np.ndarray:
    """``logits - logsumexp(logits)`` along the last axis."""
    z = as_float_array("logits", logits)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(
            f"logits: expected at least one class on the last axis, got shape {z.shape}"
        )
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def ctc_loss(
    logits: Any,
    labels: Sequence[Sequence[int]],
    input_lengths: Sequence[int] | None = None,
) -> np.ndarray:
    """CTC loss of a batch, from logits, one value per sequence.

    Args:
        logits: ``(batch, time, classes)`` unnormalised scores (log-softmax is applied).
        labels: one labelling per sequence (lists of different lengths are fine).
        input_lengths: the valid time steps of each sequence (padding after them is
            ignored); all ``time`` steps when ``None``.

    Raises:
        ValueError: for mismatched batch sizes, lengths out of range, or a labelling that
            does not fit in its sequence.
    """
    logits = as_float_array("logits", logits, ndim=3, axes=("batch", "time", "classes"))
    batch, steps, _ = logits.shape
    check_sequence("labels", labels)
    if len(labels) != batch:
        raise ValueError(
            f"labels: expected {batch} labellings (one per sequence), got {len(labels)}"
        )
    lengths = _input_lengths(input_lengths, batch, steps)
    log_probs = log_softmax(logits)
    return np.array([ctc_forward(log_probs[b, : lengths[b]], labels[b])[0] for b in range(batch)])


def _input_lengths(input_lengths: Sequence[int] | None, batch: int, steps: int) -> list[int]:
    """The valid time steps of each sequence: all ``steps`` when ``None``, else checked."""
    if input_lengths is None:
        return [steps] * batch
    check_sequence("input_lengths", input_lengths)
    lengths = []
    for length in input_lengths:
        if isinstance(length, bool) or not isinstance(length, int | np.integer):
            raise TypeError(f"input_lengths: expected integer lengths, got {length!r}")
        lengths.append(int(length))
    if len(lengths) != batch:
        raise ValueError(f"input_lengths: expected {batch} lengths, got {len(lengths)}")
    for length in lengths:
        if not 1 <= length <= steps:
            raise ValueError(f"input_lengths: expected lengths in 1..{steps}, got {length}")
    return lengths


def greedy_decode(
    probabilities: Any, input_lengths: Sequence[int] | None = None
) -> list[list[int]]:
    """Best-path decoding: the most likely class at each step, then the collapse.

    Fast, and usually close to beam search when the network is confident; it is *not*
    the most likely labelling in general, because a labelling's probability sums over
    many paths.

    Args:
        probabilities: ``(batch, time, classes)`` probabilities, log-probabilities or
            logits (only the argmax matters).
        input_lengths: valid time steps per sequence; all when ``None``.

    Raises:
        ValueError: for a wrong shape, or lengths of the wrong number or out of range.
    """
    scores = as_float_array(
        "probabilities", probabilities, ndim=3, axes=("batch", "time", "classes")
    )
    lengths = _input_lengths(input_lengths, len(scores), scores.shape[1])
    best = scores.argmax(axis=-1)
    return [collapse(best[b, : lengths[b]]) for b in range(len(scores))]


def beam_search_decode(log_probs: Any, beam_width: int = 16) -> tuple[list[int], float]:
    """CTC prefix beam search for one sequence.

    Keeps the ``beam_width`` most probable *labellings* (prefixes), each with two
    probabilities: of the paths that end in a blank, and of those that end in the
    prefix's last symbol. Paths that collapse to the same prefix are merged, which is
    what makes this better than keeping the best *paths*.

    Args:
        log_probs: ``(time, classes)`` log-probabilities.
        beam_width: how many prefixes to keep (a positive integer).

    Returns:
        ``(labelling, log_probability)`` of the best prefix found.
    """
    log_probs = _check_log_probs(log_probs)
    beam_width = check_positive_int("beam_width", beam_width)
    steps, classes = log_probs.shape
    # prefix -> (log p ending in blank, log p ending in its last symbol)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, -np.inf)}
    for t in range(steps):
        grown: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [-np.inf, -np.inf])
        for prefix, (p_blank, p_symbol) in beams.items():
            total = np.logaddexp(p_blank, p_symbol)
            entry = grown[prefix]
            entry[0] = np.logaddexp(entry[0], total + log_probs[t, BLANK])
            if prefix:  # repeating the last symbol without a blank keeps the prefix
                entry[1] = np.logaddexp(entry[1], p_symbol + log_probs[t, prefix[-1]])
            for symbol in range(1, classes):
                extended = (*prefix, symbol)
                # After a symbol, the same symbol only extends the prefix via a blank.
                source = p_blank if prefix and prefix[-1] == symbol else total
                grown_entry = grown[extended]
                grown_entry[1] = np.logaddexp(grown_entry[1], source + log_probs[t, symbol])
        ranked = sorted(grown.items(), key=lambda item: -np.logaddexp(*item[1]))
        beams = {prefix: (pb, ps) for prefix, (pb, ps) in ranked[:beam_width]}
    best, (p_blank, p_symbol) = max(beams.items(), key=lambda item: np.logaddexp(*item[1]))
    return list(best), float(np.logaddexp(p_blank, p_symbol))

"""Synthetic sequence tasks generated from a seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion.validation import check_choice, check_positive_int, is_real_number


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
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
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
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
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


def sines(
    n: int,
    length: int = 24,
    features: int = 5,
    *,
    seed: int,
    max_frequency: float = 0.1,
    max_phase: float = 0.1,
    return_frequencies: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Multivariate sines with a random frequency and phase per feature (TimeGAN's data).

    Feature ``k`` of sequence ``i`` is ``(sin(f_ik * t + p_ik) + 1) / 2`` for
    ``t = 0, ..., length - 1``, with ``f_ik ~ U(0, max_frequency)`` and
    ``p_ik ~ U(0, max_phase)`` drawn independently, so every value lies in ``[0, 1]``.
    The defaults, ``U(0, 0.1)`` for both, are those of the released TimeGAN code
    (Yoon et al. 2019), whose paper describes a wider range; over 24 steps such a
    sine covers at most 2.4 radians, less than half a period.

    Args:
        n: number of sequences.
        length: time steps per sequence (at least 2).
        features: number of sines per sequence (at least 1).
        seed: random seed.
        max_frequency: upper end of the frequency range, in radians per step (> 0).
        max_phase: upper end of the phase range, in radians (>= 0).
        return_frequencies: also return the frequencies, e.g. to condition a model on them.

    Returns:
        ``x`` of shape ``(n, length, features)`` (float32), or ``(x, frequencies)`` with
        ``frequencies`` of shape ``(n, features)`` (float32) when ``return_frequencies``.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument.
    """
    n = check_positive_int("n", n)
    length = check_positive_int("length", length, minimum=2)
    features = check_positive_int("features", features)
    for name, value in (("max_frequency", max_frequency), ("max_phase", max_phase)):
        if not is_real_number(value):
            raise TypeError(f"{name}: expected a finite number, got {value!r}")
    if not np.isfinite(max_frequency) or max_frequency <= 0:
        raise ValueError(f"max_frequency: expected a finite number > 0, got {max_frequency!r}")
    if not np.isfinite(max_phase) or max_phase < 0:
        raise ValueError(f"max_phase: expected a finite number >= 0, got {max_phase!r}")
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    frequencies = rng.uniform(0.0, max_frequency, size=(n, 1, features))
    phases = rng.uniform(0.0, max_phase, size=(n, 1, features))
    steps = np.arange(length, dtype=np.float64)[None, :, None]
    x = ((np.sin(frequencies * steps + phases) + 1.0) / 2.0).astype(np.float32)
    if return_frequencies:
        return x, frequencies[:, 0, :].astype(np.float32)
    return x


MOVING_DIGIT_SPLITS = ("train", "validation", "test")


def moving_digits(
    n: int,
    length: int = 10,
    *,
    size: int = 16,
    n_digits: int = 1,
    scale: int = 1,
    speed: tuple[float, float] = (1.0, 1.5),
    split: str = "train",
    seed: int,
    return_labels: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sequences of handwritten digits that move in straight lines and bounce off the edges.

    A small "moving MNIST" (Srivastava, Mansimov & Salakhutdinov 2015) built offline from
    the 8x8 scikit-learn digits. Each sequence draws ``n_digits`` glyphs of one split of
    :func:`companion.data.digit_strings.glyph_pool` (the splits are disjoint, so test
    sequences show handwriting never seen in training), upscales them ``scale`` times
    (nearest neighbour), puts each at a random position with a random direction and a
    speed drawn uniformly from ``speed`` (pixels per frame), and moves it: a glyph that
    would leave the frame is reflected back, its velocity component reversed. Positions
    are continuous and rounded to whole pixels when drawn; overlapping glyphs combine by
    their pixel-wise maximum.

    Args:
        n: number of sequences.
        length: frames per sequence (at least 2).
        size: height and width of a frame in pixels; at least the glyph size
            ``8 * scale``.
        n_digits: glyphs per sequence.
        scale: upscaling factor of the 8x8 glyphs.
        speed: ``(low, high)`` speed range in pixels per frame, ``0 <= low <= high``.
        split: which glyphs to use: ``"train"``, ``"validation"`` or ``"test"``.
        seed: random seed.
        return_labels: also return the digit shown by each glyph.

    Returns:
        Frames ``(n, length, size, size, 1)``, float32 in ``[0, 1]``; with
        ``return_labels``, also the digits ``(n, n_digits)`` (int32).

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument, a frame smaller
            than the glyphs, a bad speed range or an unknown split.
    """
    from companion.data.digit_strings import glyph_pool

    n = check_positive_int("n", n)
    length = check_positive_int("length", length, minimum=2)
    size = check_positive_int("size", size)
    n_digits = check_positive_int("n_digits", n_digits)
    scale = check_positive_int("scale", scale)
    glyph_size = 8 * scale
    if size < glyph_size:
        raise ValueError(
            f"size: expected at least the glyph size 8 * scale = {glyph_size}, got {size}"
        )
    if (
        not isinstance(speed, tuple | list)
        or len(speed) != 2
        or not all(isinstance(s, int | float) and not isinstance(s, bool) for s in speed)
        or not 0 <= speed[0] <= speed[1]
        or not np.isfinite(speed[1])
    ):
        raise ValueError(
            f"speed: expected a range (low, high) of pixels per frame with 0 <= low <= high, "
            f"got {speed!r}"
        )
    check_choice("split", split, MOVING_DIGIT_SPLITS)
    seed = check_positive_int("seed", seed, minimum=0)
    glyphs, digits, _ = glyph_pool(split)
    glyphs = glyphs[:, :, :, 0].repeat(scale, axis=1).repeat(scale, axis=2)
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, len(glyphs), size=(n, n_digits))
    room = size - glyph_size  # the largest top-left coordinate
    position = rng.uniform(0, room, size=(n, n_digits, 2))
    angle = rng.uniform(0, 2 * np.pi, size=(n, n_digits))
    magnitude = rng.uniform(speed[0], speed[1], size=(n, n_digits))
    velocity = magnitude[..., None] * np.stack([np.sin(angle), np.cos(angle)], axis=-1)
    frames = np.zeros((n, length, size, size), dtype=np.float32)
    for t in range(length):
        corners = np.rint(position).astype(int)
        for b in range(n):
            for d in range(n_digits):
                row, col = corners[b, d]
                window = frames[b, t, row : row + glyph_size, col : col + glyph_size]
                np.maximum(window, glyphs[chosen[b, d]], out=window)
        position = position + velocity
        if room == 0:
            position[:] = 0.0
            continue
        # Reflect at the walls (repeatedly, for speeds larger than the free room).
        for _ in range(8):
            low, high = position < 0, position > room
            if not (low.any() or high.any()):
                break
            position = np.where(low, -position, np.where(high, 2 * room - position, position))
            velocity = np.where(low | high, -velocity, velocity)
    frames = frames[..., None]
    if return_labels:
        return frames, digits[chosen].astype(np.int32)
    return frames


ANOMALY_KINDS = ("spike", "level_shift", "frequency")


@dataclass(frozen=True)
class AnomalyWindows:
    """Windows of a noisy periodic signal, some with one injected anomaly.

    ``x`` is ``(n, length, 1)`` float32; ``labels`` is ``(n,)`` int32, 1 for a window
    with an anomaly; ``kinds`` is ``(n,)``, the anomaly's kind (``""`` for a normal
    window); ``points`` is ``(n, length)`` bool, the time steps the anomaly changed.
    """

    x: np.ndarray
    labels: np.ndarray
    kinds: np.ndarray
    points: np.ndarray


def anomaly_windows(
    n: int,
    length: int = 64,
    *,
    anomaly_fraction: float = 0.0,
    kinds: tuple[str, ...] = ANOMALY_KINDS,
    noise: float = 0.05,
    seed: int,
) -> AnomalyWindows:
    """Windows of ``sin(2 pi t / P + phase) + 0.3 sin(4 pi t / P + phase2)`` plus Gaussian
    noise, with labelled anomalies injected into a chosen share of them.

    Every window draws its period ``P`` uniformly from ``[16, 24]`` steps and its phases
    uniformly. An anomalous window receives one anomaly of a kind drawn uniformly from
    ``kinds``, starting at a random step in the middle half of the window:

    - ``"spike"``: 1 to 3 consecutive steps raised or lowered by 1.5 to 3;
    - ``"level_shift"``: every step from the start on shifted by ±(0.6 to 1.2);
    - ``"frequency"``: from the start on, the signal continues (phase-continuously) at
      1.6 to 2.2 times its frequency.

    Args:
        n: number of windows.
        length: time steps per window (at least 16).
        anomaly_fraction: share of windows with an anomaly, in ``[0, 1]``; the anomalous
            windows are exactly ``round(anomaly_fraction * n)`` of them, in random places.
        kinds: which kinds of anomaly to inject (a subset of ``ANOMALY_KINDS``).
        noise: standard deviation of the Gaussian noise, ``>= 0``.
        seed: random seed.

    Returns:
        An :class:`AnomalyWindows`.

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range argument or an unknown
            kind.
    """
    n = check_positive_int("n", n)
    length = check_positive_int("length", length, minimum=16)
    if (
        isinstance(anomaly_fraction, bool)
        or not isinstance(anomaly_fraction, int | float)
        or not 0 <= anomaly_fraction <= 1
    ):
        raise ValueError(f"anomaly_fraction: expected a share in [0, 1], got {anomaly_fraction!r}")
    if isinstance(kinds, str) or not len(kinds):
        raise ValueError(f"kinds: expected a non-empty tuple of kinds, got {kinds!r}")
    for kind in kinds:
        check_choice("kinds", kind, ANOMALY_KINDS)
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise < np.inf:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
    period = rng.uniform(16, 24, size=n)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 2))
    omega = 2 * np.pi / period
    # The phase advances by omega per step; a frequency anomaly speeds it up from its start.
    speed = np.ones((n, length))
    offset = np.zeros((n, length))
    points = np.zeros((n, length), dtype=bool)
    kind_of = np.full(n, "", dtype=object)
    anomalous = rng.permutation(n)[: round(anomaly_fraction * n)]
    for i in anomalous:
        kind = kinds[rng.integers(len(kinds))]
        start = int(rng.integers(length // 4, 3 * length // 4))
        kind_of[i] = kind
        sign = rng.choice([-1.0, 1.0])
        if kind == "spike":
            width = int(rng.integers(1, 4))
            offset[i, start : start + width] = sign * rng.uniform(1.5, 3.0)
            points[i, start : start + width] = True
        elif kind == "level_shift":
            offset[i, start:] = sign * rng.uniform(0.6, 1.2)
            points[i, start:] = True
        else:
            speed[i, start:] = rng.uniform(1.6, 2.2)
            # The phase at a step sums the speeds before it: the first changed step is the next.
            points[i, start + 1 :] = True
    angle = omega[:, None] * np.concatenate([np.zeros((n, 1)), np.cumsum(speed, 1)[:, :-1]], 1)
    signal = np.sin(angle + phase[:, :1]) + 0.3 * np.sin(2 * angle + phase[:, 1:])
    x = signal + offset + rng.normal(0, noise, size=(n, length)) if noise else signal + offset
    labels = np.zeros(n, dtype=np.int32)
    labels[anomalous] = 1
    return AnomalyWindows(x[..., None].astype(np.float32), labels, kind_of.astype(str), points)

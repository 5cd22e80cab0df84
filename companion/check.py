"""Self-checks for the exercises: grade your own implementation against the reference.

Each ``check_*`` function calls your function on random inputs and on edge cases, compares
what it returns with the course's reference implementation, and returns a
:class:`CheckResult` that says precisely what differs: the case, the shape, the first
element that is wrong and by how much. When your output equals that of a typical mistake
(transposed weights, a missing tanh or bias, gates in the wrong order, a true convolution
instead of Keras' cross-correlation, the wrong 'same' padding, a CTC recursion that skips
between repeated labels or stops a frame early...), the message names the likely cause;
when only your output's shape is wrong, it names the mistakes that give that shape.

Your function gets copies of the inputs, so one that changes its arguments in place
cannot change the expected values or the diagnosis.

Example::

    from companion import check
    print(check.check_rnn_forward(my_forward))   # "rnn_forward: passed 4 cases" or why not

A result is truthy when the check passed, so ``assert check.check_gru_step(gru_step)``
works in a test or an assignment's grader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion import cells, conv, ctc
from companion.validation import check_positive_int as _check_positive_int

RTOL, ATOL = 1e-4, 1e-5


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one self-check: ``passed``, how many ``cases`` ran, and a ``message``."""

    name: str
    passed: bool
    cases: int
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.message)


@dataclass(frozen=True)
class _Case:
    description: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    hint: str = ""  # added to the message when the reader's function raises on this case


# (likely cause, the mistaken computation): several computations may share one cause.
Mistakes = list[tuple[str, Callable[..., Any]]]


def _check_callable(fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"fn: expected your function (a callable), got {type(fn).__name__}")


def _copy(value: Any) -> Any:
    """A copy of an argument, so that the reader's function cannot change the original."""
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    if isinstance(value, list | tuple):
        return type(value)(_copy(item) for item in value)
    return value


def _fresh(case: _Case) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return _copy(case.args), {key: _copy(value) for key, value in case.kwargs.items()}


def _first_difference(got: np.ndarray, want: np.ndarray) -> str:
    if want.ndim == 0:
        return f"yours {float(got):.6g}, expected {float(want):.6g}"
    wrong = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    count = int(wrong.sum())
    worst = float(np.max(np.abs(got - want)))
    return (
        f"{count} of {want.size} values differ (largest difference {worst:.3g}); the first "
        f"at index {index}: yours {got[index]:.6g}, expected {want[index]:.6g}"
    )


def _matches(got: np.ndarray, candidate: np.ndarray) -> bool:
    return candidate.shape == got.shape and bool(np.allclose(got, candidate, rtol=RTOL, atol=ATOL))


def _run(
    name: str,
    fn: Callable[..., Any],
    cases: list[_Case],
    reference: Callable[..., Any],
    mistakes: Mistakes,
    shape_hint: str = "",
) -> CheckResult:
    """Compare ``fn`` with ``reference`` on every case; diagnose the first failure.

    ``shape_hint`` is added to the message when ``fn`` raises a ``ValueError`` (NumPy's
    error for a matrix product of mismatched shapes, as transposed weights give).
    """
    _check_callable(fn)
    for number, case in enumerate(cases, start=1):
        want = np.asarray(reference(*case.args, **case.kwargs), dtype=np.float64)
        where = f"{name}: case {number} of {len(cases)} ({case.description})"
        args, kwargs = _fresh(case)
        try:
            got_raw = fn(*args, **kwargs)
        except Exception as error:  # the reader's code may raise anything
            message = f"{where}: your function raised {type(error).__name__}: {error}"
            if shape_hint and isinstance(error, ValueError):
                message += f". {shape_hint}"
            if case.hint:
                message += f". {case.hint}"
            return CheckResult(name, False, number, message)
        try:
            got = np.asarray(got_raw, dtype=np.float64)
        except (TypeError, ValueError):
            message = f"{where}: expected an array, got {type(got_raw).__name__}"
            return CheckResult(name, False, number, message)
        if got.shape != want.shape:
            message = f"{where}: expected shape {want.shape}, got {got.shape}"
            hint = _diagnose(got, case, mistakes, by_shape=True)
            return CheckResult(name, False, number, message + hint)
        if not np.all(np.isfinite(got)):
            message = f"{where}: your result contains NaN or infinity"
            return CheckResult(name, False, number, message)
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
            message = f"{where}: {_first_difference(got, want)}"
            return CheckResult(name, False, number, message + _diagnose(got, case, mistakes))
    return CheckResult(name, True, len(cases), f"{name}: passed {len(cases)} cases")


def _mistaken_outputs(case: _Case, mistakes: Mistakes) -> Iterator[tuple[str, np.ndarray]]:
    for cause, mistaken in mistakes:
        try:
            with np.errstate(all="ignore"):
                value = mistaken(*case.args, **case.kwargs)
        except (ValueError, IndexError):  # a mistake that cannot even run on this case
            continue
        yield cause, np.asarray(value, dtype=np.float64)


def _diagnose(got: np.ndarray, case: _Case, mistakes: Mistakes, *, by_shape: bool = False) -> str:
    """The likely cause: the mistake whose output equals ``got``; failing that, when
    ``by_shape``, the mistakes whose output has ``got``'s shape."""
    outputs = list(_mistaken_outputs(case, mistakes))
    for cause, value in outputs:
        if _matches(got, value):
            return f". Likely cause: {cause}."
    if by_shape:
        causes = list(dict.fromkeys(cause for cause, value in outputs if value.shape == got.shape))
        if causes:
            return f". Likely cause, judging by the shape {got.shape}: {'; or '.join(causes)}."
    return ""


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(_check_positive_int("seed", seed, minimum=0))


# --- chapter 1: the Elman RNN ------------------------------------------------------------

_ELMAN_SHAPE_HINT = (
    "Check the shapes: with row vectors, w_xh is (features, units) and w_hh (units, "
    "units), used as x_t @ w_xh + h @ w_hh + b_h, with no transposes"
)


def _elman_step(x_t, h, w_xh, w_hh, b_h, *, transpose_hh=False, transpose_xh=False,
                bias=True, activation=np.tanh):  # fmt: skip
    """One Elman step with one of the typical slips switched on."""
    a = x_t @ (w_xh.T if transpose_xh else w_xh) + h @ (w_hh.T if transpose_hh else w_hh)
    return activation(a + b_h if bias else a)


def _identity(a: np.ndarray) -> np.ndarray:
    return a


_ELMAN_SLIPS: list[tuple[str, dict[str, Any]]] = [
    (
        "the recurrent matrix is transposed: use h @ w_hh, not h @ w_hh.T (row vectors)",
        {"transpose_hh": True},
    ),
    (
        "the input matrix is transposed: use x_t @ w_xh, not x_t @ w_xh.T (row vectors)",
        {"transpose_xh": True},
    ),
    ("the bias b_h is missing", {"bias": False}),
    ("the tanh is missing (a linear recurrence)", {"activation": _identity}),
]


def _rnn_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for batch, steps, features, units, with_h0 in [
        (2, 5, 3, 4, False),
        (3, 7, 2, 5, False),
        (1, 1, 4, 3, False),
        (2, 6, 3, 3, True),
    ]:
        weights = cells.ElmanWeights.random(features, units, seed=int(rng.integers(2**31)))
        x = rng.normal(size=(batch, steps, features))
        kwargs = {"h0": rng.normal(size=(batch, units))} if with_h0 else {}
        text = f"batch {batch}, {steps} steps, {features} features, {units} units"
        yield _Case(
            text + (", with h0" if with_h0 else ""),
            (x, weights.w_xh, weights.w_hh, weights.b_h),
            kwargs,
        )


def _rnn_reference(x, w_xh, w_hh, b_h, h0=None):
    return cells.elman_forward(x, cells.ElmanWeights(w_xh, w_hh, b_h), h0)


def _rnn_loop(x, w_xh, w_hh, b_h, h0=None, **slip):
    h = np.zeros((x.shape[0], w_hh.shape[0])) if h0 is None else h0
    states = []
    for t in range(x.shape[1]):
        h = _elman_step(x[:, t], h, w_xh, w_hh, b_h, **slip)
        states.append(h)
    return np.stack(states, axis=1)


def _with_slip(function: Callable[..., Any], slip: dict[str, Any]) -> Callable[..., Any]:
    return lambda *args, **kwargs: function(*args, **kwargs, **slip)


# A transposed w_xh is left out: it raises on the first case, (features, units) = (3, 4),
# and the shape hint says what to do.
_RNN_MISTAKES: Mistakes = [
    *(
        (cause, _with_slip(_rnn_loop, slip))
        for cause, slip in _ELMAN_SLIPS
        if "transpose_xh" not in slip
    ),
    (
        "the initial state h0 is ignored (the loop starts from zeros)",
        lambda x, w_xh, w_hh, b_h, h0=None: _rnn_reference(x, w_xh, w_hh, b_h, None),
    ),
    (
        "only the last hidden state is returned; return every step, (batch, time, units)",
        lambda x, w_xh, w_hh, b_h, h0=None: _rnn_reference(x, w_xh, w_hh, b_h, h0)[:, -1],
    ),
]


def check_rnn_forward(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x, w_xh, w_hh, b_h, h0=None)``: all hidden states of an Elman RNN.

    ``x`` is ``(batch, time, features)``, the weights are in the course's row-vector layout
    (``w_xh (features, units)``, ``w_hh (units, units)``, ``b_h (units,)``, as
    :class:`companion.cells.ElmanWeights`), and the result must be ``(batch, time,
    units)``. Chapter 1, exercise 2.
    """
    cases = list(_rnn_cases(seed))
    return _run("rnn_forward", fn, cases, _rnn_reference, _RNN_MISTAKES, _ELMAN_SHAPE_HINT)


def _rnn_step_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    # A square w_xh first: x_t @ w_xh.T runs on it, and the diagnosis can name the slip.
    for batch, features, units in [(2, 4, 4), (3, 5, 2), (1, 2, 3), (4, 6, 1)]:
        weights = cells.ElmanWeights.random(features, units, seed=int(rng.integers(2**31)))
        x_t = rng.normal(size=(batch, features))
        h_prev = rng.normal(scale=0.5, size=(batch, units))
        yield _Case(
            f"batch {batch}, {features} features, {units} units",
            (x_t, h_prev, weights.w_xh, weights.w_hh, weights.b_h),
            {},
        )


def _rnn_step_reference(x_t, h_prev, w_xh, w_hh, b_h):
    weights = cells.ElmanWeights(w_xh, w_hh, b_h)
    return cells.elman_forward(x_t[:, None], weights, h_prev)[:, 0]


_RNN_STEP_MISTAKES: Mistakes = [
    *((cause, _with_slip(_elman_step, slip)) for cause, slip in _ELMAN_SLIPS),
    (
        "the previous state h_prev is ignored: h_t = tanh(x_t @ w_xh + h_prev @ w_hh + b_h)",
        lambda x_t, h_prev, w_xh, w_hh, b_h: np.tanh(x_t @ w_xh + b_h),
    ),
]


def check_rnn_step(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x_t, h_prev, w_xh, w_hh, b_h) -> h_t``: one Elman step.

    ``h_t = tanh(x_t @ w_xh + h_prev @ w_hh + b_h)`` with row vectors: ``x_t (batch,
    features)``, ``h_prev (batch, units)``, ``w_xh (features, units)``, ``w_hh (units,
    units)``, ``b_h (units,)`` (:class:`companion.cells.ElmanWeights`); the result is
    ``(batch, units)``, the body of chapter 1's loop over time.
    """
    cases = list(_rnn_step_cases(seed))
    return _run("rnn_step", fn, cases, _rnn_step_reference, _RNN_STEP_MISTAKES, _ELMAN_SHAPE_HINT)


# --- chapter 2: LSTM and GRU steps -------------------------------------------------------


def _step_cases(seed: int, gates: int, gru: bool) -> Iterator[_Case]:
    rng = _rng(seed)
    for batch, features, units in [(2, 3, 4), (3, 5, 2), (1, 1, 1), (4, 2, 6)]:
        kernel = rng.normal(scale=0.5, size=(features, gates * units))
        recurrent = rng.normal(scale=0.5, size=(units, gates * units))
        bias_shape = (2, gates * units) if gru else (gates * units,)
        bias = rng.normal(scale=0.5, size=bias_shape)
        x_t = rng.normal(size=(batch, features))
        h_prev = rng.normal(scale=0.5, size=(batch, units))
        text = f"batch {batch}, {features} features, {units} units"
        if gru:
            yield _Case(text, (x_t, h_prev, kernel, recurrent, bias), {})
        else:
            c_prev = rng.normal(size=(batch, units))
            yield _Case(text, (x_t, h_prev, c_prev, kernel, recurrent, bias), {})


def _lstm_step_parts(x_t, h_prev, c_prev, kernel, recurrent, bias, order="ifco"):
    z = x_t @ kernel + h_prev @ recurrent + bias
    blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    i, f = cells.sigmoid(blocks["i"]), cells.sigmoid(blocks["f"])
    g, o = np.tanh(blocks["c"]), cells.sigmoid(blocks["o"])
    c = f * c_prev + i * g
    return i, f, g, o, c


def _lstm_step(x_t, h_prev, c_prev, kernel, recurrent, bias, order="ifco"):
    *_, o, c = _lstm_step_parts(x_t, h_prev, c_prev, kernel, recurrent, bias, order)
    return np.stack([o * np.tanh(c), c])


def _blocks_transposed(recurrent: np.ndarray, gates: int) -> np.ndarray:
    """Every gate's square ``(units, units)`` block of the recurrent kernel, transposed."""
    return np.concatenate([block.T for block in np.split(recurrent, gates, axis=-1)], axis=-1)


_TRANSPOSED_BLOCKS = (
    "each gate's recurrent matrix is transposed: use h_prev @ W_h, not h_prev @ W_h.T "
    "(row vectors, Keras' layout)"
)


def _lstm_reference(x_t, h_prev, c_prev, kernel, recurrent, bias):
    weights = cells.LSTMWeights(kernel, recurrent, bias)
    h, c = cells.lstm_forward(x_t[:, None], weights, h_prev, c_prev)
    return np.stack([h[:, 0], c[:, 0]])


def _lstm_stacked(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The reader's ``(h, c)`` pair as one array, so that one comparison covers both."""

    def stacked(*args: Any) -> Any:
        result = fn(*args)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise TypeError(f"expected the pair (h_t, c_t), got {type(result).__name__}")
        h, c = (np.asarray(part, dtype=np.float64) for part in result)
        if h.shape != c.shape:
            raise ValueError(f"h_t has shape {h.shape} but c_t has shape {c.shape}")
        return np.stack([h, c])

    return stacked


def _lstm_old_cell_output(x_t, h_prev, c_prev, kernel, recurrent, bias):
    *_, o, c = _lstm_step_parts(x_t, h_prev, c_prev, kernel, recurrent, bias)
    return np.stack([o * np.tanh(c_prev), c])


_LSTM_MISTAKES: Mistakes = [
    (
        "the gates are taken in the order i, f, o, c; Keras stores them as i, f, c, o "
        "(input, forget, cell candidate, output)",
        lambda *a: _lstm_step(*a, order="ifoc"),
    ),
    (
        "the gates are taken in the order f, i, c, o; Keras stores them as i, f, c, o",
        lambda *a: _lstm_step(*a, order="fico"),
    ),
    (
        "h_t uses the previous cell state: h_t = o_t * tanh(c_t), with the new c_t",
        _lstm_old_cell_output,
    ),
    (
        _TRANSPOSED_BLOCKS,
        lambda x, h, c, k, r, b: _lstm_step(x, h, c, k, _blocks_transposed(r, 4), b),
    ),
]

_STEP_SHAPE_HINT = (
    "Check the shapes: in Keras' layout, with row vectors, kernel is (features, {gates} "
    "units) and recurrent_kernel (units, {gates} units), used as x_t @ kernel + h_prev @ "
    "recurrent_kernel, with no transposes"
)


def check_lstm_step(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``.

    One LSTM step in Keras' layout: ``kernel (features, 4 units)``, ``recurrent_kernel
    (units, 4 units)``, ``bias (4 units,)``, gate blocks in the order i, f, c, o
    (:class:`companion.cells.LSTMWeights`). Chapter 2.
    """
    _check_callable(fn)
    cases = [
        _Case(case.description + "; compared as the stack [h_t, c_t]", case.args, case.kwargs)
        for case in _step_cases(seed, 4, gru=False)
    ]
    stacked = _lstm_stacked(fn)
    hint = _STEP_SHAPE_HINT.format(gates=4)
    return _run("lstm_step", stacked, cases, _lstm_reference, _LSTM_MISTAKES, hint)


def _gru_step(x_t, h_prev, kernel, recurrent, bias, *, order="zrh", swap_update=False):
    blocks = dict(zip(order, range(3), strict=True))

    def part(matrix, gate):
        return np.split(matrix, 3, axis=-1)[blocks[gate]]

    input_bias, recurrent_bias = bias
    z = cells.sigmoid(
        x_t @ part(kernel, "z")
        + part(input_bias, "z")
        + h_prev @ part(recurrent, "z")
        + part(recurrent_bias, "z")
    )
    r = cells.sigmoid(
        x_t @ part(kernel, "r")
        + part(input_bias, "r")
        + h_prev @ part(recurrent, "r")
        + part(recurrent_bias, "r")
    )
    g = np.tanh(
        x_t @ part(kernel, "h")
        + part(input_bias, "h")
        + r * (h_prev @ part(recurrent, "h") + part(recurrent_bias, "h"))
    )
    if swap_update:
        return (1.0 - z) * h_prev + z * g
    return z * h_prev + (1.0 - z) * g


def _gru_reset_before(x_t, h_prev, kernel, recurrent, bias):
    weights = cells.GRUWeights(kernel, recurrent, bias[0] + bias[1], reset_after=False)
    return cells.gru_forward(x_t[:, None], weights, h_prev)[:, 0]


def _gru_reference(x_t, h_prev, kernel, recurrent, bias):
    return cells.gru_forward(x_t[:, None], cells.GRUWeights(kernel, recurrent, bias), h_prev)[:, 0]


_GRU_MISTAKES: Mistakes = [
    (
        "the update gate is used the other way round: Keras computes h_t = z_t * h_prev + "
        "(1 - z_t) * candidate",
        lambda *a: _gru_step(*a, swap_update=True),
    ),
    (
        "the blocks are taken in the order r, z, h; Keras stores them as z, r, h",
        lambda *a: _gru_step(*a, order="rzh"),
    ),
    (
        "the reset gate multiplies h_prev before the matrix product (reset_after=False); "
        "Keras' default applies it after: r_t * (h_prev W_hh + b_hh)",
        _gru_reset_before,
    ),
    (_TRANSPOSED_BLOCKS, lambda x, h, k, r, b: _gru_step(x, h, k, _blocks_transposed(r, 3), b)),
]


def check_gru_step(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x_t, h_prev, kernel, recurrent_kernel, bias) -> h_t``: one GRU step.

    Keras' default layout (``reset_after=True``): blocks z, r, h; ``bias`` of shape
    ``(2, 3 units)`` holding the input and the recurrent bias
    (:class:`companion.cells.GRUWeights`). Chapter 2, exercise 2.
    """
    cases = list(_step_cases(seed, 3, gru=True))
    hint = _STEP_SHAPE_HINT.format(gates=3)
    return _run("gru_step", fn, cases, _gru_reference, _GRU_MISTAKES, hint)


# --- chapter 3: convolution and pooling --------------------------------------------------


def _conv_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for size, kernel_size, channels, filters, strides, padding in [
        ((5, 5), (3, 3), 1, 2, 1, "valid"),
        ((6, 7), (3, 2), 2, 3, 1, "same"),
        ((7, 7), (3, 3), 3, 2, 2, "valid"),
        ((6, 6), (2, 2), 1, 1, 2, "same"),
        ((5, 6), (4, 4), 2, 2, 1, "same"),  # even kernel: TensorFlow pads more at the end
        ((8, 8), (3, 3), 2, 2, 2, "same"),  # the stride changes the padding: (0, 1), not (1, 1)
    ]:
        x = rng.normal(size=(2, *size, channels))
        kernel = rng.normal(size=(*kernel_size, channels, filters))
        bias = rng.normal(size=(filters,))
        text = f"{size} image, {kernel_size} kernel, stride {strides}, {padding!r} padding"
        yield _Case(text, (x, kernel, bias), {"strides": strides, "padding": padding})


def _conv_reference(x, kernel, bias, strides=1, padding="valid"):
    return conv.conv2d(x, kernel, bias, strides=strides, padding=padding)


def _conv_padded(x, kernel, bias, strides, pads):
    """A 'valid' convolution of ``x`` padded with ``pads``: ((top, bottom), (left, right))."""
    padded = np.pad(x, ((0, 0), *pads, (0, 0)))
    return conv.conv2d(padded, kernel, bias, strides=strides, padding="valid")


def _conv_same_slip(slip: Callable[[int, int, int], tuple[int, int]]) -> Callable[..., Any]:
    """A convolution whose 'same' padding of each axis is ``slip(size, kernel, stride)``."""

    def mistaken(x, kernel, bias, strides=1, padding="valid"):
        if padding != "same":
            return _conv_reference(x, kernel, bias, strides, padding)
        pads = [slip(x.shape[axis + 1], kernel.shape[axis], strides) for axis in (0, 1)]
        return _conv_padded(x, kernel, bias, strides, pads)

    return mistaken


_SAME_RULE = (
    "TensorFlow pads max((ceil(n / s) - 1) * s + k - n, 0) in total, the extra row/column "
    "at the end (bottom, right)"
)

_CONV_MISTAKES: Mistakes = [
    (
        "the kernel is flipped (a true convolution); Keras' Conv2D is a cross-correlation: "
        "use kernel[i, j], not kernel[-1 - i, -1 - j]",
        lambda x, kernel, bias, **kw: _conv_reference(x, kernel[::-1, ::-1], bias, **kw),
    ),
    (
        "the bias is missing: add bias[o] to every output of filter o",
        lambda x, kernel, bias, **kw: _conv_reference(x, kernel, None, **kw),
    ),
    (
        "your output is the 'valid' size: padding='same' ignored? Pad the input first; "
        + _SAME_RULE,
        lambda x, kernel, bias, strides=1, padding="valid": _conv_reference(
            x, kernel, bias, strides, "valid"
        ),
    ),
    (
        "your output is the stride-1 size: the stride is ignored? Move the window by "
        "`strides` pixels: output (i, j) reads the input from (i * s, j * s)",
        lambda x, kernel, bias, strides=1, padding="valid": _conv_reference(
            x, kernel, bias, 1, padding
        ),
    ),
    (
        "the 'same' padding is the one for stride 1 (or the stride is taken after a "
        "stride-1 'same' convolution); the padding depends on the stride: " + _SAME_RULE,
        _conv_same_slip(lambda size, k, stride: conv.same_padding(size, k, 1)),
    ),
    (
        "'same' padding of k // 2 on both sides, which is right only for an odd kernel at "
        "stride 1; " + _SAME_RULE,
        _conv_same_slip(lambda size, k, stride: (k // 2, k // 2)),
    ),
    (
        "'same' padding puts the extra row/column at the start; TensorFlow puts it at the "
        "end (bottom, right)",
        _conv_same_slip(lambda size, k, stride: conv.same_padding(size, k, stride)[::-1]),
    ),
]


def check_conv2d(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x, kernel, bias, strides=1, padding="valid")`` against ``Conv2D``.

    ``x (batch, height, width, channels)``, ``kernel (kh, kw, channels, filters)``,
    ``bias (filters,)``; ``padding`` is ``"valid"`` or ``"same"`` (TensorFlow's rule, see
    :func:`companion.conv.same_padding`). The cases cover both paddings, strides 1 and 2,
    and even kernels. Chapter 3.
    """
    return _run("conv2d", fn, list(_conv_cases(seed)), _conv_reference, _CONV_MISTAKES)


def _pool_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for size, pool, strides, padding in [
        ((4, 4), 2, None, "valid"),
        ((5, 5), 2, None, "same"),
        ((6, 6), 3, 1, "valid"),
        ((5, 7), (2, 3), (2, 2), "same"),
    ]:
        x = rng.normal(size=(2, *size, 2)) - 1.0  # mostly negative: zero padding would win
        text = f"{size} image, pool {pool}, strides {strides}, {padding!r} padding"
        yield _Case(text, (x,), {"pool_size": pool, "strides": strides, "padding": padding})


def _pool_reference(x, pool_size=2, strides=None, padding="valid"):
    return conv.max_pool2d(x, pool_size, strides, padding)


def _pool_zero_padding(x, pool_size=2, strides=None, padding="valid"):
    if padding != "same":
        return _pool_reference(x, pool_size, strides, padding)
    pool = conv._pair("pool_size", pool_size)
    stride = conv._pair("strides", strides if strides is not None else pool_size)
    pads = [conv.same_padding(x.shape[axis + 1], pool[axis], stride[axis]) for axis in (0, 1)]
    padded = np.pad(x, ((0, 0), *pads, (0, 0)))
    return conv.max_pool2d(padded, pool_size, strides, "valid")


_POOL_MISTAKES: Mistakes = [
    (
        "'same' padding pads with zeros, which win over negative inputs; pad with -inf",
        _pool_zero_padding,
    ),
    (
        "strides=None should mean strides = pool_size (non-overlapping windows), not 1",
        lambda x, pool_size=2, strides=None, padding="valid": _pool_reference(
            x, pool_size, 1 if strides is None else strides, padding
        ),
    ),
]


def check_max_pool2d(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x, pool_size=2, strides=None, padding="valid")`` against ``MaxPooling2D``.

    ``strides=None`` means ``strides = pool_size``. Chapter 3.
    """
    return _run("max_pool2d", fn, list(_pool_cases(seed)), _pool_reference, _POOL_MISTAKES)


# --- chapter 5: the CTC forward algorithm ------------------------------------------------

# The cases: (frames T, classes, labels, what the case is about). Every labelling fits in
# its frames. An impossible case (T below ctc.min_time_steps(labels)) is left out because
# the reference has no value for it: ctc.ctc_forward raises a ValueError there.
_CTC_CASES: list[tuple[int, int, list[int], str]] = [
    (6, 4, [1, 2], ""),
    (8, 5, [1, 1, 2], "a repeated label: the path needs a blank between the two 1s"),
    (5, 3, [2, 2], "a repeated label: the path needs a blank between the two 2s"),
    (3, 3, [1], ""),
    (7, 6, [3, 1, 4, 1], ""),
    (3, 4, [1, 2, 3], "as few frames as the labels need: one frame per label"),
    (
        4,
        5,
        [1, 1, 2],
        "as few frames as the labels need, 3 labels + 1 repeat: the one path is 1, blank, 1, 2",
    ),
    (4, 3, [], "an empty labelling: the one path is all blanks"),
]

_EMPTY_LABELS_HINT = (
    "With empty labels, l' = [blank] has a single state: there is no alpha[0, 1], and the "
    "loss is -alpha[T - 1, 0]"
)


def _ctc_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for steps, classes, labels, note in _CTC_CASES:
        logits = rng.normal(scale=2.0, size=(steps, classes))
        log_probs = ctc.log_softmax(logits)
        text = f"{steps} frames, {classes} classes, labels {labels}" + (f": {note}" if note else "")
        hint = "" if labels else _EMPTY_LABELS_HINT
        yield _Case(text, (log_probs, list(labels)), {}, hint)


def _ctc_reference(log_probs, labels):
    return ctc.ctc_forward(log_probs, labels)[0]


def _with_blanks(labels: list[int], trailing: bool = True) -> list[int]:
    """The extended labelling l' = [blank, l1, blank, ..., lL, blank]."""
    extended = [ctc.BLANK]
    for label in labels:
        extended += [label, ctc.BLANK]
    return extended if trailing or not labels else extended[:-1]


def _ctc_variant(log_probs, labels, *, extended=None, skip=True, skip_repeats=False,
                 start_both=True, ends=(-1, -2), combine=np.logaddexp.reduce,
                 frames=None):  # fmt: skip
    """A forward recursion with one of the typical slips switched on: over ``extended``
    (l' by default), with ``combine`` adding up the predecessors, over the first
    ``frames`` frames, summing the final states ``ends``."""
    extended = _with_blanks(labels) if extended is None else extended
    states = len(extended)
    alpha = np.full(states, -np.inf)
    alpha[0] = log_probs[0, extended[0]]
    if start_both and states > 1:
        alpha[1] = log_probs[0, extended[1]]
    for t in range(1, len(log_probs) if frames is None else frames):
        new = np.full(states, -np.inf)
        for s in range(states):
            terms = [alpha[s]] + ([alpha[s - 1]] if s > 0 else [])
            can_skip = skip and s > 1 and extended[s] != ctc.BLANK
            if can_skip and (skip_repeats or extended[s] != extended[s - 2]):
                terms.append(alpha[s - 2])
            new[s] = combine(terms) + log_probs[t, extended[s]]
        alpha = new
    return -np.logaddexp.reduce([alpha[end] for end in ends])


_NO_BLANKS = (
    "no blanks in the extended labelling: l' must be [blank, l1, blank, l2, ..., lL, "
    "blank], 2L + 1 states, not the labels alone"
)

_CTC_MISTAKES: Mistakes = [
    (
        "the recursion skips over the blank between two equal labels; a repeated label "
        "needs the blank (no alpha[s - 2] term when l'[s] == l'[s - 2])",
        lambda lp, labels: _ctc_variant(lp, labels, skip_repeats=True),
    ),
    (
        "only paths ending on the last label are counted; add those ending on the final "
        "blank: the loss is -log(alpha[T - 1, -1] + alpha[T - 1, -2])",
        lambda lp, labels: _ctc_variant(lp, labels, ends=(-2,)),
    ),
    (
        "only paths starting with a blank are counted; a path may also start on the first "
        "label: alpha[0, 1] = log_probs[0, l1]",
        lambda lp, labels: _ctc_variant(lp, labels, start_both=False),
    ),
    (
        "the frame loop stops one frame early: your loss is that of the first T - 1 "
        "frames; the recursion runs for t = 1, ..., T - 1 (range(1, T))",
        lambda lp, labels: _ctc_variant(lp, labels, frames=len(lp) - 1),
    ),
    (
        "the extended labelling l' has no trailing blank, so no path can end on a blank: "
        "l' = [blank, l1, blank, ..., lL, blank], 2L + 1 states",
        lambda lp, labels: _ctc_variant(lp, labels, extended=_with_blanks(labels, False)),
    ),
    (_NO_BLANKS, lambda lp, labels: _ctc_variant(lp, labels, extended=list(labels))),
    (
        _NO_BLANKS,
        lambda lp, labels: _ctc_variant(
            lp, labels, extended=list(labels), skip=False, start_both=False, ends=(-1,)
        ),
    ),
    (
        "max instead of logsumexp: that is the log-probability of the best path alone "
        "(Viterbi); CTC adds up the probabilities of all paths, np.logaddexp in log space",
        lambda lp, labels: _ctc_variant(lp, labels, combine=max),
    ),
    (
        "the sign: the loss is -log p(labels | x), not log p",
        lambda lp, labels: -_ctc_reference(lp, labels),
    ),
    (
        "your result is the probability p(labels | x) itself (a product of probabilities "
        "summed over paths); the loss is -log p(labels | x)",
        lambda lp, labels: float(np.exp(-_ctc_reference(lp, labels))),
    ),
]


def check_ctc_loss(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(log_probs, labels) -> loss``: the CTC loss of one sequence.

    ``log_probs (time, classes)`` are log-softmax outputs with the blank at index 0;
    ``labels`` a list of symbols in ``1..classes-1``; the result is ``-log p(labels |
    x)``, a number (:func:`companion.ctc.ctc_forward`). The cases include repeated labels,
    labellings that fill every frame (``time == ctc.min_time_steps(labels)``) and an empty
    labelling. Chapter 5, exercise 1.
    """
    return _run("ctc_loss", fn, list(_ctc_cases(seed)), _ctc_reference, _CTC_MISTAKES)


# --- chapter 6: MASE ---------------------------------------------------------------------


def _mase_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for length, horizon, period in [(40, 6, 1), (60, 12, 12), (30, 5, 4), (26, 1, 12)]:
        steps = np.arange(length + horizon)
        series = np.sin(2 * np.pi * steps / max(period, 2)) * 3 + 0.1 * steps
        series = series + rng.normal(scale=0.5, size=series.shape)
        training, y_true = series[:length], series[length:]
        y_pred = y_true + rng.normal(scale=0.8, size=horizon)
        yield _Case(
            f"{length} training values, {horizon} forecasts, period {period}",
            (y_true, y_pred, training),
            {"period": period},
        )


def _mase_reference(y_true, y_pred, training, period=1):
    from companion import metrics

    return metrics.mase(y_true, y_pred, training, period)


def _naive_mae(series: np.ndarray, period: int) -> float:
    return float(np.mean(np.abs(series[period:] - series[:-period])))


def _forecast_mae(y_true, y_pred) -> float:
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


def _mase_test_scale(y_true, y_pred, training, period=1, *, with_training_tail=True):
    """MASE scaled by the naive errors of the test part (optionally after the training
    part's last season, which gives the first test values a naive forecast too)."""
    scaled = np.concatenate([training[-period:], y_true]) if with_training_tail else y_true
    if len(scaled) <= period:
        raise ValueError("no naive error within the test part")
    return _forecast_mae(y_true, y_pred) / _naive_mae(scaled, period)


_MASE_TEST_SCALE = (
    "the scale comes from the test part; it must be the training part's in-sample "
    "naive error, the same for every model"
)

_MASE_MISTAKES: Mistakes = [
    (
        "the scale ignores the season: the training part's naive errors must be taken "
        "`period` steps apart, not one",
        lambda y_true, y_pred, training, period=1: (
            _forecast_mae(y_true, y_pred) / _naive_mae(training, 1)
        ),
    ),
    (_MASE_TEST_SCALE, _mase_test_scale),
    (
        _MASE_TEST_SCALE,
        lambda *a, **k: _mase_test_scale(*a, **k, with_training_tail=False),
    ),
    (
        "squared errors: MASE divides mean absolute errors, not squared ones",
        lambda y_true, y_pred, training, period=1: (
            float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))
            / float(np.mean((training[period:] - training[:-period]) ** 2))
        ),
    ),
    (
        "the fraction is upside down: the forecast's error goes above, the naive error below",
        lambda y_true, y_pred, training, period=1: (
            _naive_mae(training, period) / _forecast_mae(y_true, y_pred)
        ),
    ),
]


def check_mase(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(y_true, y_pred, training, period=1) -> float``: the mean absolute scaled
    error (:func:`companion.metrics.mase`), the forecast's MAE over the training part's
    in-sample seasonal naive MAE. Chapter 6, exercise 3.
    """
    return _run("mase", fn, list(_mase_cases(seed)), _mase_reference, _MASE_MISTAKES)


# --- chapter 10: the GAN losses ----------------------------------------------------------


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _logit_cases(seed: int, two: bool) -> Iterator[_Case]:
    rng = _rng(seed)
    for batch, scale, text in [
        (8, 1.0, "small logits"),
        (5, 4.0, "confident logits"),
        (4, 400.0, "very large logits (a naive log(sigmoid) overflows)"),
    ]:
        real = rng.normal(scale=scale, size=(batch, 1)) + (scale if two else 0.0)
        fake = rng.normal(scale=scale, size=(batch, 1)) - 2 * scale
        yield _Case(f"batch {batch}, {text}", (real, fake) if two else (fake,), {})


def _discriminator_reference(real_logits, fake_logits):
    return float(np.mean(_softplus(-real_logits)) + np.mean(_softplus(fake_logits)))


def _generator_reference(fake_logits):
    return float(np.mean(_softplus(-fake_logits)))


_DOUBLE_SIGMOID = (
    "the logits went through a sigmoid twice: the loss takes logits, sigmoid(logit) = D"
)

_DISCRIMINATOR_MISTAKES: Mistakes = [
    (
        "the labels are swapped: real samples are the class 1 (D = 1), generated ones the class 0",
        lambda real, fake: float(np.mean(_softplus(real)) + np.mean(_softplus(-fake))),
    ),
    (
        "the sign: the loss is the cross-entropy, -E[log D(x)] - E[log(1 - D(G(z)))]",
        lambda real, fake: -_discriminator_reference(real, fake),
    ),
    (
        _DOUBLE_SIGMOID,
        lambda real, fake: _discriminator_reference(cells.sigmoid(real), cells.sigmoid(fake)),
    ),
    (
        "only the real samples' term is there; add -E[log(1 - D(G(z)))]",
        lambda real, fake: float(np.mean(_softplus(-real))),
    ),
]

_GENERATOR_MISTAKES: Mistakes = [
    (
        "the minimax (saturating) loss E[log(1 - D(G(z)))]; the non-saturating loss is "
        "-E[log D(G(z))], which keeps its gradient when D rejects the samples",
        lambda fake: -float(np.mean(_softplus(fake))),
    ),
    (
        "the sign: the generator minimises -E[log D(G(z))]",
        lambda fake: -_generator_reference(fake),
    ),
    (_DOUBLE_SIGMOID, lambda fake: _generator_reference(cells.sigmoid(fake))),
]


def check_discriminator_loss(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(real_logits, fake_logits) -> float``: the discriminator's cross-entropy
    ``-E[log D(x)] - E[log(1 - D(G(z)))]`` with ``D = sigmoid(logit)``, on logits of shape
    ``(batch, 1)`` (:func:`companion.training.discriminator_loss` without smoothing).
    Chapter 10, exercise 4.
    """
    cases = list(_logit_cases(seed, two=True))
    return _run("discriminator_loss", fn, cases, _discriminator_reference, _DISCRIMINATOR_MISTAKES)


def check_generator_loss(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(fake_logits) -> float``: the non-saturating generator loss
    ``-E[log D(G(z))]`` on logits of shape ``(batch, 1)``
    (:func:`companion.training.generator_loss`). Chapter 10, exercise 4.
    """
    cases = list(_logit_cases(seed, two=False))
    return _run("generator_loss", fn, cases, _generator_reference, _GENERATOR_MISTAKES)


# --- chapter 7: the ConvLSTM step --------------------------------------------------------


def _convlstm_cases(seed: int) -> Iterator[_Case]:
    rng = _rng(seed)
    for batch, size, channels, filters, k in [(2, 5, 1, 2, 3), (1, 6, 2, 3, 3), (2, 4, 3, 2, 1)]:
        weights = cells.ConvLSTMWeights.random(channels, filters, k, seed=int(rng.integers(2**31)))
        x_t = rng.normal(size=(batch, size, size, channels))
        h_prev, c_prev = (rng.normal(size=(batch, size, size, filters)) for _ in range(2))
        yield _Case(
            f"batch {batch}, {size}x{size} frames, {channels} channels, {filters} filters, "
            f"{k}x{k} kernels; compared as the stack [h_t, c_t]",
            (x_t, h_prev, c_prev, weights.kernel, weights.recurrent_kernel, weights.bias),
            {},
        )


def _convlstm_reference(x_t, h_prev, c_prev, kernel, recurrent, bias):
    weights = cells.ConvLSTMWeights(kernel, recurrent, bias)
    h, c = cells.convlstm_forward(x_t[:, None], weights, h_prev, c_prev)
    return np.stack([h[:, 0], c[:, 0]])


def _convlstm_step(x_t, h_prev, c_prev, kernel, recurrent, bias, *, order="ifco",
                   recurrent_term=True, flip=False):  # fmt: skip
    if flip:  # a true convolution instead of Keras' cross-correlation
        kernel, recurrent = kernel[::-1, ::-1], recurrent[::-1, ::-1]
    z = conv.conv2d(x_t, kernel, bias, padding="same")
    if recurrent_term:
        z = z + conv.conv2d(h_prev, recurrent, padding="same")
    blocks = dict(zip(order, np.split(z, 4, axis=-1), strict=True))
    i, f, o = (cells.sigmoid(blocks[gate]) for gate in "ifo")
    c = f * c_prev + i * np.tanh(blocks["c"])
    return np.stack([o * np.tanh(c), c])


_CONVLSTM_MISTAKES: Mistakes = [
    (
        "the gates are taken in the order i, f, o, c; Keras stores them as i, f, c, o",
        lambda *a: _convlstm_step(*a, order="ifoc"),
    ),
    (
        "the recurrent convolution W_h * h_prev is missing",
        lambda *a: _convlstm_step(*a, recurrent_term=False),
    ),
    (
        "the kernels are flipped (a true convolution); Keras' Conv2D and ConvLSTM2D "
        "cross-correlate",
        lambda *a: _convlstm_step(*a, flip=True),
    ),
]


def check_convlstm_step(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check ``fn(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)``.

    One ConvLSTM step with ``"same"`` padding in Keras' layout: ``x_t (batch, height,
    width, channels)``, states ``(batch, height, width, filters)``, ``kernel (k, k,
    channels, 4 filters)``, ``recurrent_kernel (k, k, filters, 4 filters)``, ``bias (4
    filters,)``, gate blocks in the order i, f, c, o
    (:class:`companion.cells.ConvLSTMWeights`). Chapter 7.
    """
    _check_callable(fn)
    cases = list(_convlstm_cases(seed))
    return _run("convlstm_step", _lstm_stacked(fn), cases, _convlstm_reference, _CONVLSTM_MISTAKES)

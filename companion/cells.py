"""NumPy reference implementations of recurrent cells, written as the chapters' equations.

Conventions (the same as Keras, so that weights can be copied across unchanged):
sequences are arrays of shape ``(batch, time, features)``, a time step ``x_t`` is a row
vector, and a layer computes ``x_t @ W`` rather than ``W @ x_t``.

Elman RNN (chapter 01), for ``t = 1..T`` with ``h_0`` given (zeros by default)::

    a_t = x_t W_xh + h_{t-1} W_hh + b_h
    h_t = tanh(a_t)

``keras.layers.SimpleRNN`` stores ``W_xh`` as ``kernel``, ``W_hh`` as ``recurrent_kernel``
and ``b_h`` as ``bias``.

LSTM, LSTM with peepholes and GRU (chapter 02): see :func:`lstm_forward` and
:func:`gru_forward`. Their weights keep Keras' layout, in which the gate blocks sit side
by side in one ``kernel``, one ``recurrent_kernel`` and one ``bias``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.validation import as_float_array, check_number, check_positive_int, check_shape

SEQUENCE_AXES = ("batch", "time", "features")


def _check_weights(weights: Any, kind: type) -> None:
    if not isinstance(weights, kind):
        raise TypeError(f"weights: expected {kind.__name__}, got {type(weights).__name__}")


def _check_layer(layer: Any) -> None:
    if not callable(getattr(layer, "get_weights", None)):
        raise TypeError(f"layer: expected a built Keras layer, got {type(layer).__name__}")


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Return the logistic function ``1 / (1 + exp(-z))``, computed without overflow."""
    z = as_float_array("z", z)
    return np.exp(-np.logaddexp(0.0, -z))


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return ``exp(z) / sum(exp(z))`` along ``axis``, computed without overflow."""
    z = as_float_array("logits", logits)
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise TypeError(f"axis: expected an integer, got {axis!r}")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis: expected an axis of the {z.ndim}-D logits, got {axis}")
    if z.shape[axis] == 0:
        raise ValueError(f"logits: expected at least one value along axis {axis}, got {z.shape}")
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class ElmanWeights:
    """The weights of an Elman RNN layer: ``w_xh (d, n)``, ``w_hh (n, n)``, ``b_h (n,)``."""

    w_xh: np.ndarray
    w_hh: np.ndarray
    b_h: np.ndarray

    def __post_init__(self) -> None:
        w_xh = as_float_array("w_xh", self.w_xh, ndim=2, axes=("features", "units"))
        units = w_xh.shape[1]
        w_hh = as_float_array("w_hh", self.w_hh, ndim=2, axes=("units", "units"))
        check_shape("w_hh", w_hh, (units, units))
        b_h = as_float_array("b_h", self.b_h, ndim=1, axes=("units",))
        check_shape("b_h", b_h, (units,))
        object.__setattr__(self, "w_xh", w_xh)
        object.__setattr__(self, "w_hh", w_hh)
        object.__setattr__(self, "b_h", b_h)

    @property
    def input_dim(self) -> int:
        """Number of input features ``d``."""
        return self.w_xh.shape[0]

    @property
    def units(self) -> int:
        """Number of hidden units ``n``."""
        return self.w_xh.shape[1]

    @classmethod
    def random(
        cls, input_dim: int, units: int, *, seed: int, recurrent_scale: float | None = None
    ) -> ElmanWeights:
        """Draw weights with a fixed seed.

        ``w_xh`` is Glorot-uniform, ``b_h`` is small and non-zero (so that tests exercise
        it). ``w_hh`` is a random orthogonal matrix times ``recurrent_scale`` (default 1):
        its singular values all equal the scale, which makes the scale the knob that
        decides whether gradients vanish.
        """
        input_dim = check_positive_int("input_dim", input_dim)
        units = check_positive_int("units", units)
        if recurrent_scale is not None:
            check_number("recurrent_scale", recurrent_scale, "a positive number")
        scale = 1.0 if recurrent_scale is None else float(recurrent_scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"recurrent_scale: expected a positive number, got {recurrent_scale}")
        rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
        limit = np.sqrt(6.0 / (input_dim + units))
        w_xh = rng.uniform(-limit, limit, size=(input_dim, units))
        q, r = np.linalg.qr(rng.normal(size=(units, units)))
        w_hh = scale * q * np.sign(np.diag(r))
        b_h = rng.normal(scale=0.1, size=units)
        return cls(w_xh, w_hh, b_h)

    @classmethod
    def from_keras(cls, layer: Any) -> ElmanWeights:
        """Copy the weights of a built ``keras.layers.SimpleRNN`` (or its cell).

        Raises:
            ValueError: if the layer has no bias or is not built.
        """
        _check_layer(layer)
        weights = layer.get_weights()
        if len(weights) != 3:
            raise ValueError(
                "layer: expected a built SimpleRNN with use_bias=True "
                f"(kernel, recurrent_kernel, bias), got {len(weights)} weight arrays"
            )
        return cls(*weights)

    def to_keras(self) -> list[np.ndarray]:
        """Return ``[kernel, recurrent_kernel, bias]`` for ``SimpleRNN.set_weights``."""
        return [
            self.w_xh.astype(np.float32),
            self.w_hh.astype(np.float32),
            self.b_h.astype(np.float32),
        ]


def _initial_state(state: Any, batch: int, units: int, name: str = "h0") -> np.ndarray:
    if state is None:
        return np.zeros((batch, units))
    state = as_float_array(name, state, ndim=2, axes=("batch", "units"))
    check_shape(name, state, (batch, units))
    return state


def _check_sequence(x: Any, input_dim: int) -> np.ndarray:
    x = as_float_array("x", x, ndim=3, axes=SEQUENCE_AXES)
    if x.shape[1] == 0:
        raise ValueError(f"x: expected at least one time step, got shape {x.shape}")
    check_shape("x", x, (None, None, input_dim))
    return x


def elman_forward(x: Any, weights: ElmanWeights, h0: Any = None) -> np.ndarray:
    """Run an Elman RNN over ``x`` and return every hidden state.

    Args:
        x: inputs of shape ``(batch, time, features)``.
        weights: the layer's weights.
        h0: the initial state ``(batch, units)``; zeros when ``None``.

    Returns:
        ``h`` of shape ``(batch, time, units)``: ``h[:, t]`` is ``h_{t+1}`` of the
        equations (the last one, ``h[:, -1]``, is what ``SimpleRNN`` returns by default).

    Raises:
        ValueError: if ``x`` is not 3-D, has no time step, or its feature axis does not
            match ``weights.input_dim``; or if ``h0`` has the wrong shape.
    """
    _check_weights(weights, ElmanWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    h_prev = _initial_state(h0, batch, weights.units)
    hidden = np.empty((batch, steps, weights.units))
    for t in range(steps):
        h_prev = np.tanh(x[:, t] @ weights.w_xh + h_prev @ weights.w_hh + weights.b_h)
        hidden[:, t] = h_prev
    return hidden


@dataclass(frozen=True)
class ElmanGradients:
    """Gradients of a loss with respect to an Elman layer's weights, inputs and states.

    ``h[:, t]`` is the total gradient ``dL/dh_t``: the loss's direct dependence on
    ``h_t`` plus everything that flows back through ``h_{t+1}, h_{t+2}, ...``.
    """

    w_xh: np.ndarray
    w_hh: np.ndarray
    b_h: np.ndarray
    x: np.ndarray
    h: np.ndarray
    h0: np.ndarray


def elman_backward(x: Any, weights: ElmanWeights, upstream: Any, h0: Any = None) -> ElmanGradients:
    """Backpropagation through time for :func:`elman_forward`, written by hand.

    Args:
        x: the inputs ``(batch, time, features)`` of the forward pass.
        weights: the layer's weights.
        upstream: ``dL/dh_t`` as seen directly by the loss, shape ``(batch, time, units)``
            (zeros at steps the loss does not read, e.g. all but the last one).
        h0: the initial state of the forward pass; zeros when ``None``.

    Returns:
        The gradients, see :class:`ElmanGradients`. Going backwards in time::

            g_t    = upstream_t + da_{t+1} W_hh^T        (total dL/dh_t)
            da_t   = g_t * (1 - h_t^2)                    (through tanh)
            dW_xh += x_t^T da_t,  dW_hh += h_{t-1}^T da_t,  db_h += sum_batch da_t
            dx_t   = da_t W_xh^T

    Raises:
        ValueError: if the shapes of ``x``, ``upstream`` or ``h0`` do not fit.
    """
    _check_weights(weights, ElmanWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    upstream = as_float_array("upstream", upstream, ndim=3, axes=("batch", "time", "units"))
    check_shape("upstream", upstream, (batch, steps, weights.units))
    h_init = _initial_state(h0, batch, weights.units)
    hidden = elman_forward(x, weights, h_init)
    previous = np.concatenate([h_init[:, None], hidden[:, :-1]], axis=1)

    d_w_xh = np.zeros_like(weights.w_xh)
    d_w_hh = np.zeros_like(weights.w_hh)
    d_b_h = np.zeros_like(weights.b_h)
    d_x = np.zeros_like(x)
    d_h = np.zeros_like(hidden)
    carried = np.zeros((batch, weights.units))  # da_{t+1} W_hh^T, zero after the last step
    for t in reversed(range(steps)):
        d_h[:, t] = upstream[:, t] + carried
        d_a = d_h[:, t] * (1.0 - hidden[:, t] ** 2)
        d_w_xh += x[:, t].T @ d_a
        d_w_hh += previous[:, t].T @ d_a
        d_b_h += d_a.sum(axis=0)
        d_x[:, t] = d_a @ weights.w_xh.T
        carried = d_a @ weights.w_hh.T
    return ElmanGradients(d_w_xh, d_w_hh, d_b_h, d_x, d_h, carried)


def _gate_blocks(matrix: np.ndarray, gates: int) -> list[np.ndarray]:
    """Split the last axis of a Keras kernel into its per-gate blocks."""
    return np.split(matrix, gates, axis=-1)


def _check_gate_blocks(
    kernel: Any, recurrent_kernel: Any, gates: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, int]:
    """Check a Keras-layout ``kernel (d, g*n)`` and ``recurrent_kernel (n, g*n)``.

    Returns both as float arrays and the number of units ``n``.
    """
    count = len(gates)
    kernel = as_float_array("kernel", kernel, ndim=2, axes=("features", f"{count}*units"))
    if kernel.shape[1] % count:
        raise ValueError(
            f"kernel: expected a last axis of {count} * units (gates {', '.join(gates)}), "
            f"got shape {kernel.shape}"
        )
    units = kernel.shape[1] // count
    recurrent = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2)
    check_shape("recurrent_kernel", recurrent, (units, count * units))
    return kernel, recurrent, units


def _random_gate_blocks(
    rng: np.random.Generator, input_dim: int, units: int, gates: int
) -> tuple[np.ndarray, np.ndarray]:
    """Keras' default initialisation of a gated layer: a Glorot-uniform ``kernel`` and
    orthogonal blocks side by side in ``recurrent_kernel``."""
    limit = np.sqrt(6.0 / (input_dim + gates * units))
    kernel = rng.uniform(-limit, limit, size=(input_dim, gates * units))
    blocks = []
    for _ in range(gates):
        q, r = np.linalg.qr(rng.normal(size=(units, units)))
        blocks.append(q * np.sign(np.diag(r)))
    return kernel, np.concatenate(blocks, axis=1)


@dataclass(frozen=True)
class LSTMWeights:
    """The weights of an LSTM layer, in Keras' layout.

    ``kernel (d, 4n)``, ``recurrent_kernel (n, 4n)`` and ``bias (4n,)`` hold the four gate
    blocks side by side in Keras' order **i, f, c, o** (input gate, forget gate, cell
    candidate, output gate): columns ``0:n`` belong to ``i``, ``n:2n`` to ``f`` and so on.
    The optional peepholes ``w_ci, w_cf, w_co (n,)`` are the *diagonal* cell-to-gate
    connections of Gers, Schraudolph & Schmidhuber (2002); ``None`` for a standard LSTM.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    w_ci: np.ndarray | None = None
    w_cf: np.ndarray | None = None
    w_co: np.ndarray | None = None

    def __post_init__(self) -> None:
        kernel, recurrent, units = _check_gate_blocks(
            self.kernel, self.recurrent_kernel, ("i", "f", "c", "o")
        )
        bias = as_float_array("bias", self.bias, ndim=1)
        check_shape("bias", bias, (4 * units,))
        object.__setattr__(self, "kernel", kernel)
        object.__setattr__(self, "recurrent_kernel", recurrent)
        object.__setattr__(self, "bias", bias)
        peepholes = [self.w_ci, self.w_cf, self.w_co]
        if any(p is None for p in peepholes) and not all(p is None for p in peepholes):
            raise ValueError("w_ci, w_cf, w_co: expected all three peepholes or none")
        for name in ("w_ci", "w_cf", "w_co"):
            if getattr(self, name) is not None:
                vector = as_float_array(name, getattr(self, name), ndim=1, axes=("units",))
                check_shape(name, vector, (units,))
                object.__setattr__(self, name, vector)

    @property
    def input_dim(self) -> int:
        """Number of input features ``d``."""
        return self.kernel.shape[0]

    @property
    def units(self) -> int:
        """Number of hidden units ``n``."""
        return self.kernel.shape[1] // 4

    @property
    def has_peepholes(self) -> bool:
        """Whether the cell state feeds the gates (Gers et al. 2002)."""
        return self.w_ci is not None

    @classmethod
    def random(
        cls, input_dim: int, units: int, *, seed: int, peepholes: bool = False
    ) -> LSTMWeights:
        """Draw weights with a fixed seed (Glorot kernel, orthogonal recurrent blocks).

        The bias is small and random and the peepholes, if any, too, so that a test
        exercises every term.
        """
        input_dim = check_positive_int("input_dim", input_dim)
        units = check_positive_int("units", units)
        rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
        kernel, recurrent = _random_gate_blocks(rng, input_dim, units, 4)
        bias = rng.normal(scale=0.1, size=4 * units)
        extra = rng.normal(scale=0.3, size=(3, units)) if peepholes else (None, None, None)
        return cls(kernel, recurrent, bias, *extra)

    @classmethod
    def from_keras(cls, layer: Any) -> LSTMWeights:
        """Copy the weights of a built ``keras.layers.LSTM`` or a peephole cell/layer.

        Raises:
            ValueError: if the layer does not hold 3 (LSTM) or 6 (peephole) weight arrays.
        """
        _check_layer(layer)
        weights = layer.get_weights()
        if len(weights) not in (3, 6):
            raise ValueError(
                "layer: expected a built LSTM with use_bias=True (3 weight arrays) or a "
                f"peephole LSTM (6), got {len(weights)} weight arrays"
            )
        return cls(*weights)

    def to_keras(self) -> list[np.ndarray]:
        """Return the weight list for ``set_weights`` (3 arrays, or 6 with peepholes)."""
        arrays = [self.kernel, self.recurrent_kernel, self.bias]
        if self.has_peepholes:
            arrays += [self.w_ci, self.w_cf, self.w_co]
        return [a.astype(np.float32) for a in arrays]


@dataclass(frozen=True)
class LSTMTrace:
    """Everything an LSTM computed, step by step: each field is ``(batch, time, units)``.

    ``i``, ``f``, ``o`` are the input, forget and output gates, ``g`` the cell candidate,
    ``c`` and ``h`` the cell and hidden states (``h[:, t]`` is ``h_{t+1}`` of the
    equations). :func:`lstm_backward` reads them; a chapter reads ``f`` to measure how
    much of the cell state survives from one step to the next.
    """

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_trace(x: Any, weights: LSTMWeights, h0: Any = None, c0: Any = None) -> LSTMTrace:
    """Run an LSTM (with peepholes when ``weights`` has them), keeping every gate.

    For each step, with ``z = x_t W_x + h_{t-1} W_h + b`` split into the gate blocks::

        i_t = sigmoid(z_i [+ c_{t-1} * w_ci])      input gate
        f_t = sigmoid(z_f [+ c_{t-1} * w_cf])      forget gate
        g_t = tanh(z_c)                            cell candidate
        c_t = f_t * c_{t-1} + i_t * g_t            cell state
        o_t = sigmoid(z_o [+ c_t * w_co])          output gate (peeks at the *new* cell)
        h_t = o_t * tanh(c_t)

    Args:
        x: inputs ``(batch, time, features)``.
        weights: the layer's weights.
        h0, c0: initial hidden and cell states ``(batch, units)``; zeros when ``None``.

    Returns:
        The gates and states of every step, see :class:`LSTMTrace`.

    Raises:
        ValueError: if the shapes of ``x``, ``h0`` or ``c0`` do not fit the weights.
    """
    _check_weights(weights, LSTMWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    h = _initial_state(h0, batch, weights.units, "h0")
    c = _initial_state(c0, batch, weights.units, "c0")
    trace = {name: np.empty((batch, steps, weights.units)) for name in "ifgoch"}
    for t in range(steps):
        z_i, z_f, z_c, z_o = _gate_blocks(
            x[:, t] @ weights.kernel + h @ weights.recurrent_kernel + weights.bias, 4
        )
        if weights.has_peepholes:
            z_i = z_i + c * weights.w_ci
            z_f = z_f + c * weights.w_cf
        i, f, g = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c)
        c = f * c + i * g
        if weights.has_peepholes:
            z_o = z_o + c * weights.w_co
        o = sigmoid(z_o)
        h = o * np.tanh(c)
        for name, value in zip("ifgoch", (i, f, g, o, c, h), strict=True):
            trace[name][:, t] = value
    return LSTMTrace(**trace)


def lstm_forward(
    x: Any, weights: LSTMWeights, h0: Any = None, c0: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run an LSTM (with peepholes when ``weights`` has them) and return all states.

    The equations are those of :func:`lstm_trace`, which also keeps the gates.

    Args:
        x: inputs ``(batch, time, features)``.
        weights: the layer's weights.
        h0, c0: initial hidden and cell states ``(batch, units)``; zeros when ``None``.

    Returns:
        ``(h, c)``, each ``(batch, time, units)``.

    Raises:
        ValueError: if the shapes of ``x``, ``h0`` or ``c0`` do not fit the weights.
    """
    trace = lstm_trace(x, weights, h0, c0)
    return trace.h, trace.c


@dataclass(frozen=True)
class LSTMGradients:
    """Gradients of a loss with respect to an LSTM's weights, inputs and states.

    ``kernel``, ``recurrent_kernel``, ``bias`` (and ``w_ci``, ``w_cf``, ``w_co`` with
    peepholes, else ``None``) have the weights' shapes; ``x`` the inputs'. ``h[:, t]`` and
    ``c[:, t]`` are the *total* gradients ``dL/dh_t`` and ``dL/dc_t`` (every path from the
    state to the loss), ``h0`` and ``c0`` those of the initial states.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    w_ci: np.ndarray | None
    w_cf: np.ndarray | None
    w_co: np.ndarray | None
    x: np.ndarray
    h: np.ndarray
    c: np.ndarray
    h0: np.ndarray
    c0: np.ndarray

    def weights(self) -> list[np.ndarray]:
        """The weight gradients in Keras' order (that of ``layer.trainable_weights``)."""
        arrays = [self.kernel, self.recurrent_kernel, self.bias]
        if self.w_ci is not None:
            arrays += [self.w_ci, self.w_cf, self.w_co]
        return arrays


def _check_upstream(name: str, upstream: Any, shape: tuple[int, int, int]) -> np.ndarray:
    if upstream is None:
        return np.zeros(shape)
    upstream = as_float_array(name, upstream, ndim=3, axes=("batch", "time", "units"))
    check_shape(name, upstream, shape)
    return upstream


def lstm_backward(
    x: Any,
    weights: LSTMWeights,
    upstream: Any,
    h0: Any = None,
    c0: Any = None,
    *,
    upstream_c: Any = None,
) -> LSTMGradients:
    """Backpropagation through time for :func:`lstm_forward`, written by hand.

    Args:
        x: the inputs ``(batch, time, features)`` of the forward pass.
        weights: the layer's weights (with or without peepholes).
        upstream: ``dL/dh_t`` as the loss sees it directly, ``(batch, time, units)``
            (zeros where the loss does not read ``h_t``).
        h0, c0: the initial states of the forward pass; zeros when ``None``.
        upstream_c: ``dL/dc_t`` seen directly by the loss, same shape; zeros when ``None``
            (a loss on the cell state, e.g. to measure ``dc_T/dc_t``).

    Returns:
        The gradients, see :class:`LSTMGradients`. Going backwards in time, with
        ``dh`` and ``dc`` the totals at step ``t``::

            do  = dh * tanh(c_t);            dz_o = do * o (1 - o)
            dc  = dc_next + dh * o (1 - tanh(c_t)^2) [+ dz_o * w_co]
            dz_i = dc * g * i (1 - i);  dz_f = dc * c_{t-1} * f (1 - f)
            dz_c = dc * i * (1 - g^2)
            dc_{t-1} = dc * f [+ dz_i * w_ci + dz_f * w_cf]       (the cell path: * f)
            dh_{t-1} = upstream_{t-1} + dz W_h^T,   dx_t = dz W_x^T
            dW_x += x_t^T dz,  dW_h += h_{t-1}^T dz,  db += sum_batch dz

    Raises:
        ValueError: if the shapes of ``x``, ``upstream``, ``upstream_c``, ``h0`` or ``c0``
            do not fit.
    """
    _check_weights(weights, LSTMWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    shape = (batch, steps, weights.units)
    upstream = as_float_array("upstream", upstream, ndim=3, axes=("batch", "time", "units"))
    check_shape("upstream", upstream, shape)
    upstream_c = _check_upstream("upstream_c", upstream_c, shape)
    h_init = _initial_state(h0, batch, weights.units, "h0")
    c_init = _initial_state(c0, batch, weights.units, "c0")
    trace = lstm_trace(x, weights, h_init, c_init)
    h_prev = np.concatenate([h_init[:, None], trace.h[:, :-1]], axis=1)
    c_prev = np.concatenate([c_init[:, None], trace.c[:, :-1]], axis=1)
    peep = weights.has_peepholes

    grads = {
        name: np.zeros_like(getattr(weights, name))
        for name in ("kernel", "recurrent_kernel", "bias")
    }
    peepholes = {name: np.zeros(weights.units) for name in ("w_ci", "w_cf", "w_co")}
    d_x, d_h, d_c = np.zeros_like(x), np.zeros(shape), np.zeros(shape)
    carried_h = np.zeros((batch, weights.units))  # dz_{t+1} W_h^T
    carried_c = np.zeros((batch, weights.units))  # dL/dc_t through step t+1
    for t in reversed(range(steps)):
        i, f, g, o, c = (getattr(trace, name)[:, t] for name in "ifgoc")
        d_h[:, t] = upstream[:, t] + carried_h
        tanh_c = np.tanh(c)
        d_zo = d_h[:, t] * tanh_c * o * (1.0 - o)
        dc = carried_c + upstream_c[:, t] + d_h[:, t] * o * (1.0 - tanh_c**2)
        if peep:
            dc = dc + d_zo * weights.w_co
            peepholes["w_co"] += (d_zo * c).sum(axis=0)
        d_c[:, t] = dc
        d_zi = dc * g * i * (1.0 - i)
        d_zf = dc * c_prev[:, t] * f * (1.0 - f)
        d_zc = dc * i * (1.0 - g**2)
        carried_c = dc * f
        if peep:
            carried_c = carried_c + d_zi * weights.w_ci + d_zf * weights.w_cf
            peepholes["w_ci"] += (d_zi * c_prev[:, t]).sum(axis=0)
            peepholes["w_cf"] += (d_zf * c_prev[:, t]).sum(axis=0)
        d_z = np.concatenate([d_zi, d_zf, d_zc, d_zo], axis=1)
        grads["kernel"] += x[:, t].T @ d_z
        grads["recurrent_kernel"] += h_prev[:, t].T @ d_z
        grads["bias"] += d_z.sum(axis=0)
        d_x[:, t] = d_z @ weights.kernel.T
        carried_h = d_z @ weights.recurrent_kernel.T
    extra = peepholes if peep else dict.fromkeys(peepholes)
    return LSTMGradients(**grads, **extra, x=d_x, h=d_h, c=d_c, h0=carried_h, c0=carried_c)


@dataclass(frozen=True)
class GRUWeights:
    """The weights of a GRU layer, in Keras' layout.

    ``kernel (d, 3n)`` and ``recurrent_kernel (n, 3n)`` hold the blocks in Keras' order
    **z, r, h** (update gate, reset gate, candidate). With ``reset_after=True`` (Keras'
    default, the cuDNN variant) ``bias`` has shape ``(2, 3n)``: an input bias and a
    recurrent bias, because the reset gate is applied *after* the recurrent matrix
    product; with ``reset_after=False`` (Cho et al., 2014) it has shape ``(3n,)``.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    reset_after: bool = True

    def __post_init__(self) -> None:
        kernel, recurrent, units = _check_gate_blocks(
            self.kernel, self.recurrent_kernel, ("z", "r", "h")
        )
        if not isinstance(self.reset_after, bool | np.bool_):
            raise TypeError(f"reset_after: expected True or False, got {self.reset_after!r}")
        bias = as_float_array("bias", self.bias)
        expected = (2, 3 * units) if self.reset_after else (3 * units,)
        if bias.shape != expected:
            raise ValueError(
                f"bias: expected shape {expected} for reset_after={self.reset_after}, "
                f"got {bias.shape}"
            )
        object.__setattr__(self, "kernel", kernel)
        object.__setattr__(self, "recurrent_kernel", recurrent)
        object.__setattr__(self, "bias", bias)

    @property
    def input_dim(self) -> int:
        """Number of input features ``d``."""
        return self.kernel.shape[0]

    @property
    def units(self) -> int:
        """Number of hidden units ``n``."""
        return self.kernel.shape[1] // 3

    @classmethod
    def random(
        cls, input_dim: int, units: int, *, seed: int, reset_after: bool = True
    ) -> GRUWeights:
        """Draw weights with a fixed seed (Glorot kernel, orthogonal recurrent blocks)."""
        input_dim = check_positive_int("input_dim", input_dim)
        units = check_positive_int("units", units)
        rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
        kernel, recurrent = _random_gate_blocks(rng, input_dim, units, 3)
        bias = rng.normal(scale=0.1, size=(2, 3 * units) if reset_after else 3 * units)
        return cls(kernel, recurrent, bias, reset_after)

    @classmethod
    def from_keras(cls, layer: Any) -> GRUWeights:
        """Copy the weights of a built ``keras.layers.GRU`` (``reset_after`` is read too).

        Raises:
            ValueError: if the layer has no bias.
        """
        _check_layer(layer)
        weights = layer.get_weights()
        if len(weights) != 3:
            raise ValueError(
                "layer: expected a built GRU with use_bias=True "
                f"(kernel, recurrent_kernel, bias), got {len(weights)} weight arrays"
            )
        cell = getattr(layer, "cell", layer)
        return cls(*weights, reset_after=bool(cell.reset_after))

    def to_keras(self) -> list[np.ndarray]:
        """Return ``[kernel, recurrent_kernel, bias]`` for ``GRU.set_weights``."""
        return [a.astype(np.float32) for a in (self.kernel, self.recurrent_kernel, self.bias)]


@dataclass(frozen=True)
class GRUTrace:
    """Everything a GRU computed, step by step: each field is ``(batch, time, units)``.

    ``z`` and ``r`` are the update and reset gates, ``g`` the candidate state and ``h``
    the hidden state (``h[:, t]`` is ``h_{t+1}`` of the equations).
    """

    z: np.ndarray
    r: np.ndarray
    g: np.ndarray
    h: np.ndarray


def _gru_biases(weights: GRUWeights) -> tuple[np.ndarray, np.ndarray]:
    """The input and recurrent biases; reset-before GRUs have a single (input) bias."""
    if weights.reset_after:
        return weights.bias[0], weights.bias[1]
    return weights.bias, np.zeros_like(weights.bias)


def gru_trace(x: Any, weights: GRUWeights, h0: Any = None) -> GRUTrace:
    """Run a GRU over ``x``, keeping every gate.

    For each step (``W_x``/``W_h`` blocks of the kernel and recurrent kernel)::

        z_t = sigmoid(x_t W_xz + h_{t-1} W_hz + b_z)                 update gate
        r_t = sigmoid(x_t W_xr + h_{t-1} W_hr + b_r)                 reset gate
        reset_after=True:  g_t = tanh(x_t W_xh + b_xh + r_t * (h_{t-1} W_hh + b_hh))
        reset_after=False: g_t = tanh(x_t W_xh + (r_t * h_{t-1}) W_hh + b_h)
        h_t = z_t * h_{t-1} + (1 - z_t) * g_t

    Returns:
        The gates and states of every step, see :class:`GRUTrace`.

    Raises:
        ValueError: if the shapes of ``x`` or ``h0`` do not fit the weights.
    """
    _check_weights(weights, GRUWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    h = _initial_state(h0, batch, weights.units)
    w_xz, w_xr, w_xh = _gate_blocks(weights.kernel, 3)
    w_hz, w_hr, w_hh = _gate_blocks(weights.recurrent_kernel, 3)
    input_bias, recurrent_bias = _gru_biases(weights)
    b_xz, b_xr, b_xh = _gate_blocks(input_bias, 3)
    b_hz, b_hr, b_hh = _gate_blocks(recurrent_bias, 3)
    trace = {name: np.empty((batch, steps, weights.units)) for name in "zrgh"}
    for t in range(steps):
        x_t = x[:, t]
        z = sigmoid(x_t @ w_xz + b_xz + h @ w_hz + b_hz)
        r = sigmoid(x_t @ w_xr + b_xr + h @ w_hr + b_hr)
        if weights.reset_after:
            g = np.tanh(x_t @ w_xh + b_xh + r * (h @ w_hh + b_hh))
        else:
            g = np.tanh(x_t @ w_xh + b_xh + (r * h) @ w_hh)
        h = z * h + (1.0 - z) * g
        for name, value in zip("zrgh", (z, r, g, h), strict=True):
            trace[name][:, t] = value
    return GRUTrace(**trace)


def gru_forward(x: Any, weights: GRUWeights, h0: Any = None) -> np.ndarray:
    """Run a GRU over ``x`` and return every hidden state ``(batch, time, units)``.

    The equations are those of :func:`gru_trace`, which also keeps the gates.

    Raises:
        ValueError: if the shapes of ``x`` or ``h0`` do not fit the weights.
    """
    return gru_trace(x, weights, h0).h


@dataclass(frozen=True)
class GRUGradients:
    """Gradients of a loss with respect to a GRU's weights, inputs and states.

    ``kernel``, ``recurrent_kernel`` and ``bias`` have the weights' shapes (``bias`` is
    ``(2, 3n)`` with ``reset_after=True``), ``x`` the inputs'; ``h[:, t]`` is the *total*
    gradient ``dL/dh_t`` and ``h0`` that of the initial state.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    x: np.ndarray
    h: np.ndarray
    h0: np.ndarray

    def weights(self) -> list[np.ndarray]:
        """The weight gradients in Keras' order (that of ``layer.trainable_weights``)."""
        return [self.kernel, self.recurrent_kernel, self.bias]


def gru_backward(x: Any, weights: GRUWeights, upstream: Any, h0: Any = None) -> GRUGradients:
    """Backpropagation through time for :func:`gru_forward`, written by hand.

    Args:
        x: the inputs ``(batch, time, features)`` of the forward pass.
        weights: the layer's weights (either ``reset_after`` convention).
        upstream: ``dL/dh_t`` as the loss sees it directly, ``(batch, time, units)``.
        h0: the initial state of the forward pass; zeros when ``None``.

    Returns:
        The gradients, see :class:`GRUGradients`. Going backwards in time, with ``dh``
        the total at step ``t`` and ``a_*`` the gates' pre-activations::

            da_z = dh * (h_{t-1} - g) * z (1 - z);   da_g = dh * (1 - z) * (1 - g^2)
            reset_after=True:   da_r = da_g * (h_{t-1} W_hh + b_hh) * r (1 - r)
                                dh_{t-1} = dh * z + [da_z, da_r, da_g * r] W_h^T
            reset_after=False:  d(r h) = da_g W_hh^T,  da_r = d(r h) * h_{t-1} * r (1 - r)
                                dh_{t-1} = dh * z + [da_z, da_r] W_hzr^T + d(r h) * r

    Raises:
        ValueError: if the shapes of ``x``, ``upstream`` or ``h0`` do not fit.
    """
    _check_weights(weights, GRUWeights)
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    n = weights.units
    upstream = as_float_array("upstream", upstream, ndim=3, axes=("batch", "time", "units"))
    check_shape("upstream", upstream, (batch, steps, n))
    h_init = _initial_state(h0, batch, n)
    trace = gru_trace(x, weights, h_init)
    h_prev = np.concatenate([h_init[:, None], trace.h[:, :-1]], axis=1)
    recurrent_bias = _gru_biases(weights)[1]
    w_h = weights.recurrent_kernel

    d_kernel, d_recurrent = np.zeros_like(weights.kernel), np.zeros_like(w_h)
    d_bias = np.zeros_like(weights.bias)
    d_x, d_h = np.zeros_like(x), np.zeros((batch, steps, n))
    carried = np.zeros((batch, n))  # what flows into h_t from step t+1
    for t in reversed(range(steps)):
        z, r, g, h_old = trace.z[:, t], trace.r[:, t], trace.g[:, t], h_prev[:, t]
        dh = upstream[:, t] + carried
        d_h[:, t] = dh
        da_z = dh * (h_old - g) * z * (1.0 - z)
        da_g = dh * (1.0 - z) * (1.0 - g**2)
        if weights.reset_after:
            recurrent_h = h_old @ w_h[:, 2 * n :] + recurrent_bias[2 * n :]
            da_r = da_g * recurrent_h * r * (1.0 - r)
            d_recurrent_part = np.concatenate([da_z, da_r, da_g * r], axis=1)
            d_recurrent += h_old.T @ d_recurrent_part
            d_bias[1] += d_recurrent_part.sum(axis=0)
            carried = dh * z + d_recurrent_part @ w_h.T
        else:
            d_reset_h = da_g @ w_h[:, 2 * n :].T
            da_r = d_reset_h * h_old * r * (1.0 - r)
            d_gates = np.concatenate([da_z, da_r], axis=1)
            d_recurrent[:, : 2 * n] += h_old.T @ d_gates
            d_recurrent[:, 2 * n :] += (r * h_old).T @ da_g
            carried = dh * z + d_gates @ w_h[:, : 2 * n].T + d_reset_h * r
        d_input_part = np.concatenate([da_z, da_r, da_g], axis=1)
        d_kernel += x[:, t].T @ d_input_part
        if weights.reset_after:
            d_bias[0] += d_input_part.sum(axis=0)
        else:
            d_bias += d_input_part.sum(axis=0)
        d_x[:, t] = d_input_part @ weights.kernel.T
    return GRUGradients(d_kernel, d_recurrent, d_bias, d_x, d_h, carried)


@dataclass(frozen=True)
class ConvLSTMWeights:
    """The weights of a 2-D ConvLSTM layer (Shi et al. 2015), in Keras' layout.

    ``kernel (k_h, k_w, c, 4f)``, ``recurrent_kernel (k_h, k_w, f, 4f)`` and ``bias (4f,)``
    hold the four gate blocks side by side on the last axis in the order **i, f, c, o**
    of :class:`LSTMWeights`; ``f`` is the number of filters (the state's channels). Each
    block is a convolution kernel where the LSTM has a matrix.
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray

    def __post_init__(self) -> None:
        kernel = as_float_array(
            "kernel", self.kernel, ndim=4, axes=("kh", "kw", "channels", "4*filters")
        )
        if kernel.shape[3] % 4:
            raise ValueError(
                "kernel: expected a last axis of 4 * filters (gates i, f, c, o), "
                f"got shape {kernel.shape}"
            )
        filters = kernel.shape[3] // 4
        recurrent = as_float_array(
            "recurrent_kernel",
            self.recurrent_kernel,
            ndim=4,
            axes=("kh", "kw", "filters", "4*filters"),
        )
        check_shape("recurrent_kernel", recurrent, (None, None, filters, 4 * filters))
        if recurrent.shape[0] % 2 == 0 or recurrent.shape[1] % 2 == 0:
            raise ValueError(
                "recurrent_kernel: expected odd kernel sizes (the state keeps its size "
                f"under 'same' padding), got shape {recurrent.shape}"
            )
        bias = as_float_array("bias", self.bias, ndim=1)
        check_shape("bias", bias, (4 * filters,))
        object.__setattr__(self, "kernel", kernel)
        object.__setattr__(self, "recurrent_kernel", recurrent)
        object.__setattr__(self, "bias", bias)

    @property
    def channels(self) -> int:
        """Number of input channels ``c``."""
        return self.kernel.shape[2]

    @property
    def filters(self) -> int:
        """Number of state channels ``f``."""
        return self.kernel.shape[3] // 4

    @classmethod
    def random(
        cls, channels: int, filters: int, kernel_size: int = 3, *, seed: int
    ) -> ConvLSTMWeights:
        """Draw weights with a fixed seed: uniform kernels and a small random bias."""
        channels = check_positive_int("channels", channels)
        filters = check_positive_int("filters", filters)
        kernel_size = check_positive_int("kernel_size", kernel_size)
        rng = np.random.default_rng(check_positive_int("seed", seed, minimum=0))
        k = kernel_size
        limit = np.sqrt(6.0 / (k * k * (channels + 4 * filters)))
        kernel = rng.uniform(-limit, limit, size=(k, k, channels, 4 * filters))
        limit = np.sqrt(3.0 / (k * k * filters))
        recurrent = rng.uniform(-limit, limit, size=(k, k, filters, 4 * filters))
        return cls(kernel, recurrent, rng.normal(scale=0.1, size=4 * filters))

    @classmethod
    def from_keras(cls, layer: Any) -> ConvLSTMWeights:
        """Copy the weights of a built ``keras.layers.ConvLSTM2D``.

        Raises:
            ValueError: if the layer has no bias (not 3 weight arrays).
        """
        _check_layer(layer)
        weights = layer.get_weights()
        if len(weights) != 3:
            raise ValueError(
                "layer: expected a built ConvLSTM2D with use_bias=True "
                f"(kernel, recurrent_kernel, bias), got {len(weights)} weight arrays"
            )
        return cls(*weights)

    def to_keras(self) -> list[np.ndarray]:
        """Return ``[kernel, recurrent_kernel, bias]`` for ``ConvLSTM2D.set_weights``."""
        return [a.astype(np.float32) for a in (self.kernel, self.recurrent_kernel, self.bias)]


def convlstm_forward(
    x: Any,
    weights: ConvLSTMWeights,
    h0: Any = None,
    c0: Any = None,
    *,
    padding: str = "same",
) -> tuple[np.ndarray, np.ndarray]:
    """Run a 2-D ConvLSTM over frames and return every hidden and cell state.

    The LSTM of :func:`lstm_forward` with every matrix product replaced by a convolution
    ``*`` (:func:`companion.conv.conv2d`); the states are feature maps::

        z_t = W_x * x_t + W_h * h_{t-1} + b        split into the blocks i, f, c, o
        i_t = sigmoid(z_i),  f_t = sigmoid(z_f),  o_t = sigmoid(z_o)
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ tanh(z_c)
        h_t = o_t ⊙ tanh(c_t)

    The input convolution uses ``padding``; the recurrent one always uses ``"same"``, so
    the state keeps its size (as in ``keras.layers.ConvLSTM2D``). Strides and dilation
    are 1.

    Args:
        x: frames ``(batch, time, height, width, channels)``.
        weights: the layer's weights.
        h0, c0: initial states ``(batch, out_height, out_width, filters)``; zeros when
            ``None``.
        padding: ``"same"`` or ``"valid"`` for the input convolution.

    Returns:
        ``(h, c)``, each ``(batch, time, out_height, out_width, filters)``.

    Raises:
        ValueError: if ``x`` is not 5-D, has no time step, or its channels do not match
            the kernel; or if ``h0``/``c0`` have the wrong shape.
    """
    from companion.conv import conv2d, conv_output_size

    _check_weights(weights, ConvLSTMWeights)
    x = as_float_array("x", x, ndim=5, axes=("batch", "time", "height", "width", "channels"))
    if x.shape[1] == 0:
        raise ValueError(f"x: expected at least one time step, got shape {x.shape}")
    check_shape("x", x, (None, None, None, None, weights.channels))
    batch, steps, height, width, _ = x.shape
    kh, kw = weights.kernel.shape[:2]
    state_shape = (
        batch,
        conv_output_size(height, kh, padding=padding),
        conv_output_size(width, kw, padding=padding),
        weights.filters,
    )
    states = []
    for name, value in (("h0", h0), ("c0", c0)):
        if value is None:
            states.append(np.zeros(state_shape))
        else:
            value = as_float_array(
                name, value, ndim=4, axes=("batch", "height", "width", "filters")
            )
            check_shape(name, value, state_shape)
            states.append(value)
    h, c = states
    hidden = np.empty((batch, steps, *state_shape[1:]))
    cells = np.empty_like(hidden)
    for t in range(steps):
        z = conv2d(x[:, t], weights.kernel, weights.bias, padding=padding) + conv2d(
            h, weights.recurrent_kernel, padding="same"
        )
        z_i, z_f, z_c, z_o = _gate_blocks(z, 4)
        c = sigmoid(z_f) * c + sigmoid(z_i) * np.tanh(z_c)
        h = sigmoid(z_o) * np.tanh(c)
        hidden[:, t], cells[:, t] = h, c
    return hidden, cells


def state_jacobian_norm(x: Any, weights: ElmanWeights | LSTMWeights | GRUWeights) -> np.ndarray:
    """How much of a change in the memory at step ``t`` still shows at the last step.

    The memory ``s`` is the hidden state ``h`` of an Elman RNN or a GRU and the cell state
    ``c`` of an LSTM. For each sequence and step, this returns
    ``||ds_T/ds_t||_F / sqrt(n)``, the Jacobian's root-mean-square gain per unit: 1 for the
    identity (a memory kept unchanged), near 0 when the step is forgotten. Every path
    from ``s_t`` to ``s_T`` counts (through the gates and the hidden state as well); it is
    computed with the hand-written backward passes, one per unit of ``s_T``.

    Args:
        x: inputs ``(batch, time, features)``, run from zero initial states.
        weights: an Elman, LSTM (with or without peepholes) or GRU layer's weights.

    Returns:
        ``(batch, time)``; column ``t`` belongs to ``s_{t+1}``, so the last column is 1.

    Raises:
        TypeError: if ``weights`` is not one of the three weight classes.
        ValueError: if ``x`` does not fit the weights.
    """
    backward = {
        ElmanWeights: lambda up: elman_backward(x, weights, up).h,
        GRUWeights: lambda up: gru_backward(x, weights, up).h,
        LSTMWeights: lambda up: lstm_backward(x, weights, np.zeros_like(up), upstream_c=up).c,
    }.get(type(weights))
    if backward is None:
        raise TypeError(
            "weights: expected ElmanWeights, LSTMWeights or GRUWeights, "
            f"got {type(weights).__name__}"
        )
    x = _check_sequence(x, weights.input_dim)
    batch, steps, _ = x.shape
    squares = np.zeros((batch, steps))
    for unit in range(weights.units):
        upstream = np.zeros((batch, steps, weights.units))
        upstream[:, -1, unit] = 1.0
        squares += (backward(upstream) ** 2).sum(axis=2)  # row `unit` of ds_T/ds_t
    return np.sqrt(squares / weights.units)

"""NumPy reference implementations of recurrent cells, written as the chapters' equations.

Conventions (the same as Keras, so that weights can be copied across unchanged):
sequences are arrays of shape ``(batch, time, features)``, a time step ``x_t`` is a row
vector, and a layer computes ``x_t @ W`` rather than ``W @ x_t``.

Elman RNN (chapter 01), for ``t = 1..T`` with ``h_0`` given (zeros by default)::

    a_t = x_t W_xh + h_{t-1} W_hh + b_h
    h_t = tanh(a_t)

``keras.layers.SimpleRNN`` stores ``W_xh`` as ``kernel``, ``W_hh`` as ``recurrent_kernel``
and ``b_h`` as ``bias``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.validation import as_float_array, check_positive_int, check_shape

SEQUENCE_AXES = ("batch", "time", "features")


def softmax(logits: np.ndarray, axis: int = -1) -> np.ndarray:
    """Return ``exp(z) / sum(exp(z))`` along ``axis``, computed without overflow."""
    z = as_float_array("logits", logits)
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
        scale = 1.0 if recurrent_scale is None else float(recurrent_scale)
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"recurrent_scale: expected a positive number, got {recurrent_scale}")
        rng = np.random.default_rng(seed)
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


def _initial_state(h0: Any, batch: int, units: int) -> np.ndarray:
    if h0 is None:
        return np.zeros((batch, units))
    h0 = as_float_array("h0", h0, ndim=2, axes=("batch", "units"))
    check_shape("h0", h0, (batch, units))
    return h0


def _check_sequence(x: Any, weights: ElmanWeights) -> np.ndarray:
    x = as_float_array("x", x, ndim=3, axes=SEQUENCE_AXES)
    if x.shape[1] == 0:
        raise ValueError(f"x: expected at least one time step, got shape {x.shape}")
    check_shape("x", x, (None, None, weights.input_dim))
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
    x = _check_sequence(x, weights)
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
    x = _check_sequence(x, weights)
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

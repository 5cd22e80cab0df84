"""NumPy references for convolution and pooling layers (chapter 03).

Layout as in Keras' default ``channels_last``: image batches are ``(batch, height, width,
channels)`` and a kernel is ``(kernel_height, kernel_width, in_channels, out_channels)``.
Like every deep-learning library, "convolution" here is cross-correlation (the kernel is
not flipped)::

    y[b, i, j, o] = bias[o] + sum_{u, v, c} x[b, i*s_h + u, j*s_w + v, c] * K[u, v, c, o]

where ``x`` has been padded first when ``padding="same"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from companion.validation import as_float_array, check_choice, check_positive_int

PADDINGS = ("valid", "same")
IMAGE_AXES = ("batch", "height", "width", "channels")


def _pair(name: str, value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, Sequence) or len(value) != 2:
        raise ValueError(f"{name}: expected an integer or a pair of integers, got {value!r}")
    return (check_positive_int(name, value[0]), check_positive_int(name, value[1]))


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1
) -> int:
    """Return the length of one spatial axis after a convolution or pooling.

    ``valid``: ``floor((size - dilation*(kernel-1) - 1) / stride) + 1``;
    ``same``: ``ceil(size / stride)`` (the input is padded so that every input position
    is covered). With an explicit padding ``p`` on each side, the general formula is
    ``floor((size + 2p - k) / stride) + 1`` with ``k = dilation*(kernel-1) + 1``.

    Raises:
        ValueError: for non-positive sizes, an unknown padding, or a kernel larger than a
            ``valid``-padded input (there would be no output at all).
    """
    size = check_positive_int("size", size)
    kernel = check_positive_int("kernel", kernel)
    stride = check_positive_int("stride", stride)
    dilation = check_positive_int("dilation", dilation)
    check_choice("padding", padding, PADDINGS)
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        return math.ceil(size / stride)
    if span > size:
        raise ValueError(
            f"kernel: expected a kernel span of at most the input size {size} with "
            f"padding='valid', got {span} (kernel {kernel}, dilation {dilation})"
        )
    return (size - span) // stride + 1


def same_padding(size: int, kernel: int, stride: int = 1) -> tuple[int, int]:
    """Return the ``(before, after)`` padding that TensorFlow's ``"same"`` adds to an axis.

    The total is ``max((ceil(size/stride) - 1) * stride + kernel - size, 0)``; when it is
    odd, the extra row or column goes *after* (bottom or right).
    """
    out = conv_output_size(size, kernel, stride, "same")
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _check_images(name: str, x: Any) -> np.ndarray:
    x = as_float_array(name, x, ndim=4, axes=IMAGE_AXES)
    if x.shape[1] == 0 or x.shape[2] == 0:
        raise ValueError(f"{name}: expected images of at least 1x1 pixels, got shape {x.shape}")
    return x


def _pad(
    x: np.ndarray, window: tuple[int, int], strides: tuple[int, int], value: float
) -> np.ndarray:
    (top, bottom), (left, right) = (
        same_padding(x.shape[1], window[0], strides[0]),
        same_padding(x.shape[2], window[1], strides[1]),
    )
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=value)


def _windows(
    x: np.ndarray, window: tuple[int, int], strides: tuple[int, int], padding: str, pad_value: float
) -> np.ndarray:
    """All windows of ``x``: shape ``(batch, out_h, out_w, channels, window_h, window_w)``."""
    for axis in (0, 1):  # raises when a valid-padded window does not fit
        conv_output_size(x.shape[axis + 1], window[axis], strides[axis], padding)
    if padding == "same":
        x = _pad(x, window, strides, pad_value)
    views = sliding_window_view(x, window, axis=(1, 2))
    return views[:, :: strides[0], :: strides[1]]


def conv2d(
    x: Any,
    kernel: Any,
    bias: Any = None,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """A 2-D convolution (cross-correlation) equal to ``keras.layers.Conv2D``.

    Args:
        x: images ``(batch, height, width, in_channels)``.
        kernel: ``(kernel_height, kernel_width, in_channels, out_channels)``.
        bias: ``(out_channels,)``, or ``None`` for no bias.
        strides: one integer or ``(stride_h, stride_w)``.
        padding: ``"valid"`` (no padding) or ``"same"`` (TensorFlow's padding).

    Returns:
        ``(batch, out_height, out_width, out_channels)``, sizes from
        :func:`conv_output_size`.

    Raises:
        ValueError: for wrong ranks, a channel mismatch between ``x`` and ``kernel``, a
            bias of the wrong length, or a kernel larger than a ``valid`` input.
    """
    x = _check_images("x", x)
    kernel = as_float_array(
        "kernel", kernel, ndim=4, axes=("kh", "kw", "in_channels", "out_channels")
    )
    if kernel.shape[2] != x.shape[3]:
        raise ValueError(
            f"kernel: expected {x.shape[3]} input channels (the last axis of x), "
            f"got kernel shape {kernel.shape}"
        )
    strides = _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    windows = _windows(x, kernel.shape[:2], strides, padding, 0.0)
    y = np.einsum("bijcuv,uvco->bijo", windows, kernel, optimize=True)
    if bias is not None:
        bias = as_float_array("bias", bias, ndim=1, axes=("out_channels",))
        if bias.shape[0] != kernel.shape[3]:
            raise ValueError(f"bias: expected shape ({kernel.shape[3]},), got {bias.shape}")
        y = y + bias
    return y


def max_pool2d(
    x: Any,
    pool_size: int | Sequence[int] = 2,
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
) -> np.ndarray:
    """2-D max pooling equal to ``keras.layers.MaxPooling2D``.

    Each output is the maximum of a ``pool_size`` window, per channel; ``strides``
    defaults to ``pool_size`` (non-overlapping windows). ``"same"`` padding pads with
    ``-inf`` so that padded positions never win.

    Raises:
        ValueError: for a wrong rank or a window larger than a ``valid`` input.
    """
    x = _check_images("x", x)
    pool = _pair("pool_size", pool_size)
    strides = pool if strides is None else _pair("strides", strides)
    check_choice("padding", padding, PADDINGS)
    if padding == "valid" and (pool[0] > x.shape[1] or pool[1] > x.shape[2]):
        raise ValueError(
            f"pool_size: expected a window of at most the input's (height, width) "
            f"{x.shape[1:3]} with padding='valid', got {pool}"
        )
    return _windows(x, pool, strides, padding, -np.inf).max(axis=(4, 5))


def receptive_field(layers: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Receptive field size and jump after each layer of a stack.

    Args:
        layers: ``(kernel, stride)`` of each convolution or pooling layer, input first
            (square kernels; dilation folded into the kernel span).

    Returns:
        For each layer, ``(field, jump)``: how many input pixels along one axis can
        influence one output unit, and how many input pixels apart two neighbouring output
        units are. The recursion is ``field += (kernel - 1) * jump; jump *= stride``.

    Raises:
        ValueError: if a kernel or stride is not a positive integer.
    """
    if isinstance(layers, str) or not isinstance(layers, Sequence):
        raise TypeError(f"layers: expected a sequence of (kernel, stride) pairs, got {layers!r}")
    field, jump, out = 1, 1, []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Sequence) or len(layer) != 2:
            raise ValueError(f"layers[{index}]: expected a (kernel, stride) pair, got {layer!r}")
        kernel = check_positive_int(f"layers[{index}] kernel", layer[0])
        stride = check_positive_int(f"layers[{index}] stride", layer[1])
        field += (kernel - 1) * jump
        jump *= stride
        out.append((field, jump))
    return out

"""Architecture diagrams of chapters 1-5, drawn by code in the chapters' own notation.

Each function returns a matplotlib ``Figure`` drawn in the course's style
(:data:`companion.plots.STYLE`). Every size, index and shape in a picture is computed from
the arguments, so a picture is true for what it shows: the convolution's output grid
comes from the output-size formula, the map-to-sequence shapes from the map's shape, and
the CTC lattice from the label and the number of frames under the rules of
:mod:`companion.ctc`. The structures behind three of them are public
(:func:`convolution_geometry`, :func:`map_to_sequence_shapes`, :func:`ctc_lattice_graph`),
so that tests and readers can check what is drawn.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

from companion import ctc
from companion.plots import STYLE
from companion.validation import check_choice, check_positive_int

COLOURS = {
    "input": "#d9ead3",
    "state": "#cfe2f3",
    "output": "#fce5cd",
    "gate": "#fff2cc",
    "candidate": "#ead1dc",
    "padding": "#e6e6e6",
    "highlight": "#cc0000",
    "highlight_fill": "#f4cccc",
    "line": "#333333",
    "muted": "#b7b7b7",
}
# Larger pictures than these stop being legible at notebook width.
#: The most time steps :func:`unrolled_rnn` draws.
MAX_RNN_STEPS = 6
MAX_CONV_SIZE = 10
MAX_CONV_PADDING = 3
MAX_MAP_HEIGHT = 6
MAX_MAP_WIDTH = 12
#: The longest label :func:`ctc_lattice_graph` draws.
MAX_CTC_LABEL = 6
#: The most frames :func:`ctc_lattice_graph` draws.
MAX_CTC_STEPS = 16
BLANK_SYMBOL = "-"

_Function = TypeVar("_Function", bound=Callable[..., Figure])


def _styled(function: _Function) -> _Function:
    """Draw inside the course's style without changing the caller's matplotlib settings."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with plt.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# --- argument checks ---------------------------------------------------------------------


def _check_int_range(name: str, value: Any, minimum: int, maximum: int, why: str = "") -> int:
    """``value`` as an int in ``minimum..maximum``; ``why`` explains the range in messages."""
    expected = f"{name}: expected an integer in {minimum}..{maximum}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{expected}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{expected}{f' ({why})' if why else ''}, got {value}")
    if value > maximum:
        raise ValueError(f"{expected} ({why or 'a larger picture is not legible'}), got {value}")
    return int(value)


def _check_title(title: Any, default: str) -> str:
    if title is None:
        return default
    if not isinstance(title, str):
        raise TypeError(f"title: expected a non-empty string or None, got {title!r}")
    if not title.strip():
        raise ValueError(f"title: expected a non-empty string or None, got {title!r}")
    return title


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


# --- drawing primitives ------------------------------------------------------------------


def _canvas(
    figsize: tuple[float, float], xlim: tuple[float, float], ylim: tuple[float, float], title: str
) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=figsize)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return fig, ax


def _box(
    ax: Axes,
    centre: tuple[float, float],
    size: tuple[float, float],
    text: str = "",
    *,
    colour: str = "white",
    fontsize: float = 11,
    gid: str | None = None,
    edge: str = COLOURS["line"],
    linewidth: float = 1.2,
) -> FancyBboxPatch:
    (x, y), (width, height) = centre, size
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0,rounding_size=0.12",
        facecolor=colour,
        edgecolor=edge,
        linewidth=linewidth,
        zorder=3,
    )
    patch.set_gid(gid)
    ax.add_patch(patch)
    if text:
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return patch


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: str = COLOURS["line"],
    head: bool = True,
    rad: float = 0.0,
    linewidth: float = 1.3,
    linestyle: str = "-",
    gid: str | None = None,
    bridge: bool = False,
) -> FancyArrowPatch:
    """An arrow (or a plain line with ``head=False``); ``bridge`` draws it over a white
    halo, so that where it crosses another line the crossing reads as a bridge."""
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>,head_length=0.4,head_width=0.2" if head else "-",
        mutation_scale=12,
        connectionstyle=f"arc3,rad={rad}",
        color=colour,
        linewidth=linewidth,
        linestyle=linestyle,
        shrinkA=0,
        shrinkB=0,
        zorder=2,
    )
    if bridge:
        patch.set_path_effects(
            [patheffects.Stroke(linewidth=5, foreground="white"), patheffects.Normal()]
        )
    patch.set_gid(gid)
    ax.add_patch(patch)
    return patch


def _polyline(ax: Axes, points: Sequence[tuple[float, float]], *, head: bool = True) -> None:
    """Straight segments through ``points``, with an arrow head on the last one."""
    for index, (start, end) in enumerate(itertools.pairwise(points)):
        _arrow(ax, start, end, head=head and index == len(points) - 2)


def _operator(ax: Axes, centre: tuple[float, float], kind: str, radius: float = 0.22) -> None:
    """A node for an element-wise product (a circled dot, ⊙) or a sum (a circled plus)."""
    x, y = centre
    ax.add_patch(
        Circle(centre, radius, facecolor="white", edgecolor=COLOURS["line"], lw=1.3, zorder=3)
    )
    if kind == "product":
        ax.add_patch(Circle(centre, radius * 0.22, color=COLOURS["line"], zorder=4))
    else:
        arm = radius * 0.6
        ax.plot([x - arm, x + arm], [y, y], color=COLOURS["line"], lw=1.3, zorder=4)
        ax.plot([x, x], [y - arm, y + arm], color=COLOURS["line"], lw=1.3, zorder=4)


def _dot(ax: Axes, centre: tuple[float, float]) -> None:
    ax.add_patch(Circle(centre, 0.06, color=COLOURS["line"], zorder=4))


# --- chapter 1: the Elman RNN --------------------------------------------------------------


@_styled
def unrolled_rnn(steps: int = 4, *, outputs: str = "all", title: str | None = None) -> Figure:
    """The Elman RNN of chapter 1, folded (one cell with its recurrent loop) and unrolled
    over ``steps`` time steps, labelled as in its equations: inputs
    :math:`\\mathbf{x}_t`, states :math:`\\mathbf{h}_t` (from :math:`\\mathbf{h}_0 =
    \\mathbf{0}`), logits :math:`\\mathbf{o}_t` and probabilities :math:`\\hat{\\mathbf{y}}_t`,
    with the same :math:`\\mathbf{W}_{xh}`, :math:`\\mathbf{W}_{hh}` and
    :math:`\\mathbf{W}_{hy}` at every step.

    Args:
        steps: time steps ``T`` of the unrolled network, 1 to :data:`MAX_RNN_STEPS`.
        outputs: ``"all"`` draws an output at every step (:math:`\\mathbf{o}_t` for each
            ``t``), ``"last"`` only at the last one (a classifier of the whole sequence).
        title: the figure's title; a description with ``T`` when ``None``.

    Raises:
        TypeError, ValueError: naming the argument, for a ``steps`` that is not an integer
            in range, an unknown ``outputs`` or an empty title.
    """
    steps = _check_int_range("steps", steps, 1, MAX_RNN_STEPS)
    check_choice("outputs", outputs, ("all", "last"))
    title = _check_title(
        title, f"An Elman RNN, folded and unrolled over T = {_plural(steps, 'step')}"
    )
    rows = {"x": 0.0, "h": 1.6, "o": 3.2, "y": 4.3}
    box = (1.0, 0.62)
    first, spacing = 4.6, 2.0
    right = first + spacing * (steps - 1) + 1.0
    margin = max(0.0, 6.0 / 0.62 - (right + 0.4)) / 2  # at least 6 inches wide, for the title
    left, right = -0.4 - margin, right + margin
    fig, ax = _canvas(((right - left) * 0.62, 6.2 * 0.62), (left, right), (-1.3, 4.9), title)

    def column(x: float, t: str, with_output: bool) -> None:
        _box(ax, (x, rows["x"]), box, f"$\\mathbf{{x}}_{{{t}}}$", colour=COLOURS["input"])
        _box(ax, (x, rows["h"]), box, f"$\\mathbf{{h}}_{{{t}}}$", colour=COLOURS["state"])
        _arrow(ax, (x, rows["x"] + box[1] / 2), (x, rows["h"] - box[1] / 2))
        ax.text(x + 0.08, (rows["x"] + rows["h"]) / 2, "$\\mathbf{W}_{xh}$", fontsize=9)
        if with_output:
            _box(ax, (x, rows["o"]), box, f"$\\mathbf{{o}}_{{{t}}}$", colour=COLOURS["output"])
            _arrow(ax, (x, rows["h"] + box[1] / 2), (x, rows["o"] - box[1] / 2))
            ax.text(x + 0.08, (rows["h"] + rows["o"]) / 2, "$\\mathbf{W}_{hy}$", fontsize=9)
            _arrow(ax, (x, rows["o"] + box[1] / 2), (x, rows["y"] - 0.2))
            ax.text(x, rows["y"], f"$\\hat{{\\mathbf{{y}}}}_{{{t}}}$", ha="center", fontsize=11)
            ax.text(x + 0.08, rows["o"] + 0.5, "softmax", fontsize=7.5, color="#555555")

    # Folded: one cell whose state feeds back into itself through W_hh.
    column(0.6, "t", True)
    loop_start = (0.6 + box[0] / 2, rows["h"] + 0.22)
    loop_end = (0.6 + box[0] / 2, rows["h"] - 0.22)
    _arrow(ax, loop_start, loop_end, rad=-2.4, gid="recurrent-loop")
    ax.text(1.72, rows["h"], "$\\mathbf{W}_{hh}$", fontsize=9, va="center")
    ax.text(0.6, -0.75, "folded", ha="center", fontsize=9, style="italic")
    ax.plot([2.45, 2.45], [-0.6, 4.6], color=COLOURS["muted"], lw=1, ls=":")

    # Unrolled: one copy of the cell per step, all with the same weights.
    ax.text(first - 1.55, rows["h"], "$\\mathbf{h}_0 = \\mathbf{0}$", ha="center", va="center")
    for index in range(steps):
        x = first + spacing * index
        column(x, str(index + 1), outputs == "all" or index == steps - 1)
        start = first - 1.05 if index == 0 else x - spacing + box[0] / 2
        _arrow(ax, (start, rows["h"]), (x - box[0] / 2, rows["h"]), gid="recurrent-step")
        ax.text(
            x - box[0] / 2 - 0.45,
            rows["h"] + 0.1,
            "$\\mathbf{W}_{hh}$",
            fontsize=9,
            ha="center",
            va="bottom",
        )
    shared = "one step" if steps == 1 else f"the same weights at each of the {steps} steps"
    ax.text(
        first + spacing * (steps - 1) / 2,
        -0.75,
        f"unrolled: {shared}",
        ha="center",
        fontsize=9,
        style="italic",
    )
    ax.text(
        (right + left) / 2,
        -1.25,
        "$\\mathbf{h}_t = \\tanh(\\mathbf{x}_t \\mathbf{W}_{xh} + \\mathbf{h}_{t-1}\\mathbf{W}_{hh}"
        " + \\mathbf{b}_h), \\quad \\mathbf{o}_t = \\mathbf{h}_t \\mathbf{W}_{hy} + \\mathbf{b}_y$",
        ha="center",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


# --- chapter 2: LSTM and GRU cells ---------------------------------------------------------


def _cell_frame(ax: Axes, lower_left: tuple[float, float], size: tuple[float, float]) -> None:
    frame = FancyBboxPatch(
        lower_left,
        *size,
        boxstyle="round,pad=0,rounding_size=0.35",
        facecolor="#f6f6f6",
        edgecolor=COLOURS["muted"],
        linewidth=1.2,
        zorder=0,
    )
    ax.add_patch(frame)


def _gate(
    ax: Axes,
    x: float,
    y: float,
    activation: str,
    weights: Sequence[str] | None,
    *,
    colour: str = COLOURS["gate"],
    gid: str,
    bus: float | None = None,
    name: str = "",
) -> None:
    """A gate's box (its activation inside, its ``name`` above its left corner), fed from
    the input bus at height ``bus``, with the names of its weights beside the arrow."""
    _box(ax, (x, y), GATE_BOX, activation, colour=colour, gid=gid, fontsize=11)
    if name:
        ax.text(
            x - 0.12,
            y + GATE_BOX[1] / 2 + 0.08,
            name,
            ha="right",
            va="bottom",
            fontsize=8.5,
            style="italic",
            color="#555555",
        )
    if bus is not None:
        _arrow(ax, (x, bus), (x, y - GATE_BOX[1] / 2))
        _dot(ax, (x, bus))
    if weights:
        ax.text(
            x - 0.1,
            (y + (bus if bus is not None else y - 1.4)) / 2 - 0.05,
            "\n".join(weights),
            ha="right",
            va="center",
            fontsize=8.5,
            linespacing=1.2,
        )


GATE_BOX = (1.1, 0.66)


def _gate_weight_names(gates: str, weights: bool) -> dict[str, list[str] | None]:
    """Per gate letter, the labels of its input and recurrent weights and bias (or None)."""
    return {
        gate: [
            f"$\\mathbf{{W}}_{{x{gate}}}$",
            f"$\\mathbf{{W}}_{{h{gate}}}$",
            f"$\\mathbf{{b}}_{{{gate}}}$",
        ]
        if weights
        else None
        for gate in gates
    }


def _state_path(
    ax: Axes, product: tuple[float, float], total: tuple[float, float], state: str, gate: str
) -> None:
    """The state path across the top of a gated cell: ``state_{t-1}``, times ``gate``, plus
    what is written, to ``state_t``."""
    top = product[1]
    ax.text(0.1, top, f"${state}_{{t-1}}$", ha="center", va="center", fontsize=12)
    _arrow(ax, (0.55, top), (product[0] - 0.22, top), head=False)
    _arrow(ax, (product[0] + 0.22, top), (total[0] - 0.22, top), head=False)
    _arrow(ax, (total[0] + 0.22, top), (12.0, top))
    ax.text(12.45, top, f"${state}_t$", ha="center", va="center", fontsize=12)
    label = f"${gate}\\odot{state}_{{t-1}}$"
    ax.text((product[0] + total[0]) / 2, top + 0.12, label, ha="center", va="bottom", fontsize=9)
    _operator(ax, product, "product")
    _operator(ax, total, "sum")


@_styled
def lstm_cell(*, weights: bool = True, peepholes: bool = False, title: str | None = None) -> Figure:
    """One step of chapter 2's LSTM: the gates :math:`\\mathbf{f}_t`, :math:`\\mathbf{i}_t`,
    :math:`\\mathbf{o}_t` (sigmoids) and the candidate :math:`\\mathbf{g}_t` (tanh) read
    :math:`\\mathbf{x}_t` and :math:`\\mathbf{h}_{t-1}`; the cell state runs along the top,
    :math:`\\mathbf{c}_t = \\mathbf{f}_t \\odot \\mathbf{c}_{t-1} + \\mathbf{i}_t \\odot
    \\mathbf{g}_t`, and :math:`\\mathbf{h}_t = \\mathbf{o}_t \\odot \\tanh(\\mathbf{c}_t)`.

    Args:
        weights: name each gate's weights (:math:`\\mathbf{W}_{xf}, \\mathbf{W}_{hf},
            \\mathbf{b}_f`, ...) beside it.
        peepholes: add the peephole connections of the peephole LSTM (dashed):
            :math:`\\mathbf{w}_{ci}, \\mathbf{w}_{cf}` from :math:`\\mathbf{c}_{t-1}` and
            :math:`\\mathbf{w}_{co}` from :math:`\\mathbf{c}_t`.
        title: the figure's title; a description when ``None``.

    Raises:
        TypeError, ValueError: naming the argument, for a flag that is not a boolean or an
            empty title.
    """
    weights = _check_bool("weights", weights)
    peepholes = _check_bool("peepholes", peepholes)
    kind = "A peephole LSTM cell" if peepholes else "An LSTM cell"
    title = _check_title(title, f"{kind}: three gates, a candidate, and the cell-state path")
    top, middle, gates, bus = 6.3, 4.6, 2.8, 1.1
    fig, ax = _canvas((7.4, 7.4 * 8.0 / 13.6), (-0.6, 13.0), (-0.9, 7.1), title)
    _cell_frame(ax, (1.0, 0.35), (10.4, 6.4))

    # The cell state: c_{t-1} -> (forget) -> (+ written) -> c_t.
    forget, add, show = (3.2, top), (6.4, top), (10.1, top)
    _state_path(ax, forget, add, "\\mathbf{c}", "\\mathbf{f}_t")

    # The input bus: h_{t-1} from the left, x_t from below, read by all four gates.
    ax.text(0.1, bus, "$\\mathbf{h}_{t-1}$", ha="center", va="center", fontsize=12)
    _arrow(ax, (0.55, bus), (8.6, bus), head=False)
    ax.text(1.8, -0.65, "$\\mathbf{x}_t$", ha="center", va="center", fontsize=12)
    _arrow(ax, (1.8, -0.4), (1.8, bus), head=False)
    _dot(ax, (1.8, bus))
    names = _gate_weight_names("ifco", weights)
    _gate(ax, 3.2, gates, "$\\sigma$", names["f"], gid="gate-f", bus=bus, name="forget")
    _gate(ax, 4.8, gates, "$\\sigma$", names["i"], gid="gate-i", bus=bus, name="input")
    _gate(
        ax,
        6.4,
        gates,
        "$\\tanh$",
        names["c"],
        colour=COLOURS["candidate"],
        gid="gate-g",
        bus=bus,
        name="candidate",
    )
    _gate(ax, 8.6, gates, "$\\sigma$", names["o"], gid="gate-o", bus=bus, name="output")

    # The gates' outputs.
    gate_top = gates + GATE_BOX[1] / 2
    _arrow(ax, (3.2, gate_top), (3.2, top - 0.22))
    ax.text(3.3, 4.6, "$\\mathbf{f}_t$", fontsize=11, va="center")
    write = (6.4, middle)
    _polyline(ax, [(4.8, gate_top), (4.8, middle), (write[0] - 0.22, middle)])
    ax.text(4.9, 3.75, "$\\mathbf{i}_t$", fontsize=11, va="center")
    _arrow(ax, (6.4, gate_top), (6.4, middle - 0.22))
    ax.text(6.5, 3.75, "$\\mathbf{g}_t$", fontsize=11, va="center")
    _operator(ax, write, "product")
    _arrow(ax, (6.4, middle + 0.22), (6.4, top - 0.22))
    ax.text(6.5, 5.45, "$\\mathbf{i}_t\\odot\\mathbf{g}_t$", fontsize=9, va="center")

    # The output: h_t = o_t * tanh(c_t).
    _dot(ax, show)
    _arrow(ax, show, (show[0], middle + 0.3))
    _box(ax, (show[0], middle), (1.0, 0.6), "$\\tanh$", colour=COLOURS["candidate"])
    product = (show[0], gates)
    _arrow(ax, (show[0], middle - 0.3), (show[0], gates + 0.22))
    ax.text(show[0] + 0.1, 3.7, "$\\tanh(\\mathbf{c}_t)$", fontsize=9, va="center")
    _arrow(ax, (8.6 + GATE_BOX[0] / 2, gates), (product[0] - 0.22, gates))
    ax.text(9.6, gates + 0.1, "$\\mathbf{o}_t$", fontsize=11, ha="center", va="bottom")
    _operator(ax, product, "product")
    _polyline(ax, [(show[0], gates - 0.22), (show[0], bus), (12.0, bus)])
    ax.text(12.45, bus, "$\\mathbf{h}_t$", ha="center", va="center", fontsize=12)

    if peepholes:
        dashed = {"linestyle": (0, (3, 2)), "colour": COLOURS["highlight"], "linewidth": 1.1}
        _dot(ax, (2.0, top))
        _polyline_dashed(ax, [(2.0, top), (2.0, gates), (3.2 - GATE_BOX[0] / 2, gates)], dashed)
        ax.text(1.9, 4.3, "$\\mathbf{w}_{cf}$", ha="right", fontsize=9, color=COLOURS["highlight"])
        _polyline_dashed(
            ax,
            [(2.0, 5.3), (3.98, 5.3), (3.98, gates), (4.8 - GATE_BOX[0] / 2, gates)],
            dashed,
            bridge=True,
        )
        ax.text(3.9, 5.42, "$\\mathbf{w}_{ci}$", ha="right", fontsize=9, color=COLOURS["highlight"])
        _dot(ax, (8.6, top))
        _polyline_dashed(ax, [(8.6, top), (8.6, gate_top)], dashed)
        ax.text(8.7, 4.6, "$\\mathbf{w}_{co}$", fontsize=9, color=COLOURS["highlight"])

    equation = (
        "$\\mathbf{c}_t = \\mathbf{f}_t \\odot \\mathbf{c}_{t-1} + \\mathbf{i}_t \\odot"
        " \\mathbf{g}_t, \\qquad \\mathbf{h}_t = \\mathbf{o}_t \\odot \\tanh(\\mathbf{c}_t)$"
    )
    ax.text(7.0, -0.65, equation, ha="center", va="center", fontsize=10)
    fig.tight_layout()
    return fig


def _polyline_dashed(
    ax: Axes,
    points: Sequence[tuple[float, float]],
    style: dict[str, Any],
    *,
    bridge: bool = False,
) -> None:
    for index, (start, end) in enumerate(itertools.pairwise(points)):
        last = index == len(points) - 2
        _arrow(ax, start, end, head=last, bridge=bridge, gid="peephole", **style)


@_styled
def gru_cell(*, weights: bool = True, title: str | None = None) -> Figure:
    """One step of chapter 2's GRU in Keras' ``reset_after`` form: the update gate
    :math:`\\mathbf{z}_t` and reset gate :math:`\\mathbf{r}_t` read :math:`\\mathbf{x}_t` and
    :math:`\\mathbf{h}_{t-1}`; the candidate is :math:`\\tilde{\\mathbf{h}}_t =
    \\tanh(\\mathbf{x}_t\\mathbf{W}_{xh} + \\mathbf{b}_{xh} + \\mathbf{r}_t \\odot
    (\\mathbf{h}_{t-1}\\mathbf{W}_{hh} + \\mathbf{b}_{hh}))`, and the state runs along the top,
    :math:`\\mathbf{h}_t = \\mathbf{z}_t \\odot \\mathbf{h}_{t-1} + (1 - \\mathbf{z}_t) \\odot
    \\tilde{\\mathbf{h}}_t`.

    Args:
        weights: name the gates' weights (:math:`\\mathbf{W}_{xz}, \\mathbf{W}_{hz},
            \\mathbf{b}_z`, ...) beside them.
        title: the figure's title; a description when ``None``.

    Raises:
        TypeError, ValueError: naming the argument, for a flag that is not a boolean or an
            empty title.
    """
    weights = _check_bool("weights", weights)
    title = _check_title(title, "A GRU cell (reset after the product, as in Keras)")
    top, mix, candidate, reset, gates, bus = 6.4, 5.35, 4.2, 3.3, 2.6, 1.0
    fig, ax = _canvas((7.4, 7.4 * 8.7 / 13.6), (-0.6, 13.0), (-1.5, 7.2), title)
    _cell_frame(ax, (0.9, 0.3), (10.6, 6.6))

    # The state path: h_{t-1} -> (kept: z_t) -> (+ new: 1 - z_t) -> h_t.
    keep, add = (3.0, top), (9.6, top)
    _state_path(ax, keep, add, "\\mathbf{h}", "\\mathbf{z}_t")

    # The input bus: h_{t-1} comes down from the state path, x_t up from below.
    _dot(ax, (1.3, top))
    _polyline(ax, [(1.3, top), (1.3, bus), (9.6, bus)], head=False)
    ax.text(1.9, -0.6, "$\\mathbf{x}_t$", ha="center", va="center", fontsize=12)
    _arrow(ax, (1.9, -0.4), (1.9, bus), head=False)
    _dot(ax, (1.9, bus))
    names = _gate_weight_names("zr", weights)
    _gate(ax, 3.0, gates, "$\\sigma$", names["z"], gid="gate-z", bus=bus, name="update")
    _gate(ax, 5.0, gates, "$\\sigma$", names["r"], gid="gate-r", bus=bus, name="reset")

    # The candidate: r_t resets the recurrent product, then the input term is added.
    recurrent, direct = (7.0, 2.0), (9.6, 2.0)
    _box(
        ax,
        recurrent,
        (2.2, 0.6),
        "$\\mathbf{h}_{t-1}\\mathbf{W}_{hh} + \\mathbf{b}_{hh}$",
        colour=COLOURS["candidate"],
        fontsize=9.5,
        gid="candidate-recurrent",
    )
    _box(
        ax,
        direct,
        (2.2, 0.6),
        "$\\mathbf{x}_t\\mathbf{W}_{xh} + \\mathbf{b}_{xh}$",
        colour=COLOURS["candidate"],
        fontsize=9.5,
        gid="candidate-input",
    )
    for x in (recurrent[0], direct[0]):
        _arrow(ax, (x, bus), (x, 1.7))
        _dot(ax, (x, bus))
    _arrow(ax, (recurrent[0], 2.3), (recurrent[0], reset - 0.22))
    _polyline(ax, [(5.0, gates + GATE_BOX[1] / 2), (5.0, reset), (recurrent[0] - 0.22, reset)])
    ax.text(5.1, reset + 0.08, "$\\mathbf{r}_t$", fontsize=11, va="bottom")
    _operator(ax, (recurrent[0], reset), "product")
    _arrow(ax, (recurrent[0] + 0.22, reset), (direct[0] - 0.22, reset))
    _arrow(ax, (direct[0], 2.3), (direct[0], reset - 0.22))
    _operator(ax, (direct[0], reset), "sum")
    _arrow(ax, (direct[0], reset + 0.22), (direct[0], candidate - 0.28))
    _box(ax, (direct[0], candidate), (1.0, 0.56), "$\\tanh$", colour=COLOURS["candidate"])
    _arrow(ax, (direct[0], candidate + 0.28), (direct[0], mix - 0.22))
    ax.text(direct[0] + 0.15, 4.8, "$\\tilde{\\mathbf{h}}_t$", fontsize=11, va="center")

    # The update gate mixes old state and candidate.
    _arrow(ax, (3.0, gates + GATE_BOX[1] / 2), (3.0, top - 0.22))
    ax.text(3.1, 4.1, "$\\mathbf{z}_t$", fontsize=11, va="center")
    _dot(ax, (3.0, mix))
    _arrow(ax, (3.0, mix), (5.6, mix))
    _box(ax, (6.0, mix), (0.8, 0.5), "$1 -$", fontsize=10, gid="one-minus")
    _arrow(ax, (6.4, mix), (direct[0] - 0.22, mix))
    ax.text(7.9, mix + 0.08, "$1 - \\mathbf{z}_t$", fontsize=9.5, ha="center", va="bottom")
    _operator(ax, (direct[0], mix), "product")
    _arrow(ax, (direct[0], mix + 0.22), (direct[0], top - 0.22))
    ax.text(
        direct[0] + 0.1,
        5.85,
        "$(1-\\mathbf{z}_t)\\odot\\tilde{\\mathbf{h}}_t$",
        fontsize=9,
        va="center",
    )

    equation = (
        "$\\tilde{\\mathbf{h}}_t = \\tanh(\\mathbf{x}_t\\mathbf{W}_{xh} + \\mathbf{b}_{xh} +"
        " \\mathbf{r}_t \\odot (\\mathbf{h}_{t-1}\\mathbf{W}_{hh} + \\mathbf{b}_{hh})), \\quad"
        " \\mathbf{h}_t = \\mathbf{z}_t\\odot\\mathbf{h}_{t-1} + (1-\\mathbf{z}_t)\\odot"
        "\\tilde{\\mathbf{h}}_t$"
    )
    ax.text(6.2, -1.2, equation, ha="center", va="center", fontsize=9.5)
    fig.tight_layout()
    return fig


# --- chapter 3: a convolution window ------------------------------------------------------


@dataclass(frozen=True)
class ConvolutionGeometry:
    """One spatial axis of a convolution, as in chapter 3's output-size formula (the
    picture uses it on both axes of a square input).

    Attributes:
        size: the input length :math:`n`.
        kernel: the window length :math:`k`.
        padding: zeros added on each side, :math:`p`.
        stride: the step between windows, :math:`s`.
    """

    size: int
    kernel: int
    padding: int
    stride: int

    @property
    def padded_size(self) -> int:
        """:math:`n + 2p`, the length after padding."""
        return self.size + 2 * self.padding

    @property
    def output_size(self) -> int:
        """:math:`n_{\\text{out}} = \\lfloor (n + 2p - k)/s \\rfloor + 1`."""
        return (self.padded_size - self.kernel) // self.stride + 1

    def window_start(self, index: int) -> int:
        """Where output ``index``'s window starts in the padded input: ``index * stride``
        (chapter 3's :math:`x_{i s + u}`, :math:`u = 0, \\dots, k-1`)."""
        index = check_positive_int("index", index, minimum=0)
        if index >= self.output_size:
            raise ValueError(
                f"index: expected an output index in 0..{self.output_size - 1}, got {index}"
            )
        return index * self.stride

    def is_padding(self, index: int) -> bool:
        """Whether position ``index`` of the padded input is a padded zero."""
        return not self.padding <= index < self.padding + self.size


def convolution_geometry(
    size: int, kernel: int, padding: int = 0, stride: int = 1
) -> ConvolutionGeometry:
    """Check a convolution's sizes along one axis and return its geometry.

    Raises:
        TypeError, ValueError: naming the argument, for sizes that are not integers in
            range, or a kernel longer than the padded input (there would be no output).
    """
    size = _check_int_range("size", size, 1, MAX_CONV_SIZE)
    kernel = check_positive_int("kernel", kernel)
    padding = _check_int_range("padding", padding, 0, MAX_CONV_PADDING)
    stride = check_positive_int("stride", stride)
    if kernel > size + 2 * padding:
        raise ValueError(
            f"kernel: expected at most the padded size n + 2p = {size + 2 * padding}, got {kernel}"
        )
    return ConvolutionGeometry(size, kernel, padding, stride)


def _check_position(position: Any, output_size: int) -> tuple[int, int]:
    expected = f"a pair (i, j) of output indices in 0..{output_size - 1}"
    if isinstance(position, str) or not isinstance(position, Sequence) or len(position) != 2:
        raise ValueError(f"position: expected {expected}, got {position!r}")
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in position):
        raise TypeError(f"position: expected {expected}, got {position!r}")
    if not all(0 <= v < output_size for v in position):
        raise ValueError(f"position: expected {expected}, got {tuple(position)}")
    return int(position[0]), int(position[1])


def _dimension(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], text: str, *, side: str
) -> None:
    """A dimension line from ``start`` to ``end`` with ``text`` below it or left of it."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="|-|,widthA=0.25,widthB=0.25",
            mutation_scale=10,
            color="#555555",
            lw=1,
            shrinkA=0,
            shrinkB=0,
        )
    )
    x, y = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    below = side == "below"
    ax.annotate(
        text,
        (x, y),
        xytext=(0, -4) if below else (-5, 0),
        textcoords="offset points",
        ha="center" if below else "right",
        va="top" if below else "center",
        fontsize=10,
    )


@_styled
def convolution_window(
    size: int = 5,
    kernel: int = 3,
    padding: int = 1,
    stride: int = 2,
    *,
    position: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """A ``size`` × ``size`` input with ``padding`` zeros on each side, the
    ``kernel`` × ``kernel`` window of output unit ``position`` = :math:`(i, j)` (it starts
    at row :math:`i s`, column :math:`j s` of the padded input, as in chapter 3's
    convolution), the next window one stride along (dashed), and the output grid, whose
    size is computed by the output-size formula
    :math:`n_{\\text{out}} = \\lfloor (n + 2p - k)/s \\rfloor + 1`, written out with the
    numbers. ``position`` defaults to :math:`(0, 1)`, or :math:`(0, 0)` when the output
    has one column. See :func:`convolution_geometry` for the computed geometry.

    Raises:
        TypeError, ValueError: naming the argument, for sizes out of range, a kernel
            longer than the padded input, a position outside the output grid, or an
            empty title.
    """
    geometry = convolution_geometry(size, kernel, padding, stride)
    n_out = geometry.output_size
    if position is None:
        position = (0, min(1, n_out - 1))
    row, column = _check_position(position, n_out)
    default = (
        f"A {kernel} × {kernel} kernel with stride {stride} on a {size} × {size} input "
        f"padded by {padding}"
    )
    title = _check_title(title, default)
    padded = geometry.padded_size
    gap = 2.4
    out_left, out_bottom = padded + gap, (padded - n_out) / 2
    # Cells shrink for large grids; offsets of labels are in inches (`inch` data units).
    width = out_left + n_out + 0.6
    scale = min(0.55, 6.0 / (width + 1.2))
    inch = 1 / scale
    left_margin, bottom, top = 0.75 * inch, -1.0 * inch, padded + 0.45 * inch
    fig, ax = _canvas(
        ((width + left_margin) * scale, (top - bottom) * scale + 0.35),
        (-left_margin, width),
        (bottom, top),
        title,
    )

    def top_of(r: int, cells: int) -> float:  # row r of a grid whose top is at `padded`
        return padded - r - cells

    for r in range(padded):
        for c in range(padded):
            is_zero = geometry.is_padding(r) or geometry.is_padding(c)
            cell = Rectangle(
                (c, top_of(r, 1)),
                1,
                1,
                facecolor=COLOURS["padding"] if is_zero else COLOURS["input"],
                edgecolor="#888888",
                lw=0.8,
                zorder=1,
            )
            cell.set_gid("padding-cell" if is_zero else "input-cell")
            ax.add_patch(cell)
            if is_zero:
                ax.text(
                    c + 0.5,
                    top_of(r, 1) + 0.5,
                    "0",
                    ha="center",
                    va="center",
                    fontsize=min(8, 30 * scale),
                    color="#777777",
                )

    def window(r: int, c: int, *, dashed: bool) -> tuple[float, float]:
        top, left = geometry.window_start(r), geometry.window_start(c)
        patch = Rectangle(
            (left, top_of(top, kernel)),
            kernel,
            kernel,
            facecolor="none" if dashed else COLOURS["highlight_fill"],
            alpha=None if dashed else 0.75,
            edgecolor=COLOURS["highlight"],
            lw=2.2,
            linestyle=(0, (4, 2)) if dashed else "-",
            zorder=2,
        )
        patch.set_gid("next-window" if dashed else "window")
        ax.add_patch(patch)
        return left, top_of(top, kernel)

    left, window_bottom = window(row, column, dashed=False)
    neighbour = column + 1 if column + 1 < n_out else column - 1
    if n_out > 1:
        next_left, _ = window(row, neighbour, dashed=True)
        a, b = sorted((left, next_left))
        _arrow(
            ax,
            (a, padded + 0.1 * inch),
            (b, padded + 0.1 * inch),
            colour=COLOURS["highlight"],
            gid="stride",
        )
        ax.text(
            (a + b) / 2,
            padded + 0.15 * inch,
            f"$s = {stride}$",
            ha="center",
            va="bottom",
            fontsize=10,
            color=COLOURS["highlight"],
        )

    # The output grid, with unit (i, j) highlighted and joined to its window.
    for r in range(n_out):
        for c in range(n_out):
            chosen, next_one = (r, c) == (row, column), (r, c) == (row, neighbour) and n_out > 1
            cell = Rectangle(
                (out_left + c, out_bottom + n_out - 1 - r),
                1,
                1,
                facecolor=COLOURS["highlight_fill"] if chosen else COLOURS["output"],
                edgecolor=COLOURS["highlight"] if chosen or next_one else "#888888",
                lw=2.2 if chosen or next_one else 0.8,
                linestyle=(0, (4, 2)) if next_one else "-",
                zorder=2 if chosen or next_one else 1,
            )
            cell.set_gid("output-cell")
            ax.add_patch(cell)
    cell_x, cell_y = out_left + column, out_bottom + n_out - 1 - row
    ax.text(
        cell_x + 0.5,
        cell_y + 0.5,
        f"$y_{{{row},{column}}}$",
        ha="center",
        va="center",
        fontsize=min(9, 36 * scale),
        zorder=3,
    )
    for window_y, cell_corner in ((window_bottom + kernel, cell_y + 1), (window_bottom, cell_y)):
        ax.plot(
            [left + kernel, cell_x],
            [window_y, cell_corner],
            color=COLOURS["highlight"],
            lw=0.8,
            alpha=0.6,
            zorder=1,
        )

    # The quantities of the output-size formula.
    below = -0.15 * inch
    if padding:
        _dimension(ax, (0, below), (padding, below), f"$p = {padding}$", side="below")
    _dimension(ax, (padding, below), (padding + size, below), f"$n = {size}$", side="below")
    _dimension(
        ax, (below, window_bottom), (below, window_bottom + kernel), f"$k = {kernel}$", side="left"
    )
    _dimension(
        ax,
        (out_left, out_bottom + below),
        (out_left + n_out, out_bottom + below),
        f"$n_{{\\mathrm{{out}}}} = {n_out}$",
        side="below",
    )
    formula = (
        f"$n_{{\\mathrm{{out}}}} = \\lfloor (n + 2p - k)/s \\rfloor + 1 = "
        f"\\lfloor ({size} + 2 \\cdot {padding} - {kernel})/{stride} \\rfloor + 1 = {n_out}$"
    )
    text = ax.text(
        (width - left_margin) / 2, -0.75 * inch, formula, ha="center", va="center", fontsize=11
    )
    text.set_gid("formula")
    fig.tight_layout()
    return fig


# --- chapter 4: map-to-sequence -------------------------------------------------------------


@dataclass(frozen=True)
class MapToSequenceShapes:
    """Chapter 4's map-to-sequence of a feature map :math:`\\mathbf{X} \\in
    \\mathbb{R}^{H' \\times W' \\times C}`: column :math:`w` becomes the time step
    :math:`\\mathbf{x}_w = \\mathrm{vec}(\\mathbf{X}_{:,w,:}) \\in \\mathbb{R}^{H'C}`.

    Attributes:
        height: :math:`H'`, the map's rows.
        width: :math:`W'`, its columns: the sequence's time steps.
        channels: :math:`C`, its channels.
    """

    height: int
    width: int
    channels: int

    @property
    def steps(self) -> int:
        """The sequence's length, one time step per column, :math:`W'`."""
        return self.width

    @property
    def features(self) -> int:
        """The length of each :math:`\\mathbf{x}_w`: :math:`H' C`."""
        return self.height * self.channels

    def entries(self) -> list[tuple[int, int]]:
        """The ``(row, channel)`` of the map held by each feature of a step, in order:
        all channels of row 0, then of row 1, ... (the order of
        :class:`companion.layers.FeatureMapToSequence`, a transpose then a reshape)."""
        return [(row, channel) for row in range(self.height) for channel in range(self.channels)]


def map_to_sequence_shapes(height: int, width: int, channels: int) -> MapToSequenceShapes:
    """Check a feature map's ``(height, width, channels)`` and return its map-to-sequence
    shapes.

    Raises:
        TypeError, ValueError: naming the argument, for sizes that are not integers in
            range.
    """
    return MapToSequenceShapes(
        _check_int_range("height", height, 1, MAX_MAP_HEIGHT),
        _check_int_range("width", width, 1, MAX_MAP_WIDTH),
        check_positive_int("channels", channels),
    )


def _row_colours(rows: int) -> list[Any]:
    return [plt.get_cmap("Blues")(0.12 + 0.33 * r / max(rows - 1, 1)) for r in range(rows)]


@_styled
def map_to_sequence(
    height: int = 2,
    width: int = 8,
    channels: int = 64,
    *,
    column: int | None = None,
    bidirectional: bool = True,
    title: str | None = None,
) -> Figure:
    """Chapter 4's map-to-sequence: a CNN feature map of shape ``(height, width,
    channels)`` = :math:`(H', W', C)`, each of its columns :math:`w` turned into one time
    step :math:`\\mathbf{x}_w \\in \\mathbb{R}^{H'C}` (its rows one after another, each
    with its :math:`C` channels), and a recurrent layer reading
    :math:`\\mathbf{x}_1, \\dots, \\mathbf{x}_{W'}`. The shapes written in the picture are
    those of :func:`map_to_sequence_shapes`.

    Args:
        height, width, channels: the feature map's :math:`H'`, :math:`W'` and :math:`C`.
        column: the column :math:`w` to highlight, counted from 1 as in
            :math:`\\mathbf{x}_w`; the middle one when ``None``.
        bidirectional: draw the recurrent layer as a BiLSTM (both directions, as the
            models of chapters 4 and 5) instead of a one-directional LSTM.
        title: the figure's title; a description with the shapes when ``None``.

    Raises:
        TypeError, ValueError: naming the argument, for sizes or a column out of range,
            a flag that is not a boolean, or an empty title.
    """
    shapes = map_to_sequence_shapes(height, width, channels)
    bidirectional = _check_bool("bidirectional", bidirectional)
    column = (
        (width + 1) // 2
        if column is None
        else _check_int_range("column", column, 1, width, "a column of the map, counted from 1")
    )
    title = _check_title(
        title,
        f"Map-to-sequence: a {height} × {width} × {channels} map → "
        f"{_plural(shapes.steps, 'step')} of {_plural(shapes.features, 'feature')}",
    )
    rows = _row_colours(height)
    half = 0.3 if width <= 8 else 0.24  # half a vector's width
    cell, segment = min(0.8, 2.4 / height), min(0.7, 2.4 / height)
    depth = (0.9, 0.6)
    rnn_y, vector_bottom = 0.0, 1.25
    vector_top = vector_bottom + segment * height
    map_bottom = vector_top + 1.0
    map_top = map_bottom + cell * height
    text_x = width + depth[0] + 0.9
    right = max(text_x + 5.0, 6.4 / 0.47 - 1.6)  # at least 6.4 inches wide, for the title
    scale = min(0.47, 7.6 / (right + 1.6))
    fig, ax = _canvas(
        ((right + 1.6) * scale, (map_top + depth[1] + 1.0) * scale + 0.4),
        (-1.6, right),
        (rnn_y - 0.6, map_top + depth[1] + 0.45),
        title,
    )

    # The feature map: front face (rows coloured), top and right faces for the channels.
    for w in range(width):
        for r in range(height):
            y = map_top - (r + 1) * cell
            ax.add_patch(
                Rectangle((w, y), 1, cell, facecolor=rows[r], edgecolor="#555555", lw=0.8, zorder=1)
            )
        top_face = Polygon(
            [
                (w, map_top),
                (w + 1, map_top),
                (w + 1 + depth[0], map_top + depth[1]),
                (w + depth[0], map_top + depth[1]),
            ],
            facecolor=COLOURS["highlight_fill"] if w + 1 == column else "#eeeeee",
            edgecolor="#555555",
            lw=0.8,
            zorder=1,
        )
        ax.add_patch(top_face)
    for r in range(height):
        y = map_top - (r + 1) * cell
        ax.add_patch(
            Polygon(
                [
                    (width, y),
                    (width + depth[0], y + depth[1]),
                    (width + depth[0], y + cell + depth[1]),
                    (width, y + cell),
                ],
                facecolor=rows[r],
                edgecolor="#555555",
                lw=0.8,
                alpha=0.7,
                zorder=1,
            )
        )
    chosen = Rectangle(
        (column - 1, map_bottom),
        1,
        cell * height,
        facecolor="none",
        edgecolor=COLOURS["highlight"],
        lw=2.4,
        zorder=3,
    )
    chosen.set_gid("map-column")
    ax.add_patch(chosen)
    _dimension(ax, (-0.25, map_bottom), (-0.25, map_top), f"$H' = {height}$", side="left")
    ax.text(
        width / 2 + depth[0] / 2,
        map_top + depth[1] + 0.08,
        f"$W' = {width}$",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    ax.text(
        width + depth[0] + 0.1,
        map_top + depth[1] / 2,
        f"$C = {channels}$",
        ha="left",
        va="center",
        fontsize=10,
    )
    ax.text(
        text_x,
        (map_bottom + map_top) / 2,
        f"$\\mathbf{{X}} \\in \\mathbb{{R}}^{{H' \\times W' \\times C}}"
        f" = \\mathbb{{R}}^{{{height} \\times {width} \\times {channels}}}$",
        ha="left",
        va="center",
        fontsize=10.5,
    )

    # One vector per column: the column's rows one after another, each with C channels.
    for w in range(width):
        centre = w + 0.5
        for r in range(height):
            y = vector_top - (r + 1) * segment
            patch = Rectangle(
                (centre - half, y),
                2 * half,
                segment,
                facecolor=rows[r],
                edgecolor="#555555",
                lw=0.8,
                zorder=1,
            )
            patch.set_gid("vector-segment")
            ax.add_patch(patch)
            if channels <= 8:  # one line per channel while they can be told apart
                for c in range(1, channels):
                    ax.plot(
                        [centre - half, centre + half],
                        [y + segment * c / channels] * 2,
                        color="#777777",
                        lw=0.4,
                        zorder=2,
                    )
        highlighted = w + 1 == column
        _arrow(
            ax,
            (centre, map_bottom),
            (centre, vector_top + 0.05),
            colour=COLOURS["highlight"] if highlighted else COLOURS["muted"],
            linewidth=2 if highlighted else 1,
            gid="column-to-step" if highlighted else None,
        )
        ax.text(
            centre + half + 0.05,
            vector_bottom + 0.02,
            f"$\\mathbf{{x}}_{{{w + 1}}}$",
            ha="left",
            va="bottom",
            fontsize=9 if width <= 8 else 7.5,
        )
        _arrow(ax, (centre, vector_bottom), (centre, rnn_y + 0.3))
    outline = Rectangle(
        (column - 0.5 - half, vector_bottom),
        2 * half,
        segment * height,
        facecolor="none",
        edgecolor=COLOURS["highlight"],
        lw=2.4,
        zorder=3,
    )
    outline.set_gid("step-vector")
    ax.add_patch(outline)
    for r in range(height):
        y = vector_top - (r + 0.5) * segment
        ax.text(
            text_x,
            y,
            f"row {r + 1}: {channels} channel value{'s' * (channels > 1)}",
            ha="left",
            va="center",
            fontsize=9,
            color="#333333",
            bbox={"facecolor": rows[r], "edgecolor": "none", "boxstyle": "round,pad=0.15"},
        )
    equation = ax.text(
        text_x,
        vector_bottom - 0.2,
        f"$\\mathbf{{x}}_w = \\mathrm{{vec}}(\\mathbf{{X}}_{{:,w,:}}) \\in \\mathbb{{R}}^{{H'C}}"
        f" = \\mathbb{{R}}^{{{shapes.features}}}$",
        ha="left",
        va="top",
        fontsize=10.5,
    )
    equation.set_gid("step-shape")

    # The recurrent layer reads the columns as time steps 1..W'.
    for w in range(width):
        _box(
            ax,
            (w + 0.5, rnn_y),
            (0.62, 0.6),
            f"$\\mathbf{{h}}_{{{w + 1}}}$",
            colour=COLOURS["state"],
            fontsize=9 if width <= 8 else 7.5,
            gid="rnn-step",
        )
        if w + 1 < width:
            lift = 0.12 if bidirectional else 0.0
            _arrow(ax, (w + 0.81, rnn_y + lift), (w + 1.19, rnn_y + lift), linewidth=1)
            if bidirectional:
                _arrow(ax, (w + 1.19, rnn_y - lift), (w + 0.81, rnn_y - lift), linewidth=1)
    steps = "step" if shapes.steps == 1 else "steps"
    ax.text(
        text_x,
        rnn_y,
        f"{'BiLSTM' if bidirectional else 'LSTM'} over $T = W' = {shapes.steps}$ {steps}",
        ha="left",
        va="center",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


# --- chapter 5: the CTC lattice -------------------------------------------------------------

Node = tuple[int, int]
Edge = tuple[Node, Node]


@dataclass(frozen=True)
class CTCLattice:
    """The CTC alignment lattice of a label over ``steps`` frames (chapter 5).

    Nodes are ``(t, s)`` pairs, counted from 0 here (the chapter's frame :math:`t + 1` and
    position :math:`s + 1` of :math:`\\mathbf{l}'`): frame ``t`` in position ``s`` of the
    blank-extended label ``extended``. Only nodes on at least one complete path are
    kept: reachable from a start (:math:`\\text{-}` or :math:`l_1` at the first frame) and
    able to reach an end (the last symbol or the final blank at the last frame).

    Attributes:
        label: the label :math:`\\mathbf{l}`, symbols in ``1..`` (0 is the blank).
        steps: the number of frames :math:`T`.
        extended: :math:`\\mathbf{l}' = (\\text{-}, l_1, \\text{-}, \\dots, l_L, \\text{-})`.
        nodes: the nodes on complete paths.
        edges: the allowed transitions between them, ``((t, s), (t + 1, s'))``.
        path: the highlighted path as one position ``s`` per frame.
    """

    label: tuple[int, ...]
    steps: int
    extended: tuple[int, ...]
    nodes: frozenset[Node]
    edges: frozenset[Edge]
    path: tuple[int, ...]

    @property
    def path_classes(self) -> tuple[int, ...]:
        """The highlighted path :math:`\\pi` as one class per frame (0 is the blank)."""
        return tuple(self.extended[s] for s in self.path)

    def path_edges(self) -> list[Edge]:
        """The highlighted path's transitions, frame by frame."""
        return [((t, a), (t + 1, b)) for t, (a, b) in enumerate(itertools.pairwise(self.path))]

    def kind(self, edge: Edge) -> str:
        """``"stay"`` (:math:`s \\to s`), ``"next"`` (:math:`s \\to s+1`) or ``"skip"``
        (:math:`s \\to s+2`, past a blank between two different symbols)."""
        return {0: "stay", 1: "next", 2: "skip"}[edge[1][1] - edge[0][1]]


def _successors(extended: Sequence[int], s: int) -> list[int]:
    """Where a path in position ``s`` may go at the next frame: the rule of
    :func:`companion.ctc.ctc_forward`, read forwards."""
    following = [s, s + 1] if s + 1 < len(extended) else [s]
    skip = s + 2
    if skip < len(extended) and extended[skip] != ctc.BLANK and extended[skip] != extended[s]:
        following.append(skip)
    return following


def _check_label(label: Any) -> tuple[int, ...]:
    if isinstance(label, str) or not isinstance(label, Sequence | np.ndarray):
        raise TypeError(f"label: expected a sequence of integer symbols >= 1, got {label!r}")
    symbols = list(label)
    if not symbols:
        raise ValueError("label: expected at least one symbol, got none")
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in symbols):
        raise TypeError(f"label: expected integer symbols >= 1 (0 is the blank), got {label!r}")
    if min(symbols) < 1:
        raise ValueError(f"label: expected symbols >= 1 (0 is the blank), got {symbols}")
    if len(symbols) > MAX_CTC_LABEL:
        raise ValueError(
            f"label: expected at most {MAX_CTC_LABEL} symbols (a larger lattice is not "
            f"legible), got {len(symbols)}"
        )
    return tuple(int(v) for v in symbols)


def _spread_path(label: Sequence[int], steps: int) -> list[int]:
    """A path that shows each kind of transition the label allows: a leading blank, each
    symbol held for its share of the frames, a blank only where the label repeats a
    symbol (elsewhere the path skips it), and a final blank."""
    skeleton = [0]
    for k, symbol in enumerate(label):
        skeleton.append(2 * k + 1)
        if k == len(label) - 1 or label[k + 1] == symbol:
            skeleton.append(2 * k + 2)
    if steps < len(skeleton):  # drop the optional blanks: the final one first
        skeleton = skeleton[:-1] if steps == len(skeleton) - 1 else skeleton[1:-1]
    extra = steps - len(skeleton)
    holds = [1 + extra // len(label) + (k < extra % len(label)) for k in range(len(label))]
    path = []
    for s in skeleton:
        path.extend([s] * (holds[(s - 1) // 2] if s % 2 else 1))
    return path


def _positions_of(path: Sequence[int]) -> list[int]:
    """The lattice position of each frame of a path that collapses to the label: a blank
    after ``k`` emitted symbols is position ``2k``, the ``k``-th symbol position ``2k - 1``."""
    positions, emitted, previous = [], 0, None
    for symbol in path:
        if symbol != ctc.BLANK and symbol != previous:
            emitted += 1
        positions.append(2 * emitted if symbol == ctc.BLANK else 2 * emitted - 1)
        previous = symbol
    return positions


def _check_path(path: Any, label: tuple[int, ...], steps: int) -> list[int]:
    if isinstance(path, str) or not isinstance(path, Sequence | np.ndarray):
        raise TypeError(f"path: expected a sequence of {steps} classes, got {path!r}")
    classes = list(path)
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in classes):
        raise TypeError(f"path: expected integer classes (0 is the blank), got {path!r}")
    if len(classes) != steps:
        raise ValueError(f"path: expected {steps} classes (one per frame), got {len(classes)}")
    collapsed = ctc.collapse(classes)
    if collapsed != list(label):
        raise ValueError(
            f"path: expected a path that collapses to the label {list(label)}, got {classes} "
            f"which collapses to {collapsed}"
        )
    return _positions_of(classes)


def ctc_lattice_graph(
    label: Sequence[int], steps: int, path: Sequence[int] | None = None
) -> CTCLattice:
    """The CTC lattice of ``label`` over ``steps`` frames: the nodes on complete paths,
    the transitions :func:`companion.ctc.ctc_forward` allows between them (stay, next, or
    skip a blank between two different symbols), and one path to highlight.

    Args:
        label: the symbols, integers >= 1 (0 is the blank), at most :data:`MAX_CTC_LABEL`.
        steps: the frames :math:`T`, at least :func:`companion.ctc.min_time_steps` of the
            label and at most :data:`MAX_CTC_STEPS`.
        path: the path :math:`\\pi` to highlight, one class per frame, which must collapse
            to ``label``; when ``None``, a path that holds each symbol for an even share of
            the frames, with a blank first and last and where the label repeats a symbol.

    Raises:
        TypeError, ValueError: naming the argument, for a label that is not a short
            sequence of symbols >= 1, too few or too many frames, or a path of the wrong
            length or one that does not collapse to the label.
    """
    label = _check_label(label)
    needed = ctc.min_time_steps(label)
    steps = _check_int_range(
        "steps",
        steps,
        needed,
        MAX_CTC_STEPS,
        f"the label {list(label)} needs at least {needed} frames, its length plus its "
        f"repeated neighbours; more than {MAX_CTC_STEPS} are not legible",
    )
    extended = [ctc.BLANK] * (2 * len(label) + 1)
    extended[1::2] = label
    last = len(extended) - 1
    forward = [{0, 1}]
    for _ in range(1, steps):
        forward.append({n for s in forward[-1] for n in _successors(extended, s)})
    backward = [{last, last - 1}]
    for _ in range(steps - 1):
        backward.insert(
            0, {s for s in range(last + 1) if set(_successors(extended, s)) & backward[0]}
        )
    nodes = frozenset((t, s) for t in range(steps) for s in forward[t] & backward[t])
    edges = frozenset(
        ((t, s), (t + 1, n))
        for (t, s) in nodes
        for n in _successors(extended, s)
        if (t + 1, n) in nodes
    )
    positions = _spread_path(label, steps) if path is None else _check_path(path, label, steps)
    return CTCLattice(label, steps, tuple(extended), nodes, edges, tuple(positions))


def _symbol(value: int) -> str:
    return BLANK_SYMBOL if value == ctc.BLANK else str(value)


@_styled
def ctc_lattice(
    label: Sequence[int] = (3, 3, 7),
    steps: int = 8,
    *,
    path: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """Chapter 5's CTC lattice: the blank-extended label :math:`\\mathbf{l}'` down the
    side, the frames :math:`t = 1, \\dots, T` along the bottom, every node on some complete
    path, the allowed transitions (stay, next, skip), and one path :math:`\\pi` highlighted
    with its classes written above the frames; :math:`\\mathcal{B}(\\pi)`, the collapse, is
    the label. The structure drawn is :func:`ctc_lattice_graph`'s (see it for the
    arguments).

    Raises:
        TypeError, ValueError: as :func:`ctc_lattice_graph`, and for an empty title.
    """
    lattice = ctc_lattice_graph(label, steps, path)
    word = "".join(map(str, lattice.label)) if max(lattice.label) < 10 else str(list(lattice.label))
    title = _check_title(title, f"CTC lattice of the label {word} over T = {steps} frames")
    states = len(lattice.extended)
    fig, ax = plt.subplots(figsize=(min(max(2.0 + 0.55 * steps, 6.0), 7.6), 2.4 + 0.36 * states))
    ax.grid(False)
    styles = {
        "stay": {"color": "#9e9e9e", "ls": "-"},
        "next": {"color": "#6fa8dc", "ls": "-"},
        "skip": {"color": "#e69138", "ls": (0, (4, 2))},
    }
    for edge in sorted(lattice.edges):
        (t, s), (t_next, s_next) = edge
        (line,) = ax.plot(
            [t + 1, t_next + 1], [s + 1, s_next + 1], lw=1.1, zorder=1, **styles[lattice.kind(edge)]
        )
        line.set_gid(f"edge-{lattice.kind(edge)}")
    every = [(t, s) for t in range(steps) for s in range(states)]
    off = [node for node in every if node not in lattice.nodes]
    if off:
        ax.scatter(
            [t + 1 for t, _ in off],
            [s + 1 for _, s in off],
            s=10,
            color="#dddddd",
            zorder=2,
            gid="unreachable",
        )
    on = sorted(lattice.nodes)
    ax.scatter(
        [t + 1 for t, _ in on],
        [s + 1 for _, s in on],
        s=42,
        facecolor="white",
        edgecolor="#555555",
        zorder=3,
        gid="nodes",
    )
    frames = np.arange(1, steps + 1)
    positions = np.array(lattice.path) + 1
    (highlight,) = ax.plot(
        frames, positions, color=COLOURS["highlight"], lw=2.6, zorder=4, marker="o", markersize=7
    )
    highlight.set_gid("path")
    ax.set_xticks(frames)
    ax.set_yticks(
        range(1, states + 1),
        [f"{s}: {_symbol(v)}" for s, v in enumerate(lattice.extended, start=1)],
    )
    ax.set_xlim(0.5, steps + 0.5)
    ax.set_ylim(states + 0.6, 0.4)
    top = ax.secondary_xaxis("top")
    top.set_xticks(frames, [_symbol(v) for v in lattice.path_classes])
    top.tick_params(colors=COLOURS["highlight"], length=0, labelsize=11)
    top.set_xlabel(
        f"highlighted path $\\pi$, one class per frame: $\\mathcal{{B}}(\\pi)$ = {word}",
        color=COLOURS["highlight"],
        fontsize=10,
    )
    ax.set_title(title)
    ax.set_xlabel("frame $t$")
    ax.set_ylabel("position $s$ in $\\mathbf{l}'$: its symbol")
    legend = [
        Line2D([], [], lw=1.1, **styles["stay"], label="stay: $s \\to s$"),
        Line2D([], [], lw=1.1, **styles["next"], label="next: $s \\to s + 1$"),
        Line2D(
            [], [], lw=1.1, **styles["skip"], label="skip: $s \\to s + 2$ (two different symbols)"
        ),
        Line2D([], [], color=COLOURS["highlight"], lw=2.6, marker="o", label="path $\\pi$"),
    ]
    ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=9)
    fig.tight_layout()
    return fig

"""Matplotlib figures in one consistent style, with titles and labelled axes enforced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

STYLE = {
    "figure.figsize": (6.4, 3.8),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 10,
}


def apply_style() -> None:
    """Apply the course's matplotlib style to every later figure."""
    plt.rcParams.update(STYLE)


def label_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Give ``ax`` a title and axis labels; every figure of the course has all three.

    Raises:
        ValueError: if any of them is empty.
    """
    for name, text in (("title", title), ("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name}: expected a non-empty string, got {text!r}")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def line_plot(
    x: Sequence[float] | np.ndarray,
    series: Mapping[str, Sequence[float] | np.ndarray],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    logy: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Plot several named series against a shared ``x`` with a legend.

    Raises:
        ValueError: if ``series`` is empty or a series' length differs from ``x``'s.
    """
    if not series:
        raise ValueError("series: expected at least one named series, got none")
    x = np.asarray(x)
    for name, values in series.items():
        if len(values) != len(x):
            raise ValueError(
                f"series[{name!r}]: expected {len(x)} values (the length of x), got {len(values)}"
            )
    if ax is None:
        _, ax = plt.subplots()
    for name, values in series.items():
        ax.plot(x, values, marker="o", markersize=3, label=name)
    if logy:
        ax.set_yscale("log")
    label_axes(ax, title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def plot_history(
    history: Mapping[str, Sequence[float]],
    metrics: Sequence[str],
    *,
    title: str,
    ylabel: str,
) -> Figure:
    """Plot learning curves (``history`` as in ``keras.callbacks.History.history``).

    For each metric the validation curve ``val_<metric>`` is drawn too when present.

    Raises:
        KeyError: naming a metric that is not in the history, and the ones that are.
    """
    curves = {}
    for metric in metrics:
        if metric not in history:
            raise KeyError(f"metrics: {metric!r} is not in the history; it has {sorted(history)}")
        curves[metric] = history[metric]
        if f"val_{metric}" in history:
            curves[f"val_{metric}"] = history[f"val_{metric}"]
    epochs = np.arange(1, len(next(iter(curves.values()))) + 1)
    return line_plot(epochs, curves, title=title, xlabel="epoch", ylabel=ylabel)

"""Matplotlib figures in one consistent style, with titles and labelled axes enforced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from companion.validation import check_number, check_positive_int

#: The course's matplotlib style (rcParams), applied by :func:`apply_style`.
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


def _check_texts(**texts: str) -> None:
    for name, text in texts.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name}: expected a non-empty string, got {text!r}")


def label_axes(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Give ``ax`` a title and axis labels; every figure of the course has all three.

    Raises:
        ValueError: if any of them is empty.
        TypeError: if ``ax`` is not a matplotlib ``Axes``.
    """
    if not isinstance(ax, Axes):
        raise TypeError(f"ax: expected a matplotlib Axes, got {type(ax).__name__}")
    _check_texts(title=title, xlabel=xlabel, ylabel=ylabel)
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
    _check_texts(title=title, xlabel=xlabel, ylabel=ylabel)
    if not isinstance(series, Mapping):
        raise TypeError(
            f"series: expected a mapping of names to values, got {type(series).__name__}"
        )
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
        TypeError, ValueError: for a history that is not a mapping, or no metrics.
    """
    if not isinstance(history, Mapping):
        raise TypeError(
            f"history: expected a mapping of metric names to values, got {type(history).__name__}"
        )
    if isinstance(metrics, str) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics: expected a sequence of metric names, got {metrics!r}")
    if not metrics:
        raise ValueError("metrics: expected at least one metric, got none")
    curves = {}
    for metric in metrics:
        if metric not in history:
            raise KeyError(f"metrics: {metric!r} is not in the history; it has {sorted(history)}")
        curves[metric] = history[metric]
        if f"val_{metric}" in history:
            curves[f"val_{metric}"] = history[f"val_{metric}"]
    epochs = np.arange(1, len(next(iter(curves.values()))) + 1)
    return line_plot(epochs, curves, title=title, xlabel="epoch", ylabel=ylabel)


def image_grid(
    images: np.ndarray,
    *,
    titles: Sequence[str] | None = None,
    columns: int = 8,
    title: str,
    cmap: str = "gray_r",
    size: float = 1.3,
) -> Figure:
    """Show a batch of grey ``(n, height, width[, 1])`` or colour ``(n, height, width, 3)``
    images in a grid; each cell keeps the images' aspect ratio (``size`` is its height
    in inches).

    Raises:
        ValueError: for a batch of the wrong rank, or titles of the wrong length.
    """
    _check_texts(title=title)
    columns = check_positive_int("columns", columns)
    check_number("size", size, "a positive number of inches")
    if not 0 < size < np.inf:
        raise ValueError(f"size: expected a positive number of inches, got {size!r}")
    images = np.asarray(images)
    if not (np.issubdtype(images.dtype, np.number) or images.dtype == bool):
        raise TypeError(f"images: expected numeric pixel values, got {images.dtype}")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if not (images.ndim == 3 or (images.ndim == 4 and images.shape[-1] == 3)):
        raise ValueError(
            f"images: expected shape (n, height, width[, 1]) or (n, height, width, 3), "
            f"got {images.shape}"
        )
    if not len(images):
        raise ValueError(f"images: expected at least one image, got shape {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"titles: expected {len(images)} titles, got {len(titles)}")
    rows = max(1, -(-len(images) // columns))
    aspect = images.shape[2] / images.shape[1]
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(columns * size * max(1.0, aspect), rows * (size + 0.3) + 0.6),
        squeeze=False,
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < len(images):
            ax.imshow(images[index], cmap=None if images.ndim == 4 else cmap)
            if titles is not None:
                ax.set_title(titles[index], fontsize=9, fontweight="normal")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig


def confusion_matrix_plot(
    y_true: Sequence[int] | np.ndarray,
    y_pred: Sequence[int] | np.ndarray,
    *,
    classes: int,
    title: str,
) -> Figure:
    """Plot the confusion matrix (rows: true class, columns: predicted) with counts.

    Raises:
        ValueError: if the two label arrays differ in length or hold a class outside
            ``0..classes-1``.
    """
    _check_texts(title=title)
    classes = check_positive_int("classes", classes)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"{name}: expected integer class labels, got {labels.dtype}")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred: expected shape {y_true.shape} (as y_true), got {y_pred.shape}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(
                f"{name}: expected classes in 0..{classes - 1}, got {labels.min()}..{labels.max()}"
            )
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = plt.subplots(figsize=(4.8, 4.2))
    ax.imshow(counts, cmap="Blues")
    ax.grid(False)
    for i in range(classes):
        for j in range(classes):
            if counts[i, j]:
                colour = "white" if counts[i, j] > counts.max() / 2 else "black"
                ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    label_axes(ax, title=title, xlabel="predicted class", ylabel="true class")
    fig.tight_layout()
    return fig

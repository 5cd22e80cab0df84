"""Tests of companion.diagrams: each picture draws, and what it shows is what is computed."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from companion import conv, ctc, diagrams


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def artists(fig: Figure, gid: str) -> list:
    return fig.findobj(lambda artist: artist.get_gid() == gid)


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.findobj(matplotlib.text.Text)]


DIAGRAMS = [
    (diagrams.unrolled_rnn, {}),
    (diagrams.unrolled_rnn, {"steps": 1, "outputs": "last"}),
    (diagrams.lstm_cell, {}),
    (diagrams.lstm_cell, {"peepholes": True, "weights": False}),
    (diagrams.gru_cell, {}),
    (diagrams.convolution_window, {}),
    (diagrams.convolution_window, {"size": 4, "kernel": 6, "padding": 1, "stride": 1}),
    (diagrams.map_to_sequence, {}),
    (diagrams.map_to_sequence, {"height": 1, "width": 1, "channels": 1, "bidirectional": False}),
    (diagrams.ctc_lattice, {}),
    (diagrams.ctc_lattice, {"label": [5], "steps": 1}),
]


@pytest.mark.parametrize(("draw", "kwargs"), DIAGRAMS)
def test_each_diagram_draws_a_titled_figure_in_the_course_style(draw, kwargs):
    before = dict(plt.rcParams)
    with plt.rc_context({"axes.titleweight": "normal"}):
        fig = draw(**kwargs)
        fig.canvas.draw()  # renders every text, so bad mathtext would fail here
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title().strip() and ax.title.get_fontweight() == "bold"
    assert dict(plt.rcParams) == before, "a diagram changed the caller's matplotlib settings"


def test_a_given_title_is_used():
    assert diagrams.gru_cell(title="My GRU").axes[0].get_title() == "My GRU"


# --- chapter 1 ------------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [1, 3, 6])
def test_unrolled_rnn_has_one_cell_and_shared_weights_per_step(steps):
    fig = diagrams.unrolled_rnn(steps)
    shown = texts(fig)
    assert len(artists(fig, "recurrent-step")) == steps
    assert len(artists(fig, "recurrent-loop")) == 1
    # W_xh and W_hy once per column (the folded one and each step), W_hh once per arrow.
    assert shown.count("$\\mathbf{W}_{xh}$") == steps + 1
    assert shown.count("$\\mathbf{W}_{hy}$") == steps + 1
    assert shown.count("$\\mathbf{W}_{hh}$") == steps + 1
    assert all(f"$\\mathbf{{x}}_{{{t}}}$" in shown for t in range(1, steps + 1))
    assert f"$\\mathbf{{x}}_{{{steps + 1}}}$" not in shown


def test_unrolled_rnn_with_the_last_output_only():
    shown = texts(diagrams.unrolled_rnn(4, outputs="last"))
    assert [t for t in shown if t.startswith("$\\hat")] == [
        "$\\hat{\\mathbf{y}}_{t}$",
        "$\\hat{\\mathbf{y}}_{4}$",
    ]


# --- chapter 2 ------------------------------------------------------------------------------


def gids(fig: Figure, prefix: str) -> set[str]:
    return {a.get_gid() for a in fig.findobj(lambda a: str(a.get_gid()).startswith(prefix))}


def test_lstm_cell_draws_the_three_gates_and_the_candidate_with_their_weights():
    fig = diagrams.lstm_cell()
    assert gids(fig, "gate-") == {"gate-f", "gate-i", "gate-g", "gate-o"}
    shown = "\n".join(texts(fig))
    for gate in "ifco":  # Keras' order i, f, c, o; the candidate's weights are W_xc, W_hc
        for weight in (f"\\mathbf{{W}}_{{x{gate}}}", f"\\mathbf{{W}}_{{h{gate}}}"):
            assert weight in shown
    assert "\\mathbf{f}_t\\odot\\mathbf{c}_{t-1}" in shown
    assert not artists(fig, "peephole")


def test_lstm_cell_peepholes_and_no_weights():
    fig = diagrams.lstm_cell(peepholes=True, weights=False)
    assert artists(fig, "peephole")
    shown = "\n".join(texts(fig))
    assert all(f"\\mathbf{{w}}_{{c{gate}}}" in shown for gate in "ifo")
    assert "\\mathbf{W}_{xf}" not in shown


def test_gru_cell_draws_update_and_reset_gates_and_reset_after_candidate():
    fig = diagrams.gru_cell()
    assert gids(fig, "gate-") == {"gate-z", "gate-r"}
    assert artists(fig, "candidate-recurrent") and artists(fig, "one-minus")
    shown = "\n".join(texts(fig))
    assert "\\mathbf{h}_{t-1}\\mathbf{W}_{hh} + \\mathbf{b}_{hh}" in shown
    assert "\\mathbf{W}_{xz}" in shown and "\\mathbf{W}_{xr}" in shown
    assert "\\mathbf{W}_{xz}" not in "\n".join(texts(diagrams.gru_cell(weights=False)))


# --- chapter 3 ------------------------------------------------------------------------------


def conv2d_output_size(size: int, kernel: int, padding: int, stride: int) -> int:
    """The output size of companion.conv.conv2d (equal to Keras' Conv2D) on a padded input."""
    x = np.pad(np.zeros((1, size, size, 1)), ((0, 0), (padding,) * 2, (padding,) * 2, (0, 0)))
    return conv.conv2d(x, np.ones((kernel, kernel, 1, 1)), strides=stride).shape[1]


def test_convolution_geometry_output_size_is_that_of_a_real_convolution():
    checked = 0
    for size, kernel, padding, stride in itertools.product(
        range(1, 9), range(1, 6), range(3), range(1, 4)
    ):
        if kernel > size + 2 * padding:
            continue
        geometry = diagrams.convolution_geometry(size, kernel, padding, stride)
        assert geometry.output_size == conv2d_output_size(size, kernel, padding, stride)
        if padding == 0:
            assert geometry.output_size == conv.conv_output_size(size, kernel, stride, "valid")
        checked += 1
    assert checked > 250


@pytest.mark.parametrize(
    ("size", "kernel", "padding", "stride", "position"),
    [
        (5, 3, 1, 2, (0, 1)),
        (7, 3, 0, 1, (2, 4)),
        (6, 2, 0, 2, (2, 0)),
        (4, 6, 1, 1, (0, 0)),
        (10, 3, 3, 3, (4, 4)),
    ],
)
def test_convolution_window_shows_the_computed_output_grid_and_window(
    size, kernel, padding, stride, position
):
    n_out = conv2d_output_size(size, kernel, padding, stride)
    fig = diagrams.convolution_window(size, kernel, padding, stride, position=position)
    padded = size + 2 * padding
    assert len(artists(fig, "output-cell")) == n_out**2
    assert len(artists(fig, "padding-cell")) == padded**2 - size**2
    assert len(artists(fig, "input-cell")) == size**2
    (formula,) = artists(fig, "formula")
    assert formula.get_text().endswith(f"= {n_out}$")
    assert f"({size} + 2 \\cdot {padding} - {kernel})/{stride}" in formula.get_text()
    # The window of output (i, j) starts at row i*s, column j*s of the padded input.
    (window,) = artists(fig, "window")
    i, j = position
    assert (window.get_x(), window.get_y()) == (j * stride, padded - i * stride - kernel)
    assert window.get_width() == window.get_height() == kernel
    stride_arrows = artists(fig, "stride")
    assert len(stride_arrows) == (n_out > 1)
    if n_out > 1:
        (start, end) = stride_arrows[0]._posA_posB  # matplotlib has no public getter
        assert abs(end[0] - start[0]) == stride


# --- chapter 4 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("height", "width", "channels"), [(2, 8, 64), (3, 5, 4), (1, 1, 1)])
def test_map_to_sequence_order_is_that_of_the_keras_layer(height, width, channels):
    from companion.layers import FeatureMapToSequence

    shapes = diagrams.map_to_sequence_shapes(height, width, channels)
    h, w, c = np.meshgrid(range(height), range(width), range(channels), indexing="ij")
    code = (h * 1000 + w) * 1000 + c  # each value says where in the map it came from
    sequence = np.asarray(FeatureMapToSequence()(code[None].astype("float32")))[0]
    assert sequence.shape == (shapes.steps, shapes.features) == (width, height * channels)
    for step in range(width):
        rows, columns, chans = (
            sequence[step] // 1_000_000,
            sequence[step] // 1000 % 1000,
            (sequence[step] % 1000),
        )
        assert (columns == step).all()
        assert list(zip(rows.astype(int), chans.astype(int), strict=True)) == shapes.entries()


@pytest.mark.parametrize(("height", "width", "channels"), [(2, 8, 64), (3, 5, 4), (6, 12, 1)])
def test_map_to_sequence_figure_shows_the_computed_shapes(height, width, channels):
    fig = diagrams.map_to_sequence(height, width, channels, column=width)
    assert len(artists(fig, "vector-segment")) == height * width
    assert len(artists(fig, "rnn-step")) == width
    (shape,) = artists(fig, "step-shape")
    assert shape.get_text().endswith(f"\\mathbb{{R}}^{{{height * channels}}}$")
    assert f"\\mathbb{{R}}^{{{height} \\times {width} \\times {channels}}}$" in "".join(texts(fig))
    (column,) = artists(fig, "map-column")
    assert column.get_x() == width - 1


# --- chapter 5 ------------------------------------------------------------------------------


def lattice_of_all_paths(label: list[int], steps: int) -> tuple[set, set]:
    """Nodes and edges used by every path that collapses to ``label``, by enumeration: a
    blank after k emitted symbols is position 2k of l', the k-th symbol position 2k - 1."""
    nodes, edges = set(), set()
    for path in itertools.product([0, *sorted(set(label))], repeat=steps):
        if ctc.collapse(path) != label:
            continue
        positions = []
        for t, symbol in enumerate(path):
            emitted = len(ctc.collapse(path[: t + 1]))
            positions.append(2 * emitted if symbol == 0 else 2 * emitted - 1)
        nodes.update(enumerate(positions))
        edges.update(((t, a), (t + 1, b)) for t, (a, b) in enumerate(itertools.pairwise(positions)))
    return nodes, edges


CASES = [
    ([1], 1),
    ([1], 3),
    ([1, 1], 3),
    ([1, 1], 4),
    ([1, 2], 4),
    ([1, 1, 2], 5),
    ([2, 1, 2], 5),
    ([1, 2, 2], 6),
    ([3, 3, 7], 4),
]


@pytest.mark.parametrize(("label", "steps"), CASES)
def test_ctc_lattice_is_exactly_the_union_of_all_valid_paths(label, steps):
    lattice = diagrams.ctc_lattice_graph(label, steps)
    nodes, edges = lattice_of_all_paths(label, steps)
    assert lattice.nodes == nodes
    assert lattice.edges == edges


@pytest.mark.parametrize(("label", "steps"), [*CASES, ([3, 3, 7], 8), ([1, 2, 3, 4, 5, 6], 16)])
def test_ctc_lattice_nodes_are_where_forward_and_backward_variables_live(label, steps):
    lattice = diagrams.ctc_lattice_graph(label, steps)
    uniform = np.log(np.full((steps, max(label) + 1), 1 / (max(label) + 1)))
    _, alpha = ctc.ctc_forward(uniform, label)
    _, alpha_reversed = ctc.ctc_forward(uniform, label[::-1])  # beta, read backwards
    alive = np.isfinite(alpha) & np.isfinite(alpha_reversed[::-1, ::-1])
    assert lattice.nodes == {tuple(node) for node in np.argwhere(alive)}


@pytest.mark.parametrize(
    ("label", "steps"), [*CASES, ([3, 3, 7], 8), ([3, 3, 7], 10), ([1, 2, 3, 4, 5, 6], 16)]
)
def test_ctc_lattice_highlighted_path_collapses_to_the_label_along_allowed_edges(label, steps):
    lattice = diagrams.ctc_lattice_graph(label, steps)
    assert len(lattice.path) == steps
    assert ctc.collapse(lattice.path_classes) == label
    assert set(lattice.path_edges()) <= lattice.edges
    assert (0, lattice.path[0]) in lattice.nodes


def test_ctc_lattice_skips_only_between_different_symbols():
    lattice = diagrams.ctc_lattice_graph([3, 3, 7], 8)
    skips = [edge for edge in lattice.edges if lattice.kind(edge) == "skip"]
    assert skips, "3 -> 7 may skip the blank between them"
    assert {edge[0][1] for edge in skips} == {3}  # only from the second 3 to the 7
    for (_, s), (_, s_next) in skips:
        assert lattice.extended[s_next] not in (0, lattice.extended[s])
    assert not [e for e in diagrams.ctc_lattice_graph([1, 1], 5).edges if e[1][1] - e[0][1] == 2]
    # The default path for 337 shows a stay, a required blank between the 3s, and a skip.
    assert {lattice.kind(edge) for edge in lattice.path_edges()} == {"stay", "next", "skip"}


def test_ctc_lattice_uses_a_given_path():
    path = [0, 3, 0, 3, 3, 0, 7, 7]
    lattice = diagrams.ctc_lattice_graph([3, 3, 7], 8, path)
    assert lattice.path_classes == tuple(path)
    assert lattice.path == (0, 1, 2, 3, 3, 4, 5, 5)


def test_ctc_lattice_figure_draws_the_computed_lattice():
    lattice = diagrams.ctc_lattice_graph([3, 3, 7], 8)
    fig = diagrams.ctc_lattice([3, 3, 7], 8)
    edges = [a for a in fig.findobj() if str(a.get_gid()).startswith("edge-")]
    assert len(edges) == len(lattice.edges)
    for kind in ("stay", "next", "skip"):
        drawn = sum(a.get_gid() == f"edge-{kind}" for a in edges)
        assert drawn == sum(lattice.kind(edge) == kind for edge in lattice.edges) > 0
    (path,) = artists(fig, "path")
    assert list(path.get_xdata()) == list(range(1, 9))
    assert list(path.get_ydata()) == [s + 1 for s in lattice.path]
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "1: -",
        "2: 3",
        "3: -",
        "4: 3",
        "5: -",
        "6: 7",
        "7: -",
    ]
    top = next(child for child in ax.child_axes)
    assert [t.get_text() for t in top.get_xticklabels()] == [
        "-" if c == 0 else str(c) for c in lattice.path_classes
    ]


# --- bad arguments ---------------------------------------------------------------------------


BAD = [
    (
        diagrams.unrolled_rnn,
        {"steps": 0},
        ValueError,
        r"steps: expected an integer in 1\.\.6, got 0",
    ),
    (diagrams.unrolled_rnn, {"steps": 7}, ValueError, r"steps: expected an integer in 1\.\.6"),
    (diagrams.unrolled_rnn, {"steps": 2.5}, TypeError, "steps: expected an integer"),
    (diagrams.unrolled_rnn, {"outputs": "first"}, ValueError, "outputs: expected one of"),
    (diagrams.unrolled_rnn, {"title": ""}, ValueError, "title: expected a non-empty string"),
    (diagrams.lstm_cell, {"weights": "yes"}, TypeError, "weights: expected True or False"),
    (diagrams.lstm_cell, {"peepholes": 1}, TypeError, "peepholes: expected True or False"),
    (diagrams.gru_cell, {"weights": None}, TypeError, "weights: expected True or False"),
    (diagrams.gru_cell, {"title": 3}, TypeError, "title: expected a non-empty string"),
    (
        diagrams.convolution_window,
        {"size": 0},
        ValueError,
        r"size: expected an integer in 1\.\.10, got 0",
    ),
    (diagrams.convolution_window, {"size": 11}, ValueError, r"size: expected an integer in"),
    (
        diagrams.convolution_window,
        {"kernel": 8},
        ValueError,
        r"kernel: expected at most the padded size n \+ 2p = 7, got 8",
    ),
    (diagrams.convolution_window, {"kernel": 0}, ValueError, "kernel: expected an integer >= 1"),
    (diagrams.convolution_window, {"padding": -1}, ValueError, "padding: expected an integer"),
    (diagrams.convolution_window, {"padding": 4}, ValueError, r"padding: .* 0\.\.3"),
    (diagrams.convolution_window, {"stride": 0}, ValueError, "stride: expected an integer >= 1"),
    (
        diagrams.convolution_window,
        {"position": (3, 0)},
        ValueError,
        r"position: expected a pair \(i, j\) of output indices in 0\.\.2, got \(3, 0\)",
    ),
    (diagrams.convolution_window, {"position": (0,)}, ValueError, "position: expected a pair"),
    (diagrams.convolution_window, {"position": "01"}, ValueError, "position: expected a pair"),
    (diagrams.convolution_window, {"position": (0, 1.0)}, TypeError, "position: expected"),
    (
        diagrams.map_to_sequence,
        {"height": 0},
        ValueError,
        "height: expected an integer in 1..6, got 0",
    ),
    (diagrams.map_to_sequence, {"width": 13}, ValueError, r"width: expected an integer in"),
    (diagrams.map_to_sequence, {"channels": 0}, ValueError, "channels: expected an integer"),
    (
        diagrams.map_to_sequence,
        {"column": 0},
        ValueError,
        r"column: expected an integer in 1\.\.8 \(a column of the map, counted from 1\), got 0",
    ),
    (diagrams.map_to_sequence, {"column": 9}, ValueError, r"column: expected an integer in 1\.\.8"),
    (diagrams.map_to_sequence, {"bidirectional": "no"}, TypeError, "bidirectional: expected"),
    (diagrams.ctc_lattice, {"label": []}, ValueError, "label: expected at least one symbol"),
    (diagrams.ctc_lattice, {"label": [0, 1]}, ValueError, r"label: expected symbols >= 1"),
    (diagrams.ctc_lattice, {"label": "337"}, TypeError, "label: expected a sequence"),
    (diagrams.ctc_lattice, {"label": [1.0]}, TypeError, "label: expected integer symbols"),
    (diagrams.ctc_lattice, {"label": [1] * 7, "steps": 16}, ValueError, "label: expected at most"),
    (
        diagrams.ctc_lattice,
        {"label": [3, 3, 7], "steps": 3},
        ValueError,
        r"steps: expected an integer in 4\.\.16 \(the label \[3, 3, 7\] needs at least 4 frames, "
        r"its length plus its repeated neighbours; .*\), got 3",
    ),
    (
        diagrams.ctc_lattice,
        {"steps": 17},
        ValueError,
        r"steps: expected an integer in 4\.\.16 \(the label \[3, 3, 7\] needs at least 4 frames",
    ),
    (
        diagrams.ctc_lattice,
        {"path": [0, 3, 7]},
        ValueError,
        r"path: expected 8 classes \(one per frame\), got 3",
    ),
    (
        diagrams.ctc_lattice,
        {"path": [3, 3, 3, 3, 0, 0, 7, 7]},
        ValueError,
        r"path: expected a path that collapses to the label \[3, 3, 7\], .* collapses to \[3, 7\]",
    ),
    (diagrams.ctc_lattice, {"path": "-33-3-7-"}, TypeError, "path: expected a sequence"),
    (diagrams.ctc_lattice_graph, {"label": [1], "steps": 0}, ValueError, "steps: expected"),
]


@pytest.mark.parametrize(("draw", "kwargs", "error", "message"), BAD)
def test_bad_arguments_are_named(draw, kwargs, error, message):
    with pytest.raises(error, match=message):
        draw(**kwargs)


def test_convolution_geometry_refuses_an_index_outside_the_output():
    geometry = diagrams.convolution_geometry(5, 3, 1, 2)
    assert [geometry.window_start(i) for i in range(3)] == [0, 2, 4]
    with pytest.raises(ValueError, match=r"index: expected an output index in 0\.\.2, got 3"):
        geometry.window_start(3)

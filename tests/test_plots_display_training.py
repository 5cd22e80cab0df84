"""Tests of companion.plots, companion.display and companion.training."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from companion import cells, display, plots
from companion.training import ProgressBar


def test_line_plot_labels_everything():
    plots.apply_style()
    fig = plots.line_plot(
        [1, 2, 3],
        {"a": [1, 2, 3], "b": [3, 2, 1]},
        title="T",
        xlabel="x (s)",
        ylabel="y (m)",
        logy=True,
    )
    ax = fig.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "x (s)", "y (m)")
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close(fig)


def test_plots_refuse_missing_labels_and_mismatched_series():
    with pytest.raises(ValueError, match="xlabel: expected a non-empty string, got ''"):
        plots.line_plot([1, 2], {"a": [1, 2]}, title="T", xlabel="", ylabel="y")
    with pytest.raises(
        ValueError, match=r"series\['a'\]: expected 2 values \(the length of x\), got 3"
    ):
        plots.line_plot([1, 2], {"a": [1, 2, 3]}, title="T", xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match="series: expected at least one named series"):
        plots.line_plot([1, 2], {}, title="T", xlabel="x", ylabel="y")
    plt.close("all")


def test_plot_history_draws_validation_curves():
    fig = plots.plot_history(
        {"loss": [3, 2], "val_loss": [3.5, 2.5]}, ["loss"], title="T", ylabel="loss"
    )
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["loss", "val_loss"]
    with pytest.raises(KeyError, match="'accuracy' is not in the history"):
        plots.plot_history({"loss": [1]}, ["accuracy"], title="T", ylabel="y")
    plt.close("all")


def test_expect_error_shows_the_message(capsys):
    with display.expect_error(ValueError) as caught:
        raise ValueError("first line\nsecond line")
    assert caught.type_name == "ValueError" and caught.lines == ["first line", "second line"]
    assert capsys.readouterr().out == "ValueError: first line\nsecond line\n"


def test_expect_error_wraps_long_messages(capsys):
    with display.expect_error(ValueError, width=40):
        raise ValueError("word " * 30)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 3 and all(len(line) <= 40 for line in lines)
    assert all(line.startswith("    ") for line in lines[1:])


def test_expect_error_fails_when_nothing_is_raised():
    with pytest.raises(AssertionError, match="expected the block to raise ValueError"):
        with display.expect_error(ValueError):
            pass


def test_expect_error_lets_other_errors_through():
    with pytest.raises(KeyError):
        with display.expect_error(ValueError):
            raise KeyError("k")


def test_glue_emits_the_myst_nb_protocol(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    display.glue("acc", np.float32(0.5))
    (bundle,), kwargs = shown[0]
    assert bundle == {display.GLUE_HIDDEN_PREFIX + "text/plain": "0.5"}
    assert kwargs["metadata"]["scrapbook"] == {
        "name": "acc",
        "mime_prefix": display.GLUE_HIDDEN_PREFIX,
    }
    display.glue("word", "better than")
    assert shown[1][0][0] == {display.GLUE_HIDDEN_PREFIX + "text/plain": "'better than'"}
    with pytest.raises(ValueError, match="name: expected a non-empty string"):
        display.glue("", 1)


@pytest.mark.parametrize("text", ["29,000", "better than", "1e3", "(a, b)", "3 of 5", "0.5"])
def test_glued_strings_render_as_themselves_in_the_book(monkeypatch, text):
    # MyST-NB's own rendering of glue:text, which literal-evaluates the stored text.
    from myst_nb.core.variables import format_plain_text

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a[0]))
    display.glue("value", text)
    (stored,) = shown[0].values()
    assert format_plain_text(stored, "") == text


def test_show_source_returns_the_code():
    code = display.show_source(cells.elman_forward)
    assert "def elman_forward" in code.data
    with pytest.raises(TypeError, match="obj: expected a Python function or class"):
        display.show_source(len)


def test_progress_bar_counts_epochs_and_time(capsys):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    bar = ProgressBar("fit")
    model.fit(np.zeros((8, 2)), np.zeros((8, 1)), epochs=3, verbose=0, callbacks=[bar])
    out = capsys.readouterr().out
    assert "fit" in out and "3/3" in out and "loss=" in out
    assert bar.seconds > 0


def test_progress_bar_in_a_notebook_keeps_one_updated_line(monkeypatch):
    from companion import training

    class Handle:
        def __init__(self, bundle):
            self.texts = [bundle["text/plain"]]

        def update(self, bundle, raw):
            self.texts.append(bundle["text/plain"])

    handles = []
    monkeypatch.setattr(training, "_in_notebook", lambda: True)
    monkeypatch.setattr(
        "IPython.display.display",
        lambda bundle, raw, display_id: handles.append(Handle(bundle)) or handles[-1],
    )
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["accuracy"])
    model.fit(
        np.zeros((8, 2)), np.zeros((8, 1)), epochs=2, verbose=0, callbacks=[ProgressBar("nb")]
    )
    assert len(handles) == 1, "one display, updated in place"
    texts = handles[0].texts
    assert len(texts) == 3 and "0/2" in texts[0] and "2/2" in texts[-1]
    assert "acc=" in texts[-1] and "accuracy=" not in texts[-1]


def test_image_grid_and_confusion_matrix():
    images = np.random.default_rng(0).random((5, 8, 8, 1))
    fig = plots.image_grid(images, titles=list("abcde"), columns=3, title="digits")
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "a"
    with pytest.raises(ValueError, match=r"images: expected shape \(n, height, width\[, 1\]\)"):
        plots.image_grid(np.zeros((8, 8)), title="t")
    with pytest.raises(ValueError, match="titles: expected 5 titles, got 2"):
        plots.image_grid(images, titles=["a", "b"], title="t")
    colour = np.random.default_rng(1).random((2, 4, 12, 3))
    fig = plots.image_grid(colour, columns=2, title="colour")
    assert fig.axes[0].get_images()[0].get_array().shape == (4, 12, 3)
    assert fig.get_size_inches()[0] > 2 * fig.get_size_inches()[1], "wide images, wide cells"
    with pytest.raises(ValueError, match=r"got \(2, 4, 12, 2\)"):
        plots.image_grid(colour[..., :2], title="t")
    fig = plots.confusion_matrix_plot([0, 1, 1, 2], [0, 1, 2, 2], classes=3, title="cm")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["1", "1", "1", "1"]
    with pytest.raises(ValueError, match=r"y_pred: expected classes in 0..2, got 0..3"):
        plots.confusion_matrix_plot([0, 1], [0, 3], classes=3, title="cm")
    plt.close("all")

"""Tests of companion.results: records, floors, the results file and its checker."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from companion import results


def test_record_writes_all_fields(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_MODE", "fast")
    entry = results.record(
        "01_rnn",
        "test accuracy",
        np.float32(0.97),
        unit="%",
        floor=0.95,
        baseline=0.125,
        seconds=12.5,
    )
    stored = json.loads((tmp_path / "results.json").read_text())
    assert len(stored) == 1
    row = stored[0]
    assert row["chapter"] == "01_rnn" and row["name"] == "test accuracy"
    assert row["value"] == pytest.approx(0.97) and isinstance(row["value"], float)
    assert row["unit"] == "%" and row["floor"] == 0.95 and row["baseline"] == 0.125
    assert row["mode"] == "fast" and row["device"] and row["seconds"] == 12.5
    assert row["meets_floor"] is True and row["higher_is_better"] is True
    assert entry.meets_floor is True
    assert capsys.readouterr().out.startswith("Recorded: 01_rnn / test accuracy")


def test_same_chapter_name_and_mode_replace(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "full")
    results.record("c", "x", 1.0, quiet=True)
    results.record("c", "x", 2.0, quiet=True)
    results.record("c", "y", 3.0, quiet=True)
    monkeypatch.setenv("COURSE_MODE", "fast")
    results.record("c", "x", 4.0, quiet=True)
    values = {(r.name, r.mode): r.value for r in results.load()}
    assert values == {("x", "full"): 2.0, ("y", "full"): 3.0, ("x", "fast"): 4.0}


@pytest.mark.parametrize(
    ("value", "floor", "higher", "meets"),
    [
        (0.9, 0.95, True, False),
        (0.96, 0.95, True, True),
        (2e-6, 1e-5, False, True),
        (3e-5, 1e-5, False, False),
        (0.5, None, True, None),
    ],
)
def test_meets_floor(value, floor, higher, meets):
    entry = results.record("c", "n", value, floor=floor, higher_is_better=higher, quiet=True)
    assert entry.meets_floor is meets


def test_below_floor_is_loud(capsys):
    results.record("c", "accuracy", 0.5, floor=0.9)
    out = capsys.readouterr().out
    assert out.startswith("BELOW FLOOR: ") and "MISSED" in out


def test_checker_fails_on_a_missed_full_mode_floor(tmp_path, monkeypatch, capsys):
    path = tmp_path / "results.json"
    monkeypatch.setenv("COURSE_MODE", "fast")
    results.record("c", "accuracy", 0.1, floor=0.9, quiet=True)  # fast mode: not a regression
    assert results.main(["--path", str(path)]) == 0
    monkeypatch.setenv("COURSE_MODE", "full")
    results.record("c", "accuracy", 0.95, floor=0.9, quiet=True)
    assert results.main(["--path", str(path)]) == 0
    results.record("c", "error", 0.2, floor=0.1, higher_is_better=False, quiet=True)
    assert results.main(["--path", str(path)]) == 1
    assert "c / error" in capsys.readouterr().err


def test_checker_on_missing_file(tmp_path, capsys):
    assert results.main(["--path", str(tmp_path / "none.json")]) == 0
    assert "No results recorded yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"chapter": ""}, ValueError, "chapter: expected a non-empty string"),
        ({"name": "  "}, ValueError, "name: expected a non-empty string"),
        ({"value": float("nan")}, ValueError, "value: expected a finite number, got nan"),
        ({"value": "0.9"}, TypeError, "value: expected a real number, got '0.9'"),
        ({"floor": float("inf")}, ValueError, "floor: expected a finite number"),
        ({"unit": 3}, TypeError, "unit: expected a string"),
    ],
)
def test_record_validates(kwargs, error, message):
    arguments = {"chapter": "c", "name": "n", "value": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        results.record(**arguments, quiet=True)


def test_results_path_finds_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS")
    (tmp_path / "_toc.yml").write_text("")
    (tmp_path / "companion").mkdir()
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert results.results_path() == tmp_path / "_build" / "results.json"
    outside = tmp_path / "notebooks"
    (tmp_path / "_toc.yml").unlink()
    assert results.results_path() == outside / "_build" / "results.json"


def _record_many(args):
    path, worker = args
    for i in range(10):
        results.record("parallel", f"w{worker}-{i}", float(i), path=Path(path), quiet=True)


def test_parallel_writers_lose_nothing(tmp_path):
    from companion import runtime

    runtime.gpu_names()  # cached before forking, so the workers need not touch TensorFlow
    path = tmp_path / "shared.json"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_record_many, [(str(path), w) for w in range(4)])
    assert len(results.load(path)) == 40


def _record(chapter, name, mode, value=1.0, **extra):
    fields = {
        "unit": "",
        "floor": None,
        "higher_is_better": True,
        "baseline": None,
        "device": "CPU (2 cores)",
        "seconds": None,
        "recorded_at": "",
        **extra,
    }
    return results.Record(chapter=chapter, name=name, value=value, mode=mode, **fields)


def test_at_a_glance_prefers_full_marks_fast_and_keeps_missing_chapters():
    records = [
        _record("01_rnn", "accuracy", "full", 0.9),
        _record("01_rnn", "accuracy", "fast", 0.2),
        _record("02_lstm_gru", "mse", "fast", 0.5),
        _record("99_extra", "x", "full"),
    ]
    chosen = results.at_a_glance(records, ["01_rnn", "02_lstm_gru", "03_cnn"])
    assert list(chosen) == ["01_rnn", "02_lstm_gru", "03_cnn", "99_extra"]
    assert [(r.mode, r.value) for r in chosen["01_rnn"]] == [("full", 0.9)]
    assert [r.mode for r in chosen["02_lstm_gru"]] == ["fast"]
    assert chosen["03_cnn"] == []
    with pytest.raises(TypeError, match="chapters: expected a list of chapter slugs"):
        results.at_a_glance(records, "01_rnn")


def _results_table_extension():
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "results_table", Path(__file__).resolve().parents[1] / "book/_ext/results_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["results_table"] = module
    spec.loader.exec_module(module)
    return module


def test_results_page_table_shows_floors_fast_marks_and_missing_chapters():
    module = _results_table_extension()
    chosen = {
        "01_rnn": [_record("01_rnn", "accuracy", "full", 0.5, floor=0.9, seconds=12.3)],
        "02_lstm_gru": [_record("02_lstm_gru", "mse", "fast", 0.2, higher_is_better=False)],
        "03_cnn": [],
    }
    chosen["01_rnn"].append(_record("01_rnn", "loss", "full", 0.1))
    times = {"01_rnn": 125.4, "03_cnn": 61.0}
    table = module.render(
        chosen, lambda chapter: None if chapter == "03_cnn" else "x.html", str, times.get
    )
    assert table.count("<tr>") == 5  # a header row, two rows for 01 and one for 02 and 03
    assert table.count('rowspan="2"') == 2  # the chapter and its wall time
    assert "<td>≥ 0.9: <strong>MISSED</strong></td>" in table
    assert "<td>12 s</td>" in table
    assert '<em title="tiny budgets: the number proves the code runs">fast</em>' in table
    assert '<td>03_cnn</td><td>1:01</td><td colspan="7"><em>no result recorded yet</em>' in table
    assert '<td rowspan="2"><a href="x.html">01_rnn</a></td><td rowspan="2">2:05</td>' in table
    assert '<a href="x.html">02_lstm_gru</a></td><td rowspan="1">not recorded</td>' in table
    assert "Elman" in module.render(chosen, lambda chapter: None, lambda chapter: "Elman")


def test_margin_is_how_many_times_better_than_the_floor():
    module = _results_table_extension()
    assert module.margin(_record("a", "acc", "full", 0.99, floor=0.9)) == pytest.approx(1.1)
    error = _record("a", "mse", "full", 0.05, floor=0.15, higher_is_better=False)
    assert module.margin(error) == pytest.approx(3.0)
    zero_error = _record("a", "gap", "full", 0.0, floor=1e-6, higher_is_better=False)
    assert module.margin(zero_error) == module.MARGIN_LIMITS[1]
    assert module.margin(_record("a", "acc", "full", 0.5)) is None


def test_margin_plot_draws_a_dot_per_record_with_a_floor():
    module = _results_table_extension()
    chosen = {
        "01_rnn": [
            _record("01_rnn", "accuracy", "full", 0.99, floor=0.9),
            _record("01_rnn", "loss", "full", 0.1),
        ],
        "02_lstm_gru": [
            _record("02_lstm_gru", "mse", "fast", 0.2, floor=0.1, higher_is_better=False)
        ],
    }
    svg = module.margin_plot(chosen)
    assert svg.startswith('<figure class="results-margins"><svg')
    assert "01 · accuracy" in svg and "02 · mse" in svg and "loss" not in svg
    assert module.margin_plot({"03_cnn": [_record("03_cnn", "loss", "full", 0.1)]}) == ""

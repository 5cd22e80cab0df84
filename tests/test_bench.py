"""companion.bench: the keras.io reference architecture, the timers and the table."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest

from companion import bench


def test_keras_io_reference_has_the_examples_layers_and_frames():
    model = bench.keras_io_ocr_model(20, 168)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 2 and kinds.count("MaxPooling2D") == 2
    assert kinds.count("Bidirectional") == 2
    lstm_units = [layer.forward_layer.units for layer in model.layers
                  if isinstance(layer, keras.layers.Bidirectional)]  # fmt: skip
    assert lstm_units == [128, 64]
    assert model.output.shape == (None, 168 // 4, 11)  # logits over 10 digits + blank
    # The example's 0.43 M parameters come from its 200x50 images; the dense layer's input
    # is (height / 4) * 64 wide, so it is smaller on 20-pixel strings.
    assert bench.keras_io_ocr_model(50, 200, alphabet_size=19).count_params() == pytest.approx(
        431_000, rel=0.02
    )


def test_step_timer_counts_from_the_end_of_the_first_batch():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    timer = bench.StepTimer()
    x = np.zeros((40, 3), "float32")
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0, callbacks=[timer])
    assert len(timer.ends[-1]) == 5
    rate = timer.samples_per_second(8)
    assert rate == pytest.approx(8 * 4 / (timer.ends[-1][-1] - timer.ends[-1][0]))
    with pytest.raises(ValueError, match="batch_size"):
        timer.samples_per_second(0)
    with pytest.raises(ValueError, match="two or more timed batches"):
        bench.StepTimer().samples_per_second(8)
    with pytest.raises(ValueError, match="two or more timed batches"):
        bench.StepTimer().cpu_seconds_per_sample(8)


class _Pause(keras.callbacks.Callback):
    """After every batch, 50 ms spent sleeping (waiting) or spinning (working)."""

    def __init__(self, spin: bool) -> None:
        super().__init__()
        self.spin = spin

    def on_train_batch_end(self, batch, logs=None):
        if not self.spin:
            time.sleep(0.05)
            return
        end = time.process_time() + 0.05
        while time.process_time() < end:
            pass


def test_epoch_timer_counts_wall_and_cpu_time_of_every_epoch():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.zeros((16, 3), "float32")
    timer = bench.EpochTimer()
    model.fit(x, x[:, :1], batch_size=8, epochs=3, verbose=0, callbacks=[_Pause(False), timer])
    assert len(timer.wall) == len(timer.cpu) == 3
    assert all(wall >= 2 * 0.05 for wall in timer.wall)  # two sleeping batches per epoch
    assert all(0 <= cores < 1 for cores in timer.cores()[1:]), "sleeping keeps no core busy"
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0, callbacks=[timer])
    assert len(timer.wall) == 1, "a new fit starts a new list"


def test_iterator_epochs_times_both_inputs_epoch_by_epoch():
    measured = bench.iterator_epochs(strings=64, epochs=2)
    assert list(measured) == ["new iterator every epoch", "one iterator"]
    for times in measured.values():
        assert len(times["wall"]) == len(times["cpu"]) == len(times["cores"]) == 2
        assert all(seconds > 0 for seconds in times["wall"] + times["cpu"])


def test_step_timer_tells_waiting_from_working():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.zeros((48, 3), "float32")
    cpu, rate = {}, {}
    for spin in (False, True):
        timer = bench.StepTimer()
        model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0, callbacks=[_Pause(spin), timer])
        cpu[spin], rate[spin] = timer.cpu_seconds_per_sample(8), timer.samples_per_second(8)
    # Both take at least 50 ms per batch on the wall clock ...
    assert rate[False] <= 8 / 0.05 and rate[True] <= 8 / 0.05
    # ... but only spinning spends it on the CPU (50 ms / 8 samples per batch).
    assert cpu[True] >= 0.05 / 8 > cpu[False] + 0.02 / 8


def test_throughputs_are_positive_and_the_table_gives_ratios():
    rows = bench.run(steps=2, repeats=2, only=["CNN", "RNN on rows"])
    assert [row.model for row in rows] == ["CNN", "RNN on rows"]
    for row in rows:
        assert row.train_per_s > 0 and row.infer_batch1_per_s > 0 and row.infer_batch64_per_s > 0
    reference = bench.Measurement("05", "ref", 50, 10.0, 2.0, 4.0, reference="ours")
    ours = bench.Measurement("05", "ours", 100, 20.0, 1.0, 8.0)
    table = bench.table([ours, reference])
    assert "| | ours / ref | 2.00x | 2.00x | 0.50x | 2.00x |" in table


def test_both_gans_are_measured_with_their_generators_for_inference():
    rows = bench.run(steps=2, repeats=1, only=["recurrent GAN", "video GAN"])
    assert [(row.chapter, row.model) for row in rows] == [
        ("10", "recurrent GAN"),
        ("11", "video GAN"),
    ]
    for row in rows:
        assert row.train_per_s > 0 and row.infer_batch1_per_s > 0 and row.infer_batch64_per_s > 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: bench.keras_io_ocr_model(3, 168), "height"),
        (lambda: bench.keras_io_ocr_model(20, 0), "width"),
        (lambda: bench.run(only=["no such model"]), "only"),
        (lambda: bench.time_to_target(None, (None, None), None, target=1.5, max_epochs=1),
         "target"),
        (lambda: bench.time_to_target(None, (None, None), None, target=0.9, max_epochs=0),
         "max_epochs"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_throughput_needs_a_compiled_model_and_positive_sizes():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    x = np.zeros((4, 3), "float32")
    with pytest.raises(ValueError, match="compiled"):
        bench.training_throughput(model, x, x, batch_size=2, steps=1)
    with pytest.raises(ValueError, match="steps"):
        bench.training_throughput(model, x, x, batch_size=2, steps=0)
    with pytest.raises(ValueError, match="repeats"):
        bench.inference_throughput(model, x, batch_size=2, repeats=0)

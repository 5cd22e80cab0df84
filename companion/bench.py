"""Throughput and time-to-target of the chapters' main models, measured on this machine.

``make bench`` (``python -m companion.bench``) prints the table and writes it to
``_build/bench.json``; chapter 12 runs the same measurements at a smaller size. Each
model is timed on inputs of its chapter's shape: training throughput over ``fit`` steps
after a warm-up step (tracing excluded), inference throughput of ``predict_on_batch`` at
batch 1 and batch 64. The CRNN of chapter 5 is compared with a reference configuration on
the same data in the same process: the architecture of the keras.io captcha OCR example
(two convolution blocks, a dense layer, two bidirectional LSTMs; about 0.43 M parameters on
its 200x50 captchas, 0.40 M on these 20x168 strings),
including the time each takes to reach 95 % sequence accuracy on held-out digit strings.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from companion.validation import check_positive_int


def keras_io_ocr_model(height: int, width: int, alphabet_size: int = 10) -> keras.Model:
    """The keras.io captcha OCR example's architecture, for the same images as the CRNN.

    Two blocks of a 3x3 convolution (32 then 64 filters, ReLU, He initialisation) and a
    2x2 max pooling; the feature map's columns as time steps (width first, as the example
    transposes its images), a dense layer of 64 with dropout 0.2, bidirectional LSTMs of
    128 and 64 units (dropout 0.25) and a dense layer of per-frame **logits** over
    ``alphabet_size + 1`` classes (class 0 the blank, as :func:`companion.models.crnn.crnn`;
    the example ends in a softmax and adds the CTC loss in a layer instead). An image
    ``width`` pixels wide gives ``width // 4`` frames.

    Raises:
        ValueError: if a size is not a positive integer or the image is smaller than 4x4.
    """
    height = check_positive_int("height", height, minimum=4)
    width = check_positive_int("width", width, minimum=4)
    alphabet_size = check_positive_int("alphabet_size", alphabet_size)
    layers = keras.layers
    image = keras.Input((height, width, 1), name="image")
    x = layers.Permute((2, 1, 3))(image)  # (width, height, 1): columns first
    for filters in (32, 64):
        x = layers.Conv2D(
            filters, 3, activation="relu", kernel_initializer="he_normal", padding="same"
        )(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Reshape((width // 4, (height // 4) * 64))(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(128, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.25))(x)
    logits = layers.Dense(alphabet_size + 1, name="logits")(x)
    return keras.Model(image, logits, name="keras_io_ocr")


@dataclass(frozen=True)
class Measurement:
    """One row of the benchmark table (throughputs in samples per second)."""

    chapter: str
    model: str
    parameters: int
    train_per_s: float
    infer_batch1_per_s: float
    infer_batch64_per_s: float
    reference: str = ""


class StepTimer(keras.callbacks.Callback):
    """Notes when every training batch of ``fit`` ends, on the wall clock and in the
    process's CPU time (all its threads). :meth:`samples_per_second` counts from the end
    of the first batch, which includes tracing (and XLA compilation), to the end of the
    last: waiting for input counts, as it does for a reader. :meth:`cpu_seconds_per_sample`
    over the same batches tells more work (more CPU time per sample) from more waiting
    (the same CPU time, a longer wall time: other processes on the cores, or idle cores)."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: list[list[float]] = []
        self.cpu_ends: list[list[float]] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.ends.append([])
        self.cpu_ends.append([])

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.ends[-1].append(time.perf_counter())
        self.cpu_ends[-1].append(time.process_time())

    def _timed_batches(self, ends: list[list[float]], batch_size: int) -> float:
        """Seconds from the end of the last fit's first batch to the end of its last."""
        check_positive_int("batch_size", batch_size)
        last = ends[-1] if ends else []
        if len(last) < 2:
            raise ValueError(f"batch_size: need two or more timed batches, got {len(last)}")
        return last[-1] - last[0]

    def samples_per_second(self, batch_size: int) -> float:
        """Training samples per second of the last ``fit``, after its first batch.

        Raises:
            ValueError: if ``batch_size`` is not positive or fewer than two batches ran.
        """
        seconds = self._timed_batches(self.ends, batch_size)
        return batch_size * (len(self.ends[-1]) - 1) / seconds

    def cpu_seconds_per_sample(self, batch_size: int) -> float:
        """CPU seconds of this process per training sample over the same batches.

        Raises:
            ValueError: if ``batch_size`` is not positive or fewer than two batches ran.
        """
        seconds = self._timed_batches(self.cpu_ends, batch_size)
        return seconds / (batch_size * (len(self.cpu_ends[-1]) - 1))


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock and CPU seconds (this process, all its threads) of every epoch of the
    last ``fit``; :meth:`cores` divides one by the other: how many cores the epoch kept
    busy on average."""

    def __init__(self) -> None:
        super().__init__()
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.wall, self.cpu = [], []

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = (time.perf_counter(), time.process_time())

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.wall.append(time.perf_counter() - self._started[0])
        self.cpu.append(time.process_time() - self._started[1])

    def cores(self) -> list[float]:
        """CPU seconds per wall-clock second of each epoch."""
        return [cpu / wall for cpu, wall in zip(self.cpu, self.wall, strict=True)]


def iterator_epochs(*, strings: int, epochs: int, seed: int = 0) -> dict[str, dict]:
    """Chapter 5's CRNN trained ``epochs`` epochs on ``strings`` fixed digit strings twice,
    each from a fresh model: fed NumPy arrays (``fit`` makes a new input iterator every
    epoch) and fed by :func:`companion.pipeline.repeated_dataset` (one iterator for every
    epoch). Returns, for each, the :class:`EpochTimer`'s ``wall`` and ``cpu`` seconds and
    ``cores`` of every epoch. Run it in a fresh process to measure TensorFlow's default
    threading.

    Raises:
        ValueError: if ``strings`` is below 32 or ``epochs`` below 2.
    """
    from companion import runtime
    from companion.data.digit_strings import compose_digit_strings
    from companion.models.crnn import crnn
    from companion.pipeline import repeated_dataset

    strings = check_positive_int("strings", strings, minimum=32)
    epochs = check_positive_int("epochs", epochs, minimum=2)
    data = compose_digit_strings(strings, split="train", seed=seed + 1)
    targets = data.padded_labels(8)
    repeated, steps = repeated_dataset(data.images, targets, batch_size=32, seed=seed)
    inputs = {
        "new iterator every epoch": {"x": data.images, "y": targets, "batch_size": 32},
        "one iterator": {"x": repeated, "steps_per_epoch": steps},
    }
    measured = {}
    for name, fit_input in inputs.items():
        runtime.seed_everything(seed)
        model = crnn(20, 168, batch_norm=True)
        model.compile(keras.optimizers.Adam(1e-3), loss=keras.losses.CTC())
        clock = EpochTimer()
        model.fit(**fit_input, epochs=epochs, verbose=0, callbacks=[clock])
        measured[name] = {"wall": clock.wall, "cpu": clock.cpu, "cores": clock.cores()}
    return measured


def training_throughput(
    model: keras.Model, x: Any, y: Any, *, batch_size: int, steps: int
) -> float:
    """Samples per second of ``fit`` on a compiled model over ``steps`` batches, timed by
    :class:`StepTimer` after a first batch that traces the step.

    Raises:
        ValueError: if ``batch_size`` or ``steps`` is not positive, or the model is not
            compiled.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    steps = check_positive_int("steps", steps)
    _check_model(model)
    if not model.compiled:
        raise ValueError("model: expected a compiled model, got one not compiled")
    samples = batch_size * (steps + 1)
    timer = StepTimer()
    model.fit(
        _repeat_to(x, samples),
        None if y is None else _repeat_to(y, samples),
        batch_size=batch_size,
        epochs=1,
        verbose=0,
        shuffle=False,
        callbacks=[timer],
    )
    return timer.samples_per_second(batch_size)


def inference_throughput(model: keras.Model, x: Any, *, batch_size: int, repeats: int) -> float:
    """Samples per second of ``predict_on_batch`` at ``batch_size``, after one warm-up call.

    Raises:
        ValueError: if ``batch_size`` or ``repeats`` is not positive.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    repeats = check_positive_int("repeats", repeats)
    _check_model(model)
    batch = _repeat_to(x, batch_size)
    model.predict_on_batch(batch)
    started = time.perf_counter()
    for _ in range(repeats):
        model.predict_on_batch(batch)
    return batch_size * repeats / (time.perf_counter() - started)


def _check_model(model: Any) -> None:
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")


def _repeat_to(arrays: Any, n: int) -> Any:
    def repeat(a: np.ndarray) -> np.ndarray:
        return np.resize(a, (n, *a.shape[1:])).astype(a.dtype)

    return keras.tree.map_structure(repeat, arrays)


def measure(
    chapter: str,
    name: str,
    model: keras.Model,
    x: Any,
    y: Any,
    *,
    steps: int,
    repeats: int,
    batch_size: int = 32,
    reference: str = "",
    inference: tuple[keras.Model, Any] | None = None,
) -> Measurement:
    """Training and inference throughput of one compiled model (see the module's text);
    ``inference`` is ``(model, inputs)`` where inference runs another model (a GAN's
    generator)."""
    _check_model(model)
    infer_model, infer_x = inference or (model, x)
    return Measurement(
        chapter,
        name,
        model.count_params(),
        training_throughput(model, x, y, batch_size=batch_size, steps=steps),
        inference_throughput(infer_model, infer_x, batch_size=1, repeats=repeats),
        inference_throughput(infer_model, infer_x, batch_size=64, repeats=max(1, repeats // 8)),
        reference,
    )


def _check_target(target: Any) -> None:
    if not 0 < target <= 1:
        raise ValueError(f"target: expected an accuracy in (0, 1], got {target!r}")


def time_to_target(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    accuracy: Callable[[keras.Model], float],
    *,
    target: float,
    max_epochs: int,
    batch_size: int = 32,
) -> tuple[float | None, int, float]:
    """Train epoch by epoch until ``accuracy(model) >= target`` (checked after each epoch).

    Returns:
        ``(seconds of training until the target, epochs, last accuracy)``; the seconds are
        ``None`` if the target was not reached in ``max_epochs`` (time spent in the
        accuracy checks is not counted).

    Raises:
        ValueError: if ``target`` is not in ``(0, 1]`` or ``max_epochs`` not positive.
    """
    _check_target(target)
    max_epochs = check_positive_int("max_epochs", max_epochs)
    seconds, last = 0.0, 0.0
    for epoch in range(1, max_epochs + 1):
        started = time.perf_counter()
        model.fit(*train, batch_size=batch_size, epochs=1, verbose=0)
        seconds += time.perf_counter() - started
        last = accuracy(model)
        if last >= target:
            return seconds, epoch, last
    return None, max_epochs, last


def chapter_models(
    rng: np.random.Generator, only: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Each chapter's main model (those named in ``only``, or all), compiled, with random
    inputs and targets of its shapes: the keyword arguments of :func:`measure`, without
    ``steps`` and ``repeats``. Only the models asked for are built.

    Raises:
        TypeError: if ``rng`` is not a NumPy generator.
        ValueError: if ``only`` names a model that is not here.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    from companion.models import autoencoders, cnn, cnn_rnn, convlstm, crnn, forecasting, gan
    from companion.training import SequenceGAN

    def uniform(*shape: int) -> np.ndarray:
        return rng.uniform(size=(256, *shape)).astype("float32")

    def entry(chapter: str, name: str, model: keras.Model, loss: Any, x: Any, y: Any) -> dict:
        model.compile(keras.optimizers.Adam(1e-3), loss=loss)
        return {"chapter": chapter, "name": name, "model": model, "x": x, "y": y}

    def classes_of(n: int) -> np.ndarray:
        return rng.integers(0, 10, size=n)

    def digits() -> np.ndarray:
        return uniform(8, 8, 1)

    def classes() -> np.ndarray:
        return classes_of(256)

    def strings() -> np.ndarray:
        return rng.integers(1, 11, size=(256, 8))

    def sequence_gan() -> dict:
        generator = gan.recurrent_generator(24, 5, noise_dim=5, units=24, layers=2)
        model = SequenceGAN(generator, gan.recurrent_discriminator(24, 5, units=24), seed=0)
        model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        return {
            "chapter": "10",
            "name": "recurrent GAN",
            "model": model,
            "x": uniform(24, 5),
            "y": None,
            "inference": (generator, uniform(24, 5)),
        }

    def video_gan() -> dict:
        from companion.models import video_gan as video
        from companion.training import VideoGAN

        length, size, n_classes = 8, 16, 10  # chapter 11's clips
        generator = video.sprite_generator(
            length,
            size,
            glyph_size=8,
            content_dim=16,
            motion_dim=8,
            motion_units=16,
            filters=16,
            classes=n_classes,
        )
        frames = video.frame_discriminator(
            size, filters=16, classes=n_classes, auxiliary_classifier=True
        )
        clips = video.sequence_discriminator(length, size, filters=8, units=32, classes=n_classes)
        model = VideoGAN(generator, frames, clips, seed=0)
        model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
        codes = [
            rng.normal(size=(256, 16)).astype("float32"),
            rng.normal(size=(256, length, 8)).astype("float32"),
            np.eye(n_classes, dtype="float32")[classes_of(256)],
        ]
        return {
            "chapter": "11",
            "name": "video GAN",
            "model": model,
            "x": uniform(length, size, size, 1),
            "y": classes_of(256),
            "inference": (generator, codes),
        }

    logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    builders = {
        "CNN": lambda: entry("03", "CNN", cnn.conv_classifier((8, 8, 1), 10), logits, digits(),
                             classes()),
        "RNN on rows": lambda: entry("04", "RNN on rows", cnn_rnn.rows_rnn((8, 8, 1), 10),
                                     logits, digits(), classes()),
        "CRNN": lambda: entry("05", "CRNN", crnn.crnn(20, 168, batch_norm=True),
                              keras.losses.CTC(), uniform(20, 168, 1), strings()),
        "keras.io OCR": lambda: {**entry("05", "keras.io OCR", keras_io_ocr_model(20, 168),
                                         keras.losses.CTC(), uniform(20, 168, 1), strings()),
                                 "reference": "CRNN"},
        "CNN-LSTM forecaster": lambda: entry("06", "CNN-LSTM forecaster",
                                             forecasting.cnn_lstm_forecaster(36, 12), "mse",
                                             uniform(36, 1), uniform(12)),
        "ConvLSTM predictor": lambda: entry("07", "ConvLSTM predictor",
                                            convlstm.convlstm_predictor((16, 16, 1)), "mse",
                                            uniform(10, 16, 16, 1), uniform(10, 16, 16, 1)),
        "conv autoencoder": lambda: entry("08", "conv autoencoder",
                                          autoencoders.conv_autoencoder((8, 8, 1), 16), "mse",
                                          digits(), digits()),
        "LSTM autoencoder": lambda: entry("09", "LSTM autoencoder",
                                          autoencoders.lstm_autoencoder(48, 1, 8), "mse",
                                          uniform(48, 1), uniform(48, 1)),
        "recurrent GAN": sequence_gan,
        "video GAN": video_gan,
    }  # fmt: skip
    if only is not None:
        unknown = set(only) - set(builders)
        if unknown:
            raise ValueError(f"only: expected names of chapter_models, got {sorted(unknown)}")
    return [build() for name, build in builders.items() if only is None or name in only]


def run(
    *, steps: int = 20, repeats: int = 40, seed: int = 0, only: Sequence[str] | None = None
) -> list[Measurement]:
    """Measure the models of :func:`chapter_models` (those named in ``only``, or all)."""
    from companion import runtime

    runtime.seed_everything(seed)
    entries = chapter_models(np.random.default_rng(seed), only)
    return [measure(**entry, steps=steps, repeats=repeats) for entry in entries]


def crnn_time_to_target(
    *, target: float = 0.95, max_epochs: int = 12, train_strings: int = 4000, seed: int = 0
) -> list[dict[str, Any]]:
    """Seconds of training until ``target`` sequence accuracy on 500 held-out strings, for
    the CRNN and the keras.io OCR configuration on the same data (Adam 1e-3, batch 32)."""
    _check_target(target)  # before composing the strings
    train_strings = check_positive_int("train_strings", train_strings)
    from companion import metrics, runtime
    from companion.data.digit_strings import compose_digit_strings
    from companion.models.crnn import crnn, transcribe

    train = compose_digit_strings(train_strings, split="train", seed=seed + 1)
    held_out = compose_digit_strings(500, split="validation", seed=seed + 4)
    data = (train.images, train.padded_labels(8))

    def accuracy(model: keras.Model) -> float:
        return metrics.sequence_accuracy(held_out.labels, transcribe(model, held_out.images))

    rows = []
    for name, build in (
        ("CRNN", lambda: crnn(20, 168, batch_norm=True)),
        ("keras.io OCR", lambda: keras_io_ocr_model(20, 168)),
    ):
        runtime.seed_everything(seed)
        model = build()
        model.compile(keras.optimizers.Adam(1e-3), loss=keras.losses.CTC())
        seconds, epochs, last = time_to_target(
            model, data, accuracy, target=target, max_epochs=max_epochs
        )
        rows.append({"model": name, "parameters": model.count_params(), "target": target,
                     "seconds": seconds, "epochs": epochs, "accuracy": last})  # fmt: skip
    return rows


def table(rows: Sequence[Measurement]) -> str:
    """The throughput rows as a Markdown table, with each reference's ratio to its model."""
    if isinstance(rows, str) or not all(isinstance(row, Measurement) for row in rows):
        raise TypeError(f"rows: expected a sequence of Measurement, got {rows!r:.80}")
    by_name = {row.model: row for row in rows}
    lines = [
        "| chapter | model | parameters | train samples/s | infer batch 1 /s | infer batch 64 /s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.chapter} | {row.model} | {row.parameters:,} | {row.train_per_s:,.0f} | "
            f"{row.infer_batch1_per_s:,.0f} | {row.infer_batch64_per_s:,.0f} |"
        )
        if row.reference in by_name:
            ours = by_name[row.reference]
            lines.append(
                f"| | {ours.model} / {row.model} | {ours.parameters / row.parameters:.2f}x | "
                f"{ours.train_per_s / row.train_per_s:.2f}x | "
                f"{ours.infer_batch1_per_s / row.infer_batch1_per_s:.2f}x | "
                f"{ours.infer_batch64_per_s / row.infer_batch64_per_s:.2f}x |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> None:
    """``python -m companion.bench [OUTPUT.json]``: measure, print, write the JSON file."""
    from companion import runtime

    output = Path(argv[0]) if argv else Path("_build/bench.json")
    started = time.perf_counter()
    rows = run()
    print(table(rows), flush=True)
    targets = crnn_time_to_target()
    for row in targets:
        reached = f"{row['seconds']:.0f} s" if row["seconds"] is not None else "not reached"
        print(f"{row['model']}: {row['target']:.0%} sequence accuracy in {reached} "
              f"({row['epochs']} epochs, last {row['accuracy']:.1%})")  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "device": runtime.device_label(),
        "seconds": round(time.perf_counter() - started, 1),
        "throughput": [asdict(row) for row in rows],
        "time_to_target": targets,
    }, indent=2))  # fmt: skip
    print(f"written to {output} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])

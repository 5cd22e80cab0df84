"""The errata page (``book/errata.md``) against the installed Keras and TensorFlow, and against
the seed articles' list of errors.

Where no chapter runs a seed's broken code, the error is reproduced here with the smallest
model that shows it, and the test asserts the exception's type and the words the page
quotes. Where a chapter runs it, the chapter shows the real message but does not check its
words; the words the page quotes are checked here too, so that a change in Keras shows up
as a failing test rather than as a page that quotes a message Keras no longer gives.

The completeness checks read the seeds' table in ``../shared/seeds/README.md`` (the shared
folder lies beside the repository): for each seed, at least as many entries as the table
lists errors; every entry with its four parts; every page it names present.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

ROOT = Path(__file__).resolve().parents[1]
ERRATA = ROOT / "book" / "errata.md"
SEEDS_README = ROOT.parent / "shared" / "seeds" / "README.md"

PARTS = ("**The seed:**", "**What goes wrong:**", "**The fix:**", "**Shown in:**")
# The entries that no chapter runs and that this file reproduces.
REPRODUCED_HERE = {"000.2", "000.3", "001.4"}


def raised(kind: type[BaseException], call) -> str:
    """Run ``call``, which must raise ``kind``, and return the error's message."""
    with pytest.raises(kind) as caught:
        call()
    return str(caught.value)


# --- seed 000 ------------------------------------------------------------------------------


def test_000_2_keras_used_without_being_imported_is_a_name_error():
    seed_code = "from keras.models import Sequential\ny = keras.utils.to_categorical([3], 10)\n"
    message = raised(NameError, lambda: exec(seed_code, {}))
    assert message == "name 'keras' is not defined"


def seed_cnn_and_rnn() -> tuple[keras.Sequential, keras.Sequential]:
    """Seed 000's two models, with 000.1 repaired: the CNN keeps a time axis for the RNN."""
    cnn = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3),  # (None, 6, 6, 4)
            keras.layers.Reshape((6, 24)),  # six steps of 24 features
        ]
    )
    rnn = keras.Sequential([keras.Input((6, 24)), keras.layers.LSTM(8), keras.layers.Dense(10)])
    return cnn, rnn


def test_000_3_a_model_from_two_unconnected_sequentials_fails():
    cnn, rnn = seed_cnn_and_rnn()
    # The seed's line stops at its first attribute: an uncalled Sequential has no `input`.
    message = raised(AttributeError, lambda: keras.Model(inputs=cnn.input, outputs=rnn.output))
    assert "has never been called and thus has no defined input" in message
    assert "has never been called and thus has no defined output" in raised(
        AttributeError, lambda: rnn.output
    )
    # With the lists the models do have, Model names the real problem.
    message = raised(ValueError, lambda: keras.Model(inputs=cnn.inputs, outputs=rnn.outputs))
    assert "is not connected to `inputs`" in message
    # The fix: one graph, the RNN called on the CNN's output.
    inputs = keras.Input((8, 8, 1))
    assert keras.Model(inputs, rnn(cnn(inputs))).output_shape == (None, 10)


def test_000_3_a_sequential_called_on_a_symbolic_tensor_has_an_input():
    cnn, _ = seed_cnn_and_rnn()
    cnn(keras.Input((8, 8, 1)))
    assert tuple(cnn.input.shape) == (None, 8, 8, 1)


def test_000_1_a_one_step_reshape_silences_the_rank_error():
    features = keras.layers.Dense(16)(keras.layers.Flatten()(keras.Input((8, 8, 1))))
    assert "expected ndim=3, found ndim=2" in raised(
        ValueError, lambda: keras.layers.LSTM(8)(features)
    )
    one_step = keras.layers.Reshape((1, -1))(features)
    assert tuple(one_step.shape) == (None, 1, 16)  # a "sequence" of one step
    assert tuple(keras.layers.LSTM(8)(one_step).shape) == (None, 8)


# --- seed 001 ------------------------------------------------------------------------------


def test_001_4_adam_rejects_the_old_lr_alias():
    message = raised(ValueError, lambda: keras.optimizers.Adam(lr=0.001))
    assert message == "Argument(s) not recognized: {'lr': 0.001}"
    assert float(keras.optimizers.Adam(learning_rate=1e-3).learning_rate) == pytest.approx(1e-3)


# --- seed 002 ------------------------------------------------------------------------------


def test_002_7_lstm_has_no_gates_argument():
    message = raised(ValueError, lambda: keras.layers.LSTM(32, gates=5))
    assert "Unrecognized keyword arguments" in message
    assert "{'gates': 5}" in message


# --- seed 003 ------------------------------------------------------------------------------


def seed_discriminator() -> keras.Sequential:
    """Seed 003's discriminator, as written (``input_dim``, dropout, Adam(0.0002, 0.5))."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras 3 prefers keras.Input
        model = keras.Sequential()
        model.add(keras.layers.Dense(128, activation="relu", input_dim=10))
        model.add(keras.layers.Dropout(0.5))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(0.0002, 0.5))
    return model


def test_003_4_a_rank_1_input_to_the_dense_discriminator_is_refused():
    keras.utils.set_random_seed(0)
    discriminator = seed_discriminator()
    message = raised(ValueError, lambda: discriminator(tf.ones([10])))
    assert "Expected shape (None, 10), but input has incompatible shape (10,)" in message
    assert tuple(discriminator(tf.ones([1, 10])).shape) == (1, 1)


def test_003_5_tf_gradients_refuses_to_run_eagerly():
    keras.utils.set_random_seed(0)
    discriminator = seed_discriminator()
    score = discriminator(tf.ones([1, 10])).numpy()
    message = raised(RuntimeError, lambda: tf.gradients(score, discriminator.trainable_variables))
    assert message == (
        "tf.gradients is not supported when eager execution is enabled. "
        "Use tf.GradientTape instead."
    )


def test_003_6_a_numpy_loss_gives_the_tape_nothing_to_differentiate():
    keras.utils.set_random_seed(0)
    discriminator = seed_discriminator()
    with tf.GradientTape(persistent=True) as tape:
        score = discriminator(tf.ones([1, 10])).numpy()  # as the seed does
        as_tensor = tf.constant(score)
    variables = discriminator.trainable_variables
    raised(AttributeError, lambda: tape.gradient(score, variables))
    assert all(gradient is None for gradient in tape.gradient(as_tensor, variables))
    message = raised(
        ValueError,
        lambda: keras.optimizers.Adam().apply_gradients(
            zip(tape.gradient(as_tensor, variables), variables, strict=True)
        ),
    )
    assert "No gradients provided for any variable" in message


def test_003_8_the_seeds_update_lowers_the_real_score_relative_to_the_fake():
    keras.utils.set_random_seed(0)
    discriminator = seed_discriminator()
    real = tf.ones([1, 10])  # the seed's "real" input
    fake = tf.random.stateless_uniform([1, 10], seed=(1, 2))  # any generated vector
    variables = discriminator.trainable_variables
    with tf.GradientTape(persistent=True) as tape:
        d_loss = discriminator(fake)
        f_loss = discriminator(real)
    d_grad = tape.gradient(d_loss, variables)[0]
    sr_grad = tape.gradient(f_loss, variables)[0]
    before = [v.numpy().copy() for v in variables]
    gap_before = float((discriminator(real) - discriminator(fake))[0, 0])
    # The seed's step: one gradient zipped with every variable (zip stops at the first).
    discriminator.optimizer.apply_gradients(zip([sr_grad - d_grad], variables, strict=False))
    gap_after = float((discriminator(real) - discriminator(fake))[0, 0])
    changed = [not np.array_equal(b, v.numpy()) for b, v in zip(before, variables, strict=True)]
    assert changed[0] and not any(changed[1:])
    assert gap_after < gap_before


# --- seed 004 and the rest: the words the page quotes for errors a chapter runs --------------


class SeedRNN(keras.Model):
    """Seed 004's recurrent model: ``call(x, hidden)`` and a two-name unpacking."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = keras.layers.LSTM(5)
        self.dense = keras.layers.Dense(1)

    def call(self, x, hidden):
        output, hidden = self.lstm(x, initial_state=hidden)
        return self.dense(output), hidden


def fit_seed_rnn() -> None:
    model = SeedRNN()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((4, 10, 1), "float32"), np.zeros((4, 1, 1), "float32"), verbose=0)


def unpack_two(layer: keras.layers.Layer) -> None:
    _output, _state = layer(np.zeros((2, 5, 3), "float32"))  # three tensors, two names


SEQUENCE = np.zeros((4, 10, 1), "float32")
QUOTED = {
    "000.1": (
        ValueError,
        lambda: keras.layers.LSTM(8)(keras.layers.Flatten()(np.zeros((2, 4, 4, 3), "float32"))),
        "expected ndim=3, found ndim=2",
    ),
    "001.1": (
        ValueError,
        lambda: keras.Sequential([keras.Input((32, 32, 3)), keras.layers.LSTM(8)]),
        "expected ndim=3, found ndim=4",
    ),
    "002.4": (
        ValueError,
        lambda: keras.Sequential(
            [
                keras.Input((8, 8, 1)),
                keras.layers.Conv2D(4, 3),
                keras.layers.MaxPooling2D(),
                keras.layers.LSTM(8),
            ]
        ),
        "expected ndim=3, found ndim=4",
    ),
    "002.5": (  # one target per window against one output per step, with the seed's loss
        ValueError,
        lambda: keras.losses.BinaryCrossentropy()(
            np.zeros((4, 1), "float32"), np.full((4, 5, 1), 0.5, "float32")
        ),
        "must have the same shape",
    ),
    "004.5": (TypeError, fit_seed_rnn, "missing a required argument: 'hidden'"),
    "004.6 one array as the state": (
        IndexError,
        lambda: SeedRNN()(SEQUENCE, np.zeros((4, 5), "float32")),
        "list index out of range",
    ),
    "004.6 no return_state": (
        ValueError,
        lambda: SeedRNN()(SEQUENCE, [np.zeros((4, 5), "float32")] * 2),
        "too many values to unpack",
    ),
    "004.6 three tensors into two names": (
        ValueError,
        lambda: unpack_two(keras.layers.LSTM(4, return_state=True)),
        "too many values to unpack",
    ),
}


# Keras warns that it cannot build the broken SeedRNN before it fails; the error is the point.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("entry", sorted(QUOTED))
def test_the_message_the_page_quotes_is_the_one_keras_gives(entry):
    kind, call, words = QUOTED[entry]
    assert words in raised(kind, call)


def test_an_lstm_with_return_state_returns_three_tensors():
    assert len(keras.layers.LSTM(4, return_state=True)(np.zeros((2, 5, 3), "float32"))) == 3


# --- the page against the seeds' table -----------------------------------------------------


def seed_table_errors() -> dict[str, list[str]]:
    """Each seed's errors, as the last column of the seeds' table lists them."""
    if not SEEDS_README.is_file():
        pytest.fail(
            f"the seeds' table is missing: {SEEDS_README} (the shared folder must lie beside "
            "the repository, as ../shared)"
        )
    errors = {}
    for line in SEEDS_README.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*(\d{3})_\w+\.txt\s*\|", line)
        if match:
            last = line.strip().strip("|").split("|")[-1]
            errors[match.group(1)] = [e.strip() for e in last.split(";") if e.strip()]
    assert len(errors) == 5, f"expected five seeds in the table, found {sorted(errors)}"
    return errors


def errata_entries() -> dict[str, tuple[str, str]]:
    """Each entry of the errata page: its number, the seed section it is in, and its text."""
    entries: dict[str, tuple[str, str]] = {}
    section, number, body = None, None, []
    for line in [*ERRATA.read_text(encoding="utf-8").splitlines(), "## end"]:
        heading = re.match(r"## (?:Seed (\d{3})|.*)", line)
        start = re.match(r"(\d{3}\.\d+) — \S", line)
        if (heading or start) and number:
            entries[number] = (section, "\n".join(body))
            number, body = None, []
        if heading:
            section = heading.group(1)
        elif start:
            assert start.group(1) not in entries, f"entry {start.group(1)} appears twice"
            number, body = start.group(1), [line]
        elif number:
            body.append(line)
    return entries


def shown_in(text: str) -> str:
    return text.split("**Shown in:**", 1)[1]


def test_every_error_the_seeds_table_lists_has_an_entry():
    entries = errata_entries()
    for seed, errors in seed_table_errors().items():
        numbers = sorted(int(n.split(".")[1]) for n in entries if n.startswith(seed + "."))
        assert numbers == list(range(1, len(numbers) + 1)), f"seed {seed}: gaps in {numbers}"
        assert len(numbers) >= len(errors), (
            f"seed {seed}: the table lists {len(errors)} errors, the page has "
            f"{len(numbers)} entries"
        )


def test_every_entry_has_its_four_parts_in_its_seeds_section():
    for number, (section, text) in errata_entries().items():
        assert section == number[:3], f"{number} is under the section of seed {section}"
        positions = [text.find(part) for part in PARTS]
        assert -1 not in positions, f"{number} lacks {PARTS[positions.index(-1)]}"
        assert positions == sorted(positions), f"{number}: its parts are out of order"
        assert all(text.count(part) == 1 for part in PARTS), f"{number} repeats a part"


def test_every_page_the_errata_name_exists():
    text = ERRATA.read_text(encoding="utf-8")
    named = re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", text)
    assert any(name.startswith("../notebooks/") for name in named)
    missing = [name for name in named if not (ERRATA.parent / f"{name}.md").is_file()]
    assert not missing, f"the errata page names pages that do not exist: {missing}"


def test_an_entry_no_chapter_runs_is_reproduced_here_or_says_why_not():
    entries = errata_entries()
    for number, (_, text) in entries.items():
        shown = shown_in(text)
        runs_nothing = "no chapter runs this one" in shown
        assert runs_nothing == (number in REPRODUCED_HERE), number
        says_why = runs_nothing or "no chapter runs it" in shown or "this page" in shown
        assert "{doc}`../notebooks/" in shown or says_why, f"{number} names no chapter"
        if "tests/test_errata.py" in shown:
            assert f"def test_{number.replace('.', '_')}_" in Path(__file__).read_text(), number
    opencv = entries["000.5"][1]
    assert "neither a chapter nor a test runs this line" in opencv
    assert "color_rgb.dispatch.cpp" in opencv  # the source of OpenCV's channel check

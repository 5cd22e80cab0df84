"""companion.training.fit_and_evaluate: one compile-fit-evaluate run, with its input checks."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion import runtime
from companion.training import early_stopping_epochs, fit_and_evaluate, training_pairs


def _classifier() -> keras.Model:
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, np.argmax(x[:, :3], axis=1)


def _run(**overrides):
    runtime.seed_everything(0)
    options = dict(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        epochs=3,
        batch_size=16,
    )
    options.update(overrides)
    return fit_and_evaluate(_classifier(), _data(200, 1), _data(50, 2), **options)


def test_report_holds_history_test_scores_and_per_item_classes():
    report = _run()
    assert report.epochs_run == 3
    assert len(report.history["loss"]) == len(report.history["val_loss"]) == 3
    assert report.test_outputs.shape == (50, 3)
    x_test, y_test = _data(50, 2)
    # The test accuracy Keras reports is the share of the per-item classes that are right.
    assert report.test_scores["accuracy"] == pytest.approx(np.mean(report.classes == y_test))
    np.testing.assert_allclose(
        report.test_outputs, report.model.predict(x_test, verbose=0), rtol=1e-6
    )
    assert report.seconds > 0


def test_training_pairs_is_keras_own_validation_cut():
    # floor(n * (1 - share)) fitted, the rest validate, as Keras' validation_split cuts.
    assert training_pairs(200, 0.1) == 180
    assert training_pairs(10, 0.25) == 7
    assert training_pairs(10, 0.0) == 10
    x, y = _data(20, 3)
    model = _classifier()
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, validation_split=0.25, epochs=1, batch_size=100, verbose=0)
    fitted = training_pairs(20, 0.25)
    expected = model.evaluate(x[fitted:], y[fitted:], verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][0], expected, rtol=1e-6)


def test_validation_curve_uses_the_held_out_tail_and_the_batch_order_follows_the_seed():
    report = _run(epochs=2)
    x, y = _data(200, 1)
    tail = report.model.evaluate(x[180:], y[180:], verbose=0, batch_size=16, return_dict=True)
    np.testing.assert_allclose(report.history["val_loss"][-1], tail["loss"], rtol=1e-5)
    # seed_everything(0) inside _run fixes the shuffle seed: two runs agree exactly...
    np.testing.assert_array_equal(_run(epochs=2).test_outputs, report.test_outputs)
    # ...and an explicit, different shuffle seed changes the batch order, hence the weights.
    assert not np.allclose(_run(epochs=2, shuffle_seed=12345).test_outputs, report.test_outputs)


def test_callbacks_run_beside_the_progress_bar():
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    assert _run(epochs=20, callbacks=[stop]).epochs_run < 20


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(batch_size=2.5), TypeError, "batch_size"),
        (dict(validation_split=1.0), ValueError, "validation_split"),
        (dict(validation_split="0.1"), TypeError, "validation_split"),
    ],
)
def test_bad_settings_are_named(overrides, error, message):
    with pytest.raises(error, match=message):
        _run(**overrides)


def test_bad_model_and_pairs_are_named():
    options = dict(optimizer="adam", loss="mse", epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="model"):
        fit_and_evaluate("model", _data(8, 1), _data(8, 2), **options)
    with pytest.raises(TypeError, match="train"):
        fit_and_evaluate(_classifier(), np.zeros((8, 4)), _data(8, 2), **options)
    x, y = _data(8, 1)
    with pytest.raises(ValueError, match="test: expected as many targets"):
        fit_and_evaluate(_classifier(), (x, y), (x, y[:5]), **options)


def _memorising_run(epochs: int, callbacks: list) -> tuple[list[float], list[list[np.ndarray]]]:
    """A model that overfits 24 random pairs, so its validation loss turns upward."""
    runtime.seed_everything(0)
    rng = np.random.default_rng(3)
    x, y, x_val, y_val = (rng.normal(size=(24, 4)).astype("float32") for _ in range(4))
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(32, "relu"), keras.layers.Dense(4)]
    )
    model.compile(keras.optimizers.Adam(3e-2), "mse")
    snapshots: list[list[np.ndarray]] = []
    keep = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights())
    )
    history = model.fit(
        x,
        y,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=8,
        shuffle=False,
        verbose=0,
        callbacks=[keep, *callbacks],
    )
    return history.history["val_loss"], [*snapshots, model.get_weights()]


@pytest.mark.parametrize("patience", [0, 2, 5])
def test_early_stopping_epochs_follows_keras_early_stopping(patience):
    free_losses, free_weights = _memorising_run(40, [])
    stop_epoch, best_epoch = early_stopping_epochs(free_losses, patience)
    assert stop_epoch < 40, "the run must overfit for the rule to fire"
    stopping = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    stopped_losses, stopped_weights = _memorising_run(40, [stopping])
    assert len(stopped_losses) == stop_epoch and stopping.best_epoch + 1 == best_epoch
    np.testing.assert_allclose(stopped_losses, free_losses[:stop_epoch], rtol=1e-6)
    for restored, snapshot in zip(stopped_weights[-1], free_weights[best_epoch - 1], strict=True):
        np.testing.assert_allclose(restored, snapshot, rtol=1e-6)


def test_early_stopping_epochs_without_stopping_keeps_the_best_epoch():
    assert early_stopping_epochs([3.0, 2.0, 1.0], 1) == (3, 3)
    assert early_stopping_epochs([3.0, 1.0, 2.0, 2.0], 5) == (4, 2)
    assert early_stopping_epochs([1.0, 1.0], 0) == (2, 1)  # an equal loss is no improvement


@pytest.mark.parametrize(
    ("losses", "patience", "error", "match"),
    [
        ([], 2, ValueError, "val_loss: expected at least one"),
        ([[1.0]], 2, ValueError, "val_loss: expected a 1-D"),
        ([1.0, float("nan")], 2, ValueError, "val_loss: expected finite"),
        ([1.0], -1, ValueError, "patience"),
        ([1.0], 1.5, TypeError, "patience"),
    ],
)
def test_early_stopping_epochs_names_bad_arguments(losses, patience, error, match):
    with pytest.raises(error, match=match):
        early_stopping_epochs(losses, patience)

"""The NumPy LSTM, peephole LSTM and GRU against Keras, and the Keras peephole cell."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion import cells
from companion.keras_cells import PeepholeLSTMCell

shapes = st.tuples(
    st.integers(1, 4),  # batch
    st.integers(1, 10),  # time
    st.integers(1, 6),  # features
    st.integers(1, 7),  # units
)


def batch_of(shape, seed):
    batch, steps, features, units = shape
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=1.5, size=(batch, steps, features)).astype(np.float32)
    h0 = rng.uniform(-1, 1, size=(batch, units)).astype(np.float32)
    c0 = rng.normal(size=(batch, units)).astype(np.float32)
    return x, h0, c0


def built(layer, features):
    layer.build((None, None, features))
    return layer


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_lstm_matches_keras(shape, seed):
    x, h0, c0 = batch_of(shape, seed)
    weights = cells.LSTMWeights.random(shape[2], shape[3], seed=seed)
    layer = built(keras.layers.LSTM(shape[3], return_sequences=True, return_state=True), shape[2])
    layer.set_weights(weights.to_keras())
    h_keras, h_last, c_last = layer(x, initial_state=[h0, c0])
    h, c = cells.lstm_forward(x, weights, h0, c0)
    np.testing.assert_allclose(h, h_keras, atol=1e-5)
    np.testing.assert_allclose(h[:, -1], h_last, atol=1e-5)
    np.testing.assert_allclose(c[:, -1], c_last, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), reset_after=st.booleans())
def test_gru_matches_keras(shape, seed, reset_after):
    x, h0, _ = batch_of(shape, seed)
    weights = cells.GRUWeights.random(shape[2], shape[3], seed=seed, reset_after=reset_after)
    layer = built(
        keras.layers.GRU(shape[3], return_sequences=True, reset_after=reset_after), shape[2]
    )
    layer.set_weights(weights.to_keras())
    np.testing.assert_allclose(
        cells.gru_forward(x, weights, h0), layer(x, initial_state=h0), atol=1e-5
    )
    np.testing.assert_array_equal(cells.GRUWeights.from_keras(layer).bias, weights.to_keras()[2])


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_peephole_cell_matches_numpy_reference(shape, seed):
    x, h0, c0 = batch_of(shape, seed)
    weights = cells.LSTMWeights.random(shape[2], shape[3], seed=seed, peepholes=True)
    layer = built(keras.layers.RNN(PeepholeLSTMCell(shape[3]), return_sequences=True), shape[2])
    layer.set_weights(weights.to_keras())
    h, _ = cells.lstm_forward(x, weights, h0, c0)
    np.testing.assert_allclose(h, layer(x, initial_state=[h0, c0]), atol=1e-5)


def test_peephole_cell_without_peepholes_is_keras_lstm():
    x, _, _ = batch_of((3, 8, 4, 5), 0)
    lstm = built(keras.layers.LSTM(5, return_sequences=True), 4)
    peephole = built(keras.layers.RNN(PeepholeLSTMCell(5), return_sequences=True), 4)
    peephole.set_weights(lstm.get_weights() + [np.zeros(5, np.float32)] * 3)
    np.testing.assert_allclose(lstm(x), peephole(x), atol=1e-6)


def test_peepholes_change_the_output():
    x, _, _ = batch_of((2, 6, 3, 4), 1)
    with_peepholes = cells.LSTMWeights.random(3, 4, seed=2, peepholes=True)
    without = cells.LSTMWeights(
        with_peepholes.kernel, with_peepholes.recurrent_kernel, with_peepholes.bias
    )
    difference = np.abs(
        cells.lstm_forward(x, with_peepholes)[0] - cells.lstm_forward(x, without)[0]
    )
    assert difference.max() > 1e-2


def test_lstm_on_fixed_numbers():
    """One unit, one feature, one step, weights chosen by hand."""
    weights = cells.LSTMWeights(
        [[1.0, 2.0, 3.0, 4.0]], [[0.0, 0.0, 0.0, 0.0]], [0.0, 0.0, 0.0, 0.0]
    )
    h, c = cells.lstm_forward([[[0.5]]], weights, c0=[[2.0]])
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c_expected = sig(1.0) * 2.0 + sig(0.5) * np.tanh(1.5)
    np.testing.assert_allclose(c[0, 0, 0], c_expected, rtol=1e-12)
    np.testing.assert_allclose(h[0, 0, 0], sig(2.0) * np.tanh(c_expected), rtol=1e-12)


def test_peephole_cell_layer_contract(tmp_path):
    """Build, output shape, config round trip and saving/loading a .keras file."""
    cell = PeepholeLSTMCell(6, unit_forget_bias=True)
    model = keras.Sequential([keras.Input((7, 3)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(2, 7, 3)).astype(np.float32)
    assert model(x).shape == (2, 1)
    assert model.count_params() == 3 * 24 + 6 * 24 + 24 + 3 * 6 + 7
    bias = np.asarray(cell.bias)
    np.testing.assert_array_equal(bias[6:12], 1.0)
    np.testing.assert_array_equal(np.delete(bias, np.s_[6:12]), 0.0)
    clone = PeepholeLSTMCell.from_config(cell.get_config())
    assert clone.units == 6 and clone.unit_forget_bias
    path = tmp_path / "peephole.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(restored(x), model(x), atol=1e-6)


def test_peephole_cell_learns():
    """A few steps of training reduce the loss (the cell is differentiable end to end)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5, 2)).astype(np.float32)
    y = x[:, 0, :1]
    model = keras.Sequential(
        [keras.Input((5, 2)), keras.layers.RNN(PeepholeLSTMCell(8)), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


good_lstm = cells.LSTMWeights.random(3, 4, seed=0)
good_gru = cells.GRUWeights.random(3, 4, seed=0)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: cells.lstm_forward(np.zeros((2, 3)), good_lstm),
            ValueError,
            r"x: expected a 3-D array \(batch, time, features\), got shape \(2, 3\)",
        ),
        (
            lambda: cells.lstm_forward(np.zeros((2, 5, 4)), good_lstm),
            ValueError,
            r"x: expected shape \(any, any, 3\), got \(2, 5, 4\)",
        ),
        (
            lambda: cells.lstm_forward(np.zeros((2, 5, 3)), good_lstm, c0=np.zeros((2, 5))),
            ValueError,
            r"c0: expected shape \(2, 4\), got \(2, 5\)",
        ),
        (
            lambda: cells.LSTMWeights(np.zeros((3, 10)), np.zeros((2, 10)), np.zeros(10)),
            ValueError,
            r"kernel: expected a last axis of 4 \* units \(gates i, f, c, o\), got shape \(3, 10\)",
        ),
        (
            lambda: cells.LSTMWeights(np.zeros((3, 8)), np.zeros((2, 4)), np.zeros(8)),
            ValueError,
            r"recurrent_kernel: expected shape \(2, 8\), got \(2, 4\)",
        ),
        (
            lambda: cells.LSTMWeights(np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8), np.zeros(2)),
            ValueError,
            "w_ci, w_cf, w_co: expected all three peepholes or none",
        ),
        (
            lambda: cells.LSTMWeights(
                np.zeros((3, 8)), np.zeros((2, 8)), np.zeros(8), *np.zeros((3, 3))
            ),
            ValueError,
            r"w_ci: expected shape \(2\), got \(3,\)",
        ),
        (
            lambda: cells.GRUWeights(np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6)),
            ValueError,
            r"bias: expected shape \(2, 6\) for reset_after=True, got \(6,\)",
        ),
        (
            lambda: cells.GRUWeights(np.zeros((3, 7)), np.zeros((2, 7)), np.zeros(7)),
            ValueError,
            r"kernel: expected a last axis of 3 \* units \(gates z, r, h\)",
        ),
        (
            lambda: cells.gru_forward(np.zeros((1, 2, 3)), good_gru, h0=np.zeros(4)),
            ValueError,
            r"h0: expected a 2-D array \(batch, units\), got shape \(4,\)",
        ),
        (lambda: PeepholeLSTMCell(0), ValueError, "units: expected an integer >= 1, got 0"),
    ],
)
def test_bad_inputs_are_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_from_keras_errors():
    layer = built(keras.layers.LSTM(2, use_bias=False), 3)
    with pytest.raises(ValueError, match="layer: expected a built LSTM with use_bias=True"):
        cells.LSTMWeights.from_keras(layer)
    gru = built(keras.layers.GRU(2, use_bias=False), 3)
    with pytest.raises(ValueError, match="layer: expected a built GRU with use_bias=True"):
        cells.GRUWeights.from_keras(gru)


CUDNN_OPTIONS = [
    {},
    {"recurrent_dropout": 0.2},
    {"activation": "relu"},
    {"recurrent_activation": "hard_sigmoid"},
    {"unroll": True},
    {"use_bias": False},
    {"dropout": 0.3},
]


@pytest.mark.parametrize(
    ("kind", "options"),
    [(kind, options) for kind in ("lstm", "gru") for options in CUDNN_OPTIONS]
    + [("gru", {"reset_after": False})],
)
def test_cudnn_blockers_agree_with_keras(kind, options):
    """Our list of conditions gives the same verdict as Keras' own (private) check."""
    import importlib

    from companion.keras_cells import cudnn_blockers

    keras_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    layer = (keras.layers.LSTM if kind == "lstm" else keras.layers.GRU)(4, **options)
    cell = layer.cell
    arguments = dict(
        activation=cell.activation,
        recurrent_activation=cell.recurrent_activation,
        unroll=layer.unroll,
        use_bias=cell.use_bias,
    )
    if kind == "lstm":
        supported = keras_rnn._do_lstm_arguments_support_cudnn(**arguments)
    else:
        supported = keras_rnn._do_gru_arguments_support_cudnn(
            **arguments, reset_after=cell.reset_after
        )
    keras_verdict = supported and not cell.recurrent_dropout  # Keras checks this in the layer
    assert (not cudnn_blockers(layer)) == keras_verdict, cudnn_blockers(layer)


def test_cudnn_blockers_for_other_layers():
    from companion.keras_cells import cudnn_blockers

    assert "only LSTM and GRU" in cudnn_blockers(keras.layers.RNN(PeepholeLSTMCell(3)))[0]
    assert "only LSTM and GRU" in cudnn_blockers(keras.layers.SimpleRNN(3))[0]
    assert cudnn_blockers(keras.layers.LSTM(3, use_cudnn=False)) == ["use_cudnn=False"]
    with pytest.raises(TypeError, match="layer: expected a Keras recurrent layer, got Dense"):
        cudnn_blockers(keras.layers.Dense(3))

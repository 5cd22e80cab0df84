"""companion.layers and companion.models.cnn_rnn."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.layers import FeatureMapToSequence
from companion.models.cnn_rnn import cnn_rnn, early_fusion_model, fusion_model, rows_rnn


@settings(max_examples=20, deadline=None)
@given(shape=st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 6), st.integers(1, 4)))
def test_map_to_sequence_matches_numpy(shape):
    x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    batch, height, width, channels = shape
    expected = x.transpose(0, 2, 1, 3).reshape(batch, width, height * channels)
    np.testing.assert_array_equal(FeatureMapToSequence()(x), expected)


def test_map_to_sequence_keeps_columns_as_time_steps():
    x = np.zeros((1, 2, 3, 1), np.float32)
    x[0, :, 1, 0] = [5.0, 7.0]  # column 1 holds (5, 7) top to bottom
    np.testing.assert_array_equal(FeatureMapToSequence()(x)[0], [[0, 0], [5, 7], [0, 0]])


def test_map_to_sequence_layer_contract(tmp_path):
    model = keras.Sequential(
        [keras.Input((4, None, 3)), FeatureMapToSequence(), keras.layers.LSTM(2)]
    )
    assert model.layers[0].compute_output_shape((None, 4, None, 3)) == (None, None, 12)
    wide = np.random.default_rng(0).normal(size=(2, 4, 9, 3)).astype(np.float32)
    assert model(wide).shape == (2, 2)  # any width: the time axis is free
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "m.keras")(wide), model(wide), atol=1e-6
    )


def test_map_to_sequence_rejects_bad_ranks():
    with pytest.raises(
        ValueError, match=r"inputs: expected a 4-D feature map .* got shape \(None, 64\)"
    ):
        FeatureMapToSequence().compute_output_shape((None, 64))
    with pytest.raises(ValueError, match="inputs: expected known height and channels"):
        FeatureMapToSequence().compute_output_shape((None, None, 5, 3))


@pytest.mark.parametrize("build", [rows_rnn, cnn_rnn, fusion_model, early_fusion_model])
def test_models_output_logits_and_round_trip(build, tmp_path):
    model = build((8, 8, 1), 10)
    x = np.random.default_rng(1).random((3, 8, 8, 1)).astype(np.float32)
    assert model(x).shape == (3, 10)
    assert model.get_layer("logits").activation is keras.activations.linear
    model.save(tmp_path / "model.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "model.keras")(x), model(x), atol=1e-5
    )


def test_fusion_concatenates_cnn_features_and_rnn_state():
    model = fusion_model((8, 8, 1), 10, units=16, features=24)
    assert model.get_layer("fuse").output.shape[-1] == 16 + 24
    assert model.get_layer("logits").count_params() == (16 + 24 + 1) * 10


def test_early_fusion_shapes():
    model = early_fusion_model((6, 5, 2), 4, filters=(3, 4), units=7, features=9)
    assert model(np.zeros((2, 6, 5, 2), np.float32)).shape == (2, 4)
    assert model.get_layer("fuse").output.shape == (None, 6, 9 + 5 * 2)
    assert model.get_layer("lstm").cell.kernel.shape == (9 + 5 * 2, 4 * 7)
    assert model.get_layer("logits").kernel.shape == (7, 4)


def test_early_fusion_feeds_the_cnn_features_into_every_rnn_step():
    model = early_fusion_model((8, 8, 1), 10, filters=(4, 8), units=5, features=6)
    assert model.get_layer("lstm").input is model.get_layer("fuse").output
    probe = keras.Model(
        model.input,
        [model.get_layer(name).output for name in ("fuse", "cnn_features", "rows")],
    )
    # A positive bias keeps the ReLU features away from zero (all-zero features would
    # pass the comparison below without showing anything).
    model.get_layer("cnn_features").bias.assign(np.linspace(0.5, 1.5, 6))
    x = np.random.default_rng(2).random((3, 8, 8, 1)).astype(np.float32)
    fused, features, rows = (np.asarray(t) for t in probe(x))
    assert np.all(features > 0)
    assert len(np.unique(features)) > 6  # they differ between images and features
    for t in range(8):
        np.testing.assert_array_equal(fused[:, t, :6], features)  # [f; x_t]: f first
        np.testing.assert_array_equal(fused[:, t, 6:], rows[:, t])
    np.testing.assert_array_equal(rows, x.reshape(3, 8, 8))


def test_early_fusion_validates_arguments():
    with pytest.raises(ValueError, match="features: expected an integer >= 1, got 0"):
        early_fusion_model((8, 8, 1), 10, features=0)
    with pytest.raises(ValueError, match="units: expected an integer >= 1, got 0"):
        early_fusion_model((8, 8, 1), 10, units=0)
    with pytest.raises(ValueError, match="filters: expected a non-empty sequence"):
        early_fusion_model((8, 8, 1), 10, filters=())
    with pytest.raises(TypeError, match=r"input_shape: expected an integer >= 1, got 1\.5"):
        early_fusion_model((8, 8, 1.5), 10)


def test_cnn_rnn_reads_the_width_as_time():
    model = cnn_rnn((8, 12, 1), 10)
    assert model.get_layer("map_to_sequence").output.shape[1] == 12


@pytest.mark.parametrize("build", [rows_rnn, cnn_rnn, fusion_model, early_fusion_model])
def test_models_validate_arguments(build):
    with pytest.raises(
        ValueError, match=r"input_shape: expected \(height, width, channels\), got \(8, 8\)"
    ):
        build((8, 8), 10)
    with pytest.raises(ValueError, match="classes: expected an integer >= 2, got 1"):
        build((8, 8, 1), 1)


def test_frame_mask_counts_whole_frames():
    from companion.layers import FrameMask

    frames = np.zeros((3, 5, 2), np.float32)
    mask = np.asarray(FrameMask(8)(frames, np.array([40, 17, 7])))
    np.testing.assert_array_equal(mask, [[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert FrameMask.from_config(FrameMask(4).get_config()).stride == 4
    with pytest.raises(ValueError, match="stride: expected an integer >= 1, got 0"):
        FrameMask(0)


def test_blank_padded_frames_forces_the_blank_outside_the_mask():
    from companion.layers import BlankPaddedFrames

    logits = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    valid = np.array([[True, True, False], [True, False, False]])
    out = np.asarray(BlankPaddedFrames()(logits, valid))
    np.testing.assert_array_equal(out[valid], logits[valid])
    np.testing.assert_array_equal(out[~valid], [[0, -1e4, -1e4, -1e4]] * 3)

"""Reading with a CRNN (companion.models.crnn.transcribe) leaves the model unchanged, in
inference mode and with batch normalisation's batch statistics."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from companion import runtime
from companion.data.digit_strings import compose_digit_strings
from companion.models.crnn import batch_statistics_logits, crnn, transcribe


@pytest.fixture(scope="module")
def reader_and_strings():
    runtime.seed_everything(0)
    model = crnn(20, None, masked_width=True, batch_norm=True, units=8, filters=(4, 8, 8))
    strings = compose_digit_strings(12, split="test", fit_width=True, seed=3)
    return model, strings


def _state(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(v.value).copy() for v in model.variables]


@pytest.mark.parametrize("batch_statistics", [False, True])
def test_reading_leaves_every_variable_unchanged(reader_and_strings, batch_statistics):
    model, strings = reader_and_strings
    before = _state(model)
    transcribe(model, strings.images, strings.widths, batch_statistics=batch_statistics)
    after = _state(model)
    assert len(before) == len(after) > 0
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_training_call_would_have_changed_the_moving_averages(reader_and_strings):
    # The reason for stateless reading: Keras 3 updates the averages on training=True.
    model, strings = reader_and_strings
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    before = _state(clone)
    clone({"image": strings.images, "width": strings.widths}, training=True)
    assert any(not np.array_equal(a, b) for a, b in zip(before, _state(clone), strict=True))


def test_batch_statistics_differ_from_the_moving_averages_and_drop_nothing(reader_and_strings):
    model, strings = reader_and_strings
    inputs = {"image": strings.images, "width": strings.widths}
    first = batch_statistics_logits(model, inputs)
    # Dropout is off: two reads are equal, though training=True would drop at random.
    np.testing.assert_array_equal(first, batch_statistics_logits(model, inputs))
    assert model.get_layer("dropout").rate == 0.25  # and its rate is restored
    # An untrained model's moving averages (0 and 1) are not the batch's statistics.
    inference = np.asarray(model.predict(inputs, verbose=0))
    assert np.max(np.abs(first - inference)) > 1e-3


def test_batch_statistics_logits_and_transcribe_check_their_arguments(reader_and_strings):
    model, strings = reader_and_strings
    with pytest.raises(TypeError, match="model"):
        batch_statistics_logits("model", strings.images)
    with pytest.raises(TypeError, match="batch_statistics"):
        transcribe(model, strings.images, strings.widths, batch_statistics="yes")

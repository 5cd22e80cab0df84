"""Recurrent generator and discriminator for sequences (C-RNN-GAN / RCGAN style).

The generator reads one noise vector per time step through a stack of recurrent layers
and writes one output vector per step (Mogren 2016; Esteban, Hyland & Rätsch 2017). The
discriminator reads a sequence and returns one **logit** per time step (RCGAN), or one per
sequence; a logit, not a probability, so that the losses can use the numerically stable
``from_logits`` cross-entropy. With ``condition_dim > 0`` both take a second input, a
condition vector per sequence (e.g. the sines' frequencies), repeated at every step and
concatenated to the step's input: the conditional GAN of Mirza & Osindero (2014) made
recurrent, as in RCGAN.
"""

from __future__ import annotations

import keras

from companion.validation import check_choice, check_positive_int

CELLS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}


def _check_common(length: int, features: int, units: int, layers: int, cell: str, condition_dim):
    length = check_positive_int("length", length)
    features = check_positive_int("features", features)
    units = check_positive_int("units", units)
    layers = check_positive_int("layers", layers)
    check_choice("cell", cell, tuple(CELLS))
    condition_dim = check_positive_int("condition_dim", condition_dim, minimum=0)
    return length, features, units, layers, condition_dim


def _with_condition(
    x: keras.KerasTensor, length: int, condition_dim: int
) -> tuple[keras.KerasTensor, list[keras.KerasTensor]]:
    """Concatenate a per-sequence condition, repeated over time, to ``x``."""
    if condition_dim == 0:
        return x, []
    condition = keras.Input((condition_dim,), name="condition")
    repeated = keras.layers.RepeatVector(length, name="repeat_condition")(condition)
    return keras.layers.Concatenate(name="with_condition")([x, repeated]), [condition]


def _recurrent_stack(
    x: keras.KerasTensor, units: int, layers: int, cell: str, prefix: str, last_only: bool = False
) -> keras.KerasTensor:
    for index in range(layers):
        sequences = not (last_only and index == layers - 1)
        x = CELLS[cell](units, return_sequences=sequences, name=f"{prefix}_{cell}{index + 1}")(x)
    return x


def recurrent_generator(
    length: int = 24,
    features: int = 5,
    *,
    noise_dim: int = 5,
    units: int = 24,
    layers: int = 2,
    cell: str = "gru",
    condition_dim: int = 0,
    noise: str = "per_step",
    output_activation: str = "sigmoid",
) -> keras.Model:
    """A generator: noise to sequences ``(batch, length, features)``.

    Args:
        length: time steps per sequence.
        features: values per step in the output.
        noise_dim: size of the noise vector drawn at every step.
        units: units per recurrent layer.
        layers: number of stacked recurrent layers.
        cell: ``"gru"`` or ``"lstm"``.
        condition_dim: size of the condition vector (0: unconditional, one input).
        noise: ``"per_step"``, a fresh noise vector at every step, input shape
            ``(length, noise_dim)`` (C-RNN-GAN, RCGAN); or ``"per_sequence"``, one noise
            vector ``(noise_dim,)`` repeated at every step, so that all randomness is
            drawn once and the recurrence alone shapes the sequence.
        output_activation: activation of the per-step ``Dense`` output layer;
            ``"sigmoid"`` matches data scaled to ``[0, 1]``.

    Returns:
        A Keras model with input ``noise`` (and ``condition`` when ``condition_dim > 0``).

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range size, or an unknown cell
            or noise kind.
    """
    length, features, units, layers, condition_dim = _check_common(
        length, features, units, layers, cell, condition_dim
    )
    noise_dim = check_positive_int("noise_dim", noise_dim)
    check_choice("noise", noise, ("per_step", "per_sequence"))
    try:
        keras.activations.get(output_activation)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"output_activation: expected a Keras activation, got {output_activation!r}"
        ) from error
    if noise == "per_step":
        noise_input = keras.Input((length, noise_dim), name="noise")
        x = noise_input
    else:
        noise_input = keras.Input((noise_dim,), name="noise")
        x = keras.layers.RepeatVector(length, name="repeat_noise")(noise_input)
    x, extra = _with_condition(x, length, condition_dim)
    x = _recurrent_stack(x, units, layers, cell, "generator")
    outputs = keras.layers.Dense(features, activation=output_activation, name="sequence")(x)
    inputs = [noise_input, *extra] if extra else noise_input
    return keras.Model(inputs, outputs, name="generator")


def recurrent_discriminator(
    length: int = 24,
    features: int = 5,
    *,
    units: int = 24,
    layers: int = 1,
    cell: str = "gru",
    condition_dim: int = 0,
    per_step: bool = True,
) -> keras.Model:
    """A discriminator: sequences ``(batch, length, features)`` to real/fake logits.

    Args:
        length: time steps per sequence.
        features: values per step.
        units: units per recurrent layer.
        layers: number of stacked recurrent layers.
        cell: ``"gru"`` or ``"lstm"``.
        condition_dim: size of the condition vector (0: unconditional, one input).
        per_step: one logit per step, shape ``(batch, length, 1)`` (RCGAN), or one per
            sequence from the last step, shape ``(batch, 1)``.

    Returns:
        A Keras model with input ``sequence`` (and ``condition`` when
        ``condition_dim > 0``) whose output is a logit: positive means "real".

    Raises:
        TypeError, ValueError: for a non-integer or out-of-range size, or an unknown cell.
    """
    length, features, units, layers, condition_dim = _check_common(
        length, features, units, layers, cell, condition_dim
    )
    sequence = keras.Input((length, features), name="sequence")
    x, extra = _with_condition(sequence, length, condition_dim)
    x = _recurrent_stack(x, units, layers, cell, "discriminator", last_only=not per_step)
    logits = keras.layers.Dense(1, name="logit")(x)
    return keras.Model([sequence, *extra] if extra else sequence, logits, name="discriminator")

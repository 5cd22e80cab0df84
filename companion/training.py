"""Training helpers: a compact progress bar for ``model.fit``, one compile-fit-evaluate run
for the chapters' supervised models (:func:`fit_and_evaluate`), and a GAN whose training
step is written once (:class:`SequenceGAN`, and :class:`VideoGAN` for clips).

:class:`SequenceGAN` needs the TensorFlow backend of Keras (``KERAS_BACKEND=tensorflow``,
the default): its ``train_step`` takes two gradients with ``tf.GradientTape``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from tqdm import tqdm

from companion.pipeline import repeated_dataset
from companion.validation import (
    as_float_array,
    check_choice,
    check_number,
    check_positive_int,
)

# Shorter names keep the bar on one line.
_SHORT_NAMES = {"accuracy": "acc", "val_accuracy": "val_acc"}


def _in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (Jupyter, Colab, a book build)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _Line:
    """One line of output that is rewritten in place.

    In a notebook it is a display that each update replaces, so the saved notebook (and
    the rendered book) keeps only the final line; in a terminal it is rewritten with a
    carriage return.
    """

    def __init__(self) -> None:
        self._handle: Any = None
        self._notebook = _in_notebook()

    def show(self, text: str) -> None:
        if self._notebook:
            from IPython.display import display

            bundle = {"text/plain": text}
            if self._handle is None:
                self._handle = display(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
        else:
            sys.stdout.write("\r" + text)
            sys.stdout.flush()

    def close(self) -> None:
        if not self._notebook:
            sys.stdout.write("\n")
            sys.stdout.flush()


class ProgressBar(keras.callbacks.Callback):
    """One progress bar over the epochs, with the latest metrics beside it.

    Use it with ``model.fit(..., verbose=0, callbacks=[ProgressBar()])``: Keras' own bar
    prints one line per epoch, which buries a notebook's output; this one is a single
    line that is updated in place after each epoch (in Jupyter, Colab and a terminal
    alike). It records the training time in ``seconds`` and the number of epochs run in
    ``epochs_run`` (fewer than asked when early stopping ends the training).
    """

    def __init__(self, description: str = "training") -> None:
        super().__init__()
        if not isinstance(description, str):
            raise TypeError(f"description: expected a string, got {type(description).__name__}")
        self.description = description
        self.seconds = 0.0
        self.epochs_run = 0
        self._line: _Line | None = None
        self._start = 0.0

    def _render(self, logs: dict[str, Any] | None) -> str:
        metrics = ", ".join(
            f"{_SHORT_NAMES.get(key, key)}={value:.3g}"
            for key, value in (logs or {}).items()
            if key != "learning_rate"
        )
        return tqdm.format_meter(
            n=self.epochs_run,
            total=self.params.get("epochs"),
            elapsed=time.perf_counter() - self._start,
            prefix=self.description,
            unit="epoch",
            postfix=metrics or None,
            bar_format="{l_bar}{bar:20}{r_bar}",
        )

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self.epochs_run = 0
        self._line = _Line()
        self._line.show(self._render(None))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.epochs_run = epoch + 1
        self._line.show(self._render(logs))

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.seconds = time.perf_counter() - self._start
        self._line.close()


@dataclass(frozen=True)
class FitReport:
    """What one :func:`fit_and_evaluate` run gave.

    ``history`` is Keras' per-epoch log (``loss``, ``val_loss``, metrics), ``test_scores``
    the loss and metrics on the test set (``model.evaluate(..., return_dict=True)``) and
    ``test_outputs`` the model's outputs for each test input, from which per-item answers
    (``classes``) are read for a paired comparison of two models.
    """

    model: keras.Model
    history: dict[str, list[float]]
    test_scores: dict[str, float]
    test_outputs: np.ndarray
    seconds: float
    epochs_run: int

    @property
    def classes(self) -> np.ndarray:
        """The predicted class of each test item, the largest output (logit or probability)."""
        return np.argmax(self.test_outputs, axis=-1)


def _pair(name: str, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise TypeError(f"{name}: expected a pair (inputs, targets), got {type(value).__name__}")
    inputs, targets = value
    if len(inputs) != len(targets):
        raise ValueError(
            f"{name}: expected as many targets as inputs, got {len(inputs)} inputs and "
            f"{len(targets)} targets"
        )
    return inputs, targets


def training_pairs(n: int, validation_split: float) -> int:
    """How many of ``n`` training pairs are fitted when ``validation_split`` is held out.

    Keras' own cut (``train_validation_split`` in
    ``keras/src/trainers/data_adapters/array_slicing.py``): the first
    ``floor(n * (1 - validation_split))`` pairs are fitted and the rest validate, taken
    before any shuffling. :func:`fit_and_evaluate` cuts the same way.

    Raises:
        TypeError: if ``n`` is not an integer or ``validation_split`` not a number.
        ValueError: if ``n`` is not positive, ``validation_split`` is not in [0, 1), or it
            leaves no pair to fit.
    """
    n = check_positive_int("n", n)
    check_number("validation_split", validation_split, "a fraction in [0, 1)")
    if not 0 <= validation_split < 1:
        raise ValueError(
            f"validation_split: expected a fraction in [0, 1), got {validation_split!r}"
        )
    fitted = int(np.floor(n * (1.0 - validation_split)))
    if fitted == 0:
        raise ValueError(
            f"validation_split: expected a share that leaves pairs to fit, got "
            f"{validation_split!r} of {n} pairs"
        )
    return fitted


def early_stopping_epochs(val_loss: Sequence[float], patience: int) -> tuple[int, int]:
    """Where ``keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)``
    stops a run with these per-epoch validation losses, and which epoch's weights it leaves.

    Keras' rule (``on_epoch_end`` and ``on_train_end`` in
    keras/src/callbacks/early_stopping.py, default ``min_delta=0``): an epoch improves only
    on a strictly lower loss; training stops at the first epoch ``patience`` epochs after
    the best so far; at the end, stopped or not, the best epoch's weights are restored.
    Given the losses of a run trained without stopping, this says what early stopping
    would have returned (``tests/test_fit_and_evaluate.py`` checks it against Keras).

    Returns:
        ``(stop_epoch, best_epoch)``, both counted from 1; ``stop_epoch`` is the last epoch
        when the rule never fires.

    Raises:
        TypeError, ValueError: for losses that are not a non-empty 1-D finite sequence, or
            a ``patience`` that is not an integer >= 0.
    """
    losses = as_float_array("val_loss", val_loss, ndim=1, axes=("epochs",))
    if losses.size == 0:
        raise ValueError("val_loss: expected at least one epoch's loss, got none")
    patience = check_positive_int("patience", patience, minimum=0)
    best = 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch + 1, best + 1
    return len(losses), best + 1


def fit_and_evaluate(
    model: keras.Model,
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    *,
    optimizer: keras.optimizers.Optimizer,
    loss: Any,
    epochs: int,
    batch_size: int,
    metrics: Sequence[Any] = (),
    validation_split: float = 0.1,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    label: str = "training",
    shuffle_seed: int | None = None,
) -> FitReport:
    """Compile ``model``, fit it on ``train`` with a :class:`ProgressBar`, and score it on ``test``.

    The run every supervised chapter repeats, written once: ``validation_split`` of the
    training pairs (the last ones, as Keras takes them: :func:`training_pairs`) are held
    out for the validation curve; the test pairs are used only after training. The
    training pairs are served as one repeated ``tf.data`` pipeline
    (:func:`companion.pipeline.repeated_dataset`), shuffled anew each epoch. Its shuffling
    starts from ``shuffle_seed``, or, when that is ``None``, from a number drawn from
    NumPy's global generator, so that :func:`companion.runtime.seed_everything` fixes the
    batch order too.

    Raises:
        TypeError: if ``model`` is not a Keras model, or ``train``/``test`` are not pairs.
        ValueError: if a pair's inputs and targets differ in length, ``epochs`` or
            ``batch_size`` is not a positive integer, ``validation_split`` is not in [0, 1)
            or leaves no training pair, or ``shuffle_seed`` is negative.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    x_train, y_train = _pair("train", train)
    x_test, y_test = _pair("test", test)
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    split_at = training_pairs(len(x_train), validation_split)
    validation = (x_train[split_at:], y_train[split_at:]) if split_at < len(x_train) else None
    # One endless dataset instead of arrays, on which fit starts a new iterator every epoch
    # (keras/src/trainers/epoch_iterator.py). Measured on 2 cores: chapter 1's recall runs
    # took a fifth to a third less time, chapter 3's CNN a quarter less, while chapter 2's
    # LSTM took a sixth to a half more.
    if shuffle_seed is None:
        shuffle_seed = int(np.random.randint(2**31 - 1))  # noqa: NPY002 - seeded by seed_everything
    batches, steps = repeated_dataset(
        x_train[:split_at], y_train[:split_at], batch_size=batch_size, seed=shuffle_seed
    )
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    progress = ProgressBar(label)
    history = model.fit(
        batches,
        steps_per_epoch=steps,
        validation_data=validation,
        validation_batch_size=batch_size,
        epochs=epochs,
        verbose=0,
        callbacks=[progress, *callbacks],
    )
    scores = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    return FitReport(
        model=model,
        history=history.history,
        test_scores={key: float(value) for key, value in scores.items()},
        test_outputs=np.asarray(model.predict(x_test, verbose=0)),
        seconds=progress.seconds,
        epochs_run=progress.epochs_run,
    )


GAN_LOSSES = ("non_saturating", "minimax", "seed001")


def _softplus(x: tf.Tensor) -> tf.Tensor:
    return tf.math.softplus(x)


def _check_logits(**named: Any) -> None:
    for name, logits in named.items():
        if not (tf.is_tensor(logits) or isinstance(logits, np.ndarray)):
            raise TypeError(f"{name}: expected a tensor of logits, got {type(logits).__name__}")
        logits = tf.convert_to_tensor(logits) if isinstance(logits, np.ndarray) else logits
        if not logits.dtype.is_floating:
            raise TypeError(f"{name}: expected float logits, got dtype {logits.dtype.name}")
        if logits.shape.rank == 0:
            raise ValueError(f"{name}: expected a batch of logits, got a scalar")


def discriminator_loss(
    real_logits: tf.Tensor, fake_logits: tf.Tensor, label_smoothing: float = 0.0
) -> tf.Tensor:
    """The discriminator's cross-entropy on logits, with one-sided label smoothing.

    ``-E[y log D(x)] - E[(1 - y) log(1 - D(x))] - E[log(1 - D(G(z)))]`` with
    ``D = sigmoid(logit)`` and ``y = 1 - label_smoothing``; ``softplus(-a) = -log sigmoid(a)``
    keeps it finite for any logit.

    Raises:
        TypeError: if the logits are not float tensors or arrays.
        ValueError: if they are scalars, or ``label_smoothing`` is not in ``[0, 1)``.
    """
    _check_logits(real_logits=real_logits, fake_logits=fake_logits)
    check_number("label_smoothing", label_smoothing, "a number in [0, 1)")
    if not 0 <= label_smoothing < 1:
        raise ValueError(f"label_smoothing: expected a number in [0, 1), got {label_smoothing}")
    target = 1.0 - label_smoothing
    return (
        tf.reduce_mean(target * _softplus(-real_logits))
        + tf.reduce_mean((1.0 - target) * _softplus(real_logits))
        + tf.reduce_mean(_softplus(fake_logits))
    )


def generator_loss(fake_logits: tf.Tensor, kind: str = "non_saturating") -> tf.Tensor:
    """The generator's loss on the discriminator's logits for generated samples.

    ``"non_saturating"``: ``-E[log D(G(z))]``; ``"minimax"``: ``E[log(1 - D(G(z)))]``.

    Raises:
        TypeError, ValueError: if ``fake_logits`` is not a batch of float logits, or
            ``kind`` is neither of the two.
    """
    _check_logits(fake_logits=fake_logits)
    check_choice("kind", kind, ("non_saturating", "minimax"))
    if kind == "minimax":
        return -tf.reduce_mean(_softplus(fake_logits))
    return tf.reduce_mean(_softplus(-fake_logits))


def discriminator_accuracy(real_logits: tf.Tensor, fake_logits: tf.Tensor) -> tf.Tensor:
    """The mean of the accuracies on real (logit > 0) and on generated (logit <= 0) inputs.

    Raises:
        TypeError, ValueError: if the logits are not batches of float logits.
    """
    _check_logits(real_logits=real_logits, fake_logits=fake_logits)
    return 0.5 * (
        tf.reduce_mean(tf.cast(real_logits > 0, tf.float32))
        + tf.reduce_mean(tf.cast(fake_logits <= 0, tf.float32))
    )


class _GANModel(keras.Model):
    """What the course's GAN models share: two optimizers set by :meth:`compile`, trackers
    reported by ``fit``, and their noise generator's state saved with them.

    Keras saves a model's layers, variables and optimizers, but not the state of a
    :class:`keras.random.SeedGenerator` held by a subclassed model. Without it, a GAN
    restored from a checkpoint (``BackupAndRestore``, ``save_weights``) draws the noise
    sequence from its start again, and its training no longer matches the uninterrupted
    one; ``tests/test_resume.py`` measures that.
    """

    _SEED_KEY = "noise_seed_state"
    # The constructor's model arguments, saved as nested Keras configs by get_config.
    _MODEL_ARGUMENTS: tuple[str, ...] = ()
    # Its other keyword arguments, and the attribute each is kept in.
    _SETTINGS: tuple[tuple[str, str], ...] = ()

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, with the models as nested Keras configs."""
        config = super().get_config()
        for name in self._MODEL_ARGUMENTS:
            model = getattr(self, name)
            config[name] = None if model is None else keras.saving.serialize_keras_object(model)
        config.update({key: getattr(self, attribute) for key, attribute in self._SETTINGS})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> _GANModel:
        config = dict(config)
        models = [
            None if config[name] is None else keras.saving.deserialize_keras_object(config[name])
            for name in cls._MODEL_ARGUMENTS
        ]
        for name in cls._MODEL_ARGUMENTS:
            del config[name]
        return cls(*models, **config)

    def save_own_variables(self, store: Any) -> None:
        super().save_own_variables(store)
        store[self._SEED_KEY] = self.seed_generator.state

    def load_own_variables(self, store: Any) -> None:
        if self._SEED_KEY in store.keys():
            self.seed_generator.state.assign(store[self._SEED_KEY])
        for index, variable in enumerate(self._trainable_variables + self._non_trainable_variables):
            variable.assign(store[f"{index}"])

    @property
    def discriminator_variables(self) -> list[keras.Variable]:
        """The weights ``d_optimizer`` updates; each GAN names its discriminators'."""
        raise NotImplementedError

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer,
        g_optimizer: keras.optimizers.Optimizer,
        **kwargs: Any,
    ) -> None:
        """Set the discriminator's (or discriminators') optimizer and the generator's.

        Raises:
            TypeError: if an optimizer is not a :class:`keras.optimizers.Optimizer`.
            ValueError: if both are the same object.
        """
        for name, optimizer in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise TypeError(
                    f"{name}: expected a keras.optimizers.Optimizer, got {type(optimizer).__name__}"
                )
        if d_optimizer is g_optimizer:
            raise ValueError("g_optimizer: expected an optimizer distinct from d_optimizer")
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        d_optimizer.build(self.discriminator_variables)
        g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss and accuracy trackers; listing them lets Keras reset them every epoch."""
        return list(self.trackers.values())

    @staticmethod
    def _replica_gradients(
        tape: tf.GradientTape, loss: tf.Tensor, variables: list[keras.Variable]
    ) -> list[tf.Tensor]:
        """This replica's share of the gradients of a loss averaged over its batch.

        Under ``tf.distribute`` each of ``n`` replicas sees ``1/n`` of the global batch and
        the optimizer sums their gradients (``_all_reduce_sum_gradients`` in
        keras/src/backend/tensorflow/optimizer.py). Keras' own losses divide by ``n`` for
        that (``scale_loss_for_distribution`` in keras/src/losses/loss.py); a ``train_step``
        that computes its losses itself must do the same, or its updates are ``n`` times
        those of one device on the same global batch (``tests/test_distribute.py``).
        """
        share = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        return tape.gradient(loss, variables, output_gradients=tf.cast(share, loss.dtype))

    def _report(self, values: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
        """Update the trackers with this step's values and return their running means."""
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


@keras.saving.register_keras_serializable(package="companion")
class SequenceGAN(_GANModel):
    """A GAN over sequences: a generator and a discriminator trained in turn by ``fit``.

    One call of :meth:`train_step` (one batch of real sequences) makes one discriminator
    update and ``generator_steps`` generator updates, each with its own optimizer, and
    reports ``d_loss``, ``g_loss``, the discriminator's batch accuracy ``d_acc`` and the
    ``moments`` distance (mean absolute difference of the per-step means and standard
    deviations of real and generated batches) through :class:`keras.metrics.Mean`
    trackers, so ``fit(..., callbacks=[ProgressBar()])`` shows them. With
    ``D = sigmoid(logit)`` and noise ``z ~ U(0, 1)`` per step, the losses are

    - discriminator: ``-E[y log D(x)] - E[(1 - y) log(1 - D(x))] - E[log(1 - D(G(z)))]``
      with ``y = 1 - label_smoothing`` (one-sided label smoothing; ``y = 1`` without it);
    - generator, ``loss="non_saturating"``: ``-E[log D(G(z))]``;
      ``loss="minimax"``: ``E[log(1 - D(G(z)))]`` (the value function itself);
    - ``loss="seed001"``: both players minimise ``-E[log D(G(z))] - E[log(1 - D(h))]``
      with ``h`` a noise sequence shaped like the data: real data never enters it.

    ``moment_weight > 0`` adds the moments distance to the generator's loss (as TimeGAN's
    generator does); ``discriminator_threshold > 0`` skips the discriminator update when
    its loss is already below the threshold (TimeGAN updates it only above 0.15); it
    needs one device, since a skipped update cannot be synchronised across replicas. Data
    passed to ``fit`` are the real sequences, or ``(sequences, conditions)`` for a
    conditional generator and discriminator (two inputs each). Gradient clipping is the
    optimizers' own ``clipnorm``.
    """

    _MODEL_ARGUMENTS = ("generator", "discriminator")
    _SETTINGS = (
        ("generator_steps", "generator_steps"),
        ("label_smoothing", "label_smoothing"),
        ("loss", "loss_kind"),
        ("moment_weight", "moment_weight"),
        ("discriminator_threshold", "discriminator_threshold"),
        ("seed", "seed"),
    )

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        *,
        generator_steps: int = 1,
        label_smoothing: float = 0.0,
        loss: str = "non_saturating",
        moment_weight: float = 0.0,
        discriminator_threshold: float = 0.0,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, model in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(model, keras.Model):
                raise TypeError(f"{name}: expected a keras.Model, got {type(model).__name__}")
        if len(generator.inputs) != len(discriminator.inputs) or len(generator.inputs) > 2:
            raise ValueError(
                "generator, discriminator: expected one input each (unconditional) or two "
                f"each (conditional), got {len(generator.inputs)} and "
                f"{len(discriminator.inputs)}"
            )
        if tuple(generator.outputs[0].shape[1:]) != tuple(discriminator.inputs[0].shape[1:]):
            raise ValueError(
                "discriminator: expected its input to match the generator's output "
                f"{tuple(generator.outputs[0].shape[1:])}, "
                f"got {tuple(discriminator.inputs[0].shape[1:])}"
            )
        if not 0.0 <= label_smoothing < 0.5:
            raise ValueError(
                f"label_smoothing: expected a number in [0, 0.5), got {label_smoothing!r}"
            )
        if not np.isfinite(moment_weight) or moment_weight < 0:
            raise ValueError(f"moment_weight: expected a finite number >= 0, got {moment_weight!r}")
        if not np.isfinite(discriminator_threshold) or discriminator_threshold < 0:
            raise ValueError(
                "discriminator_threshold: expected a finite number >= 0, "
                f"got {discriminator_threshold!r}"
            )
        self.generator = generator
        self.discriminator = discriminator
        self.generator_steps = check_positive_int("generator_steps", generator_steps)
        self.label_smoothing = float(label_smoothing)
        self.loss_kind = check_choice("loss", loss, GAN_LOSSES)
        self.moment_weight = float(moment_weight)
        self.discriminator_threshold = float(discriminator_threshold)
        self.conditional = len(generator.inputs) == 2
        self.noise_shape = tuple(generator.inputs[0].shape[1:])
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {
            name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_acc", "moments")
        }
        # Both players are built functional models and there is no call() of its own, so
        # the GAN is built too (BackupAndRestore, for one, refuses an unbuilt model).
        self.built = True

    @property
    def discriminator_variables(self) -> list[keras.Variable]:
        """The discriminator's trainable weights, updated by ``d_optimizer``."""
        return list(self.discriminator.trainable_variables)

    def _noise(self, batch: tf.Tensor) -> tf.Tensor:
        shape = tf.concat([[batch], tf.constant(self.noise_shape, tf.int32)], axis=0)
        return keras.random.uniform(shape, seed=self.seed_generator)

    def _inputs(self, first: tf.Tensor, condition: tf.Tensor | None) -> Any:
        return [first, condition] if self.conditional else first

    @staticmethod
    def _moments(real: tf.Tensor, fake: tf.Tensor) -> tf.Tensor:
        mean_gap = tf.reduce_mean(tf.abs(tf.reduce_mean(real, 0) - tf.reduce_mean(fake, 0)))
        std_gap = tf.reduce_mean(tf.abs(tf.math.reduce_std(real, 0) - tf.math.reduce_std(fake, 0)))
        return mean_gap + std_gap

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        """One discriminator update and ``generator_steps`` generator updates."""
        if self.conditional:
            real, condition = data[0], data[1]
        else:
            real = data[0] if isinstance(data, tuple | list) else data
            condition = None
        real = tf.cast(real, tf.float32)
        if condition is not None:
            condition = tf.cast(condition, tf.float32)
        batch = tf.shape(real)[0]

        with tf.GradientTape() as tape:
            fake = self.generator(self._inputs(self._noise(batch), condition), training=True)
            fake_logits = self.discriminator(self._inputs(fake, condition), training=True)
            if self.loss_kind == "seed001":
                h = keras.random.uniform(tf.shape(real), seed=self.seed_generator)
                other_logits = self.discriminator(self._inputs(h, condition), training=True)
                d_loss = tf.reduce_mean(_softplus(-fake_logits)) + tf.reduce_mean(
                    _softplus(other_logits)
                )
                real_logits = self.discriminator(self._inputs(real, condition), training=True)
            else:
                real_logits = self.discriminator(self._inputs(real, condition), training=True)
                d_loss = discriminator_loss(real_logits, fake_logits, self.label_smoothing)
        gradients = self._replica_gradients(tape, d_loss, self.discriminator.trainable_variables)

        def apply() -> tf.Tensor:
            self.d_optimizer.apply_gradients(
                zip(gradients, self.discriminator.trainable_variables, strict=True)
            )
            return tf.constant(True)

        if self.discriminator_threshold > 0:
            replicas = tf.distribute.get_strategy().num_replicas_in_sync
            if replicas > 1:
                # An update inside tf.cond cannot join the replicas' gradient all-reduce
                # (tf.distribute refuses a merge_call inside control flow).
                raise ValueError(
                    "discriminator_threshold: expected 0 when training on several replicas "
                    f"(a skipped update cannot be synchronised), got "
                    f"{self.discriminator_threshold} with {replicas} replicas"
                )
            tf.cond(d_loss > self.discriminator_threshold, apply, lambda: tf.constant(False))
        else:
            apply()
        accuracy = discriminator_accuracy(real_logits, fake_logits)

        for _ in range(self.generator_steps):
            with tf.GradientTape() as tape:
                fake = self.generator(self._inputs(self._noise(batch), condition), training=True)
                fake_logits = self.discriminator(self._inputs(fake, condition), training=True)
                # Seed 001's loss reduces to the non-saturating one for the generator.
                g_loss = generator_loss(
                    fake_logits, "minimax" if self.loss_kind == "minimax" else "non_saturating"
                )
                moments = self._moments(real, fake)
                total = g_loss + self.moment_weight * moments if self.moment_weight else g_loss
            gradients = self._replica_gradients(tape, total, self.generator.trainable_variables)
            self.g_optimizer.apply_gradients(
                zip(gradients, self.generator.trainable_variables, strict=True)
            )

        return self._report(
            {"d_loss": d_loss, "g_loss": g_loss, "d_acc": accuracy, "moments": moments}
        )

    def sample(self, n: int, condition: Any = None, *, seed: int = 0) -> np.ndarray:
        """Draw ``n`` generated sequences (with one condition row per sequence if conditional).

        Raises:
            TypeError, ValueError: for a bad ``n``, or a missing or mis-shaped condition.
        """
        n = check_positive_int("n", n)
        noise = np.random.default_rng(seed).uniform(size=(n, *self.noise_shape)).astype("float32")
        if self.conditional:
            if condition is None:
                raise ValueError("condition: expected one condition row per sequence, got None")
            condition = np.asarray(condition, dtype="float32")
            want = (n, *tuple(self.generator.inputs[1].shape[1:]))
            if condition.shape != want:
                raise ValueError(f"condition: expected shape {want}, got {condition.shape}")
            return np.asarray(self.generator([noise, condition], training=False))
        if condition is not None:
            raise ValueError("condition: expected None for an unconditional generator")
        return np.asarray(self.generator(noise, training=False))


@keras.saving.register_keras_serializable(package="companion")
class VideoGAN(_GANModel):
    """An RNN + GAN for clips (MoCoGAN): one generator against two discriminators.

    The generator (:func:`companion.models.video_gan.trajectory_generator`) takes content
    noise ``(content_dim,)`` and motion noise ``(length, motion_dim)``, both standard
    normal, and with ``classes > 0`` a one-hot label. The frame discriminator ``D_I`` judges
    every frame of a clip on its own; the sequence discriminator ``D_V`` judges whole
    clips. With ``D = sigmoid(logit)``, one call of :meth:`train_step` minimises, in turn,

    - ``L_D = BCE_I + BCE_V``, each a :func:`discriminator_loss` of real against generated
      (frames for ``D_I``, clips for ``D_V``), one step of ``d_optimizer`` over both
      discriminators' weights;
    - ``L_G = -E[log D_I(G(z)_t)] - sequence_weight * E[log D_V(G(z))]``, the
      non-saturating loss summed over both judges, one step of ``g_optimizer``.

    ``sequence_discriminator=None`` trains against ``D_I`` alone: nothing then asks the
    frames of one clip to belong together. Data passed to ``fit`` are clips, or
    ``(clips, labels)`` with integer labels ``(batch,)`` for a conditional generator. The
    trackers ``d_frame``, ``d_clip``, ``g_loss``, ``frame_acc``, ``clip_acc`` and
    ``class_loss`` are shown by :class:`ProgressBar`.

    A frame discriminator built with ``auxiliary_classifier=True`` (AC-GAN) returns class
    logits too: their cross-entropy against the labels of the **real** frames
    (``class_loss``) is added to ``L_D``, and against the asked labels of the generated
    frames to ``L_G``.
    """

    _MODEL_ARGUMENTS = ("generator", "frame_discriminator", "sequence_discriminator")
    _SETTINGS = (
        ("sequence_weight", "sequence_weight"),
        ("label_smoothing", "label_smoothing"),
        ("seed", "seed"),
    )

    def __init__(
        self,
        generator: keras.Model,
        frame_discriminator: keras.Model,
        sequence_discriminator: keras.Model | None,
        *,
        sequence_weight: float = 1.0,
        label_smoothing: float = 0.0,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, model in (
            ("generator", generator),
            ("frame_discriminator", frame_discriminator),
            ("sequence_discriminator", sequence_discriminator),
        ):
            if model is None and name == "sequence_discriminator":
                continue
            if not isinstance(model, keras.Model):
                raise TypeError(f"{name}: expected a keras.Model, got {type(model).__name__}")
        if len(generator.inputs) not in (2, 3):
            raise ValueError(
                "generator: expected inputs (content, motion) or (content, motion, label), "
                f"got {len(generator.inputs)} inputs"
            )
        self.conditional = len(generator.inputs) == 3
        self.auxiliary = len(frame_discriminator.outputs) == 2
        if self.auxiliary and not self.conditional:
            raise ValueError(
                "frame_discriminator: expected one output (an unconditional generator has no "
                "labels for class logits), got 2"
            )
        clip_shape = tuple(generator.outputs[0].shape[1:])
        judges = [("frame_discriminator", frame_discriminator, clip_shape[1:])]
        if sequence_discriminator is not None:
            judges.append(("sequence_discriminator", sequence_discriminator, clip_shape))
        for name, model, shape in judges:
            wanted = "two inputs (image, label)" if self.conditional else "one input"
            if len(model.inputs) != (2 if self.conditional else 1):
                raise ValueError(
                    f"{name}: expected {wanted} to match the generator, got {len(model.inputs)}"
                )
            if tuple(model.inputs[0].shape[1:]) != shape:
                raise ValueError(
                    f"{name}: expected its input to match the generator's output {shape}, "
                    f"got {tuple(model.inputs[0].shape[1:])}"
                )
        if not np.isfinite(sequence_weight) or sequence_weight < 0:
            raise ValueError(
                f"sequence_weight: expected a finite number >= 0, got {sequence_weight!r}"
            )
        if not 0.0 <= label_smoothing < 0.5:
            raise ValueError(
                f"label_smoothing: expected a number in [0, 0.5), got {label_smoothing!r}"
            )
        self.generator = generator
        self.frame_discriminator = frame_discriminator
        self.sequence_discriminator = sequence_discriminator
        self.sequence_weight = float(sequence_weight)
        self.label_smoothing = float(label_smoothing)
        self.clip_shape = clip_shape
        self.content_shape = tuple(generator.inputs[0].shape[1:])
        self.motion_shape = tuple(generator.inputs[1].shape[1:])
        self.classes = int(generator.inputs[2].shape[-1]) if self.conditional else 0
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_frame", "d_clip", "g_loss", "frame_acc", "clip_acc", "class_loss")
        }
        self.built = True  # as SequenceGAN: built parts, no call() of its own

    @property
    def discriminator_variables(self) -> list[keras.Variable]:
        """The trainable weights of both discriminators, updated by ``d_optimizer``."""
        variables = list(self.frame_discriminator.trainable_variables)
        if self.sequence_discriminator is not None:
            variables += self.sequence_discriminator.trainable_variables
        return variables

    def _noise(self, batch: tf.Tensor) -> list[tf.Tensor]:
        return [
            keras.random.normal(
                tf.concat([[batch], tf.constant(shape, tf.int32)], axis=0),
                seed=self.seed_generator,
            )
            for shape in (self.content_shape, self.motion_shape)
        ]

    def _class_loss(self, class_logits: tf.Tensor, label: tf.Tensor) -> tf.Tensor:
        """Cross-entropy of the auxiliary classifier against the clips' labels, per frame."""
        frame_labels = tf.repeat(label, self.clip_shape[0], axis=0)
        return tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(labels=frame_labels, logits=class_logits)
        )

    def _generator_inputs(self, batch: tf.Tensor, label: tf.Tensor | None) -> list[tf.Tensor]:
        return [*self._noise(batch), *([] if label is None else [label])]

    def _judge(
        self, clips: tf.Tensor, label: tf.Tensor | None
    ) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Frame logits ``(batch * length, 1)`` and clip logits ``(batch, 1)`` (or None).

        With an auxiliary classifier, the frame logits are a pair: real/fake logits and
        class logits ``(batch * length, classes)``.
        """
        length = self.clip_shape[0]
        frames = tf.reshape(clips, (-1, *self.clip_shape[1:]))
        frame_inputs = frames if label is None else [frames, tf.repeat(label, length, axis=0)]
        frame_logits = self.frame_discriminator(frame_inputs, training=True)
        if self.auxiliary:
            frame_logits = tuple(frame_logits)
        if self.sequence_discriminator is None:
            return frame_logits, None
        clip_inputs = clips if label is None else [clips, label]
        return frame_logits, self.sequence_discriminator(clip_inputs, training=True)

    def train_step(self, data: Any) -> dict[str, tf.Tensor]:
        """One update of both discriminators, then one of the generator."""
        if self.conditional:
            real, labels = data[0], data[1]
            label = tf.one_hot(tf.cast(tf.reshape(labels, (-1,)), tf.int32), self.classes)
        else:
            real = data[0] if isinstance(data, tuple | list) else data
            label = None
        real = tf.cast(real, tf.float32)
        batch = tf.shape(real)[0]

        with tf.GradientTape() as tape:
            fake = self.generator(self._generator_inputs(batch, label), training=True)
            real_frame, real_clip = self._judge(real, label)
            fake_frame, fake_clip = self._judge(fake, label)
            if self.auxiliary:
                (real_frame, real_class), (fake_frame, _) = real_frame, fake_frame
                d_class = self._class_loss(real_class, label)
            else:
                d_class = tf.constant(0.0)
            d_frame = discriminator_loss(real_frame, fake_frame, self.label_smoothing)
            d_clip = (
                discriminator_loss(real_clip, fake_clip, self.label_smoothing)
                if real_clip is not None
                else tf.constant(0.0)
            )
            d_loss = d_frame + d_clip + d_class
        variables = self.discriminator_variables
        gradients = self._replica_gradients(tape, d_loss, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables, strict=True))
        frame_acc = discriminator_accuracy(real_frame, fake_frame)
        clip_acc = (
            discriminator_accuracy(real_clip, fake_clip)
            if real_clip is not None
            else tf.constant(0.0)
        )

        with tf.GradientTape() as tape:
            fake = self.generator(self._generator_inputs(batch, label), training=True)
            fake_frame, fake_clip = self._judge(fake, label)
            if self.auxiliary:
                fake_frame, fake_class = fake_frame
                g_class = self._class_loss(fake_class, label)
            else:
                g_class = tf.constant(0.0)
            g_loss = generator_loss(fake_frame) + g_class
            if fake_clip is not None:
                g_loss += self.sequence_weight * generator_loss(fake_clip)
        gradients = self._replica_gradients(tape, g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(
            zip(gradients, self.generator.trainable_variables, strict=True)
        )

        return self._report(
            {
                "d_frame": d_frame,
                "d_clip": d_clip,
                "g_loss": g_loss,
                "frame_acc": frame_acc,
                "clip_acc": clip_acc,
                "class_loss": d_class,
            }
        )

    def sample(self, n: int, labels: Any = None, *, seed: int = 0) -> np.ndarray:
        """Draw ``n`` clips ``(n, length, size, size, 1)``; a conditional GAN needs ``labels``.

        Raises:
            TypeError, ValueError: for a bad ``n``, or missing, mis-shaped or out-of-range
                labels.
        """
        n = check_positive_int("n", n)
        rng = np.random.default_rng(seed)
        inputs = [
            rng.standard_normal((n, *shape)).astype("float32")
            for shape in (self.content_shape, self.motion_shape)
        ]
        if self.conditional:
            if labels is None:
                raise ValueError("labels: expected one class index per clip, got None")
            labels = np.asarray(labels)
            if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
                raise ValueError(
                    f"labels: expected {n} integer class indices, shape ({n},), "
                    f"got shape {labels.shape} of {labels.dtype}"
                )
            if labels.min() < 0 or labels.max() >= self.classes:
                raise ValueError(
                    f"labels: expected class indices in [0, {self.classes}), "
                    f"got values from {labels.min()} to {labels.max()}"
                )
            inputs.append(np.eye(self.classes, dtype="float32")[labels])
        elif labels is not None:
            raise ValueError("labels: expected None for an unconditional generator")
        return np.asarray(self.generator.predict(inputs, batch_size=256, verbose=0))

"""One Keras training on one device, several devices or several processes, with
``tf.distribute``.

The same training function runs under any strategy: it builds and compiles the model
inside ``strategy.scope()`` (so the variables are mirrored on every replica) and feeds
``fit`` batches of the *global* batch size, which the strategy splits between the
replicas and whose gradients it sums. :func:`split_cpu` makes several logical devices out
of one CPU, so :class:`tf.distribute.MirroredStrategy` can be shown without a GPU;
:func:`run_workers` starts real worker processes on this machine, each with its own
``TF_CONFIG``, for :class:`tf.distribute.MultiWorkerMirroredStrategy`.

Run as ``python -m companion.distribute OUTPUT.npz [JSON_OPTIONS]``, this module is one
such worker: it trains :func:`digits_task` under ``MultiWorkerMirroredStrategy`` with the
cluster its ``TF_CONFIG`` describes and saves the final weights.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from companion.validation import check_positive_int


def split_cpu(devices: int) -> list[str]:
    """Split the CPU into ``devices`` logical devices and return their names.

    A :class:`tf.distribute.MirroredStrategy` over them runs one replica per logical
    device, as it would over GPUs; they share the same cores, so it shows the mechanics
    of data parallelism, not a speed-up. It must run before TensorFlow's first operation
    (the logical devices are fixed when its runtime starts).

    Raises:
        ValueError: if ``devices`` is not a positive integer.
        RuntimeError: if TensorFlow's runtime has already started with other devices.
    """
    devices = check_positive_int("devices", devices)
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != devices:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)]
            )
        except RuntimeError as error:
            raise RuntimeError(
                f"devices: the CPU can no longer be split into {devices} logical devices, "
                "because TensorFlow's runtime has already started; call split_cpu before "
                "any TensorFlow operation (restart the kernel)"
            ) from error
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct TCP ports on ``host`` that are free now (picked by the system)."""
    count = check_positive_int("count", count)
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def worker_config(ports: Sequence[int], index: int, host: str = "127.0.0.1") -> dict[str, Any]:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of workers at ``host:port``.

    On real machines each worker gets the same ``cluster`` (every host's address) and its
    own ``task`` index; worker 0 is the chief, which writes checkpoints and logs.

    Raises:
        ValueError: if ``ports`` is empty or holds a non-port, or ``index`` is not one of
            the workers.
    """
    ports = list(ports)
    if not ports or any(
        isinstance(p, bool) or not isinstance(p, int | np.integer) or not 0 < p < 65536
        for p in ports
    ):
        raise ValueError(f"ports: expected a non-empty list of TCP ports, got {ports!r}")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(ports):
        raise ValueError(f"index: expected a worker index in 0..{len(ports) - 1}, got {index!r}")
    return {
        "cluster": {"worker": [f"{host}:{port}" for port in ports]},
        "task": {"type": "worker", "index": index},
    }


def _check_training_arguments(build: Any, data: Any, strategy: Any, epochs: Any) -> int:
    if not callable(build):
        raise TypeError(f"build: expected a function returning a compiled model, got {build!r}")
    if not isinstance(data, tf.data.Dataset):
        raise TypeError(f"data: expected a tf.data.Dataset of batches, got {type(data).__name__}")
    if strategy is not None and not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(
            f"strategy: expected a tf.distribute.Strategy or None, got {type(strategy).__name__}"
        )
    return check_positive_int("epochs", epochs)


def _build_in_scope(build: Callable[[], keras.Model], strategy: tf.distribute.Strategy):
    with strategy.scope():
        model = build()
        if not isinstance(model, keras.Model) or not model.compiled:
            raise ValueError(f"build: expected it to return a compiled keras.Model, got {model!r}")
    return model


def train(
    build: Callable[[], keras.Model],
    data: tf.data.Dataset,
    *,
    epochs: int,
    strategy: tf.distribute.Strategy | None = None,
    loop: bool = False,
    checkpoint_dir: str | Path | None = None,
    **fit: Any,
) -> keras.Model:
    """Build and compile a model inside ``strategy.scope()``, then train it on ``data``.

    With ``loop=False`` it trains with ``Model.fit``. With ``loop=True`` it runs the
    model's own ``train_step`` on every replica with ``strategy.run`` in a
    ``tf.function`` over ``strategy.experimental_distribute_dataset(data)``: the same
    update as ``fit``, without ``fit``'s callbacks and logs. That loop is needed with
    ``MultiWorkerMirroredStrategy`` over several workers, where ``fit`` of Keras 3.15
    fails before its first step (keras-team/keras#20585, shown in chapter 12).

    Args:
        build: returns a *compiled* model; called inside the strategy's scope.
        data: a dataset of ``(x, y)`` batches of the global batch size.
        epochs: epochs to train.
        strategy: a ``tf.distribute`` strategy; ``None`` for the default (one device).
        loop: use the custom loop instead of ``fit``.
        checkpoint_dir: with ``loop=True``, a folder where the loop keeps its last two
            checkpoints (a ``tf.train.CheckpointManager`` over the model, its optimizer
            and the count of finished epochs), saved after every epoch. A run started
            again with the same folder restores the latest (and prints which) and
            trains only the epochs left, so a killed run, restarted, ends where an
            uninterrupted one does (``tests/test_resume.py``) as long as the data's
            order does not depend on the epoch. Under ``MultiWorkerMirroredStrategy``
            every worker saves (saving is collective): give each its own folder. With
            ``fit``, use ``keras.callbacks.BackupAndRestore`` instead.
        **fit: further arguments of ``Model.fit`` (callbacks, verbose, ...).

    Raises:
        TypeError: if ``build`` is not callable, ``data`` is not a ``tf.data.Dataset`` or
            ``strategy`` is not a strategy.
        ValueError: if ``epochs`` is not a positive integer, ``build`` returns no
            compiled model, ``loop=True`` is given with arguments of ``fit``, or
            ``checkpoint_dir`` is given without ``loop=True``.
    """
    epochs = _check_training_arguments(build, data, strategy, epochs)
    strategy = strategy or tf.distribute.get_strategy()
    if checkpoint_dir is not None:
        if not isinstance(checkpoint_dir, str | Path):
            raise TypeError(
                "checkpoint_dir: expected a folder path or None, "
                f"got {type(checkpoint_dir).__name__}"
            )
        if not loop:
            raise ValueError(
                "checkpoint_dir: expected None with fit (loop=False; use "
                f"keras.callbacks.BackupAndRestore there), got {str(checkpoint_dir)!r}"
            )
    model = _build_in_scope(build, strategy)
    if not loop:
        model.fit(data, epochs=epochs, **{"verbose": 0, "shuffle": False, **fit})
        return model
    if fit:
        raise ValueError(f"fit: the custom loop takes no arguments of fit, got {sorted(fit)}")
    with strategy.scope():
        model.optimizer.build(model.trainable_variables)
    batches = strategy.experimental_distribute_dataset(data)

    @tf.function
    def step(batch: Any) -> Any:
        return strategy.run(model.train_step, args=(batch,))

    manager, finished = _resume(model, strategy, checkpoint_dir)
    for _ in range(int(finished.numpy()), epochs):
        for batch in batches:
            step(batch)
        finished.assign_add(1)
        if manager is not None:
            manager.save()
    return model


def _resume(
    model: keras.Model, strategy: tf.distribute.Strategy, folder: str | Path | None
) -> tuple[tf.train.CheckpointManager | None, tf.Variable]:
    """The checkpoint manager of ``folder`` (None without one) and the count of finished
    epochs, with the model and its optimizer restored from the latest checkpoint there."""
    with strategy.scope():
        finished = tf.Variable(0, dtype=tf.int64, trainable=False, name="finished_epochs")
    if folder is None:
        return None, finished
    checkpoint = tf.train.Checkpoint(
        model=model, optimizer=model.optimizer, finished_epochs=finished
    )
    # The manager writes a checkpoint's files first and then, atomically, the index that
    # names the latest (update_checkpoint_state_internal in TensorFlow's
    # checkpoint_management.py): a process killed while saving leaves the previous one.
    manager = tf.train.CheckpointManager(checkpoint, str(folder), max_to_keep=2)
    if manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
        print(
            f"resumed from {Path(manager.latest_checkpoint).name}: "
            f"{int(finished.numpy())} epochs already trained"
        )
    return manager, finished


def digits_task(
    strategy: tf.distribute.Strategy | None = None,
    *,
    epochs: int = 2,
    global_batch_size: int = 64,
    seed: int = 0,
    loop: bool = False,
    checkpoint_dir: str | Path | None = None,
) -> keras.Model:
    """Train a small convolutional classifier on the scikit-learn digits under ``strategy``.

    The data are not shuffled and the dataset is sharded by *data*
    (``AutoShardPolicy.DATA``): every worker reads the same batches and keeps its part of
    each, so every global batch is the same whatever the number of workers, and the
    weights agree with one-device training up to float rounding. ``loop`` and
    ``checkpoint_dir`` are :func:`train`'s.

    Raises:
        ValueError: if ``epochs`` or ``global_batch_size`` is not a positive integer.
    """
    from companion import runtime
    from companion.data.digits import load_digit_images
    from companion.models.cnn import conv_classifier

    epochs = check_positive_int("epochs", epochs)
    global_batch_size = check_positive_int("global_batch_size", global_batch_size)
    split = load_digit_images(seed=seed)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    data = (
        tf.data.Dataset.from_tensor_slices((split.x_train, split.y_train))
        .batch(global_batch_size, drop_remainder=True)
        .with_options(options)
    )

    def build() -> keras.Model:
        runtime.seed_everything(seed)
        model = conv_classifier((8, 8, 1), 10, filters=(8, 16), pool_after=(1,), dropout=0.0)
        model.compile(
            keras.optimizers.SGD(0.1),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        return model

    return train(
        build, data, epochs=epochs, strategy=strategy, loop=loop, checkpoint_dir=checkpoint_dir
    )


class WorkerError(RuntimeError):
    """A worker process failed or did not finish in time."""


def run_workers(
    workers: int,
    folder: str | Path,
    *,
    timeout_s: float = 120.0,
    ports: Sequence[int] | None = None,
    **options: Any,
) -> list[list[np.ndarray]]:
    """Train :func:`digits_task` with ``MultiWorkerMirroredStrategy`` in ``workers``
    processes on this machine and return each worker's final weights.

    Each process gets its own ``TF_CONFIG`` (:func:`worker_config`) on free ports picked
    now. All are stopped, and :class:`WorkerError` raised with the failing worker's last
    output, if one fails or if they have not all finished after ``timeout_s`` seconds (a
    worker whose peer never answers waits for it: the deadline is what ends the wait).

    Args:
        workers: how many worker processes.
        folder: where the workers write their weights.
        timeout_s: the deadline for the whole cluster, in seconds.
        ports: the workers' ports (default: free ones); for tests of a peer that is
            missing, give more ports than workers.
        **options: arguments of :func:`digits_task` (``epochs``, ``global_batch_size``, ...).

    Raises:
        ValueError: if ``workers`` or ``timeout_s`` is not positive.
        WorkerError: as above.
    """
    workers = check_positive_int("workers", workers)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or timeout_s <= 0:
        raise ValueError(f"timeout_s: expected a positive number of seconds, got {timeout_s!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ports = list(ports) if ports is not None else free_ports(workers)
    if len(ports) < workers:
        raise ValueError(f"ports: expected at least {workers} ports, got {len(ports)}")
    outputs = [folder / f"worker{index}.npz" for index in range(workers)]
    logs = [folder / f"worker{index}.log" for index in range(workers)]
    processes = []
    for index in range(workers):
        environment = {
            **os.environ,
            "TF_CONFIG": json.dumps(worker_config(ports, index)),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONUNBUFFERED": "1",
        }
        with open(logs[index], "w") as log:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "companion.distribute",
                        str(outputs[index]),
                        json.dumps(options),
                    ],
                    env=environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            codes = [p.poll() for p in processes]
            failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
            if failed:
                raise WorkerError(
                    f"worker {failed[0]} failed with exit code {codes[failed[0]]}; "
                    f"its last output:\n{_tail(logs[failed[0]])}"
                )
            waiting = [i for i, code in enumerate(codes) if code is None]
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise WorkerError(
                    f"workers {waiting} had not finished after {timeout_s:g} s: a worker waits "
                    f"for every peer in TF_CONFIG (ports {', '.join(map(str, ports))} on "
                    f"127.0.0.1) to answer, so check that all {len(ports)} workers are started "
                    f"and reachable. Last output of worker {waiting[0]}:\n{_tail(logs[waiting[0]])}"
                )
            time.sleep(0.2)
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [load_weights(path) for path in outputs]


def _tail(log: Path, lines: int = 15) -> str:
    """The log's last lines, without TensorFlow's start-up notices."""
    text = log.read_text(errors="replace").splitlines()
    kept = [line for line in text if not line.startswith(("I0000", "W0000", "WARNING: All log"))]
    return "\n".join(kept[-lines:]) or "(nothing)"


def load_weights(path: str | Path) -> list[np.ndarray]:
    """The arrays of an ``.npz`` file written by ``np.savez(path, *weights)``, in order (as
    a worker writes its final weights).

    Raises:
        TypeError: if ``path`` is not a path.
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path: expected the path of an .npz file, got {type(path).__name__}")
    with np.load(path) as stored:
        return [stored[f"arr_{i}"] for i in range(len(stored.files))]


def main(argv: Sequence[str]) -> None:
    """Entry point of one worker: ``OUTPUT.npz [JSON_OPTIONS]`` (see the module's text)."""
    if not 1 <= len(argv) <= 2:
        raise SystemExit("usage: python -m companion.distribute OUTPUT.npz [JSON_OPTIONS]")
    options = json.loads(argv[1]) if len(argv) == 2 else {}
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    model = digits_task(strategy, **options)
    np.savez(argv[0], *[keras.ops.convert_to_numpy(w) for w in model.weights])


if __name__ == "__main__":
    main(sys.argv[1:])

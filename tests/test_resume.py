"""Fault tolerance: a training process killed with SIGKILL part-way through and started
again with keras.callbacks.BackupAndRestore ends with the same weights as an uninterrupted
run with the same seed, for a plain model and for the GAN's custom train_step.

Each run is a separate Python process. The one to be interrupted reports every finished
batch in a progress file; the test kills it with SIGKILL (no exception, no clean-up) once
it is well into its third epoch, possibly while it writes a backup. BackupAndRestore saves
at the end of each epoch (with a second, previous copy), so the restarted process resumes
from the last finished epoch and replays the rest with the same batches (no shuffling).
The same holds for the custom loop of ``distribute.train`` with its CheckpointManager.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from companion.distribute import load_weights

ROOT = Path(__file__).resolve().parents[1]

TRAINER = r"""
import os, sys
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras, numpy as np
from companion import runtime

kind, backup, progress, out = sys.argv[1:5]
runtime.seed_everything(0)
if kind == "dense":
    x = np.random.default_rng(1).normal(size=(256, 6)).astype("float32")
    y = np.tanh(x @ np.random.default_rng(2).normal(size=(6, 1))).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), loss="mse")
    data = dict(x=x, y=y)
    def weights():
        return model.get_weights()
else:
    from companion.data.synthetic import sines
    from companion.models.gan import recurrent_discriminator, recurrent_generator
    from companion.training import SequenceGAN
    x = sines(128, 8, 2, seed=1)
    model = SequenceGAN(recurrent_generator(8, 2, noise_dim=2, units=6, layers=1),
                        recurrent_discriminator(8, 2, units=6), seed=3)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    data = dict(x=x)
    def weights():
        return model.generator.get_weights() + model.discriminator.get_weights()


class Progress(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        with open(progress, "a") as f:
            f.write(f"{self.epoch} {batch}\n")

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch


model.fit(**data, batch_size=16, epochs=5, shuffle=False, verbose=0, callbacks=[
    keras.callbacks.BackupAndRestore(backup, double_checkpoint=True), Progress()])
np.savez(out, *weights())
"""


def _python(script: str, *arguments: object) -> subprocess.Popen:
    """Start ``script`` in a fresh Python process, with its output captured."""
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, arguments)],
        cwd=ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _start(kind: str, folder: Path, name: str) -> subprocess.Popen:
    return _python(
        TRAINER,
        kind,
        folder / f"{name}-backup",
        folder / f"{name}-progress",
        folder / f"{name}.npz",
    )


def _finish(process: subprocess.Popen) -> str:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-2000:]
    return stdout


def _kill_when(victim: subprocess.Popen, ready: Callable[[], bool]) -> None:
    """SIGKILL ``victim`` as soon as ``ready()`` holds (no exception, no clean-up)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and victim.poll() is None and not ready():
        time.sleep(0.02)
    assert victim.poll() is None, "the run finished before it could be interrupted"
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL


def _assert_same_weights(first: Path, second: Path) -> None:
    for a, b in zip(load_weights(first), load_weights(second), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["dense", "gan"])
def test_killed_and_resumed_training_equals_an_uninterrupted_run(kind, tmp_path):
    _finish(_start(kind, tmp_path, "uninterrupted"))

    progress = tmp_path / "resumed-progress"
    _kill_when(
        _start(kind, tmp_path, "resumed"),
        lambda: progress.exists() and "\n2 4\n" in f"\n{progress.read_text()}",
    )
    assert not (tmp_path / "resumed.npz").exists()
    assert (tmp_path / "resumed-backup").exists(), "no backup was written before the kill"

    _finish(_start(kind, tmp_path, "resumed"))
    epochs_seen = [line.split()[0] for line in progress.read_text().split("\n") if line]
    batches = {"dense": 256 // 16, "gan": 128 // 16}[kind]
    assert epochs_seen.count("0") == epochs_seen.count("1") == batches  # restored, not replayed
    assert epochs_seen.count("2") > batches  # the interrupted epoch ran again from its start
    assert epochs_seen.count("3") == epochs_seen.count("4") == batches
    _assert_same_weights(tmp_path / "resumed.npz", tmp_path / "uninterrupted.npz")
    # delete_checkpoint=True: a finished run leaves no backup behind.
    assert not any((tmp_path / "resumed-backup").glob("*.h5"))


LOOP_TRAINER = r"""
import sys
import numpy as np
from companion import distribute

folder, out = sys.argv[1:3]
model = distribute.digits_task(None, epochs=40, loop=True, checkpoint_dir=folder)
np.savez(out, *[np.asarray(w) for w in model.weights])
"""


def _start_loop(folder: Path, name: str) -> subprocess.Popen:
    return _python(LOOP_TRAINER, folder / f"{name}-checkpoints", folder / f"{name}.npz")


def test_killed_custom_loop_resumes_from_its_checkpoint_manager(tmp_path):
    """The custom loop of distribute.train (the one MultiWorkerMirroredStrategy needs),
    killed with SIGKILL after a few epochs' checkpoints and started again with the same
    folder, trains only the epochs left and ends with the uninterrupted run's weights."""
    assert "resumed" not in _finish(_start_loop(tmp_path, "uninterrupted"))

    checkpoints = tmp_path / "resumed-checkpoints"

    def third_checkpoint_committed() -> bool:
        # The manager writes ckpt-N's files first and then names it in its state file; a
        # kill between the two leaves ckpt-N-1 the latest, so wait for the state file.
        state = checkpoints / "checkpoint"
        return state.exists() and 'model_checkpoint_path: "ckpt-3"' in state.read_text()

    _kill_when(_start_loop(tmp_path, "resumed"), third_checkpoint_committed)
    assert not (tmp_path / "resumed.npz").exists()

    report = re.search(
        r"resumed from ckpt-(\d+): (\d+) epochs", _finish(_start_loop(tmp_path, "resumed"))
    )
    assert report, "the restarted run did not resume from a checkpoint"
    assert report[1] == report[2] and 3 <= int(report[2]) < 40, report[0]
    _assert_same_weights(tmp_path / "resumed.npz", tmp_path / "uninterrupted.npz")
    # Only the last two checkpoints are kept, the latest being the finished run's.
    assert sorted(p.name for p in checkpoints.glob("*.index")) == ["ckpt-39.index", "ckpt-40.index"]

"""Training helpers: a compact progress bar for ``model.fit``."""

from __future__ import annotations

import sys
import time
from typing import Any

import keras
from tqdm import tqdm


class ProgressBar(keras.callbacks.Callback):
    """One progress bar over the epochs, with the latest metrics beside it.

    Use it with ``model.fit(..., verbose=0, callbacks=[ProgressBar()])``: Keras' own bar
    prints one line per epoch, which buries a notebook's output; this one is a single
    line of text that updates in place (in Jupyter, Colab and a terminal alike), and it
    records the training time in ``seconds``.
    """

    def __init__(self, description: str = "training") -> None:
        super().__init__()
        self.description = description
        self.seconds = 0.0
        self._bar: Any = None
        self._start = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        epochs = self.params.get("epochs")
        self._bar = tqdm(total=epochs, desc=self.description, unit="epoch", file=sys.stdout)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        shown = {
            key: f"{value:.4g}" for key, value in (logs or {}).items() if key != "learning_rate"
        }
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.seconds = time.perf_counter() - self._start
        self._bar.close()

"""Training helpers: a compact progress bar for ``model.fit``."""

from __future__ import annotations

import sys
import time
from typing import Any

import keras
from tqdm import tqdm

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

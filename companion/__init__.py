"""Companion package of the course *Hybrid Deep Learning with TensorFlow*.

Reusable pieces of the chapters: run-time settings (:mod:`companion.runtime`), recorded
results (:mod:`companion.results`), plotting style (:mod:`companion.plots`), NumPy reference
implementations of the layers the chapters explain (:mod:`companion.cells`), data
generators (:mod:`companion.data`) and training helpers (:mod:`companion.training`).

Importing the package quiets TensorFlow's C++ start-up logging (it must be set before
TensorFlow is first imported) and sizes TensorFlow's thread pools to a container's CPU quota
(:func:`companion.runtime.limit_threads_to_usable_cpus`), but imports nothing heavy itself.
"""

import logging
import os

# TensorFlow reads this once, when it is first imported; "2" keeps errors, drops info/warnings.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# TensorFlow's Python warnings (e.g. about retracing a function for a new input shape)
# would land in the notebooks' output; errors still show. A filter, not only a level: in an
# interactive shell (Jupyter) TensorFlow sets its logger's level to INFO when it first
# configures it (tensorflow/python/platform/tf_logging.py), which may come after this.
_tensorflow_logger = logging.getLogger("tensorflow")
_tensorflow_logger.setLevel(logging.ERROR)
_tensorflow_logger.addFilter(lambda record: record.levelno >= logging.ERROR)

# TensorFlow sizes its thread pools from the visible CPUs; under a container's CPU quota
# that oversubscribes the cores it may use. Like the log level, this must precede TensorFlow.
from companion.runtime import limit_threads_to_usable_cpus  # noqa: E402

limit_threads_to_usable_cpus()

__version__ = "0.2.0"

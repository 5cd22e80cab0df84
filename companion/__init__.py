"""Companion package of the course *Hybrid Deep Learning with TensorFlow*.

Reusable pieces of the chapters: run-time settings (:mod:`companion.runtime`), recorded
results (:mod:`companion.results`), plotting style (:mod:`companion.plots`), NumPy reference
implementations of the layers the chapters explain (:mod:`companion.cells`), data
generators (:mod:`companion.data`) and training helpers (:mod:`companion.training`).

Importing the package quiets TensorFlow's C++ start-up logging (it must be set before
TensorFlow is first imported) but imports nothing heavy itself.
"""

import logging
import os

# TensorFlow reads this once, when it is first imported; "2" keeps errors, drops info/warnings.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# TensorFlow's Python warnings (e.g. about retracing a function for a new input shape)
# would land in the notebooks' output; errors still show.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

__version__ = "0.1.0"

"""Keras models that the chapters build and that assignments can reuse."""

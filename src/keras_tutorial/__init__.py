"""Shared helpers for the chapters of the Keras tutorial (data, plots, settings, errors)."""

__version__ = "0.1.0"

"""Chapter 6 (appendix, data parallelism): what is not already run by tests/test_backends.py.

The chapter itself runs there under each backend, on two virtual devices under JAX and TensorFlow,
where the weights after data-parallel training are compared with one device's.
"""

from __future__ import annotations

import pytest

SCRIPT = "ch06_distributed.py"


def test_data_parallel_scope_names_the_backend_it_cannot_serve(monkeypatch):
    import keras

    from keras_tutorial.ch06 import data_parallel_scope

    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(ValueError, match="torch"):
        data_parallel_scope(["cpu:0", "cpu:1"])

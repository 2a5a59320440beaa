"""Chapter 6 (appendix, data parallelism), as it ran under each backend (tests/shared_runs.py).

JAX and TensorFlow train on two virtual CPU devices; PyTorch has no Keras distribution, and the
chapter says so and skips the engine's cells.
"""

from __future__ import annotations

import pytest
from helpers import BACKENDS

SCRIPT = "ch06_distributed"
#: Weights after data-parallel training may differ from one device's by float32 round-off only.
TOLERANCE = 1e-5


@pytest.mark.parametrize("backend", BACKENDS)
def test_appendix_trains_on_the_configured_devices_with_one_devices_weights(runs, backend):
    found = runs.script(backend, SCRIPT).values
    if backend == "torch":
        assert found["devices"] == [] and "gap" not in found and "test_acc" not in found
        return
    # The device count the chapter shows is the one its first cell configured, and the engine
    # keeps a copy of the model's weights on each of them.
    assert found["DEVICES"] == 2 and len(found["devices"]) == 2
    assert found["replicas"] == 2
    # Same initial weights, same 15 global batches of 128: the two runs agree to round-off.
    assert found["moved"] > 1e-3 and found["gap"] < TOLERANCE
    assert found["test_acc"] > 0.7  # 2000 images, 2 epochs: far above guessing (10%)
    assert found["seconds_one"] > 0 and found["seconds_dp"] > 0


def test_data_parallel_scope_names_the_backend_it_cannot_serve(monkeypatch):
    import keras

    from keras_tutorial.ch06 import data_parallel_scope

    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(ValueError, match="torch"):
        data_parallel_scope(["cpu:0", "cpu:1"])

"""Chapter 6 (appendix, data parallelism): what is not already run by tests/test_backends.py.

The chapter itself runs there under each backend, on two virtual devices under JAX and TensorFlow,
where the weights after data-parallel training are compared with one device's.
"""

from __future__ import annotations

import pytest
from helpers import assert_clean_error, run_script

SCRIPT = "ch06_distributed.py"


@pytest.mark.parametrize("args", [["--epochs", "0"], ["--batch-size", "x"], ["--devices", "2"]])
def test_bad_flags(args, tmp_path):
    result = run_script(SCRIPT, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help")
    assert not (tmp_path / "out").exists()


def test_data_parallel_scope_names_the_backend_it_cannot_serve(monkeypatch):
    import keras

    from keras_tutorial.ch06 import data_parallel_scope

    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(ValueError, match="torch"):
        data_parallel_scope(["cpu:0", "cpu:1"])

"""pytest fixtures; plain helpers live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import real_mnist_path


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = real_mnist_path()
    if path is None:
        pytest.skip(
            "real MNIST not available: set MNIST_PATH to a Keras-layout mnist.npz "
            "(or run `make run` once to download it into the Keras cache)"
        )
    return path

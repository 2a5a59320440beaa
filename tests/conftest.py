"""pytest fixtures; plain helpers live in tests/helpers.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import real_mnist_path
from shared_runs import SharedRuns, shared_root


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = real_mnist_path()
    if path is None:
        pytest.skip(
            "real MNIST not available: set MNIST_PATH to a Keras-layout mnist.npz "
            "(or run `make run` once to download it into the Keras cache)"
        )
    return path


@pytest.fixture(scope="session")
def runs(mnist_path, tmp_path_factory) -> SharedRuns:
    """Every script's quick run under each backend (tests/shared_runs.py)."""
    return SharedRuns(shared_root(tmp_path_factory), mnist_path)


@pytest.fixture(scope="session", autouse=True)
def _start_runs_early(request, tmp_path_factory) -> None:
    # The runs take a minute or two: start them with the session rather than at the first test
    # that reads them, when the session holds such a test at all.
    path = real_mnist_path()
    if path is not None and any("runs" in item.fixturenames for item in request.session.items):
        SharedRuns(shared_root(tmp_path_factory), path).start_all()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The files that read the shared runs go last (pytest-xdist hands out files in this order),
    # so that the workers test everything else while the runs are going instead of waiting.
    reading = {item.path for item in items if "runs" in item.fixturenames}
    items.sort(key=lambda item: item.path in reading)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the main process outlives every worker: it stops the runs
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and factory._basetemp is not None:
        SharedRuns(factory.getbasetemp() / "shared-runs", Path()).stop_all()

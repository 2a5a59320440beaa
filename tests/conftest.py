"""pytest fixtures, the order of the files and the settings of every process of a session.

Plain helpers live in tests/helpers.py and tests/shared_runs.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# One compute thread per process. The suite runs two workers and, beside them, the shared runs,
# each of which would otherwise start a thread pool as wide as the machine: on two cores, pools
# that wide spin against each other (PyTorch's run took twice the CPU time it takes alone). Set
# here, in the process that starts the workers, so that they and every process they start inherit
# it before NumPy, TensorFlow or PyTorch is loaded. Sums may round differently in their last
# bits; no check depends on that.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
# JAX compiles every training and evaluation step it meets. On the few thousand images of a quick
# run, compiling takes longer than training, and LLVM's optimisation of the machine code is most
# of compiling: without it, chapter 1's answers take 10 s of CPU under JAX instead of 17 s. The
# programs compiled are the same; their machine code is less optimised.
_XLA_OPTIMISATION = "--xla_backend_optimization_level=0"
if _XLA_OPTIMISATION not in os.environ.get("XLA_FLAGS", ""):  # the workers import this file too
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_XLA_OPTIMISATION}".strip()
# And it compiles the same step again in every process, and in one process for every model of the
# same shape: JAX's own compilation cache, in a folder for this session (removed when it ends),
# lets every process of the session reuse what another compiled (the JAX run: 40 s of CPU → 30 s).
_JAX_CACHE = None
if "JAX_COMPILATION_CACHE_DIR" not in os.environ:
    _JAX_CACHE = tempfile.mkdtemp(prefix="jax-cache-")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = _JAX_CACHE
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"  # the steps compile in < 1 s

# The project's own modules (src/, tools/, tests/) are compiled to bytecode once and reused, as on
# a learner's machine, even where PYTHONDONTWRITEBYTECODE is set (servers and containers, this
# one included): the suite starts a few hundred Python processes that import them.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import pytest  # noqa: E402 - after the thread settings above
from helpers import real_mnist_path  # noqa: E402
from shared_runs import ScriptRun, SharedRuns, shared_root  # noqa: E402

from keras_tutorial import quick_exit  # noqa: E402

# The workers load TensorFlow, JAX and PyTorch: the chapters' quick exit spares each of them 1.6 s
# at the end of the session.
quick_exit.install()


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
        full = any("full_run" in item.fixturenames for item in request.session.items)
        SharedRuns(shared_root(tmp_path_factory), path).start_all(full=full)


@pytest.fixture(scope="session")
def full_run(runs) -> ScriptRun:
    """Chapter 1 trained on all of MNIST, with no flags, as ``make run`` runs it (shared)."""
    return runs.full_run()


#: The files that take longest, longest first: each is mostly one long process (bats, a backend's
#: mistakes, the browser), so starting them first lets the two workers finish together instead of
#: one running a long file alone at the end. The last three read the shared runs, so they come
#: after every other file anyway, but first among the readers: each also starts a chapter of its
#: own (a bad MNIST file, --epochs, an edited cell), seconds that would otherwise end the session
#: on one worker.
LONGEST_FIRST = (
    "test_setup_script.py",
    "test_explain.py",
    "test_browser.py",
    "test_cli.py",
    "test_doctor.py",
    "test_bench.py",
    "test_site.py",
    "test_lab.py",
    "test_numpy_net.py",
    "test_ch01.py",
    "test_ch05.py",
    "test_ch03.py",
)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist would hand out files by their number of tests, largest first, which put the
    # files that read the shared runs first: they waited while the runs went. The order below.
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-xdist hands out whole files in this order: the longest first, then the rest, and
    # last the files that read the shared runs, so that the workers test everything else while
    # the runs are going instead of waiting.
    reading = {item.path for item in items if "runs" in item.fixturenames}

    def order(item: pytest.Item) -> tuple[bool, int]:
        name = item.path.name
        rank = LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
        return item.path in reading, rank

    items.sort(key=order)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _JAX_CACHE is not None and not os.environ.get("PYTEST_XDIST_WORKER"):
        shutil.rmtree(_JAX_CACHE, ignore_errors=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the main process outlives every worker: it stops the runs
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None and factory._basetemp is not None:
        SharedRuns(factory.getbasetemp() / "shared-runs", Path()).stop_all()

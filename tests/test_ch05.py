"""Chapter 5, as it ran under each backend (tests/shared_runs.py), and its --epochs flag."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BACKENDS, SCRIPTS, assert_figures
from shared_runs import run_in_terminal

from keras_tutorial.exercises import NOT_ANSWERED

SCRIPT = "ch05_backpropagation.py"
STEM = "ch05_backpropagation"
FIGURES = ["ch05_numpy_vs_keras.png"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_the_chapter_computed(runs, backend):
    run = runs.script(backend, STEM)
    found = run.values
    # 5.1: the chain rule's product, -4.
    assert np.prod(found["factors"]) == -4.0
    # 5.2: each gradient has its weight's shape, and the running backend's automatic
    # differentiation (GradientTape, jax.grad, loss.backward) gives the hand-written gradients.
    params, grads, auto = found["params64"], found["grads"], found["auto_grads"]
    assert found["backend"] == backend
    assert set(grads) == set(auto) == set(params) == set(found["diffs"])
    for name in params:
        assert grads[name]["shape"] == auto[name]["shape"] == params[name]["shape"], name
        assert auto[name]["dtype"] == "float64", name
    assert max(found["diffs"].values()) < 1e-12, found["diffs"]
    # 5.3: 2000 training images for 5 epochs already beat guessing (10%) by far, for both networks.
    assert len(found["history"]["loss"]) == 5
    assert found["np_acc"] > 0.7 and found["keras_acc"] > 0.7
    # The exercises' cells are left for the learner: nothing answered, Keras trains once (5.3).
    assert run.text.count(NOT_ANSWERED) == 2
    if run.fits is not None:
        assert run.fits == [5]
    assert_figures(run.out, FIGURES)


def test_epochs_flag_sets_both_networks_training(mnist_path, tmp_path):
    env = {"MNIST_PATH": str(mnist_path)}
    run = run_in_terminal([SCRIPTS / SCRIPT], tmp_path, "--quick", "--epochs", "2", env=env)[STEM]
    assert run.status == 0, run.log[-3000:]
    assert len(run.values["history"]["loss"]) == 2  # the NumPy network
    assert run.fits == [2]  # Keras

"""Chapter 4, as it ran under each backend (tests/shared_runs.py)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import BACKENDS, assert_figures

from keras_tutorial.exercises import NOT_ANSWERED

FIGURES = [
    "ch04_derivative.png",
    "ch04_gd_1d.png",
    "ch04_gd_2d.png",
    "ch04_sgd_batches.png",
    "ch04_momentum.png",
    "ch04_optimizers_2d.png",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_the_chapter_computed(runs, backend):
    run = runs.script(backend, "ch04_gradient_descent")
    found = run.values
    # 4.1: chapter 1's model and its update count, from chapter 1's own settings.
    assert found["n_weights"] == 407_050
    assert (found["n_fit"], found["batches"], found["epochs"]) == (54_000, 422, 5)
    assert found["nudges"] == 2 * 407_050
    # The one number the backend computes: one forward pass, timed.
    assert 0 < found["per_forward"] < 10
    # 4.6: plain descent stops in the local minimum near +0.93; momentum reaches the one near -1.06.
    plain, momentum = (path["last"][0] for path in found["paths"].values())
    assert plain == pytest.approx(0.93, abs=0.01)
    assert momentum == pytest.approx(-1.06, abs=0.01)
    # 4.7: gradient descent at momentum's effective step crosses the ravine every step, momentum
    # far less often.
    assert found["effective"] == pytest.approx(0.05 / 0.3)
    # The contenders, in the chapter's order: descent at 0.05 and at the effective step,
    # momentum, RMSprop.
    flips = [
        np.count_nonzero(np.diff(np.sign(np.array(path["values"])[:, 1])))
        for path in found["runs"].values()
    ]
    _, at_effective_step, momentum_flips, _ = flips
    assert at_effective_step == 30 and momentum_flips < 10
    # The exercises' cells are left for the learner: nothing answered, nothing trained.
    assert run.text.count(NOT_ANSWERED) == 4
    if run.fits is not None:
        assert run.fits == []  # no Keras training in this chapter
    assert found["starts"] == []  # exercise 6's starting points are the learner's to fill in
    assert_figures(run.out, FIGURES)

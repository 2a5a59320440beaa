"""Every chapter and answers script runs to its end, in quick mode, under each Keras backend.

The runs themselves are tests/shared_runs.py's (TensorFlow's in Jupyter, JAX's and PyTorch's from
a terminal); each chapter's own test file checks what its chapter computed on every backend. Here:
each script finished cleanly, and each run used the backend it was given.
"""

from __future__ import annotations

import pytest
from helpers import BACKENDS, MISSING_GLYPH
from shared_runs import STEMS


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_script_runs_to_its_end(runs, backend, stem):
    run = runs.script(backend, stem)
    assert run.status == 0, f"{stem} under {backend}:\n{run.log}"
    assert "Traceback" not in run.text, run.text[-3000:]
    assert "✗ " not in run.text, run.text[-3000:]  # no reference answer failed its checker
    assert MISSING_GLYPH not in run.log + run.text, run.log


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_run_uses_the_backend_it_was_given(runs, backend):
    # Chapters 5 and 6 keep keras.backend.backend() in `backend`; chapter 6 runs first in the
    # terminal runs, so no chapter before it could have imported another backend.
    for stem in ("ch05_backpropagation", "ch06_distributed"):
        assert runs.script(backend, stem).values["backend"] == backend

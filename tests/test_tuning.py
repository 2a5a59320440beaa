"""The speed settings chapter 1 adds to compile()."""

from __future__ import annotations

import pytest

from keras_tutorial.tuning import compile_options, steps_per_epoch


def test_steps_per_epoch_counts_the_last_partial_batch():
    assert steps_per_epoch(60000, 128) == 469
    assert steps_per_epoch(2000, 128) == 16
    assert steps_per_epoch(256, 128) == 2


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_one_call_per_epoch(backend):
    assert compile_options(469, backend) == {"steps_per_execution": 469}


def test_torch_gets_nothing_it_would_reject():
    assert compile_options(469, "torch") == {}


def test_bad_steps():
    with pytest.raises(ValueError):
        compile_options(0, "tensorflow")

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


def test_chapter1_model_is_chapter_1s_network():
    import keras

    from keras_tutorial.models import chapter1_model

    book = chapter1_model()
    dense = [layer for layer in book.layers if isinstance(layer, keras.layers.Dense)]
    assert [(d.units, d.activation.__name__) for d in dense] == [(512, "relu"), (10, "softmax")]
    assert book.count_params() == 407_050
    assert isinstance(book.optimizer, keras.optimizers.RMSprop)
    assert book.steps_per_execution == 1
    tuned = chapter1_model(469)
    expected = compile_options(469).get("steps_per_execution", 1)
    assert tuned.steps_per_execution == expected

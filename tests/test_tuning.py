"""The speed settings of the "tuned" benchmark rows (benchmarks/tuning.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from benchmarks.tuning import compile_options, frozen_imports, steps_per_epoch, tune


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


@pytest.mark.parametrize(("backend", "steps"), [("tensorflow", 469), ("jax", 469), ("torch", 1)])
def test_tune_keeps_chapter_1s_compile_settings_and_adds_only_the_steps(backend, steps):
    from keras_tutorial.ch01 import build_model

    model = build_model()
    before = model.get_compile_config()
    assert before["steps_per_execution"] == 1
    assert tune(model, 469, backend) is model
    after = model.get_compile_config()
    assert model.steps_per_execution == after["steps_per_execution"] == steps
    assert {**after, "steps_per_execution": 1} == before  # same optimizer, loss and metrics


@pytest.fixture
def restore_gc():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable() if enabled else gc.disable()


def test_frozen_imports_pauses_the_collector_and_freezes_what_was_made(restore_gc):
    full_collections = []

    def count(phase, info):
        if phase == "start" and info["generation"] == 2:
            full_collections.append(info)

    gc.unfreeze()
    gc.callbacks.append(count)
    try:
        with frozen_imports():
            assert not gc.isenabled()
            made = [[i] for i in range(300_000)]  # enough allocations to trigger collections
        assert gc.isenabled()
        assert full_collections == []
        assert gc.get_freeze_count() >= len(made)
    finally:
        gc.callbacks.remove(count)


def test_objects_made_after_the_import_are_still_collected(restore_gc):
    with frozen_imports():
        pass

    class Node:
        pass

    node = Node()
    node.self = node  # a reference cycle: only the cyclic collector can free it
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is None


def test_frozen_imports_restores_the_collector_after_an_error(restore_gc):
    with pytest.raises(ImportError), frozen_imports():
        import keras_tutorial_no_such_module  # noqa: F401
    assert gc.isenabled()
    gc.disable()
    with frozen_imports():
        pass
    assert not gc.isenabled()  # it was off before: leave it off

"""Chapter 1: the model it defines (keras_tutorial.ch01.build_model) and the script as run."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import BACKENDS, assert_clean_error, run_script

from keras_tutorial.exercises import NOT_ANSWERED

SCRIPT = "ch01_mnist_dense.py"
STEM = "ch01_mnist_dense"
FIGURES = ["ch01_samples.png", "ch01_history.png", "ch01_predictions.png", "ch01_mistakes.png"]


def dense_layers(model):
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def test_build_model_is_the_books_network():
    import keras

    from keras_tutorial.ch01 import build_model

    model = build_model()
    assert model.input_shape == (None, 784)
    assert model.output_shape == (None, 10)
    dense = dense_layers(model)
    assert [layer.units for layer in dense] == [512, 10]
    assert [layer.activation.__name__ for layer in dense] == ["relu", "softmax"]
    assert len(model.layers) == 2
    # 784 × 512 weights + 512 biases, 512 × 10 weights + 10 biases.
    assert model.count_params() == 407_050
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.001)  # Keras's default
    assert model.loss == "categorical_crossentropy"

    probabilities = model.predict(np.random.default_rng(0).random((5, 784)), verbose=0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("units", [1, 64, 1024])
def test_build_model_hidden_units(units):
    from keras_tutorial.ch01 import build_model

    model = build_model(units)
    assert [layer.units for layer in dense_layers(model)] == [units, 10]
    assert model.count_params() == 784 * units + units + units * 10 + 10


def test_build_model_is_compiled_and_learns():
    """Ten classes, each lighting up its own block of pixels: a few epochs separate them."""
    import keras

    from keras_tutorial.ch01 import build_model

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 500)
    x = rng.random((500, 784)).astype("float32") * 0.3
    for digit in range(10):
        x[labels == digit, digit * 78 : (digit + 1) * 78] += 0.7
    y = keras.utils.to_categorical(labels, num_classes=10)
    model = build_model(32)
    model.fit(x, y, epochs=3, batch_size=50, verbose=0)
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(result) == {"loss", "accuracy"}
    assert result["accuracy"] > 0.95
    # Two calls build two models: training one leaves a new one untouched.
    assert build_model(32).evaluate(x, y, verbose=0, return_dict=True)["accuracy"] < 0.5


@pytest.mark.slow
def test_full_run_reaches_the_books_accuracy(full_run):
    """The one full-MNIST training of chapter 1 in the suite (a shared run, started early)."""
    run = full_run
    assert run.status == 0, run.log[-3000:]
    # A quiet CPU start: none of TensorFlow's start-up logs (issue 16) on the first page.
    output = run.text + run.log
    for alarming in ("I0000", "W0000", "E0000", "Could not find cuda drivers", "cuInit", "absl::"):
        assert alarming not in output, f"{alarming!r} on chapter 1's screen:\n{output[:3000]}"
    assert not re.search(r"^[IWEF]\d{4} ", output, re.MULTILINE), output[:3000]
    found = run.values
    assert run.fits == [5]
    assert found["x_train"]["shape"] == [60_000, 784] and found["n_fit"] == 54_000
    assert found["test_acc"] >= 0.975
    assert found["val_acc"] >= 0.97
    assert found["train_acc"] > found["val_acc"]  # five epochs leave a small generalisation gap
    assert found["same"] is True  # the saved model, reloaded, predicts the same digits
    for name in [*FIGURES, "ch01_mnist_dense.keras"]:
        assert (run.out / name).stat().st_size > 1000, name
    assert not [p for p in run.out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_broken_mnist_file(tmp_path):
    broken = tmp_path / "mnist.npz"
    broken.write_bytes(b"this is not MNIST")
    out = tmp_path / "out"
    result = run_script(SCRIPT, "--quick", "--out", str(out), env={"MNIST_PATH": str(broken)})
    assert result.returncode == 1
    assert_clean_error(result, "MNIST_PATH", str(broken))
    assert list(out.iterdir()) == []


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_script(SCRIPT, "--quick", "--out", str(blocker / "out"))
    assert result.returncode == 1
    assert_clean_error(result, "--out")


@pytest.mark.parametrize("backend", BACKENDS)
def test_quick_run_trains_only_the_lesson_and_learns(runs, backend):
    """make run trains the lesson's one model; each exercise's cell says it is not answered."""
    run = runs.script(backend, STEM)
    if run.fits is not None:  # counted in the terminal runs
        assert run.fits == [5]  # 1.6's fit, five epochs; no exercise trains
    # 练习 1, 2, 3, 4 and 7 each wait for the learner (5 and 6 are cells to extend).
    assert run.text.count(NOT_ANSWERED) == 5
    found = run.values
    # The Dense demo of 1.3 acts on the last axis only, not on a flattened input.
    assert found["result"]["shape"] == [2, 28, 32]
    # 1800 training images for 5 epochs already beat guessing (10%) by far, on every backend.
    assert found["val_acc"] > 0.7 and found["test_acc"] > 0.7
    assert found["same"] is True
    assert sorted(p.name for p in run.out.iterdir() if p.suffix == ".png") == sorted(FIGURES)

"""Chapter 1: the model it defines (keras_tutorial.ch01.build_model) and the script as run."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from helpers import assert_clean_error, run_script

SCRIPT = "ch01_mnist_dense.py"
FIGURES = ["ch01_samples.png", "ch01_history.png", "ch01_predictions.png", "ch01_mistakes.png"]


def printed(name: str, stdout: str) -> float:
    """The number a line ``name: 0.9774`` of the chapter's output shows."""
    match = re.search(rf"^{name}: ([0-9.]+)", stdout, re.M)
    assert match, stdout
    return float(match.group(1))


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
def test_full_run_reaches_the_books_accuracy(mnist_path, tmp_path):
    """The one full-MNIST training of chapter 1 in the suite."""
    # A learner's shell: no log level and no backend chosen, so TensorFlow's own defaults apply.
    env = {"MNIST_PATH": str(mnist_path), "TF_CPP_MIN_LOG_LEVEL": None, "KERAS_BACKEND": None}
    result = run_script(SCRIPT, "--out", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = next(line for line in result.stdout.splitlines() if line.startswith("Keras "))
    assert "backend tensorflow " in summary and "devices: " in summary, summary
    # A quiet CPU start: none of TensorFlow's start-up logs (issue 16) on the first page.
    output = result.stdout + result.stderr
    for alarming in ("I0000", "W0000", "E0000", "Could not find cuda drivers", "cuInit", "absl::"):
        assert alarming not in output, f"{alarming!r} on chapter 1's screen:\n{output[:3000]}"
    assert not re.search(r"^[IWEF]\d{4} ", output, re.MULTILINE), output[:3000]
    assert "Epoch 5/5" in result.stdout and "batch_size=128" in result.stdout
    # 练习 1's answer: 54,000 training images in batches of 128, the last one partial.
    batches = math.ceil(54_000 / 128)
    assert f"{batches}/{batches}" in result.stdout
    assert printed("test_acc", result.stdout) >= 0.975
    train_acc, val_acc = printed("train_acc", result.stdout), printed("val_acc", result.stdout)
    assert val_acc >= 0.97
    assert train_acc > val_acc  # five epochs leave a small generalisation gap
    assert printed("泛化差距 gap", result.stdout.replace("+", "")) == pytest.approx(
        train_acc - val_acc, abs=1.5e-4
    )
    assert "重新加载后前 100 张预测相同: True" in result.stdout
    for name in [*FIGURES, "ch01_mnist_dense.keras"]:
        assert (tmp_path / name).stat().st_size > 1000, name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files


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


# Runs chapter 1 as a terminal learner does, counting every Model.fit call it makes.
COUNT_FITS = """
import runpy, sys
import keras
calls = []
fit = keras.Model.fit
def counted(self, *args, **kwargs):
    calls.append(kwargs.get("epochs"))
    return fit(self, *args, **kwargs)
keras.Model.fit = counted
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
print("FIT CALLS", calls)
"""


def test_only_the_lesson_trains_and_exercises_wait_for_their_answers(mnist_path, tmp_path):
    """make run trains the lesson's one model; each exercise's cell says it is not answered."""
    from helpers import SCRIPTS

    from keras_tutorial.exercises import NOT_ANSWERED

    wrapper = tmp_path / "count_fits.py"
    wrapper.write_text(COUNT_FITS)
    out = tmp_path / "out"
    result = run_script(
        wrapper,
        str(SCRIPTS / SCRIPT),
        "--quick",
        "--out",
        str(out),
        env={"MNIST_PATH": str(mnist_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "FIT CALLS [5]" in result.stdout  # 1.6's fit, five epochs; no exercise trains
    # 练习 1, 2, 3, 4 and 7 each wait for the learner (5 and 6 are cells to extend).
    assert result.stdout.count(NOT_ANSWERED) == 5
    # The Dense demo of 1.3: the last axis only, not a flattened input.
    assert "输入形状 (2, 28, 28) → 输出形状 (2, 28, 32)" in result.stdout
    assert "它的权重矩阵 kernel 的形状: (28, 32)" in result.stdout

"""Chapter 2, as it ran under each backend (tests/shared_runs.py), and its one learner error."""

from __future__ import annotations

import pytest
from helpers import BACKENDS, assert_clean_error, assert_figures, run_script

from keras_tutorial.exercises import NOT_ANSWERED

CH02 = "ch02_tensors.py"
FIGURES = ["ch02_digit.png", "ch02_slice.png", "ch02_crops.png", "ch02_prices.png"]


def array(found: dict, name: str) -> tuple[list[int], str]:
    return found[name]["shape"], found[name]["dtype"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_the_chapter_computed(runs, backend):
    run = runs.script(backend, "ch02_tensors")
    found = run.values
    # MNIST as the file holds it (quick mode does not shrink chapter 2's data).
    assert array(found, "train_images") == ([60000, 28, 28], "uint8")
    assert array(found, "train_labels") == ([60000], "uint8")
    # Slicing: three spellings of the same slice, and crops of the corner and the centre.
    assert found["my_slice"]["shape"] == [90, 28, 28]
    assert found["same_1"] is True and found["same_2"] is True
    assert found["corner"]["shape"] == [60000, 14, 14] and found["centre"]["shape"] == [
        60000,
        14,
        14,
    ]
    assert found["v"]["values"] == list(range(10))
    # Batches: 469 of 128 images, the last one partial, adding up to the whole training set.
    assert found["batch_size"] == 128 and found["num_batches"] == 469
    assert found["last"]["shape"] == [60000 - 468 * 128, 28, 28]
    assert sum(found["sizes"]) == 60000 and len(found["sizes"]) == 469
    # Why batches: the loop ends on one batch of 128 images, as float32.
    assert found["inputs"] == 128 * 784 * 4 and found["activations"] == 128 * 512 * 4
    # Sequences: samples, timesteps (axis 1), features.
    assert array(found, "houses") == ([200, 4], "float64")
    assert found["year"]["shape"] == [250, 390, 3]
    assert array(found, "tweets") == ([3, 280, 128], "uint8")
    # A bag of words forgets the order: "dog bites man" and "man bites dog" are the same.
    bags = found["bags"]
    assert (bags["shape"], bags["dtype"]) == ([3, 6], "int32")
    assert bags["values"][0] == bags["values"][1] != bags["values"][2]
    assert found["channels_first"]["shape"] == [128, 1, 28, 28]
    # The video's frame count comes from seconds × frames per second.
    assert found["frames"] == 240
    assert found["mib"] == pytest.approx(4 * 240 * 144 * 256 * 3 * 4 / 2**20)
    assert found["mb"] == pytest.approx(4 * 240 * 144 * 256 * 3 * 4 / 1e6)
    # Six exercises, each left for the learner.
    assert run.text.count(NOT_ANSWERED) == 6
    assert_figures(run.out, FIGURES)


def test_without_mnist_is_a_clean_error(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    result = run_script(CH02, "--quick", "--out", str(tmp_path), env={"MNIST_PATH": str(missing)})
    assert result.returncode == 1
    assert_clean_error(result, str(missing))

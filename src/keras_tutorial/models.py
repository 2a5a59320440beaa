"""Chapter 1's network, for the places that reuse it (chapter 4's comparison, the benchmarks).

Chapter 1 itself spells the model out line by line: that is the lesson.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keras_tutorial.tuning import compile_options

if TYPE_CHECKING:
    import keras


def chapter1_model(steps: int | None = None) -> keras.Model:
    """Dense(512, relu) → Dense(10, softmax), compiled with rmsprop as in chapter 1.

    ``steps`` (batches per epoch) adds chapter 1's speed settings (``tuning.compile_options``);
    None compiles exactly as the book does.
    """
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(28 * 28,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    extra = compile_options(steps) if steps is not None else {}
    model.compile(
        optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"], **extra
    )
    return model

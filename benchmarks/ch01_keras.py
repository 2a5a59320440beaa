"""Chapter 1's model in Keras, timed as one process: import, data, build, compile, fit, evaluate.

The model comes from chapter 1 itself (``keras_tutorial.ch01.build_model``, generated from the
chapter's ``# @save`` cell). ``--settings book`` runs it as chapter 1 and the book do;
``--settings tuned`` adds the speed settings of ``benchmarks/tuning.py``.
"""

from __future__ import annotations

import contextlib
import time

from benchmarks import _job


def main() -> None:
    args = _job.parse(
        __doc__.splitlines()[0], settings={"choices": ["book", "tuned"], "default": "tuned"}
    )
    from benchmarks.tuning import frozen_imports, steps_per_epoch, tune

    tuned = args.settings == "tuned"
    # "tuned" imports Keras under frozen_imports() and runs one backend call per epoch.
    with frozen_imports() if tuned else contextlib.nullcontext():
        import keras

    from keras_tutorial.ch01 import build_model
    from keras_tutorial.settings import backend_info

    keras.utils.set_random_seed(0)
    x_train, y_train, x_test, y_test = _job.mnist_flat(args.limit)
    model = build_model()
    if tuned:
        tune(model, steps_per_epoch(len(x_train), 128))
    start = time.perf_counter()
    model.fit(
        x_train,
        keras.utils.to_categorical(y_train, 10),
        epochs=args.epochs,
        batch_size=128,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, keras.utils.to_categorical(y_test, 10), verbose=0)
    info = backend_info()
    name = f"Keras {info.name}, {args.settings}"
    _job.report(name, ", ".join(info.devices), args.epochs, seconds, accuracy)


if __name__ == "__main__":
    main()

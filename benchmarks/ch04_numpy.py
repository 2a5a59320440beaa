"""Chapter 5's from-scratch NumPy network (mini-batch RMSprop), timed as one process.

The network is the chapter's own code, generated from its ``# @save`` cells into
``keras_tutorial.ch05`` (the file keeps its name: ``--jobs ch04-numpy`` and the results
files already recorded use it).
"""

from __future__ import annotations

import time

from benchmarks import _job


def main() -> None:
    args = _job.parse(__doc__.splitlines()[0])
    from keras_tutorial.ch05 import evaluate, train

    x_train, y_train, x_test, y_test = _job.mnist_flat(args.limit)
    start = time.perf_counter()
    params, _ = train(x_train, y_train, epochs=args.epochs, batch_size=128, seed=0)
    seconds = time.perf_counter() - start
    accuracy = evaluate(params, x_test, y_test)
    _job.report("NumPy from scratch (ch. 4)", "CPU", args.epochs, seconds, accuracy)


if __name__ == "__main__":
    main()

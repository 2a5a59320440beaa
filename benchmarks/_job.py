"""What every timed job shares: its flags, the data, and the one JSON line it prints.

Each job runs as its own process (``python -m benchmarks.<job>`` from the repository root) so
that import and start-up time count, as they do for a learner. Import this module first: its clock
starts on import (``benchmarks/__init__.py`` imports nothing).
"""

from __future__ import annotations

import time

START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def parse(description: str, **extra: dict) -> argparse.Namespace:
    """``--epochs`` and ``--limit`` (train on the first N images), plus ``extra`` flags."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images")
    for flag, options in extra.items():
        parser.add_argument(f"--{flag}", **options)
    return parser.parse_args()


def mnist_flat(limit: int | None):
    """MNIST as float32 (n, 784) in [0, 1] and integer labels: x_train, y_train, x_test, y_test."""
    import numpy as np

    from keras_tutorial.data import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]

    def flat(images: np.ndarray) -> np.ndarray:
        return images.reshape(len(images), 784).astype(np.float32) / 255

    return flat(x_train), y_train, flat(x_test), y_test


def report(implementation: str, device: str, epochs: int, train_seconds: float, accuracy: float):
    """Print the job's one JSON line."""
    print(
        json.dumps(
            {
                "implementation": implementation,
                "device": device,
                "epochs": epochs,
                "train_seconds": round(train_seconds, 3),
                "process_seconds": round(time.perf_counter() - START, 3),
                "test_accuracy": round(float(accuracy), 4),
            }
        ),
        flush=True,
    )

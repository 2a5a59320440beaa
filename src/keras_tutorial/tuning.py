"""Model.compile() options that make chapter 1's small network train faster on each backend.

They change how training runs, not what the network learns: the model, the optimizer and the
batches stay the same. Measured with `make bench` (see benchmarks/results/).
"""

from __future__ import annotations

import math


def steps_per_epoch(samples: int, batch_size: int) -> int:
    """How many batches one epoch has (the last one may be smaller)."""
    return math.ceil(samples / batch_size)


def compile_options(steps: int, backend: str | None = None) -> dict[str, object]:
    """Extra ``Model.compile`` arguments: run ``steps`` batches (one epoch) per backend call.

    Each call from Python into the compiled training step costs framework overhead (dispatch,
    callbacks, the progress bar) that is large next to one small batch on a CPU; running a whole
    epoch per call pays it once. Keras's progress bar miscounts when ``steps_per_execution``
    exceeds the steps of an epoch, so pass exactly the number of batches per epoch.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if backend is None:
        import keras

        backend = keras.backend.backend()
    if backend == "torch":
        # Keras allows only steps_per_execution=1 with PyTorch.
        return {}
    return {"steps_per_execution": steps}

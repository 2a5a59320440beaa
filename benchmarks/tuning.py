"""Speed settings for chapter 1's model: the "tuned" rows of `make bench`.

Chapter 1 compiles its model as the book does; speed is not the lesson. These settings change how
training runs, not what the network learns (the model, the optimizer and the batches stay the
same), and `make bench` measures what they save (see benchmarks/README.md and results/).
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras


@contextmanager
def frozen_imports() -> Iterator[None]:
    """Import big libraries with Python's cyclic garbage collector paused, then freeze them.

    Importing Keras with TensorFlow creates about 400,000 Python objects that live until the
    process ends. Python's collector walks all of them on every full collection: several times
    during the import and once more at exit, together 2 s or so on a 2-core CPU. Hardly any of
    them is garbage (a full collection right after the import finds a few thousand cycles and
    frees no measurable memory), so the collector pauses while they are created and
    ``gc.freeze()`` then moves them to a generation it never scans. Objects created later are
    collected as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


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


def tune(model: keras.Model, steps: int, backend: str | None = None) -> keras.Model:
    """Compile ``model`` again as it was compiled, plus :func:`compile_options` for ``steps``.

    The optimizer, loss and metrics come from the model's own compile config, so the tuned model
    is the one ``build_model()`` made, not a copy of its compile() call.
    """
    config = model.get_compile_config()
    config.update(compile_options(steps, backend))
    model.compile_from_config(config)
    return model

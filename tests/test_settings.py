"""settings.start_chapter: the one set-up call of every chapter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from helpers import ROOT

DRAWS = textwrap.dedent(
    """
    import json, random, sys
    from keras_tutorial.settings import start_chapter

    def draws(seed):
        start_chapter("测试 / test", epochs=1, argv=["--seed", str(seed)])
        import keras, numpy as np
        return [random.random(), float(np.random.rand()),
                float(keras.ops.convert_to_numpy(keras.random.uniform(())))]

    print(json.dumps([draws(int(seed)) for seed in sys.argv[1:]]))
    """
)


def draws_for_seeds(code: str, *seeds: int) -> object:
    """What ``code`` prints last as JSON, run in a fresh Python with ``seeds`` as its arguments."""
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, seeds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_seed_makes_every_generator_repeat_and_another_seed_differ() -> None:
    # Python's, NumPy's and the Keras backend's generators, as a chapter's numbers depend on all
    # three: the same --seed twice gives the same draws, another seed other draws.
    first, again, other = draws_for_seeds(DRAWS, 42, 42, 7)
    assert first == again
    assert all(a != b for a, b in zip(first, other, strict=True))


NUMPY_ONLY = textwrap.dedent(
    """
    import json, random, sys
    import numpy as np
    from keras_tutorial.settings import start_chapter

    def draws(seed):
        start_chapter("测试 / test", argv=["--seed", str(seed)])
        return [random.random(), float(np.random.rand())]

    found = [draws(int(seed)) for seed in sys.argv[1:]]
    print(json.dumps({"draws": found, "keras": "keras" in sys.modules}))
    """
)


def test_a_chapter_without_keras_is_seeded_and_never_loads_it() -> None:
    # Most answers use NumPy only: they repeat with their seed and start without TensorFlow.
    found = draws_for_seeds(NUMPY_ONLY, 42, 42, 7)
    first, again, other = found["draws"]
    assert first == again and all(a != b for a, b in zip(first, other, strict=True))
    assert found["keras"] is False

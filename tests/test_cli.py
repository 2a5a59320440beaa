"""Every learner-facing command answers a bad flag in 中文 and English, without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import ROOT, assert_clean_error


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "keras_tutorial.doctor", "--bogus"],
        ["-m", "tools.notebooks", "--bogus"],
        ["-m", "tools.lib", "--bogus"],
        ["-m", "keras_tutorial.lab", "--port", "zero"],
        ["-m", "benchmarks", "--repeat", "0"],
    ],
    ids=["doctor", "notebooks", "lib", "lab", "bench"],
)
def test_bad_flag(command):
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert_clean_error(result)

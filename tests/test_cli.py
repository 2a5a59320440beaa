"""Every learner-facing command answers a bad flag in 中文 and English, without a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import PROJECT, ROOT, assert_clean_error, run_script


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "keras_tutorial.doctor", "--bogus"],
        ["-m", "tools.notebooks", "--bogus"],
        ["-m", "tools.lib", "--bogus"],
        ["-m", "keras_tutorial.lab", "--port", "zero"],
        ["-m", "benchmarks", "--repeat", "0"],
        ["-m", "tools.opbench", "--fast"],
    ],
    ids=["doctor", "notebooks", "lib", "lab", "bench", "opbench"],
)
def test_bad_flag(command):
    result = subprocess.run(
        [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert_clean_error(result)


# Every chapter and answers script takes --quick, --out and --seed; the chapters that train also
# --epochs and --batch-size (positive integers).
TRAINING = ("ch01_mnist_dense", "ch05_backpropagation", "ch06_distributed")
BAD_FLAGS = [
    *((script, ["--no-such-flag"]) for script in PROJECT.all_scripts()),
    *((script, ["--seed", "many"]) for script in PROJECT.chapters()),
    *(
        (script, args)
        for script in PROJECT.chapters()
        if script.stem in TRAINING
        for args in (["--epochs", "0"], ["--epochs", "five"], ["--batch-size", "-3"])
    ),
    (PROJECT.scripts / "ch04_gradient_descent.py", ["--epochs", "5"]),  # trains no network
]


@pytest.mark.parametrize(
    ("script", "args"), BAD_FLAGS, ids=[f"{s.stem}:{' '.join(a)}" for s, a in BAD_FLAGS]
)
def test_a_chapter_refuses_a_bad_flag_before_it_writes_anything(script, args, tmp_path):
    result = run_script(script, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help")
    assert not (tmp_path / "out").exists()

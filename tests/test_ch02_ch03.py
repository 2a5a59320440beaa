"""Chapter 3 as a learner runs it from a terminal (chapter 2's tests are in test_ch02.py)."""

from __future__ import annotations

import re

import matplotlib.image
import pytest
from helpers import assert_clean_error, run_script

CH03 = "ch03_tensor_operations.py"
CH03_FIGURES = ["ch03_rotation_affine.png", "ch03_dense_relu.png", "ch03_speedup.png"]


def assert_figures(out, names):
    for name in names:
        image = matplotlib.image.imread(out / name)
        assert image.shape[0] > 100 and image.shape[1] > 100, name
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # no temporary files left


def test_ch03_quick_run_from_another_folder(tmp_path):
    out = tmp_path / "out"
    # The chapter needs no MNIST, and must not depend on the working directory.
    result = run_script(CH03, "--quick", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    stdout = result.stdout
    checks = re.findall(r"^.*: (True|False)$", stdout, re.M)
    assert len(checks) >= 12 and set(checks) == {"True", "False"}
    # The only expected False lines: dot(x, y) != dot(y, x) and transpose != reshape.
    falses = [line for line in stdout.splitlines() if line.endswith(": False")]
    assert falses == ["两者相等: False", "x.T 与 x.reshape((2, 3)) 相同: False"]
    assert "(a, b, c, d)·(d,)   → (2, 3, 4)" in stdout
    assert "(a, b, c, d)·(d, e) → (2, 3, 4, 6)" in stdout
    assert "np.maximum: (64, 3, 32, 10) 和 (32, 10) → (64, 3, 32, 10)" in stdout
    assert stdout.count("ValueError: naive_") == 2
    for op in ("relu", "add", "matrix_dot"):
        assert re.search(rf"^\| {op} \| \d+ \|", stdout, re.M), op
    assert_figures(out, CH03_FIGURES)


@pytest.mark.parametrize("script", [CH03])
@pytest.mark.parametrize("args", [["--no-such-flag"], ["--seed", "many"]])
def test_bad_flags(script, args, tmp_path):
    result = run_script(script, *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert_clean_error(result, "--help", args[0] if len(args) == 1 else args[1])
    assert not (tmp_path / "out").exists()

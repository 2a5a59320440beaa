"""benchmarks/install_time.py splits a `make run` log at the lines make and chapter 1 print."""

from __future__ import annotations

import json
import re
import subprocess

from helpers import NOTEBOOKS, ROOT

from benchmarks import install_time

# What make run printed on a fresh clone (shortened; Keras colours its progress bar).
LOG = """\
python3 -m venv .venv
安装 requirements/run.txt 锁定的版本 / installing the versions locked in requirements/run.txt
+ .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r .venv/.uv.txt
.venv/bin/python scripts/ch01_mnist_dense.py
Keras 3.15.1 · backend tensorflow 2.21.0 · devices: CPU
train_images: (60000, 28, 28) uint8
Epoch 1/2
\x1b[1m  1/422\x1b[0m \x1b[37m━━━━━━━━━━\x1b[0m \x1b[1m2:45\x1b[0m 392ms/step - accuracy: 0.0938
Epoch 2/2
\x1b[1m422/422\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m \x1b[1m2s\x1b[0m 4ms/step - accuracy: 0.98
每轮验证损失 val_loss: [0.1232 0.0916]
train_acc: 0.9903   （evaluate，训练用的 54000 张）
test_loss: 0.0736
test_acc: 0.9773
第一张测试图的 10 个概率: [0. 0. 0. 0. 0. 0. 0. 1. 0. 0.]
"""


def test_a_make_run_log_is_split_into_its_parts() -> None:
    run = install_time.Run("uv", 1)
    run.times["cloned"] = 0.5
    for second, line in enumerate(LOG.splitlines(), start=1):
        install_time.mark(install_time.COLOURS.sub("", line), run, float(second))
    parts = run.parts()
    assert parts is not None and run.test_acc == "0.9773"
    # venv until line 2, install until line 4, import until 5, fit from 7 to 10, test_acc at 14.
    assert parts == {
        "clone": 0.5,
        "venv": 1.5,
        "install": 2.0,
        "import": 1.0,
        "training": 3.0,
        "rest": 6.0,
        "total": 14.0,
    }


def test_a_run_without_test_acc_has_no_split() -> None:
    run = install_time.Run("pip", 1)
    run.times["cloned"] = 0.5
    for second, line in enumerate(LOG.splitlines()[:9], start=1):
        install_time.mark(line, run, float(second))
    assert run.parts() is None


def test_the_marks_are_what_make_and_chapter_1_print() -> None:
    # make's own lines, as `make -n run` shows them: the install's first line and chapter 1's start.
    planned = subprocess.run(
        ["make", "-n", "VENV=/nonexistent/venv", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    echoes = re.findall(r'^echo "(.*)"$', planned, re.M)
    assert any(install_time.INSTALL_STARTS.search(line) for line in echoes), echoes
    assert install_time.CHAPTER_STARTS.search(planned), planned
    # Chapter 1's own lines, as its committed notebook printed them.
    cells = json.loads((NOTEBOOKS / "ch01_mnist_dense.ipynb").read_text(encoding="utf-8"))["cells"]
    printed = "".join(
        "".join(output.get("text", ""))
        for cell in cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    ).splitlines()
    for pattern in (install_time.IMPORTED, install_time.EPOCH_STARTS, install_time.TEST_ACC):
        assert any(pattern.search(line) for line in printed), pattern.pattern

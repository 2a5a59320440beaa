"""Every figure the README quotes from a notebook or a results file is the one that file holds.

The figures are read from the committed notebooks' printed outputs and from benchmarks/results/,
never typed into this test. When the README is reworded so that a figure is no longer found, the
test says which one, so that it is checked again rather than forgotten.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers import NOTEBOOKS, ROOT

README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
AVX512 = RESULTS / "amd-epyc-2-cores-avx-512.md"
AVX2 = RESULTS / "amd-epyc-2-cores-avx2.md"
H200 = RESULTS / "nvidia-h200.md"


def readme() -> str:
    """The README with every run of whitespace (line breaks too) as one space."""
    return " ".join(README.read_text(encoding="utf-8").split())


def printed(notebook: str) -> str:
    """Everything a committed notebook printed, in order."""
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    return "".join(
        "".join(output.get("text", ""))
        for cell in cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def quoted(pattern: str, text: str | None = None) -> tuple[str, ...]:
    """The groups of ``pattern`` in the README (or ``text``); fails when it is not there."""
    found = re.search(pattern, readme() if text is None else text)
    assert found, f"not found: {pattern!r}; if the wording changed, update tests/test_readme.py"
    return found.groups()


def cells(line: str) -> list[str]:
    return [cell.strip().strip("*").strip() for cell in line.strip().strip("|").split("|")]


def results_rows(path: Path) -> list[dict[str, str]]:
    """The timing table of a `make bench` results file, one dict per row, keyed by column."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("| implementation |"))
    header = cells(lines[start])
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, cells(line), strict=True)))
    return rows


def row(path: Path, implementation: str, device: str = "CPU") -> dict[str, str]:
    matches = [
        r
        for r in results_rows(path)
        if r["implementation"] == implementation and r["device"] == device
    ]
    assert len(matches) == 1, f"{implementation} [{device}] in {path.name}: {matches}"
    return matches[0]


def ratios(text: str) -> list[str]:
    return re.split(r"[,、]\s*", text.strip())


# --- chapters ---------------------------------------------------------------------------------


def chapter_rows() -> list[str]:
    rows = [line for line in README.read_text(encoding="utf-8").splitlines()]
    return [line for line in rows if line.startswith("| 1 | [ch01_mnist_dense]")]


def test_chapter_1_accuracy_is_the_notebooks():
    (accuracy,) = quoted(r"test_acc: (\d\.\d+)", printed("ch01_mnist_dense.ipynb"))
    rows = chapter_rows()
    assert len(rows) == 2, "the Chinese and the English chapter table each have a chapter 1 row"
    for line in rows:
        stated = re.search(r"(\d+\.\d)%", line)
        assert stated, line
        # The first percentage is the committed run's; the book's figure follows it.
        assert stated.group(1) == f"{float(accuracy) * 100:.1f}", line


def test_chapter_5_accuracy_claim_holds_in_the_notebook():
    quoted(r"训练到测试准确率 ≥ (0\.97)")
    quoted(r"trained to ≥ (0\.97) test accuracy")
    found = re.findall(r"test_acc\s*[:=]\s*(\d\.\d+)", printed("ch05_backpropagation.ipynb"))
    assert found, "chapter 5's notebook prints its network's test_acc"
    assert float(found[0]) >= 0.97, found


# --- the benchmark tables ---------------------------------------------------------------------

# The README's machine labels (Chinese and English) → the results file and device of the row.
MACHINES = {
    "2 核 CPU（AVX-512）": (AVX512, "CPU"),
    "2-core CPU (AVX-512)": (AVX512, "CPU"),
    "较早的 2 核 CPU（AVX2）": (AVX2, "CPU"),
    "older 2-core CPU (AVX2)": (AVX2, "CPU"),
    "H200 GPU": (H200, "GPU"),
    "同机 16 核 CPU": (H200, "CPU"),
    "same machine, 16-core CPU": (H200, "CPU"),
}


def implementation(label: str) -> str:
    """The results file's name for a README label: "Keras + JAX，书中写法" → "Keras jax, book"."""
    if label.startswith("JAX"):
        return "JAX reference (lax.scan)"
    if label.startswith("NumPy"):
        return "NumPy from scratch (ch. 4)"
    keras = re.match(r"Keras \+ (\w+)", label)
    assert keras, f"unknown implementation in the README's benchmark table: {label}"
    if re.search(r"书中写法|\bbook\b", label):
        settings = "book"
    elif re.search(r"\btuned\b|调优", label):
        settings = "tuned"
    else:
        raise AssertionError(f"book or tuned? {label}")
    return f"Keras {keras.group(1).lower()}, {settings}"


def benchmark_rows() -> list[list[str]]:
    """The rows of the README's benchmark tables (those with a 相对参照 / vs reference column)."""
    found, inside = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            inside = False
        elif "相对参照" in line or "vs reference" in line:
            inside = True
        elif inside and not line.startswith("| ---"):
            found.append(cells(line))
    return found


def test_readme_benchmark_rows_are_the_committed_results():
    rows = benchmark_rows()
    assert len(rows) >= 2 and len(rows) % 2 == 0, "the same rows in Chinese and in English"
    for machine, label, whole, spread, training, accuracy, ratio in rows:
        assert machine in MACHINES, f"which results file is {machine!r}? (add it to MACHINES)"
        path, device = MACHINES[machine]
        source = row(path, implementation(label), device)
        where = f"README row {machine} / {label} against {path.name}"
        assert whole == source["seconds, whole process"], where
        assert spread == source.get("fastest–slowest run", ""), where
        assert training == source["seconds, training"], where
        assert accuracy == source["test accuracy"], where
        assert ratio == source["ratio to reference"], where


def test_round_by_round_ratios_are_the_results_files():
    # The report gives each round's ratio for chapter 1 as make run runs it (book), then tuned.
    book, tuned = re.findall(r"each round: ([\d., ]+)\)", AVX512.read_text(encoding="utf-8"))
    (zh_book,) = quoted(r"AVX-512 机器上各轮为 ([\d.、]+\d)")
    (zh_tuned,) = quoted(r"调优写法各轮为 ([\d.、]+\d)")
    (en_book,) = quoted(r"round by round: ([\d., ]+\d) on the AVX-512 machine")
    (en_tuned,) = quoted(r"tuned: ([\d., ]+\d) there")
    assert ratios(zh_book) == ratios(en_book) == ratios(book)
    assert ratios(zh_tuned) == ratios(en_tuned) == ratios(tuned)

    (older,) = quoted(r"round by round: ([\d., ]+\d)\.", AVX2.read_text(encoding="utf-8"))
    span = (min(ratios(older)), max(ratios(older)))
    assert quoted(r"AVX2 机器上各轮为 (\d\.\d\d)–(\d\.\d\d)") == span
    assert quoted(r"(\d\.\d\d)–(\d\.\d\d) on the AVX2 one") == span


def test_training_seconds_in_the_prose_are_the_results_files():
    expected = (
        row(AVX512, "Keras tensorflow, book")["seconds, training"],
        row(AVX512, "Keras tensorflow, tuned")["seconds, training"],
        row(AVX2, "Keras tensorflow, book")["seconds, training"],
        row(AVX2, "Keras tensorflow, tuned")["seconds, training"],
    )
    assert quoted(r"训练从 (\S+) s 降到 (\S+) s（AVX2 机器上从 (\S+) s 降到 (\S+) s）") == expected
    assert quoted(r"from (\S+) s to (\S+) s \((\S+) s to (\S+) s on the AVX2 machine\)") == expected


def test_gpu_figures_in_the_prose_are_the_h200_results():
    keras = (
        row(H200, "Keras jax, tuned", "GPU")["seconds, whole process"],
        row(H200, "Keras jax, tuned", "CPU")["seconds, whole process"],
    )
    assert quoted(r"GPU 上的整个进程（(\S+) s）比同一台机器的 CPU（(\S+) s）") == keras
    assert (
        quoted(
            r"Keras on the GPU \((\S+) s\) was slower than on the same machine's CPU \((\S+) s\)"
        )
        == keras
    )
    reference = (
        row(H200, "JAX reference (lax.scan)", "GPU")["seconds, training"],
        row(H200, "JAX reference (lax.scan)", "CPU")["seconds, training"],
    )
    assert quoted(r"CPU 快一点（(\S+) s 对 (\S+) s）") == reference
    assert quoted(r"faster on the GPU \((\S+) s against (\S+) s\)") == reference


def test_phase_figures_in_the_prose_are_benchmarks_readme():
    notes = " ".join((ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8").split())
    chapter, reference = (
        quoted(r"tuned chapter-1 model trains in (\S+) s", notes),
        quoted(r"reference imports JAX in \S+ s and trains in (\S+) s", notes),
    )
    assert quoted(r"调优写法训练 (\S+) s，参照实现 (\S+) s") == chapter + reference
    assert quoted(r"\((\S+) s against the reference's (\S+) s\)") == chapter + reference
    jax_import = quoted(r"reference imports JAX in (\S+) s", notes)
    assert quoted(r"参照实现导入 JAX 约 (\S+) s") == jax_import
    assert quoted(r"against (\S+) s for JAX") == jax_import
    steady = quoted(r"steady epochs (\S+) s /", notes)
    assert quoted(r"每轮 (\S+) s，参照实现") == steady
    assert quoted(r"\((\S+) s an epoch, where the reference") == steady


def test_mnist_download_size_is_the_files(mnist_path):
    (size,) = quoted(r"从官方地址下载（约 (\d+) MB）")
    assert int(size) == round(mnist_path.stat().st_size / 1e6)


# --- the first install ------------------------------------------------------------------------


def install_medians(path: Path) -> dict[str, dict[str, str]]:
    """The medians table of a benchmarks/install_time.py results file, by installer."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| installer |"))
    header = cells(lines[start])
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        row = dict(zip(header, cells(line), strict=True))
        rows[row["installer"]] = row
    return rows


def test_install_times_are_the_results_files():
    *zh, zh_file = quoted(
        r"用默认的 uv 中位数是 (\S+) 秒，其中安装 (\S+) 秒、训练 (\S+) 秒；"
        r"只用 pip 是 (\S+) 秒（测量时其他进程平均占用 (\S+) 个 CPU 核，"
        r"\[测量结果\]\((benchmarks/results/install-time-[^)]+)\)"
    )
    *en, en_file = quoted(
        r"median (\S+) s with uv \(the default\), of which (\S+) s install and (\S+) s training; "
        r"(\S+) s with pip alone "
        r"\(other processes kept (\S+) CPU cores busy on average meanwhile; "
        r"\[results\]\((benchmarks/results/install-time-[^)]+)\)"
    )
    assert zh_file == en_file
    rows = install_medians(ROOT / zh_file)
    uv, pip = rows["uv"], rows["pip"]
    expected = [
        uv["clone → test_acc"],
        uv["install"],
        uv["training"],
        pip["clone → test_acc"],
        uv["others' cores"],
    ]
    assert zh == en == expected

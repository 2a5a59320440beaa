"""Every notebook is its script, committed with the outputs of one clean run, and executes headless.

Chapters and their answers (scripts/chNN_answers.py) alike.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from helpers import NOTEBOOKS, PROJECT

from keras_tutorial.exercises import NOT_ANSWERED, checkers
from tools import notebooks

SCRIPTS_ALL = PROJECT.all_scripts()


def code_sources(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def text_of(cell: nbformat.NotebookNode) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []))


def chapter_checkers(script) -> list[str]:
    return [name for name in checkers() if name.startswith(script.stem[:4] + ".")]


def test_there_are_chapters_and_answers():
    stems = [p.stem for p in SCRIPTS_ALL]
    assert stems[:2] == ["ch01_mnist_dense", "ch01_answers"]
    assert len([s for s in stems if s.endswith("_answers")]) == len(stems) // 2


@pytest.fixture(params=SCRIPTS_ALL, ids=lambda p: p.stem)
def script(request):
    return request.param


def test_notebook_code_equals_script(script):
    committed = nbformat.read(NOTEBOOKS / f"{script.stem}.ipynb", as_version=4)
    generated = notebooks.script_to_notebook(script)
    assert code_sources(committed) == code_sources(generated)
    markdown = [c.source for c in committed.cells if c.cell_type == "markdown"]
    assert markdown == [c.source for c in generated.cells if c.cell_type == "markdown"]
    # Numbered ids, so that a rebuild from an unchanged script diffs only its outputs.
    assert [c.id for c in committed.cells] == [
        f"cell-{n}" for n in range(1, len(committed.cells) + 1)
    ]


def test_committed_notebook_shows_one_clean_run(script):
    nb = nbformat.read(NOTEBOOKS / f"{script.stem}.ipynb", as_version=4)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    # Executed once, top to bottom, without errors.
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    outputs = [out for cell in cells for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    text = "".join(text_of(cell) for cell in cells)
    assert "quick=True" not in text, "committed notebook was run in quick mode"
    assert "\r" not in text and "\b" not in text  # progress bars are rendered, not raw frames
    assert "Traceback" not in text
    if script.stem.endswith("_answers"):
        for exercise in chapter_checkers(script):
            assert f"✓ {exercise}:" in text, f"the reference answer to {exercise} is not checked"
        assert "✗ " not in text
        return
    assert any("image/png" in out.get("data", {}) for out in outputs), "no figure shown"
    structure = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert "## 小结" in structure and "## 练习" in structure
    # The learner's answer cells are left empty: each check prints NOT_ANSWERED.
    for cell in cells:
        if re.search(r'check\("ch\d\d\.\d+"', cell.source):
            assert NOT_ANSWERED in text_of(cell), cell.source


def test_notebook_executes_headless(script, runs):
    # TensorFlow's shared runs are these notebooks, executed in quick mode (tests/shared_runs.py).
    run = runs.script("tensorflow", script.stem)
    assert run.status == 0, run.log
    nb = nbformat.read(run.notebook, as_version=4)
    cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    if script.stem.endswith("_answers"):
        for exercise in chapter_checkers(script):
            assert f"✓ {exercise}:" in run.text, exercise
        return
    outputs = [out for cell in cells for out in cell.outputs]
    assert any("image/png" in out.get("data", {}) for out in outputs)  # figures show inline
    assert any(run.out.iterdir())  # and were also saved beside the notebook


def test_render_terminal_text():
    assert notebooks.render_terminal_text("1/3 ..\r2/3 ...\r3/3 done\nnext") == "3/3 done\nnext"
    assert notebooks.render_terminal_text("abcd\b\bXY") == "abXY"


def test_a_notebooks_kernel_talks_over_unix_sockets(tmp_path):
    # Not TCP: a port picked as free can be taken by another process before the kernel binds it
    # when notebooks start side by side ("Address already in use", seen in a suite run).
    code = "from ipykernel import get_connection_info\n"
    code += "print(get_connection_info(unpack=True)['transport'])"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    notebooks.execute(nb, tmp_path)
    assert text_of(nb.cells[0]).strip() == "ipc"
